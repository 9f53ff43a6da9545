"""Money facts from 1C: payments (partial ones are normal; the same external id corrects or cancels
a payment), invoices 1C issued, and the "payment deferred until" date a deal is waiting on."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from models.types import money_field, ts_field


class Payment(SQLModel, table=True):
    __tablename__ = "payment"
    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=100, unique=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    amount: Decimal = money_field()
    paid_on: date = Field(index=True)
    cancelled: bool = False
    comment: str = Field(default="", max_length=500)
    received_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class ErpInvoice(SQLModel, table=True):
    """An invoice issued in 1C (as opposed to one printed from the CRM)."""

    __tablename__ = "erp_invoice"
    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=100, unique=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    number: str = Field(default="", max_length=50)
    issued_on: date
    amount: Decimal = money_field()
    cancelled: bool = False
    received_at: datetime = ts_field()


class PaymentDeferral(SQLModel, table=True):
    """1C's latest "payment deferred until" for a deal; a new date replaces the old one."""

    __tablename__ = "payment_deferral"
    deal_id: int = Field(foreign_key="deal.id", primary_key=True)
    deferred_until: date = Field(index=True)
    set_at: datetime = ts_field()
