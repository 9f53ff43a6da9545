"""Server-rendered pages through a real session login (cookie + CSRF), on PostgreSQL and SQLite."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

import httpx
from sqlalchemy import select

from models.notifications import Notification
from models.org import Employee
from tests.helpers import deal_payload
from tests.org import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def browser(stack) -> httpx.AsyncClient:  # noqa: ANN001
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=stack.app), base_url="http://crm.test", timeout=60)


@asynccontextmanager
async def logged_in(stack, who: str = "manager") -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    """A browser-like client signed in through the login page."""
    async with browser(stack) as client:
        token = csrf_of(await client.get("/login"))
        answer = await client.post(
            "/login", data={"email": f"{who}@crm.test", "password": PASSWORD, "csrf_token": token, "next": "/deals"}
        )
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/deals"
        yield client


async def new_deal(stack, lines: int = 3, **extra) -> int:  # noqa: ANN001, ANN003
    async with stack.http("manager") as api:
        created = await api.post("/api/deals", json=deal_payload(stack.org, lines=lines, **extra))
        assert created.status_code == 201, created.text
        return created.json()["number"]


async def test_login_refuses_wrong_password_and_missing_token(stack) -> None:  # noqa: ANN001
    async with browser(stack) as client:
        away = await client.get("/deals")
        assert away.status_code == 303 and away.headers["location"] == "/login?next=/deals"
        page = await client.get("/login?next=/deals/1")
        assert page.status_code == 200 and 'lang="ru"' in page.text and "Вход" in page.text
        token = csrf_of(page)

        wrong = await client.post("/login", data={"email": "manager@crm.test", "password": "nope", "csrf_token": token})
        assert wrong.status_code == 401
        assert "Неверный логин или пароль" in wrong.text
        assert 'value="manager@crm.test"' in wrong.text  # what was typed stays

        forged = await client.post("/login", data={"email": "manager@crm.test", "password": PASSWORD})
        assert forged.status_code == 403 and "Форма устарела" in forged.text

        elsewhere = await client.post(
            "/login", data={"email": "manager@crm.test", "password": PASSWORD, "csrf_token": token, "next": "//evil.test/x"}
        )
        assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/deals"
        assert (await client.get("/deals")).status_code == 200

        out = await client.post("/logout", data={"csrf_token": csrf_of(await client.get("/deals"))})
        assert out.status_code == 303
        assert (await client.get("/deals")).status_code == 303


async def test_list_form_and_card_render(stack) -> None:  # noqa: ANN001
    number = await new_deal(stack, lines=3, title=f"Каркас корпуса {stack.backend}")
    async with logged_in(stack) as client:
        assert (await client.get("/")).headers["location"] == "/deals"

        listing = await client.get("/deals")
        assert listing.status_code == 200
        assert f'href="/deals/{number}"' in listing.text
        assert "ООО «СтройМонтаж»" in listing.text and "7707083893" in listing.text
        assert re.search(r"В работе <span class=\"count\">\d+</span>", listing.text)

        by_inn = await client.get("/deals", params={"q": "7707083893"})
        assert f'href="/deals/{number}"' in by_inn.text
        by_number = await client.get("/deals", params={"q": str(number)})
        assert f'data-number="{number}"' in by_number.text and "Найдено: 1" in by_number.text
        nothing = await client.get("/deals", params={"q": "нет-такого-клиента"})
        assert f'href="/deals/{number}"' not in nothing.text and "Сделок с такими условиями нет" in nothing.text
        by_stage = await client.get("/deals", params={"kind": "retail_order", "stage": "invoice"})
        assert f'data-number="{number}"' not in by_stage.text
        bad_period = await client.get("/deals", params={"date_from": "2026-02-01", "date_to": "2026-01-01"})
        assert bad_period.status_code == 200 and "Фильтры не применены" in bad_period.text
        beyond = await client.get("/deals", params={"page": "999"})
        assert beyond.status_code == 200 and "Сделок с такими условиями нет" in beyond.text
        await new_deal(stack, lines=1, title=f"Каркас корпуса {stack.backend}, вторая")
        # Lowercase on purpose: SQLite's lower() folds ASCII only, "Каркас" would not match there.
        second = await client.get("/deals", params={"q": f"корпуса {stack.backend}", "page_size": "1", "page": "2"})
        assert "Найдено: 2" in second.text and "Страница 2 из 2" in second.text
        assert f'data-number="{number}"' in second.text  # newest first: the first deal is on page 2
        assert 'rel="prev"' in second.text and 'rel="next"' not in second.text

        form = await client.get("/deals/new")
        assert form.status_code == 200
        assert re.search(r'<input id="client"[^>]*autofocus', form.text)
        data = json.loads(re.search(r'id="deal-form-data">(.*?)</script>', form.text, re.S).group(1))
        assert {k["code"] for k in data["reference"]["kinds"]} >= {"retail_order", "tender"}
        assert data["deal"] is None

        card = await client.get(f"/deals/{number}")
        assert card.status_code == 200
        assert f"Сделка № {number}" in card.text
        assert re.search(r'class="stage current"[^>]*>\s*<span>Запрос</span>', card.text)
        assert 'name="to_stage" value="specification"' in card.text  # a move the kind allows
        assert 'name="to_stage" value="request"' not in card.text
        assert f"/namespaces/{stack.settings.temporal_namespace}/workflows/deal-{number}" in card.text
        assert "Ждёт действия менеджера (Петрова Мария)" in card.text
        assert "1\u202f455\u202f300,00" in card.text  # total, VAT included
        assert "Создана" in card.text and "Петрова Мария" in card.text

        edit = await client.get(f"/deals/{number}/edit")
        assert edit.status_code == 200
        data = json.loads(re.search(r'id="deal-form-data">(.*?)</script>', edit.text, re.S).group(1))
        assert data["deal"]["number"] == number and len(data["deal"]["lines"]) == 3

        missing = await client.get("/deals/999999")
        assert missing.status_code == 404 and "Сделка 999999 не найдена" in missing.text


async def test_card_actions_need_the_csrf_token(stack) -> None:  # noqa: ANN001
    number = await new_deal(stack)
    async with logged_in(stack) as client:
        forged = await client.post(f"/deals/{number}/stage", data={"to_stage": "specification"})
        assert forged.status_code == 403 and "Форма устарела" in forged.text
        token = csrf_of(await client.get(f"/deals/{number}"))
        async with stack.http("manager") as api:
            assert (await api.get(f"/api/deals/{number}")).json()["stage_code"] == "request"

        refused = await client.post(f"/deals/{number}/stage", data={"to_stage": "nowhere", "csrf_token": token})
        assert refused.status_code == 303 and refused.headers["location"] == f"/deals/{number}"
        shown = await client.get(f"/deals/{number}")
        assert "не предусмотрен" in shown.text and 'class="flash error"' in shown.text

        moved = await client.post(f"/deals/{number}/stage", data={"to_stage": "specification", "csrf_token": token})
        assert moved.status_code == 303
        card = await client.get(f"/deals/{number}")
        assert f"Сделка {number} переведена" in card.text
        assert re.search(r'class="stage current"[^>]*>\s*<span>Спецификация</span>', card.text)
        assert re.search(r"Смена этапа.*?Этап</td>\s*<td class=\"old\">Запрос</td>.*?<td class=\"new\">Спецификация</td>", card.text, re.S)

        pause_until = (date.today() + timedelta(days=3)).isoformat()
        no_comment = await client.post(f"/deals/{number}/pause", data={"until": pause_until, "comment": " ", "csrf_token": token})
        assert no_comment.status_code == 303
        assert "Комментарий" in (await client.get(f"/deals/{number}")).text
        paused = await client.post(f"/deals/{number}/pause", data={"until": pause_until, "comment": "ждём бюджет", "csrf_token": token})
        assert paused.status_code == 303
        card = await client.get(f"/deals/{number}")
        assert "На паузе до" in card.text and "ждём бюджет" in card.text
        resumed = await client.post(f"/deals/{number}/resume", data={"csrf_token": token})
        assert resumed.status_code == 303
        assert "снова в работе" in (await client.get(f"/deals/{number}")).text

        await client.post(f"/deals/{number}/notes", data={"text": "Клиент просит скидку", "csrf_token": token})
        card = await client.get(f"/deals/{number}")
        assert "Заметка добавлена" in card.text and "Клиент просит скидку" in card.text


async def test_files_on_the_card(stack) -> None:  # noqa: ANN001
    number = await new_deal(stack)
    async with logged_in(stack) as client:
        token = csrf_of(await client.get(f"/deals/{number}"))
        too_big = b"x" * (stack.settings.max_file_size + 1)
        refused = await client.post(
            f"/deals/{number}/files", data={"csrf_token": token}, files={"file": ("big.pdf", too_big, "application/pdf")}
        )
        assert refused.status_code == 303
        card = await client.get(f"/deals/{number}")
        assert "Файл «big.pdf» больше допустимых 0.1 МБ" in card.text
        assert "big.pdf</a>" not in card.text

        sent = await client.post(
            f"/deals/{number}/files", data={"csrf_token": token}, files={"file": ("счёт.txt", "оплата".encode(), "text/plain")}
        )
        assert sent.status_code == 303
        card = await client.get(f"/deals/{number}")
        link = re.search(rf'href="(/api/deals/{number}/files/\d+)"[^>]*>счёт.txt</a>', card.text)
        assert link, card.text
        assert (await client.get(link.group(1))).content == "оплата".encode()


async def test_notifications_and_unread_count(stack) -> None:  # noqa: ANN001
    number = await new_deal(stack)
    async with stack.db.session() as session:
        session.add(
            Notification(
                key=f"test-{stack.backend}-{number}", employee_id=stack.org["support"], kind="pause_ended",
                params={"deal": number, "comment": "перезвонить"}, deal_id=number,
            )
        )
        await session.commit()
    async with logged_in(stack, "support") as client:
        page = await client.get("/notifications")
        assert re.search(r'data-testid="unread">1<', page.text)
        assert f"Закончилась пауза по сделке {number}: перезвонить" in page.text
        read = await client.post("/notifications/read", data={"csrf_token": csrf_of(page)})
        assert read.status_code == 303
        assert 'data-testid="unread"' not in (await client.get("/notifications")).text


async def test_english_switch(stack) -> None:  # noqa: ANN001
    who = "colleague"  # nobody else's tests sign in as them: the choice is remembered per person
    number = await new_deal(stack)
    async with logged_in(stack, who) as client:
        assert 'lang="ru"' in (await client.get("/deals")).text
        switched = await client.get("/lang/en", params={"next": f"/deals/{number}"})
        assert switched.status_code == 303 and switched.headers["location"] == f"/deals/{number}"
        card = await client.get(f"/deals/{number}")
        assert 'lang="en"' in card.text and f"Deal No. {number}" in card.text
        assert re.search(r'class="stage current"[^>]*>\s*<span>Request</span>', card.text)
        assert "Change history" in card.text
        forged = await client.post(f"/deals/{number}/notes", data={"text": "x"})
        assert "The form has expired" in forged.text
        # Remembered for the person: the next sign-in is in English too.
        async with logged_in(stack, who) as again:
            assert "Found:" in (await again.get("/deals")).text
        await client.get("/lang/ru")
    async with stack.db.session() as session:
        language = (await session.exec(select(Employee.language).where(Employee.id == stack.org[who]))).scalar_one()
        assert language == "ru"


async def test_copy_and_close_from_the_card(stack) -> None:  # noqa: ANN001
    number = await new_deal(stack, lines=2)
    async with logged_in(stack) as client:
        token = csrf_of(await client.get(f"/deals/{number}"))
        copied = await client.post(f"/deals/{number}/copy", data={"csrf_token": token})
        assert copied.status_code == 303
        copy_number = int(copied.headers["location"].rsplit("/", 1)[1])
        assert copy_number != number
        card = await client.get(f"/deals/{copy_number}")
        assert f"Создана копия сделки {number}: № {copy_number}" in card.text
        assert f'href="/deals/{number}">№ {number}</a>' in card.text  # "copied from"

        cannot_win = await client.post(f"/deals/{number}/close", data={"won": "true", "reason": "подписали", "csrf_token": token})
        assert cannot_win.status_code == 303
        assert "Выиграть сделку можно только на этапах" in (await client.get(f"/deals/{number}")).text
        lost = await client.post(f"/deals/{number}/close", data={"won": "false", "reason": "дорого", "csrf_token": token})
        assert lost.status_code == 303
        card = await client.get(f"/deals/{number}")
        assert "закрыта как проигранная" in card.text and 'data-testid="deal-status">Проиграна' in card.text
        assert "Процесс сделки завершён" in card.text and "дорого" in card.text
        assert 'name="to_stage"' not in card.text and f'href="/deals/{number}/edit"' not in card.text


async def test_tender_card_offers_child_deals_with_its_balance(stack) -> None:  # noqa: ANN001
    tender = await new_deal(stack, kind="tender", lines=2)
    async with stack.http("manager") as api:
        for stage in ("submitted", "bidding", "contract"):
            moved = await api.post(f"/api/deals/{tender}/stage", json={"to_stage": stage})
            assert moved.status_code == 200, moved.text
    async with logged_in(stack) as client:
        card = await client.get(f"/deals/{tender}")
        assert "Остаток по тендеру" in card.text and "Арматура А500С 10 мм" in card.text
        assert f'href="/deals/new?parent={tender}"' in card.text
        form = await client.get(f"/deals/new?parent={tender}")
        assert f"Дочерняя сделка (отгрузка) по тендеру № {tender}" in form.text
        data = json.loads(re.search(r'id="deal-form-data">(.*?)</script>', form.text, re.S).group(1))
        assert data["tender"]["number"] == tender


async def test_operations_staff_watch_without_controls(stack) -> None:  # noqa: ANN001
    number = await new_deal(stack)
    async with logged_in(stack, "operations") as client:
        listing = await client.get("/deals")
        assert f'data-number="{number}"' in listing.text and 'href="/deals/new"' not in listing.text
        card = await client.get(f"/deals/{number}")
        assert card.status_code == 200 and "Ждёт действия менеджера" in card.text
        for control in ('name="to_stage"', f"/deals/{number}/edit", f"/deals/{number}/copy", f"/deals/{number}/notes"):
            assert control not in card.text
        edit = await client.get(f"/deals/{number}/edit")
        assert edit.status_code == 403 and f"Сделку {number} может изменять только" in edit.text
