"""The approval routing table as administrators see it: the version in force, every older one, and
saving a new version — validated by the same parser the planner uses, refused whole with every
problem and its line, never half-saved."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from activities.approval_planning import rules_in_force
from api.auth.security import CurrentUser
from api.errors import DomainError
from models.approvals import ApprovalRuleVersion
from models.org import Employee
from rules.approval import Condition, Rule, RuleSet, RulesInvalid, parse_rules

NUMBER_FACTS = ("amount", "max_discount", "deferral_days", "prepayment_percent")
SET_FACTS = ("delivery_method", "business_unit", "deal_kind", "categories", "price_groups")
FLAG_FACTS = ("client_is_new", "client_industry_confirmed")
COMPARISONS = {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}


class RulesIn(BaseModel):
    text: str = Field(max_length=200_000, description="the routing table as YAML")
    comment: str = Field(default="", max_length=500)
    base_version: int | None = Field(default=None, description="the version the text was edited from")


class VersionOut(BaseModel):
    version: int
    comment: str
    created_by: str
    created_at: datetime


class RulesOut(VersionOut):
    text: str


class Problem(BaseModel):
    """One reason the text was refused: where (a line of the text, a rule) and what."""

    line: int | None
    rule: str
    path: str
    message: str


class ConditionView(BaseModel):
    fact: str
    test: str  # ">", "≥", "<", "≤", "any" or "is"
    value: Any


class RuleView(BaseModel):
    """A rule spelled out: what must hold, whom it asks and why."""

    id: str
    reason: str
    conditions: list[ConditionView]
    heads_up_to: int
    roles: list[str]
    circle: str


async def current(session: AsyncSession) -> RulesOut:
    await rules_in_force(session)  # the first look stores the shipped table as version 1
    latest = (await session.exec(select(func.max(ApprovalRuleVersion.version)))).scalar_one()
    return await version(session, latest)


async def version(session: AsyncSession, number: int) -> RulesOut:
    row = await session.get(ApprovalRuleVersion, number)
    if row is None:
        raise DomainError("RuleVersionNotFound", 404, version=number)
    author = await session.get(Employee, row.created_by_id) if row.created_by_id else None
    return RulesOut(
        version=row.version, comment=row.comment, created_by=author.full_name if author else "",
        created_at=row.created_at, text=row.text,
    )


async def versions(session: AsyncSession) -> list[VersionOut]:
    rows = (
        await session.exec(
            select(ApprovalRuleVersion, Employee.full_name)
            .outerjoin(Employee, Employee.id == ApprovalRuleVersion.created_by_id)
            .order_by(ApprovalRuleVersion.version.desc())  # type: ignore[attr-defined]
        )
    ).all()
    return [
        VersionOut(version=row.version, comment=row.comment, created_by=name or "", created_at=row.created_at)
        for row, name in rows
    ]


async def save(session: AsyncSession, data: RulesIn, user: CurrentUser) -> RulesOut:
    """A new version on top of the one in force; RulesInvalid (422) with every problem, or a
    conflict when someone saved meanwhile. Nothing is stored unless the whole table is valid."""
    problems = check(data.text)
    if problems:
        raise DomainError("RulesInvalid", 422, count=len(problems), problems=[p.model_dump() for p in problems])
    latest = await current(session)
    if data.base_version is not None and data.base_version != latest.version:
        raise DomainError(
            "RulesChangedMeanwhile", 409, base=data.base_version, version=latest.version, who=latest.created_by or "—"
        )
    session.add(
        ApprovalRuleVersion(version=latest.version + 1, text=data.text, comment=data.comment.strip(), created_by_id=user.employee_id)
    )
    try:
        await session.commit()
    except IntegrityError:  # two administrators saved at the same moment; the other one won
        await session.rollback()
        raise DomainError("RulesChangedMeanwhile", 409, base=latest.version, version=latest.version + 1, who="—") from None
    return await version(session, latest.version + 1)


def check(text: str) -> list[Problem]:
    try:
        parse_rules(text)
    except RulesInvalid as invalid:
        return [_problem(text, found) for found in invalid.problems]
    return []


def _problem(text: str, found: str) -> Problem:
    """parse_rules says "rules.2.when.amount.gt: <message>"; find that place in the text."""
    if found.startswith("YAML: "):
        line = re.search(r"line (\d+)", found)
        return Problem(line=int(line.group(1)) if line else None, rule="", path="", message=found[6:])
    path, _, message = found.partition(": ")
    line, rule = _locate(text, [int(p) if p.isdigit() else p for p in path.split(".")])
    return Problem(line=line, rule=rule, path=path, message=message)


def _locate(text: str, parts: list[str | int]) -> tuple[int | None, str]:
    """The line (1-based) of the deepest node the path reaches, and the id of the rule it is in."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None, ""
    line, rule = (node.start_mark.line + 1 if node else None), ""
    for part in parts:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
            if isinstance(node, yaml.MappingNode) and parts[:1] == ["rules"] and not rule:
                rule = next((v.value for k, v in node.value if k.value == "id" and isinstance(v, yaml.ScalarNode)), "")
                rule = rule or f"#{part + 1}"
        else:
            break
    return line, rule


def describe(rules: RuleSet) -> list[RuleView]:
    return [_rule_view(rule) for rule in rules.rules]


def _rule_view(rule: Rule) -> RuleView:
    return RuleView(
        id=rule.id, reason=rule.reason, conditions=_conditions(rule.when),
        heads_up_to=rule.heads_up_to, roles=rule.roles, circle=rule.circle,
    )


def _conditions(when: Condition) -> list[ConditionView]:
    found: list[ConditionView] = []
    for fact in NUMBER_FACTS:
        test = getattr(when, fact)
        if test is not None:
            found += [
                ConditionView(fact=fact, test=sign, value=getattr(test, op))
                for op, sign in COMPARISONS.items()
                if getattr(test, op) is not None
            ]
    for fact in SET_FACTS:
        test = getattr(when, fact)
        if test is not None:
            found.append(ConditionView(fact=fact, test="any", value=test.any))
    for fact in FLAG_FACTS:
        if getattr(when, fact) is not None:
            found.append(ConditionView(fact=fact, test="is", value=getattr(when, fact)))
    return found


async def missing_holders(session: AsyncSession, rules: RuleSet) -> list[str]:
    """Roles the table names that no active employee holds: a deal that needs one cannot be submitted."""
    held = {role for roles in (await session.exec(select(Employee.roles).where(Employee.is_active))).scalars() for role in roles}
    return [role for role in rules.roles if role not in held]
