"""Typed values that cross the deal workflow's boundary (start input, updates, queries, activities).

Pure pydantic: no ORM, no I/O, so the workflow sandbox can import it. Validation here runs
everywhere the values travel, so a bad quantity is refused the same way by the API and the workflow.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from models.messages.approval import RoundStatus
from models.messages.common import Actor

CENT = Decimal("0.01")
DEFAULT_VAT_RATE = Decimal("22")

Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class DeliveryMethod(StrEnum):
    pickup = "pickup"  # самовывоз
    truck = "truck"  # доставка автотранспортом продавца
    rail = "rail"  # железнодорожная доставка


class Refusal(StrEnum):
    """Why a deal workflow refused a request; the API turns each into a message and a status code."""

    version_conflict = "VersionConflict"
    stage_move_not_allowed = "StageMoveNotAllowed"
    deal_paused = "DealPaused"
    approval_pending = "ApprovalPending"
    deal_closed = "DealClosed"
    not_paused = "NotPaused"
    pause_in_past = "PauseInPast"
    cannot_win_here = "CannotWinHere"
    not_a_tender = "NotATender"
    stage_allows_no_children = "StageAllowsNoChildren"
    exceeds_tender = "ExceedsTender"
    override_needs_head = "OverrideNeedsHead"
    below_taken = "BelowTaken"


class DealStatus(StrEnum):
    open = "open"
    paused = "paused"
    won = "won"
    lost = "lost"

    @property
    def is_closed(self) -> bool:
        return self in (DealStatus.won, DealStatus.lost)


class StageDef(BaseModel):
    code: str
    name: str
    next_codes: list[str] = []
    can_win: bool = False
    allows_children: bool = False
    approved_next: str | None = None  # where the final approval moves a deal at this stage


class KindDef(BaseModel):
    """A deal kind with its ordered stage set, copied into the workflow when the deal starts."""

    code: str
    name: str
    is_tender: bool = False
    stages: list[StageDef]

    def stage(self, code: str) -> StageDef:
        for stage in self.stages:
            if stage.code == code:
                return stage
        raise KeyError(code)

    def allowed_moves(self, code: str) -> list[str]:
        """Explicit next stages if the kind lists them, otherwise the neighbours in order."""
        stage = self.stage(code)
        if stage.next_codes:
            return list(stage.next_codes)
        i = [s.code for s in self.stages].index(code)
        return [s.code for s in (self.stages[i - 1 : i] + self.stages[i + 1 : i + 2])]


class SpecLineData(BaseModel):
    product_id: int | None = None
    category_id: int | None = None  # early on a line may name only a category
    description: str = Field(default="", max_length=300)
    quantity: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=3)]
    unit_id: int | None = None
    price: Money = Decimal(0)  # per unit, VAT included
    discount_percent: Percent = Decimal(0)
    vat_rate: Percent = DEFAULT_VAT_RATE

    @model_validator(mode="after")
    def _names_what_is_sold(self) -> SpecLineData:
        if self.product_id is None and self.category_id is None:
            raise ValueError("a line needs a product or a product category")
        return self

    @property
    def amount(self) -> Decimal:
        return round_money(self.quantity * self.price * (1 - self.discount_percent / 100))

    @property
    def vat_amount(self) -> Decimal:
        return round_money(self.amount * self.vat_rate / (100 + self.vat_rate))

    @property
    def key(self) -> str:
        """What a tender's child deals draw on: the product, or the category of a category line."""
        return f"p{self.product_id}" if self.product_id is not None else f"c{self.category_id}"


class ParticipantData(BaseModel):
    employee_id: int | None = None
    contact_id: int | None = None
    role: str = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _names_someone(self) -> ParticipantData:
        if self.employee_id is None and self.contact_id is None:
            raise ValueError("a participant is an employee or a client's contact")
        return self


class DealCard(BaseModel):
    """Everything a manager fills in on the card."""

    title: str = Field(default="", max_length=300)
    business_unit_id: int
    client_id: int
    contact_id: int | None = None
    manager_id: int
    department_id: int | None = None
    potential_amount: Money = Decimal(0)
    channel_id: int | None = None
    source: str = Field(default="", max_length=200)
    primary_demand: str = Field(default="", max_length=2000)
    delivery_method: DeliveryMethod = DeliveryMethod.pickup
    warehouse_id: int | None = None
    payment_deferral_days: int = Field(default=0, ge=0, le=3650)
    prepayment_percent: Percent = Decimal(0)
    expected_close_date: date | None = None
    # Values as JSON has them (dates as ISO strings); the API checks them against the kind.
    custom_fields: dict[str, str | int | float | bool | None] = {}
    lines: list[SpecLineData] = []
    participants: list[ParticipantData] = []

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def vat_amount(self) -> Decimal:
        return sum((line.vat_amount for line in self.lines), Decimal(0))

    def terms(self) -> str:
        """The commercial terms approvers sign; changing any of them voids their approval."""
        return self.model_dump_json(
            include={
                "business_unit_id", "client_id", "delivery_method", "warehouse_id",
                "payment_deferral_days", "prepayment_percent", "lines",
            }
        )

    def quantities_by_key(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            totals[line.key] = totals.get(line.key, Decimal(0)) + line.quantity
        return totals


class DealLabels(BaseModel):
    """Names the workflow cannot look up itself, for the search attributes operations staff use."""

    kind_code: str
    client_name: str
    client_inn: str = ""
    manager_name: str
    department_name: str = ""
    business_unit: str


class ApprovalInfo(BaseModel):
    """Where the deal's approval of terms stands; every round's details are in its own workflow."""

    round: int = 0
    status: RoundStatus = RoundStatus.none
    round_id: str = ""
    since: datetime | None = None
    comment: str = ""
    decided_by: str = ""
    terms: str = ""  # the terms the round was about


class DealState(BaseModel):
    """Everything a deal workflow knows; carried whole across continue-as-new."""

    number: int
    kind: KindDef
    card: DealCard
    labels: DealLabels
    stage_code: str
    status: DealStatus = DealStatus.open
    version: int = 0
    stage_entered_at: datetime
    changed_at: datetime
    changed_by: Actor
    paused_at: datetime | None = None
    paused_until: datetime | None = None
    pause_comment: str = ""
    close_reason: str = ""
    parent_number: int | None = None
    copied_from: int | None = None
    # Tender only: what each child deal has taken, by line key.
    allocations: dict[int, dict[str, Decimal]] = {}
    overrides: dict[int, str] = {}  # child number → the head's reason for taking more than is left
    approval: ApprovalInfo = ApprovalInfo()


class DealPolicy(BaseModel):
    history_limit: int = 2000


class DealStart(BaseModel):
    state: DealState
    policy: DealPolicy = DealPolicy()


# --- Updates -------------------------------------------------------------------------------


class DealEdit(BaseModel):
    card: DealCard
    labels: DealLabels
    expected_version: int
    actor: Actor


class StageMove(BaseModel):
    to_stage: str
    actor: Actor
    comment: str = Field(default="", max_length=1000)


class PauseRequest(BaseModel):
    until: AwareDatetime
    comment: str = Field(min_length=1, max_length=1000)
    actor: Actor


class ResumeRequest(BaseModel):
    actor: Actor


class CloseRequest(BaseModel):
    won: bool
    reason: str = Field(min_length=1, max_length=1000)
    actor: Actor


class ChildAllocation(BaseModel):
    """A child deal (shipment to an end customer) takes quantities from its tender."""

    child_number: int
    quantities: dict[str, Annotated[Decimal, Field(ge=0)]]
    override_reason: str = Field(default="", max_length=1000)
    actor: Actor


class ChildReleased(BaseModel):
    child_number: int


class SubmitApproval(BaseModel):
    actor: Actor


# --- What the workflow tells -----------------------------------------------------------------


class WaitInfo(BaseModel):
    """What the deal waits for, since when, and for whom."""

    what: str  # manager_action | pause_timer | nothing
    since: datetime
    until: datetime | None = None
    who: str = ""


class TenderBalanceLine(BaseModel):
    key: str
    ordered: Decimal
    taken: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.ordered - self.taken


class DealView(BaseModel):
    number: int
    version: int
    stage_code: str
    status: DealStatus
    allowed_moves: list[str]
    can_win: bool
    waiting_for: WaitInfo
    changed_at: datetime
    changed_by: str
    approval: ApprovalInfo = ApprovalInfo()
    run_id: str = ""


# --- Activity inputs ---------------------------------------------------------------------------


class DealSave(BaseModel):
    """Write one version of the card into the read model, with its history lines."""

    state: DealState
    action: str  # created | edited | stage | paused | resumed | woke | won | lost | child
    actor: Actor
    at: datetime
    comment: str = ""
    card_changed: bool = True  # False: only the process state moved; the card need not be compared


class ManagerNotice(BaseModel):
    deal_number: int
    employee_id: int
    kind: str  # pause_ended …
    key: str  # idempotency key: one notice per event however often the activity runs
    comment: str = ""
    mail: bool = False  # also by email
