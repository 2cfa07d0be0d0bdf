"""The rep's review over the API, conflicts, the audit trail and Q&A with citations."""

from __future__ import annotations

import pytest

from tests.api.helpers import DEMO_SOURCES, World


def _brief(world: World) -> dict:
    return world.client.get(f"/api/deals/{world.deal_id}/brief",
                            headers=world.headers("owner")).json()


def test_gaps_can_be_filtered(world: World) -> None:
    all_gaps = world.client.get(f"/api/deals/{world.deal_id}/gaps",
                                headers=world.headers("csm")).json()
    assert all_gaps and all(g["question"] for g in all_gaps)
    open_gaps = world.client.get(f"/api/deals/{world.deal_id}/gaps?status=open",
                                 headers=world.headers("csm")).json()
    assert {g["status"] for g in open_gaps} <= {"open"}
    r = world.client.get(f"/api/deals/{world.deal_id}/gaps?status=closed",
                         headers=world.headers("csm"))
    assert r.status_code == 422


def test_answering_a_gap_makes_a_cited_confirmed_item(fresh: World) -> None:
    c, deal = fresh.client, fresh.deal_id
    gap = next(g for g in _brief(fresh)["gaps"] if g["key"] == "implementation.start_date")
    before = _brief(fresh)["completeness"]
    r = c.post(f"/api/deals/{deal}/gaps/{gap['id']}/answer",
               json={"answer": "Kickoff is on 4 May 2026 at Little Island."},
               headers=fresh.headers("owner"))
    assert r.status_code == 200, r.text
    item = r.json()
    assert item["key"] == "implementation.start_date"
    assert item["status"] == "confirmed"
    assert item["citations"][0]["quote"] == "Kickoff is on 4 May 2026 at Little Island."
    assert item["attributes"]["confirmed_by"] == "owner@example.com"
    brief = _brief(fresh)
    assert next(g for g in brief["gaps"] if g["id"] == gap["id"])["status"] == "answered"
    assert brief["completeness"] > before
    audit = c.get(f"/api/deals/{deal}/audit", headers=fresh.headers("csm")).json()
    assert any(e["action"] == "answer" and e["target"] == gap["id"]
               and e["actor"] == "owner@example.com" for e in audit)


def test_confirm_correct_reject(fresh: World) -> None:
    c, deal, h = fresh.client, fresh.deal_id, fresh.headers("owner")
    a, b, d = _brief(fresh)["items"][:3]
    r = c.post(f"/api/deals/{deal}/items/{a['id']}/confirm", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = c.post(f"/api/deals/{deal}/items/{b['id']}/correct", json={"text": "Corrected value"},
               headers=h)
    assert r.json()["status"] == "corrected" and r.json()["corrected_value"] == "Corrected value"
    r = c.post(f"/api/deals/{deal}/items/{d['id']}/reject", headers=h)
    assert r.json()["status"] == "rejected"
    statuses = {i["id"]: i["status"] for i in _brief(fresh)["items"]}
    assert (statuses[a["id"]], statuses[b["id"]], statuses[d["id"]]) == (
        "confirmed", "corrected", "rejected")
    actions = [e["action"] for e in c.get(f"/api/deals/{deal}/audit", headers=h).json()]
    assert ["confirm", "correct", "reject"] == [x for x in actions
                                               if x in ("confirm", "correct", "reject")]


@pytest.mark.parametrize(("path", "body", "status"), [
    ("items/I000000/confirm", None, 404),
    ("items/{item}/approve", None, 422),
    ("items/{item}/correct", None, 422),
    ("items/{item}/correct", {"text": "   "}, 422),
    ("items/{item}/correct", {"text": 5}, 422),
    ("gaps/G000000/answer", {"answer": "x"}, 404),
    ("gaps/{gap}/answer", {"answer": ""}, 422),
    ("gaps/{gap}/answer", {}, 422),
    ("gaps/{gap}/answer", {"answer": "x" * 5001}, 422),
])
def test_bad_reviews_are_4xx(world: World, path: str, body: dict | None, status: int) -> None:
    brief = _brief(world)
    path = path.format(item=brief["items"][0]["id"], gap=brief["gaps"][0]["id"])
    r = world.client.post(f"/api/deals/{world.deal_id}/{path}", json=body,
                          headers=world.headers("owner"))
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"


def test_conflicts_quote_both_sides(world: World) -> None:
    conflicts = world.client.get(f"/api/deals/{world.deal_id}/conflicts",
                                 headers=world.headers("csm")).json()
    assert conflicts
    for c in conflicts:
        assert len(c["sides"]) >= 2
        assert all(side["quote"] for side in c["sides"])
    assert any("offering.yaml" in [s["source"] for s in c["sides"]] for c in conflicts)


def test_ask_answers_with_citations(world: World) -> None:
    r = world.client.post(f"/api/deals/{world.deal_id}/ask",
                          json={"question": "Who is the economic buyer?"},
                          headers=world.headers("csm"))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["question"] == "Who is the economic buyer?"
    assert answer["text"]
    assert answer["citations"]
    assert all(c["source"] for c in answer["citations"])


@pytest.mark.parametrize("body", [{}, {"question": ""}, {"question": 3},
                                  {"question": "x" * 2001}, {"q": "who"}])
def test_bad_questions_are_422(world: World, body: dict) -> None:
    r = world.client.post(f"/api/deals/{world.deal_id}/ask", json=body,
                          headers=world.headers("csm"))
    assert r.status_code == 422


def test_whitespace_question_is_422(world: World) -> None:
    r = world.client.post(f"/api/deals/{world.deal_id}/ask", json={"question": "   "},
                          headers=world.headers("csm"))
    assert r.status_code == 422
    assert "empty" in r.json()["detail"]


def test_audit_trail_records_who_did_what(world: World) -> None:
    audit = world.client.get(f"/api/deals/{world.deal_id}/audit",
                             headers=world.headers("manager")).json()
    actions = [e["action"] for e in audit]
    uploads = len(list(DEMO_SOURCES.iterdir()))  # one entry per stored document
    assert actions[:uploads + 2] == ["create"] + ["upload"] * uploads + ["brief"]
    assert all(e["actor"] and e["at"] for e in audit)


def test_restore_bulk_reject_undo_and_resolve_over_the_api(fresh: World) -> None:
    from extractor.review import save_brief
    from tests.api.demo_brief import demo_brief

    store = fresh.client.app.state.store  # type: ignore[attr-defined]
    save_brief(store, demo_brief(store, fresh.deal_id, "Pinecrest"))
    c, base, h = fresh.client, f"/api/deals/{fresh.deal_id}", fresh.headers("owner")

    c.post(f"{base}/items/Irisk/reject", headers=h)
    r = c.post(f"{base}/items/Irisk/restore", headers=h)
    assert r.status_code == 200 and r.json()["items"][0]["status"] == "extracted"
    r = c.post(f"{base}/categories/stakeholders/reject", headers=h)
    change = r.json()["change_id"]
    assert {i["status"] for i in r.json()["items"]} == {"rejected"} and len(r.json()["items"]) == 3
    assert c.post(f"{base}/undo/{change}", headers=h).json() == ["Ispo", "Icha", "Ibuy"]
    assert c.post(f"{base}/undo/{change}", headers=h).status_code == 422  # undone already
    assert c.post(f"{base}/categories/weather/reject", headers=h).status_code == 422
    r = c.post(f"{base}/conflicts/Cweeks/resolve", json={"holds": 1, "note": "8-10 weeks"},
               headers=h)
    assert r.status_code == 200
    assert r.json()["conflict"]["resolution"]["holds"] == 1
    assert r.json()["conflict"]["resolution"]["by"] == "owner@example.com"
    csm = fresh.headers("csm")
    assert c.post(f"{base}/conflicts/Cweeks/resolve", json={"holds": 0},
                  headers=csm).status_code == 403  # CSMs read, reps review


def test_questions_are_kept_and_can_be_sent_to_the_rep(fresh: World) -> None:
    c, base, h = fresh.client, f"/api/deals/{fresh.deal_id}", fresh.headers("csm")
    a = c.post(f"{base}/ask", json={"question": "Which insurance broker do they use?"},
               headers=h).json()
    assert not a["supported"]
    [kept] = c.get(f"{base}/questions", headers=h).json()
    assert kept["answer"]["question"] == "Which insurance broker do they use?"
    assert kept["asked_by"] == "csm@example.com" and kept["gap_id"] is None
    gap = c.post(f"{base}/questions/{kept['id']}/send", headers=h).json()
    assert gap["key"] == "question" and gap["status"] == "open"
    gaps = c.get(f"{base}/gaps?status=open", headers=fresh.headers("owner")).json()
    assert any(g["question"] == "Which insurance broker do they use?" for g in gaps)
