"""The cells of the public edition in the database (shared/publication/edition.py): which cells an
edition holds, their withheld keys as the bits ``published_cells.withheld`` stores, the live
cells a publication reads, and the rows it writes — only those whose values or withheld keys
differ from the published ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from shared.figures import COUNTED, FIGURE_KEYS
from shared.pipeline.live import cells_where
from shared.scopes import NATIONAL, Cell
from shared.storage.bulk import SQLITE_CHUNK
from shared.storage.db import upsert
from shared.storage.models.base import table_of
from shared.storage.models.counters import FigureCounts
from shared.storage.models.publication import PublishedCell

_BIT = {key: 1 << i for i, key in enumerate(FIGURE_KEYS)}
_FIGURES = table_of(FigureCounts)
_CHUNK = 500  # periods per statement
_PUBLISHED = table_of(PublishedCell)


def published_kind(cell: Cell) -> bool:
    """Whether an edition holds this kind of cell: a year of the nation, a region or a
    structure; a month, or a month's increment of the year to date, of the nation or a
    region."""
    period, scope = cell
    if len(period) == 4:
        return scope == NATIONAL or scope.startswith(("region:", "structure:"))
    if len(period) == 7 and period[4] in "-+":
        return scope == NATIONAL or scope.startswith("region:")
    return False


def mask_of(keys: Iterable[str]) -> int:
    """Withheld keys as the bits ``published_cells.withheld`` stores."""
    return sum(_BIT[key] for key in set(keys))


def keys_of(mask: int) -> frozenset[str]:
    """The withheld keys of a stored mask."""
    return frozenset(key for key, bit in _BIT.items() if mask & bit)


def read_published(
    session: Session, cells: Iterable[Cell]
) -> dict[Cell, tuple[dict[str, int], frozenset[str]]]:
    """The published values and withheld keys of those of ``cells`` the edition has a row for."""
    columns = (_PUBLISHED.c.period, _PUBLISHED.c.scope, _PUBLISHED.c.withheld)
    statement = select(*columns, *(_PUBLISHED.c[key] for key in COUNTED))
    return {
        (row[0], row[1]): (_counted(row[3:]), keys_of(row[2]))
        for row in session.execute(statement.where(cells_where(_PUBLISHED, cells)))
    }


def _counted(row: Sequence[Any]) -> dict[str, int]:
    return {key: int(value) for key, value in zip(COUNTED, row, strict=True)}


def changed_cells(session: Session) -> dict[Cell, dict[str, int]]:
    """The live cells of the published kinds whose values the edition does not have."""
    join = _FIGURES.outerjoin(
        _PUBLISHED,
        (_PUBLISHED.c.period == _FIGURES.c.period) & (_PUBLISHED.c.scope == _FIGURES.c.scope),
    )
    differs = or_(
        _PUBLISHED.c.period.is_(None), *(_PUBLISHED.c[key] != _FIGURES.c[key] for key in COUNTED)
    )
    rows = session.execute(
        select(_FIGURES.c.period, _FIGURES.c.scope, *(_FIGURES.c[key] for key in COUNTED))
        .select_from(join)
        .where(differs)
    )
    return {(row[0], row[1]): _counted(row[2:]) for row in rows if published_kind((row[0], row[1]))}


def read_live_cells(session: Session, periods: Sequence[str]) -> dict[Cell, dict[str, int]]:
    """The live cells of the published kinds of these periods (COUNTED values)."""
    found: dict[Cell, dict[str, int]] = {}
    for start in range(0, len(periods), _CHUNK):
        rows = session.execute(
            select(
                _FIGURES.c.period, _FIGURES.c.scope, *(_FIGURES.c[key] for key in COUNTED)
            ).where(_FIGURES.c.period.in_(list(periods[start : start + _CHUNK])))
        )
        for row in rows:
            if published_kind((row[0], row[1])):
                found[(row[0], row[1])] = _counted(row[2:])
    return found


def write_cells(
    session: Session,
    edition: int,
    masks: Mapping[Cell, int],
    values: Mapping[Cell, Mapping[str, int]],
) -> int:
    """Write the cells whose values or withheld keys differ from the published ones."""
    zero = dict.fromkeys(COUNTED, 0)
    periods = sorted({period for period, _ in masks})
    published = _read_published_rows(session, periods)
    rows = []
    for cell in sorted(masks):
        counted = values.get(cell, zero)
        new = (tuple(counted[key] for key in COUNTED), masks[cell])
        if published.get(cell) == new:
            continue
        rows.append(
            {
                "period": cell[0],
                "scope": cell[1],
                "withheld": masks[cell],
                "edition": edition,
                **{key: counted[key] for key in COUNTED},
            }
        )
    replace_rows(session, _PUBLISHED, ("period", "scope"), rows)
    return len(rows)


def replace_rows(
    session: Session, table: Table, key: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Write ``rows`` of an edition's table (published cells or profile cells), each replacing
    the row of its ``key``: its withheld keys, its edition and its values."""
    if not rows:
        return
    insert = upsert(session, table)
    statement = insert.on_conflict_do_update(
        index_elements=list(key),
        set_={column: insert.excluded[column] for column in ("withheld", "edition", *COUNTED)},
    )
    for start in range(0, len(rows), SQLITE_CHUNK):
        session.execute(statement, rows[start : start + SQLITE_CHUNK])


def _read_published_rows(
    session: Session, periods: Sequence[str]
) -> dict[Cell, tuple[tuple[int, ...], int]]:
    found: dict[Cell, tuple[tuple[int, ...], int]] = {}
    columns = (_PUBLISHED.c.period, _PUBLISHED.c.scope, _PUBLISHED.c.withheld)
    for start in range(0, len(periods), _CHUNK):
        rows = session.execute(
            select(*columns, *(_PUBLISHED.c[key] for key in COUNTED)).where(
                _PUBLISHED.c.period.in_(list(periods[start : start + _CHUNK]))
            )
        )
        for row in rows:
            found[(row[0], row[1])] = (tuple(int(v) for v in row[3:]), int(row[2]))
    return found
