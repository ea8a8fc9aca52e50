"""Portable INSERT … ON CONFLICT for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def _insert_for(session: Session, table):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database: {dialect}")


def insert_ignore(session: Session, model, values: dict[str, Any], conflict: list[str]) -> bool:
    """Insert a row unless one with the same `conflict` columns exists. True when inserted."""
    statement = (
        _insert_for(session, model.__table__)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict)
        .returning(*[model.__table__.c[name] for name in conflict])
    )
    return session.execute(statement).first() is not None


def increment(session: Session, model, key: dict[str, Any], column: str) -> int:
    """Atomically add one to `column` of the row at `key` (created at 1) and return it."""
    table = model.__table__
    statement = _insert_for(session, table).values(**key, **{column: 1})
    statement = statement.on_conflict_do_update(index_elements=list(key), set_={column: table.c[column] + 1}).returning(
        table.c[column]
    )
    return int(session.execute(statement).scalar_one())
