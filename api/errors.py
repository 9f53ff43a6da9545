"""Refusals the user can act on: a code, an HTTP status and the facts the message names."""

from __future__ import annotations

from typing import Any

from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from models.messages.deal import Refusal

# A refusal about the deal's state is a conflict; a refusal about the request is unprocessable.
WORKFLOW_STATUS = {
    Refusal.version_conflict: 409,
    Refusal.stage_move_not_allowed: 409,
    Refusal.deal_paused: 409,
    Refusal.deal_closed: 409,
    Refusal.not_paused: 409,
    Refusal.cannot_win_here: 409,
    Refusal.stage_allows_no_children: 409,
    Refusal.pause_in_past: 422,
    Refusal.not_a_tender: 422,
    Refusal.exceeds_tender: 422,
    Refusal.below_taken: 422,
    Refusal.override_needs_head: 403,
    Refusal.approval_pending: 409,
    "NotCurrentStep": 409,
    "AlreadyDecided": 409,
    "RoundClosed": 409,
    "NotYourSeat": 403,
    "NoApproverForRole": 422,
}


class DomainError(Exception):
    """Raised by services; the app turns it into a JSON error or a message on the page."""

    def __init__(self, code: str, status: int = 422, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params


def from_workflow(err: Exception) -> DomainError:
    """What a refused or failed Temporal call means to the person who made it."""
    if isinstance(err, WorkflowUpdateFailedError) and isinstance(err.cause, ApplicationError):
        cause = err.cause
        details = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
        code = cause.type or "WorkflowRefused"
        return DomainError(code, WORKFLOW_STATUS.get(code, 422), **details)
    if isinstance(err, RPCError) and err.status == RPCStatusCode.NOT_FOUND:
        # The workflow has completed (won/lost) or never existed.
        return DomainError(Refusal.deal_closed, 409)
    if isinstance(err, WorkflowUpdateRPCTimeoutOrCancelledError):
        return DomainError("WorkflowBusy", 503)
    if isinstance(err, RPCError):
        return DomainError("TemporalUnavailable", 503)
    raise err
