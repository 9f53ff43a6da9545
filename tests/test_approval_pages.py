"""What a person sees of approvals, through a real session login on the real workflows, database
and SMTP server: the card's panel (who will approve and why, submit, decide, every round), the
list's badge, the rules page and the mail page."""

from __future__ import annotations

import html
import re

import aiosmtplib
import httpx
from sqlalchemy import delete, func, select, update

from activities.approval_planning import company_today
from api.mail.catcher import start_catcher, store_in
from models.approvals import ApprovalRound, ApprovalRuleVersion
from models.org import Absence
from models.parties import Counterparty
from tests.helpers import deal_payload, eventually, new_client
from tests.mail_sink import free_port, link_in
from tests.test_pages import csrf_of, logged_in

CARD_RULE = "Коммерческие условия любой сделки согласует руководитель отдела менеджера"
NEW_CLIENT_RULE = "Новый клиент без полной предоплаты — финансовый контролёр"


async def approval_deal(stack, **extra) -> int:  # noqa: ANN001, ANN003
    """A retail deal for a new client whose industry is confirmed: group head, then finance."""
    async with stack.http("manager") as api:
        client = await new_client(api)
        async with stack.db.session() as session:
            await session.exec(update(Counterparty).where(Counterparty.id == client).values(industry_confirmed=True))
            await session.commit()
        created = await api.post("/api/deals", json=deal_payload(stack.org, client_id=client, contact_id=None, **extra))
        assert created.status_code == 201, created.text
        return created.json()["number"]


def for_approver(who: str, number: int, round_: int = 1):  # noqa: ANN201
    return lambda m: f"{who}@crm.test" in str(m["To"]) and f"<approval-{number}-{round_}." in str(m["Message-ID"])


def count_of(page: httpx.Response, name: str) -> int:
    return page.text.count(f'data-testid="{name}"')


async def post_form(client: httpx.AsyncClient, card: httpx.Response, action: str, **fields: str) -> httpx.Response:
    """Submit one of the card's forms as the browser would, and follow back to the card."""
    answer = await client.post(action, data={"csrf_token": csrf_of(card), **fields})
    assert answer.status_code == 303, answer.text
    return await client.get(answer.headers["location"])


async def test_card_shows_who_will_approve_and_why_with_a_substitute(pg) -> None:  # noqa: ANN001
    org = pg.org
    today = company_today(pg.settings.timezone)
    number = await approval_deal(pg)
    async with pg.db.session() as session:
        session.add(Absence(employee_id=org["finance"], kind="leave", date_from=today, date_to=today, substitute_id=org["director"]))
        await session.commit()
    try:
        async with logged_in(pg, "manager") as client:
            card = await client.get(f"/deals/{number}")
        assert card.status_code == 200, card.text
        preview = card.text.split('data-testid="approval-preview"')[1].split("</ol>")[0]
        steps = preview.split('data-testid="preview-step"')[1:]
        assert len(steps) == 2
        assert "Группа розничных продаж" in steps[0] and "Группов Григорий" in steps[0] and CARD_RULE in steps[0]
        # A role step is named in words; the absent controller's substitute acts for her, and says why.
        assert "Финансовый контролёр" in steps[1] and NEW_CLIENT_RULE in steps[1]
        assert "<b>Директоров Дмитрий</b>" in steps[1] and "за Финансова Фаина" in steps[1] and "замещение" in steps[1]
        assert f"Финансова Фаина: отпуск до {today:%d.%m.%Y}" in steps[1]
        async with pg.db.session() as session:
            in_force = (await session.exec(select(func.max(ApprovalRuleVersion.version)))).scalar_one()
        assert f"правила v{in_force}" in preview
        assert 'data-testid="submit-approval"' in card.text and "Отправить на согласование<" in card.text
    finally:
        async with pg.db.session() as session:
            await session.exec(delete(Absence).where(Absence.employee_id == org["finance"]))
            await session.commit()

    # The plant's deals need a sales director; nobody holds the role here: said plainly, no button.
    plant = await approval_deal(pg, business_unit_id=org["bu.plant"])
    async with logged_in(pg, "manager") as client:
        card = await client.get(f"/deals/{plant}")
    assert count_of(card, "approval-problem") == 1 and count_of(card, "submit-approval") == 0
    assert "Правила требуют согласования роли «Коммерческий директор», но эта роль ни у кого не назначена" in card.text


async def test_submit_decide_reject_and_resubmit_on_the_card(pg, mail) -> None:  # noqa: ANN001
    number = await approval_deal(pg)
    async with logged_in(pg, "manager") as manager:
        card = await manager.get(f"/deals/{number}")
        card = await post_form(manager, card, f"/deals/{number}/approval")
        assert f"Сделка {number} отправлена на согласование (круг 1)." in card.text
        assert count_of(card, "decide") == 0  # the manager never decides on their own deal
        await mail.wait_for(for_approver("group_head", number))
        card = await manager.get(f"/deals/{number}")
        assert "Ждёт решения на шаге 1 (Группа розничных продаж): Группов Григорий" in card.text
        assert "На согласовании (круг 1)" in card.text  # the process panel says what the deal waits for
        # The steps not started yet show too, as planned.
        rounds = card.text.split('data-testid="round"')
        assert len(rounds) == 2 and "Финансова Фаина" in rounds[1] and "впереди" in rounds[1]
        listing = await manager.get("/deals", params={"q": str(number)})
        row = listing.text.split(f'data-number="{number}"')[1].split("</tr>")[0]
        assert 'data-testid="approval-badge">На согласовании<' in row

    async with logged_in(pg, "head") as head:  # sees the deal (department above), holds no seat
        card = await head.get(f"/deals/{number}")
        assert card.status_code == 200 and count_of(card, "decide") == 0
    async with logged_in(pg, "finance") as finance:  # on the chain, but step 2 has not started
        early = await finance.get(f"/deals/{number}")
        assert early.status_code == 404 or count_of(early, "decide") == 0

    async with logged_in(pg, "group_head") as group_head:
        card = await group_head.get(f"/deals/{number}")
        assert count_of(card, "decide") == 1 and "Ваше решение: шаг 1 — Группа розничных продаж" in card.text
        card = await post_form(
            group_head, card, f"/deals/{number}/approval/decision",
            round_id=f"approval-{number}-1", step_index="1", decision="approve", comment="Цена в рынке",
        )
        assert f"Вы согласовали условия сделки {number}." in card.text and count_of(card, "decide") == 0
        step = card.text.split('data-testid="round"')[1].split('class="step ')[1]
        assert "согласовано" in step and "в CRM" in step and "Цена в рынке" in step

        again = await post_form(  # the same form again: the step is decided, nothing changes
            group_head, card, f"/deals/{number}/approval/decision",
            round_id=f"approval-{number}-1", step_index="1", decision="reject",
        )
        assert 'class="flash error"' in again.text
        assert "сейчас не активен" in again.text or "Решение на этом шаге уже принято" in again.text

    await mail.wait_for(for_approver("finance", number))
    async with logged_in(pg, "finance") as finance:  # an approver outside the deal's departments
        card = await finance.get(f"/deals/{number}")
        assert card.status_code == 200 and count_of(card, "decide") == 1
        reason = "Отсрочка 30 дней новому клиенту — только при предоплате 100 %"
        card = await post_form(
            finance, card, f"/deals/{number}/approval/decision",
            round_id=f"approval-{number}-1", step_index="2", decision="reject", comment=reason,
        )
        assert f"Вы отклонили условия сделки {number}" in card.text

    async with logged_in(pg, "manager") as manager:
        async def rejected() -> bool:
            return count_of(await manager.get(f"/deals/{number}"), "rejection") == 1

        await eventually(rejected)
        card = await manager.get(f"/deals/{number}")
        rejection = card.text.split('data-testid="rejection"')[1].split("</div>")[0]
        assert "Отклонил(а) Финансова Фаина" in rejection and html.escape(reason, quote=False) in rejection
        assert "Отправить на согласование заново" in card.text
        card = await post_form(manager, card, f"/deals/{number}/approval")
        assert f"Сделка {number} отправлена на согласование (круг 2)." in card.text
        # Both rounds stay, newest first; the first keeps its rejection and who made it.
        assert re.findall(r'data-testid="round" data-round="(\d+)"', card.text) == ["2", "1"]
        first = card.text.split('data-round="1"')[1]
        assert "Отклонено" in first and "отклонено" in first and html.escape(reason, quote=False) in first
    await mail.wait_for(for_approver("group_head", number, 2))


async def test_rules_page_validates_versions_and_rounds_record_the_version(stack) -> None:  # noqa: ANN001
    async with stack.db.session() as session:
        before = (await session.exec(select(func.max(ApprovalRuleVersion.version)))).scalar_one_or_none() or 0
    try:
        async with logged_in(stack, "manager") as manager:
            refused = await manager.get("/admin/approval-rules")
            assert refused.status_code == 403 and "нужна одна из ролей admin" in refused.text
            assert 'href="/admin/approval-rules"' not in (await manager.get("/deals")).text
        async with stack.http("manager") as api:
            assert (await api.get("/api/admin/approval-rules")).status_code == 403

        async with logged_in(stack, "admin") as admin:
            page = await admin.get("/admin/approval-rules")
            assert page.status_code == 200 and 'href="/admin/approval-rules"' in page.text
            current = max(before, 1)
            assert f">Версия {current}<" in page.text
            table = page.text.split('data-testid="rules-table"')[1]
            row = table.split('data-rule="discount_over_5"')[1].split("</tr>")[0]
            assert "Наибольшая скидка &gt; 5 %" in row and "Руководители снизу вверх до уровня 2" in row
            assert "Отрасль клиента не подтверждена" in table and "широкий круг" in table
            text = html.unescape(page.text.split('data-testid="rules-text">')[1].split("</textarea>")[0])

            broken = text.replace("when: {max_discount: {gt: 5}}", "when: {max_discount: {gt: пять}}").replace(
                "circle: wide", "circle: everyone"
            )
            answer = await admin.post(
                "/admin/approval-rules", data={"csrf_token": csrf_of(page), "text": broken, "comment": "сломано"}
            )
            assert answer.status_code == 422
            problems = answer.text.split('data-testid="rules-problems"')[1].split("</div>")[0]
            line = broken.splitlines().index("    when: {max_discount: {gt: пять}}") + 1
            assert f"строка {line}" in problems and "правило discount_over_5" in problems
            assert "rules.1.when.max_discount.gt" in problems
            assert "rules.3.circle" in problems and "правило amount_over_10m" in problems  # every problem
            assert "{gt: пять}" in html.unescape(answer.text)  # what the admin typed stays in the editor

            edited = text.replace("when: {max_discount: {gt: 5}}", "when: {max_discount: {gt: 7}}")
            assert edited != text
            answer = await admin.post(
                "/admin/approval-rules",
                data={"csrf_token": csrf_of(page), "text": edited, "comment": "скидка до 7 %", "base_version": str(current)},
            )
            assert answer.status_code == 303
            page = await admin.get("/admin/approval-rules")
            assert f"Правила сохранены: действует версия {current + 1}." in page.text
            assert "Наибольшая скидка &gt; 7 %" in page.text and "скидка до 7 %" in page.text
            stale = await admin.post(  # edited from the old version: someone saved meanwhile
                "/admin/approval-rules",
                data={"csrf_token": csrf_of(page), "text": text, "base_version": str(current)},
            )
            assert stale.status_code == 409 and "Пока вы редактировали версию" in stale.text
            old = await admin.get("/admin/approval-rules", params={"version": str(current)})
            assert "Наибольшая скидка &gt; 5 %" in old.text and 'data-testid="old-version"' in old.text

        async with stack.db.session() as session:
            versions = (await session.exec(select(ApprovalRuleVersion.version))).scalars().all()
        assert max(versions) == current + 1  # the refused texts saved nothing

        async with stack.http("admin") as api:
            state = (await api.get("/api/admin/approval-rules")).json()
            assert state["current"]["version"] == current + 1 and state["current"]["created_by"] == "Админов Алексей"
            assert [v["version"] for v in state["versions"]][:2] == [current + 1, current]
            bad = await api.put("/api/admin/approval-rules", json={"text": "roles: []\nrules: []\n"})
            assert bad.status_code == 422 and bad.json()["error"] == "RulesInvalid"
            assert bad.json()["details"]["problems"][0]["path"] == "rules"

        number = await approval_deal(stack)
        async with stack.http("manager") as api:
            assert (await api.post(f"/api/deals/{number}/approval")).status_code == 200
        async with stack.db.session() as session:
            async def recorded() -> bool:
                return (await session.get(ApprovalRound, f"approval-{number}-1")) is not None

            await eventually(recorded)
            round_ = await session.get(ApprovalRound, f"approval-{number}-1")
            assert round_.rule_version == current + 1
    finally:
        # Later tests expect the shipped table; rounds keep the number, the text is not needed.
        async with stack.db.session() as session:
            await session.exec(delete(ApprovalRuleVersion).where(ApprovalRuleVersion.version > max(before, 1)))
            await session.commit()


async def test_mail_page_shows_a_caught_approval_mail_whose_link_works(pg, mail) -> None:  # noqa: ANN001
    number = await approval_deal(pg)
    async with pg.http("manager") as api:
        assert (await api.post(f"/api/deals/{number}/approval")).status_code == 200
    message = await mail.wait_for(for_approver("group_head", number))
    # The embedded default's catcher, storing into this stack's database, receives that very mail.
    port = free_port()
    catcher = await start_catcher("127.0.0.1", port, store_in(pg.db))
    try:
        await aiosmtplib.send(message, hostname="127.0.0.1", port=port)
    finally:
        catcher.close()
        await catcher.wait_closed()

    async with logged_in(pg, "manager") as manager:
        assert (await manager.get("/admin/mail")).status_code == 403
    async with logged_in(pg, "operations") as ops:
        listing = await ops.get("/admin/mail")
        assert listing.status_code == 200 and 'href="/admin/mail"' in listing.text
        subject = html.escape(str(message["Subject"]), quote=False)
        ident = re.search(rf'<a href="/admin/mail/(\d+)">{re.escape(subject)}</a>', listing.text).group(1)
        outbox = listing.text.split('data-testid="outbox"')[1]
        assert f"approval-{number}-1:s1:" in outbox and "group_head@crm.test" in outbox

        opened = await ops.get(f"/admin/mail/{ident}")
        assert opened.status_code == 200
        headers = opened.text.split('data-testid="mail-headers"')[1].split("</dl>")[0]
        for name in ("Reply-To", "Message-ID", "To"):
            assert f"<dt>{name}</dt>" in headers
        assert html.escape(str(message["Message-ID"])) in headers
        frame = re.search(r"<iframe[^>]*>", opened.text).group(0)
        assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in frame
        srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
        assert srcdoc.startswith('<base target="_blank">') and "/approve/" in srcdoc and "<script" not in srcdoc

    link = link_in(message)
    assert link in html.unescape(opened.text)  # the text part, as the approver reads it
    path = "/approve/" + link.rsplit("/approve/", 1)[1]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=pg.app), base_url="http://crm.test") as phone:
        confirm = await phone.get(path)
    assert confirm.status_code == 200 and f"Согласование сделки №\u00a0{number}" in confirm.text
