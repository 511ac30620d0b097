"""Realistic annual declarations (ICARE): the 2007 staff and funding, spread over the structures.

At ``--scale 1.0`` the declarations of a year add up exactly to the 2007 report:
11 049 professionals; 474 M€ of funding (406 M€ main, 58 M€ specific, 10 M€
managed funds); the funders of main + specific split 39.6 % State, 18.2 %
regions, 5.4 % departments, 22.2 % municipalities, 8.1 % ESF, 6.5 % others. At
another scale every total is that one times the scale, rounded. Each structure
gets a share in proportion to a seeded random size (a mission locale weighs
about three PAIO), and its funders always sum to its main + specific funding.

``simulate_campaign`` puts a year's declarations in every state an admin meets at the
year's end (most validated, some waiting, some rejected, some never sent), and
``record_campaign`` writes them through the declarations' own rules: the demo's past year.
``open_demo_window`` and ``give_demo_addresses`` make that campaign run: a window open now,
and contact addresses for its mails.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.access.tokens import Caller
from shared.declarations.campaign_window import save_window, window_of
from shared.declarations.fields import FUNDER_KEYS, FUNDING_KEYS, DeclarationFields
from shared.declarations.figures import merge_declarations
from shared.declarations.workflow import REJECTED, VALIDATED, decide, submit
from shared.registry import StructureFields, active_in, registry_fields
from shared.storage.models.declarations import Declaration
from shared.storage.models.registry import Structure

PROFESSIONALS_2007 = 11_049
FUNDING_2007: dict[str, int] = {
    "main": 406_000_000,
    "specific": 58_000_000,
    "managed_funds": 10_000_000,
}
# Shares of main + specific, in thousandths (they sum to 1000).
FUNDER_SHARES_2007: dict[str, int] = {
    "state": 396,
    "region": 182,
    "department": 54,
    "municipalities": 222,
    "esf": 81,
    "other": 65,
}
assert sum(FUNDER_SHARES_2007.values()) == 1000


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, in integers summing exactly to it."""
    weight = sum(weights)
    if total == 0 or weight == 0:
        return [0] * len(weights)
    exact = [total * w / weight for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass(frozen=True)
class SimulatedDeclarations:
    """The declarations of one year, as PUT bodies, and the totals they add up to."""

    year: int
    bodies: dict[str, dict[str, Any]]

    def sums(self) -> dict[str, int]:
        sums = {"professionals": 0}
        sums |= {f"funding_{k}": 0 for k in FUNDING_KEYS} | {f"funder_{k}": 0 for k in FUNDER_KEYS}
        for body in self.bodies.values():
            sums["professionals"] += body["professionals"]
            for key in FUNDING_KEYS:
                sums[f"funding_{key}"] += body["funding"][key]
            for key in FUNDER_KEYS:
                sums[f"funder_{key}"] += body["funders"][key]
        return sums

    def truth(self, youths_interviewed: int) -> dict[str, int | float | None]:
        """The declaration figures of SPEC §4 once every declaration is validated."""
        return merge_declarations(self.sums(), youths_interviewed)


def simulate_declarations(
    year: int, scale: float, seed: int, structures: Sequence[tuple[str, StructureFields]]
) -> SimulatedDeclarations:
    """One declaration per structure active in the year, totals at ``scale`` of 2007."""
    active = sorted((sid, fields) for sid, fields in structures if active_in(fields, year))
    if not active:
        raise ValueError(f"no structure of the registry is open in {year}")
    rnd = random.Random(f"declarations-{year}-{seed}")
    sizes = [
        rnd.uniform(0.5, 1.5) * (3.0 if fields.kind == "mission_locale" else 1.0)
        for _, fields in active
    ]
    professionals = apportion(round(PROFESSIONALS_2007 * scale), sizes)
    funding = {key: apportion(round(value * scale), sizes) for key, value in FUNDING_2007.items()}
    covered = [funding["main"][i] + funding["specific"][i] for i in range(len(active))]
    funders = _split_funders(covered, rnd)
    bodies = {
        sid: {
            "professionals": professionals[i],
            "funding": {key: funding[key][i] for key in FUNDING_KEYS},
            "funders": funders[i],
        }
        for i, (sid, _) in enumerate(active)
    }
    return SimulatedDeclarations(year, bodies)


def _split_funders(covered: Sequence[int], rnd: random.Random) -> list[dict[str, int]]:
    """Each structure's funders, summing to its ``covered`` amount, the columns to the shares.

    Structures in random order each take, from what is left of every funder, a part
    proportional to their amount: no column goes negative and the last one takes
    exactly what is left, so rows and columns are both exact.
    """
    left = dict(
        zip(
            FUNDER_KEYS,
            apportion(sum(covered), [FUNDER_SHARES_2007[k] for k in FUNDER_KEYS]),
            strict=True,
        )
    )
    result: list[dict[str, int]] = [{} for _ in covered]
    order = list(range(len(covered)))
    rnd.shuffle(order)
    remaining = sum(covered)
    for i in order:
        parts = apportion(covered[i], [left[k] for k in FUNDER_KEYS]) if remaining else [0] * 6
        result[i] = dict(zip(FUNDER_KEYS, parts, strict=True))
        for key, part in result[i].items():
            left[key] -= part
        remaining -= covered[i]
    assert all(value == 0 for value in left.values())
    return result


def post_declarations(
    declarations: SimulatedDeclarations,
    web_url: str,
    token: str,
    validate: bool = True,
    progress: Callable[[int], None] | None = None,
) -> int:
    """PUT every declaration to the web service (and validate it, as an admin); how many."""
    base = web_url.rstrip("/")
    headers = {"Authorization": f"Bearer {token}"}
    done = 0
    with httpx.Client(timeout=30, headers=headers) as client:
        for sid, body in declarations.bodies.items():
            url = f"{base}/v1/declarations/{declarations.year}/{sid}"
            response = client.put(url, json=body)
            if response.status_code == 409 and response.json().get("error") == "already_validated":
                done += 1  # a re-run: the same declaration is already in and validated
                continue
            response.raise_for_status()
            if validate:
                client.post(f"{url}/validate").raise_for_status()
            done += 1
            if progress is not None:
                progress(1)
    return done


# The demo's past campaign: most declarations validated, some waiting for their validator,
# some rejected, some never sent — what an admin meets at a year's end.
CAMPAIGN_SHARES: dict[str, float] = {"validated": 0.82, "submitted": 0.07, "rejected": 0.04}
REJECTION_REASONS = (
    "Le total des financeurs ne correspond pas au budget voté : merci de le vérifier.",
    "Effectif au 31 décembre manquant pour les antennes : déclaration à compléter.",
    "Fonds gérés comptés dans l'activité principale : à corriger.",
)
# Written by bilan itself (the demo), not through a token: its audit rows name none.
DEMO_ADMIN = Caller(0, "admin", frozenset(), None)


@dataclass(frozen=True)
class Campaign:
    """A year's declarations in every state: the structures whose declaration is in each
    (``missing``: active structures that sent none)."""

    declarations: SimulatedDeclarations
    states: dict[str, list[str]]

    @property
    def missing(self) -> list[str]:
        placed = {sid for ids in self.states.values() for sid in ids}
        return sorted(sid for sid in self.declarations.bodies if sid not in placed)


def simulate_campaign(
    year: int, scale: float, seed: int, structures: Sequence[tuple[str, StructureFields]]
) -> Campaign:
    """The year's declarations (``simulate_declarations``), each structure drawn into a
    state in the proportions of CAMPAIGN_SHARES (the rest: missing), the same on every run."""
    declarations = simulate_declarations(year, scale, seed, structures)
    ids = sorted(declarations.bodies)
    random.Random(f"campaign-{year}-{seed}").shuffle(ids)
    states: dict[str, list[str]] = {}
    start = 0
    for state, share in CAMPAIGN_SHARES.items():
        count = round(share * len(ids))
        states[state] = sorted(ids[start : start + count])
        start += count
    return Campaign(declarations, states)


def record_campaign(session: Session, campaign: Campaign) -> int:
    """Write the campaign's declarations through the declarations' own rules (submit, then
    validate or reject, each with its audit row), as an admin would; how many were written."""
    year = campaign.declarations.year
    written = 0
    for state, ids in campaign.states.items():
        for i, structure_id in enumerate(ids):
            body = msgspec.convert(campaign.declarations.bodies[structure_id], DeclarationFields)
            submit(session, DEMO_ADMIN, year, structure_id, body)
            if state == VALIDATED:
                decide(session, DEMO_ADMIN, year, structure_id, VALIDATED)
            elif state == REJECTED:
                reason = REJECTION_REASONS[i % len(REJECTION_REASONS)]
                decide(session, DEMO_ADMIN, year, structure_id, REJECTED, reason)
            written += 1
    return written


def seed_campaign(session: Session, year: int, scale: float, seed: int) -> Campaign | None:
    """The year's campaign over the registry's structures, written once: None (nothing
    written) when the year already has declarations."""
    if session.scalar(select(func.count()).where(Declaration.year == year)):
        return None
    campaign = simulate_campaign(year, scale, seed, registry_fields(session))
    record_campaign(session, campaign)
    return campaign


# The demo's campaign runs: its window opened a month ago and closes in two weeks, so that
# the 14-day reminders are due as soon as the demo starts (docs/operations.md, "The demo").
DEMO_WINDOW_OPENED_DAYS_AGO = 30
DEMO_WINDOW_CLOSES_IN_DAYS = 14


def open_demo_window(session: Session, year: int, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Open the demo's campaign of ``year`` around ``today``, unless a window is saved; its
    dates, or None when one was there."""
    if window_of(session, year, today).phase != "unset":
        return None
    opens = max(today - dt.timedelta(days=DEMO_WINDOW_OPENED_DAYS_AGO), dt.date(year, 1, 1))
    closes = today + dt.timedelta(days=DEMO_WINDOW_CLOSES_IN_DAYS)
    save_window(session, DEMO_ADMIN, year, opens, closes)
    return opens, closes


def give_demo_addresses(session: Session, structures: list[tuple[str, StructureFields]]) -> int:
    """The demo registry's contact addresses, when no structure has one (a database of a
    demo run before addresses existed); how many were given."""
    if session.scalar(select(Structure.structure_id).where(Structure.email.is_not(None)).limit(1)):
        return 0
    given = 0
    for structure_id, fields in structures:
        row = session.get(Structure, structure_id)
        if row is not None and isinstance(fields.email, str):
            row.email = fields.email
            given += 1
    return given
