"""Administration pages: the approval routing table (administrators) and the mail page
(administrators and operations). Thin routes over `approval_rules` and `mail`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from api.admin import approval_rules, mail
from api.auth.security import CurrentUser
from api.deps import get_session
from api.errors import DomainError
from api.i18n import Translator, language_of
from api.web.deps import page_user
from api.web.templating import flash, render
from models.org import Role
from rules.approval import parse_rules

router = APIRouter(tags=["pages"], include_in_schema=False)


def page_roles(*roles: Role):  # noqa: ANN201
    async def dependency(user: CurrentUser = Depends(page_user)) -> CurrentUser:
        if not user.has(*roles):
            raise DomainError("Forbidden", 403, roles=", ".join(roles))
        return user

    return dependency


admin_only = page_roles(Role.admin)
mail_readers = page_roles(Role.admin, Role.operations)


@router.get("/admin/approval-rules", response_class=HTMLResponse)
async def rules_page(
    request: Request,
    version: int | None = None,
    user: CurrentUser = Depends(admin_only),
    session: AsyncSession = Depends(get_session),
) -> HTMLResponse:
    current = await approval_rules.current(session)
    shown = current if version is None or version == current.version else await approval_rules.version(session, version)
    # An older version opens in the editor too: saving it restores it as the newest version.
    return await _rules_page(request, session, current, shown, text=shown.text)


@router.post("/admin/approval-rules", response_class=HTMLResponse, response_model=None)
async def rules_save(
    request: Request,
    text: str = Form(..., max_length=200_000),
    comment: str = Form(default="", max_length=500),
    base_version: int | None = Form(default=None),
    user: CurrentUser = Depends(admin_only),
    session: AsyncSession = Depends(get_session),
) -> HTMLResponse | RedirectResponse:
    _ = Translator(language_of(request))
    text = text.replace("\r\n", "\n")  # browsers send CRLF; keep the YAML as it is typed
    try:
        saved = await approval_rules.save(session, approval_rules.RulesIn(text=text, comment=comment, base_version=base_version), user)
    except DomainError as refusal:
        current = await approval_rules.current(session)
        problems = [approval_rules.Problem(**p) for p in refusal.params.get("problems", [])]
        message = _(f"error.{refusal.code}", **refusal.params)
        return await _rules_page(
            request, session, current, current, text=text, comment=comment,
            # After a conflict the admin has seen the newer version: saving again is deliberate.
            base_version=current.version if refusal.code == "RulesChangedMeanwhile" else base_version,
            problems=problems, message=message, status_code=refusal.status,
        )
    flash(request, _("rules.saved", version=saved.version), "ok")
    return RedirectResponse("/admin/approval-rules", status_code=303)


async def _rules_page(
    request: Request,
    session: AsyncSession,
    current: approval_rules.RulesOut,
    shown: approval_rules.RulesOut,
    *,
    text: str,
    comment: str = "",
    base_version: int | None = None,
    problems: list[approval_rules.Problem] | None = None,
    message: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    rules = parse_rules(shown.text)  # every stored version passed this check when it was saved
    return render(
        request,
        "admin/approval_rules.html",
        status_code=status_code,
        nav="rules",
        current=current,
        shown=shown,
        rules=approval_rules.describe(rules),
        role_order=rules.roles,
        missing=await approval_rules.missing_holders(session, rules) if shown is current else [],
        versions=await approval_rules.versions(session),
        text=text,
        comment=comment,
        base_version=base_version or current.version,
        problems=problems or [],
        message=message,
    )


@router.get("/admin/mail", response_class=HTMLResponse)
async def mail_page(
    request: Request, user: CurrentUser = Depends(mail_readers), session: AsyncSession = Depends(get_session)
) -> HTMLResponse:
    total, caught = await mail.caught(session)
    return render(
        request, "admin/mail.html", nav="mail", total=total, caught=caught, outbox=await mail.outbox(session), limit=mail.PAGE
    )


@router.get("/admin/mail/{ident}", response_class=HTMLResponse)
async def mail_message(
    ident: int, request: Request, user: CurrentUser = Depends(mail_readers), session: AsyncSession = Depends(get_session)
) -> HTMLResponse:
    return render(request, "admin/mail_message.html", nav="mail", mail=await mail.opened(session, ident))
