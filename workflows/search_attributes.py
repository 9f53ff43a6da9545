"""Business search attributes: how operations staff find a process in the Temporal UI,
e.g. `DealNumber = "1042"` or `ClientInn = "7707083893" AND DealStage = "proposal"`."""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

with workflow.unsafe.imports_passed_through():
    from models.messages.deal import DealState

# SQL visibility (the dev server, a cluster on PostgreSQL) allows 10 Keyword, 3 Text, 3 Int,
# 3 Double and 3 KeywordList attributes: status and who-it-waits-on are shared by every process.
DEAL_NUMBER = SearchAttributeKey.for_int("DealNumber")
CLIENT_NAME = SearchAttributeKey.for_text("ClientName")
CLIENT_INN = SearchAttributeKey.for_keyword("ClientInn")
MANAGER = SearchAttributeKey.for_keyword("Manager")
DEPARTMENT = SearchAttributeKey.for_keyword("Department")
BUSINESS_UNIT = SearchAttributeKey.for_keyword("BusinessUnit")
DEAL_KIND = SearchAttributeKey.for_keyword("DealKind")
DEAL_STAGE = SearchAttributeKey.for_keyword("DealStage")
PROCESS_STATUS = SearchAttributeKey.for_keyword("ProcessStatus")  # open, paused, won / pending, approved…
DEAL_AMOUNT = SearchAttributeKey.for_float("DealAmount")
PARENT_DEAL = SearchAttributeKey.for_int("ParentDeal")
WAITING_ON = SearchAttributeKey.for_keyword_list("WaitingOn")  # people the process waits for

ALL = [
    DEAL_NUMBER, CLIENT_NAME, CLIENT_INN, MANAGER, DEPARTMENT, BUSINESS_UNIT,
    DEAL_KIND, DEAL_STAGE, PROCESS_STATUS, DEAL_AMOUNT, PARENT_DEAL, WAITING_ON,
]

# How `temporal server start-dev --search-attribute` and the operator API name the types.
CLI_TYPES = {"KEYWORD": "Keyword", "DOUBLE": "Double", "TEXT": "Text", "INT": "Int",
             "BOOL": "Bool", "DATETIME": "Datetime", "KEYWORD_LIST": "KeywordList"}


def cli_flags() -> list[str]:
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={CLI_TYPES[key.indexed_value_type.name]}"]
    return flags


def for_deal(state: DealState) -> list[SearchAttributePair]:
    """The values a deal is found by; set at start and upserted when they change."""
    pairs = [
        DEAL_NUMBER.value_set(state.number),
        CLIENT_NAME.value_set(state.labels.client_name),
        CLIENT_INN.value_set(state.labels.client_inn),
        MANAGER.value_set(state.labels.manager_name),
        DEPARTMENT.value_set(state.labels.department_name),
        BUSINESS_UNIT.value_set(state.labels.business_unit),
        DEAL_KIND.value_set(state.labels.kind_code),
        DEAL_STAGE.value_set(state.stage_code),
        PROCESS_STATUS.value_set(state.status.value),
        DEAL_AMOUNT.value_set(float(state.card.amount or state.card.potential_amount)),
    ]
    if state.parent_number is not None:
        pairs.append(PARENT_DEAL.value_set(state.parent_number))
    return [SearchAttributePair(u.key, u.value) for u in pairs]  # type: ignore[arg-type]


def approval_attributes(status: str, waiting_on: list[str]) -> list[SearchAttributeUpdate]:
    return [PROCESS_STATUS.value_set(status), WAITING_ON.value_set(waiting_on)]


def for_approval(state: DealState) -> TypedSearchAttributes:
    """An approval round is found by its deal's attributes too."""
    pairs = [p for p in for_deal(state) if p.key.name != PROCESS_STATUS.name]
    return TypedSearchAttributes([*pairs, SearchAttributePair(PROCESS_STATUS, "pending")])
