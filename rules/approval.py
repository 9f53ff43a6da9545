"""Approval routing as a decision table: which rules a deal's facts hit, and why.

Each rule's conditions all must hold for it to hit; a hit asks department heads up to a level
(1 = the head of the manager's department, 2 = the head above…) and/or named approver roles
(sales director, finance controller, marketing…), in a narrow circle (one approver per role) or a
wide one (everyone holding the role, asked in parallel). The table is data: administrators edit it
as YAML, it is validated here on save, and every version is kept.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NumberTest(Strict):
    gt: Decimal | None = None
    gte: Decimal | None = None
    lt: Decimal | None = None
    lte: Decimal | None = None

    def holds(self, value: Decimal) -> bool:
        return (
            (self.gt is None or value > self.gt)
            and (self.gte is None or value >= self.gte)
            and (self.lt is None or value < self.lt)
            and (self.lte is None or value <= self.lte)
        )


class SetTest(Strict):
    any: list[str] = Field(min_length=1, description="holds when the fact (or any of its values) is one of these")

    def holds(self, values: str | list[str]) -> bool:
        values = [values] if isinstance(values, str) else values
        wanted = {v.casefold() for v in self.any}
        return any(v.casefold() in wanted for v in values)


class Condition(Strict):
    amount: NumberTest | None = None
    max_discount: NumberTest | None = None
    deferral_days: NumberTest | None = None
    prepayment_percent: NumberTest | None = None
    delivery_method: SetTest | None = None
    business_unit: SetTest | None = None
    deal_kind: SetTest | None = None
    categories: SetTest | None = None
    price_groups: SetTest | None = None
    client_is_new: bool | None = None
    client_industry_confirmed: bool | None = None


class DealFacts(BaseModel):
    """What routing looks at, taken from the deal when it is submitted."""

    amount: Decimal
    max_discount: Decimal
    deferral_days: int
    prepayment_percent: Decimal
    delivery_method: str
    business_unit: str
    deal_kind: str
    categories: list[str] = []
    price_groups: list[str] = []
    client_is_new: bool
    client_industry_confirmed: bool


class Rule(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    reason: str = Field(min_length=1, description="said to the approver: why they are on the chain")
    when: Condition = Condition()
    heads_up_to: int = Field(default=0, ge=0, le=10)
    roles: list[str] = []
    circle: Literal["narrow", "wide"] = "narrow"

    def hits(self, facts: DealFacts) -> bool:
        w = self.when
        numeric = {
            "amount": facts.amount,
            "max_discount": facts.max_discount,
            "deferral_days": Decimal(facts.deferral_days),
            "prepayment_percent": facts.prepayment_percent,
        }
        for name, value in numeric.items():
            test: NumberTest | None = getattr(w, name)
            if test is not None and not test.holds(value):
                return False
        for name in ("delivery_method", "business_unit", "deal_kind", "categories", "price_groups"):
            test_set: SetTest | None = getattr(w, name)
            if test_set is not None and not test_set.holds(getattr(facts, name)):
                return False
        for name in ("client_is_new", "client_industry_confirmed"):
            expected = getattr(w, name)
            if expected is not None and getattr(facts, name) != expected:
                return False
        return True


class RuleSet(Strict):
    # Approver roles in the order they sign, after the department heads.
    roles: list[str] = Field(min_length=0)
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        ids = [r.id for r in self.rules]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rule ids repeat: {', '.join(repeated)}")
        for rule in self.rules:
            unknown = set(rule.roles) - set(self.roles)
            if unknown:
                raise ValueError(f"rule {rule.id}: roles {sorted(unknown)} are not in the roles list")
            if not rule.roles and not rule.heads_up_to:
                raise ValueError(f"rule {rule.id}: asks nobody (give heads_up_to or roles)")
        return self


class Hit(BaseModel):
    rule_id: str
    reason: str
    heads_up_to: int
    roles: list[str]
    circle: str


class Route(BaseModel):
    """What the hits add up to: how high the heads go, which roles sign, and why."""

    hits: list[Hit]
    heads_up_to: int
    roles: list[str]
    wide_roles: list[str]

    def reasons_for_head(self, level: int) -> list[str]:
        return [h.reason for h in self.hits if h.heads_up_to >= level]

    def reasons_for_role(self, role: str) -> list[str]:
        return [h.reason for h in self.hits if role in h.roles]


def route(rules: RuleSet, facts: DealFacts) -> Route:
    hits = [
        Hit(rule_id=r.id, reason=r.reason, heads_up_to=r.heads_up_to, roles=r.roles, circle=r.circle)
        for r in rules.rules
        if r.hits(facts)
    ]
    wanted = {role for h in hits for role in h.roles}
    return Route(
        hits=hits,
        heads_up_to=max((h.heads_up_to for h in hits), default=0),
        roles=[role for role in rules.roles if role in wanted],
        wide_roles=[role for role in rules.roles if any(role in h.roles and h.circle == "wide" for h in hits)],
    )


class RulesInvalid(ValueError):
    """The text is not a valid rule set; `problems` say where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_rules(text: str) -> RuleSet:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise RulesInvalid([f"YAML: {err}"]) from None
    try:
        return RuleSet.model_validate(data)
    except ValidationError as err:
        raise RulesInvalid(
            [f"{'.'.join(str(p) for p in e['loc']) or 'rules'}: {e['msg']}" for e in err.errors()]
        ) from None
