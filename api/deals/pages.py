"""Deal pages: the list, the fast entry form, the card and the card's actions.

Thin routes over `DealService` and `queries`. The form saves through the JSON API (fetch);
the card's actions are plain form posts that redirect back to the card with a flash message
(the outcome, or the refusal in the reader's language)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from api.approvals.panel import approval_panel, latest_statuses
from api.approvals.service import ApprovalService
from api.auth.security import CurrentUser
from api.deals import access, queries
from api.deals.labels import Labels
from api.deals.schemas import CloseIn, DealFilters, PauseIn, StageMoveIn
from api.deals.service import CREATORS, DealService, deal_service
from api.deps import get_session, get_settings
from api.directory.routes import reference
from api.documents.panel import document_panel
from api.errors import DomainError
from api.i18n import Translator, language_of
from api.web.deps import page_user
from api.web.templating import flash, render, script_strings
from models.org import Role
from models.parties import Counterparty
from settings import Settings

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE_SIZE = 50


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/deals", status_code=303)


@router.get("/deals", response_class=HTMLResponse)
async def deal_list(
    request: Request,
    user: CurrentUser = Depends(page_user),
    session: AsyncSession = Depends(get_session),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    _ = Translator(language_of(request))
    params = {key: value.strip() for key, value in request.query_params.items() if value.strip()}
    problem = ""
    try:
        filters = DealFilters.model_validate({"page_size": PAGE_SIZE, **params})
    except ValidationError as err:
        problem = _("list.bad_filters", problems="; ".join(str(e["msg"]) for e in err.errors()))
        filters, params = DealFilters(page_size=PAGE_SIZE), {}
    visible = await access.visible(session, user, settings.managers_see_department)
    page = await queries.list_deals(session, visible, filters, settings.timezone)
    client = await session.get(Counterparty, filters.client_id) if filters.client_id else None

    def link(**changes: Any) -> str:
        """This list's address with some filters changed (None drops one)."""
        merged = {**params, **changes}
        kept = {key: value for key, value in merged.items() if value is not None}
        return "/deals" + ("?" + urlencode(kept) if kept else "")

    return render(
        request,
        "deals/list.html",
        nav="deals",
        page=page,
        approval=await latest_statuses(session, [row.number for row in page.rows]),
        filters=filters,
        problem=problem,
        counts=await queries.status_counts(session, visible, filters, settings.timezone),
        managers=await queries.managers(session),
        reference=(ref := await reference(session=session, user=user)),
        labels=Labels(ref, language_of(request)),
        client=client,
        link=link,
        pages=max(1, -(-page.total // page.page_size)),
    )


@router.get("/deals/new", response_class=HTMLResponse)
async def deal_new(
    request: Request, parent: int | None = None, user: CurrentUser = Depends(page_user), deals: DealService = Depends(deal_service)
) -> HTMLResponse:
    tender = None
    if parent is not None:
        row = await access.check(deals.session, user, parent, edit=False, see_department=deals.settings.managers_see_department)
        tender = await queries.deal_details(deals.session, row)
    return await _form(request, user, deals, deal=None, tender=tender)


@router.get("/deals/{number}/edit", response_class=HTMLResponse)
async def deal_edit(
    number: int, request: Request, user: CurrentUser = Depends(page_user), deals: DealService = Depends(deal_service)
) -> HTMLResponse:
    row = await access.check(deals.session, user, number, edit=True, see_department=deals.settings.managers_see_department)
    return await _form(request, user, deals, deal=await queries.deal_details(deals.session, row), tender=None)


async def _form(
    request: Request, user: CurrentUser, deals: DealService, deal: queries.DealDetails | None, tender: queries.DealDetails | None
) -> HTMLResponse:
    language = language_of(request)
    ref = await reference(session=deals.session, user=user)
    data = {
        "deal": deal,
        "tender": tender and {"number": tender.number, "client_name": tender.client_name, "lines": tender.lines},
        "reference": ref,
        "me": {"id": user.employee_id, "name": user.name, "can_assign": user.has(Role.head, Role.admin)},
        "language": language,
        "max_paste_rows": 2000,
    }
    return render(
        request,
        "deals/form.html",
        nav="new" if deal is None else "deals",
        deal=deal,
        tender=tender,
        labels=Labels(ref, language),
        form_data=jsonable_encoder(data),
        strings=script_strings(language),
    )


@router.get("/deals/{number}", response_class=HTMLResponse)
async def deal_card(
    number: int, request: Request, user: CurrentUser = Depends(page_user), deals: DealService = Depends(deal_service)
) -> HTMLResponse:
    see_department = deals.settings.managers_see_department
    row = await access.check(deals.session, user, number, edit=False, see_department=see_department)
    details = await queries.deal_details(deals.session, row)
    view = await deals.view(number)
    try:
        await access.check(deals.session, user, number, edit=True, see_department=see_department)
        can_edit = True
    except DomainError:
        can_edit = False
    balance = []
    if details.is_tender and view is not None:
        names = {(f"p{line.product_id}" if line.product_id else f"c{line.category_id}"): line.description for line in details.lines}
        balance = [(names.get(b.key, b.key), b) for b in await deals.tender_balance(number)]
    settings = deals.settings
    ref = await reference(session=deals.session, user=user)
    approval = await approval_panel(
        ApprovalService(deals.session, deals.temporal, settings), user, number, view, can_edit=can_edit, deal_status=details.status
    )
    return render(
        request,
        "deals/card.html",
        nav="deals",
        deal=details,
        view=view,
        can_edit=can_edit,
        can_copy=user.has(*CREATORS),
        # Operations staff watch deals; they do not write on them.
        can_note=user.has(Role.manager, Role.head, Role.admin, Role.erp),
        balance=balance,
        approval=approval,
        labels=Labels(ref, language_of(request)),
        current_stage=next((s for s in details.stages if s.code == details.stage_code), None),
        stage_index={s.code: i for i, s in enumerate(details.stages)},
        temporal_url=f"{settings.temporal_ui_url.rstrip('/')}/namespaces/{settings.temporal_namespace}/workflows/deal-{number}",
        today=date.today().isoformat(),
        max_file_mb=round(settings.max_file_size / 1024 / 1024, 1),
        documents=await document_panel(deals.session, user, row, settings),
    )


# --- card actions: form posts that come back to the card ------------------------------------


async def _act(request: Request, number: int, action: Callable[[], Awaitable[Any]], done: str) -> RedirectResponse:
    """Run a card action; flash what happened (or why not) and go back to the card."""
    _ = Translator(language_of(request))
    target = f"/deals/{number}"
    try:
        result = await action()
    except DomainError as err:
        flash(request, _(f"error.{err.code}", **err.params), "error")
    except ValidationError as err:
        problems = "; ".join(f"{_('field.' + str(e['loc'][0]))}: {e['msg']}" for e in err.errors() if e["loc"])
        flash(request, _("error.InvalidRequest", problems=problems), "error")
    else:
        new_number = getattr(result, "number", number)
        flash(request, _(done, number=number, new_number=new_number), "ok")
        target = f"/deals/{new_number}"
    return RedirectResponse(target, status_code=303)


@router.post("/deals/{number}/stage")
async def card_move(
    number: int, request: Request, to_stage: str = Form(...), comment: str = Form(""), deals: DealService = Depends(deal_service)
) -> RedirectResponse:
    return await _act(request, number, lambda: deals.move_stage(number, StageMoveIn(to_stage=to_stage, comment=comment)), "flash.moved")


@router.post("/deals/{number}/pause")
async def card_pause(
    number: int, request: Request, until: str = Form(""), comment: str = Form(""), deals: DealService = Depends(deal_service)
) -> RedirectResponse:
    return await _act(request, number, lambda: deals.pause(number, PauseIn(until=until, comment=comment.strip())), "flash.paused")


@router.post("/deals/{number}/resume")
async def card_resume(number: int, request: Request, deals: DealService = Depends(deal_service)) -> RedirectResponse:
    return await _act(request, number, lambda: deals.resume(number), "flash.resumed")


@router.post("/deals/{number}/close")
async def card_close(
    number: int, request: Request, won: bool = Form(...), reason: str = Form(""), deals: DealService = Depends(deal_service)
) -> RedirectResponse:
    return await _act(request, number, lambda: deals.close(number, CloseIn(won=won, reason=reason.strip())), "flash.won" if won else "flash.lost")


@router.post("/deals/{number}/copy")
async def card_copy(number: int, request: Request, deals: DealService = Depends(deal_service)) -> RedirectResponse:
    return await _act(request, number, lambda: deals.copy(number), "flash.copied")


@router.post("/deals/{number}/notes")
async def card_note(number: int, request: Request, text: str = Form(""), deals: DealService = Depends(deal_service)) -> RedirectResponse:
    async def add() -> None:
        if not text.strip():
            raise DomainError("NoteEmpty", 422)
        await deals.add_note(number, text.strip())

    return await _act(request, number, add, "flash.note_added")


@router.post("/deals/{number}/files")
async def card_file(
    number: int, request: Request, file: UploadFile | None = File(None), deals: DealService = Depends(deal_service)
) -> RedirectResponse:
    async def attach() -> None:
        if file is None or not file.filename:
            raise DomainError("FileMissing", 422)
        await deals.attach_file(number, file)

    return await _act(request, number, attach, "flash.file_added")
