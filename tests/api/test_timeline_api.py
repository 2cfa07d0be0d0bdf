"""The handoff timeline over the API: signature, steps, ratings, SLA states and metrics."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.api.helpers import World

SIGNED = "2026-03-02T09:00:00+01:00"  # a Monday
STEPS = {
    "internal_handoff_meeting": "2026-03-02T15:00:00+01:00",  # 6 h: met
    "intro_email": "2026-03-05T09:00:00+01:00",               # 72 h: breached (48 h)
    "joint_call": "2026-03-06T10:00:00+01:00",                # 4 business days: met
}


def _record(world: World, who: str, step: str, at: str) -> dict:
    r = world.client.post(f"/api/deals/{world.deal_id}/timeline/events",
                          json={"step": step, "at": at}, headers=world.headers(who))
    assert r.status_code == 200, r.text
    return r.json()


def test_an_unsigned_deal_has_no_sla_yet(world: World) -> None:
    deal = world.client.post("/api/deals", json={"name": "Unsigned"},
                             headers=world.headers("owner")).json()["id"]
    t = world.client.get(f"/api/deals/{deal}/timeline", headers=world.headers("owner")).json()
    assert t["signed_at"] is None and t["sla"] == [] and t["metrics"] is None
    r = world.client.post(f"/api/deals/{deal}/timeline/events",
                          json={"step": "kickoff", "at": SIGNED}, headers=world.headers("owner"))
    assert r.status_code == 422
    assert "signature" in r.json()["detail"]


def test_sla_states_follow_the_rules(fresh: World) -> None:
    _record(fresh, "owner", "signed", SIGNED)
    for step, at in STEPS.items():
        view = _record(fresh, "csm", step, at)
    states = {s["step"]: s["state"] for s in view["sla"]}
    assert states == {"internal_handoff_meeting": "met", "intro_email": "breached",
                      "joint_call": "met", "kickoff": "overdue"}
    intro = next(s for s in view["sla"] if s["step"] == "intro_email")
    assert intro["hours_late"] == 24.0
    due = {s["step"]: datetime.fromisoformat(s["due_at"]) for s in view["sla"]}
    assert due["joint_call"] == datetime.fromisoformat("2026-03-09T09:00:00+01:00")
    m = view["metrics"]
    assert m["hours_to_first_cs_contact"] == 97.0  # the joint call is the first CS contact
    assert (m["sla_met"], m["sla_decided"]) == (2, 4)
    deal = fresh.client.get(f"/api/deals/{fresh.deal_id}", headers=fresh.headers("csm")).json()
    assert deal["status"]["stage"] == "signed" and deal["status"]["sla"] == "overdue"


def test_kickoff_and_recording_again_replaces_the_time(fresh: World) -> None:
    _record(fresh, "owner", "signed", SIGNED)
    _record(fresh, "csm", "kickoff", "2026-03-20T10:00:00+01:00")
    view = _record(fresh, "csm", "kickoff", "2026-03-06T10:00:00+01:00")
    kickoff = next(s for s in view["sla"] if s["step"] == "kickoff")
    assert kickoff["state"] == "met"
    assert view["metrics"]["days_to_kickoff"] == pytest.approx(4.04, abs=0.01)
    assert len([e for e in view["events"] if e["kind"] == "kickoff"]) == 2
    deal = fresh.client.get(f"/api/deals/{fresh.deal_id}", headers=fresh.headers("csm")).json()
    assert deal["status"]["stage"] == "kicked_off"


@pytest.mark.parametrize("body", [
    {"step": "signed", "at": "2026-03-02T09:00:00"},  # no UTC offset
    {"step": "signed", "at": "yesterday"},
    {"step": "go_live", "at": SIGNED},
    {"step": "signed"},
    {"at": SIGNED},
])
def test_bad_timeline_events_are_422(world: World, body: dict) -> None:
    r = world.client.post(f"/api/deals/{world.deal_id}/timeline/events", json=body,
                          headers=world.headers("owner"))
    assert r.status_code == 422


def test_ratings(fresh: World) -> None:
    c, deal = fresh.client, fresh.deal_id
    _record(fresh, "owner", "signed", SIGNED)
    r = c.post(f"/api/deals/{deal}/timeline/ratings", json={"kind": "csm", "rating": 4},
               headers=fresh.headers("csm"))
    assert r.status_code == 200 and r.json()["csm_rating"] == 4
    r = c.post(f"/api/deals/{deal}/timeline/ratings", json={"kind": "customer", "rating": 5},
               headers=fresh.headers("manager"))
    assert r.json()["customer_rating"] == 5 and r.json()["metrics"]["customer_rating"] == 5
    r = c.post(f"/api/deals/{deal}/timeline/ratings", json={"kind": "csm", "rating": 5},
               headers=fresh.headers("owner"))
    assert r.status_code == 403  # a rep does not rate their own handoff


@pytest.mark.parametrize("rating", [0, 6, "5", 4.5, True, None])
def test_ratings_are_whole_numbers_from_1_to_5(world: World, rating: object) -> None:
    r = world.client.post(f"/api/deals/{world.deal_id}/timeline/ratings",
                          json={"kind": "customer", "rating": rating},
                          headers=world.headers("csm"))
    assert r.status_code == 422


def test_team_metrics_cover_only_visible_deals(fresh: World) -> None:
    c = fresh.client
    _record(fresh, "owner", "signed", SIGNED)
    _record(fresh, "csm", "joint_call", "2026-03-03T10:00:00+01:00")
    c.post(f"/api/deals/{fresh.deal_id}/timeline/ratings", json={"kind": "csm", "rating": 3},
           headers=fresh.headers("csm"))
    mine = c.get("/api/metrics/team", headers=fresh.headers("manager")).json()
    assert mine["deals"] == 1
    assert mine["avg_hours_to_first_cs_contact"] == 25.0
    assert mine["avg_csm_rating"] == 3.0
    assert "avg_csm_rating" in mine["below_target"]
    assert c.get("/api/metrics/team?team=A", headers=fresh.headers("admin")).json()["deals"] == 1
    assert c.get("/api/metrics/team?team=B", headers=fresh.headers("admin")).json()["deals"] == 0
    assert c.get("/api/metrics/team", headers=fresh.headers("other_manager")).json()["deals"] \
        == 0
    assert c.get("/api/metrics/team", headers=fresh.headers("other_rep")).json()["deals"] == 0
