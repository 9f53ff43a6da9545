"""The notifications page: the latest notices for the signed-in person; mark them read."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser
from api.deps import get_session
from api.i18n import Translator, language_of
from api.notifications import inbox
from api.web.deps import page_user
from api.web.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/notifications", response_class=HTMLResponse)
async def notifications_page(
    request: Request, user: CurrentUser = Depends(page_user), session: AsyncSession = Depends(get_session)
) -> HTMLResponse:
    items = await inbox.latest(session, user.employee_id, Translator(language_of(request)))
    return render(request, "notifications.html", items=items)


@router.post("/notifications/read")
async def notifications_read(
    user: CurrentUser = Depends(page_user), session: AsyncSession = Depends(get_session)
) -> RedirectResponse:
    await inbox.mark_all_read(session, user.employee_id)
    return RedirectResponse("/notifications", status_code=303)
