"""Values every workflow shares: who acts, and how a workflow refuses a request."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from temporalio.exceptions import ApplicationError


class Actor(BaseModel):
    """Who asks for a change; the API has authenticated them and checked their rights."""

    employee_id: int
    name: str
    roles: list[str] = []

    @property
    def is_head(self) -> bool:
        return "head" in self.roles or "admin" in self.roles


def refuse(code: str, **details: Any) -> ApplicationError:
    """A refusal the caller can show: `code` names the message, `details` fill it in.

    Raised by update validators (nothing happens, the caller learns at once) and, for races that
    only the handler can see, by handlers (the update fails, the workflow carries on)."""
    return ApplicationError(code, details, type=code, non_retryable=True)
