"""Approving and rejecting by replying to the approval mail, end to end: the approval mail comes
from the real SMTP sink, replies are written as real clients write them and delivered to a real
Dovecot by IMAP APPEND, the gateway reads them over IMAP (IDLE, or polling where the server has
none) and decides through the real workflows on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select, update

from activities.mail import Mailer
from api.mail.gateway import MailboxGateway, mailbox_name
from api.mail.replies import TAKING, ReplyDesk, Source
from models.mail import InboundMail
from tests import reply_mail as client
from tests.dovecot import Dovecot
from tests.helpers import eventually
from tests.test_approval_flow import _deal, _for

GROUP_HEAD = "Группов Григорий <group_head@crm.test>"
FINANCE = "Финансова Фаина <finance@crm.test>"
PROCESSED = '"Processed"'


@dataclass
class Reader:
    """A gateway on one Dovecot mailbox, running in the test's event loop beside the worker."""

    gateway: MailboxGateway
    desk: ReplyDesk
    dovecot: Dovecot
    processed: str = PROCESSED


@contextlib.asynccontextmanager
async def reading(pg, dovecot: Dovecot, **settings) -> AsyncIterator[Reader]:  # noqa: ANN001
    configured = pg.settings.model_copy(update=dict(
        imap_host="127.0.0.1", imap_port=dovecot.port, imap_username=dovecot.user, imap_password=dovecot.password,
        **settings,
    ))
    desk = ReplyDesk(pg.db, pg.client, configured, Mailer(pg.db, configured))
    gateway = MailboxGateway(configured, desk.take)
    task = asyncio.create_task(gateway.run())
    try:
        yield Reader(gateway, desk, dovecot, mailbox_name(configured.imap_processed_folder))
    finally:
        task.cancel()
        await asyncio.wait({task}, timeout=30)
        assert task.cancelled(), "the gateway did not stop when cancelled"


@pytest.fixture(scope="module")
async def reader(pg, dovecot: Dovecot) -> AsyncIterator[Reader]:  # noqa: ANN001
    async with reading(pg, dovecot, imap_idle_timeout=timedelta(seconds=20)) as started:
        yield started


def message_id(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=policy.default)["Message-ID"])


async def deliver(reader: Reader, raw: bytes) -> str:
    await reader.dovecot.append(raw)
    return message_id(raw)


async def taken(pg, mid: str, timeout: float = 30) -> InboundMail:  # noqa: ANN001
    """The message's record once the gateway has taken it and it has been moved out of the inbox."""
    async def done() -> bool:
        async with pg.db.session() as session:
            row = (await session.exec(select(InboundMail).where(InboundMail.message_id == mid))).scalars().first()
        return row is not None and row.outcome != TAKING

    await eventually(done, timeout)
    async with pg.db.session() as session:
        return (await session.exec(select(InboundMail).where(InboundMail.message_id == mid))).scalars().one()


async def moved(reader: Reader, mid: str, copies: int = 1) -> None:
    async def there() -> bool:
        return (await reader.dovecot.message_ids(reader.processed)).count(mid) == copies

    await eventually(there, 20)
    assert mid not in await reader.dovecot.message_ids('"INBOX"')


async def seats(pg, number: int) -> list[dict]:  # noqa: ANN001
    async with pg.http("manager") as manager:
        rounds = (await manager.get(f"/api/deals/{number}/approvals")).json()
    return [seat for step in rounds[0]["steps"] for seat in step["seats"]]


async def submitted(pg, mail) -> tuple[int, EmailMessage]:  # noqa: ANN001
    """A deal submitted for approval, and the mail its first approver got."""
    async with pg.http("manager") as manager:
        number = await _deal(manager, pg)
        assert (await manager.post(f"/api/deals/{number}/approval")).status_code == 200
    return number, await mail.wait_for(_for(mail, "group_head", number))


def answer_to(mail, mid: str):  # noqa: ANN001, ANN202
    return lambda m: str(m["In-Reply-To"] or "") == mid and m["Auto-Submitted"] == "auto-generated"


async def test_approve_by_gmail_reply_then_reject_by_outlook_html_without_headers(pg, mail, reader: Reader) -> None:  # noqa: ANN001
    number, request = await submitted(pg, mail)
    approve = client.reply(
        request, "Группов Григорий <Group_Head@CRM.test>",  # the address in another case, a name to encode
        client.gmail_ru(request, "Согласовано, но отгрузка не раньше 15-го"),
        client.gmail_html(request, "Согласовано, но отгрузка не раньше 15-го"),
    )
    first = await deliver(reader, approve)
    record = await taken(pg, first)
    assert (record.outcome, record.round_id) == ("decided", f"approval-{number}-1"), record.detail
    await moved(reader, first)
    step2 = await mail.wait_for(_for(mail, "finance", number))

    # Outlook, HTML only, every header but the subject lost on the way: the deal number decides.
    reject = client.reply(
        step2, FINANCE, html_part=client.outlook_html(step2, "Отклонено\nОтсрочка 30 дней новому клиенту — нет."),
        token=False, thread=False, subject=f"ОТВЕТ: {step2['Subject']}",
    )
    second = await deliver(reader, reject)
    assert (await taken(pg, second)).outcome == "decided"
    await moved(reader, second)
    await mail.wait_for(lambda m: "manager@crm.test" in str(m["To"]) and f"{number} отклонены" in str(m["Subject"]))
    assert [(s["approver"], s["decision"], s["channel"], s["comment"]) for s in await seats(pg, number)] == [
        ("Группов Григорий", "approve", "reply", "но отгрузка не раньше 15-го"),
        ("Финансова Фаина", "reject", "reply", "Отсрочка 30 дней новому клиенту — нет."),
    ]
    async with pg.http("manager") as manager:
        card = (await manager.get(f"/api/deals/{number}/process")).json()
    assert card["approval"]["status"] == "rejected" and card["approval"]["comment"] == "Отсрочка 30 дней новому клиенту — нет."

    # Too late: the round is over. Nothing changes; the approver learns why.
    late = client.reply(step2, FINANCE, client.yandex(step2, "Согласовано"), token=False, thread=False)
    third = await deliver(reader, late)
    record = await taken(pg, third)
    assert (record.outcome, record.detail) == ("refused", "closed")
    notice = await mail.wait_for(answer_to(mail, third))
    assert "finance@crm.test" in str(notice["To"]) and "уже завершено" in notice.get_content()


async def test_subject_fallback_duplicates_and_references(pg, mail, reader: Reader) -> None:  # noqa: ANN001
    number, request = await submitted(pg, mail)
    # A relay rewrote the Message-ID it answers and dropped the plus-address: only the subject is left.
    mailru = client.reply(request, GROUP_HEAD, client.mailru(request, "ОК"), token=False,
                          in_reply_to="<rewritten-4711@relay.example>")
    mid = await deliver(reader, mailru)
    assert (await taken(pg, mid)).outcome == "decided"
    step2 = await mail.wait_for(_for(mail, "finance", number))
    await reader.dovecot.append(mailru)  # delivered twice: taken once
    await moved(reader, mid, copies=2)
    async with pg.db.session() as session:
        rows = (await session.exec(select(InboundMail).where(InboundMail.message_id == mid))).scalars().all()
    assert len(rows) == 1 and not any(answer_to(mail, mid)(m) for m in mail.messages)

    # Yandex: the plus-address dropped, In-Reply-To rewritten, our id still in References.
    yandex = client.reply(step2, FINANCE, client.yandex(step2, "Да"), token=False,
                          in_reply_to="<rewritten-4712@relay.example>",
                          headers={"References": f"<other@relay.example> {step2['Message-ID']}"})
    assert (await taken(pg, await deliver(reader, yandex))).outcome == "decided"
    await mail.wait_for(lambda m: "manager@crm.test" in str(m["To"]) and f"{number} согласованы" in str(m["Subject"]))
    assert [(s["decision"], s["channel"]) for s in await seats(pg, number)] == [("approve", "reply")] * 2


async def test_unreadable_strangers_robots_and_second_thoughts_change_nothing(pg, mail, reader: Reader) -> None:  # noqa: ANN001
    number, request = await submitted(pg, mail)
    unreadable = await deliver(reader, client.reply(request, GROUP_HEAD, client.thunderbird(request, "Посмотрю завтра")))
    assert (await taken(pg, unreadable)).outcome == "unreadable"
    notice = await mail.wait_for(answer_to(mail, unreadable))
    assert "group_head@crm.test" in str(notice["To"]) and notice["Subject"] == f"Re: {request['Subject']}"
    assert "«Посмотрю завтра»" in notice.get_content() and "«Согласовано»" in notice.get_content()

    stranger = await deliver(reader, client.reply(request, "Посторонний <stranger@example.test>", client.gmail_en(request, "Approved")))
    assert (await taken(pg, stranger)).outcome == "unauthorised"
    assert "stranger@example.test" in str((await mail.wait_for(answer_to(mail, stranger)))["To"])

    colleague = await deliver(reader, client.reply(request, FINANCE, client.apple(request, "Согласовано")))  # not on step 1
    assert (await taken(pg, colleague)).outcome == "unauthorised"
    await mail.wait_for(answer_to(mail, colleague))

    away = await deliver(reader, client.reply(request, GROUP_HEAD, "Я в отпуске до 20 марта.",
                                              headers={"Auto-Submitted": "auto-replied"}))
    assert (await taken(pg, away)).outcome == "ignored"
    assert not any(answer_to(mail, away)(m) for m in mail.messages)  # no mail loop with an auto-responder
    assert [s["decision"] for s in await seats(pg, number)] == [None]  # nothing was decided

    approve = await deliver(reader, client.reply(request, GROUP_HEAD, client.apple(request, "Согласую")))
    assert (await taken(pg, approve)).outcome == "decided"
    again = await deliver(reader, client.reply(request, GROUP_HEAD, client.outlook_ru(request, "Отклонено")))
    assert ((record := await taken(pg, again)).outcome, record.detail) == ("refused", "already_decided")
    assert "уже принято" in (await mail.wait_for(answer_to(mail, again))).get_content()
    assert [(s["decision"], s["channel"]) for s in await seats(pg, number)][0] == ("approve", "reply")
    for mid in (unreadable, stranger, colleague, away, approve, again):
        await moved(reader, mid)


async def test_the_gateway_survives_a_dovecot_restart(pg, mail, reader: Reader) -> None:  # noqa: ANN001
    await eventually(lambda: _true(reader.gateway.idling), 20)
    sessions = reader.gateway.sessions
    await reader.dovecot.stop()
    await asyncio.sleep(1)  # the gateway sees the connection drop and a refused one
    await reader.dovecot.start()
    number, request = await submitted(pg, mail)
    mid = await deliver(reader, client.reply(request, GROUP_HEAD, client.gmail_en(request, "Yes")))
    assert (await taken(pg, mid)).outcome == "decided"
    assert reader.gateway.sessions > sessions
    await mail.wait_for(_for(mail, "finance", number))


async def test_polling_and_copy_where_the_server_has_no_idle_nor_move(pg, mail) -> None:  # noqa: ANN001
    plain = await Dovecot(extra="imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE").start()
    try:
        async with reading(pg, plain, imap_poll_interval=timedelta(seconds=0.5),
                           imap_processed_folder="Обработано") as polling:
            number, request = await submitted(pg, mail)
            mid = await deliver(polling, client.reply(request, GROUP_HEAD, client.outlook_en(request, "Approve")))
            assert (await taken(pg, mid)).outcome == "decided"
            await moved(polling, mid)  # into a folder it created, named in modified UTF-7
            assert polling.gateway.idling is False and polling.processed == '"&BB4EMQRABDAEMQQ+BEIEMAQ9BD4-"'
            await mail.wait_for(_for(mail, "finance", number))
            passes = polling.gateway.passes
            await asyncio.sleep(1.6)
            assert polling.gateway.passes >= passes + 2  # it keeps looking
    finally:
        await plain.close()


async def test_idle_is_renewed_before_the_server_drops_it(pg, mail) -> None:  # noqa: ANN001
    server = await Dovecot().start()
    try:
        async with reading(pg, server, imap_idle_timeout=timedelta(seconds=0.5)) as short:
            await eventually(lambda: _true(short.gateway.idling), 20)
            passes = short.gateway.passes
            await asyncio.sleep(2)  # no mail meanwhile: only renewals end an IDLE
            assert short.gateway.passes >= passes + 2 and short.gateway.sessions == 1
            note = EmailMessage()
            note["From"], note["To"], note["Subject"] = "someone@example.test", "approvals@crm.local", "Вопрос"
            note["Message-ID"] = "<question-1@example.test>"
            note.set_content("Здравствуйте! Как с вами связаться?")
            mid = await deliver(short, bytes(note))
            assert (await taken(pg, mid)).outcome == "unauthorised"
            await moved(short, mid)
    finally:
        await server.close()


async def test_a_reply_taken_again_after_a_crash_acts_once(pg, mail, reader: Reader) -> None:  # noqa: ANN001
    """A crash between claiming a message and recording its outcome leaves it at "taking": the next
    pass takes it again — before the decision and after it — and acts and answers once."""
    number, request = await submitted(pg, mail)
    raw = client.reply(request, GROUP_HEAD, client.gmail_ru(request, "Согласовано"))
    mid, source = message_id(raw), Source("crash-test", 1, number)
    async with pg.db.session() as session:  # claimed, then the process died
        session.add(InboundMail(mailbox=source.mailbox, uid_validity=1, uid=number, message_id=mid,
                                from_address="group_head@crm.test", outcome=TAKING))
        await session.commit()
    assert await reader.desk.take(raw, source) == "decided"
    async with pg.db.session() as session:  # decided, then the process died before recording it
        await session.exec(update(InboundMail).where(InboundMail.message_id == mid).values(outcome=TAKING))
        await session.commit()
    assert await reader.desk.take(raw, source) == "decided"
    assert await reader.desk.take(raw, source) == "duplicate"
    await mail.wait_for(_for(mail, "finance", number))
    assert [(s["decision"], s["channel"]) for s in await seats(pg, number)] == [("approve", "reply"), (None, None)]
    assert not any(answer_to(mail, mid)(m) for m in mail.messages)


async def _true(value: object) -> bool:
    return bool(value)
