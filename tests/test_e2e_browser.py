"""End to end in Debian's Chromium (Playwright): sign in, enter a deal by keyboard with a new client
and a 5-line specification pasted from Excel, save, move it a stage, find it in the list, read its
history; and a refused save that keeps what was typed. The app is served by uvicorn inside the
tests' event loop, on the PostgreSQL stack. Screenshots go to var/test-artifacts/."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.helpers import deal_payload
from tests.org import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
VALID_INN = "5029000002"  # checksum fits; nobody in tests/org.py has it

# As copied from an Excel sheet: tab-separated, Russian number format, one category-only line.
SPECIFICATION = "\n".join(
    [
        "Арматура А500С 10 мм\t10\tт\t45 000\t2",
        "Арматура А500С 12 мм\t12,5\tт\t44 500",
        "A500C-14\t8\tт\t44 000\t1,5",
        "Арматура А500С 16 мм\t5\tтн\t43 800",
        "Катанка\t3\tт\t41 000",
    ]
)
# 441 000 + 556 250 + 346 720 + 219 000 + 123 000
TOTAL = "1\u202f685\u202f970,00"
MALFORMED = "Арматура А500С 10 мм\t10\tт\t45 000\nШвеллер 40П\t3\tт\t52 000"


@pytest.fixture(scope="module")
async def site(pg) -> AsyncIterator[str]:  # noqa: ANN001
    """The PostgreSQL stack's app on a free port of 127.0.0.1, served by uvicorn in the tests'
    event loop (the stack already ran the app's lifespan)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(pg.app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task
    sock.close()


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@asynccontextmanager
async def tab(chromium: Browser, site: str) -> AsyncIterator[Page]:
    """A fresh browser profile (no cookies) at desktop size; fails the test on any script error."""
    context = await chromium.new_context(viewport={"width": 1440, "height": 900}, locale="ru-RU", timezone_id="Europe/Moscow")
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
        assert not errors, errors
    finally:
        await context.close()


async def sign_in(page: Page, site: str, target: str, artifacts: Path | None = None) -> None:
    """Through the login page, keyboard only: the e-mail field has the focus."""
    await page.goto(f"{site}{target}")
    await expect(page).to_have_url(re.compile(r"/login\?next="))
    if artifacts:
        await shot(page, artifacts, "01-login", full=False)
    await page.keyboard.type("manager@crm.test")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{site}{target}")


async def shot(page: Page, folder: Path, name: str, full: bool = True) -> None:
    await page.screenshot(path=str(folder / f"e2e-{name}.png"), full_page=full)


async def focused(page: Page) -> str:
    return await page.evaluate("document.activeElement.id || document.activeElement.className")


async def test_deal_by_keyboard_in_chromium(site: str, chromium: Browser, artifacts: Path) -> None:
    async with tab(chromium, site) as page:
        await sign_in(page, site, "/deals/new", artifacts)

        # --- a new client, inline; a wrong INN is refused clearly ---------------------
        assert await focused(page) == "client"
        await page.keyboard.type("Новый Металл")
        new_client = page.locator(".ac-list:visible li.active")
        await expect(new_client).to_contain_text("Новый клиент «Новый Металл»")
        await page.keyboard.press("Enter")
        assert await focused(page) == "nc-inn"
        await page.keyboard.type("1234567890")
        await page.keyboard.press("Enter")
        await expect(page.locator("#nc-error")).to_contain_text("ИНН 1234567890 неверен")
        await shot(page, artifacts, "02-invalid-inn", full=False)
        await page.keyboard.press("Control+A")
        await page.keyboard.type(VALID_INN)
        await page.keyboard.press("Enter")
        await expect(page.locator("#client-info")).to_contain_text(VALID_INN)
        assert await focused(page) == "contact"

        # --- kind, title, then Tab into the specification -----------------------------
        await page.keyboard.press("Tab")
        assert await focused(page) == "kind"
        for _ in range(3):  # equipment sale → service → tender → retail order
            await page.keyboard.press("ArrowDown")
        await page.keyboard.press("Enter")
        assert await page.locator("#kind").input_value() == "retail_order"
        await page.keyboard.press("Tab")
        await page.keyboard.press("Tab")
        assert await focused(page) == "title"
        await page.keyboard.type("Арматура на ЖК «Северный»")
        for _ in range(20):
            if "item" in await focused(page):
                break
            await page.keyboard.press("Tab")
        assert "item" in await focused(page), "Tab never reached the specification"

        # --- paste from Excel: a bad row is refused whole, then the 5 good lines -------
        rows = page.locator("#spec-grid tbody tr")
        await page.evaluate("text => navigator.clipboard.writeText(text)", MALFORMED)
        await page.keyboard.press("Control+V")
        await expect(page.locator("#paste-status")).to_contain_text("Строка 2: товар или категория «Швеллер 40П» не найдены")
        await expect(rows).to_have_count(1)
        await page.evaluate("text => navigator.clipboard.writeText(text)", SPECIFICATION)
        await page.keyboard.press("Control+V")
        await expect(page.locator("#paste-status")).to_contain_text("Вставлено строк: 5")
        await expect(rows).to_have_count(5)
        await expect(rows.nth(4).locator("input.item")).to_have_value("Катанка")
        await expect(rows.nth(4).locator(".tag")).to_be_visible()  # a category-only line
        # Enter on the last cell adds a row; a product is found by its code; Ctrl+Delete
        # takes the row away again.
        await page.keyboard.press("Enter")
        await expect(rows).to_have_count(6)
        await page.keyboard.type("A500C-20")
        await expect(page.locator(".ac-list:visible li.active")).to_contain_text("Арматура А500С 20 мм")
        await page.keyboard.press("Enter")
        assert await focused(page) == "cell quantity"
        await page.keyboard.type("2")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Tab")
        await page.keyboard.type("46000")
        await expect(rows.nth(5).locator("td.amount")).to_have_text("92\u202f000,00")
        await page.keyboard.press("Control+Delete")
        await expect(rows).to_have_count(5)
        await expect(page.locator("#spec-total")).to_have_text(TOTAL)

        # --- a participant: Tab to "+ participant", Enter, pick an employee and a role -------
        for _ in range(10):
            if await focused(page) == "add-participant":
                break
            await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        await page.keyboard.type("Опоров")
        await expect(page.locator(".ac-list:visible li.active")).to_contain_text("Опорова Ольга")
        await page.keyboard.press("Enter")
        role = page.locator("#participants tbody select")
        await expect(role).to_be_focused()
        assert await role.input_value() == "support"
        await shot(page, artifacts, "03-form-filled")

        # --- save with Ctrl+Enter -------------------------------------------------------
        await page.keyboard.press("Control+Enter")
        await expect(page).to_have_url(re.compile(r"/deals/\d+$"), timeout=30_000)
        number = int(page.url.rsplit("/", 1)[1])
        await expect(page.locator('[data-testid="total-amount"]')).to_have_text(TOTAL)
        await expect(page.locator(".stage.current")).to_have_text("Запрос")
        await expect(page.locator('[data-testid="spec"] tbody tr')).to_have_count(5)
        await expect(page.locator(".card-side")).to_contain_text("Опорова Ольга Сопровождение продаж")
        await shot(page, artifacts, "04-card-created")

        # --- move it one stage on the card ----------------------------------------------
        await page.locator('button[name="to_stage"][value="specification"]').click()
        await expect(page.locator(".flash.ok")).to_contain_text(f"Сделка {number} переведена")
        await expect(page.locator(".stage.current")).to_have_text("Спецификация")

        # --- find it in the list --------------------------------------------------------
        await page.goto(f"{site}/deals")
        await page.keyboard.press("/")
        await page.keyboard.type("Новый Металл")
        await page.keyboard.press("Enter")
        row = page.locator(f'tr[data-number="{number}"]')
        await expect(row).to_contain_text("Новый Металл")
        await expect(row).to_contain_text("Спецификация")
        await expect(row).to_contain_text(TOTAL)
        await shot(page, artifacts, "05-list")

        # --- its history on the card ----------------------------------------------------
        await row.locator(f'a[href="/deals/{number}"]').first.click()
        history = page.locator('[data-testid="history"]')
        await expect(history).to_contain_text("Смена этапа")
        await expect(history).to_contain_text("Создана")
        stage_change = history.locator("tr", has_text="Смена этапа")
        await expect(stage_change.locator("td.old")).to_have_text("Запрос")
        await expect(stage_change.locator("td.new")).to_have_text("Спецификация")
        await shot(page, artifacts, "06-card-history")

        # --- the same card in English -----------------------------------------------------
        await page.locator(".langs a", has_text="EN").click()
        await expect(page.locator("h1")).to_contain_text(f"Deal No. {number}")
        await expect(page.locator(".stage.current")).to_have_text("Specification")
        await expect(history.locator("tr", has_text="Stage move").locator("td.new")).to_have_text("Specification")
        await shot(page, artifacts, "08-card-english")
        await page.locator(".langs a", has_text="RU").click()
        await expect(page.locator("h1")).to_contain_text(f"Сделка № {number}")


async def test_refused_save_keeps_what_was_typed(pg, site: str, chromium: Browser, artifacts: Path) -> None:  # noqa: ANN001
    async with pg.http("manager") as api:
        created = await api.post("/api/deals", json=deal_payload(pg.org, lines=2))
        assert created.status_code == 201, created.text
        number = created.json()["number"]
    async with tab(chromium, site) as page:
        await sign_in(page, site, f"/deals/{number}/edit")
        await expect(page.locator("#spec-grid tbody tr")).to_have_count(2)
        await page.focus("#title")
        await page.keyboard.press("Control+A")
        await page.keyboard.type("Новое название, не потерять")

        # A zero quantity: refused in the form, the message names the line.
        quantity = page.locator("#spec-grid tbody tr").nth(1).locator("input.quantity")
        await quantity.focus()
        await page.keyboard.press("Control+A")
        await page.keyboard.type("0")
        await page.keyboard.press("Control+Enter")
        await expect(page.locator("#form-error")).to_contain_text("Строка 2: количество должно быть больше нуля")
        await expect(quantity).to_have_class(re.compile("invalid"))
        await page.keyboard.press("Control+A")
        await page.keyboard.type("7,5")

        # Meanwhile a head changes the card: the save is refused (409) and says who and when.
        async with pg.http("head") as api:
            version = (await api.get(f"/api/deals/{number}")).json()["version"]
            body = deal_payload(pg.org, lines=2, expected_version=version, manager_id=pg.org["manager"], title="Правка руководителя")
            assert (await api.put(f"/api/deals/{number}", json=body)).status_code == 200
        await page.keyboard.press("Control+Enter")
        await expect(page.locator("#form-error")).to_contain_text("Карточку уже изменил(а) Начальников Николай")
        await expect(page).to_have_url(f"{site}/deals/{number}/edit")
        await expect(page.locator("#title")).to_have_value("Новое название, не потерять")
        await expect(quantity).to_have_value("7,5")
        await shot(page, artifacts, "07-version-conflict", full=False)
