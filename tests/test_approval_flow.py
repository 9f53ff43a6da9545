"""Approving a deal's terms: preview, submit, mail with signed links, decisions, rejection and a new
round, absences, changed terms — through the real workflows, database and SMTP server."""

from __future__ import annotations

import time
from pathlib import Path

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, update

from activities.approval_links import SALT, verify
from activities.approval_planning import company_today
from models.approvals import ApprovalRuleVersion
from models.org import Absence
from models.parties import Counterparty
from tests.helpers import deal_payload, eventually, new_client
from tests.mail_sink import link_in, text_of


async def _deal(api, stack, **extra) -> int:  # noqa: ANN001
    """A retail deal at "specification" for a new client whose industry marketing confirmed."""
    client = await new_client(api)
    async with stack.db.session() as session:
        await session.exec(update(Counterparty).where(Counterparty.id == client).values(industry_confirmed=True))
        await session.commit()
    body = deal_payload(stack.org, client_id=client, contact_id=None, **extra)
    created = await api.post("/api/deals", json=body)
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    assert (await api.post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})).status_code == 200
    return number


def _for(mail, who: str, number: int, kind: str = "Согласование"):  # noqa: ANN001, ANN202
    return lambda m: str(m["To"]) == f"{who}@crm.test" and f"№ {number}" in str(m["Subject"]) and kind in str(m["Subject"])


async def test_preview_submit_and_approve_step_by_step(pg, mail) -> None:  # noqa: ANN001
    async with pg.http("manager") as manager:
        number = await _deal(manager, pg)
        preview = (await manager.get(f"/api/deals/{number}/approval/preview")).json()
        assert [h["rule_id"] for h in preview["hits"]] == ["every_deal", "new_client_without_prepayment"]
        steps = [(s["title"], [seat["approver_name"] for seat in s["seats"]]) for s in preview["steps"]]
        assert steps == [("Группа розничных продаж", ["Группов Григорий"]), ("finance_controller", ["Финансова Фаина"])]
        assert preview["steps"][1]["reasons"] == ["Новый клиент без полной предоплаты — финансовый контролёр"]

        submitted = await manager.post(f"/api/deals/{number}/approval")
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["approval"]["status"] == "pending"
        assert submitted.json()["waiting_for"]["what"] == "approval"
        again = await manager.post(f"/api/deals/{number}/approval")
        assert again.status_code == 409 and again.json()["error"] == "ApprovalPending"

    first = await mail.wait_for(_for(mail, "group_head", number))
    body = text_of(first)
    assert "Арматура А500С 10 мм" in body and "скидка 2 %" in body
    assert "Коммерческие условия любой сделки согласует руководитель отдела менеджера" in body
    assert first["Reply-To"].startswith("approvals+") and first["Message-ID"].startswith(f"<approval-{number}-1.s1.")
    assert first.get_body(preferencelist=("html",)) is not None

    async with pg.http("finance") as finance:  # not on step 1 yet
        early = await finance.post(f"/api/approvals/approval-{number}-1/decision", json={"step_index": 1, "approve": True})
        assert early.status_code == 403
    async with pg.http("group_head") as head:
        decided = await head.post(f"/api/approvals/approval-{number}-1/decision", json={"step_index": 1, "approve": True, "comment": "ок"})
        assert decided.status_code == 200, decided.text
        assert decided.json()["step_status"] == "approved" and decided.json()["round_status"] == "pending"
        twice = await head.post(f"/api/approvals/approval-{number}-1/decision", json={"step_index": 1, "approve": True})
        assert twice.status_code == 409

    await mail.wait_for(_for(mail, "finance", number))
    async with pg.http("finance") as finance:
        final = await finance.post(f"/api/approvals/approval-{number}-1/decision", json={"step_index": 2, "approve": True})
        assert final.json()["round_status"] == "approved"
    await mail.wait_for(lambda m: "manager@crm.test" in str(m["To"]) and f"{number} согласованы" in str(m["Subject"]))

    async with pg.http("manager") as manager:
        async def moved_on() -> bool:
            card = (await manager.get(f"/api/deals/{number}")).json()
            return card["stage_code"] == "invoice"  # the final approval moves the deal on by rule

        await eventually(moved_on)
        rounds = (await manager.get(f"/api/deals/{number}/approvals")).json()
        assert [(r["round"], r["status"], r["rule_version"]) for r in rounds] == [(1, "approved", 1)]
        seats = [seat for step in rounds[0]["steps"] for seat in step["seats"]]
        assert [(s["approver"], s["decision"], s["channel"]) for s in seats] == [
            ("Группов Григорий", "approve", "web"), ("Финансова Фаина", "approve", "web"),
        ]


async def test_links_confirm_on_get_decide_on_post_and_work_once(pg, mail) -> None:  # noqa: ANN001
    async with pg.http("manager") as manager:
        number = await _deal(manager, pg)
        await manager.post(f"/api/deals/{number}/approval")
    link = link_in(await mail.wait_for(_for(mail, "group_head", number)))
    path = "/approve/" + link.rsplit("/approve/", 1)[1]

    async with pg.http("manager") as browser:  # a browser without the approver's login
        browser.headers.pop("Authorization")
        page = await browser.get(f"{path}?d=reject")
        assert page.status_code == 200 and "Согласование сделки №\u00a0" + str(number) in page.text
        assert 'value="reject" class="btn bad big reject preselected"' in page.text
        for _ in range(3):  # mail scanners prefetch links: a GET never decides
            await browser.get(f"{path}?d=approve")
        assert (await browser.get(f"/api/deals/{number}/approvals")).status_code == 401
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        rejected = await browser.post(path, data={"csrf_token": csrf, "decision": "reject", "comment": "Скидка велика"})
        assert rejected.status_code == 200 and 'data-decision="reject"' in rejected.text
        reused = await browser.get(path)
        assert reused.status_code == 409 and 'data-problem="used"' in reused.text
        forged = await browser.get(path[:-3] + "abc")
        assert forged.status_code == 400 and 'data-problem="forged"' in forged.text
        no_csrf = await browser.post(path, data={"decision": "approve"})
        assert no_csrf.status_code == 403

    await mail.wait_for(lambda m: "manager@crm.test" in str(m["To"]) and f"{number} отклонены" in str(m["Subject"]))
    async with pg.http("manager") as manager:
        card = (await manager.get(f"/api/deals/{number}/process")).json()
        assert card["approval"]["status"] == "rejected" and card["approval"]["comment"] == "Скидка велика"
        resubmitted = await manager.post(f"/api/deals/{number}/approval")
        assert resubmitted.json()["approval"]["round"] == 2
    await mail.wait_for(lambda m: f"<approval-{number}-2.s1." in str(m["Message-ID"]))


async def test_absent_approver_is_replaced_when_the_step_starts(pg, mail) -> None:  # noqa: ANN001
    org = pg.org
    today = company_today(pg.settings.timezone).isoformat()  # Moscow's date, not the machine's
    async with pg.http("admin") as admin:
        leave = {"employee_id": org["finance"], "kind": "leave", "date_from": today,
                 "date_to": today, "substitute_id": org["director"]}
        assert (await admin.post("/api/absences", json=leave)).status_code == 201
    try:
        async with pg.http("manager") as manager:
            number = await _deal(manager, pg)
            preview = (await manager.get(f"/api/deals/{number}/approval/preview")).json()
            seat = preview["steps"][1]["seats"][0]
            assert (seat["approver_name"], seat["planned_name"], seat["how"]) == ("Директоров Дмитрий", "Финансова Фаина", "substitute")
            await manager.post(f"/api/deals/{number}/approval")
        async with pg.http("group_head") as head:
            await mail.wait_for(_for(mail, "group_head", number))
            await head.post(f"/api/approvals/approval-{number}-1/decision", json={"step_index": 1, "approve": True})
        message = await mail.wait_for(_for(mail, "director", number))
        assert "Вы действуете за Финансова Фаина" in text_of(message)
        async with pg.http("director") as director:
            done = await director.post(f"/api/approvals/approval-{number}-1/decision", json={"step_index": 2, "approve": True})
            assert done.json()["round_status"] == "approved"
        async with pg.http("manager") as manager:
            seats = (await manager.get(f"/api/deals/{number}/approvals")).json()[0]["steps"][1]["seats"]
            assert (seats[0]["approver"], seats[0]["acting_for"]) == ("Директоров Дмитрий", "Финансова Фаина")
    finally:
        async with pg.db.session() as session:
            await session.exec(delete(Absence).where(Absence.employee_id == org["finance"]))
            await session.commit()


async def test_wide_circle_asks_every_holder_of_a_role_in_parallel(pg, mail) -> None:  # noqa: ANN001
    """A rules version where long deferrals go to a wide circle: both finance controllers must approve."""
    seed = (Path(__file__).resolve().parents[1] / "rules" / "approval_routing.yaml").read_text("utf-8")
    wide = seed.replace("    roles: [finance_controller]\n", "    roles: [finance_controller]\n    circle: wide\n", 1)
    async with pg.http("admin") as admin:
        state = (await admin.get("/api/admin/approval-rules")).json()
        saved = await admin.put("/api/admin/approval-rules", json={"text": wide, "comment": "wide finance", "base_version": state["current"]["version"]})
        assert saved.status_code == 200, saved.text
    try:
        async with pg.http("manager") as manager:
            number = await _deal(manager, pg, payment_deferral_days=45)
            preview = (await manager.get(f"/api/deals/{number}/approval/preview")).json()
            assert [s["approver_name"] for s in preview["steps"][1]["seats"]] == ["Финансова Фаина", "Контролёрова Клара"]
            await manager.post(f"/api/deals/{number}/approval")
        round_id = f"approval-{number}-1"
        async with pg.http("group_head") as head:
            await mail.wait_for(_for(mail, "group_head", number))
            await head.post(f"/api/approvals/{round_id}/decision", json={"step_index": 1, "approve": True})
        await mail.wait_for(_for(mail, "finance", number))
        await mail.wait_for(_for(mail, "finance2", number))  # both asked at once
        async with pg.http("finance2") as second:
            first = await second.post(f"/api/approvals/{round_id}/decision", json={"step_index": 2, "approve": True})
            assert (first.json()["step_status"], first.json()["round_status"]) == ("active", "pending")
        async with pg.http("finance") as finance:
            last = await finance.post(f"/api/approvals/{round_id}/decision", json={"step_index": 2, "approve": True})
            assert last.json()["round_status"] == "approved"
    finally:
        async with pg.db.session() as session:
            await session.exec(delete(ApprovalRuleVersion).where(ApprovalRuleVersion.comment == "wide finance"))
            await session.commit()


async def test_expired_link_shows_a_clear_page_and_decides_nothing(pg, mail) -> None:  # noqa: ANN001
    async with pg.http("manager") as manager:
        number = await _deal(manager, pg)
        await manager.post(f"/api/deals/{number}/approval")
    token = link_in(await mail.wait_for(_for(mail, "group_head", number))).rsplit("/approve/", 1)[1]
    target = verify(pg.settings.secret_key, token, pg.settings.approval_link_ttl)

    class Issued15DaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 15 * 24 * 3600

    old = URLSafeTimedSerializer(pg.settings.secret_key, salt=SALT, signer=Issued15DaysAgo).dumps(
        [target.round_id, target.step_index, target.approver_id, target.reply_token]
    )
    async with pg.http("manager") as browser:
        browser.headers.pop("Authorization")
        expired = await browser.get(f"/approve/{old}")
        assert expired.status_code == 410 and 'data-problem="expired"' in expired.text
        fresh = await browser.get(f"/approve/{token}")
        assert fresh.status_code == 200  # the step is still waiting: nothing was decided
