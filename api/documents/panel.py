"""What the deal card's "Documents" panel shows: the documents issued, who may sign on each side
(with their authority flagged when it runs out soon), and the shipments corrected forms use."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser
from api.deals import access
from api.documents import signatories
from api.documents.issuing import DocumentOut, DocumentService
from api.documents.wording import local_today
from api.errors import DomainError
from models.deals import Deal
from models.documents import DocumentKind, Shipment
from settings import Settings


class ShipmentRow(BaseModel):
    number: str
    shipped_on: date
    amount: Decimal
    cancelled: bool


class DocumentPanel(BaseModel):
    documents: list[DocumentOut]
    sellers: list[signatories.SignatoryOut]
    buyers: list[signatories.SignatoryOut]
    shipments: list[ShipmentRow]
    kinds: list[str]
    can_issue: bool
    today: date
    business_unit_id: int
    client_id: int


async def document_panel(session: AsyncSession, user: CurrentUser, deal: Deal, settings: Settings) -> DocumentPanel:
    today = local_today(settings.timezone)
    warn = settings.authority_warning_days
    try:
        await access.check(session, user, deal.id, edit=True, see_department=settings.managers_see_department)
        can_issue = deal.status != "lost"
    except DomainError:
        can_issue = False
    shipped = (
        await session.exec(select(Shipment).where(Shipment.deal_id == deal.id).order_by(Shipment.shipped_on, Shipment.id))
    ).scalars()
    return DocumentPanel(
        documents=await DocumentService(session, settings, user).of_deal(deal.id),
        sellers=await signatories.list_signatories(session, today, warn, business_unit_id=deal.business_unit_id, active_only=True),
        buyers=await signatories.list_signatories(session, today, warn, counterparty_id=deal.client_id, active_only=True),
        shipments=[
            ShipmentRow(number=s.number or s.external_id, shipped_on=s.shipped_on, amount=s.amount, cancelled=s.cancelled)
            for s in shipped
        ],
        kinds=[kind.value for kind in DocumentKind],
        can_issue=can_issue,
        today=today,
        business_unit_id=deal.business_unit_id,
        client_id=deal.client_id,
    )
