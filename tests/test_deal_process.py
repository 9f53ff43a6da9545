"""How operations staff find and inspect deal workflows; continue-as-new keeps the deal whole."""

from __future__ import annotations

from api.auth.security import CurrentUser
from api.deals.schemas import DealCreate, DealUpdate
from api.deals.service import DealService
from models.deals import Deal
from tests.helpers import deal_payload, eventually
from workflows.deal import DealWorkflow


async def test_search_attributes_find_the_deal(pg) -> None:  # noqa: ANN001
    async with pg.http("manager") as api:
        number = (await api.post("/api/deals", json=deal_payload(pg.org, kind="equipment_sale"))).json()["number"]
        await api.post(f"/api/deals/{number}/stage", json={"to_stage": "needs"})

    async def indexed() -> bool:
        query = (
            f'DealNumber = {number} AND ClientInn = "7707083893" AND Manager = "Петрова Мария" '
            'AND DealStage = "needs" AND DealKind = "equipment_sale" AND BusinessUnit = "TD" '
            'AND Department = "Группа розничных продаж" AND ProcessStatus = "open"'
        )
        return [wf.id async for wf in pg.client.list_workflows(query)] == [f"deal-{number}"]

    await eventually(indexed, timeout=15)
    described = await pg.client.get_workflow_handle(f"deal-{number}").describe()
    attributes = {pair.key.name: pair.value for pair in described.typed_search_attributes}
    assert attributes["ClientName"] == "ООО «СтройМонтаж»"
    assert attributes["DealAmount"] == float(10 * 45000 * 0.98 + 11 * 45000 * 0.98)


async def test_continue_as_new_keeps_state_and_serves_updates(pg) -> None:  # noqa: ANN001
    org = pg.org
    user = CurrentUser(
        employee_id=org["manager"], name="Петрова Мария", email="manager@crm.test",
        roles=frozenset({"manager"}), department_id=org["dept.retail"], language="ru",
    )
    # A tiny history limit makes the workflow continue as new every few changes.
    settings = pg.settings.model_copy(update={"deal_history_limit": 40})
    async with pg.db.session() as session:
        service = DealService(session, pg.client, settings, user)
        saved = await service.create(DealCreate.model_validate(deal_payload(org)))
        number = saved.number
        handle = pg.client.get_workflow_handle(f"deal-{number}")
        first_run = (await handle.describe()).run_id
        for i in range(12):
            body = deal_payload(org, title=f"Правка {i}") | {"expected_version": i + 1}
            view = await service.update(number, DealUpdate.model_validate(body))
            assert view.version == i + 2
    await _check_after_continue(pg.db, handle, first_run, number)


async def _check_after_continue(db, handle, first_run: str, number: int) -> None:  # noqa: ANN001
    latest = await handle.describe()
    assert latest.run_id != first_run  # continued as new at least once
    view = await handle.query(DealWorkflow.view)
    assert view.version == 13 and view.stage_code == "request"
    attributes = {pair.key.name: pair.value for pair in latest.typed_search_attributes}
    assert attributes["DealNumber"] == number  # carried into the new run
    async with db.session() as session:
        row = await session.get(Deal, number)
        assert row is not None and row.title == "Правка 11" and row.version == 13
