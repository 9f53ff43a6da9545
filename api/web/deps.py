"""What every page needs before it renders: the signed-in person and their unread count."""

from __future__ import annotations

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser, require_user
from api.deals.service import CREATORS
from api.deps import get_session
from api.notifications.inbox import unread_count


async def page_user(
    request: Request, user: CurrentUser = Depends(require_user), session: AsyncSession = Depends(get_session)
) -> CurrentUser:
    """The person behind a page request; pages without a session go to /login (NotAuthenticated)."""
    request.state.user = user
    request.state.unread = await unread_count(session, user.employee_id)
    request.state.can_create_deals = user.has(*CREATORS)
    return user
