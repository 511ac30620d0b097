"""The profile cells of the public edition in the database (shared/publication/edition.py): the
nation's and the regions' profile cells (SPEC §4.2) as the confidentiality's tables name them,
the live ones a publication reads, the rows it writes — only those whose values or withheld
keys differ from the published ones — and what an answer reads back.

In a profile table (shared/publication/components.py ``profiles``) a cell is (column, scope),
its column the year, dimension and category together (``column_of``): the year cell of the
scope, (year, scope), is the row's total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from shared.figures import COUNTED
from shared.publication.published_cells import keys_of, replace_rows
from shared.scopes import NATIONAL, Cell
from shared.storage.models.base import table_of
from shared.storage.models.profiles import ProfileCounts
from shared.storage.models.publication import PublishedProfileCell

_LIVE = table_of(ProfileCounts)
_PUBLISHED = table_of(PublishedProfileCell)
_KEY = ("year", "scope", "dimension", "category")
ProfileKey = tuple[int, str, str, str]  # (year, scope, dimension, category)
# The nation and the regions: a structure's profile cells are not in the edition.
_IN_EDITION = or_(_LIVE.c.scope == NATIONAL, _LIVE.c.scope.like("region:%"))


def column_of(year: int | str, dimension: str, category: str) -> str:
    """A profile cell's column in its year's table of ``dimension``."""
    return f"{year}/{dimension}/{category}"


def _key_of(cell: Cell) -> ProfileKey:
    year, dimension, category = cell[0].split("/")
    return (int(year), cell[1], dimension, category)


def changed_profile_years(session: Session) -> set[str]:
    """The years with a live profile cell of the nation or a region whose values the edition
    does not have."""
    join = _LIVE.outerjoin(_PUBLISHED, and_(*(_PUBLISHED.c[k] == _LIVE.c[k] for k in _KEY)))
    differs = or_(
        _PUBLISHED.c.year.is_(None), *(_PUBLISHED.c[key] != _LIVE.c[key] for key in COUNTED)
    )
    rows = session.execute(
        select(_LIVE.c.year).distinct().select_from(join).where(differs, _IN_EDITION)
    )
    return {str(row[0]) for row in rows}


def read_live_profiles(session: Session, years: Iterable[str]) -> dict[Cell, dict[str, int]]:
    """The live profile cells of the nation and the regions in ``years``, as table cells
    (``column_of``); a category without youths has no row (its values are zeros)."""
    wanted = sorted({int(year) for year in years})
    if not wanted:
        return {}
    rows = session.execute(
        select(*(_LIVE.c[k] for k in _KEY), *(_LIVE.c[key] for key in COUNTED)).where(
            _LIVE.c.year.in_(wanted), _IN_EDITION
        )
    )
    return {
        (column_of(row[0], row[2], row[3]), row[1]): {
            key: int(value) for key, value in zip(COUNTED, row[4:], strict=True)
        }
        for row in rows
    }


def write_profile_cells(
    session: Session,
    edition: int,
    masks: Mapping[Cell, int],
    values: Mapping[Cell, Mapping[str, int]],
) -> int:
    """Write the profile cells (table cells, ``masks`` their withheld bits) whose values or
    withheld keys differ from the published ones."""
    zero = dict.fromkeys(COUNTED, 0)
    years = sorted({_key_of(cell)[0] for cell in masks})
    published: dict[ProfileKey, tuple[tuple[int, ...], int]] = {}
    if years:
        rows = session.execute(
            select(
                *(_PUBLISHED.c[k] for k in _KEY),
                _PUBLISHED.c.withheld,
                *(_PUBLISHED.c[key] for key in COUNTED),
            ).where(_PUBLISHED.c.year.in_(years))
        )
        for row in rows:
            published[(row[0], row[1], row[2], row[3])] = (
                tuple(int(v) for v in row[5:]),
                int(row[4]),
            )
    written: list[dict[str, int | str]] = []
    for cell in sorted(masks):
        key = _key_of(cell)
        counted = values.get(cell, zero)
        new = (tuple(counted[k] for k in COUNTED), masks[cell])
        if published.get(key) == new:
            continue
        written.append(
            {
                "year": key[0],
                "scope": key[1],
                "dimension": key[2],
                "category": key[3],
                "withheld": masks[cell],
                "edition": edition,
                **{k: counted[k] for k in COUNTED},
            }
        )
    replace_rows(session, _PUBLISHED, _KEY, written)
    return len(written)


def read_published_profiles(
    session: Session, year: int, scope: str, dimension: str
) -> dict[str, tuple[dict[str, int], frozenset[str]]]:
    """The published values and withheld keys of a (year, scope)'s categories of
    ``dimension`` that the edition has a row for (a category without youths may have none:
    its values are zeros, published)."""
    rows = session.execute(
        select(
            _PUBLISHED.c.category,
            _PUBLISHED.c.withheld,
            *(_PUBLISHED.c[key] for key in COUNTED),
        ).where(
            _PUBLISHED.c.year == year,
            _PUBLISHED.c.scope == scope,
            _PUBLISHED.c.dimension == dimension,
        )
    )
    return {
        row[0]: ({k: int(v) for k, v in zip(COUNTED, row[2:], strict=True)}, keys_of(row[1]))
        for row in rows
    }
