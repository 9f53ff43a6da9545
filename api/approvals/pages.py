"""The card's approval actions: submit the deal, and decide a step as the signed-in approver.
Plain form posts through `ApprovalService` that come back to the card with a flash message."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from api.approvals.routes import approval_service
from api.approvals.service import ApprovalService
from api.auth.security import CurrentUser, require_user
from api.deals import access
from api.errors import DomainError
from api.i18n import Translator, language_of
from api.web.templating import flash

router = APIRouter(tags=["pages"], include_in_schema=False)


def _back(number: int) -> RedirectResponse:
    return RedirectResponse(f"/deals/{number}#approval", status_code=303)


@router.post("/deals/{number}/approval")
async def card_submit(
    number: int,
    request: Request,
    approvals: ApprovalService = Depends(approval_service),
    user: CurrentUser = Depends(require_user),
) -> RedirectResponse:
    _ = Translator(language_of(request))
    try:
        await access.check(approvals.session, user, number, edit=True, see_department=approvals.settings.managers_see_department)
        view = await approvals.submit(number, user)
    except DomainError as refusal:
        flash(request, _(f"error.{refusal.code}", **refusal.params), "error")
    else:
        flash(request, _("flash.submitted", number=number, round=view.approval.round), "ok")
    return _back(number)


@router.post("/deals/{number}/approval/decision")
async def card_decide(
    number: int,
    request: Request,
    round_id: str = Form(...),
    step_index: int = Form(...),
    decision: str = Form(...),
    comment: str = Form(default="", max_length=2000),
    approvals: ApprovalService = Depends(approval_service),
    user: CurrentUser = Depends(require_user),
) -> RedirectResponse:
    _ = Translator(language_of(request))
    if decision not in ("approve", "reject"):
        flash(request, _("approve.problem.no_decision"), "error")
        return _back(number)
    if not round_id.startswith(f"approval-{number}-"):
        raise DomainError("NotYourSeat", 403, step=step_index)  # a round of another deal
    try:
        result = await approvals.decide_as(user, round_id, step_index, decision == "approve", comment)
    except DomainError as refusal:
        flash(request, _(f"error.{refusal.code}", **refusal.params), "error")
    else:
        done = "flash.round_approved" if result.round_status == "approved" else f"flash.decided_{decision}"
        flash(request, _(done, number=number), "ok")
    return _back(number)
