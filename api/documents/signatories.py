"""People who sign documents, ours and the clients', with the documents that give them the right.

A form is signed only by someone whose authority document is in force on the form's date;
`signature_for` picks that document (a charter before a power of attorney, else the one that
runs longest) or refuses, naming the person and the document. `expiring_authority` is what the
scheduled reminder (notifications work) calls: documents running out within N days that nothing
newer replaces."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser
from api.documents.snapshot import SignatureView
from api.documents.wording import acting, authority_basis, authority_name, short_date
from api.errors import DomainError
from models.documents import AuthorityDocument, AuthorityKind, Signatory
from models.org import BusinessUnit, Role
from models.parties import Counterparty

CLIENT_SIDE_EDITORS = (Role.manager, Role.head, Role.admin, Role.erp)


class SignatoryIn(BaseModel):
    business_unit_id: int | None = None  # one of ours…
    counterparty_id: int | None = None  # …or the client's
    full_name: str = Field(min_length=3, max_length=200)
    position: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _one_side(self) -> SignatoryIn:
        if (self.business_unit_id is None) == (self.counterparty_id is None):
            raise ValueError("give either business_unit_id (our signatory) or counterparty_id (the client's)")
        self.full_name = " ".join(self.full_name.split())
        return self


class SignatoryEdit(BaseModel):
    full_name: str = Field(min_length=3, max_length=200)
    position: str = Field(default="", max_length=200)
    is_active: bool = True


class AuthorityIn(BaseModel):
    kind: AuthorityKind
    number: str = Field(default="", max_length=100)
    issued_on: date | None = None
    valid_until: date | None = None
    note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _a_term_that_makes_sense(self) -> AuthorityIn:
        if self.kind == AuthorityKind.power_of_attorney and (self.issued_on is None or self.valid_until is None):
            raise ValueError("a power of attorney needs its date of issue and its term (valid_until)")
        if self.issued_on and self.valid_until and self.valid_until < self.issued_on:
            raise ValueError("valid_until is before issued_on")
        return self


class AuthorityOut(BaseModel):
    id: int
    kind: str
    number: str
    issued_on: date | None
    valid_until: date | None
    note: str
    state: str  # valid | expiring | expired | not_yet
    days_left: int | None


class SignatoryOut(BaseModel):
    id: int
    business_unit_id: int | None
    counterparty_id: int | None
    full_name: str
    position: str
    is_active: bool
    can_sign_today: bool
    documents: list[AuthorityOut]


class ExpiringAuthority(BaseModel):
    """One document running out: for the pages' flags and the scheduled reminder."""

    signatory_id: int
    full_name: str
    position: str
    side: str  # ours | client
    party_id: int
    party_name: str
    document_id: int
    kind: str
    number: str
    issued_on: date | None
    valid_until: date
    days_left: int


def in_force(document: AuthorityDocument, on: date) -> bool:
    return (document.issued_on is None or document.issued_on <= on) and (document.valid_until is None or document.valid_until >= on)


def state_of(document: AuthorityDocument, today: date, warn_days: int) -> tuple[str, int | None]:
    if document.issued_on and document.issued_on > today:
        return "not_yet", None
    if document.valid_until is None:
        return "valid", None
    left = (document.valid_until - today).days
    if left < 0:
        return "expired", left
    return ("expiring" if left <= warn_days else "valid"), left


def may_manage(user: CurrentUser, signatory_business_unit_id: int | None) -> None:
    """Our signatories are the administrator's; the clients' are the sales people's too."""
    allowed = (Role.admin,) if signatory_business_unit_id is not None else CLIENT_SIDE_EDITORS
    if not user.has(*allowed):
        raise DomainError("Forbidden", 403, roles=", ".join(allowed))


async def documents_of(session: AsyncSession, signatory_ids: list[int]) -> dict[int, list[AuthorityDocument]]:
    rows = (
        await session.exec(
            select(AuthorityDocument).where(AuthorityDocument.signatory_id.in_(signatory_ids)).order_by(AuthorityDocument.id)  # type: ignore[attr-defined]
        )
    ).scalars()
    found: dict[int, list[AuthorityDocument]] = {i: [] for i in signatory_ids}
    for document in rows:
        found[document.signatory_id].append(document)
    return found


async def list_signatories(
    session: AsyncSession, today: date, warn_days: int, *, business_unit_id: int | None = None,
    counterparty_id: int | None = None, active_only: bool = False,
) -> list[SignatoryOut]:
    query = select(Signatory).order_by(Signatory.full_name)
    if business_unit_id is not None:
        query = query.where(Signatory.business_unit_id == business_unit_id)
    if counterparty_id is not None:
        query = query.where(Signatory.counterparty_id == counterparty_id)
    if active_only:
        query = query.where(Signatory.is_active)
    people = (await session.exec(query)).scalars().all()
    documents = await documents_of(session, [p.id for p in people])
    return [_out(p, documents[p.id], today, warn_days) for p in people]


async def describe(session: AsyncSession, signatory_id: int, today: date, warn_days: int) -> SignatoryOut:
    person = await _signatory(session, signatory_id)
    return _out(person, (await documents_of(session, [signatory_id]))[signatory_id], today, warn_days)


def _out(person: Signatory, documents: list[AuthorityDocument], today: date, warn_days: int) -> SignatoryOut:
    views = []
    for d in documents:
        state, left = state_of(d, today, warn_days)
        views.append(AuthorityOut(
            id=d.id, kind=d.kind, number=d.number, issued_on=d.issued_on, valid_until=d.valid_until, note=d.note,
            state=state, days_left=left,
        ))
    return SignatoryOut(
        id=person.id, business_unit_id=person.business_unit_id, counterparty_id=person.counterparty_id,
        full_name=person.full_name, position=person.position, is_active=person.is_active,
        can_sign_today=person.is_active and any(in_force(d, today) for d in documents), documents=views,
    )


async def create_signatory(session: AsyncSession, user: CurrentUser, data: SignatoryIn) -> Signatory:
    may_manage(user, data.business_unit_id)
    party, field, value = (
        (BusinessUnit, "business_unit_id", data.business_unit_id)
        if data.business_unit_id is not None
        else (Counterparty, "counterparty_id", data.counterparty_id)
    )
    if await session.get(party, value) is None:
        raise DomainError("UnknownReference", 422, field=field, value=value)
    person = Signatory(**data.model_dump())
    session.add(person)
    await session.commit()
    return person


async def _signatory(session: AsyncSession, signatory_id: int) -> Signatory:
    person = await session.get(Signatory, signatory_id)
    if person is None:
        raise DomainError("SignatoryNotFound", 404, id=signatory_id)
    return person


async def update_signatory(session: AsyncSession, user: CurrentUser, signatory_id: int, data: SignatoryEdit) -> Signatory:
    person = await _signatory(session, signatory_id)
    may_manage(user, person.business_unit_id)
    person.full_name, person.position, person.is_active = " ".join(data.full_name.split()), data.position, data.is_active
    await session.commit()
    return person


async def add_authority(session: AsyncSession, user: CurrentUser, signatory_id: int, data: AuthorityIn) -> AuthorityDocument:
    person = await _signatory(session, signatory_id)
    may_manage(user, person.business_unit_id)
    document = AuthorityDocument(signatory_id=signatory_id, **data.model_dump())
    session.add(document)
    await session.commit()
    return document


async def remove_authority(session: AsyncSession, user: CurrentUser, document_id: int) -> Signatory:
    document = await session.get(AuthorityDocument, document_id)
    if document is None:
        raise DomainError("UnknownReference", 404, field="document_id", value=document_id)
    person = await _signatory(session, document.signatory_id)
    may_manage(user, person.business_unit_id)
    await session.delete(document)
    await session.commit()
    return person


async def signature_for(
    session: AsyncSession, signatory_id: int, on: date, *, business_unit_id: int | None = None, counterparty_id: int | None = None
) -> SignatureView:
    """The signature block for a form dated `on`, or a refusal naming the person and the document."""
    person = await session.get(Signatory, signatory_id)
    if person is None or person.business_unit_id != business_unit_id or person.counterparty_id != counterparty_id:
        side = "seller_signatory_id" if business_unit_id is not None else "buyer_signatory_id"
        raise DomainError("SignatoryOfAnotherParty", 422, field=side, value=signatory_id)
    if not person.is_active:
        raise DomainError("SignatoryInactive", 422, name=person.full_name)
    documents = (await documents_of(session, [signatory_id]))[signatory_id]
    if not documents:
        raise DomainError("SignatoryWithoutAuthority", 422, name=person.full_name)
    valid = [d for d in documents if in_force(d, on)]
    if not valid:
        latest = max(documents, key=lambda d: d.valid_until or date.max)
        described = authority_name(latest.kind, latest.number, latest.issued_on)
        if latest.valid_until is not None and latest.valid_until < on:
            raise DomainError(
                "AuthorityExpired", 422, name=person.full_name, document=described,
                expired=short_date(latest.valid_until), on=short_date(on),
            )
        raise DomainError("AuthorityNotYetValid", 422, name=person.full_name, document=described, on=short_date(on))
    # A charter has no term; otherwise the document that runs longest.
    best = max(valid, key=lambda d: d.valid_until or date.max)
    return SignatureView(
        signatory_id=signatory_id, full_name=person.full_name, position=person.position, authority_id=best.id,
        authority_kind=best.kind, basis=authority_basis(best.kind, best.number, best.issued_on), acting=acting(person.full_name),
    )


async def expiring_authority(session: AsyncSession, today: date, within_days: int) -> list[ExpiringAuthority]:
    """Documents of active signatories that run out between today and today + `within_days`,
    unless another document of the same person runs longer (a renewed power of attorney)."""
    horizon = today + timedelta(days=within_days)
    rows = (
        await session.exec(
            select(AuthorityDocument, Signatory, BusinessUnit.name, Counterparty.name)
            .join(Signatory, Signatory.id == AuthorityDocument.signatory_id)
            .outerjoin(BusinessUnit, BusinessUnit.id == Signatory.business_unit_id)
            .outerjoin(Counterparty, Counterparty.id == Signatory.counterparty_id)
            .where(Signatory.is_active, AuthorityDocument.valid_until >= today, AuthorityDocument.valid_until <= horizon)  # type: ignore[operator]
            .order_by(AuthorityDocument.valid_until, Signatory.full_name)
        )
    ).all()
    others = await documents_of(session, sorted({person.id for _, person, _, _ in rows}))
    found = []
    for document, person, unit_name, client_name in rows:
        renewed = any(
            other.id != document.id and (other.valid_until is None or other.valid_until > document.valid_until)
            for other in others[person.id]
        )
        if renewed:
            continue
        ours = person.business_unit_id is not None
        found.append(ExpiringAuthority(
            signatory_id=person.id, full_name=person.full_name, position=person.position, side="ours" if ours else "client",
            party_id=person.business_unit_id if ours else person.counterparty_id, party_name=unit_name if ours else client_name,
            document_id=document.id, kind=document.kind, number=document.number, issued_on=document.issued_on,
            valid_until=document.valid_until, days_left=(document.valid_until - today).days,
        ))
    return found
