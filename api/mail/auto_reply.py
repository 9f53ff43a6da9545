"""The polite answer to a reply that was not acted on: why, and what to do instead (Russian)."""

from __future__ import annotations

import hashlib

from activities.mail import Outgoing
from api.mail.inbound import Inbound

WORDS_HINT = (
    "Ответьте на письмо о согласовании так: первой строкой «Согласовано» или «Отклонено» "
    "(можно «Да» / «Нет», «OK»), ниже — комментарий. Или воспользуйтесь ссылками из письма."
)
LINKS_HINT = "Решение можно принять и по ссылкам из письма о согласовании или на карточке сделки в CRM."

# problem → (what happened, what to do)
REASONS: dict[str, tuple[str, str]] = {
    "unreadable": ("в первой строке ответа нет решения", WORDS_HINT),
    "unauthorised": (
        "адрес {sender} не значится среди согласующих по этому письму",
        "Ответьте с того адреса, на который пришло письмо о согласовании. " + LINKS_HINT,
    ),
    "unknown": (
        "не удалось понять, к какому согласованию относится письмо",
        "Нажмите «Ответить» в самом письме о согласовании и не меняйте тему. " + LINKS_HINT,
    ),
    "reassigned": (
        "этот шаг согласования передан другому сотруднику (замещение или эскалация), "
        "и письмо, на которое вы ответили, больше не действует",
        "Если решение всё же за вами, откройте сделку в CRM.",
    ),
    "closed": ("согласование по этой сделке уже завершено или отменено", "Текущее состояние — на карточке сделки в CRM."),
    "not_active": ("этот шаг согласования сейчас не ждёт решения", "Текущее состояние — на карточке сделки в CRM."),
    "already_decided": ("решение по этому шагу уже принято", "Повторный ответ ничего не меняет."),
    "not_your_seat": ("сейчас решения по этой сделке ждут не от вас", LINKS_HINT),
}
# Refusals of the workflow itself (the read model may lag a decision taken a moment ago).
WORKFLOW_REFUSALS = {
    "NotCurrentStep": "not_active",
    "AlreadyDecided": "already_decided",
    "RoundClosed": "closed",
    "DealClosed": "closed",
    "NotYourSeat": "not_your_seat",
}


def auto_reply(mail: Inbound, problem: str, first_line: str = "", deal_number: int | None = None) -> Outgoing:
    what, hint = REASONS.get(problem, ("система не смогла принять решение ({problem})", LINKS_HINT))
    lines = [
        "Здравствуйте!",
        "",
        f"Ваше письмо «{mail.subject or 'без темы'}» получено, но решение по нему не принято: "
        + what.format(sender=mail.sender, problem=problem) + ".",
    ]
    if problem == "unreadable":
        lines.append(f"Первая строка вашего ответа: «{first_line[:200]}»." if first_line else "Текст ответа пуст.")
    lines += ["", hint, "", "Это письмо отправлено автоматически, отвечать на него не нужно."]
    subject = mail.subject if mail.subject.lower().startswith("re:") else f"Re: {mail.subject}".strip()
    return Outgoing(
        key=f"auto-reply:{hashlib.sha256(mail.message_id.encode()).hexdigest()[:40]}",
        to=mail.sender,
        subject=subject[:500],
        text="\n".join(lines) + "\n",
        in_reply_to=mail.message_id if mail.has_message_id else "",
        references=[mail.message_id] if mail.has_message_id else [],
        deal_id=deal_number,
    )
