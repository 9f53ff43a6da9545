"""What documents are made of besides the deal: our organisations' bank accounts, the people who
sign on either side with the documents that give them the right, and actual shipments (from 1C)
that corrected forms and invoices are built from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from models.types import money_field, qty_field, ts_field


class BankAccount(SQLModel, table=True):
    __tablename__ = "bank_account"
    id: int | None = Field(default=None, primary_key=True)
    business_unit_id: int = Field(foreign_key="business_unit.id", index=True)
    bank_name: str = Field(max_length=300)
    bik: str = Field(max_length=9)
    account: str = Field(max_length=20)  # расчётный счёт
    correspondent_account: str = Field(default="", max_length=20)
    is_default: bool = True


class Signatory(SQLModel, table=True):
    """A person who signs documents: for one of our business units or for a client."""

    __tablename__ = "signatory"
    id: int | None = Field(default=None, primary_key=True)
    business_unit_id: int | None = Field(default=None, foreign_key="business_unit.id", index=True)
    counterparty_id: int | None = Field(default=None, foreign_key="counterparty.id", index=True)
    full_name: str = Field(max_length=200)
    position: str = Field(default="", max_length=200)
    is_active: bool = True


class AuthorityDocument(SQLModel, table=True):
    """What gives a signatory the right to sign: a charter, a power of attorney, an order."""

    __tablename__ = "authority_document"
    id: int | None = Field(default=None, primary_key=True)
    signatory_id: int = Field(foreign_key="signatory.id", index=True)
    kind: str = Field(max_length=30)  # charter | power_of_attorney | order
    number: str = Field(default="", max_length=100)
    issued_on: date | None = None
    valid_until: date | None = Field(default=None, index=True)  # None: without a term (a charter)
    note: str = Field(default="", max_length=500)


class Shipment(SQLModel, table=True):
    """An actual shipment as 1C reports it; the same external id corrects or cancels it."""

    __tablename__ = "shipment"
    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=100, unique=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    number: str = Field(default="", max_length=50)
    shipped_on: date
    warehouse_id: int | None = Field(default=None, foreign_key="warehouse.id")
    cancelled: bool = False
    amount: Decimal = money_field()
    received_at: datetime = ts_field()


class ShipmentLine(SQLModel, table=True):
    __tablename__ = "shipment_line"
    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", index=True)
    product_id: int | None = Field(default=None, foreign_key="product.id")
    description: str = Field(default="", max_length=300)
    quantity: Decimal = qty_field()
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    price: Decimal = money_field()  # per unit, VAT included
    vat_rate: Decimal = money_field(default=Decimal("22"))
    amount: Decimal = money_field()
