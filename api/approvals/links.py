"""The pages behind the links in approval mail: built for a phone, no login (the signed link is
the credential). A GET only shows the deal and asks to confirm — mail scanners open links —
and the POST decides, through the same Update as every other channel."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from activities.approval_links import LinkInvalid, LinkTarget, verify
from activities.approval_planning import deal_facts
from api.approvals.routes import approval_service
from api.approvals.service import ApprovalService, SeatInfo
from api.auth.security import check_csrf
from api.errors import DomainError
from api.i18n import Translator, language_of
from api.web.templating import render
from models.messages.approval import Decision

router = APIRouter(tags=["pages"], include_in_schema=False)


def _page(request: Request, status: int = 200, **context: object) -> HTMLResponse:
    response = render(request, "approvals/link.html", **context)
    response.status_code = status
    return response


async def _open(request: Request, token: str, approvals: ApprovalService) -> tuple[LinkTarget, SeatInfo] | HTMLResponse:
    try:
        target = verify(approvals.settings.secret_key, token, approvals.settings.approval_link_ttl)
    except LinkInvalid as invalid:
        return _page(request, 400 if invalid.reason == "forged" else 410, problem=invalid.reason)
    try:
        info = await approvals.seat_for_link(target)
    except DomainError:
        return _page(request, 409, problem="reassigned")
    if info.seat.decision is not None:
        return _page(request, 409, problem="used", info=info)
    if info.round.status != "pending" or info.step.status != "active":
        return _page(request, 409, problem="closed", info=info)
    return target, info


@router.get("/approve/{token}", response_class=HTMLResponse)
async def link_open(
    request: Request, token: str, d: str = "", approvals: ApprovalService = Depends(approval_service)
) -> HTMLResponse:
    opened = await _open(request, token, approvals)
    if isinstance(opened, HTMLResponse):
        return opened
    _, info = opened
    _facts, summary = await deal_facts(approvals.session, info.round.deal_id)
    return _page(request, info=info, summary=summary, token=token, preselected=d if d in ("approve", "reject") else "")


@router.post("/approve/{token}", response_class=HTMLResponse)
async def link_decide(
    request: Request,
    token: str,
    decision: str = Form(...),
    comment: str = Form(default="", max_length=2000),
    approvals: ApprovalService = Depends(approval_service),
) -> HTMLResponse:
    await check_csrf(request)
    opened = await _open(request, token, approvals)
    if isinstance(opened, HTMLResponse):
        return opened
    target, info = opened
    if decision not in ("approve", "reject"):
        return _page(request, 422, problem="no_decision", info=info)
    try:
        result = await approvals.decide(
            target.round_id,
            Decision(
                step_index=target.step_index, approver_id=target.approver_id,
                approve=decision == "approve", comment=comment.strip(), channel="link",
            ),
        )
    except DomainError as refusal:
        message = Translator(language_of(request))(f"error.{refusal.code}", **refusal.params)
        return _page(request, refusal.status, problem="refused", message=message, info=info)
    return _page(request, done=decision, result=result, info=info)
