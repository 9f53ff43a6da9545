"""The first administrator and machine tokens made from the command line (`run.py admin`/`token`)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from api.admin.accounts import AccountError, create_admin, issue_token
from api.auth.security import login


async def test_a_new_admin_logs_in_and_a_token_acts_as_them(stack) -> None:  # noqa: ANN001
    email = f"Boss-{uuid.uuid4().hex[:6]}@Company.ru"
    async with stack.db.session() as session:
        admin = await create_admin(session, email, "Иванов Иван", "long-enough")
        assert admin.email == email.lower() and admin.roles == ["admin"]
        assert await login(session, email, "long-enough") is not None
        assert await login(session, email, "wrong-password") is None
        secret = await issue_token(session, email, "1C exchange")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stack.app), base_url="http://crm.test",
                                 headers={"Authorization": f"Bearer {secret}"}) as api:
        # Only an administrator may issue tokens through the API: the token carries the admin role.
        made = await api.post("/api/tokens", json={"name": "telephony", "employee_id": admin.id, "roles": ["erp"]})
        assert made.status_code == 201, made.text


async def test_refusals_change_nothing(stack) -> None:  # noqa: ANN001
    async with stack.db.session() as session:
        with pytest.raises(AccountError, match="at least 8"):
            await create_admin(session, "short@company.ru", "Коротко", "short")
        with pytest.raises(AccountError, match="already exists"):
            await create_admin(session, "admin@crm.test", "Дубль", "long-enough")  # seeded in tests/org.py
        with pytest.raises(AccountError, match="no active employee"):
            await issue_token(session, "nobody@company.ru", "x")
        assert await login(session, "short@company.ru", "short") is None
