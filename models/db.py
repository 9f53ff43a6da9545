"""Engine and sessions: one async SQLModel code path for SQLite (laptop) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def async_url(url: str) -> str:
    """Accept the URLs people write (postgresql://, sqlite:///) and pick the async drivers."""
    for plain, driver in (
        ("postgresql://", "postgresql+psycopg://"),
        ("postgres://", "postgresql+psycopg://"),
        ("sqlite:///", "sqlite+aiosqlite:///"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def sync_url(url: str) -> str:
    """The same database for Alembic, which runs synchronously."""
    return async_url(url).replace("+aiosqlite", "")


def create_engine(url: str) -> AsyncEngine:
    url = async_url(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            # WAL lets the web app read while the worker writes; FKs are off by default in SQLite.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # SQLite's own lower() folds ASCII only; Cyrillic search needs Python's.
            dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

        return engine
    return create_async_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class Database:
    """The engine plus a session factory; one per process, closed on shutdown."""

    def __init__(self, url: str) -> None:
        self.url = async_url(url)
        self.engine = create_engine(self.url)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
