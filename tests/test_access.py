"""Who sees and changes which deals, by role."""

from __future__ import annotations

from tests.helpers import deal_payload


async def test_managers_heads_and_operations(pg) -> None:  # noqa: ANN001
    org = pg.org
    async with pg.http("manager") as manager:
        mine = (await manager.post("/api/deals", json=deal_payload(org))).json()["number"]

    async with pg.http("colleague") as colleague:  # same department
        assert (await colleague.get(f"/api/deals/{mine}")).status_code == 200
        refused = await colleague.post(f"/api/deals/{mine}/stage", json={"to_stage": "specification"})
        assert refused.status_code == 403 and refused.json()["error"] == "NotYourDeal"
        listed = (await colleague.get("/api/deals", params={"q": str(mine)})).json()
        assert [row["number"] for row in listed["rows"]] == [mine]

    async with pg.http("other") as other:  # another department
        assert (await other.get(f"/api/deals/{mine}")).status_code == 404
        assert (await other.post(f"/api/deals/{mine}/stage", json={"to_stage": "specification"})).status_code == 404
        assert (await other.get("/api/deals", params={"q": str(mine)})).json()["total"] == 0

    async with pg.http("head") as head:  # heads the parent department
        moved = await head.post(f"/api/deals/{mine}/stage", json={"to_stage": "specification"})
        assert moved.status_code == 200

    async with pg.http("operations") as operations:
        assert (await operations.get(f"/api/deals/{mine}")).status_code == 200
        assert (await operations.post(f"/api/deals/{mine}/stage", json={"to_stage": "invoice"})).status_code == 403
        assert (await operations.post("/api/deals", json=deal_payload(org))).status_code == 403

    async with pg.http("manager") as manager:
        # A manager may not hand a new deal to someone else; a head may.
        handed = await manager.post("/api/deals", json=deal_payload(org, manager_id=org["colleague"]))
        assert handed.status_code == 403
    async with pg.http("group_head") as group_head:
        handed = await group_head.post("/api/deals", json=deal_payload(org, manager_id=org["colleague"]))
        assert handed.status_code == 201
        card = (await group_head.get(f"/api/deals/{handed.json()['number']}")).json()
        assert (card["manager_id"], card["department_id"]) == (org["colleague"], org["dept.retail"])


async def test_support_participant_may_edit(pg) -> None:  # noqa: ANN001
    org = pg.org
    body = deal_payload(org, participants=[{"employee_id": org["support"], "role": "support"}])
    async with pg.http("manager") as manager:
        number = (await manager.post("/api/deals", json=body)).json()["number"]
    async with pg.http("support") as support:
        moved = await support.post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})
        assert moved.status_code == 200, moved.text
        card = (await support.get(f"/api/deals/{number}")).json()
        assert card["manager_id"] == org["manager"]  # an edit by support keeps the deal's manager


async def test_no_token_no_access(pg) -> None:  # noqa: ANN001
    async with pg.http("manager") as api:
        api.headers["Authorization"] = "Bearer wrong"
        answer = await api.get("/api/deals")
    assert answer.status_code == 401 and answer.json()["error"] == "NotAuthenticated"
