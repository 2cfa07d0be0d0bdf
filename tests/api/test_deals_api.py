"""Deals over the API: create, list, read, assign, delete; who the caller is; OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import World, bearer


def test_me_names_the_token_owner(world: World) -> None:
    r = world.client.get("/api/me", headers=world.headers("manager"))
    assert r.status_code == 200
    assert r.json() == {"id": world.users["manager"][0].id, "email": "manager@example.com",
                        "role": "manager", "team": "A"}


def test_create_returns_the_deal_with_its_id(world: World) -> None:
    r = world.client.post("/api/deals", json={"name": "  Nordwind   Logistik GmbH "},
                          headers=world.headers("other_rep"))
    assert r.status_code == 201
    deal = r.json()
    assert deal["id"].startswith("nordwind-logistik-gmbh-")
    assert deal["name"] == "Nordwind Logistik GmbH"
    assert deal["owner"] == "other.rep@example.com"
    assert deal["status"] == {"stage": "new", "sla": None, "sla_met": 0, "sla_decided": 0}
    assert r.headers["location"] == f"/api/deals/{deal['id']}"
    assert world.client.get(r.headers["location"],
                            headers=world.headers("other_rep")).json() == deal


def test_two_deals_with_one_name_get_two_ids(world: World) -> None:
    ids = {world.client.post("/api/deals", json={"name": "Same name"},
                             headers=world.headers("owner")).json()["id"] for _ in range(2)}
    assert len(ids) == 2


def test_csms_do_not_open_deals(world: World) -> None:
    r = world.client.post("/api/deals", json={"name": "x"}, headers=world.headers("csm"))
    assert r.status_code == 403


def test_the_briefed_deal_reports_completeness_and_stage(world: World) -> None:
    deal = world.client.get(f"/api/deals/{world.deal_id}", headers=world.headers("csm")).json()
    assert deal["documents"] >= 4
    assert deal["has_brief"] is True
    assert 0.5 < deal["completeness"] <= 1
    assert deal["language"] == "en"
    assert "csm@example.com" in deal["csms"]
    assert deal["team"] == "A"


def test_bad_names_are_422(world: World) -> None:
    for body in ({}, {"name": ""}, {"name": 5}, {"name": "x" * 301}, [], "name"):
        r = world.client.post("/api/deals", json=body, headers=world.headers("owner"))
        assert r.status_code == 422, body
        assert r.headers["content-type"] == "application/problem+json"
    r = world.client.post("/api/deals", content=b"{not json", headers={
        **world.headers("owner"), "content-type": "application/json"})
    assert r.status_code == 422


def test_whitespace_only_name_is_refused(world: World) -> None:
    r = world.client.post("/api/deals", json={"name": "   "}, headers=world.headers("owner"))
    assert r.status_code == 422
    assert "name" in r.json()["detail"]


def test_assign_a_csm_then_they_see_the_deal(fresh: World) -> None:
    c = fresh.client
    r = c.get(f"/api/deals/{fresh.deal_id}", headers=fresh.headers("other_csm"))
    assert r.status_code == 404
    r = c.post(f"/api/deals/{fresh.deal_id}/assignments", json={"email": "other.csm@example.com"},
               headers=fresh.headers("manager"))
    assert r.status_code == 200
    assert "other.csm@example.com" in r.json()["csms"]
    assert c.get(f"/api/deals/{fresh.deal_id}", headers=fresh.headers("other_csm")).status_code \
        == 200
    audit = c.get(f"/api/deals/{fresh.deal_id}/audit", headers=fresh.headers("admin")).json()
    assert any(e["action"] == "assign" and e["actor"] == "manager@example.com" for e in audit)


def test_only_csms_are_assigned(world: World) -> None:
    r = world.client.post(f"/api/deals/{world.deal_id}/assignments",
                          json={"email": "other.rep@example.com"}, headers=world.headers("owner"))
    assert r.status_code == 422
    r = world.client.post(f"/api/deals/{world.deal_id}/assignments",
                          json={"email": "nobody@example.com"}, headers=world.headers("owner"))
    assert r.status_code == 404


def test_delete_removes_the_deal_and_everything_of_it(fresh: World) -> None:
    c, deal = fresh.client, fresh.deal_id
    c.post(f"/api/deals/{deal}/timeline/events",
           json={"step": "signed", "at": "2026-04-20T15:00:00+02:00"},
           headers=fresh.headers("owner"))
    r = c.delete(f"/api/deals/{deal}", headers=fresh.headers("owner"))
    assert r.status_code == 204
    for path in ("", "/brief", "/documents", "/timeline", "/audit"):
        assert c.get(f"/api/deals/{deal}{path}", headers=fresh.headers("admin")).status_code \
            == 404
    assert c.get("/api/deals", headers=fresh.headers("csm")).json() == []


def test_unknown_deal_ids_are_404(world: World) -> None:
    for deal in ("nope", "x" * 64, "..", "%2e%2e", "a b"):
        r = world.client.get(f"/api/deals/{deal}/brief", headers=world.headers("admin"))
        assert r.status_code == 404, deal
        assert r.headers["content-type"] == "application/problem+json"


def test_openapi_documents_routes_with_models_tags_and_summaries(app_client: TestClient) -> None:
    spec = app_client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "Handoff brief"
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert len(operations) >= 20
    for op in operations:
        assert op.get("summary"), op
        assert op.get("tags"), op
        assert "401" in op["responses"], op["summary"]
    get_deal = spec["paths"]["/api/deals/{deal_id}"]["get"]
    assert get_deal["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] \
        .endswith("/DealOut")
    assert "application/problem+json" in get_deal["responses"]["404"]["content"]
    assert "Problem" in spec["components"]["schemas"]
    assert not any(p.startswith("/deals") or p == "/login" for p in spec["paths"])


def test_a_revoked_or_foreign_scheme_token_is_401(world: World) -> None:
    token = world.token("owner")
    for header in (f"Basic {token}", f"Bearer {token}x", "Bearer", token):
        r = world.client.get("/api/deals", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.headers["www-authenticate"] == "Bearer"
    assert world.client.get("/api/deals", headers=bearer(token)).status_code == 200
