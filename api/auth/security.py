"""Who is calling: a person with a session cookie (pages, and the pages' own fetches) or a machine
with a bearer token. Cookie-authenticated changes must carry the session's CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Depends, Request
from pwdlib import PasswordHash
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.deps import get_session
from api.errors import DomainError
from models.access import ApiToken
from models.messages.common import Actor
from models.org import Employee, Role

passwords = PasswordHash.recommended()
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class CurrentUser:
    employee_id: int
    name: str
    email: str
    roles: frozenset[str]
    department_id: int | None
    language: str
    by_token: bool = False

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def actor(self) -> Actor:
        return Actor(employee_id=self.employee_id, name=self.name, roles=sorted(self.roles))


class NotAuthenticated(Exception):
    """Pages answer with a redirect to the login page, the API with 401."""


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_secret() -> str:
    return "crm_" + secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    expected = request.session.get("csrf", "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and "form" in request.headers.get("content-type", ""):
        sent = str((await request.form()).get(CSRF_FIELD, ""))
    if not expected or not hmac.compare_digest(expected, sent):
        raise DomainError("CsrfFailed", 403)


def _user(employee: Employee, roles: list[str], by_token: bool = False) -> CurrentUser:
    assert employee.id is not None
    return CurrentUser(
        employee_id=employee.id,
        name=employee.full_name,
        email=employee.email,
        roles=frozenset(roles),
        department_id=employee.department_id,
        language=employee.language,
        by_token=by_token,
    )


async def authenticate(request: Request, session: AsyncSession) -> CurrentUser | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        digest = hash_token(header[7:].strip())
        row = (
            await session.exec(
                select(ApiToken, Employee)
                .join(Employee, Employee.id == ApiToken.employee_id)
                .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
            )
        ).first()
        if row is None or not row[1].is_active:
            return None
        return _user(row[1], row[0].roles, by_token=True)
    employee_id = request.session.get("uid")
    if employee_id is None:
        return None
    employee = await session.get(Employee, employee_id)
    if employee is None or not employee.is_active:
        request.session.clear()
        return None
    return _user(employee, employee.roles)


async def require_user(request: Request, session: AsyncSession = Depends(get_session)) -> CurrentUser:
    user = await authenticate(request, session)
    if user is None:
        raise NotAuthenticated()
    if request.method not in SAFE_METHODS and not user.by_token:
        await check_csrf(request)
    return user


def require_roles(*roles: Role):  # noqa: ANN201
    async def dependency(user: CurrentUser = Depends(require_user)) -> CurrentUser:
        if not user.has(*roles):
            raise DomainError("Forbidden", 403, roles=", ".join(roles))
        return user

    return dependency


async def login(session: AsyncSession, email: str, password: str) -> Employee | None:
    employee = (
        await session.exec(select(Employee).where(Employee.email == email.strip().lower()))
    ).scalar_one_or_none()
    if employee is None or not employee.is_active or not employee.password_hash:
        passwords.hash(password)  # same work either way: no timing hint that the login exists
        return None
    return employee if passwords.verify(password, employee.password_hash) else None
