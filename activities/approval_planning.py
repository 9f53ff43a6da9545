"""Planning a round from the read model: the rule version in force, the deal's facts, the
organisation on a given day. The approval workflow's activities and the deal card's preview both
call these, so "who will approve and why" is the same answer the workflow acts on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.i18n import translate
from models.approvals import ApprovalRuleVersion
from models.catalog import Product, ProductCategory, Unit, Warehouse
from models.deals import Deal, DealKind, DealStage, SpecLine
from models.messages.approval import ApprovalPlan, DealSummary, SummaryLine
from models.org import Absence, BusinessUnit, Department, Employee
from models.parties import Counterparty
from rules.approval import DealFacts, RuleSet, parse_rules, route
from rules.approval_chain import Away, Org, Person, plan_chain, resolve_step
from rules.approval_chain import Department as OrgDepartment

SEED_RULES = Path(__file__).resolve().parents[1] / "rules" / "approval_routing.yaml"


def company_today(timezone: str) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()


async def rules_in_force(session: AsyncSession) -> tuple[int, RuleSet]:
    """The newest saved version; the first start stores the shipped table as version 1."""
    latest = (
        await session.exec(select(ApprovalRuleVersion).order_by(ApprovalRuleVersion.version.desc()).limit(1))  # type: ignore[attr-defined]
    ).scalar_one_or_none()
    if latest is None:
        latest = ApprovalRuleVersion(version=1, text=SEED_RULES.read_text(encoding="utf-8"), comment="initial")
        session.add(latest)
        await session.commit()
    return latest.version, parse_rules(latest.text)


async def load_org(session: AsyncSession, day: date) -> Org:
    people = (await session.exec(select(Employee))).scalars().all()
    departments = (await session.exec(select(Department))).scalars().all()
    absences = (
        await session.exec(select(Absence).where(Absence.date_from <= day, Absence.date_to >= day))
    ).scalars().all()
    return Org(
        people={
            p.id: Person(id=p.id, name=p.full_name, email=p.email, roles=p.roles, department_id=p.department_id, active=p.is_active)
            for p in people
            if p.id is not None
        },
        departments={
            d.id: OrgDepartment(id=d.id, name=d.name, parent_id=d.parent_id, head_id=d.head_id)
            for d in departments
            if d.id is not None
        },
        absences=[
            Away(employee_id=a.employee_id, kind=a.kind, date_from=a.date_from, date_to=a.date_to, substitute_id=a.substitute_id)
            for a in absences
        ],
    )


async def deal_facts(session: AsyncSession, number: int) -> tuple[DealFacts, DealSummary]:
    deal = await session.get(Deal, number)
    if deal is None:
        raise LookupError(f"deal {number} is not in the read model")
    kind = await session.get(DealKind, deal.kind_id)
    client = await session.get(Counterparty, deal.client_id)
    unit = await session.get(BusinessUnit, deal.business_unit_id)
    manager = await session.get(Employee, deal.manager_id)
    assert kind and client and unit and manager
    stage_name = (
        await session.exec(select(DealStage.name).where(DealStage.kind_id == kind.id, DealStage.code == deal.stage_code))
    ).scalar_one()
    warehouse = await session.get(Warehouse, deal.warehouse_id) if deal.warehouse_id else None
    lines = (
        await session.exec(
            select(SpecLine, Product.name, ProductCategory.name, Unit.name)
            .outerjoin(Product, Product.id == SpecLine.product_id)
            .outerjoin(ProductCategory, ProductCategory.id == SpecLine.category_id)
            .outerjoin(Unit, Unit.id == SpecLine.unit_id)
            .where(SpecLine.deal_id == number)
            .order_by(SpecLine.position)
        )
    ).all()
    earlier_wins = (
        await session.exec(
            select(func.count()).select_from(Deal).where(Deal.client_id == client.id, Deal.status == "won", Deal.id != number)
        )
    ).scalar_one()
    facts = DealFacts(
        amount=deal.amount or deal.potential_amount,
        max_discount=max((line.discount_percent for line, *_ in lines), default=Decimal(0)),
        deferral_days=deal.payment_deferral_days,
        prepayment_percent=deal.prepayment_percent,
        delivery_method=deal.delivery_method,
        business_unit=unit.code,
        deal_kind=kind.code,
        categories=sorted({category for _, _, category, _ in lines if category}),
        client_is_new=earlier_wins == 0,
        client_industry_confirmed=client.industry_confirmed,
    )
    summary = DealSummary(
        number=number, title=deal.title, kind_name=kind.name, stage_name=stage_name,
        client_name=client.name, client_inn=client.inn or "", client_industry_confirmed=client.industry_confirmed,
        manager_id=manager.id or 0, manager_name=manager.full_name, business_unit=unit.name,
        amount=deal.amount, vat_amount=deal.vat_amount,
        delivery_method=translate("ru", f"delivery.{deal.delivery_method}"),
        warehouse=warehouse.name if warehouse else "", deferral_days=deal.payment_deferral_days,
        prepayment_percent=deal.prepayment_percent,
        lines=[
            SummaryLine(
                name=product or f"[{category}]", quantity=line.quantity, unit=unit_name or "",
                price=line.price, discount_percent=line.discount_percent, amount=line.amount,
            )
            for line, product, category, unit_name in lines
        ],
    )
    return facts, summary


async def plan_for_deal(session: AsyncSession, number: int, day: date) -> ApprovalPlan:
    """The chain for this deal as the rules in force put it (ChainProblem if they cannot)."""
    version, rules = await rules_in_force(session)
    facts, summary = await deal_facts(session, number)
    routed = route(rules, facts)
    org = await load_org(session, day)
    return ApprovalPlan(
        rule_version=version, hits=routed.hits, steps=plan_chain(routed, org, summary.manager_id), summary=summary
    )


async def preview(session: AsyncSession, number: int, day: date) -> ApprovalPlan:
    """The plan with each step resolved as if it became active today (substitutes shown)."""
    plan = await plan_for_deal(session, number, day)
    org = await load_org(session, day)
    approved: set[int] = set()
    steps = []
    for step in plan.steps:
        resolved = resolve_step(step, org, day, plan.summary.manager_id, approved)
        approved.update(seat.approver_id for seat in resolved.seats)
        steps.append(resolved)
    return plan.model_copy(update={"steps": steps})
