"""Set-based statements for large batches, in the session's dialect.

On PostgreSQL a batch travels as one array per column (``unnest``), so a
statement's size and parse time do not grow with its rows; SQLite (embedded
default, unit tests) takes the portable executemany path.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from shared.db import upsert

SQLITE_CHUNK = 5000


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def member_of(session: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values`` as one array parameter on PostgreSQL."""
    if is_postgres(session):
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(list(values))


@cache
def _pg_type(table: Table, column: str) -> str:
    return table.c[column].type.compile(dialect=postgresql.dialect())


def bulk_upsert(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    key: Sequence[str],
    increment: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert rows; on a key conflict add the ``increment`` columns (or do nothing).

    Returns the ``returning`` columns of every row inserted or updated.
    """
    if not rows:
        return []
    if is_postgres(session):
        return _pg_upsert(session, table, columns, rows, key, increment, returning)
    insert = upsert(session, table)
    if increment:
        statement = insert.on_conflict_do_update(
            index_elements=list(key), set_={c: table.c[c] + insert.excluded[c] for c in increment}
        )
    else:
        statement = insert.on_conflict_do_nothing(index_elements=list(key))
    if returning:
        statement = statement.returning(*(table.c[c] for c in returning))
    result: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), SQLITE_CHUNK):
        params = [
            dict(zip(columns, row, strict=True)) for row in rows[start : start + SQLITE_CHUNK]
        ]
        executed = session.execute(statement, params)
        if returning:
            result.extend(tuple(r) for r in executed)
    return result


def _pg_upsert(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    key: Sequence[str],
    increment: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    arrays = [f"%s::{_pg_type(table, c)}[]" for c in columns]
    if increment:
        action = "DO UPDATE SET " + ", ".join(
            f"{c} = {table.name}.{c} + EXCLUDED.{c}" for c in increment
        )
    else:
        action = "DO NOTHING"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"SELECT * FROM unnest({', '.join(arrays)}) "
        f"ON CONFLICT ({', '.join(key)}) {action}"
    )
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    params = tuple(list(column) for column in zip(*rows, strict=True))
    # Binary parameters spare psycopg the quoting of every array element.
    dbapi = session.connection().connection.driver_connection
    with dbapi.cursor(binary=True) as cursor:
        cursor.execute(sql, params)
        return [tuple(r) for r in cursor.fetchall()] if returning else []
