"""Machine clients' API tokens (1C ERP, telephony, scripts); people log in with a password."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import json_field, ts_field


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 of the secret; the secret is shown once
    # The employee the token acts as (history shows them as the author of changes).
    employee_id: int = Field(foreign_key="employee.id")
    roles: list[str] = json_field(list)
    created_at: datetime = ts_field()
    revoked_at: datetime | None = ts_field(nullable=True)
