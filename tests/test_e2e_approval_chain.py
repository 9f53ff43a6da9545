"""Issue 4 end to end: a 3-level chain with one absent approver → approved by link in Chromium on a
phone → approved by a reply → rejected by a reply → resubmitted → approved. Real Temporal, PostgreSQL,
SMTP (aiosmtpd), IMAP (Dovecot) and Chromium; screenshots in var/test-artifacts/chain-*.png."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect
from sqlalchemy import delete

from activities.approval_planning import company_today
from models.org import Absence
from tests import reply_mail as client
from tests.helpers import eventually
from tests.mail_sink import link_in
from tests.test_approval_pages import approval_deal, for_approver
from tests.test_e2e_browser import chromium, site  # noqa: F401 (fixtures)
from tests.test_mail_replies import deliver, reading, taken

PHONE = {"width": 390, "height": 844}


async def test_three_level_chain_by_phone_and_replies(site: str, chromium: Browser, artifacts: Path, pg, mail, dovecot) -> None:  # noqa: ANN001, F811
    org = pg.org
    today = company_today(pg.settings.timezone)
    # A 7 % discount asks the heads up to level 2; a new client without full prepayment adds finance.
    number = await approval_deal(pg, lines=2, title="Каркас цеха")
    async with pg.http("manager") as manager:
        body = (await manager.get(f"/api/deals/{number}")).json()
        lines = [{"product_id": line["product_id"], "quantity": str(line["quantity"]), "price": str(line["price"]),
                  "discount_percent": "7"} for line in body["lines"]]
        edit = {k: body[k] for k in ("business_unit_id", "client_id", "delivery_method", "warehouse_id",
                                     "payment_deferral_days", "prepayment_percent", "title")}
        saved = await manager.put(f"/api/deals/{number}", json=edit | {"lines": lines, "expected_version": body["version"]})
        assert saved.status_code == 200, saved.text
        await manager.post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})
    async with pg.db.session() as session:  # the head of sales is away; the director acts for him
        session.add(Absence(employee_id=org["head"], kind="trip", date_from=today, date_to=today, substitute_id=org["director"]))
        await session.commit()
    try:
        async with pg.http("manager") as manager:
            steps = (await manager.get(f"/api/deals/{number}/approval/preview")).json()["steps"]
            assert [[s["approver_name"] for s in step["seats"]] for step in steps] == [
                ["Группов Григорий"], ["Директоров Дмитрий"], ["Финансова Фаина"]
            ]
            assert (await manager.post(f"/api/deals/{number}/approval")).status_code == 200

        # Step 1: the group head approves from the link in his mail, on a phone.
        first = await mail.wait_for(for_approver("group_head", number))
        path = "/approve/" + link_in(first).rsplit("/approve/", 1)[1]
        context = await chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="ru-RU")
        page = await context.new_page()
        await page.goto(f"{site}{path}?d=approve")
        await expect(page.locator("h1")).to_contain_text(f"Согласование сделки №\u00a0{number}")
        await page.screenshot(path=str(artifacts / "chain-1-phone-link.png"), full_page=True)
        await page.fill("#comment", "Цена в рынке")
        await page.get_by_role("button", name="Согласовать").tap()
        await expect(page.get_by_test_id("link-done")).to_contain_text("Согласовано")
        await page.screenshot(path=str(artifacts / "chain-2-phone-done.png"), full_page=True)
        await context.close()

        async with reading(pg, dovecot) as reader:
            # Step 2: the director, acting for the absent head of sales, approves by replying.
            second = await mail.wait_for(for_approver("director", number))
            raw = client.reply(second, "Директоров Дмитрий <director@crm.test>", text=client.gmail_ru(second, "Согласовано"))
            assert (await taken(pg, await deliver(reader, raw))).outcome == "decided"

            # Step 3: finance rejects by replying, with a comment under the decision word.
            third = await mail.wait_for(for_approver("finance", number))
            answer = "Отклонено\nОтсрочка слишком длинная для нового клиента."
            raw = client.reply(third, "Финансова Фаина <finance@crm.test>", text=client.outlook_ru(third, answer))
            assert (await taken(pg, await deliver(reader, raw))).outcome == "decided"
        await mail.wait_for(lambda m: str(m["To"]) == "manager@crm.test" and f"{number} отклонены" in str(m["Subject"]))

        # The manager sees the rejection with its comment, resubmits, and the new round is approved.
        async with pg.http("manager") as manager:
            process = (await manager.get(f"/api/deals/{number}/process")).json()
            assert process["approval"]["status"] == "rejected"
            assert process["approval"]["comment"] == "Отсрочка слишком длинная для нового клиента."
            assert (await manager.post(f"/api/deals/{number}/approval")).json()["approval"]["round"] == 2
        for step, who in ((1, "group_head"), (2, "director"), (3, "finance")):
            await mail.wait_for(for_approver(who, number, round_=2))
            async with pg.http(who) as approver:
                decided = await approver.post(f"/api/approvals/approval-{number}-2/decision", json={"step_index": step, "approve": True})
                assert decided.status_code == 200, decided.text

        async with pg.http("manager") as manager:
            async def approved_and_moved_on() -> bool:
                return (await manager.get(f"/api/deals/{number}")).json()["stage_code"] == "invoice"

            await eventually(approved_and_moved_on, timeout=30)
            rounds = (await manager.get(f"/api/deals/{number}/approvals")).json()
        assert [(r["round"], r["status"]) for r in rounds] == [(2, "approved"), (1, "rejected")]
        first_round = {s["index"]: s["seats"][0] for s in rounds[1]["steps"]}
        assert (first_round[1]["channel"], first_round[1]["comment"]) == ("link", "Цена в рынке")
        assert (first_round[2]["approver"], first_round[2]["acting_for"], first_round[2]["channel"]) == (
            "Директоров Дмитрий", "Начальников Николай", "reply"
        )
        assert (first_round[3]["decision"], first_round[3]["channel"]) == ("reject", "reply")
    finally:
        async with pg.db.session() as session:
            await session.exec(delete(Absence).where(Absence.employee_id == org["head"]))
            await session.commit()
