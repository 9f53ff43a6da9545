"""JSON API for deals: the same operations the pages offer, for scripts and machine clients."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Response, UploadFile, status
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser, require_user
from api.deals import access, paste
from api.deals.queries import DealDetails, deal_details, list_deals
from api.deals.schemas import (
    CloseIn,
    DealCreate,
    DealFilters,
    DealPage,
    DealSaved,
    DealUpdate,
    NoteIn,
    PasteIn,
    PasteOut,
    PauseIn,
    StageMoveIn,
)
from api.deals.service import DealService, deal_service
from api.deps import get_session, get_settings
from api.errors import DomainError
from api.i18n import Translator
from models.deals import DealFile
from models.messages.deal import DealView, TenderBalanceLine
from settings import Settings

router = APIRouter(prefix="/api", tags=["deals"])


@router.get("/deals", response_model=DealPage)
async def deals_list(
    filters: DealFilters = Depends(),
    session: AsyncSession = Depends(get_session),
    user: CurrentUser = Depends(require_user),
    settings: Settings = Depends(get_settings),
) -> DealPage:
    visible = await access.visible(session, user, settings.managers_see_department)
    return await list_deals(session, visible, filters, settings.timezone)


@router.post("/deals", status_code=status.HTTP_201_CREATED, response_model=DealSaved)
async def deal_create(data: DealCreate, response: Response, deals: DealService = Depends(deal_service)) -> DealSaved:
    saved = await deals.create(data)
    if saved.accepted_only:
        response.status_code = status.HTTP_202_ACCEPTED
    return saved


@router.get("/deals/{number}", response_model=DealDetails)
async def deal_get(number: int, deals: DealService = Depends(deal_service)) -> DealDetails:
    row = await access.check(deals.session, deals.user, number, edit=False, see_department=deals.settings.managers_see_department)
    return await deal_details(deals.session, row)


@router.get("/deals/{number}/process", response_model=DealView)
async def deal_process(number: int, deals: DealService = Depends(deal_service)) -> DealView:
    """What the deal's workflow says: stage, allowed moves, what it waits for and since when."""
    await access.check(deals.session, deals.user, number, edit=False, see_department=deals.settings.managers_see_department)
    view = await deals.view(number)
    if view is None:
        raise DomainError("ProcessFinished", 404, number=number)
    return view


@router.put("/deals/{number}", response_model=DealView)
async def deal_update(number: int, data: DealUpdate, deals: DealService = Depends(deal_service)) -> DealView:
    return await deals.update(number, data)


@router.post("/deals/{number}/stage", response_model=DealView)
async def deal_move(number: int, move: StageMoveIn, deals: DealService = Depends(deal_service)) -> DealView:
    return await deals.move_stage(number, move)


@router.post("/deals/{number}/pause", response_model=DealView)
async def deal_pause(number: int, pause: PauseIn, deals: DealService = Depends(deal_service)) -> DealView:
    return await deals.pause(number, pause)


@router.post("/deals/{number}/resume", response_model=DealView)
async def deal_resume(number: int, deals: DealService = Depends(deal_service)) -> DealView:
    return await deals.resume(number)


@router.post("/deals/{number}/close", response_model=DealView)
async def deal_close(number: int, close: CloseIn, deals: DealService = Depends(deal_service)) -> DealView:
    return await deals.close(number, close)


@router.post("/deals/{number}/copy", status_code=status.HTTP_201_CREATED, response_model=DealSaved)
async def deal_copy(number: int, deals: DealService = Depends(deal_service)) -> DealSaved:
    return await deals.copy(number)


@router.get("/deals/{number}/tender-balance", response_model=list[TenderBalanceLine])
async def deal_tender_balance(number: int, deals: DealService = Depends(deal_service)) -> list[TenderBalanceLine]:
    return await deals.tender_balance(number)


@router.post("/deals/{number}/notes", status_code=status.HTTP_201_CREATED)
async def deal_note(number: int, note: NoteIn, deals: DealService = Depends(deal_service)) -> dict:
    saved = await deals.add_note(number, note.text)
    return {"id": saved.id}


@router.post("/deals/{number}/files", status_code=status.HTTP_201_CREATED)
async def deal_file(number: int, file: UploadFile = File(...), deals: DealService = Depends(deal_service)) -> dict:
    saved = await deals.attach_file(number, file)
    return {"id": saved.id, "file_name": saved.file_name, "size": saved.size}


@router.get("/deals/{number}/files/{file_id}")
async def deal_file_download(number: int, file_id: int, deals: DealService = Depends(deal_service)) -> Response:
    await access.check(deals.session, deals.user, number, edit=False, see_department=deals.settings.managers_see_department)
    stored = (
        await deals.session.exec(select(DealFile).where(DealFile.id == file_id, DealFile.deal_id == number))
    ).scalar_one_or_none()
    if stored is None:
        raise DomainError("FileNotFound", 404, number=number)
    return Response(
        stored.content,
        media_type=stored.content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(stored.file_name)}"},
    )


@router.post("/specification/parse", response_model=PasteOut)
async def specification_parse(
    body: PasteIn, session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(require_user)
) -> PasteOut:
    """Rows copied from Excel (tab-separated) → specification lines, or the rows that are wrong."""
    result = await paste.parse(session, body.text)
    _ = Translator(user.language)
    for error in result.errors:
        error["message"] = _(f"paste.{error['code']}", **error)
    return result
