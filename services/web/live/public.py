"""What a reader sees of the live figures: exact for a token's holder or with the rule off,
else the published anonymous edition (statistical confidentiality,
``shared/publication/edition.py``).

With ``BILAN_PUBLIC_MIN_COUNT`` at 0 (the default), or for a caller with a token of any
role, figures are the live counters, exact, and answers unchanged. Otherwise they are those of
the latest edition the workers published — its values, the keys it withholds (a figures object
may hold nulls, and ``suppressed`` beside it lists their keys, present exactly when the rule
applies), its time as ``as_of`` and the events it lacks as ``pending_events`` — read by primary
key: nothing is withheld per request. A header that names no valid token is a 401, as anywhere.
The pages show every withheld value with one mark (``formatting.WITHHELD``, "s") and say what it
means (``MARK_TITLE``, ``MARK_NOTE``); the signed-in read them exact at ``/chiffres-exacts``
(``exact.py``).

``reading_for`` is what every answer, page and CSV export asks, for the cells it shows: a
``Reading`` of them — their values, what is withheld and how fresh it is, all from one snapshot
(the answer's session, ``services/web/db.snapshot_session``). A cell of a kind the edition does
not hold is withheld whole from readers without a token; ``profile_reading`` is the same for
the profile rows. Before the first edition (workers not
started yet) the web publishes one itself (``first_edition``), once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import msgspec
from flask import Flask, Response, current_app, g, request
from sqlalchemy.orm import Session

from services.http.bearer import authenticated
from services.http.errors import ApiError
from services.web.db import read_connection, transaction
from services.web.live.schemas import figures_of
from shared.figures import COUNTED, FIGURE_KEYS, with_derived
from shared.pipeline.live import pending_events, read_live
from shared.pipeline.profile_tables import read_profile_rows
from shared.profiles import DIMENSIONS
from shared.publication.edition import EditionState, edition_state, publish, snapshot
from shared.publication.published_cells import published_kind, read_published
from shared.publication.published_profiles import read_published_profiles
from shared.scopes import Cell, increment_periods, period_kind, to_date_through
from shared.times import paris_today

log = logging.getLogger(__name__)
_ORDER = {key: i for i, key in enumerate(FIGURE_KEYS)}
# Parts of answers kept per edition, in each web process: a few per dashboard browsed at once.
KEPT_PARTS = 256
T = TypeVar("T")

# What the mark means, on the pages and in the CSV exports: one wording for every withheld
# value, whichever the reason (shared/publication/confidentiality.py: readers must not tell them
# apart),
# and no bound claimed ("< 5" would be false of a value withheld to protect another).
MARK_TITLE = "Secret statistique : valeur non publiée"
MARK_NOTE = (
    "« {mark} » : secret statistique — valeur non publiée parce qu'elle porte sur moins de "
    "{k} jeunes ou permettrait d'en retrouver une par différence. Les taux, les parts et les "
    "évolutions calculés à partir d'une telle valeur portent la même marque. Les chiffres de "
    "l'année pour la France entière et pour chaque région sont toujours publiés."
)


Values = Mapping[str, int | float]
_ZERO: Values = with_derived({})
_EVERY_KEY = frozenset(FIGURE_KEYS)


@dataclass(frozen=True)
class Reading:
    """What one answer shows of the cells it was built for: their values (``values``), the keys
    withheld from its reader (``withheld``; None: everything exact), and how fresh they are —
    the edition's time and the events it lacks, or the live counters' read."""

    withheld: Mapping[Cell, frozenset[str]] | None
    values: Mapping[Cell, Values]
    as_of: dt.datetime
    pending_events: int
    edition: int | None = None  # the public edition the answer comes from; None: live

    def values_of(self, cell: Cell) -> Values:
        """A cell's figures (every key of FIGURE_KEYS), exact: zeros for a cell without any."""
        return self.values.get(cell, _ZERO)

    def suppressed(self, cell: Cell) -> list[str] | None:
        """The keys of ``cell`` withheld from this reader, in FIGURE_KEYS order; None: exact."""
        if self.withheld is None:
            return None
        return sorted(self.withheld.get(cell, frozenset()), key=_ORDER.__getitem__)

    def shown(self, cell: Cell, values: Values | None = None) -> dict[str, int | float | None]:
        """A cell's figures as this reader may see them: None where withheld. ``values``, a
        caller's own reading of a live cell, serve an exact reading only: an edition's answer
        shows the edition's values."""
        if values is None or self.edition is not None:
            values = self.values_of(cell)
        hidden = self.suppressed(cell) or ()
        return {key: None if key in hidden else values[key] for key in FIGURE_KEYS}

    def published(self, cell: Cell, values: Values | None = None) -> dict[str, Any]:
        """A cell's figures as this reader may see them, and what is withheld: the fields of
        a ``Published`` row (live/schemas.py) or of a figures answer, by name."""
        hidden = self.suppressed(cell)
        return {
            "figures": figures_of(self.shown(cell, values)),
            "suppressed": msgspec.UNSET if hidden is None else hidden,
        }


def min_count() -> int:
    """The threshold for readers without a token (0: off)."""
    return int(current_app.config["SETTINGS"].public_min_count)


def exact_reader() -> bool:
    """Whether this request sees exact figures: the rule off, or a valid token (else 401)."""
    if min_count() <= 0:
        return True
    if request.headers.get("Authorization") is None:
        return False
    if not g.get("token_checked"):  # once per request: validators, answers and parts ask
        authenticated()  # any role reads exactly; an invalid token is refused, not downgraded
        g.token_checked = True
    return True


def audience() -> str:
    """Whom this request's answers are built for — part of their validators, so that an
    answer kept for one reader is never sent to another: "exact", or "public-k"."""
    return "exact" if exact_reader() else f"public-{min_count()}"


def keep_audiences_apart(response: Response) -> Response:
    """With the rule on, answers depend on the Authorization header: caches must key by it
    (Vary), and a shared cache must not store an exact answer (private)."""
    if min_count() > 0:
        response.vary.add("Authorization")
        if request.headers.get("Authorization") is not None:
            control = response.headers.get("Cache-Control", "")
            response.headers["Cache-Control"] = control.replace("public", "private")
    return response


def reading_for(session: Session, cells: Iterable[Cell], exact: bool = False) -> Reading:
    """What this request may see of ``cells`` ((period, scope) pairs of figure_counts, or years
    to date: shared.scopes.to_date_period): the live counters for an exact reader (or
    ``exact``: the signed-in pages), else the published edition."""
    cells = list(cells)
    if exact or exact_reader():
        # Pending first: if it reads 0, every event recorded before is in the cells read next.
        as_of = dt.datetime.now(dt.UTC)
        pending = pending_events(session)
        return Reading(None, read_live(session, cells), as_of, pending)
    state = _edition_in(session)
    values: dict[Cell, Values] = {}
    withheld: dict[Cell, frozenset[str]] = {}
    # A year to 31 December is the year: it is shown as the year cell is.
    as_year = {
        cell: (cell[0][:4], cell[1])
        for cell in cells
        if period_kind(cell[0]) == "to_date" and to_date_through(cell[0])[1] == 12
    }
    found = read_published(session, [as_year.get(cell, cell) for cell in cells])
    to_date = [cell for cell in cells if cell not in as_year and period_kind(cell[0]) == "to_date"]
    for cell, (summed, keys) in _published_to_date(session, to_date).items():
        values[cell] = with_derived(summed)
        if keys:
            withheld[cell] = keys
    for cell in cells:
        read = as_year.get(cell, cell)
        if period_kind(read[0]) == "to_date":
            continue
        if read in found:
            counted, keys = found[read]
            values[cell] = with_derived(counted)
            if keys:
                withheld[cell] = keys
        elif not published_kind(read):
            # Not in the edition (a structure's months): nothing of it is published.
            withheld[cell] = _EVERY_KEY
    return Reading(withheld, values, state.published_at, state.pending_events, state.edition)


def profile_reading(
    session: Session, year: int, scope: str, dimension: str, exact: bool = False
) -> dict[str, tuple[Values, list[str] | None]]:
    """What this request may see of a (year, scope)'s categories of ``dimension``: each one's
    values and withheld keys (None: exact), in the dimension's order. The live cells for an
    exact reader (or ``exact``), else the edition's: the nation's and the regions' profile
    cells as it protected them, a structure's withheld whole (not in the edition)."""
    categories = DIMENSIONS[dimension]
    if exact or exact_reader():
        rows = read_profile_rows(session, year, scope, dimension)
        return {key: (rows[key], None) for key in categories}
    _edition_in(session)
    if not scope.startswith("structure:"):
        found = read_published_profiles(session, year, scope, dimension)
        zero = dict.fromkeys(COUNTED, 0)
        shown: dict[str, tuple[Values, list[str] | None]] = {}
        for key in categories:
            counted, keys = found.get(key, (zero, frozenset()))
            shown[key] = (with_derived(counted), sorted(keys, key=_ORDER.__getitem__))
        return shown
    return {key: (_ZERO, list(FIGURE_KEYS)) for key in categories}


def _published_to_date(
    session: Session, cells: list[Cell]
) -> dict[Cell, tuple[dict[str, int], frozenset[str]]]:
    """Years to date as the edition holds them: the sums of their published increments, and
    the keys withheld from them — every key where the edition has no increments for the scope
    (a structure's; an edition from before they were published)."""
    steps = {
        cell: [(step, cell[1]) for step in increment_periods(to_date_through(cell[0])[0])]
        for cell in cells
    }
    found = read_published(session, [step for year in steps.values() for step in year])
    result: dict[Cell, tuple[dict[str, int], frozenset[str]]] = {}
    for cell, year in steps.items():
        summed = dict.fromkeys(COUNTED, 0)
        # An edition publishes a scope's twelve increments together, with one mask.
        if not all(step in found for step in year):
            result[cell] = (summed, _EVERY_KEY)
            continue
        for step in year[: to_date_through(cell[0])[1]]:
            for key, value in found[step][0].items():
                summed[key] += value
        result[cell] = (summed, found[year[0]][1])
    return result


def edition_served() -> EditionState | None:
    """The edition this request's answer was built from (None: an exact answer)."""
    state: EditionState | None = g.get("public_edition")
    return state


def for_edition(session: Session, key: Hashable, build: Callable[[], T], exact: bool) -> T:
    """``build()`` — a part of an answer, read in ``session`` — kept while the public edition
    stays the same, for the readers without a token (the ``key``s of one edition share one
    build, whatever events arrive meanwhile); for an exact reader (or ``exact``), built
    each time. What is kept must not be changed by its users."""
    if exact or exact_reader():
        return build()
    state = _edition_in(session)
    kept: _PerEdition = current_app.extensions["public_answers"]
    # The day in Paris: it decides the default year and the months compared.
    full_key = (state.edition_token, paris_today(), key)
    found = kept.get(full_key)
    if found is None:
        found = build()
        kept.put(full_key, found)
    return cast(T, found)


class _PerEdition:
    """Parts of answers kept per edition (least recently used out first)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._parts: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            found = self._parts.get(key)
            if found is not None:
                self._parts.move_to_end(key)
            return found

    def put(self, key: Hashable, part: object) -> None:
        with self._lock:
            self._parts[key] = part
            self._parts.move_to_end(key)
            while len(self._parts) > self._size:
                self._parts.popitem(last=False)


def init_app(app: Flask) -> None:
    """The app's parts of answers kept per edition: a few per dashboard browsed at once."""
    app.extensions["public_answers"] = _PerEdition(KEPT_PARTS)


def _edition_in(session: Session) -> EditionState:
    """The latest edition as ``session``'s snapshot holds it (read once per session), noted as
    the one this request's answer is built from."""
    known: EditionState | None = session.info.get("public_edition")
    if known is not None:
        return known
    state = edition_state(session)
    if state is None or state.min_count != min_count():
        # Only between the first public request's publication and a worker's with another
        # threshold: the processes disagree on BILAN_PUBLIC_MIN_COUNT.
        raise ApiError(503, "edition_unavailable", "the public edition is being published")
    session.info["public_edition"] = state
    g.public_edition = state
    return state


def current_edition() -> EditionState:
    """The latest edition, as a validator reads it: published first if there is none of this
    threshold yet (the workers publish the next ones)."""
    with read_connection() as connection:
        state = edition_state(connection)
    if state is not None and state.min_count == min_count():
        return state
    if state is not None:
        log.warning(
            "the latest public edition has BILAN_PUBLIC_MIN_COUNT=%d, this web %d: every "
            "process must have the same (publishing one at %d)",
            state.min_count,
            min_count(),
            min_count(),
        )
    with transaction() as session:
        snapshot(session)
        publish(session, min_count())
    with read_connection() as connection:
        state = edition_state(connection)
    if state is None or state.min_count != min_count():
        raise ApiError(503, "edition_unavailable", "the public edition is being published")
    return state
