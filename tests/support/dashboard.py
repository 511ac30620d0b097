"""What the dashboard page (``/``, ``/chiffres-exacts``) shows, read back from its HTML: the
key figures, the CIVIS shares, the changes from the previous year and the tables' cells, each
with whether it is a withheld value's mark (``<abbr class="withheld">``)."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from typing import NamedTuple

from flask.testing import FlaskClient


class Shown(NamedTuple):
    """One value as the page shows it."""

    text: str
    withheld: bool  # shown as the mark of a withheld value, in its <abbr>


class Dashboard(NamedTuple):
    figures: dict[str, Shown]
    shares: dict[str, Shown]
    changes: dict[str, str]
    # Per table (breakdown, breakdown-total, months): each row's heading and cells.
    rows: dict[str, list[tuple[str, list[Shown]]]]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: dict[str, Shown] = {}
        self.shares: dict[str, Shown] = {}
        self.changes: dict[str, str] = {}
        self.rows: dict[str, list[tuple[str, list[Shown]]]] = {}
        self._table: str | None = None
        self._change: str | None = None
        # What is being read: (where it goes, its key), the open tags within it, its text.
        self._target: tuple[str, str] | None = None
        self._depth = 0
        self._text: list[str] = []
        self._withheld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if self._target is not None:
            self._depth += 1
            if tag == "abbr" and "withheld" in classes:
                self._withheld = True
            return
        if tag in ("tbody", "tfoot") and attributes.get("data-rows"):
            self._table = attributes["data-rows"]
            self.rows[self._table] = []
        elif tag == "tr" and self._table:
            self.rows[self._table].append(("", []))
        elif tag in ("th", "td") and self._table:
            self._start(("cell", tag))
        elif tag == "span" and attributes.get("data-figure"):
            self._start(("figure", attributes["data-figure"] or ""))
        elif tag == "span" and attributes.get("data-share"):
            self._start(("share", attributes["data-share"] or ""))
        elif tag == "span" and attributes.get("data-change"):
            self._change = attributes["data-change"]
        elif tag == "span" and "change-text" in classes and self._change:
            self._start(("change", self._change))

    def _start(self, target: tuple[str, str]) -> None:
        self._target, self._depth, self._text, self._withheld = target, 1, [], False

    def handle_data(self, data: str) -> None:
        if self._target is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._target is None:
            if tag in ("tbody", "tfoot"):
                self._table = None
            return
        self._depth -= 1
        if self._depth:
            return
        (kind, key), self._target = self._target, None
        # The template's line breaks and indentation, not the no-break spaces of numbers.
        text = re.sub(r"[ \t\r\n]+", " ", "".join(self._text)).strip()
        shown = Shown(text, self._withheld)
        if kind == "figure":
            self.figures[key] = shown
        elif kind == "share":
            self.shares[key] = shown
        elif kind == "change":
            self.changes[key] = shown.text
            self._change = None
        elif self._table:
            _, cells = self.rows[self._table][-1]
            if key == "th":
                self.rows[self._table][-1] = (shown.text, cells)
            else:
                cells.append(shown)


def read_dashboard(html: str) -> Dashboard:
    """The values a dashboard page shows."""
    reader = _Reader()
    reader.feed(html)
    return Dashboard(reader.figures, reader.shares, reader.changes, reader.rows)


def csv_table(client: FlaskClient, url: str) -> list[list[str]]:
    """The rows of a CSV export (``;``, UTF-8 with its byte-order mark), checked to be a 200."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
