"""Signing in and out, and the interface language switch."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import authenticate, check_csrf, csrf_token, login
from api.deps import get_session
from api.errors import DomainError
from api.i18n import LANGUAGES, Translator, language_of
from api.web.templating import render
from models.org import Employee

router = APIRouter(tags=["pages"], include_in_schema=False)
HOME = "/deals"


def local_path(target: str | None) -> str:
    """Only paths on this site: a `next` pointing elsewhere would make the login an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, target: str = Query(HOME, alias="next")) -> HTMLResponse:
    csrf_token(request)
    return render(request, "auth/login.html", next=local_path(target), email="", error="")


@router.post("/login", response_class=HTMLResponse)
async def login_submit(
    request: Request,
    email: str = Form(default="", max_length=200),
    password: str = Form(default="", max_length=200),
    target: str = Form(default=HOME, alias="next"),
    session: AsyncSession = Depends(get_session),
) -> Response:
    _ = Translator(language_of(request))
    try:
        await check_csrf(request)
    except DomainError as err:
        return render(request, "auth/login.html", 403, next=local_path(target), email=email, error=_(f"error.{err.code}"))
    employee = await login(session, email, password)
    if employee is None:
        return render(request, "auth/login.html", 401, next=local_path(target), email=email, error=_("error.LoginFailed"))
    chosen = request.session.get("lang")
    # A fresh session on sign-in (no fixation); a language picked on the login page is kept
    # and remembered for the person, else the person's own language applies.
    request.session.clear()
    request.session["uid"] = employee.id
    if chosen and chosen != employee.language:
        employee.language = chosen
        session.add(employee)
        await session.commit()
    request.session["lang"] = employee.language
    csrf_token(request)
    return RedirectResponse(local_path(target), status_code=303)


@router.post("/logout")
async def logout(request: Request, session: AsyncSession = Depends(get_session)) -> RedirectResponse:
    if await authenticate(request, session) is not None:
        await check_csrf(request)
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{language}")
async def switch_language(
    language: str,
    request: Request,
    target: str = Query(HOME, alias="next"),
    session: AsyncSession = Depends(get_session),
) -> RedirectResponse:
    if language in LANGUAGES:
        request.session["lang"] = language
        # Remembered for the person too: notifications and API messages follow it.
        uid = request.session.get("uid")
        employee = await session.get(Employee, uid) if uid is not None else None
        if employee is not None and employee.language != language:
            employee.language = language
            session.add(employee)
            await session.commit()
    return RedirectResponse(local_path(target), status_code=303)
