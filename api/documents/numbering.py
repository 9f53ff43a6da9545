"""Document numbers by each business unit's rules, e.g. ТС-2026-МСК-000123.

The rules are data: `rules/numbering.yaml` seeds a business unit's rules the first time they are
needed; afterwards an administrator edits the rows. A number is taken by `allocate` inside the
transaction that inserts the document: one upsert increments the per-rule-per-period counter and
holds its row lock until commit, so concurrent issuers queue on PostgreSQL (SQLite serialises
writers anyway), a number is never given twice, and a document that fails to save rolls its
number back — no gaps."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from api.errors import DomainError
from models.documents import DocumentKind, NumberingCounter, NumberingRule, ResetPeriod
from models.org import BusinessUnit

RULES_FILE = Path(__file__).resolve().parents[2] / "rules" / "numbering.yaml"
YEAR_FORMAT = re.compile(r"^(?:(?:YYYY|YY)(?:[-./]?MM)?|MM)?$")


class RuleIn(BaseModel):
    """One numbering rule as the YAML file and the administrator's form give it."""

    prefix: str = Field(default="", max_length=20)
    year_format: str = Field(default="YYYY", max_length=10)
    office_code: str = Field(default="", max_length=20)
    width: int = Field(default=6, ge=1, le=12)
    reset: ResetPeriod = ResetPeriod.yearly
    separator: str = Field(default="-", max_length=3)

    @model_validator(mode="after")
    def _numbers_never_repeat(self) -> RuleIn:
        self.prefix, self.office_code = self.prefix.strip(), self.office_code.strip()
        self.year_format = self.year_format.strip().upper()
        if not YEAR_FORMAT.match(self.year_format):
            raise ValueError(f"year_format '{self.year_format}': use YYYY or YY, optionally followed by MM")
        has_year = "YY" in self.year_format
        if self.reset == ResetPeriod.yearly and not has_year:
            raise ValueError("a sequence that restarts every year needs the year in the number")
        if self.reset == ResetPeriod.monthly and not (has_year and "MM" in self.year_format):
            raise ValueError("a sequence that restarts every month needs the year and the month (MM) in the number")
        return self


def period_of(reset: str, on: date) -> str:
    """The counter a document dated `on` takes its number from."""
    if reset == ResetPeriod.monthly:
        return f"{on.year}-{on.month:02d}"
    if reset == ResetPeriod.yearly:
        return str(on.year)
    return ""


def format_number(rule: NumberingRule | RuleIn, on: date, sequence: int) -> str:
    dated = (
        rule.year_format.replace("YYYY", f"{on.year:04d}").replace("YY", f"{on.year % 100:02d}").replace("MM", f"{on.month:02d}")
    )
    parts = (rule.prefix, dated, rule.office_code, str(sequence).zfill(rule.width))
    return rule.separator.join(part for part in parts if part)


@cache
def _seed() -> dict:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    units = {code: {kind: RuleIn(**rule) for kind, rule in kinds.items()} for code, kinds in data.get("business_units", {}).items()}
    default = {kind: RuleIn(**rule) for kind, rule in data["default"].items()}
    missing = {k.value for k in DocumentKind} - set(default)
    if missing:
        raise ValueError(f"{RULES_FILE}: the default rules lack {sorted(missing)}")
    return {"default": default, "units": units}


def seeded_rule(unit_code: str, kind: DocumentKind) -> RuleIn:
    seed = _seed()
    return seed["units"].get(unit_code, {}).get(kind.value) or seed["default"][kind.value]


def _insert(session: AsyncSession):  # noqa: ANN202 - the dialect's INSERT with ON CONFLICT
    return postgres_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def ensure_rules(session: AsyncSession, unit: BusinessUnit) -> dict[str, NumberingRule]:
    """The unit's rule per kind, seeding the missing ones from the YAML file (and committing)."""
    rows = await _rules(session, unit.id)
    if len(rows) < len(DocumentKind):
        insert = _insert(session)
        for kind in DocumentKind:
            if kind.value not in rows:
                seed = seeded_rule(unit.code, kind)
                statement = insert(NumberingRule).values(business_unit_id=unit.id, kind=kind.value, updated_at=datetime.now(UTC), **seed.model_dump())
                # Two first issuers at once: the second one's insert quietly does nothing.
                await session.exec(statement.on_conflict_do_nothing(index_elements=["business_unit_id", "kind"]))
        await session.commit()
        rows = await _rules(session, unit.id)
    return rows


async def _rules(session: AsyncSession, unit_id: int | None) -> dict[str, NumberingRule]:
    found = (await session.exec(select(NumberingRule).where(NumberingRule.business_unit_id == unit_id))).scalars()
    return {rule.kind: rule for rule in found}


async def allocate(session: AsyncSession, rule: NumberingRule, on: date) -> str:
    """The next number under `rule` for a document dated `on`; final only when the caller commits."""
    table = NumberingCounter.__table__
    statement = (
        _insert(session)(table)
        .values(rule_id=rule.id, period=period_of(rule.reset, on), value=1)
        .on_conflict_do_update(index_elements=[table.c.rule_id, table.c.period], set_={"value": table.c.value + 1})
        .returning(table.c.value)
    )
    sequence = (await session.exec(statement)).scalar_one()
    return format_number(rule, on, sequence)


async def next_number(session: AsyncSession, rule: NumberingRule, on: date) -> str:
    """What the next document dated `on` would be numbered (for the administrator's page)."""
    taken = await session.get(NumberingCounter, (rule.id, period_of(rule.reset, on)))
    return format_number(rule, on, (taken.value if taken else 0) + 1)


async def update_rule(session: AsyncSession, rule_id: int, data: RuleIn) -> NumberingRule:
    """Change a rule; its counters stay, so a changed format goes on from the number reached."""
    rule = await session.get(NumberingRule, rule_id)
    if rule is None:
        raise DomainError("UnknownReference", 404, field="rule_id", value=rule_id)
    for field, value in data.model_dump().items():
        setattr(rule, field, value)
    rule.updated_at = datetime.now(UTC)
    await session.commit()
    return rule
