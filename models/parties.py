"""Counterparties (clients, dealers, builders) and their contact people."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import event
from sqlmodel import Field, SQLModel

from models.types import search_key, ts_field


class MarketRole(StrEnum):
    end_customer = "end_customer"
    dealer = "dealer"
    distributor = "distributor"
    builder = "builder"
    manufacturer = "manufacturer"
    trader = "trader"


class Industry(SQLModel, table=True):
    __tablename__ = "industry"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)


class Counterparty(SQLModel, table=True):
    __tablename__ = "counterparty"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, index=True)
    full_name: str = Field(default="", max_length=500)
    inn: str | None = Field(default=None, max_length=12, index=True)
    kpp: str | None = Field(default=None, max_length=9)
    industry_id: int | None = Field(default=None, foreign_key="industry.id")
    # Marketing confirms a new client's industry and market role (onboarding).
    industry_confirmed: bool = False
    market_role: str | None = Field(default=None, max_length=20)  # a MarketRole
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)
    # Casefolded name + INN: SQLite's LIKE folds ASCII only, so search compares this column.
    search_key: str = Field(default="", max_length=400)
    created_at: datetime = ts_field()


@event.listens_for(Counterparty, "before_insert")
@event.listens_for(Counterparty, "before_update")
def _counterparty_search_key(_mapper, _connection, target: Counterparty) -> None:  # noqa: ANN001
    target.search_key = search_key(target.name, target.full_name, target.inn)


class Contact(SQLModel, table=True):
    __tablename__ = "contact"
    id: int | None = Field(default=None, primary_key=True)
    counterparty_id: int = Field(foreign_key="counterparty.id", index=True)
    full_name: str = Field(max_length=200)
    position: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)
