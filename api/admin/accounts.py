"""Accounts made from the command line (`run.py admin`, `run.py token`): the first administrator
of a new installation, and API tokens for machine clients such as 1C."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import hash_token, new_token_secret, passwords
from models.access import ApiToken
from models.org import Employee, Role

MIN_PASSWORD = 8


class AccountError(ValueError):
    """Refused, with a message for the person at the terminal."""


async def create_admin(session: AsyncSession, email: str, full_name: str, password: str) -> Employee:
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if (await session.exec(select(Employee.id).where(Employee.email == email))).first() is not None:
        raise AccountError(f"{email} already exists")
    admin = Employee(full_name=full_name, email=email, roles=[Role.admin.value], password_hash=passwords.hash(password))
    session.add(admin)
    await session.commit()
    return admin


async def issue_token(session: AsyncSession, email: str, purpose: str) -> str:
    """A new token acting as the employee, with their roles; the secret exists only in the answer."""
    email = email.strip().lower()
    employee = (await session.exec(select(Employee).where(Employee.email == email))).scalar_one_or_none()
    if employee is None or not employee.is_active:
        raise AccountError(f"no active employee logs in as {email}")
    secret = new_token_secret()
    session.add(ApiToken(name=purpose, token_hash=hash_token(secret), employee_id=employee.id, roles=employee.roles))
    await session.commit()
    return secret
