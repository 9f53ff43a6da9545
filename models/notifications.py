"""In-app notifications; the key makes writing one idempotent (an activity may run twice)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import json_field, ts_field


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    kind: str = Field(max_length=50)
    # Rendered in the reader's language from kind + params.
    params: dict = json_field(dict)
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    created_at: datetime = ts_field()
    read_at: datetime | None = ts_field(nullable=True)


class Counter(SQLModel, table=True):
    """Named sequences (deal numbers) that work the same on SQLite and PostgreSQL."""

    __tablename__ = "counter"
    name: str = Field(primary_key=True, max_length=50)
    value: int = 0
