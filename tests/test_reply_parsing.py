"""Reading replies to approval mail: the decision and comment from what real clients send (plain
and HTML, Russian and English quoting), and the facts of a message that say whose seat it answers."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from api.mail.gateway import mailbox_name
from api.mail.inbound import ThreadRef, parse_inbound
from api.mail.reply_text import html_text, read_reply
from tests import reply_mail as client

ORIGINAL_TEXT = """Здравствуйте, Группов Григорий!

Прошу согласовать коммерческие условия сделки № 1042 (Розничный заказ, этап «Спецификация»).

Клиент: ООО «Новый клиент», ИНН 7707083893
Сумма: 1 100 000,00 ₽, в т. ч. НДС 183 333,33 ₽
Оплата: отсрочка 30 дн., предоплата 50 %

Спецификация:
1. Арматура А500С 10 мм — 10 т × 45 000,00, скидка 2 % = 441 000,00

Согласовать: http://127.0.0.1:8000/approve/abc.def?d=approve
Отклонить: http://127.0.0.1:8000/approve/abc.def?d=reject

Можно просто ответить на это письмо: первой строкой «Согласовано» или «Отклонено», ниже — комментарий.
"""
ORIGINAL_HTML = (
    "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\"></head><body><p>Здравствуйте!</p>"
    "<p>Прошу согласовать коммерческие условия сделки <b>№&nbsp;1042</b>.</p>"
    "<p>Нет возражений? Ответьте «Согласовано».</p><p><a href=\"http://x/approve/t?d=approve\">Согласовать</a></p>"
    "</body></html>"
)


@pytest.fixture(scope="module")
def original() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "CRM <crm@crm.local>"
    message["To"] = "group_head@crm.test"
    message["Subject"] = "Согласование: сделка № 1042 — ООО «Новый клиент»"
    message["Message-ID"] = "<approval-1042-1.s1.a7.request0@crm.local>"
    message["Reply-To"] = "approvals+0123456789abcdef0123@crm.local"
    message.set_content(ORIGINAL_TEXT)
    message.add_alternative(ORIGINAL_HTML, subtype="html")
    return message


PLAIN = [
    # (client, what the approver typed, approve?, comment)
    (client.gmail_ru, "Согласовано, но отгрузка не раньше 15-го", True, "но отгрузка не раньше 15-го"),
    (client.gmail_en, "Approved. Please ship after the 15th.", True, "Please ship after the 15th."),
    (client.outlook_ru, "Отклонено\nСкидка 7 % не согласована с коммерческим директором.", False,
     "Скидка 7 % не согласована с коммерческим директором."),
    (client.outlook_en, "Rejected - the price is below the list", False, "the price is below the list"),
    (client.yandex, "Да", True, ""),
    (client.mailru, "ОК", True, ""),  # Cyrillic О and К
    (client.mailru, "Ok.", True, ""),
    (client.apple, "Согласую!", True, ""),
    (client.thunderbird, "Отклоняю: нужна 100 % предоплата", False, "нужна 100 % предоплата"),
    (client.thunderbird, "Нет.\nОтсрочка 60 дней для нового клиента — много.\n\nС уважением,\nГригорий Группов",
     False, "Отсрочка 60 дней для нового клиента — много."),
    (client.gmail_ru, "Yes, go ahead\n-- \nJohn Smith\nHead of Sales", True, "go ahead"),
    (client.gmail_ru, "\n\n  СОГЛАСОВАНО  \n\n", True, ""),
    (client.yandex, "Согласовано.\n\nПервая партия — до 10-го.\nВторая — по графику.", True,
     "Первая партия — до 10-го.\nВторая — по графику."),
    (client.outlook_ru, "Нет возражений", True, ""),
    (client.gmail_en, "No", False, ""),
    (client.apple, "Reject\nDiscount too deep", False, "Discount too deep"),
    (client.thunderbird, "- скидку снизить до 3 %", None, ""),  # no decision word, however it reads
    (client.thunderbird, "Посмотрю завтра", None, ""),
    (client.gmail_ru, "Добрый день!\nСогласовано", None, ""),  # the decision must be the first line
    (client.yandex, "Даже не знаю", None, ""),  # "Да" only as a whole word
    (client.mailru, "", None, ""),  # only the signature and the quote
]


@pytest.mark.parametrize(("build", "typed", "approve", "comment"), PLAIN, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(PLAIN)])
def test_plain_text_replies(original: EmailMessage, build, typed: str, approve: bool | None, comment: str) -> None:  # noqa: ANN001
    reading = read_reply(build(original, typed))
    assert (reading.approve, reading.comment) == (approve, comment)


def test_bottom_posting_reads_below_the_quote(original: EmailMessage) -> None:
    text = f"05.03.2025 10:15, CRM пишет:\n{client.quoted(ORIGINAL_TEXT)}\n\nСогласовано\nС поставкой в марте.\n"
    assert read_reply(text) == read_reply("Согласовано\nС поставкой в марте.")
    assert read_reply(text).comment == "С поставкой в марте."


HTML = [
    (client.outlook_html, "Отклонено\nЦена ниже прайса", False, "Цена ниже прайса"),  # signature dropped too
    (client.gmail_html, "Согласовано", True, ""),
    (client.yandex_html, "Да, согласовано", True, "согласовано"),
]


@pytest.mark.parametrize(("build", "typed", "approve", "comment"), HTML, ids=[c[0].__name__ for c in HTML])
def test_html_only_replies(original: EmailMessage, build, typed: str, approve: bool, comment: str) -> None:  # noqa: ANN001
    text = html_text(build(original, typed))
    assert "Прошу согласовать" not in text and "approve" not in text
    reading = read_reply(text)
    assert (reading.approve, reading.comment) == (approve, comment)


@pytest.mark.parametrize(
    ("markup", "approve", "comment"),
    [
        # Apple Mail
        ('<div dir="auto">Согласую<br><br><div dir="ltr">Отправлено с iPhone</div><div dir="ltr"><br>'
         '<blockquote type="cite">5 марта 2025 г., в 10:15, CRM &lt;crm@crm.local&gt; написал(а):<br><br>'
         "Прошу согласовать</blockquote></div></div>", True, ""),
        # Thunderbird
        ('<p>Нет<br>Условия оплаты не те</p><div class="moz-cite-prefix">05.03.2025 10:15, CRM пишет:<br></div>'
         '<blockquote type="cite" cite="mid:approval-1042-1.s1.a7.request0@crm.local">Прошу согласовать</blockquote>',
         False, "Условия оплаты не те"),
        # Mail.ru web
        ("<div>ОК</div><div>&nbsp;</div><div data-signature-widget=\"container\"><div>--<br>Отправлено из мобильной "
         "Почты Mail.ru</div></div><div class=\"js-helper js-readmsg-msg\"><div>Среда, 5 марта 2025, 10:15 +03:00 от "
         "CRM &lt;crm@crm.local&gt;:<br></div><blockquote style=\"border-left:1px solid #0857A6\">Прошу согласовать"
         "</blockquote></div>", True, ""),
        # Outlook desktop: no marker elements, the header block of the original in the text
        ('<div class="WordSection1"><p class="MsoNormal">Согласовано<o:p></o:p></p><p class="MsoNormal">Цена '
         "<b>ок</b><o:p></o:p></p><div><div style=\"border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm "
         '0cm"><p class="MsoNormal"><b>From:</b> CRM &lt;crm@crm.local&gt; <br><b>Sent:</b> Wednesday, March 5, '
         "2025 10:15 AM<br><b>To:</b> Group Head<br><b>Subject:</b> Согласование</p></div></div>"
         "<p>Прошу согласовать</p></div>", True, "Цена ок"),
    ],
    ids=["apple", "thunderbird", "mailru", "outlook-desktop"],
)
def test_html_from_other_clients(markup: str, approve: bool, comment: str) -> None:
    reading = read_reply(html_text(markup))
    assert (reading.approve, reading.comment) == (approve, comment)


def _message(**headers: str) -> bytes:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Согласовано")
    return bytes(message)


def test_which_seat_a_message_names() -> None:
    raw = _message(
        From="Группов Григорий <Group_Head@CRM.test>",
        To="CRM Согласования <Approvals+0123abcd@crm.local>",
        Cc="someone@else.test",
        Delivered_To="approvals+ffff0000@crm.local",
        Subject="Ответ: Напоминание (2): Согласование: сделка № 1045 — ООО «Ромашка»",
        Message_ID="<reply-1@mail.example>",
        In_Reply_To="<rewritten-by-gateway@relay.example>",
        References="<approval-1045-1.s1.a7.request0@crm.local> <approval-1045-1.s2.a9.reminder1@crm.local> "
        "<approval-1045-1.s3.a4.request0@elsewhere.example>",
    )
    mail = parse_inbound(raw, "approvals@crm.local", "crm.local")
    assert mail.sender == "group_head@crm.test"  # the display name was encoded; case does not matter
    assert mail.subject.startswith("Ответ: Напоминание (2)")
    assert mail.tokens == ["0123abcd", "ffff0000"]
    assert mail.thread == [ThreadRef("approval-1045-1", 2, 9), ThreadRef("approval-1045-1", 1, 7)]  # newest first
    assert mail.deal_number == 1045 and mail.message_id == "<reply-1@mail.example>" and not mail.automatic
    assert mail.text.strip() == "Согласовано"


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: Согласование: сделка № 1042 — ООО «Ромашка»", 1042),
        ("AW: RE: Сделка №1043", 1043),
        ("Fwd: deal 1044 terms", 1044),
        ("Ответ: по сделке № 77", 77),
        ("RE: смета на 2025 год", None),
    ],
)
def test_deal_number_from_the_subject(subject: str, number: int | None) -> None:
    mail = parse_inbound(_message(From="a@b.test", Subject=subject), "approvals@crm.local", "crm.local")
    assert mail.deal_number == number


@pytest.mark.parametrize(
    ("headers", "automatic"),
    [
        ({"Auto-Submitted": "auto-replied"}, True),  # an out-of-office answer
        ({"Auto-Submitted": "no"}, False),
        ({"Precedence": "bulk"}, True),
        ({"Precedence": "auto_reply"}, True),
        ({"X-Autoreply": "yes"}, True),  # Yandex
        ({"From": "MAILER-DAEMON@relay.example"}, True),
        ({"From": "CRM <approvals@crm.local>"}, True),  # our own mailbox: never answer ourselves
        ({}, False),
    ],
)
def test_machines_are_never_answered(headers: dict[str, str], automatic: bool) -> None:
    fields = {"From": "boss@crm.test", "Subject": "Re: сделка № 1", **headers}
    raw = _message(**{k.replace("-", "_"): v for k, v in fields.items()})
    assert parse_inbound(raw, "approvals@crm.local", "crm.local").automatic is automatic


def test_a_message_without_message_id_gets_a_stable_one() -> None:
    raw = _message(From="boss@crm.test", Subject="Re: сделка № 5", Date="Wed, 05 Mar 2025 10:15:00 +0300")
    first = parse_inbound(raw, "approvals@crm.local", "crm.local")
    relayed = parse_inbound(b"Received: from relay.example\r\n" + raw, "approvals@crm.local", "crm.local")
    other = parse_inbound(raw.replace("Согласовано".encode(), b"Net"), "approvals@crm.local", "crm.local")
    assert not first.has_message_id and first.message_id.endswith("@no-message-id>")
    assert relayed.message_id == first.message_id != other.message_id


def test_folder_names_in_modified_utf7() -> None:
    assert mailbox_name("Processed") == '"Processed"'
    assert mailbox_name("~peter/mail/日本語/台北") == '"~peter/mail/&ZeVnLIqe-/&U,BTFw-"'  # RFC 3501's example
    assert mailbox_name('A&B "x"') == '"A&-B \\"x\\""'
