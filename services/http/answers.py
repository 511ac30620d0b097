"""Whether a blueprint answers JSON or pages, declared where the blueprint is made.

A refusal or a failure is answered in the kind of its blueprint: the JSON error of SPEC §5
for the API and the pages' data calls (``/donnees.json``, ``/export.csv``), a French page
for the pages. A request that matched no route belongs to no blueprint: a 405 is answered
as the blueprint of the route its path has under another method; an unknown path as the
app says (``services.http.init_app``'s ``unrouted``).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from flask import Blueprint, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed


class Answers(Enum):
    JSON = "json"
    PAGES = "pages"


class _Declared(Blueprint):
    answers: Answers


class JsonBlueprint(_Declared):
    """A blueprint whose routes answer JSON, refusals included."""

    answers = Answers.JSON


class PageBlueprint(_Declared):
    """A blueprint whose routes answer pages, refusals included (in French)."""

    answers = Answers.PAGES


def _blueprint_of_path() -> str | None:
    """The blueprint of the route this path has under another method (a 405)."""
    exception: Any = request.routing_exception
    if not isinstance(exception, MethodNotAllowed) or not exception.valid_methods:
        return None
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(method=next(iter(exception.valid_methods)))
    except HTTPException:
        return None
    name, dot, _ = str(endpoint).rpartition(".")
    return name if dot else None


def answers_json() -> bool:
    """Whether this request is answered JSON (else a page)."""
    name = request.blueprint or _blueprint_of_path()
    blueprint = current_app.blueprints.get(name) if name else None
    if isinstance(blueprint, _Declared):
        return blueprint.answers is Answers.JSON
    # (Every blueprint of both apps is declared: tests/services/http/test_http_answers.py.)
    unrouted: Answers = current_app.extensions["unrouted"]
    prefix: str | None = current_app.extensions["json_prefix"]
    return unrouted is Answers.JSON or (prefix is not None and request.path.startswith(prefix))
