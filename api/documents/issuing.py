"""Issuing a deal's documents: a specification, an invoice for payment, an invoice-contract, each
either from the deal's specification or (a corrected form) from what was actually shipped.

Documents are not process state: the deal's workflow neither decides nor waits on them, so the
service writes them directly, like notes and files. Everything is checked first (who may, the
seller's requisites and bank account, the lines, the signatories' authority on the document's
date); then one transaction takes the number, freezes the snapshot and its HTML and inserts the
row — if the insert fails, the number goes back with the rollback."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from fastapi import Depends
from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser, require_user
from api.deals import access
from api.deps import get_session, get_settings
from api.documents import numbering, snapshot
from api.documents.render import render_html
from api.documents.signatories import signature_for
from api.documents.wording import local_today
from api.errors import DomainError
from models.deals import Deal
from models.documents import DocumentKind, IssuedDocument, Signatory
from models.org import BusinessUnit, Employee
from models.parties import Counterparty
from settings import Settings

BUYER_SIGNS = (DocumentKind.specification, DocumentKind.invoice_contract)  # an invoice has one side only


class IssueIn(BaseModel):
    kind: DocumentKind
    from_shipments: bool = False  # a corrected form: the lines are what was actually shipped
    issued_on: date | None = None  # today (company time zone) when empty
    seller_signatory_id: int
    buyer_signatory_id: int | None = None  # blank lines on the form when empty


class DocumentOut(BaseModel):
    id: int
    deal_number: int
    business_unit_id: int
    kind: str
    from_shipments: bool
    number: str
    issued_on: date
    amount: Decimal
    vat_amount: Decimal
    seller_signatory: str
    buyer_signatory: str
    corrects: str
    issued_by: str
    issued_at: datetime

    @classmethod
    def of(cls, row: IssuedDocument, snap: snapshot.Snapshot, issued_by: str) -> DocumentOut:
        return cls(
            id=row.id, deal_number=row.deal_id, business_unit_id=row.business_unit_id, kind=row.kind,
            from_shipments=row.from_shipments, number=row.number, issued_on=row.issued_on, amount=row.amount,
            vat_amount=row.vat_amount, seller_signatory=snap.seller_signature.full_name,
            buyer_signatory=snap.buyer_signature.full_name if snap.buyer_signature else "",
            corrects=snap.corrects.number if snap.corrects else "", issued_by=issued_by, issued_at=row.issued_at,
        )


class DocumentService:
    def __init__(self, session: AsyncSession, settings: Settings, user: CurrentUser) -> None:
        self.session = session
        self.settings = settings
        self.user = user

    def today(self) -> date:
        return local_today(self.settings.timezone)

    async def deal(self, number: int, *, edit: bool) -> Deal:
        return await access.check(self.session, self.user, number, edit=edit, see_department=self.settings.managers_see_department)

    async def issue(self, number: int, data: IssueIn) -> IssuedDocument:
        deal = await self.deal(number, edit=True)
        if deal.status == "lost":
            raise DomainError("DealLost", 409, number=number)
        on = data.issued_on or self.today()
        unit = await self.session.get(BusinessUnit, deal.business_unit_id)
        client = await self.session.get(Counterparty, deal.client_id)
        assert unit is not None and client is not None
        seller = snapshot.seller_of(unit)
        bank = await snapshot.bank_of(self.session, unit, required=data.kind != DocumentKind.specification)
        if data.from_shipments:
            lines, shipments = await snapshot.lines_shipped(self.session, deal)
        else:
            lines, shipments = await snapshot.lines_of_deal(self.session, deal), []
        seller_signature = await signature_for(self.session, data.seller_signatory_id, on, business_unit_id=unit.id)
        buyer_signature = None
        if data.buyer_signatory_id is not None and data.kind in BUYER_SIGNS:
            buyer_signature = await signature_for(self.session, data.buyer_signatory_id, on, counterparty_id=client.id)
        # A corrected form replaces the deal's latest document of its kind, if there is one.
        replaced = await self._latest(deal.id, data.kind) if data.from_shipments else None
        corrects = snapshot.DocumentRef(number=replaced.number, issued_on=replaced.issued_on) if replaced else None
        rule = (await numbering.ensure_rules(self.session, unit))[data.kind.value]
        total, vat, words = snapshot.totals(lines)
        terms = await snapshot.terms_of(self.session, deal)
        # From here on one transaction: the number is ours until commit, or given back.
        try:
            number_text = await self._free_number(rule, unit.id, data.kind, on)
            frozen = snapshot.Snapshot(
                kind=data.kind.value, from_shipments=data.from_shipments, number=number_text, issued_on=on,
                deal_number=deal.id, seller=seller, bank=bank, buyer=snapshot.buyer_of(client), lines=lines, total=total,
                vat=vat, amount_in_words=words, seller_signature=seller_signature, buyer_signature=buyer_signature,
                terms=terms, corrects=corrects, shipments=shipments,
            )
            row = IssuedDocument(
                deal_id=deal.id, business_unit_id=unit.id, kind=data.kind.value, from_shipments=data.from_shipments,
                corrects_id=replaced.id if replaced else None, rule_id=rule.id, number=number_text,
                issued_on=on, seller_signatory_id=seller_signature.signatory_id,
                buyer_signatory_id=buyer_signature.signatory_id if buyer_signature else None, amount=total,
                vat_amount=frozen.vat_total, snapshot=frozen.model_dump(mode="json"), html=render_html(frozen),
                issued_by_id=self.user.employee_id,
            )
            self.session.add(row)
            await self.session.commit()
        except Exception:
            await self.session.rollback()  # the number goes back with the row
            raise
        return row

    async def _free_number(self, rule, unit_id: int, kind: DocumentKind, on: date) -> str:  # noqa: ANN001
        """The next number not already used: after an administrator changed a rule's format the
        sequence may run into numbers issued under the old one; those are stepped over."""
        for _ in range(1000):
            candidate = await numbering.allocate(self.session, rule, on)
            taken = await self.session.exec(
                select(IssuedDocument.id).where(
                    IssuedDocument.business_unit_id == unit_id, IssuedDocument.kind == kind.value, IssuedDocument.number == candidate
                )
            )
            if taken.first() is None:
                return candidate
        raise DomainError("DocumentNumberTaken", 409, number=candidate)

    async def _latest(self, deal_id: int, kind: DocumentKind) -> IssuedDocument | None:
        query = (
            select(IssuedDocument)
            .where(IssuedDocument.deal_id == deal_id, IssuedDocument.kind == kind.value)
            .order_by(IssuedDocument.id.desc())  # type: ignore[union-attr]
        )
        return (await self.session.exec(query)).scalars().first()

    # --- reading ----------------------------------------------------------------------------

    async def of_deal(self, number: int) -> list[DocumentOut]:
        await self.deal(number, edit=False)
        rows = (
            await self.session.exec(
                select(IssuedDocument, Employee.full_name)
                .outerjoin(Employee, Employee.id == IssuedDocument.issued_by_id)
                .where(IssuedDocument.deal_id == number)
                .order_by(IssuedDocument.id.desc())  # type: ignore[union-attr]
            )
        ).all()
        return [DocumentOut.of(row, snapshot.Snapshot.model_validate(row.snapshot), who or "") for row, who in rows]

    async def get(self, document_id: int) -> tuple[IssuedDocument, snapshot.Snapshot]:
        """An issued document the user may see (through its deal)."""
        row = await self.session.get(IssuedDocument, document_id)
        if row is None:
            raise DomainError("DocumentNotFound", 404, id=document_id)
        await self.deal(row.deal_id, edit=False)
        return row, snapshot.Snapshot.model_validate(row.snapshot)

    async def signatories_for(self, deal: Deal) -> tuple[list[Signatory], list[Signatory]]:
        """Who may be chosen on the deal's forms: the unit's people and the client's."""
        ours = select(Signatory).where(Signatory.business_unit_id == deal.business_unit_id, Signatory.is_active)
        theirs = select(Signatory).where(Signatory.counterparty_id == deal.client_id, Signatory.is_active)
        return (
            list((await self.session.exec(ours.order_by(Signatory.full_name))).scalars()),
            list((await self.session.exec(theirs.order_by(Signatory.full_name))).scalars()),
        )


def document_service(
    session: AsyncSession = Depends(get_session),
    settings: Settings = Depends(get_settings),
    user: CurrentUser = Depends(require_user),
) -> DocumentService:
    return DocumentService(session, settings, user)

