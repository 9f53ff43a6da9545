"""Bad input gets a clear message and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from models.deals import Deal, DealChange, DealFile
from models.parties import Counterparty
from tests.helpers import deal_payload


async def _count(stack, table, *where) -> int:  # noqa: ANN001
    async with stack.db.session() as session:
        return (await session.exec(select(func.count()).select_from(table).where(*where))).scalar_one()


async def test_invalid_inn_is_refused_and_nothing_is_stored(stack) -> None:  # noqa: ANN001
    before = await _count(stack, Counterparty)
    async with stack.http("manager") as api:
        bad = await api.post("/api/counterparties", json={"name": "ООО «Ошибка»", "inn": "7707083894"})
        assert bad.status_code == 422
        assert bad.json()["error"] == "InvalidInn" and "7707083894" in bad.json()["message"]
        short = await api.post("/api/counterparties", json={"name": "ООО «Коротко»", "inn": "12345"})
        assert short.json()["error"] == "InvalidInn"
        kpp = await api.post("/api/counterparties", json={"name": "ООО «КПП»", "inn": "7707083893", "kpp": "77360100"})
        assert kpp.json()["error"] == "InvalidKpp"
        duplicate = await api.post("/api/counterparties", json={"name": "Сбер", "inn": "7707083893", "kpp": "773601001"})
        assert duplicate.status_code == 409 and duplicate.json()["details"]["existing_id"] == stack.org["client"]
        person = await api.post("/api/counterparties", json={"name": "ИП Кузнецов", "inn": "500100732259"})
        assert person.status_code == 201, person.text
    assert await _count(stack, Counterparty) == before + 1


async def test_zero_or_negative_quantity_names_the_line(stack) -> None:  # noqa: ANN001
    before = await _count(stack, Deal)
    async with stack.http("manager") as api:
        body = deal_payload(stack.org, lines=3)
        body["lines"][2]["quantity"] = "0"
        zero = await api.post("/api/deals", json=body)
        assert zero.status_code == 422
        assert zero.json()["details"][0]["field"] == "lines.2.quantity"
        assert "lines.2.quantity" in zero.json()["message"]
        body["lines"][2]["quantity"] = "-5"
        assert (await api.post("/api/deals", json=body)).status_code == 422
        body["lines"][2] = {"quantity": "5", "price": "100"}  # neither product nor category
        assert (await api.post("/api/deals", json=body)).status_code == 422
        body["lines"][2] = {"product_id": 999999, "quantity": "5"}
        unknown = await api.post("/api/deals", json=body)
        assert unknown.json()["error"] == "UnknownProduct" and unknown.json()["details"]["row"] == 3
    assert await _count(stack, Deal) == before


async def test_stage_move_the_kind_does_not_allow(stack) -> None:  # noqa: ANN001
    async with stack.http("manager") as api:
        number = (await api.post("/api/deals", json=deal_payload(stack.org, kind="equipment_sale"))).json()["number"]
        jump = await api.post(f"/api/deals/{number}/stage", json={"to_stage": "contract"})
        assert jump.status_code == 409
        assert jump.json()["error"] == "StageMoveNotAllowed"
        assert jump.json()["details"]["allowed"] == ["needs"]
        unknown = await api.post(f"/api/deals/{number}/stage", json={"to_stage": "nonsense"})
        assert unknown.status_code == 409
        card = (await api.get(f"/api/deals/{number}")).json()
    assert card["stage_code"] == "qualification" and card["version"] == 1


async def test_edit_over_a_newer_version_says_who_changed_it(stack) -> None:  # noqa: ANN001
    org = stack.org
    async with stack.http("manager") as manager, stack.http("group_head") as head:
        number = (await manager.post("/api/deals", json=deal_payload(org))).json()["number"]
        card = (await manager.get(f"/api/deals/{number}")).json()
        first = deal_payload(org, title="Head's edit") | {"expected_version": card["version"]}
        assert (await head.put(f"/api/deals/{number}", json=first)).status_code == 200
        stale = deal_payload(org, title="Manager's stale edit") | {"expected_version": card["version"]}
        conflict = await manager.put(f"/api/deals/{number}", json=stale)
        assert conflict.status_code == 409
        body = conflict.json()
        assert body["error"] == "VersionConflict"
        assert body["details"]["changed_by"] == "Группов Григорий"
        assert "Группов Григорий" in body["message"]
        assert (await manager.get(f"/api/deals/{number}")).json()["title"] == "Head's edit"


async def test_edits_record_every_field_old_and_new(stack) -> None:  # noqa: ANN001
    org = stack.org
    async with stack.http("manager") as api:
        number = (await api.post("/api/deals", json=deal_payload(org, lines=2))).json()["number"]
        body = deal_payload(org, lines=2, title="Новое название", payment_deferral_days=45) | {"expected_version": 1}
        body["lines"][1]["quantity"] = "20"
        body["participants"] = [{"employee_id": org["colleague"], "role": "support"}]
        saved = await api.put(f"/api/deals/{number}", json=body)
        assert saved.status_code == 200, saved.text
        history = (await api.get(f"/api/deals/{number}")).json()["history"]
    changes = {h["field"]: (h["old_value"], h["new_value"]) for h in history if h["action"] == "edited"}
    assert changes["title"] == ("Арматура на объект", "Новое название")
    assert changes["payment_deferral_days"] == ("30", "45")
    assert changes["line.2"] == (
        "Арматура А500С 12 мм: 11 т × 45000 −2 %",
        "Арматура А500С 12 мм: 20 т × 45000 −2 %",
    )
    assert changes["participants"] == ("", "Сидоров Семён (support)")
    assert all(h["actor_name"] == "Петрова Мария" for h in history if h["action"] == "edited")


async def test_oversized_or_empty_file_is_refused(stack) -> None:  # noqa: ANN001
    async with stack.http("manager") as api:
        number = (await api.post("/api/deals", json=deal_payload(stack.org))).json()["number"]
        big = b"x" * (stack.settings.max_file_size + 1)
        refused = await api.post(f"/api/deals/{number}/files", files={"file": ("scan.pdf", big, "application/pdf")})
        assert refused.status_code == 413 and refused.json()["error"] == "FileTooLarge"
        empty = await api.post(f"/api/deals/{number}/files", files={"file": ("empty.txt", b"", "text/plain")})
        assert empty.status_code == 422
        fine = await api.post(f"/api/deals/{number}/files", files={"file": ("КП.pdf", b"%PDF-1.4 ...", "application/pdf")})
        assert fine.status_code == 201
        download = await api.get(f"/api/deals/{number}/files/{fine.json()['id']}")
        assert download.content == b"%PDF-1.4 ..."
    assert await _count(stack, DealFile, DealFile.deal_id == number) == 1
    assert await _count(stack, DealChange, DealChange.deal_id == number, DealChange.action == "file") == 1


async def test_malformed_pasted_row_is_named(stack) -> None:  # noqa: ANN001
    text = "Арматура А500С 12 мм\t10\tт\t45000\nA500C-14\tдесять\tт\t45000\nНеведомый товар\t5\tт\t1\n"
    async with stack.http("manager") as api:
        parsed = (await api.post("/api/specification/parse", json={"text": text})).json()
    assert parsed["lines"] == []  # all or nothing
    assert [(e["row"], e["code"]) for e in parsed["errors"]] == [(2, "PasteNotANumber"), (3, "PasteUnknownItem")]
    assert parsed["errors"][0]["message"].startswith("Строка 2:")
