"""Small database helpers the activities share."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession


async def insert_ignoring_duplicates(session: AsyncSession, table: Any, values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on either database: the row's unique key makes it idempotent."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(insert(table).values(**values).on_conflict_do_nothing())  # type: ignore[call-overload]
