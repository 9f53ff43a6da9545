"""JSON API for approvals: who will approve and why, submit, decide, the rounds of a deal."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from api.approvals.service import ApprovalService
from api.auth.security import CurrentUser, require_user
from api.deals import access
from api.deps import get_session, get_settings, get_temporal
from models.messages.approval import ApprovalPlan, DecisionResult
from models.messages.deal import DealView
from settings import Settings

router = APIRouter(prefix="/api", tags=["approvals"])


def approval_service(
    session: AsyncSession = Depends(get_session),
    temporal: Client = Depends(get_temporal),
    settings: Settings = Depends(get_settings),
) -> ApprovalService:
    return ApprovalService(session, temporal, settings)


@router.get("/deals/{number}/approval/preview", response_model=ApprovalPlan)
async def approval_preview(
    number: int, approvals: ApprovalService = Depends(approval_service), user: CurrentUser = Depends(require_user)
) -> ApprovalPlan:
    """The chain the rules in force give this deal today, with each rule's reason and substitutes."""
    await access.check(approvals.session, user, number, edit=False, see_department=approvals.settings.managers_see_department)
    return await approvals.preview(number)


@router.post("/deals/{number}/approval", response_model=DealView)
async def approval_submit(
    number: int, approvals: ApprovalService = Depends(approval_service), user: CurrentUser = Depends(require_user)
) -> DealView:
    await access.check(approvals.session, user, number, edit=True, see_department=approvals.settings.managers_see_department)
    return await approvals.submit(number, user)


@router.get("/deals/{number}/approvals")
async def approval_rounds(
    number: int, approvals: ApprovalService = Depends(approval_service), user: CurrentUser = Depends(require_user)
) -> list[dict]:
    await access.check(approvals.session, user, number, edit=False, see_department=approvals.settings.managers_see_department)
    return await approvals.rounds(number)


class DecisionIn(BaseModel):
    step_index: int
    approve: bool
    comment: str = Field(default="", max_length=2000)


@router.post("/approvals/{round_id}/decision", response_model=DecisionResult)
async def approval_decide(
    round_id: str,
    body: DecisionIn,
    approvals: ApprovalService = Depends(approval_service),
    user: CurrentUser = Depends(require_user),
) -> DecisionResult:
    """The signed-in approver (or the one acting for them) decides their step."""
    return await approvals.decide_as(user, round_id, body.step_index, body.approve, body.comment)
