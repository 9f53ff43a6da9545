"""What documents are made of besides the deal: our organisations' bank accounts, the people who
sign on either side with the documents that give them the right, and actual shipments (from 1C)
that corrected forms and invoices are built from; the numbering rules per business unit and the
documents issued under them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import json_field, money_field, qty_field, ts_field


class DocumentKind(StrEnum):
    specification = "specification"
    invoice = "invoice"  # счёт на оплату
    invoice_contract = "invoice_contract"  # счёт-договор


class ResetPeriod(StrEnum):
    never = "never"
    yearly = "yearly"
    monthly = "monthly"


class AuthorityKind(StrEnum):
    charter = "charter"  # устав: the director, without a term
    power_of_attorney = "power_of_attorney"
    order = "order"  # приказ


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


class NumberingRule(SQLModel, table=True):
    """How one business unit numbers one kind of document, e.g. ТС-2026-МСК-000123."""

    __tablename__ = "numbering_rule"
    __table_args__ = (UniqueConstraint("business_unit_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    business_unit_id: int = Field(foreign_key="business_unit.id", index=True)
    kind: str = Field(max_length=20)  # a DocumentKind
    prefix: str = Field(default="", max_length=20)
    year_format: str = Field(default="YYYY", max_length=10)  # YYYY, YY and MM tokens, or empty
    office_code: str = Field(default="", max_length=20)
    width: int = 6  # digits of the sequence, zero-padded
    reset: str = Field(default="yearly", max_length=10)  # a ResetPeriod
    separator: str = Field(default="-", max_length=3)
    updated_at: datetime = ts_field()


class NumberingCounter(SQLModel, table=True):
    """The last number taken under a rule in a period ("" for never, "2026", "2026-03").

    Incremented in the transaction that inserts the document: the row lock serialises issuers,
    and a document that fails to save rolls its number back."""

    __tablename__ = "numbering_counter"
    rule_id: int = Field(foreign_key="numbering_rule.id", primary_key=True)
    period: str = Field(default="", max_length=7, primary_key=True)
    value: int = 0


class IssuedDocument(SQLModel, table=True):
    """A specification, invoice or invoice-contract as it was issued: its lines, parties and
    signatories are a snapshot and its HTML is kept, so it prints the same forever."""

    __tablename__ = "issued_document"
    __table_args__ = (UniqueConstraint("business_unit_id", "kind", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    business_unit_id: int = Field(foreign_key="business_unit.id", index=True)
    kind: str = Field(max_length=20)  # a DocumentKind
    from_shipments: bool = False  # a corrected form: what was actually shipped
    corrects_id: int | None = Field(default=None, foreign_key="issued_document.id")
    rule_id: int = Field(foreign_key="numbering_rule.id")
    number: str = Field(max_length=60)
    issued_on: date
    seller_signatory_id: int | None = Field(default=None, foreign_key="signatory.id")
    buyer_signatory_id: int | None = Field(default=None, foreign_key="signatory.id")
    amount: Decimal = money_field()
    vat_amount: Decimal = money_field()
    snapshot: dict = json_field(dict)
    html: str = Field(sa_column=Column(Text, nullable=False))
    issued_by_id: int | None = Field(default=None, foreign_key="employee.id")
    issued_at: datetime = ts_field()
