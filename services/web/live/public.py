"""What a reader without a token sees of the live figures: statistical confidentiality
(``shared/confidentiality.py``) applied to the answers.

With ``BILAN_PUBLIC_MIN_COUNT`` at 0 (the default), or for a caller with a token of any
role, figures are exact and answers unchanged. Otherwise a figures object may hold nulls,
and ``suppressed`` beside it lists their keys (present — empty if nothing is withheld —
exactly when the rule applies). A header that names no valid token is a 401, as anywhere.
The pages show every withheld value with one mark (``formatting.WITHHELD``, "s") and say
what it means (``MARK_TITLE``, ``MARK_NOTE``); the signed-in read them exact at
``/chiffres-exacts`` (``exact.py``).

Which values a cell withholds is decided over its whole component — its region's
structures, or its year's months, read here from ``figure_counts`` — never by the answer
that shows it, so that two answers showing one cell show it alike. ``view_for`` is what
every answer, page and CSV export asks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import msgspec
from flask import Response, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.web.http import authenticated
from services.web.live.schemas import PublishedFigures, figures_of
from shared.confidentiality import Cell, Component, months, structures, withhold
from shared.figures import COUNTED, FIGURE_KEYS
from shared.live import read_cells
from shared.models import Structure
from shared.regions import REGIONS
from shared.scopes import NATIONAL, scope_key

_ORDER = {key: i for i, key in enumerate(FIGURE_KEYS)}
_REGION_SCOPES = tuple(scope_key("region", code) for code in REGIONS)

# What the mark means, on the pages and in the CSV exports: one wording for every withheld
# value, whichever the reason (shared/confidentiality.py: readers must not tell them apart),
# and no bound claimed ("< 5" would be false of a value withheld to protect another).
MARK_TITLE = "Secret statistique : valeur non publiée"
MARK_NOTE = (
    "« {mark} » : secret statistique — valeur non publiée parce qu'elle porte sur moins de "
    "{k} jeunes ou permettrait d'en retrouver une par différence. Les taux, les parts et les "
    "évolutions calculés à partir d'une telle valeur portent la même marque. Les chiffres de "
    "l'année pour la France entière et pour chaque région sont toujours publiés."
)


@dataclass(frozen=True)
class View:
    """The keys withheld per cell for this reader; ``withheld`` None: everything exact."""

    withheld: Mapping[Cell, frozenset[str]] | None

    def suppressed(self, cell: Cell) -> list[str] | None:
        """The keys of ``cell`` withheld from this reader, in FIGURE_KEYS order; None: exact."""
        if self.withheld is None:
            return None
        return sorted(self.withheld.get(cell, frozenset()), key=_ORDER.__getitem__)

    def shown(self, cell: Cell, values: Mapping[str, int | float]) -> dict[str, int | float | None]:
        """A cell's figures (every key of FIGURE_KEYS) as this reader may see them: None where
        withheld."""
        hidden = self.suppressed(cell) or ()
        return {key: None if key in hidden else values[key] for key in FIGURE_KEYS}

    def published(
        self, cell: Cell, values: Mapping[str, int | float]
    ) -> tuple[PublishedFigures, list[str] | msgspec.UnsetType]:  # type: ignore[valid-type]
        """A cell's figures as this reader may see them, and what is withheld."""
        hidden = self.suppressed(cell)
        return figures_of(self.shown(cell, values)), msgspec.UNSET if hidden is None else hidden


EXACT = View(None)


def min_count() -> int:
    """The threshold for readers without a token (0: off)."""
    return int(current_app.config["SETTINGS"].public_min_count)


def exact_reader() -> bool:
    """Whether this request sees exact figures: the rule off, or a valid token (else 401)."""
    if min_count() <= 0:
        return True
    if request.headers.get("Authorization") is None:
        return False
    authenticated()  # any role reads exactly; an invalid token is refused, not downgraded
    return True


def reader_view() -> str:
    """The view this request's answers are built for — part of their validators, so that
    an answer kept for one reader is never sent to another: "exact", or "public-k"."""
    return "exact" if exact_reader() else f"public-{min_count()}"


def keep_views_apart(response: Response) -> Response:
    """With the rule on, answers depend on the Authorization header: caches must key by it
    (Vary), and a shared cache must not store an exact answer (private)."""
    if min_count() > 0:
        response.vary.add("Authorization")
        if request.headers.get("Authorization") is not None:
            control = response.headers.get("Cache-Control", "")
            response.headers["Cache-Control"] = control.replace("public", "private")
    return response


def view_for(session: Session, cells: Iterable[Cell]) -> View:
    """What this request may see of ``cells`` ((period, scope) pairs of figure_counts)."""
    if exact_reader():
        return EXACT
    threshold = min_count()
    cells = list(cells)
    withheld: dict[Cell, frozenset[str]] = {}
    # Months: each year's months together (the year cells are public).
    for year in sorted({period[:4] for period, _ in cells if len(period) == 7}):
        periods = [f"{year}-{month:02d}" for month in range(1, 13)]
        values = read_cells(session, [year, *periods], [NATIONAL, *_REGION_SCOPES])
        withheld.update(_months_withheld(year, _frozen(values), threshold))
    # Structures: each (year, region) together (the region's year cell is public).
    ids = {scope.partition(":")[2] for _, scope in cells if scope.startswith("structure:")}
    regions = _regions_of(session, ids) if ids else {}
    wanted = {
        (period, regions[scope.partition(":")[2]])
        for period, scope in cells
        if scope.startswith("structure:") and scope.partition(":")[2] in regions
    }
    for period, region in sorted(wanted):
        members = session.scalars(
            select(Structure.structure_id)
            .where(Structure.region == region)
            .order_by(Structure.structure_id)
        ).all()
        total = scope_key("region", region)
        scopes = tuple(scope_key("structure", sid) for sid in members)
        values = read_cells(session, [period], [total, *scopes])
        withheld.update(_structures_withheld(period, total, scopes, _frozen(values), threshold))
    return View(withheld)


def _regions_of(session: Session, structure_ids: Iterable[str]) -> dict[str, str]:
    rows = session.execute(
        select(Structure.structure_id, Structure.region).where(
            Structure.structure_id.in_(list(structure_ids))
        )
    )
    return {structure_id: region for structure_id, region in rows}


# The cells' COUNTED values, hashable: a component is withheld once for the same values (a
# dashboard polls the same figures every few seconds).
Frozen = tuple[tuple[Cell, tuple[int, ...]], ...]


def _frozen(values: Mapping[Cell, Mapping[str, int | float]]) -> Frozen:
    return tuple(
        sorted(
            (cell, tuple(int(figures[key]) for key in COUNTED)) for cell, figures in values.items()
        )
    )


def _thawed(frozen: Frozen) -> dict[Cell, dict[str, int]]:
    return {cell: dict(zip(COUNTED, figures, strict=True)) for cell, figures in frozen}


def _keys(component: Component, threshold: int) -> dict[Cell, frozenset[str]]:
    result = withhold(component, threshold)
    return {cell: result.keys(cell) for cell in component.protected if result.keys(cell)}


@functools.lru_cache(maxsize=64)
def _months_withheld(year: str, frozen: Frozen, threshold: int) -> dict[Cell, frozenset[str]]:
    periods = [f"{year}-{month:02d}" for month in range(1, 13)]
    return _keys(months(year, periods, _REGION_SCOPES, _thawed(frozen)), threshold)


@functools.lru_cache(maxsize=512)
def _structures_withheld(
    period: str, total: str, scopes: tuple[str, ...], frozen: Frozen, threshold: int
) -> dict[Cell, frozenset[str]]:
    members = [(period, scope) for scope in scopes]
    component = structures((period, total), members, _thawed(frozen))
    return _keys(component, threshold)
