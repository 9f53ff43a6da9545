"""Administrator's pages for our business units: requisites, bank accounts, signatories and the
numbering rules their documents follow."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser
from api.deps import get_session, get_settings
from api.documents import numbering, requisites, signatories
from api.documents.pages import act
from api.documents.wording import local_today
from api.errors import DomainError
from api.web.deps import page_user
from api.web.templating import render
from models.documents import AuthorityKind, BankAccount, DocumentKind, NumberingRule, ResetPeriod
from models.org import Role
from settings import Settings

router = APIRouter(prefix="/admin", tags=["pages"], include_in_schema=False)


async def admin_user(user: CurrentUser = Depends(page_user)) -> CurrentUser:
    if not user.has(Role.admin):
        raise DomainError("Forbidden", 403, roles=Role.admin.value)
    return user


@router.get("/business-units", response_class=HTMLResponse)
async def unit_list(request: Request, user: CurrentUser = Depends(admin_user), session: AsyncSession = Depends(get_session)) -> HTMLResponse:
    return render(request, "documents/business_units.html", nav="admin", units=await requisites.all_units(session))


@router.get("/business-units/{unit_id}", response_class=HTMLResponse)
async def unit_page(
    unit_id: int, request: Request, user: CurrentUser = Depends(admin_user), session: AsyncSession = Depends(get_session),
    settings: Settings = Depends(get_settings),
) -> HTMLResponse:
    unit = await requisites.unit_or_404(session, unit_id)
    today = local_today(settings.timezone)
    rules = await numbering.ensure_rules(session, unit)
    ordered = [rules[kind.value] for kind in DocumentKind]
    return render(
        request, "documents/business_unit.html", nav="admin", unit=await requisites.describe(session, unit),
        people=await signatories.list_signatories(session, today, settings.authority_warning_days, business_unit_id=unit_id),
        rules=[(rule, await numbering.next_number(session, rule, today)) for rule in ordered],
        resets=[r.value for r in ResetPeriod], authority_kinds=[k.value for k in AuthorityKind], can_manage=True,
        party_field="business_unit_id", party_id=unit_id,
    )


@router.post("/business-units/{unit_id}")
async def unit_save(
    unit_id: int, request: Request, name: str = Form(""), full_name: str = Form(""), inn: str = Form(""), kpp: str = Form(""),
    ogrn: str = Form(""), address: str = Form(""), phone: str = Form(""), user: CurrentUser = Depends(admin_user),
    session: AsyncSession = Depends(get_session),
) -> RedirectResponse:
    async def save() -> dict:
        data = requisites.RequisitesIn(name=name.strip(), full_name=full_name.strip(), inn=inn, kpp=kpp, ogrn=ogrn, address=address, phone=phone)
        return {"name": (await requisites.update_requisites(session, unit_id, data)).name}

    return await act(request, save, target=f"/admin/business-units/{unit_id}", done="units.saved")


@router.post("/business-units/{unit_id}/bank-accounts")
async def bank_account_add(
    unit_id: int, request: Request, bank_name: str = Form(""), bik: str = Form(""), account: str = Form(""),
    correspondent_account: str = Form(""), is_default: bool = Form(False), user: CurrentUser = Depends(admin_user),
    session: AsyncSession = Depends(get_session),
) -> RedirectResponse:
    async def add() -> dict:
        data = requisites.BankAccountIn(
            bank_name=bank_name.strip(), bik=bik.strip(), account=account.strip(), correspondent_account=correspondent_account.strip(),
            is_default=is_default,
        )
        return {"account": (await requisites.add_bank_account(session, unit_id, data)).account}

    return await act(request, add, target=f"/admin/business-units/{unit_id}#bank", done="units.account_added")


async def _account_unit(session: AsyncSession, account_id: int) -> int:
    account = await session.get(BankAccount, account_id)
    if account is None:
        raise DomainError("UnknownReference", 404, field="bank_account_id", value=account_id)
    return account.business_unit_id


@router.post("/bank-accounts/{account_id}/default")
async def bank_account_default(
    account_id: int, request: Request, user: CurrentUser = Depends(admin_user), session: AsyncSession = Depends(get_session)
) -> RedirectResponse:
    unit_id = await _account_unit(session, account_id)

    async def make_default() -> dict:
        return {"account": (await requisites.make_default(session, account_id)).account}

    return await act(request, make_default, target=f"/admin/business-units/{unit_id}#bank", done="units.account_default")


@router.post("/bank-accounts/{account_id}/delete")
async def bank_account_remove(
    account_id: int, request: Request, user: CurrentUser = Depends(admin_user), session: AsyncSession = Depends(get_session)
) -> RedirectResponse:
    unit_id = await _account_unit(session, account_id)
    return await act(
        request, lambda: requisites.remove_bank_account(session, account_id), target=f"/admin/business-units/{unit_id}#bank",
        done="units.account_removed",
    )


@router.post("/numbering-rules/{rule_id}")
async def rule_save(
    rule_id: int, request: Request, prefix: str = Form(""), year_format: str = Form(""), office_code: str = Form(""),
    width: str = Form("6"), reset: str = Form("yearly"), separator: str = Form("-"), user: CurrentUser = Depends(admin_user),
    session: AsyncSession = Depends(get_session),
) -> RedirectResponse:
    rule = await session.get(NumberingRule, rule_id)
    if rule is None:
        raise DomainError("UnknownReference", 404, field="rule_id", value=rule_id)

    async def save() -> dict:
        data = numbering.RuleIn(prefix=prefix, year_format=year_format, office_code=office_code, width=width, reset=reset, separator=separator)
        await numbering.update_rule(session, rule_id, data)
        return {}

    return await act(request, save, target=f"/admin/business-units/{rule.business_unit_id}#numbering", done="units.rule_saved")
