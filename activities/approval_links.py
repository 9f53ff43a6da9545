"""Signed links in approval mail. A link names one approver's seat in one step (HMAC-signed with
the app's secret, with its issue time); it expires after the configured time and is good for one
decision: once the seat has decided, the same link only says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "approval-link"


@dataclass(frozen=True)
class LinkTarget:
    round_id: str
    step_index: int
    approver_id: int
    reply_token: str  # changes when the seat is given to someone else: older links stop working


class LinkInvalid(Exception):
    def __init__(self, reason: str) -> None:  # forged | expired
        super().__init__(reason)
        self.reason = reason


def sign(secret: str, target: LinkTarget) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps(
        [target.round_id, target.step_index, target.approver_id, target.reply_token]
    )


def verify(secret: str, token: str, ttl: timedelta) -> LinkTarget:
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    try:
        round_id, step_index, approver_id, reply_token = serializer.loads(token, max_age=int(ttl.total_seconds()))
    except SignatureExpired:
        raise LinkInvalid("expired") from None
    except (BadSignature, ValueError, TypeError):
        raise LinkInvalid("forged") from None
    return LinkTarget(str(round_id), int(step_index), int(approver_id), str(reply_token))
