"""The live dashboard's *view* of a year and scope: what the page ``/`` shows.

One view holds everything for its filters (year, region or structure, sort of the
breakdown table): the key figures, the breakdown by region (or by structure within
a region), the twelve months of the scope (a structure's own), its years (trends.py),
and how fresh they are. It is read from the live counters only — one ``figure_counts``
row per cell, never the event log — so it answers in milliseconds. The page renders it,
``/donnees.json`` sends it to the refresh script, ``/export.csv`` writes it as CSV.

Beside each key figure, its change from the same scope's previous year (changes.py): for
the current year, not ended, from January to its last complete month against the same
months of the year before, and the page says so (comparison.py). A rate whose denominator
is zero reads "n.d.", never "0 %"; a label after its value agrees with it ("1 jeune").
A view is built for one *edition* of the dashboard: the public one (``/``), where a reader
without a token sees what ``public.view_for`` lets him — withheld values None, shown as
one mark, ``suppressed`` listing them, sorted as if unknown — or the exact one of the
signed-in (``/chiffres-exacts``, exact.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args
from urllib.parse import urlencode

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.http.errors import ApiError
from services.web.formatting import (
    MONTHS,
    NOT_AVAILABLE,
    WITHHELD,
    alphabetical,
    format_figure,
    format_percent,
    format_time,
    marks_in,
    pending_label,
)
from services.web.live import public
from services.web.live.changes import year_changes
from services.web.live.comparison import comparison
from services.web.live.trends import trends_context
from services.web.parameters import is_structure_id, optional, parse_year
from shared.figures import ACCESS_KEYS, CIVIS_KEYS, YOUTH_KEYS
from shared.pipeline.live import Cell
from shared.publication.labels import LABELS
from shared.regions import REGIONS
from shared.scopes import NATIONAL, Level, scope_key, year_period
from shared.storage.models import Structure
from shared.times import paris_today

Order = Literal["asc", "desc"]
ORDERS: tuple[str, ...] = get_args(Order)

# The three blocks of the report's "Chiffres clés" page: a headline figure, then its details.
BLOCKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Jeunes accompagnés",
        "youths_interviewed",
        tuple(key for key in YOUTH_KEYS if key != "youths_interviewed"),
    ),
    ("Accès à l'emploi ou à la formation", ACCESS_KEYS[0], ACCESS_KEYS[1:]),
    ("CIVIS", CIVIS_KEYS[0], CIVIS_KEYS[1:]),
)
CIVIS_REASONS = BLOCKS[2][2][1:]

# The breakdown and month tables' columns: the figures that fit side by side on a screen.
# The CSV export has every figure.
COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (key, LABELS[key].short)
    for key in (
        "youths_in_contact",
        "youths_first_reception",
        "youths_interviewed",
        "interviews",
        "youths_with_access",
        "access_rate",
        "civis_entries",
        "civis_exits",
    )
)
SORTS: tuple[str, ...] = ("label", *(key for key, _ in COLUMNS))

# French messages of the page's errors, by the code of the ApiError the page shows.
MESSAGES = {
    "invalid_year": "L'année demandée n'est pas valide.",
    "invalid_sort": "Le tri demandé n'est pas valide.",
    "invalid_view": "La vue demandée n'est pas valide.",
    "unknown_region": "Cette région n'existe pas.",
    "unknown_structure": "Cette structure n'est pas dans le répertoire.",
}


@dataclass(frozen=True)
class Edition:
    """One edition of the dashboard: whether it is exact for everyone who may open it, and
    the endpoints of its page, its data call and its CSV export."""

    exact: bool
    page: str
    data: str
    export: str


PUBLIC = Edition(False, "live.index", "live_data.view_json", "live_data.export_csv")
EXACT = Edition(True, "live.exact_index", "live_data.exact_view_json", "live_data.exact_export_csv")

Shown = dict[str, int | float | None]  # a cell's figures as the reader sees them


@dataclass(frozen=True)
class Filters:
    """The page's query parameters, checked: what the URL of a shareable view holds."""

    year: int
    region: str | None
    structure: str | None
    sort: str
    order: Order

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query parameters of this view (with ``changes``), without empty ones."""
        values = {
            "year": self.year,
            "region": self.region,
            "structure": self.structure,
            "sort": None if self.sort == "label" else self.sort,
            "order": None if self.order == "asc" else self.order,
        }
        values.update(changes)
        if values.get("sort") == "label":
            values["sort"] = None
        if values.get("order") == "asc":
            values["order"] = None
        return {key: value for key, value in values.items() if value is not None}


def page_error(code: str, status: int) -> ApiError:
    """The page's error: its status, and its message in French."""
    return ApiError(status, code, MESSAGES[code])


def read_filters() -> Filters:
    """The filters of the current request; an ApiError with a French message if bad.

    The form sends both selects: a structure, the narrower choice, wins over a region.
    """
    try:
        year = parse_year(optional("year"))
    except ApiError:
        raise page_error("invalid_year", 400) from None
    structure = optional("structure")
    if structure and not is_structure_id(structure):
        raise page_error("unknown_structure", 404)
    region = None if structure else optional("region")
    if region and region not in REGIONS:
        raise page_error("unknown_region", 404)
    sort = optional("sort") or "label"
    if sort not in SORTS:
        raise page_error("invalid_sort", 400)
    order = optional("order") or "asc"
    if order not in ORDERS:
        raise page_error("invalid_sort", 400)
    return Filters(
        year=year, region=region, structure=structure, sort=sort, order=cast(Order, order)
    )


def display(values: Shown, mark: str = "—", keys: tuple[str, ...] | None = None) -> dict[str, str]:
    """Every figure (or those ``keys``) formatted the French way; ``mark`` for a withheld one,
    "n.d." for a rate whose denominator is zero."""
    return {
        key: mark if values[key] is None else format_figure(values, key)
        for key in (values if keys is None else keys)
    }


def agreeing_labels(values: Shown) -> dict[str, str]:
    """Each figure's label as printed after its value: "1 jeune en contact", "2 jeunes…"."""
    return {key: LABELS[key].agreeing(value) for key, value in values.items()}


def share_of_exits(values: Shown, mark: str = "—") -> dict[str, str]:
    """Each CIVIS exit reason as a percentage of the exits, as the report shows it; ``mark``
    where the reason or the exits are withheld (the share would give them back); "n.d."
    without exits."""
    exits = values["civis_exits"]
    shares = {}
    for key in CIVIS_REASONS:
        value = values[key]
        if value is None or exits is None:
            shares[key] = mark
        else:
            shares[key] = format_percent(value / exits) if exits else NOT_AVAILABLE
    return shares


def _row(
    key: str, label: str, values: Shown, suppressed: list[str] | None, mark: str, **extra: Any
) -> dict[str, Any]:
    # A table row shows only the COLUMNS figures formatted; every raw figure stays (CSV, charts).
    columns = tuple(column for column, _ in COLUMNS)
    row = {"key": key, "label": label, "figures": values, "display": display(values, mark, columns)}
    if suppressed is not None:
        row["suppressed"] = suppressed
    return {**row, **extra}


def _sorted(rows: list[dict[str, Any]], sort: str, order: Order) -> list[dict[str, Any]]:
    def sort_key(row: dict[str, Any]) -> Any:
        if sort == "label":
            return alphabetical(row["label"])
        value = row["figures"][sort]
        # Withheld values all sort as the smallest, in name order: their order by exact
        # value would tell them apart.
        return (0, 0) if value is None else (1, value)

    # Ties (often zeros) keep the name order, so a sorted table never shuffles.
    rows = sorted(rows, key=lambda row: alphabetical(row["label"]))
    return sorted(rows, key=sort_key, reverse=order == "desc")


def _confidentiality(view: public.View) -> dict[str, Any] | None:
    """The mark of this reader's withheld values and what it means; None: figures exact."""
    if view.withheld is None:
        return None
    k = public.min_count()
    return {
        "min_count": k,
        "mark": WITHHELD,
        "title": public.MARK_TITLE,
        "note": public.MARK_NOTE.format(k=k, mark=WITHHELD),
    }


def _table_marks(rows: list[dict[str, Any]]) -> list[str]:
    """The marks a table's cells use (its legend says what they mean)."""
    return marks_in(text for row in rows for text in row["display"].values())


def _block_marks(
    display: dict[str, str], shares: dict[str, str], changes: dict[str, Any]
) -> list[str]:
    """The marks the key figures use: in their values and shares, and a change withheld
    or not available."""
    states = {"withheld": WITHHELD, "not_available": NOT_AVAILABLE}
    texts = [*display.values(), *shares.values()]
    texts += [states[change["state"]] for change in changes.values() if change["state"] in states]
    return marks_in(texts)


def build_view(
    session: Session, filters: Filters, edition: Edition = PUBLIC, today: dt.date | None = None
) -> dict[str, Any]:
    """Everything the page shows for these filters, from the live counters, as the
    ``edition``'s reader may see it, as of ``today`` (in Paris: what is compared)."""
    # The region the breakdown is read within: the selected one, or the selected structure's.
    level: Level
    if filters.structure:
        selected = session.get(Structure, filters.structure)
        if selected is None:
            raise page_error("unknown_structure", 404)
        region = selected.region
        level, scope_id, label = "structure", filters.structure, selected.name
    elif filters.region:
        region = filters.region
        level, scope_id, label = "region", filters.region, REGIONS[filters.region]
    else:
        region, level, scope_id, label = None, "national", None, "France entière"

    period = year_period(filters.year)
    scope = scope_key(level, scope_id)
    # The months are the scope's own: a structure's months are counted (SPEC §5).
    months = [f"{period}-{month:02d}" for month in range(1, 13)]
    breakdown_scope = scope_key("region", region) if region else NATIONAL
    names: dict[str, str]
    if region:
        names = dict(
            session.execute(
                select(Structure.structure_id, Structure.name).where(Structure.region == region)
            ).all()
        )
        rows_of = [(sid, scope_key("structure", sid)) for sid in sorted(names)]
    else:
        names = REGIONS
        rows_of = [(code, scope_key("region", code)) for code in REGIONS]

    # The breakdown's total is its region's (or the nation's) own cell, read with the rest;
    # the scope's previous year (or both years to date) for the changes: about forty
    # primary-key lookups.
    compared = comparison(filters.year, today or paris_today())
    now_period, before_period = compared.periods()
    now_cell, before_cell = (now_period, scope), (before_period, scope)
    shown_cells = [
        (period, scope),
        now_cell,
        before_cell,
        (period, breakdown_scope),
        *((period, cell) for _, cell in rows_of),
        *((month, scope) for month in months),
    ]
    view = public.view_for(session, shown_cells, exact=edition.exact)
    as_of, pending = view.as_of, view.pending_events
    confidentiality = _confidentiality(view)
    mark = "—" if confidentiality is None else confidentiality["mark"]

    def shown(cell: Cell) -> Shown:
        return view.shown(cell)

    def row(key: str, label: str, cell: Cell, **extra: Any) -> dict[str, Any]:
        return _row(key, label, shown(cell), view.suppressed(cell), mark, **extra)

    figures = shown((period, scope))
    # One url_for, then plain query strings: a region can have ~90 structures to link.
    index_url = url_for(edition.page)
    breakdown_rows = []
    for key, cell in rows_of:
        # A row's link narrows the view to it (a structure replaces the region).
        target = {"structure": key, "region": None} if region else {"region": key}
        breakdown_rows.append(
            row(
                key,
                names[key],
                (period, cell),
                href=f"{index_url}?{urlencode(filters.args(**target))}",
                current=key == scope_id,
            )
        )
    month_rows = [
        row(month, f"{MONTHS[i]} {filters.year}", (month, scope)) for i, month in enumerate(months)
    ]
    within = REGIONS[region] if region else "France entière"
    display_figures = display(figures, mark)
    civis_shares = share_of_exits(figures, mark)
    changes = year_changes(shown(now_cell), shown(before_cell), compared)
    breakdown_total = row("", f"Ensemble — {within}", (period, breakdown_scope))
    document: dict[str, Any] = {
        "year": filters.year,
        # ``region``: the selected region, or the selected structure's (the Région select's).
        "scope": {"level": level, "id": scope_id, "label": label, "region": region},
        "figures": figures,
        "display": display_figures,
        "labels": agreeing_labels(figures),
        "civis_shares": civis_shares,
        "marks": _block_marks(display_figures, civis_shares, changes),
        "pending_events": pending,
        "freshness": pending_label(pending),
        "as_of": as_of.isoformat(timespec="seconds").replace("+00:00", "Z"),
        # The public edition the figures are (their time is as_of); None: the live counters.
        "edition": view.edition,
        "clock": format_time(as_of),
        "breakdown": {
            "by": "structure" if region else "region",
            "within": REGIONS[region] if region else None,
            "sort": filters.sort,
            "order": filters.order,
            "rows": _sorted(breakdown_rows, filters.sort, filters.order),
            "total": breakdown_total,
            "marks": _table_marks([*breakdown_rows, breakdown_total]),
        },
        "months": {"within": label, "rows": month_rows, "marks": _table_marks(month_rows)},
        "previous_year": filters.year - 1,
        # The current year, not ended: provisional ("à date"), compared on complete months.
        "comparison": {
            "in_progress": compared.in_progress,
            "through": compared.through,
            "sentence": compared.sentence,
        },
        "changes": changes,
        "trends": trends_context(
            session, level, scope_id, filters.year, exact=edition.exact, today=compared.today
        ),
        "confidentiality": confidentiality,
    }
    suppressed = view.suppressed((period, scope))
    if suppressed is not None:
        document["suppressed"] = suppressed
    return document


def edition_view(session: Session, filters: Filters, edition: Edition = PUBLIC) -> dict[str, Any]:
    """``build_view``, kept per public edition for the readers without a token (the pollers of
    one edition share one build), with this request's count of the events not in it."""
    document = public.for_edition(
        session,
        ("view", filters, edition.page),
        lambda: build_view(session, filters, edition),
        exact=edition.exact,
    )
    state = public.edition_served()
    if edition.exact or state is None:
        return document
    pending = state.pending_events
    return {**document, "pending_events": pending, "freshness": pending_label(pending)}
