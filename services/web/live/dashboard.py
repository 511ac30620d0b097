"""The live dashboard's document: what the page ``/`` shows for a year and scope (``Dashboard``).

One document holds everything for its filters (filters.py: year, region or structure, sort of
the breakdown table): the key figures, the breakdown by region (or by structure within a
region) and the twelve months of the scope (tables.py), its years (trends.py), who its
youths are (profiles.py), and how fresh they are. It is read from the live counters only —
one ``figure_counts`` row per cell, ``profile_counts`` rows for the profiles, never the event
log — so it answers in milliseconds. It is built here, in one place
(``build_dashboard``); the page renders it (index.html reads its attributes), ``/donnees.json``
sends it, encoded by msgspec, to the refresh script (static/dashboard.js reads the same names),
``/export.csv`` writes its tables as CSV (data.py). A new part of the page is a new field of
``Dashboard``, typed by a struct of its own, built beside its peers in ``build_dashboard``.

Beside each key figure, its change from the same scope's previous year (changes.py): for
the current year, not ended, from January to its last complete month against the same
months of the year before, and the page says so (comparison.py). A rate whose denominator
is zero reads "n.d.", never "0 %"; a label after its value agrees with it ("1 jeune").
A document is built for one *edition* of the dashboard: the public one (``/``), where a reader
without a token sees what ``public.reading_for`` lets him — withheld values None, shown as
one mark, ``suppressed`` listing them, sorted as if unknown — or the exact one of the
signed-in (``/chiffres-exacts``, exact.py).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import msgspec
from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.web.formatting import (
    MONTHS,
    NOT_AVAILABLE,
    WITHHELD,
    format_percent,
    format_time,
    marks_in,
    pending_label,
)
from services.web.live import public
from services.web.live.changes import YearChange, year_changes
from services.web.live.comparison import comparison
from services.web.live.filters import PUBLIC, Edition, Filters, page_error
from services.web.live.profiles import Profiles, profiles_context
from services.web.live.tables import (
    Breakdown,
    BreakdownRow,
    Months,
    Shown,
    Suppressed,
    breakdown_row,
    display,
    row,
    sorted_rows,
    table_marks,
)
from services.web.live.trends import Trends, trends_context
from shared.figures import ACCESS_KEYS, CIVIS_KEYS, YOUTH_KEYS
from shared.publication.labels import LABELS
from shared.regions import REGIONS
from shared.scopes import NATIONAL, Cell, Level, month_periods, scope_key, year_period
from shared.storage.models.registry import Structure
from shared.times import paris_today

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


class DashboardScope(msgspec.Struct, frozen=True):
    """What the figures cover: the nation, a region or a structure, and its name; ``region``
    the selected region, or the selected structure's (the Région select's)."""

    level: Level
    id: str | None
    label: str
    region: str | None


class YearComparison(msgspec.Struct, frozen=True):
    """The current year, not ended: provisional ("à date"), compared on complete months
    (``through``, comparison.py); ``sentence`` says so (None for a year that has ended)."""

    in_progress: bool
    through: int | None
    sentence: str | None


class Confidentiality(msgspec.Struct, frozen=True):
    """The mark of a reader's withheld values and what it means (public.py)."""

    min_count: int
    mark: str
    title: str
    note: str


class Dashboard(msgspec.Struct, frozen=True, kw_only=True):
    """The dashboard of a year and scope, as one reader may see it: its fields, in this order,
    are ``/donnees.json``'s keys. Figure-keyed maps (``figures``, ``display``, ``labels``,
    ``civis_shares``, ``changes``) hold every key of FIGURE_KEYS (the shares: CIVIS_REASONS)."""

    year: int
    scope: DashboardScope
    figures: Shown
    display: dict[str, str]  # the figures formatted the French way, the mark where withheld
    labels: dict[str, str]  # each figure's label, agreeing with its value ("1 jeune")
    civis_shares: dict[str, str]  # each CIVIS exit reason's share of the exits
    marks: list[str]  # the marks the key figures use, for their legend
    pending_events: int
    freshness: str  # pending_events in words
    as_of: str  # when the figures were read (or their public edition published), UTC
    edition: int | None  # the public edition the figures are; None: the live counters
    clock: str  # as_of in Paris, as the page prints it
    breakdown: Breakdown
    months: Months
    previous_year: int
    comparison: YearComparison
    changes: dict[str, YearChange]
    trends: Trends
    profiles: Profiles  # who the youths are: by sex, age band and education level
    confidentiality: Confidentiality | None  # None: the figures are exact
    suppressed: Suppressed = msgspec.UNSET  # the scope's keys withheld; UNSET: exact

    def withholds(self, key: str) -> bool:
        """Whether the scope's figure ``key`` is withheld from the reader."""
        return isinstance(self.suppressed, list) and key in self.suppressed


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


def _confidentiality(reading: public.Reading) -> Confidentiality | None:
    """The mark of this reader's withheld values and what it means; None: figures exact."""
    if reading.withheld is None:
        return None
    k = public.min_count()
    return Confidentiality(
        min_count=k,
        mark=WITHHELD,
        title=public.MARK_TITLE,
        note=public.MARK_NOTE.format(k=k, mark=WITHHELD),
    )


def _block_marks(
    texts: dict[str, str], shares: dict[str, str], changes: dict[str, YearChange]
) -> list[str]:
    """The marks the key figures use: in their values and shares, and a change withheld
    or not available."""
    states = {"withheld": WITHHELD, "not_available": NOT_AVAILABLE}
    found = [*texts.values(), *shares.values()]
    found += [states[change.state] for change in changes.values() if change.state in states]
    return marks_in(found)


def build_dashboard(
    session: Session, filters: Filters, edition: Edition = PUBLIC, today: dt.date | None = None
) -> Dashboard:
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
    months = month_periods(filters.year)
    breakdown_scope = scope_key("region", region) if region else NATIONAL
    names: dict[str, str]
    if region:
        names = {
            sid: name
            for sid, name in session.execute(
                select(Structure.structure_id, Structure.name).where(Structure.region == region)
            )
        }
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
    reading = public.reading_for(session, shown_cells, exact=edition.exact)
    as_of, pending = reading.as_of, reading.pending_events
    confidentiality = _confidentiality(reading)
    mark = "—" if confidentiality is None else confidentiality.mark

    def shown(cell: Cell) -> Shown:
        return reading.shown(cell)

    figures = shown((period, scope))
    # One url_for, then plain query strings: a region can have ~90 structures to link.
    index_url = url_for(edition.page)
    breakdown_rows: list[BreakdownRow] = []
    for key, cell in rows_of:
        # A row's link narrows the dashboard to it (a structure replaces the region).
        target = {"structure": key, "region": None} if region else {"region": key}
        breakdown_rows.append(
            breakdown_row(
                key,
                names[key],
                shown((period, cell)),
                reading.suppressed((period, cell)),
                mark,
                href=f"{index_url}?{urlencode(filters.args(**target))}",
                current=key == scope_id,
            )
        )
    month_rows = [
        row(
            month,
            f"{MONTHS[i]} {filters.year}",
            shown((month, scope)),
            reading.suppressed((month, scope)),
            mark,
        )
        for i, month in enumerate(months)
    ]
    within = REGIONS[region] if region else "France entière"
    texts = display(figures, mark)
    civis_shares = share_of_exits(figures, mark)
    changes = year_changes(shown(now_cell), shown(before_cell), compared)
    total_cell = (period, breakdown_scope)
    total = row("", f"Ensemble — {within}", shown(total_cell), reading.suppressed(total_cell), mark)
    suppressed = reading.suppressed((period, scope))
    return Dashboard(
        year=filters.year,
        scope=DashboardScope(level=level, id=scope_id, label=label, region=region),
        figures=figures,
        display=texts,
        labels=agreeing_labels(figures),
        civis_shares=civis_shares,
        marks=_block_marks(texts, civis_shares, changes),
        pending_events=pending,
        freshness=pending_label(pending),
        as_of=as_of.isoformat(timespec="seconds").replace("+00:00", "Z"),
        edition=reading.edition,
        clock=format_time(as_of),
        breakdown=Breakdown(
            by="structure" if region else "region",
            within=REGIONS[region] if region else None,
            sort=filters.sort,
            order=filters.order,
            rows=sorted_rows(breakdown_rows, filters.sort, filters.order),
            total=total,
            marks=table_marks([*breakdown_rows, total]),
        ),
        months=Months(within=label, rows=month_rows, marks=table_marks(month_rows)),
        previous_year=filters.year - 1,
        comparison=YearComparison(
            in_progress=compared.in_progress,
            through=compared.through,
            sentence=compared.sentence,
        ),
        changes=changes,
        trends=trends_context(
            session, level, scope_id, filters.year, exact=edition.exact, today=compared.today
        ),
        profiles=profiles_context(session, filters.year, level, scope_id, exact=edition.exact),
        confidentiality=confidentiality,
        suppressed=msgspec.UNSET if suppressed is None else suppressed,
    )


def dashboard_for(session: Session, filters: Filters, edition: Edition = PUBLIC) -> Dashboard:
    """``build_dashboard``, kept per public edition for the readers without a token (the
    pollers of one edition share one build), with this request's count of the events not in
    it."""
    dashboard = public.for_edition(
        session,
        ("dashboard", filters, edition.page),
        lambda: build_dashboard(session, filters, edition),
        exact=edition.exact,
    )
    state = public.edition_served()
    if edition.exact or state is None:
        return dashboard
    pending = state.pending_events
    return msgspec.structs.replace(
        dashboard, pending_events=pending, freshness=pending_label(pending)
    )
