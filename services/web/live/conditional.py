"""Conditional reads of the live figures: ``ETag``, ``Last-Modified``, ``304``, and a
``Cache-Control`` a reverse proxy may follow.

``/v1/figures``, ``/v1/figures/breakdown``, ``/v1/figures/series``, ``/donnees.json``,
``/export.csv`` and ``/`` are the same for every reader (no cookie: services/web/sign_in_cookie.py
keeps the cookie on the signed-in paths) — of one audience: with statistical confidentiality
on, a reader without a token gets another answer (services/web/live/public.py ``audience``),
which the validator includes. For an exact reader they change only with the data version
(shared/storage/data_version.py); for a reader without a token, with the public edition and the
events it lacks (shared/publication/edition.py ``edition_state``): its ETag is the edition's, and
its
``Last-Modified`` the edition's time. Their validator is that version with the route, the
query string, the day (the default year and the years offered move with it) and the version
of the app's own templates and static files.
Checking it is one cheap query: a ``304`` builds nothing. A ``200`` of a JSON route is
kept in memory under its validator, so that the many pollers of one moment share one
build (``as_of`` is then the time of that build, still true for the unchanged figures).

A ``304`` is answered only for a validator this process has answered a ``200`` with:
``If-None-Match: *`` or an ``If-Modified-Since`` in the future must not turn a request
that would be refused (a bad year, an unknown structure) into "not modified".

Caches and browsers may reuse an answer for ``MAX_AGE`` seconds and serve it stale for
``STALE_SECONDS`` more while they ask again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

from services.web.db import read_connection
from services.web.live import public
from shared.publication.edition import EditionState
from shared.storage.data_version import data_version
from shared.times import paris_today

MAX_AGE = 2
STALE_SECONDS = 10
CACHE_CONTROL = f"public, max-age={MAX_AGE}, stale-while-revalidate={STALE_SECONDS}"
# Answers kept by validator: a few per query string polled at once.
KEPT = 256

_WEB = Path(__file__).resolve().parents[1]


@functools.cache
def asset_version() -> str:
    """A digest of the web's templates and static files: a new deployment, new validators."""
    digest = hashlib.sha256()
    files = [*_WEB.glob("templates/*"), *_WEB.glob("*/templates/*"), *_WEB.glob("static/*")]
    for path in sorted(files):
        digest.update(path.relative_to(_WEB).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class _Kept:
    """The validators of the last 200s, with their JSON answers where kept (least recently
    used out first)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._answers: OrderedDict[str, tuple[bytes, str] | None] = OrderedDict()
        self._lock = threading.Lock()

    def known(self, etag: str) -> bool:
        with self._lock:
            return etag in self._answers

    def get(self, etag: str) -> tuple[bytes, str] | None:
        with self._lock:
            answer = self._answers.get(etag)
            if answer is not None:
                self._answers.move_to_end(etag)
            return answer

    def put(self, etag: str, body: bytes | None, content_type: str = "") -> None:
        with self._lock:
            self._answers[etag] = None if body is None else (body, content_type)
            self._answers.move_to_end(etag)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)


def init_app(app: Flask) -> None:
    """The app's asset version and its kept answers."""
    app.extensions["asset_version"] = asset_version()
    app.extensions["kept_answers"] = _Kept(KEPT)


def _validators(pending: bool) -> tuple[str, dt.datetime | None]:
    """This request's validators: from the data version for an exact reader, from the latest
    public edition (and, if the answer shows it, the events it lacks) for a reader without a
    token."""
    if public.exact_reader():
        with read_connection() as connection:
            version = data_version(connection)
        return _etag(version.token), _whole_second(version.last_modified)
    return _edition_validators(public.current_edition(), pending)


def _edition_validators(state: EditionState, pending: bool) -> tuple[str, dt.datetime | None]:
    return _etag(state.token if pending else state.edition_token), _whole_second(state.published_at)


def _whole_second(moment: dt.datetime | None) -> dt.datetime | None:
    # HTTP dates have no fraction: If-Modified-Since compares with the date sent.
    return None if moment is None else moment.replace(microsecond=0)


def _etag(version: str) -> str:
    seed = "\n".join(
        (
            request.path,
            request.query_string.decode("latin-1"),
            # The day in Paris: it decides the default year and the months compared.
            paris_today().isoformat(),
            current_app.extensions["asset_version"],
            version,
            public.audience(),  # statistical confidentiality: one answer per audience
        )
    )
    return 'W/"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


def _not_modified(etag: str, modified: dt.datetime | None) -> bool:
    if not current_app.extensions["kept_answers"].known(etag):
        return False
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag.removeprefix("W/").strip('"'))
    since = request.if_modified_since
    return since is not None and modified is not None and modified <= since


def _headed(response: Response, etag: str, modified: dt.datetime | None) -> Response:
    response.headers["ETag"] = etag
    if modified is not None:
        response.last_modified = modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    return public.keep_audiences_apart(response)


def conditional(
    keep: bool, pending: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A Flask view function answering conditional requests; ``keep``: its 200s are kept by
    validator; ``pending``: its answer shows the pending count (else, for a reader without a
    token, it changes only with the edition, however many events arrive meanwhile)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def answer(*args: Any, **kwargs: Any) -> Any:
            etag, modified = _validators(pending)
            if _not_modified(etag, modified):
                return _headed(Response(status=304), etag, modified)
            kept: _Kept = current_app.extensions["kept_answers"]
            if keep and (found := kept.get(etag)) is not None:
                body, content_type = found
                return _headed(
                    Response(body, headers={"Content-Type": content_type}), etag, modified
                )
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200:
                return response
            served = public.edition_served()
            if served is not None:
                # The answer's own snapshot may hold a newer edition than the check above:
                # its validators are that edition's.
                etag, modified = _edition_validators(served, pending)
            kept.put(etag, response.get_data() if keep else None, response.headers["Content-Type"])
            return _headed(response, etag, modified)

        return answer

    return decorate
