"""The deal read model: kinds with their stage sets, deals, specification lines, participants,
notes, files and the change history. Workflows write it through activities; pages read it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import json_field, money_field, qty_field, ts_field


class DealKind(SQLModel, table=True):
    """Equipment sale, service contract, tender, retail order… each with its own stage set."""

    __tablename__ = "deal_kind"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    name: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    is_tender: bool = False  # a tender has child deals: shipments to end customers
    is_active: bool = True
    position: int = 0


class DealStage(SQLModel, table=True):
    __tablename__ = "deal_stage"
    __table_args__ = (UniqueConstraint("kind_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    kind_id: int = Field(foreign_key="deal_kind.id", index=True)
    code: str = Field(max_length=50)
    name: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    position: int
    # Stage codes a deal may move to from here; empty means the neighbours (next and previous).
    next_codes: list[str] = json_field(list)
    can_win: bool = False  # the deal may be closed as won from this stage
    allows_children: bool = False  # a tender may open shipments from this stage
    approved_next: str | None = Field(default=None, max_length=50)  # where the final approval moves a deal


class CustomFieldDef(SQLModel, table=True):
    """An extra field on the deals of one kind ("Дополнительно")."""

    __tablename__ = "custom_field_def"
    __table_args__ = (UniqueConstraint("kind_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    kind_id: int = Field(foreign_key="deal_kind.id", index=True)
    code: str = Field(max_length=50)
    label: str = Field(max_length=200)
    label_en: str = Field(default="", max_length=200)
    field_type: str = Field(max_length=10)  # text | number | date | bool | choice
    required: bool = False
    choices: list[str] = json_field(list)
    position: int = 0


class SalesChannel(SQLModel, table=True):
    __tablename__ = "sales_channel"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)


class Deal(SQLModel, table=True):
    __tablename__ = "deal"
    # The deal number; allocated before the workflow `deal-<id>` starts.
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind_id: int = Field(foreign_key="deal_kind.id", index=True)
    stage_code: str = Field(max_length=50, index=True)
    status: str = Field(default="open", max_length=10, index=True)  # open | paused | won | lost
    title: str = Field(default="", max_length=300)
    business_unit_id: int = Field(foreign_key="business_unit.id", index=True)
    client_id: int = Field(foreign_key="counterparty.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    manager_id: int = Field(foreign_key="employee.id", index=True)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    potential_amount: Decimal = money_field()
    amount: Decimal = money_field()  # specification total, VAT included
    vat_amount: Decimal = money_field()
    channel_id: int | None = Field(default=None, foreign_key="sales_channel.id")
    source: str = Field(default="", max_length=200)
    primary_demand: str = Field(default="", max_length=2000)
    delivery_method: str = Field(default="pickup", max_length=20)
    warehouse_id: int | None = Field(default=None, foreign_key="warehouse.id")
    payment_deferral_days: int = 0
    prepayment_percent: Decimal = money_field()
    expected_close_date: date | None = None
    parent_id: int | None = Field(default=None, foreign_key="deal.id", index=True)
    copied_from_id: int | None = None
    custom_fields: dict = json_field(dict)
    paused_until: datetime | None = ts_field(nullable=True)
    pause_comment: str = Field(default="", max_length=1000)
    close_reason: str = Field(default="", max_length=1000)
    closed_at: datetime | None = ts_field(nullable=True)
    stage_entered_at: datetime = ts_field()
    version: int = 0
    created_at: datetime = ts_field(index=True)
    created_by_id: int | None = Field(default=None, foreign_key="employee.id")
    updated_at: datetime = ts_field()
    updated_by_id: int | None = Field(default=None, foreign_key="employee.id")


class SpecLine(SQLModel, table=True):
    """A specification line: an exact product, or early on only a product category."""

    __tablename__ = "spec_line"
    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    position: int
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    category_id: int | None = Field(default=None, foreign_key="product_category.id")
    description: str = Field(default="", max_length=300)
    quantity: Decimal = qty_field()
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    price: Decimal = money_field()  # per unit, VAT included
    discount_percent: Decimal = money_field()
    vat_rate: Decimal = money_field(default=Decimal("22"))
    amount: Decimal = money_field()
    vat_amount: Decimal = money_field()


class Participant(SQLModel, table=True):
    __tablename__ = "deal_participant"
    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    employee_id: int | None = Field(default=None, foreign_key="employee.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    role: str = Field(max_length=50)


class DealNote(SQLModel, table=True):
    __tablename__ = "deal_note"
    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    author_id: int = Field(foreign_key="employee.id")
    text: str = Field(max_length=10000)
    created_at: datetime = ts_field()


class DealFile(SQLModel, table=True):
    __tablename__ = "deal_file"
    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    file_name: str = Field(max_length=300)
    content_type: str = Field(default="application/octet-stream", max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    # In the database, so every API replica sees it; lists select the other columns only.
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by_id: int = Field(foreign_key="employee.id")
    uploaded_at: datetime = ts_field()


class DealChange(SQLModel, table=True):
    """One line of a card's history: who changed which field when, from what to what."""

    __tablename__ = "deal_change"
    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    version: int | None = None  # the card version this change produced (None: notes, files)
    at: datetime = ts_field(index=True)
    actor_id: int | None = Field(default=None, foreign_key="employee.id")
    actor_name: str = Field(default="", max_length=200)
    action: str = Field(max_length=30)  # created, edited, stage, paused, resumed, woke, won, lost…
    field: str = Field(default="", max_length=100)
    old_value: str = Field(default="", max_length=2000)
    new_value: str = Field(default="", max_length=2000)
    comment: str = Field(default="", max_length=2000)
