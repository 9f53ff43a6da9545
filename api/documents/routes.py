"""JSON API for documents, signatories, business units' requisites and numbering rules."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser, require_roles, require_user
from api.deps import get_session, get_settings
from api.documents import numbering, requisites, signatories
from api.documents.issuing import DocumentOut, DocumentService, IssueIn, document_service
from api.documents.render import name_of, render_pdf
from api.documents.snapshot import Snapshot
from api.documents.wording import local_today
from api.documents.xlsx import workbook_bytes
from models.documents import BankAccount, NumberingRule
from models.org import Role
from settings import Settings

router = APIRouter(prefix="/api", tags=["documents"])
admin = require_roles(Role.admin)


def download(content: bytes | str, media_type: str, file_name: str) -> Response:
    return Response(content, media_type=media_type, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(file_name)}"})


def file_name(doc: Snapshot, extension: str) -> str:
    return f"{name_of(doc)} {doc.number}.{extension}"


# --- documents ---------------------------------------------------------------------------------


@router.get("/deals/{number}/documents", response_model=list[DocumentOut])
async def deal_documents(number: int, documents: DocumentService = Depends(document_service)) -> list[DocumentOut]:
    return await documents.of_deal(number)


@router.post("/deals/{number}/documents", status_code=status.HTTP_201_CREATED, response_model=DocumentOut)
async def document_issue(number: int, data: IssueIn, documents: DocumentService = Depends(document_service)) -> DocumentOut:
    """Issue a document of the deal; its number follows the deal's business unit's rule."""
    row = await documents.issue(number, data)
    return DocumentOut.of(row, Snapshot.model_validate(row.snapshot), documents.user.name)


class DocumentWithContent(DocumentOut):
    snapshot: Snapshot


@router.get("/documents/{document_id}", response_model=DocumentWithContent)
async def document_get(document_id: int, documents: DocumentService = Depends(document_service)) -> DocumentWithContent:
    row, doc = await documents.get(document_id)
    return DocumentWithContent(**DocumentOut.of(row, doc, "").model_dump(), snapshot=doc)


@router.get("/documents/{document_id}/pdf")
async def document_pdf(document_id: int, documents: DocumentService = Depends(document_service)) -> Response:
    row, doc = await documents.get(document_id)
    return download(await asyncio.to_thread(render_pdf, row.html), "application/pdf", file_name(doc, "pdf"))


@router.get("/documents/{document_id}/html")
async def document_html(document_id: int, documents: DocumentService = Depends(document_service)) -> Response:
    row, doc = await documents.get(document_id)
    return download(row.html, "text/html; charset=utf-8", file_name(doc, "html"))


@router.get("/documents/{document_id}/xlsx")
async def document_xlsx(document_id: int, documents: DocumentService = Depends(document_service)) -> Response:
    _, doc = await documents.get(document_id)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return download(await asyncio.to_thread(workbook_bytes, doc), media, file_name(doc, "xlsx"))


# --- signatories -------------------------------------------------------------------------------


@router.get("/signatories", response_model=list[signatories.SignatoryOut])
async def signatory_list(
    business_unit_id: int | None = None, counterparty_id: int | None = None, session: AsyncSession = Depends(get_session),
    settings: Settings = Depends(get_settings), user: CurrentUser = Depends(require_user),
) -> list[signatories.SignatoryOut]:
    return await signatories.list_signatories(
        session, local_today(settings.timezone), settings.authority_warning_days, business_unit_id=business_unit_id, counterparty_id=counterparty_id
    )


@router.get("/signatories/expiring", response_model=list[signatories.ExpiringAuthority])
async def signatory_expiring(
    days: int | None = None, session: AsyncSession = Depends(get_session), settings: Settings = Depends(get_settings),
    user: CurrentUser = Depends(require_user),
) -> list[signatories.ExpiringAuthority]:
    """Authority documents running out within `days` (the setting AUTHORITY_WARNING_DAYS by default)."""
    return await signatories.expiring_authority(session, local_today(settings.timezone), settings.authority_warning_days if days is None else days)


async def _signatory_out(session: AsyncSession, settings: Settings, signatory_id: int) -> signatories.SignatoryOut:
    return await signatories.describe(session, signatory_id, local_today(settings.timezone), settings.authority_warning_days)


@router.post("/signatories", status_code=status.HTTP_201_CREATED, response_model=signatories.SignatoryOut)
async def signatory_create(
    data: signatories.SignatoryIn, session: AsyncSession = Depends(get_session), settings: Settings = Depends(get_settings),
    user: CurrentUser = Depends(require_user),
) -> signatories.SignatoryOut:
    person = await signatories.create_signatory(session, user, data)
    return await _signatory_out(session, settings, person.id)


@router.put("/signatories/{signatory_id}", response_model=signatories.SignatoryOut)
async def signatory_update(
    signatory_id: int, data: signatories.SignatoryEdit, session: AsyncSession = Depends(get_session),
    settings: Settings = Depends(get_settings), user: CurrentUser = Depends(require_user),
) -> signatories.SignatoryOut:
    await signatories.update_signatory(session, user, signatory_id, data)
    return await _signatory_out(session, settings, signatory_id)


@router.post("/signatories/{signatory_id}/documents", status_code=status.HTTP_201_CREATED, response_model=signatories.SignatoryOut)
async def authority_add(
    signatory_id: int, data: signatories.AuthorityIn, session: AsyncSession = Depends(get_session),
    settings: Settings = Depends(get_settings), user: CurrentUser = Depends(require_user),
) -> signatories.SignatoryOut:
    await signatories.add_authority(session, user, signatory_id, data)
    return await _signatory_out(session, settings, signatory_id)


@router.delete("/authority-documents/{document_id}", response_model=signatories.SignatoryOut)
async def authority_remove(
    document_id: int, session: AsyncSession = Depends(get_session), settings: Settings = Depends(get_settings),
    user: CurrentUser = Depends(require_user),
) -> signatories.SignatoryOut:
    person = await signatories.remove_authority(session, user, document_id)
    return await _signatory_out(session, settings, person.id)


# --- business units: requisites, bank accounts, numbering ---------------------------------------


@router.get("/business-units", response_model=list[requisites.BusinessUnitOut])
async def business_units(session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(require_user)) -> list[requisites.BusinessUnitOut]:
    return await requisites.all_units(session)


@router.put("/business-units/{unit_id}", response_model=requisites.BusinessUnitOut)
async def business_unit_update(
    unit_id: int, data: requisites.RequisitesIn, session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(admin)
) -> requisites.BusinessUnitOut:
    return await requisites.describe(session, await requisites.update_requisites(session, unit_id, data))


@router.post("/business-units/{unit_id}/bank-accounts", status_code=status.HTTP_201_CREATED, response_model=BankAccount)
async def bank_account_add(
    unit_id: int, data: requisites.BankAccountIn, session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(admin)
) -> BankAccount:
    return await requisites.add_bank_account(session, unit_id, data)


@router.post("/bank-accounts/{account_id}/default", response_model=BankAccount)
async def bank_account_default(account_id: int, session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(admin)) -> BankAccount:
    return await requisites.make_default(session, account_id)


@router.delete("/bank-accounts/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
async def bank_account_remove(account_id: int, session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(admin)) -> None:
    await requisites.remove_bank_account(session, account_id)


class RuleOut(BaseModel):
    rule: NumberingRule
    next_number: str


@router.get("/business-units/{unit_id}/numbering-rules", response_model=list[RuleOut])
async def numbering_rules(
    unit_id: int, session: AsyncSession = Depends(get_session), settings: Settings = Depends(get_settings), user: CurrentUser = Depends(admin)
) -> list[RuleOut]:
    rules = await numbering.ensure_rules(session, await requisites.unit_or_404(session, unit_id))
    return [RuleOut(rule=rule, next_number=await numbering.next_number(session, rule, local_today(settings.timezone))) for rule in rules.values()]


@router.put("/numbering-rules/{rule_id}", response_model=NumberingRule)
async def numbering_rule_update(
    rule_id: int, data: numbering.RuleIn, session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(admin)
) -> NumberingRule:
    return await numbering.update_rule(session, rule_id, data)
