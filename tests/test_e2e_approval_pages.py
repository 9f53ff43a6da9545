"""Approvals in Debian's Chromium: the manager reads "who will approve and why" (with a substitute)
and submits from the card; the approver decides on the card; the administrator opens the rules
page and an approver's mail on the mail page. Screenshots go to var/test-artifacts/approval-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import aiosmtplib
from playwright.async_api import Browser, Page, expect
from sqlalchemy import delete

from activities.approval_planning import company_today
from api.mail.catcher import start_catcher, store_in
from models.org import Absence
from tests.mail_sink import free_port
from tests.org import PASSWORD
from tests.test_approval_pages import approval_deal, for_approver
from tests.test_e2e_browser import chromium, site, tab  # noqa: F401 (fixtures)


async def sign_in_as(page: Page, site: str, who: str, target: str) -> None:  # noqa: F811
    await page.goto(f"{site}{target}")
    await page.fill('input[name="email"]', f"{who}@crm.test")
    await page.fill('input[name="password"]', PASSWORD)
    await page.press('input[name="password"]', "Enter")
    await expect(page).to_have_url(f"{site}{target}")


async def test_approval_screens_in_chromium(site: str, chromium: Browser, artifacts: Path, pg, mail) -> None:  # noqa: ANN001, F811
    org = pg.org
    today = company_today(pg.settings.timezone)
    number = await approval_deal(pg, title="Арматура на каркас склада")
    async with pg.db.session() as session:
        session.add(Absence(employee_id=org["finance"], kind="leave", date_from=today, date_to=today, substitute_id=org["director"]))
        await session.commit()
    try:
        async with tab(chromium, site) as page:
            await sign_in_as(page, site, "manager", f"/deals/{number}")
            panel = page.get_by_test_id("approval")
            await expect(panel.get_by_test_id("preview-step")).to_have_count(2)
            await expect(panel).to_contain_text("Директоров Дмитрий за Финансова Фаина")
            await panel.screenshot(path=str(artifacts / "approval-1-preview.png"))
            await panel.get_by_test_id("submit-approval").click()
            await expect(page.locator(".flash.ok")).to_contain_text(f"Сделка {number} отправлена на согласование (круг 1)")
        await mail.wait_for(for_approver("group_head", number))

        async with tab(chromium, site) as page:
            await sign_in_as(page, site, "group_head", f"/deals/{number}")
            decide = page.get_by_test_id("decide")
            await decide.locator("textarea").fill("Цена в рынке, согласую")
            await page.get_by_test_id("approval").screenshot(path=str(artifacts / "approval-2-decide.png"))
            await decide.get_by_role("button", name="Согласовать").click()
            await expect(page.locator(".flash.ok")).to_contain_text(f"Вы согласовали условия сделки {number}")
            await expect(page.get_by_test_id("decide")).to_have_count(0)
        message = await mail.wait_for(for_approver("director", number))

        async with tab(chromium, site) as page:
            await sign_in_as(page, site, "director", f"/deals/{number}")
            decide = page.get_by_test_id("decide")
            await expect(decide).to_contain_text("Вы действуете за Финансова Фаина")
            await decide.locator("textarea").fill("Отсрочка 30 дней новому клиенту — только при предоплате 100 %")
            await decide.get_by_role("button", name="Отклонить").click()
            await expect(page.get_by_test_id("rejection")).to_contain_text("предоплате 100 %")
            await page.get_by_test_id("approval").screenshot(path=str(artifacts / "approval-3-rejected.png"))
    finally:
        async with pg.db.session() as session:
            await session.exec(delete(Absence).where(Absence.employee_id == org["finance"]))
            await session.commit()

    # The embedded default's catcher, storing into this stack's database, receives the director's mail.
    port = free_port()
    catcher = await start_catcher("127.0.0.1", port, store_in(pg.db))
    try:
        await aiosmtplib.send(message, hostname="127.0.0.1", port=port)
    finally:
        catcher.close()
        await catcher.wait_closed()

    async with tab(chromium, site) as page:
        await sign_in_as(page, site, "admin", "/admin/approval-rules")
        await expect(page.get_by_test_id("rules-table")).to_contain_text("Наибольшая скидка > 5 %")
        await page.screenshot(path=str(artifacts / "approval-4-rules.png"), full_page=True)

        await page.get_by_role("link", name="Почта").click()
        await expect(page.get_by_test_id("caught-mail")).to_contain_text("director@crm.test")
        await page.screenshot(path=str(artifacts / "approval-5-mail.png"), full_page=True)
        await page.get_by_test_id("caught-mail").get_by_role("link", name=re.compile(f"№ {number}")).first.click()
        frame = page.frame_locator('[data-testid="mail-html"]')
        approve = frame.get_by_role("link", name="Согласовать")
        await expect(approve).to_have_attribute("href", re.compile(r"/approve/[\w.\-]+\?d=approve$"))
        await expect(page.get_by_test_id("mail-text")).to_contain_text("/approve/")
        await page.screenshot(path=str(artifacts / "approval-6-mail-message.png"), full_page=True)
        # A link in the mail opens in a new tab (the sandbox lets popups out, nothing else).
        async with page.context.expect_page() as opened:
            await approve.click()
        await (await opened.value).close()
