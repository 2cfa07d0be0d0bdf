"""Authorization matrix: every deal route × every kind of caller.

A caller who may not see the deal must get 404 (never 403, never its data); a caller who sees
it but may not do the action gets 403; no token or a wrong one gets 401; everyone else 2xx.
The matrix covers the JSON API and the web routes (called with a bearer token, which the pages
accept too), so no route can be added without an authorization decision showing up here.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.api.helpers import World, bearer

VISIBLE = {"owner", "csm", "manager", "admin"}  # csm is assigned, manager leads the owner's team
CALLERS = ["owner", "other_rep", "csm", "other_csm", "manager", "other_manager", "admin",
           "no_token", "bad_token"]
EVERYONE = VISIBLE
OWNER = {"owner", "admin"}


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str  # {deal}, {item}, {gap}, {job}, {doc}, {quote} are filled per call
    allowed: set[str]
    kwargs: dict[str, Any] = field(default_factory=dict)
    setup: Callable[[World], dict[str, str]] | None = None  # extra path values, made as owner


def _brief(world: World) -> dict[str, Any]:
    r = world.client.get(f"/api/deals/{world.deal_id}/brief", headers=world.headers("admin"))
    assert r.status_code == 200
    return r.json()


def _item(world: World) -> dict[str, str]:
    return {"item": _brief(world)["items"][0]["id"]}


def _gap(world: World) -> dict[str, str]:
    return {"gap": _brief(world)["gaps"][0]["id"]}


def _cite(world: World) -> dict[str, str]:
    for item in _brief(world)["items"]:
        for c in item["citations"]:
            if c["alignment"] != "ungrounded" and c["start"] is not None:
                return {"quote": f"source={c['source']}&start={c['start']}&end={c['end']}"}
    raise AssertionError("no grounded citation")


def _job(world: World) -> dict[str, str]:
    r = world.client.get(f"/api/deals/{world.deal_id}/jobs/latest",
                         headers=world.headers("admin"))
    return {"job": r.json()["id"]}


def _doc(world: World) -> dict[str, str]:
    """A throwaway document, so allowed deletes have something to delete."""
    name = f"note-{uuid.uuid4().hex}.txt"  # unique content: a duplicate would not be stored
    r = world.client.post(f"/api/deals/{world.deal_id}/documents",
                          files=[("files", (name, f"Throwaway note {name}.".encode(),
                                            "text/plain"))],
                          headers=world.headers("owner"))
    return {"doc": r.json()["results"][0]["document_id"]}


def _signed(world: World) -> dict[str, str]:
    world.client.post(f"/api/deals/{world.deal_id}/timeline/events",
                      json={"step": "signed", "at": "2026-04-20T15:00:00+02:00"},
                      headers=world.headers("owner"))
    return {}


def _new_deal(world: World) -> dict[str, str]:
    """A deal of the same owner with the same CSM, for the delete route."""
    r = world.client.post("/api/deals", json={"name": "Throwaway"},
                          headers=world.headers("owner"))
    deal = r.json()["id"]
    world.client.post(f"/api/deals/{deal}/assignments", json={"email": "csm@example.com"},
                      headers=world.headers("owner"))
    return {"deal": deal}


NOTE = [("files", ("matrix-note.txt", b"Matrix upload: the rollout starts in May.",
                   "text/plain"))]

API = [
    Route("get deal", "GET", "/api/deals/{deal}", EVERYONE),
    Route("delete deal", "DELETE", "/api/deals/{deal}", OWNER, setup=_new_deal),
    Route("assign csm", "POST", "/api/deals/{deal}/assignments",
          {"owner", "manager", "admin"}, {"json": {"email": "csm@example.com"}}),
    Route("upload", "POST", "/api/deals/{deal}/documents", OWNER, {"files": NOTE}),
    Route("list documents", "GET", "/api/deals/{deal}/documents", EVERYONE),
    Route("delete document", "DELETE", "/api/deals/{deal}/documents/{doc}", OWNER,
          setup=_doc),
    Route("passage", "GET", "/api/deals/{deal}/passage?{quote}", EVERYONE, setup=_cite),
    Route("run brief", "POST", "/api/deals/{deal}/brief", OWNER),
    Route("latest job", "GET", "/api/deals/{deal}/jobs/latest", EVERYONE),
    Route("get job", "GET", "/api/jobs/{job}", EVERYONE, setup=_job),
    Route("brief", "GET", "/api/deals/{deal}/brief", EVERYONE),
    Route("export docx", "GET", "/api/deals/{deal}/export?format=docx", EVERYONE),
    Route("export email", "GET", "/api/deals/{deal}/export?format=email&lang=de", EVERYONE),
    Route("gaps", "GET", "/api/deals/{deal}/gaps", EVERYONE),
    Route("answer gap", "POST", "/api/deals/{deal}/gaps/{gap}/answer", OWNER,
          {"json": {"answer": "Mark Twomey evaluated the technical fit."}}, setup=_gap),
    Route("confirm item", "POST", "/api/deals/{deal}/items/{item}/confirm", OWNER,
          setup=_item),
    Route("correct item", "POST", "/api/deals/{deal}/items/{item}/correct", OWNER,
          {"json": {"text": "Rob Hennessy, Operations Manager"}}, setup=_item),
    Route("conflicts", "GET", "/api/deals/{deal}/conflicts", EVERYONE),
    Route("audit", "GET", "/api/deals/{deal}/audit", EVERYONE),
    Route("ask", "POST", "/api/deals/{deal}/ask",
          EVERYONE, {"json": {"question": "Who signs off the budget?"}}),
    Route("timeline", "GET", "/api/deals/{deal}/timeline", EVERYONE),
    Route("timeline step", "POST", "/api/deals/{deal}/timeline/events", EVERYONE,
          {"json": {"step": "intro_email", "at": "2026-04-21T09:00:00+02:00"}}, setup=_signed),
    Route("csm rating", "POST", "/api/deals/{deal}/timeline/ratings", {"csm", "admin"},
          {"json": {"kind": "csm", "rating": 4}}),
    Route("customer rating", "POST", "/api/deals/{deal}/timeline/ratings",
          {"csm", "manager", "admin"}, {"json": {"kind": "customer", "rating": 5}}),
]

FORM_NOTE = [("files", ("matrix-page-note.txt", b"Page upload: kickoff is on 4 May.",
                        "text/plain"))]

PAGES = [
    Route("page deal", "GET", "/deals/{deal}", EVERYONE),
    Route("page passage", "GET", "/deals/{deal}/passage?{quote}", EVERYONE, setup=_cite),
    Route("page upload", "POST", "/deals/{deal}/upload", OWNER, {"files": FORM_NOTE}),
    Route("page brief", "POST", "/deals/{deal}/brief", OWNER),
    Route("page job", "GET", "/deals/{deal}/jobs/{job}", EVERYONE, setup=_job),
    Route("page review", "POST", "/deals/{deal}/items/{item}/confirm", OWNER, setup=_item),
    Route("page answer", "POST", "/deals/{deal}/gaps/{gap}/answer", OWNER,
          {"data": {"answer": "Kickoff is planned for 4 May."}}, setup=_gap),
    Route("page ask", "POST", "/deals/{deal}/ask", EVERYONE,
          {"data": {"question": "When do they go live?"}}),
    Route("page assign", "POST", "/deals/{deal}/assign", {"owner", "manager", "admin"},
          {"data": {"email": "csm@example.com"}}),
    Route("page timeline", "GET", "/deals/{deal}/timeline", EVERYONE),
    Route("page step", "POST", "/deals/{deal}/timeline", EVERYONE,
          {"data": {"step": "joint_call", "at": "2026-04-23T10:00", "tz": "+02:00"}},
          setup=_signed),
    Route("page rating", "POST", "/deals/{deal}/ratings", {"csm", "admin"},
          {"data": {"kind": "csm", "rating": "4"}}),
]

ROUTES = API + PAGES


def _headers(world: World, caller: str) -> dict[str, str]:
    if caller == "no_token":
        return {}
    if caller == "bad_token":
        return bearer("hb_not-a-real-token")
    return world.headers(caller)


def expected(route: Route, caller: str) -> int:
    """The status class a caller must get: 2 (2xx/3xx), 401, 403 or 404."""
    if caller in ("no_token", "bad_token"):
        return 401
    if caller not in VISIBLE:
        return 404
    return 2 if caller in route.allowed else 403


@pytest.mark.parametrize(("route", "caller"), list(itertools.product(ROUTES, CALLERS)),
                         ids=lambda v: v.name.replace(" ", "-") if isinstance(v, Route) else v)
def test_matrix(world: World, route: Route, caller: str) -> None:
    values = {"deal": world.deal_id}
    if route.setup is not None:
        values.update(route.setup(world))
    path = route.path.format(**values)
    headers = {"accept": "application/json", **_headers(world, caller)}
    r = world.client.request(route.method, path, headers=headers, follow_redirects=False,
                             **route.kwargs)
    want = expected(route, caller)
    if want == 2:
        assert 200 <= r.status_code < 400, (r.status_code, r.text[:300])
    else:
        assert r.status_code == want, (r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("application/problem+json")
        if want == 404:  # says nothing the caller did not send: no name, no other id
            assert "Pinecrest" not in r.text
            assert world.deal_id in path or world.deal_id not in r.text


def test_matrix_covers_every_deal_route(world: World) -> None:
    """A new deal route must be added to the matrix, or this fails."""
    app = world.client.app
    covered = {(r.method, r.path.split("?")[0].replace("{deal}", "{deal_id}")
                .replace("{item}", "{item_id}").replace("{gap}", "{gap_id}")
                .replace("{job}", "{job_id}").replace("{doc}", "{document_id}"))
               for r in ROUTES}
    covered = {(m, p.replace("/confirm", "/{action}").replace("/correct", "/{action}"))
               for m, p in covered}
    missing = []
    for route in app.routes:  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        if "{deal_id}" not in path and "{job_id}" not in path:
            continue
        for method in sorted(getattr(route, "methods", set()) - {"HEAD"}):
            if (method, path) not in covered:
                missing.append(f"{method} {path}")
    assert missing == []


def test_lists_show_only_visible_deals(world: World) -> None:
    for caller in ("owner", "csm", "manager", "admin", "other_rep", "other_csm",
                   "other_manager"):
        deals = world.client.get("/api/deals", headers=world.headers(caller)).json()
        ids = {d["id"] for d in deals}
        assert (world.deal_id in ids) == (caller in VISIBLE), caller
        page = world.client.get("/deals", headers=world.headers(caller)).text
        assert ("Pinecrest" in page) == (caller in VISIBLE), caller
