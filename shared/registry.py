"""The structure registry: missions locales and PAIO, their region and dates."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal, Protocol, get_args

import msgspec
from msgspec import UNSET, Meta, UnsetType
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from shared.events import StructureId
from shared.mail.addresses import ADDRESS_PATTERN, MAX_LENGTH, AddressError, check_address
from shared.regions import REGIONS
from shared.storage.bulk import member_of
from shared.storage.models.base import utcnow
from shared.storage.models.registry import Structure, StructureNumber

Kind = Literal["mission_locale", "paio"]
KINDS: tuple[str, ...] = get_args(Kind)


# A contact address (shared/mail/addresses.py says why each one is refused).
Email = Annotated[
    str,
    Meta(
        max_length=MAX_LENGTH,
        pattern=ADDRESS_PATTERN,
        description="The structure's contact for the campaign's mails (name@domain.tld)",
    ),
]


class StructureFields(msgspec.Struct, forbid_unknown_fields=True):
    """Body of ``PUT /v1/structures/{id}`` and one row of the import CSV."""

    # No NUL byte: PostgreSQL refuses one in text.
    name: Annotated[str, Meta(min_length=1, max_length=200, pattern="^[^\\x00]*$")]
    kind: Kind
    region: str
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    # Absent: the address stays as it is; null: the structure has none any more.
    email: Email | UnsetType | None = UNSET


class InvalidStructure(ValueError):
    pass


def check_structure(structure_id: str, fields: StructureFields) -> None:
    try:
        msgspec.convert(structure_id, StructureId)
    except msgspec.ValidationError as exc:
        raise InvalidStructure(f"structure_id {structure_id!r}: {exc}") from None
    if fields.region not in REGIONS:
        raise InvalidStructure(f"unknown region {fields.region!r} (expected an INSEE code of §4.1)")
    if fields.opened_on and fields.closed_on and fields.closed_on < fields.opened_on:
        raise InvalidStructure("closed_on is before opened_on")
    if isinstance(fields.email, str):
        try:
            check_address(fields.email)
        except AddressError as exc:
            raise InvalidStructure(f"email: {exc}") from None


def upsert_structure(session: Session, structure_id: str, fields: StructureFields) -> bool:
    """Create or update a structure; True when it was created."""
    check_structure(structure_id, fields)
    row = session.get(Structure, structure_id)
    created = row is None
    if row is None:
        row = Structure(structure_id=structure_id)
        session.add(row)
        # The number that stands for it in the live counters (shared/pipeline/codes.py).
        session.add(StructureNumber(structure_id=structure_id))
    row.name = fields.name
    row.kind = fields.kind
    row.region = fields.region
    row.opened_on = fields.opened_on
    row.closed_on = fields.closed_on
    if fields.email is not UNSET:
        row.email = fields.email
    row.updated_at = utcnow()
    return created


def set_contact(session: Session, structure_id: str, email: str | None) -> Structure:
    """A structure's contact address changed (its own page); an ``InvalidStructure`` if the
    address cannot be one, a ``LookupError`` if there is no such structure."""
    if email is not None:
        try:
            check_address(email)
        except AddressError as exc:
            raise InvalidStructure(f"email: {exc}") from None
    row = session.get(Structure, structure_id, with_for_update=True)
    if row is None:
        raise LookupError(structure_id)
    row.email = email
    row.updated_at = utcnow()
    return row


def read_structures_csv(path: Path) -> list[tuple[str, StructureFields]]:
    """Parse a registry CSV (``structure_id,name,kind,region[,opened_on,closed_on,email]``).

    Without an ``email`` column the addresses already known stay; with it, an empty cell
    means the structure has none."""
    rows: list[tuple[str, StructureFields]] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"structure_id", "name", "kind", "region"} - set(reader.fieldnames or ())
        if missing:
            raise InvalidStructure(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for line, record in enumerate(reader, start=2):
            values = {k: (v or "").strip() for k, v in record.items() if k}
            try:
                fields = msgspec.convert(
                    {
                        "name": values["name"],
                        "kind": values["kind"],
                        "region": values["region"],
                        "opened_on": values.get("opened_on") or None,
                        "closed_on": values.get("closed_on") or None,
                        **({"email": values["email"] or None} if "email" in values else {}),
                    },
                    StructureFields,
                    strict=False,
                )
                check_structure(values["structure_id"], fields)
            except (msgspec.ValidationError, InvalidStructure) as exc:
                raise InvalidStructure(f"{path}, line {line}: {exc}") from None
            rows.append((values["structure_id"], fields))
    return rows


def import_structures(session: Session, rows: Iterable[tuple[str, StructureFields]]) -> int:
    count = 0
    for structure_id, fields in rows:
        upsert_structure(session, structure_id, fields)
        count += 1
    return count


def registry_structures(session: Session, region: str | None = None) -> list[Structure]:
    """The structures of the registry (of ``region`` only, if given), by id."""
    statement = select(Structure).order_by(Structure.structure_id)
    if region is not None:
        statement = statement.where(Structure.region == region)
    return list(session.scalars(statement))


def structure_regions(session: Session, structure_ids: Iterable[str]) -> dict[str, str]:
    """The region of each of these structures that exists."""
    ids = list(set(structure_ids))
    found: dict[str, str] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        found.update(
            session.execute(
                select(Structure.structure_id, Structure.region).where(
                    member_of(session, Structure.structure_id, chunk)
                )
            ).all()
        )
    return found


def registry_fields(session: Session) -> list[tuple[str, StructureFields]]:
    """The registry's structures as their fields (as the import CSV gives them), by id."""
    rows = session.scalars(select(Structure).order_by(Structure.structure_id))
    return [
        (
            row.structure_id,
            StructureFields(
                name=row.name,
                kind=row.kind,  # type: ignore[arg-type]
                region=row.region,
                opened_on=row.opened_on,
                closed_on=row.closed_on,
                email=row.email,
            ),
        )
        for row in rows
    ]


def structure_document(row: Structure, with_email: bool = False) -> dict[str, str | None]:
    """A registry row as builtins; its contact address only ``with_email`` (admins and the
    structure itself read it)."""
    document = {
        "structure_id": row.structure_id,
        "name": row.name,
        "kind": row.kind,
        "region": row.region,
        "opened_on": row.opened_on.isoformat() if row.opened_on else None,
        "closed_on": row.closed_on.isoformat() if row.closed_on else None,
    }
    if with_email:
        document["email"] = row.email
    return document


class Dated(Protocol):
    """A structure's opening and closing days (a registry row or its fields)."""

    @property
    def opened_on(self) -> dt.date | None: ...

    @property
    def closed_on(self) -> dt.date | None: ...


def active_in(structure: Dated, year: int) -> bool:
    """Whether the structure was open at some time of the year."""
    opened = structure.opened_on is None or structure.opened_on <= dt.date(year, 12, 31)
    not_closed = structure.closed_on is None or structure.closed_on >= dt.date(year, 1, 1)
    return opened and not_closed


def active_during(year: int) -> ColumnElement[bool]:
    """The SQL condition of ``active_in``: the structure was open at some time of the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return and_(
        (Structure.opened_on.is_(None)) | (Structure.opened_on <= last),
        (Structure.closed_on.is_(None)) | (Structure.closed_on >= first),
    )


def active_structures(session: Session, year: int) -> list[Structure]:
    """The structures of the registry open at some time of the year, by id."""
    return list(
        session.scalars(
            select(Structure).where(active_during(year)).order_by(Structure.structure_id)
        )
    )


def registry_figures(session: Session, year: int) -> dict[str, int]:
    """Structures of the registry active in the year, by kind (SPEC §4, second table)."""
    structures = active_structures(session, year)
    return {
        "structures": len(structures),
        "missions_locales": sum(1 for s in structures if s.kind == "mission_locale"),
        "paio": sum(1 for s in structures if s.kind == "paio"),
    }
