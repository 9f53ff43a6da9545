"""Pages for documents and signatories: issuing from the deal card, the client's signatories, the
authority documents running out. Thin routes: form posts call the services and come back with a
flash message (the outcome, or the refusal in the reader's language)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser
from api.deps import get_session, get_settings
from api.documents import signatories
from api.documents.issuing import DocumentService, IssueIn
from api.documents.wording import local_today
from api.errors import DomainError
from api.i18n import Translator, language_of
from api.web.deps import page_user
from api.web.templating import flash, render
from models.documents import AuthorityDocument, AuthorityKind, Signatory
from models.parties import Counterparty
from settings import Settings

router = APIRouter(tags=["pages"], include_in_schema=False)


def problems(err: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '—'}: {e['msg']}" for e in err.errors())


async def act(request: Request, action: Callable[[], Awaitable[Any]], *, target: str, done: str, failed: str | None = None) -> RedirectResponse:
    """Run a form's action; flash what happened (or why not) and go to `target` (`failed` on a refusal)."""
    _ = Translator(language_of(request))
    try:
        result = await action()
    except DomainError as err:
        flash(request, _(f"error.{err.code}", **err.params), "error")
        return RedirectResponse(failed or target, status_code=303)
    except ValidationError as err:
        flash(request, _("error.InvalidRequest", problems=problems(err)), "error")
        return RedirectResponse(failed or target, status_code=303)
    flash(request, _(done, **(result if isinstance(result, dict) else {})), "ok")
    return RedirectResponse(target, status_code=303)


def optional_int(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


# --- the deal card's Documents panel --------------------------------------------------------------


@router.post("/deals/{number}/documents")
async def document_issue(
    number: int, request: Request, kind: str = Form(""), source: str = Form("deal"), issued_on: str = Form(""),
    seller_signatory_id: str = Form(""), buyer_signatory_id: str = Form(""), user: CurrentUser = Depends(page_user),
    session: AsyncSession = Depends(get_session), settings: Settings = Depends(get_settings),
) -> RedirectResponse:
    documents = DocumentService(session, settings, user)
    chosen = {"doc_kind": kind, "doc_source": source, "doc_date": issued_on, "doc_seller": seller_signatory_id, "doc_buyer": buyer_signatory_id}

    async def issue() -> dict:
        data = IssueIn(
            kind=kind, from_shipments=source == "shipments", issued_on=issued_on.strip() or None,
            seller_signatory_id=seller_signatory_id, buyer_signatory_id=optional_int(buyer_signatory_id),
        )
        row = await documents.issue(number, data)
        return {"number": row.number}

    # A refusal comes back to the same choices, so nothing typed is lost.
    failed = f"/deals/{number}?{urlencode(chosen)}#documents"
    return await act(request, issue, target=f"/deals/{number}#documents", done="documents.issued", failed=failed)


# --- signatories (both sides) ------------------------------------------------------------------


def party_page(person: Signatory) -> str:
    if person.business_unit_id is not None:
        return f"/admin/business-units/{person.business_unit_id}#signatories"
    return f"/counterparties/{person.counterparty_id}/signatories"


@router.get("/counterparties/{counterparty_id}/signatories", response_class=HTMLResponse)
async def client_signatories(
    counterparty_id: int, request: Request, user: CurrentUser = Depends(page_user), session: AsyncSession = Depends(get_session),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    client = await session.get(Counterparty, counterparty_id)
    if client is None:
        raise DomainError("UnknownReference", 404, field="counterparty_id", value=counterparty_id)
    people = await signatories.list_signatories(
        session, local_today(settings.timezone), settings.authority_warning_days, counterparty_id=counterparty_id
    )
    return render(
        request, "documents/client_signatories.html", nav="deals", client=client, people=people,
        can_manage=user.has(*signatories.CLIENT_SIDE_EDITORS), authority_kinds=[k.value for k in AuthorityKind],
        party_field="counterparty_id", party_id=counterparty_id,
    )


@router.get("/signatories/expiring", response_class=HTMLResponse)
async def expiring_page(
    request: Request, user: CurrentUser = Depends(page_user), session: AsyncSession = Depends(get_session),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    found = await signatories.expiring_authority(session, local_today(settings.timezone), settings.authority_warning_days)
    return render(request, "documents/expiring.html", nav="signatories", items=found, days=settings.authority_warning_days)


@router.post("/signatories")
async def signatory_create(
    request: Request, full_name: str = Form(""), position: str = Form(""), business_unit_id: str = Form(""),
    counterparty_id: str = Form(""), user: CurrentUser = Depends(page_user), session: AsyncSession = Depends(get_session),
) -> RedirectResponse:
    unit, client = optional_int(business_unit_id), optional_int(counterparty_id)
    target = f"/admin/business-units/{unit}#signatories" if unit else f"/counterparties/{client}/signatories"

    async def create() -> dict:
        data = signatories.SignatoryIn(full_name=full_name, position=position.strip(), business_unit_id=unit, counterparty_id=client)
        return {"name": (await signatories.create_signatory(session, user, data)).full_name}

    return await act(request, create, target=target, done="signatories.added")


async def _person(session: AsyncSession, signatory_id: int) -> Signatory:
    person = await session.get(Signatory, signatory_id)
    if person is None:
        raise DomainError("SignatoryNotFound", 404, id=signatory_id)
    return person


@router.post("/signatories/{signatory_id}")
async def signatory_edit(
    signatory_id: int, request: Request, full_name: str = Form(""), position: str = Form(""), is_active: bool = Form(False),
    user: CurrentUser = Depends(page_user), session: AsyncSession = Depends(get_session),
) -> RedirectResponse:
    person = await _person(session, signatory_id)

    async def edit() -> dict:
        data = signatories.SignatoryEdit(full_name=full_name, position=position.strip(), is_active=is_active)
        return {"name": (await signatories.update_signatory(session, user, signatory_id, data)).full_name}

    return await act(request, edit, target=party_page(person), done="signatories.saved")


@router.post("/signatories/{signatory_id}/documents")
async def authority_add(
    signatory_id: int, request: Request, kind: str = Form(""), number: str = Form(""), issued_on: str = Form(""),
    valid_until: str = Form(""), note: str = Form(""), user: CurrentUser = Depends(page_user),
    session: AsyncSession = Depends(get_session),
) -> RedirectResponse:
    person = await _person(session, signatory_id)

    async def add() -> dict:
        data = signatories.AuthorityIn(
            kind=kind, number=number.strip(), issued_on=issued_on or None, valid_until=valid_until or None, note=note.strip()
        )
        await signatories.add_authority(session, user, signatory_id, data)
        return {"name": person.full_name}

    return await act(request, add, target=party_page(person), done="signatories.document_added")


@router.post("/authority-documents/{document_id}/delete")
async def authority_remove(
    document_id: int, request: Request, user: CurrentUser = Depends(page_user), session: AsyncSession = Depends(get_session),
) -> RedirectResponse:
    document = await session.get(AuthorityDocument, document_id)
    if document is None:
        raise DomainError("UnknownReference", 404, field="document_id", value=document_id)
    person = await _person(session, document.signatory_id)

    async def remove() -> dict:
        await signatories.remove_authority(session, user, document_id)
        return {"name": person.full_name}

    return await act(request, remove, target=party_page(person), done="signatories.document_removed")
