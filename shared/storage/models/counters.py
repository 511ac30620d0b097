"""The live counters derived from the log: each youth's counted events as codes, and the
COUNTED figures of each (period, scope).

They live in the same database as the log so that a batch's "applied" mark and its counter
changes commit in one transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Dialect, Index, Integer, SmallInteger, String, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from shared.figures import COUNTED
from shared.storage.models.base import Base


class Codes(TypeDecorator[list[int]]):
    """A list of integer codes: ``integer[]`` on PostgreSQL, ``",c1,c2"`` text on SQLite.

    Both forms append with ``||``, which is all the apply protocol asks of them.
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(Integer))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: list[int] | None, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return "".join(f",{code}" for code in value)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[int] | None:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return list(value)
        return parse_codes(value)


def parse_codes(value: str) -> list[int]:
    """The codes of the SQLite text form ``",c1,c2"``."""
    return [int(code) for code in value.split(",")[1:]]


class YouthState(Base):
    """One youth's counted events of one year, as codes (shared/pipeline/codes.py).

    The row is the unit of locking of the apply protocol: every change to whether one
    of this youth's events of this year counts is made under its lock.
    """

    __tablename__ = "youth_state"

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    youth_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    codes: Mapped[list[int]] = mapped_column(Codes)

    # Room on each page, so that most updates of a row stay on its page (HOT) and leave
    # the primary key untouched. A youth's years, when its profile changes
    # (shared/pipeline/profiles.py), by youth_id: updates of codes keep this index untouched.
    __table_args__ = (
        Index("ix_youth_state_youth_id", "youth_id"),
        {"postgresql_with": {"fillfactor": 80}},
    )


class Counted:
    """The COUNTED figures of one cell (the columns of figure_counts and published_cells)."""

    youths_first_reception: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_in_contact: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_received: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_interviewed: Mapped[int] = mapped_column(BigInteger, default=0)
    interviews: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_with_access: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_employment: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_subsidized_or_work_study: Mapped[int] = mapped_column(BigInteger, default=0)
    youths_training: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_entries: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_exits: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_exits_durable_employment: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_exits_non_durable_employment: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_exits_training: Mapped[int] = mapped_column(BigInteger, default=0)
    civis_exits_other: Mapped[int] = mapped_column(BigInteger, default=0)


class FigureCounts(Counted, Base):
    """The live COUNTED figures of one (period, scope)."""

    __tablename__ = "figure_counts"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    scope: Mapped[str] = mapped_column(String(48), primary_key=True)

    # Every claim updates most of a year's cells: with half of each page free, an update
    # stays on its page (HOT) and leaves the primary key alone (migration 0012f).
    __table_args__ = ({"postgresql_with": {"fillfactor": 50}},)


# The columns above are spelled out for readability; they must follow the definitions.
assert tuple(FigureCounts.__table__.c.keys())[2:] == COUNTED
