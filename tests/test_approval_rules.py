"""Approval routing and the bottom-up chain, as pure functions over facts and an org snapshot."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rules.approval import DealFacts, RulesInvalid, parse_rules, route
from rules.approval_chain import (
    Away,
    ChainProblem,
    Department,
    Org,
    Person,
    plan_chain,
    resolve_step,
)

RULES = parse_rules((Path(__file__).resolve().parents[1] / "rules" / "approval_routing.yaml").read_text("utf-8"))
TODAY = date(2026, 11, 25)


def facts(**changes) -> DealFacts:  # noqa: ANN003
    base = dict(
        amount=Decimal("1000000"), max_discount=Decimal("2"), deferral_days=0, prepayment_percent=Decimal("100"),
        delivery_method="truck", business_unit="TD", deal_kind="retail_order", categories=["Арматура"],
        client_is_new=False, client_industry_confirmed=True,
    )
    return DealFacts(**(base | changes))


def org(*absences: Away, extra: list[Person] = ()) -> Org:  # noqa: B006
    people = [
        Person(id=1, name="Директоров", roles=["head", "sales_director"], department_id=10),
        Person(id=2, name="Начальников", roles=["head"], department_id=20),
        Person(id=3, name="Группов", roles=["head"], department_id=30),
        Person(id=4, name="Петрова", roles=["manager"], department_id=30),
        Person(id=5, name="Замов", roles=["manager"], department_id=30),
        Person(id=6, name="Финконтролёрова", roles=["finance_controller"], department_id=10),
        Person(id=7, name="Маркетова", roles=["marketing"], department_id=10),
        *extra,
    ]
    return Org(
        people={p.id: p for p in people},
        departments={
            10: Department(id=10, name="Дирекция", head_id=1),
            20: Department(id=20, name="Отдел продаж", parent_id=10, head_id=2),
            30: Department(id=30, name="Розница", parent_id=20, head_id=3),
        },
        absences=list(absences),
    )


def who(steps) -> list[list[int]]:  # noqa: ANN001
    return [[seat.approver_id for seat in step.seats] for step in steps]


def test_small_deal_needs_only_the_managers_head() -> None:
    r = route(RULES, facts())
    assert [h.rule_id for h in r.hits] == ["every_deal"]
    steps = plan_chain(r, org(), manager_id=4)
    assert who(steps) == [[3]]
    assert steps[0].reasons == ["Коммерческие условия любой сделки согласует руководитель отдела менеджера"]


def test_bigger_terms_climb_the_hierarchy_and_add_roles() -> None:
    r = route(RULES, facts(amount=Decimal("12000000"), deferral_days=45, client_industry_confirmed=False))
    assert {h.rule_id for h in r.hits} == {"every_deal", "amount_over_3m", "amount_over_10m", "long_deferral", "unconfirmed_industry"}
    steps = plan_chain(r, org(), manager_id=4)
    # Heads 3 → 2 → 1; the sales director is head 1 already: no one twice.
    assert who(steps) == [[3], [2], [1], [6], [7]]
    assert [s.kind for s in steps] == ["head", "head", "head", "role", "role"]
    assert "Сумма сделки больше 10 млн ₽ — широкий круг, коммерческий директор" in steps[2].reasons


def test_a_head_never_approves_their_own_deal() -> None:
    steps = plan_chain(route(RULES, facts(max_discount=Decimal("7"))), org(), manager_id=3)
    assert who(steps) == [[2], [1]]


def test_wide_circle_asks_every_holder_in_parallel() -> None:
    second = Person(id=8, name="Вторая Финконтролёрова", roles=["finance_controller"], department_id=10)
    wide = RULES.model_copy(deep=True)
    next(r for r in wide.rules if r.id == "long_deferral").circle = "wide"
    steps = plan_chain(route(wide, facts(deferral_days=60)), org(extra=[second]), manager_id=4)
    assert who(steps) == [[3], [6, 8]]
    narrow = plan_chain(route(RULES, facts(deferral_days=60)), org(extra=[second]), manager_id=4)
    assert who(narrow) == [[3], [6]]


def test_absent_approver_is_replaced_by_the_substitute_chain() -> None:
    on_leave = Away(employee_id=3, kind="leave", date_from=TODAY, date_to=date(2026, 12, 5), substitute_id=5)
    steps = plan_chain(route(RULES, facts()), org(on_leave), manager_id=4)
    seat = resolve_step(steps[0], org(on_leave), TODAY, manager_id=4, approved=set()).seats[0]
    assert (seat.approver_id, seat.acting_for, seat.how) == (5, 3, "substitute")
    assert "Группов: leave до 05.12.2026" in seat.note
    # The day before the leave the head signs himself.
    before = resolve_step(steps[0], org(on_leave), date(2026, 11, 24), manager_id=4, approved=set()).seats[0]
    assert before.approver_id == 3


def test_absent_substitute_passes_on_without_loops_and_else_goes_up() -> None:
    absences = (
        Away(employee_id=3, kind="leave", date_from=TODAY, date_to=TODAY, substitute_id=5),
        Away(employee_id=5, kind="sick", date_from=TODAY, date_to=TODAY, substitute_id=3),
    )
    steps = plan_chain(route(RULES, facts()), org(*absences), manager_id=4)
    seat = resolve_step(steps[0], org(*absences), TODAY, manager_id=4, approved=set()).seats[0]
    assert (seat.approver_id, seat.how) == (2, "escalated")
    nobody = Away(employee_id=3, kind="trip", date_from=TODAY, date_to=TODAY)
    seat = resolve_step(steps[0], org(nobody), TODAY, manager_id=4, approved=set()).seats[0]
    assert (seat.approver_id, seat.acting_for) == (2, 3)


def test_substitute_who_is_the_manager_is_skipped_and_no_one_signs_twice() -> None:
    leave = Away(employee_id=3, kind="leave", date_from=TODAY, date_to=TODAY, substitute_id=4)
    steps = plan_chain(route(RULES, facts(max_discount=Decimal("9"))), org(leave), manager_id=4)
    first = resolve_step(steps[0], org(leave), TODAY, manager_id=4, approved=set()).seats[0]
    assert first.approver_id == 2  # the manager may not act for their own head
    second = resolve_step(steps[1], org(leave), TODAY, manager_id=4, approved={2}).seats[0]
    assert second.how == "already_approved"


def test_a_role_nobody_holds_is_a_clear_problem() -> None:
    lonely = org()
    del lonely.people[7]
    with pytest.raises(ChainProblem) as problem:
        plan_chain(route(RULES, facts(client_industry_confirmed=False)), lonely, manager_id=4)
    assert problem.value.params == {"role": "marketing"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("roles: []\nrules: [{id: a, reason: x, heads_up_to: 1, roles: [ceo]}]", "not in the roles list"),
        ("roles: []\nrules: [{id: a, reason: x, heads_up_to: 1}, {id: a, reason: y, heads_up_to: 1}]", "repeat"),
        ("roles: []\nrules: [{id: a, reason: x, heads_up_to: 1, when: {colour: {any: [red]}}}]", "colour"),
        ("roles: []\nrules: [{id: a, reason: x}]", "asks nobody"),
        ("roles: [\n", "YAML"),
        ("roles: []\nrules: [{id: a, reason: x, heads_up_to: 1, when: {amount: {gt: lots}}}]", "amount"),
    ],
)
def test_invalid_rules_are_refused_with_the_place(text: str, problem: str) -> None:
    with pytest.raises(RulesInvalid) as err:
        parse_rules(text)
    assert problem in str(err.value)
