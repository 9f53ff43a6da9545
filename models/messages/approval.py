"""Typed values crossing the approval workflow's boundary. Pure pydantic, sandbox-safe."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from models.messages.common import Actor
from rules.approval import Hit
from rules.approval_chain import Seat, StepPlan
from rules.calendar import WorkCalendar


class ApprovalRefusal(StrEnum):
    not_current_step = "NotCurrentStep"
    not_your_seat = "NotYourSeat"
    already_decided = "AlreadyDecided"
    round_closed = "RoundClosed"


class RoundStatus(StrEnum):
    none = "none"
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"  # the terms changed while it was pending
    invalidated = "invalidated"  # the terms changed after it was approved


class ApprovalPolicy(BaseModel):
    remind_after: float = Field(description="seconds of working time before a reminder")
    escalate_after_reminders: int = Field(ge=1)
    calendar: WorkCalendar = WorkCalendar()


class SummaryLine(BaseModel):
    name: str
    quantity: Decimal
    unit: str
    price: Decimal
    discount_percent: Decimal
    amount: Decimal


class DealSummary(BaseModel):
    """What an approver reads in the mail and on the confirmation page."""

    number: int
    title: str
    kind_name: str
    stage_name: str
    client_name: str
    client_inn: str
    client_industry_confirmed: bool
    manager_id: int
    manager_name: str
    business_unit: str
    amount: Decimal
    vat_amount: Decimal
    delivery_method: str
    warehouse: str
    deferral_days: int
    prepayment_percent: Decimal
    lines: list[SummaryLine]


class ApprovalPlan(BaseModel):
    """The routing's answer for a deal: the rule version, what hit and why, the steps."""

    rule_version: int
    hits: list[Hit]
    steps: list[StepPlan]
    summary: DealSummary


class SeatState(BaseModel):
    seat: Seat
    reply_token: str
    decision: Literal["approve", "reject"] | None = None
    decided_by: int | None = None
    comment: str = ""
    channel: str = ""
    activated_at: datetime | None = None
    decided_at: datetime | None = None
    reminders: int = 0


class StepState(BaseModel):
    plan: StepPlan
    status: Literal["waiting", "active", "approved", "rejected"] = "waiting"
    seats: list[SeatState] = []
    activated_at: datetime | None = None
    decided_at: datetime | None = None


class PlannedRound(BaseModel):
    """What the deal needs to start a round: the plan and the timing policy in force."""

    plan: ApprovalPlan
    policy: ApprovalPolicy


class ApprovalStart(BaseModel):
    round_id: str
    deal_number: int
    round: int
    manager_id: int
    submitted_by: Actor
    submitted_at: datetime
    plan: ApprovalPlan
    policy: ApprovalPolicy


class Decision(BaseModel):
    step_index: int
    approver_id: int = Field(description="the employee deciding: the seat's approver")
    approve: bool
    comment: str = Field(default="", max_length=2000)
    channel: Literal["link", "reply", "web"]


class DecisionResult(BaseModel):
    round_status: RoundStatus
    step_index: int
    step_status: str
    next_approvers: list[int] = []


class ApprovalOutcome(BaseModel):
    round_id: str
    round: int
    status: RoundStatus
    comment: str = ""
    decided_by: str = ""
    decided_by_id: int | None = None  # who took the last decision (the history names them)


class ApprovalView(BaseModel):
    round_id: str
    round: int
    status: RoundStatus
    current_step: int | None
    steps: list[StepState]


# --- activity inputs --------------------------------------------------------------------------


class StepToResolve(BaseModel):
    round_id: str
    plan: StepPlan
    manager_id: int
    approved: list[int]


class StepRecord(BaseModel):
    round_id: str
    step: StepState


class ApprovalMail(BaseModel):
    kind: Literal["request", "reminder"]
    round_id: str
    summary: DealSummary
    step: StepPlan
    seat: SeatState
    number: int = 0  # reminders sent before this one


class RoundRecord(BaseModel):
    round_id: str
    deal_number: int
    round: int
    status: RoundStatus
    rule_version: int
    hits: list[Hit]
    submitted_by: Actor
    submitted_at: datetime
    decided_at: datetime | None = None
    comment: str = ""


class RoundStatusChange(BaseModel):
    round_id: str
    status: RoundStatus
    at: datetime


class ManagerMail(BaseModel):
    """Tells the manager how a round ended (mail + in-app)."""

    key: str
    deal_number: int
    manager_id: int
    outcome: ApprovalOutcome
