"""The frame every page shares (templates/base.html): its menu, filters and embedded data.

The header menu is ``app.config["NAV"]``: each feature appends its entries (``add_nav``)
with the roles that see them — none for the public pages. On a signed-in page the server
knows the role and shows its entries; a public page is the same for everyone (it never
sees the sign-in cookie, and stays cacheable), so its role entries are rendered hidden
with their roles in ``data-roles``, and static/nav.js shows them to the browser that
signed in (it remembers the role, never a secret).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from flask import Flask, current_app, request, url_for
from markupsafe import Markup

from services.web.formatting import (
    format_count,
    format_date,
    format_datetime,
    format_euros,
    format_number,
    format_percent,
    format_time,
    pending_label,
)
from shared.publication.labels import plural_form


@dataclass(frozen=True)
class NavEntry:
    """One entry of the header menu: its page, its label, the roles it is shown to."""

    endpoint: str
    label: str
    roles: tuple[str, ...] = ()  # empty: everyone


def add_nav(app: Flask, *entries: NavEntry) -> None:
    """Append a feature's entries to the header menu."""
    app.config.setdefault("NAV", []).extend(entries)


def nav_for(role: str | None) -> list[dict[str, Any]]:
    """The menu's entries for a page: href, label, roles, whether shown, ``aria-current``."""
    entries = []
    for entry in current_app.config.get("NAV", []):
        href = url_for(entry.endpoint)
        if request.path == href:
            current = "page"
        elif href != "/" and request.path.startswith(href + "/"):
            current = "true"  # a page of that section
        else:
            current = None
        entries.append(
            {
                "href": href,
                "label": entry.label,
                "roles": " ".join(entry.roles),
                "shown": not entry.roles or role in entry.roles,
                "current": current,
            }
        )
    return entries


def init_app(app: Flask) -> None:
    """The French formatting filters of the templates, and the menu."""
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_count, "count")
    app.add_template_filter(plural_form, "agree")  # the word alone, its number shown apart
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(format_time, "clock")
    app.add_template_filter(format_datetime, "paris")
    app.add_template_filter(format_date, "day")
    app.add_template_filter(pending_label, "pending")
    app.add_template_filter(format_euros, "euros")
    app.add_template_global(nav_for)
    add_nav(app, NavEntry("live.index", "Chiffres clés"))


def json_script(value: Any) -> Markup:
    """JSON to embed in a ``<script type="application/json">``, safe against ``</script>``."""
    text = msgspec.json.encode(value).decode()
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
