"""The frame every page shares (templates/base.html): its filters and embedded data."""

from __future__ import annotations

from typing import Any

import msgspec
from flask import Flask
from markupsafe import Markup

from services.web.formatting import (
    format_euros,
    format_number,
    format_percent,
    format_time,
    pending_label,
)


def init_app(app: Flask) -> None:
    """The French formatting filters of the templates."""
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(format_time, "clock")
    app.add_template_filter(pending_label, "pending")
    app.add_template_filter(format_euros, "euros")


def json_script(value: Any) -> Markup:
    """JSON to embed in a ``<script type="application/json">``, safe against ``</script>``."""
    text = msgspec.json.encode(value).decode()
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
