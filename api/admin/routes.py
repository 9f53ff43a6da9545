"""Administration API: deal kinds and their stage sets."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from api.admin.kinds import KindIn, save_kind
from api.auth.security import CurrentUser, require_roles
from api.deps import get_session, get_temporal
from models.org import Role

router = APIRouter(prefix="/api/admin", tags=["administration"])


@router.put("/deal-kinds/{code}")
async def deal_kind_save(
    code: str,
    data: KindIn,
    session: AsyncSession = Depends(get_session),
    temporal: Client = Depends(get_temporal),
    user: CurrentUser = Depends(require_roles(Role.admin)),
) -> dict:
    """Create or replace a deal kind; live deals of the kind take the new stage set at once."""
    return await save_kind(session, temporal, code, data)
