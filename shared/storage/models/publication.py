"""The public edition's tables: each edition, the cells of the latest one and its profile cells."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.figures import COUNTED
from shared.storage.models.base import Base
from shared.storage.models.counters import Counted


class PublicEdition(Base):
    """One edition of the figures published for readers without a token (statistical
    confidentiality on: shared/publication/edition.py)."""

    __tablename__ = "public_editions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The figures are those of a snapshot taken just after this moment: every batch
    # applied before it is in the edition.
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    min_count: Mapped[int] = mapped_column(Integer)
    # The registry's version the components were made with (shared/publication/edition.py).
    registry_version: Mapped[str] = mapped_column(String(80))
    # What the publication did: cells written, components protected anew, its duration.
    cells: Mapped[int] = mapped_column(Integer)
    components: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)


class PublishedCell(Counted, Base):
    """A cell of the latest public edition: its COUNTED figures as that edition took them,
    and which keys readers without a token do not see."""

    __tablename__ = "published_cells"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    # The withheld keys, one bit each in FIGURE_KEYS order (shared/publication/edition.py).
    withheld: Mapped[int] = mapped_column(Integer, default=0)
    # The edition that last wrote the row (the row is unchanged since).
    edition: Mapped[int] = mapped_column(Integer)


class PublishedProfileCell(Counted, Base):
    """A profile cell (SPEC §4.2) of the nation or a region in the latest public edition: its
    COUNTED figures as that edition took them, and which keys readers without a token do not
    see. A structure's profile cells are not in the edition (shared/publication/edition.py)."""

    __tablename__ = "published_profile_cells"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(8), primary_key=True)
    withheld: Mapped[int] = mapped_column(Integer, default=0)
    edition: Mapped[int] = mapped_column(Integer)


# The columns above are spelled out for readability; they must follow the definitions.
assert tuple(PublishedCell.__table__.c.keys())[4:] == COUNTED
assert tuple(PublishedProfileCell.__table__.c.keys())[6:] == COUNTED
