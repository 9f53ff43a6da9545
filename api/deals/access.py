"""Who sees and edits which deals.

Admins, operations staff and 1C see everything; heads see their department and the departments
under it; managers see their own deals, deals they take part in and (by setting) their
department's; an approver sees the deals whose approval asks them (or someone they act for).
Only the deal's manager, a participant from sales support, a head above it or an
admin may change it; operations staff change nothing."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser
from api.errors import DomainError
from models.approvals import ApprovalRound, ApprovalSeat, ApprovalStep
from models.deals import Deal, Participant
from models.org import Department, Role

SEE_ALL = (Role.admin, Role.operations, Role.erp)
EDITING_PARTICIPANT_ROLES = ("support", "manager")


async def department_subtree(session: AsyncSession, root: int | None) -> set[int]:
    if root is None:
        return set()
    rows = (await session.exec(select(Department.id, Department.parent_id))).all()
    children: dict[int | None, list[int]] = {}
    for dept_id, parent_id in rows:
        children.setdefault(parent_id, []).append(dept_id)
    found, todo = set(), [root]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def _approver(user: CurrentUser) -> ColumnElement[bool]:
    query = (
        select(ApprovalRound.deal_id)
        .join(ApprovalStep, ApprovalStep.round_id == ApprovalRound.id)
        .join(ApprovalSeat, ApprovalSeat.step_id == ApprovalStep.id)
        .where(or_(ApprovalSeat.approver_id == user.employee_id, ApprovalSeat.planned_id == user.employee_id))
    )
    return Deal.id.in_(query)  # type: ignore[attr-defined]


def _participant(user: CurrentUser, roles: tuple[str, ...] | None = None) -> ColumnElement[bool]:
    query = select(Participant.deal_id).where(Participant.employee_id == user.employee_id)
    if roles:
        query = query.where(Participant.role.in_(roles))  # type: ignore[attr-defined]
    return Deal.id.in_(query)  # type: ignore[attr-defined]


async def visible(session: AsyncSession, user: CurrentUser, settings_see_department: bool) -> ColumnElement[bool]:
    """A WHERE clause: the deals this user may see."""
    if user.has(*SEE_ALL):
        return Deal.id.is_not(None)  # type: ignore[attr-defined]
    clauses = [Deal.manager_id == user.employee_id, _participant(user), _approver(user)]
    if user.has(Role.head):
        subtree = await department_subtree(session, user.department_id)
        clauses.append(Deal.department_id.in_(subtree))  # type: ignore[union-attr]
    elif settings_see_department and user.department_id is not None:
        clauses.append(Deal.department_id == user.department_id)
    return or_(false(), *clauses)


async def editable(session: AsyncSession, user: CurrentUser) -> ColumnElement[bool]:
    if user.has(Role.admin, Role.erp):
        return Deal.id.is_not(None)  # type: ignore[attr-defined]
    if user.has(Role.operations) and not user.has(Role.manager, Role.head):
        return false()
    clauses = [Deal.manager_id == user.employee_id, _participant(user, EDITING_PARTICIPANT_ROLES)]
    if user.has(Role.head):
        subtree = await department_subtree(session, user.department_id)
        clauses.append(Deal.department_id.in_(subtree))  # type: ignore[union-attr]
    return or_(false(), *clauses)


async def check(session: AsyncSession, user: CurrentUser, number: int, *, edit: bool, see_department: bool) -> Deal:
    """The deal row if the user may see (or edit) it; 404 when it is not theirs to see."""
    condition = await (editable(session, user) if edit else visible(session, user, see_department))
    deal = (await session.exec(select(Deal).where(Deal.id == number, condition))).scalar_one_or_none()
    if deal is not None:
        return deal
    if edit and await session.get(Deal, number) is not None:
        visible_deal = (
            await session.exec(select(Deal.id).where(Deal.id == number, await visible(session, user, see_department)))
        ).first()
        if visible_deal is not None:
            raise DomainError("NotYourDeal", 403, number=number)
    raise DomainError("DealNotFound", 404, number=number)
