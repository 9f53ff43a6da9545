"""Document numbers: the format and reset periods of a rule, the rules as data an administrator
changes, and numbers that never repeat and never skip — also under parallel issuing on
PostgreSQL, and when a document fails after taking its number."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import pytest
from pydantic import ValidationError

from api.documents import numbering
from api.documents.numbering import RuleIn, format_number, period_of
from models.documents import DocumentKind, NumberingRule
from models.org import BusinessUnit
from tests.documents_setup import TD_BANK, TD_REQUISITES, signatory
from tests.helpers import deal_payload


def test_format_follows_the_rule() -> None:
    rule = RuleIn(prefix="ТС", year_format="YYYY", office_code="МСК", width=6, reset="yearly")
    assert format_number(rule, date(2026, 3, 5), 123) == "ТС-2026-МСК-000123"
    monthly = RuleIn(prefix="СЧ", year_format="YY-MM", office_code="ТУЛ", width=4, reset="monthly")
    assert format_number(monthly, date(2026, 3, 5), 7) == "СЧ-26-03-ТУЛ-0007"
    plain = RuleIn(prefix="ПП-С", year_format="", width=7, reset="never", separator="/")
    assert format_number(plain, date(2026, 3, 5), 42) == "ПП-С/0000042"
    assert format_number(plain, date(2026, 3, 5), 12345678) == "ПП-С/12345678"  # outgrows its width, stays unique


def test_reset_periods() -> None:
    day = date(2026, 12, 31)
    assert period_of("never", day) == ""
    assert period_of("yearly", day) == "2026" != period_of("yearly", date(2027, 1, 1))
    assert period_of("monthly", day) == "2026-12" != period_of("monthly", date(2026, 11, 30))
    assert period_of("monthly", date(2027, 1, 1)) == "2027-01"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"reset": "yearly", "year_format": ""}, "needs the year"),
        ({"reset": "monthly", "year_format": "YYYY"}, "the month"),
        ({"year_format": "DD.MM"}, "use YYYY or YY"),
        ({"width": 0}, "greater than or equal to 1"),
        ({"reset": "weekly"}, "never"),
    ],
)
def test_a_rule_that_would_repeat_numbers_is_refused(fields: dict, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        RuleIn(**{"prefix": "ТС", **fields})


def test_the_seed_file_gives_every_kind() -> None:
    assert numbering.seeded_rule("TD-SP", DocumentKind.specification).office_code == "МСК"
    assert numbering.seeded_rule("TD-SP", DocumentKind.invoice).reset == "monthly"
    fallback = numbering.seeded_rule("NO-SUCH-UNIT", DocumentKind.invoice_contract)
    assert fallback.prefix == "СД" and fallback.reset == "yearly"


async def fresh_unit(stack) -> tuple[int, int]:  # noqa: ANN001
    """A new business unit (its own rules and counters) ready to issue, and our signatory there."""
    async with stack.db.session() as session:
        unit = BusinessUnit(code=f"N-{uuid.uuid4().hex[:8]}", name="ООО «Нумерация»")
        session.add(unit)
        await session.commit()
    async with stack.http("admin") as admin:
        assert (await admin.put(f"/api/business-units/{unit.id}", json=TD_REQUISITES | {"name": unit.name})).status_code == 200
        assert (await admin.post(f"/api/business-units/{unit.id}/bank-accounts", json=TD_BANK)).status_code == 201
        director = await signatory(admin, "Нумеров Николай Ильич", "Директор", {"kind": "charter"}, business_unit_id=unit.id)
    return unit.id, director


async def test_rules_are_seeded_from_yaml_and_edited_by_the_administrator(stack) -> None:  # noqa: ANN001
    unit_id, director = await fresh_unit(stack)
    today = date.today()
    async with stack.http("admin") as admin:
        rules = (await admin.get(f"/api/business-units/{unit_id}/numbering-rules")).json()
        by_kind = {r["rule"]["kind"]: r for r in rules}
        assert set(by_kind) == {"specification", "invoice", "invoice_contract"}
        spec = by_kind["specification"]
        assert spec["next_number"] == f"СП-{today.year}-000001"  # the YAML's default rule
        changed = await admin.put(
            f"/api/numbering-rules/{spec['rule']['id']}",
            json={"prefix": "ЗН", "year_format": "YY", "office_code": "ТУЛ", "width": 4, "reset": "yearly", "separator": "/"},
        )
        assert changed.status_code == 200, changed.text
        refused = await admin.put(f"/api/numbering-rules/{spec['rule']['id']}", json={"prefix": "ЗН", "year_format": "", "reset": "monthly"})
        assert refused.status_code == 422 and "month" in refused.text
    async with stack.http("manager") as manager:
        forbidden = await manager.put(f"/api/numbering-rules/{spec['rule']['id']}", json={"prefix": "X"})
        assert forbidden.status_code == 403
        number = (await manager.post("/api/deals", json=deal_payload(stack.org, business_unit_id=unit_id))).json()["number"]
        issued = await manager.post(f"/api/deals/{number}/documents", json={"kind": "specification", "seller_signatory_id": director})
        assert issued.status_code == 201, issued.text
        assert issued.json()["number"] == f"ЗН/{today.year % 100:02d}/ТУЛ/0001"


async def test_a_failed_document_gives_its_number_back(stack) -> None:  # noqa: ANN001
    unit_id, _ = await fresh_unit(stack)
    on = date(2026, 5, 20)
    async with stack.db.session() as session:
        unit = await session.get(BusinessUnit, unit_id)
        rule: NumberingRule = (await numbering.ensure_rules(session, unit))["invoice"]
        rule_id = rule.id
        first = await numbering.allocate(session, rule, on)
        await session.rollback()  # the document's insert failed: its transaction rolls back
        rule = await session.get(NumberingRule, rule_id)
        again = await numbering.allocate(session, rule, on)
        await session.commit()
        after = await numbering.allocate(session, rule, on)
        next_year = await numbering.allocate(session, rule, date(2027, 1, 2))
        await session.commit()
    assert first == again == "СЧ-2026-000001"
    assert after == "СЧ-2026-000002"
    assert next_year == "СЧ-2027-000001"  # the default invoice rule restarts every year


async def test_counters_restart_by_the_rule_s_period(stack) -> None:  # noqa: ANN001
    unit_id, _ = await fresh_unit(stack)
    async with stack.db.session() as session:
        rules = await numbering.ensure_rules(session, await session.get(BusinessUnit, unit_id))
        monthly = await numbering.update_rule(session, rules["invoice"].id, RuleIn(prefix="СЧ", year_format="YYMM", reset="monthly", width=3))
        never = await numbering.update_rule(session, rules["invoice_contract"].id, RuleIn(prefix="СД", year_format="", reset="never", width=3))
        taken = [
            await numbering.allocate(session, monthly, date(2026, 3, 31)),
            await numbering.allocate(session, monthly, date(2026, 3, 1)),
            await numbering.allocate(session, monthly, date(2026, 4, 1)),
            await numbering.allocate(session, never, date(2026, 12, 31)),
            await numbering.allocate(session, never, date(2027, 1, 1)),
        ]
        await session.commit()
    assert taken == ["СЧ-2603-001", "СЧ-2603-002", "СЧ-2604-001", "СД-001", "СД-002"]


async def test_parallel_issuing_gives_every_number_once_without_gaps(stack) -> None:  # noqa: ANN001
    """Many requests at once: exactly 1..N. PostgreSQL queues them on the counter's row lock;
    SQLite serialises writers. Without the lock two requests would read the same counter."""
    unit_id, director = await fresh_unit(stack)
    requests = 30 if stack.backend == "postgres" else 12
    async with stack.http("manager") as manager:
        number = (await manager.post("/api/deals", json=deal_payload(stack.org, business_unit_id=unit_id))).json()["number"]
        body = {"kind": "invoice", "seller_signatory_id": director}
        # The first one alone creates the period's counter; then everyone at once increments it.
        answers = [await manager.post(f"/api/deals/{number}/documents", json=body)]
        answers += await asyncio.gather(*(manager.post(f"/api/deals/{number}/documents", json=body) for _ in range(requests - 1)))
    assert [a.status_code for a in answers] == [201] * requests, [a.text for a in answers if a.status_code != 201][:3]
    numbers = [a.json()["number"] for a in answers]
    year = date.today().year
    assert all(n.startswith(f"СЧ-{year}-") for n in numbers)
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, requests + 1))
    async with stack.http("admin") as admin:
        rules = (await admin.get(f"/api/business-units/{unit_id}/numbering-rules")).json()
    # Nothing was taken twice and stepped over: the counter stands exactly at N.
    assert {r["rule"]["kind"]: r["next_number"] for r in rules}["invoice"] == f"СЧ-{year}-{requests + 1:06d}"
