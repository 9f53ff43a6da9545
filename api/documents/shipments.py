"""Recording an actual shipment as 1C reports it: the same external id replaces the earlier
report (a correction) or cancels it. The 1C exchange (issue 6) will call this; tests and the demo
call it directly. Corrected forms and invoices from shipments read what it stores."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.errors import DomainError
from models.catalog import Product
from models.deals import Deal
from models.documents import Shipment, ShipmentLine
from models.messages.deal import DEFAULT_VAT_RATE, round_money


class ShippedLine(BaseModel):
    product_id: int | None = None
    description: str = Field(default="", max_length=300)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=3)
    unit_id: int | None = None
    price: Decimal = Field(ge=0, max_digits=18, decimal_places=2)  # per unit, VAT included
    vat_rate: Decimal = DEFAULT_VAT_RATE


class ShipmentIn(BaseModel):
    external_id: str = Field(min_length=1, max_length=100)
    deal_number: int
    number: str = Field(default="", max_length=50)
    shipped_on: date
    warehouse_id: int | None = None
    cancelled: bool = False
    lines: list[ShippedLine] = []


async def record_shipment(session: AsyncSession, data: ShipmentIn) -> Shipment:
    if await session.get(Deal, data.deal_number) is None:
        raise DomainError("DealNotFound", 404, number=data.deal_number)
    shipment = (await session.exec(select(Shipment).where(Shipment.external_id == data.external_id))).scalar_one_or_none()
    if shipment is None:
        shipment = Shipment(external_id=data.external_id, deal_id=data.deal_number, shipped_on=data.shipped_on)
        session.add(shipment)
    else:
        await session.exec(delete(ShipmentLine).where(ShipmentLine.shipment_id == shipment.id))
    shipment.deal_id, shipment.number, shipment.shipped_on = data.deal_number, data.number, data.shipped_on
    shipment.warehouse_id, shipment.cancelled, shipment.received_at = data.warehouse_id, data.cancelled, datetime.now(UTC)
    await session.flush()
    total = Decimal(0)
    for line in data.lines:
        product = await session.get(Product, line.product_id) if line.product_id else None
        amount = round_money(line.quantity * line.price)
        total += amount
        session.add(ShipmentLine(
            shipment_id=shipment.id, product_id=line.product_id, description=line.description or (product.name if product else ""),
            quantity=line.quantity, unit_id=line.unit_id or (product.unit_id if product else None), price=line.price,
            vat_rate=line.vat_rate, amount=amount,
        ))
    shipment.amount = total
    await session.commit()
    return shipment
