"""Administration API: deal kinds and their stage sets, the approval routing table."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from api.admin import approval_rules
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


class RulesState(BaseModel):
    current: approval_rules.RulesOut
    versions: list[approval_rules.VersionOut]


@router.get("/approval-rules", response_model=RulesState)
async def approval_rules_get(
    session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(require_roles(Role.admin))
) -> RulesState:
    """The routing table in force (YAML) and every saved version, newest first."""
    return RulesState(current=await approval_rules.current(session), versions=await approval_rules.versions(session))


@router.put("/approval-rules", response_model=approval_rules.RulesOut)
async def approval_rules_put(
    data: approval_rules.RulesIn,
    session: AsyncSession = Depends(get_session),
    user: CurrentUser = Depends(require_roles(Role.admin)),
) -> approval_rules.RulesOut:
    """Save a new version (the one in force + 1); 422 RulesInvalid lists every problem with its line,
    409 when `base_version` is given and someone saved meanwhile. New rounds use it at once."""
    return await approval_rules.save(session, data, user)


@router.get("/approval-rules/{version}", response_model=approval_rules.RulesOut)
async def approval_rules_version(
    version: int, session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(require_roles(Role.admin))
) -> approval_rules.RulesOut:
    return await approval_rules.version(session, version)
