"""Replies to approval mail as real mail clients write them: each client's quote introduction,
quoting and signature, plain text or HTML only, with the headers a client or gateway may drop."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tests.mail_sink import text_of


def quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def html_body(message: EmailMessage) -> str:
    """The inside of the original's <body>, as clients quote it."""
    document = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"<body[^>]*>(.*)</body>", document, re.S)
    return found.group(1) if found else document


def paragraphs(answer: str) -> str:
    return "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in answer.splitlines())


# --- each client's plain text ------------------------------------------------------------------

def gmail_ru(original: EmailMessage, answer: str) -> str:
    # Gmail wraps the long introduction; the address lands on the next line.
    return f"{answer}\n\nср, 5 мар. 2025 г. в 10:15, CRM <\ncrm@crm.local>:\n\n{quoted(text_of(original))}\n"


def gmail_en(original: EmailMessage, answer: str) -> str:
    return f"{answer}\n\nOn Wed, Mar 5, 2025 at 10:15 AM CRM <crm@crm.local>\nwrote:\n\n{quoted(text_of(original))}\n"


def outlook_ru(original: EmailMessage, answer: str) -> str:
    return (
        f"{answer}\n\n________________________________\nОт: CRM <crm@crm.local>\n"
        f"Отправлено: 5 марта 2025 г. 10:15\nКому: Группов Григорий\nТема: {original['Subject']}\n\n{text_of(original)}"
    )


def outlook_en(original: EmailMessage, answer: str) -> str:
    return (
        f"{answer}\n\n-----Original Message-----\nFrom: CRM <crm@crm.local>\nSent: Wednesday, March 5, 2025 10:15 AM\n"
        f"To: Group Head <group_head@crm.test>\nSubject: {original['Subject']}\n\n{text_of(original)}"
    )


def yandex(original: EmailMessage, answer: str) -> str:
    return f"{answer}\n\n05.03.2025, 10:15, \"CRM\" <crm@crm.local>:\n{quoted(text_of(original))}\n"


def mailru(original: EmailMessage, answer: str) -> str:
    return (
        f"{answer}\n\n--\nОтправлено из мобильной Почты Mail.ru\n\n\n"
        f"Среда, 5 марта 2025, 10:15 +03:00 от CRM <crm@crm.local>:\n{quoted(text_of(original))}\n"
    )


def apple(original: EmailMessage, answer: str) -> str:
    return (
        f"{answer}\n\nОтправлено с iPhone\n\n> 5 марта 2025 г., в 10:15, CRM <crm@crm.local> написал(а):\n>\n"
        f"{quoted(text_of(original))}\n"
    )


def thunderbird(original: EmailMessage, answer: str) -> str:
    return f"{answer}\n\n05.03.2025 10:15, CRM пишет:\n{quoted(text_of(original))}\n"


# --- HTML --------------------------------------------------------------------------------------

def outlook_html(original: EmailMessage, answer: str) -> str:
    """Outlook (web and desktop 365): the original follows #appendonsend / #divRplyFwdMsg unquoted."""
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<style>p{margin-top:0;margin-bottom:0}</style></head><body dir=\"ltr\">"
        f'<div style="font-family:Calibri,Arial;font-size:12pt">{paragraphs(answer)}</div>'
        '<div id="Signature"><div>Финансова Фаина<br>Финансовый контролёр</div></div>'
        '<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt">'
        "<b>От:</b> CRM &lt;crm@crm.local&gt;<br><b>Отправлено:</b> 5 марта 2025 г. 10:15<br>"
        f"<b>Кому:</b> Финансова Фаина<br><b>Тема:</b> {html.escape(str(original['Subject']))}</font>"
        f"<div>&nbsp;</div></div><div>{html_body(original)}</div></body></html>"
    )


def gmail_html(original: EmailMessage, answer: str) -> str:
    return (
        f'<div dir="ltr">{paragraphs(answer)}</div><br><div class="gmail_quote gmail_quote_container">'
        '<div dir="ltr" class="gmail_attr">ср, 5 мар. 2025 г. в 10:15, CRM &lt;<a href="mailto:crm@crm.local">'
        'crm@crm.local</a>&gt;:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
        f'border-left:1px solid rgb(204,204,204);padding-left:1ex">{html_body(original)}</blockquote></div>'
    )


def yandex_html(original: EmailMessage, answer: str) -> str:
    return (
        f"<div>{paragraphs(answer)}</div><div>&nbsp;</div><div>05.03.2025, 10:15, \"CRM\" &lt;crm@crm.local&gt;:</div>"
        f"<blockquote>{html_body(original)}</blockquote>"
    )


# --- the message ---------------------------------------------------------------------------------

def reply(
    original: EmailMessage,
    sender: str,
    text: str | None = None,
    html_part: str | None = None,
    *,
    token: bool = True,
    thread: bool = True,
    in_reply_to: str | None = None,
    subject: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """A reply as it arrives: plain and/or HTML; `token=False` drops the plus-address, `thread=False`
    In-Reply-To and References; `in_reply_to` is what a Message-ID-rewriting gateway leaves."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = original["Reply-To"] if token else "approvals@crm.local"
    message["Subject"] = subject if subject is not None else f"Re: {original['Subject']}"
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="mail.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    elif thread:
        message["In-Reply-To"] = original["Message-ID"]
        message["References"] = original["Message-ID"]
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
        if html_part is not None:
            message.add_alternative(html_part, subtype="html")
    else:
        message.set_content(html_part or "", subtype="html")
    return message.as_bytes(policy=policy.SMTP)
