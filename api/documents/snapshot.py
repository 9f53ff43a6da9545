"""An issued document's content, frozen when it is issued: the parties' requisites, the bank
account, the lines, the totals, the amount in words and the signatures with their basis.

Stored as JSON on the document's row, so a later edit of the deal, the client or the business unit
does not change a document already sent; the print forms and the Excel export read only this."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.documents.wording import amount_in_words
from api.errors import DomainError
from models.catalog import Product, Unit, Warehouse
from models.deals import Deal, SpecLine
from models.documents import BankAccount, Shipment, ShipmentLine
from models.messages.deal import round_money
from models.org import BusinessUnit
from models.parties import Counterparty


class PartyView(BaseModel):
    name: str
    full_name: str = ""
    inn: str = ""
    kpp: str = ""
    ogrn: str = ""
    address: str = ""
    phone: str = ""

    @property
    def legal_name(self) -> str:
        return self.full_name or self.name


class BankView(BaseModel):
    bank_name: str
    bik: str
    account: str
    correspondent_account: str = ""


class SignatureView(BaseModel):
    """Who signs for one side, and on what authority (as it stood on the document's date)."""

    signatory_id: int
    full_name: str
    position: str
    authority_id: int
    authority_kind: str
    basis: str  # genitive: «доверенности № 15 от 10.01.2026»
    acting: str  # «действующий» / «действующая»


class LineView(BaseModel):
    position: int
    code: str = ""
    name: str
    quantity: Decimal
    unit: str
    price: Decimal  # per unit, VAT included, before the discount
    discount_percent: Decimal = Decimal(0)
    amount: Decimal  # VAT included
    vat_rate: Decimal
    vat_amount: Decimal


class VatLine(BaseModel):
    rate: Decimal
    amount: Decimal


class TermsView(BaseModel):
    prepayment_percent: Decimal
    payment_deferral_days: int
    delivery_method: str
    warehouse: str = ""


class DocumentRef(BaseModel):
    number: str
    issued_on: date


class ShipmentRef(BaseModel):
    number: str
    shipped_on: date


class Snapshot(BaseModel):
    kind: str
    from_shipments: bool
    number: str
    issued_on: date
    deal_number: int
    seller: PartyView
    bank: BankView | None
    buyer: PartyView
    lines: list[LineView]
    total: Decimal
    vat: list[VatLine]
    amount_in_words: str
    seller_signature: SignatureView
    buyer_signature: SignatureView | None
    terms: TermsView
    corrects: DocumentRef | None = None
    shipments: list[ShipmentRef] = []

    @property
    def vat_total(self) -> Decimal:
        return sum((v.amount for v in self.vat), Decimal(0))

    @property
    def has_discounts(self) -> bool:
        return any(line.discount_percent for line in self.lines)


def totals(lines: list[LineView]) -> tuple[Decimal, list[VatLine], str]:
    """The total, VAT per rate (summed from the lines, as the lines show it) and the total in words."""
    total = sum((line.amount for line in lines), Decimal(0))
    by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in lines:
        by_rate[line.vat_rate] += line.vat_amount
    vat = [VatLine(rate=rate, amount=amount) for rate, amount in sorted(by_rate.items(), reverse=True)]
    return total, vat, amount_in_words(total)


def vat_included(amount: Decimal, rate: Decimal) -> Decimal:
    """VAT inside a VAT-inclusive amount, rounded as the deal's lines round it."""
    return round_money(amount * rate / (100 + rate))


def seller_of(unit: BusinessUnit) -> PartyView:
    missing = [name for name, value in (("inn", unit.inn), ("address", unit.address)) if not value]
    if missing:
        raise DomainError("RequisitesIncomplete", 422, unit=unit.name, unit_id=unit.id, missing=", ".join(missing))
    return PartyView(
        name=unit.name, full_name=unit.full_name, inn=unit.inn or "", kpp=unit.kpp or "", ogrn=unit.ogrn,
        address=unit.address, phone=unit.phone,
    )


def buyer_of(client: Counterparty) -> PartyView:
    return PartyView(
        name=client.name, full_name=client.full_name, inn=client.inn or "", kpp=client.kpp or "",
        address=client.address, phone=client.phone,
    )


async def bank_of(session: AsyncSession, unit: BusinessUnit, required: bool) -> BankView | None:
    """The unit's default account (or its first); an invoice cannot go out without one."""
    account = (
        await session.exec(
            select(BankAccount).where(BankAccount.business_unit_id == unit.id).order_by(BankAccount.is_default.desc(), BankAccount.id)  # type: ignore[attr-defined]
        )
    ).scalars().first()
    if account is None:
        if required:
            raise DomainError("NoBankAccount", 422, unit=unit.name, unit_id=unit.id)
        return None
    return BankView(
        bank_name=account.bank_name, bik=account.bik, account=account.account, correspondent_account=account.correspondent_account
    )


async def terms_of(session: AsyncSession, deal: Deal) -> TermsView:
    warehouse = await session.get(Warehouse, deal.warehouse_id) if deal.warehouse_id else None
    return TermsView(
        prepayment_percent=deal.prepayment_percent, payment_deferral_days=deal.payment_deferral_days,
        delivery_method=deal.delivery_method, warehouse=warehouse.name if warehouse else "",
    )


async def lines_of_deal(session: AsyncSession, deal: Deal) -> list[LineView]:
    """The specification as the card has it now; every line must name an exact item."""
    rows = (
        await session.exec(
            select(SpecLine, Product.code, Unit.name)
            .outerjoin(Product, Product.id == SpecLine.product_id)
            .outerjoin(Unit, Unit.id == SpecLine.unit_id)
            .where(SpecLine.deal_id == deal.id)
            .order_by(SpecLine.position)
        )
    ).all()
    if not rows:
        raise DomainError("DocumentWithoutLines", 422, number=deal.id)
    unfinished = [str(line.position) for line, _, _ in rows if line.product_id is None]
    if unfinished:
        raise DomainError("DocumentHasCategoryLines", 422, number=deal.id, lines=", ".join(unfinished))
    return [
        LineView(
            position=i, code=code or "", name=line.description, quantity=line.quantity, unit=unit or "",
            price=line.price, discount_percent=line.discount_percent, amount=line.amount,
            vat_rate=line.vat_rate, vat_amount=line.vat_amount,
        )
        for i, (line, code, unit) in enumerate(rows, start=1)
    ]


async def lines_shipped(session: AsyncSession, deal: Deal) -> tuple[list[LineView], list[ShipmentRef]]:
    """What was actually shipped on the deal (cancelled shipments aside), one line per item and
    price, and the shipments it came from."""
    shipments = (
        await session.exec(
            select(Shipment).where(Shipment.deal_id == deal.id, Shipment.cancelled.is_(False)).order_by(Shipment.shipped_on, Shipment.id)  # type: ignore[attr-defined]
        )
    ).scalars().all()
    if not shipments:
        raise DomainError("NoShipments", 422, number=deal.id)
    rows = (
        await session.exec(
            select(ShipmentLine, Product.code, Product.name, Unit.name)
            .outerjoin(Product, Product.id == ShipmentLine.product_id)
            .outerjoin(Unit, Unit.id == ShipmentLine.unit_id)
            .where(ShipmentLine.shipment_id.in_([s.id for s in shipments]))  # type: ignore[attr-defined]
            .order_by(ShipmentLine.shipment_id, ShipmentLine.id)
        )
    ).all()
    merged: dict[tuple, LineView] = {}
    for line, code, product_name, unit in rows:
        key = (line.product_id or line.description, line.unit_id, line.price, line.vat_rate)
        if key in merged:
            view = merged[key]
            view.quantity += line.quantity
            view.amount += line.amount
            view.vat_amount = vat_included(view.amount, view.vat_rate)
            continue
        merged[key] = LineView(
            position=len(merged) + 1, code=code or "", name=line.description or product_name or "", quantity=line.quantity,
            unit=unit or "", price=line.price, amount=line.amount, vat_rate=line.vat_rate,
            vat_amount=vat_included(line.amount, line.vat_rate),
        )
    return list(merged.values()), [ShipmentRef(number=s.number or s.external_id, shipped_on=s.shipped_on) for s in shipments]
