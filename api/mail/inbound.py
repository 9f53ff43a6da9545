"""The facts of one received message that say whose approval it answers: the plus-address token,
our approval Message-IDs it refers to, the deal number in its subject, the sender, whether a
machine wrote it, and its own text. Pure: bytes in, facts out."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses

from api.mail.reply_text import html_text

RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
# Message-IDs of approval mail: <approval-<deal>-<round>.s<step>.a<approver>.<kind><n>@domain>.
APPROVAL_ID = re.compile(r"<(approval-\d+-\d+)\.s(\d+)\.a(\d+)\.(?:request|reminder)\d+@([^<>\s]+)>")
MESSAGE_IDS = re.compile(r"<[^<>\s]+>")
# "сделка № 1042", "Сделка №1042", "сделке 1042", "deal 1042", "Deal #1042".
DEAL_NUMBER = re.compile(r"(?:сделк[а-я]*|deal)\s*(?:№|#|no\.?)?\s*(\d{1,9})\b", re.IGNORECASE)
ROBOT_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply")


@dataclass(frozen=True)
class ThreadRef:
    """Which approval mail a reply answers, read from our own Message-ID."""

    round_id: str
    step_index: int
    approver_id: int


@dataclass(frozen=True)
class Inbound:
    message_id: str  # its own, or a stable hash when it has none
    has_message_id: bool
    sender: str  # the From address, lower-case; "" when unreadable
    subject: str
    tokens: list[str] = field(default_factory=list)  # from approvals+TOKEN@… recipients
    thread: list[ThreadRef] = field(default_factory=list)  # nearest first
    deal_number: int | None = None
    automatic: bool = False  # an auto-reply, a bounce, a list: never answered
    text: str = ""


def parse_inbound(raw: bytes, approvals_address: str, domain: str) -> Inbound:
    message: EmailMessage = message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    sender = _address(message, "From")
    subject = " ".join(_header(message, "Subject").split())
    text = body_text(message)
    own_id = MESSAGE_IDS.search(_header(message, "Message-ID"))
    if own_id:
        message_id = own_id.group(0)[:250]
    else:  # stable across deliveries of the same message, unlike its bytes (Received headers differ)
        facts = "\n".join([sender, _header(message, "To"), _header(message, "Date"), subject, text])
        message_id = f"<{hashlib.sha256(facts.encode()).hexdigest()[:40]}@no-message-id>"
    deal = DEAL_NUMBER.search(subject)
    return Inbound(
        message_id=message_id,
        has_message_id=own_id is not None,
        sender=sender,
        subject=subject,
        tokens=_tokens(message, approvals_address),
        thread=_thread(message, domain),
        deal_number=int(deal.group(1)) if deal else None,
        automatic=_automatic(message, sender, approvals_address),
        text=text,
    )


def body_text(message: EmailMessage) -> str:
    """The plain part if there is one, else the HTML part as text (without its quoted part)."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset: read what we can
        content = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return ""
    return html_text(content) if part.get_content_subtype() == "html" else content


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (ValueError, IndexError, TypeError):  # a malformed header the parser cannot decode
        return ""


def _addresses(message: EmailMessage, name: str) -> list[str]:
    try:
        values = [str(value) for value in message.get_all(name, [])]
    except (ValueError, IndexError, TypeError):
        return []
    return [address.lower() for _, address in getaddresses(values) if "@" in address]


def _address(message: EmailMessage, name: str) -> str:
    found = _addresses(message, name)
    return found[0] if found else ""


def _tokens(message: EmailMessage, approvals_address: str) -> list[str]:
    local = re.escape(approvals_address.partition("@")[0].lower())
    plus = re.compile(rf"^{local}\+([a-z0-9_-]+)@")
    found = [m.group(1) for name in RECIPIENT_HEADERS for a in _addresses(message, name) if (m := plus.match(a))]
    return list(dict.fromkeys(found))


def _thread(message: EmailMessage, domain: str) -> list[ThreadRef]:
    """Our approval Message-IDs in In-Reply-To, then References from the newest back."""
    ids = MESSAGE_IDS.findall(_header(message, "In-Reply-To"))
    ids += reversed(MESSAGE_IDS.findall(_header(message, "References")))
    refs = [
        ThreadRef(m.group(1), int(m.group(2)), int(m.group(3)))
        for i in ids
        if (m := APPROVAL_ID.fullmatch(i)) and m.group(4).lower() == domain.lower()
    ]
    return list(dict.fromkeys(refs))


def _automatic(message: EmailMessage, sender: str, approvals_address: str) -> bool:
    """RFC 3834 and the usual marks of robots: answering them would start a mail loop."""
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    precedence = _header(message, "Precedence").strip().lower()
    local = sender.partition("@")[0]
    return (
        (auto_submitted != "" and auto_submitted != "no")
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or any(_header(message, name) for name in ("X-Autoreply", "X-Autorespond", "List-Id"))
        or _header(message, "Return-Path").strip() == "<>"
        or message.get_content_type() == "multipart/report"  # delivery and read reports
        or not sender
        or local in ROBOT_SENDERS
        or local.partition("+")[0] == approvals_address.partition("@")[0].lower()  # our own mailbox
    )
