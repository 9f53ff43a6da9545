"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Column, Field


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONVariant = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def json_field(default_factory: Any = dict, **kw: Any) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSONVariant, nullable=False, **kw))


def ts_field(nullable: bool = False, default_now: bool = True, index: bool = False) -> Any:
    kw: dict[str, Any] = {"default_factory": utcnow} if default_now and not nullable else {"default": None}
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index), **kw)


def money_field(default: Any = 0, nullable: bool = False, **kw: Any) -> Any:
    return Field(default=default, max_digits=18, decimal_places=2, nullable=nullable, **kw)


def qty_field(default: Any = 0, **kw: Any) -> Any:
    return Field(default=default, max_digits=18, decimal_places=3, **kw)


def search_key(*parts: str | None) -> str:
    """What search compares against: casefolded, ё as е, one space between words."""
    text = " ".join(p for p in parts if p)
    return " ".join(text.casefold().replace("ё", "е").split())
