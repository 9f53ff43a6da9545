"""What the API accepts and returns for deals (the card itself is the workflow's DealCard)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from models.messages.deal import DealCard, DealStatus, DealView, SpecLineData


class DealCardIn(DealCard):
    """The card as a person fills it in: the manager defaults to the author, the department
    to the manager's, a line's unit to its product's."""

    manager_id: int | None = None  # type: ignore[assignment]


class DealCreate(DealCardIn):
    kind: str = Field(description="deal kind code, e.g. retail_order")
    parent_number: int | None = Field(default=None, description="the tender this deal ships under")
    override_reason: str = Field(default="", description="a head's reason to take more than the tender has left")


class DealUpdate(DealCardIn):
    expected_version: int = Field(description="the card version the edit was made on")
    override_reason: str = ""


class StageMoveIn(BaseModel):
    to_stage: str
    comment: str = Field(default="", max_length=1000)


class PauseIn(BaseModel):
    until: AwareDatetime | date = Field(description="a date (the deal wakes that morning) or an exact time")
    comment: str = Field(min_length=1, max_length=1000)


class CloseIn(BaseModel):
    won: bool
    reason: str = Field(min_length=1, max_length=1000)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=10000)


class PasteIn(BaseModel):
    text: str = Field(max_length=2_000_000)


class PastedLine(SpecLineData):
    """A parsed row, with the names the grid shows."""

    row: int
    product_name: str = ""
    category_name: str = ""
    unit_name: str = ""


class PasteOut(BaseModel):
    lines: list[PastedLine] = []
    errors: list[dict] = []


class DealSaved(BaseModel):
    number: int
    view: DealView | None = None
    accepted_only: bool = False  # the workflow took it but has not confirmed yet (worker busy)


class DealRow(BaseModel):
    number: int
    title: str
    kind: str
    kind_name: str
    stage_code: str
    stage_name: str
    status: DealStatus
    client_id: int
    client_name: str
    client_inn: str | None
    manager_id: int
    manager_name: str
    amount: Decimal
    potential_amount: Decimal
    created_at: datetime
    updated_at: datetime
    paused_until: datetime | None
    parent_number: int | None


class DealPage(BaseModel):
    total: int
    page: int
    page_size: int
    rows: list[DealRow]


class DealFilters(BaseModel):
    q: str = ""
    manager_id: int | None = None
    stage: str | None = None
    kind: str | None = None
    client_id: int | None = None
    status: DealStatus | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=50, ge=1, le=500)

    @model_validator(mode="after")
    def _period(self) -> DealFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self
