"""The web pages: sign-in, CSRF, security headers, escaping, languages and every form."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import PASSWORD, World

HTML = {"accept": "text/html"}


def login(client: TestClient, email: str, next_path: str = "/deals") -> str:
    """Sign in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"email": email, "password": PASSWORD,
                                    "login_token": token, "next": next_path},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/deals").text)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def rep(world: World) -> Iterator[tuple[TestClient, str]]:
    """A browser-like client of its own, signed in as the owning rep."""
    with TestClient(world.client.app, raise_server_exceptions=False) as client:
        yield client, login(client, "owner@example.com")


class _InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style and handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {k for k, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {k}=" for k in names if k == "style" or k.startswith("on")]
        self.found += [f"{tag} {k}" for k, v in attrs if v and v.startswith("javascript:")]


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.found


def test_pages_need_a_session(world: World) -> None:
    r = world.client.get(f"/deals/{world.deal_id}", headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=/deals/{world.deal_id}"


def test_security_headers_on_pages_static_files_and_errors(world: World) -> None:
    for path in ("/login", "/static/app.js", "/static/htmx.min.js", "/static/app.css",
                 "/api/openapi.json", "/nothing"):
        r = world.client.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert r.headers["x-frame-options"] == "DENY"
    assert world.client.get("/static/htmx.min.js").text.startswith("var htmx=")


def test_login_rejects_wrong_password_and_forged_forms(world: World) -> None:
    with TestClient(world.client.app) as client:
        page = client.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"email": "owner@example.com", "password": "wrong-one",
                                        "login_token": token})
        assert r.status_code == 401 and "Email or password is wrong" in r.text
        assert "handoff_session" not in client.cookies
    with TestClient(world.client.app) as stranger:  # no login cookie: a cross-site post
        r = stranger.post("/login", data={"email": "owner@example.com", "password": PASSWORD,
                                          "login_token": token})
        assert r.status_code == 403 and "handoff_session" not in stranger.cookies


def test_login_only_redirects_within_the_site(world: World) -> None:
    for target, expected in (("/deals/x", "/deals/x"), ("//evil.example/", "/deals"),
                             ("https://evil.example/", "/deals"), ("/\\evil", "/deals")):
        with TestClient(world.client.app) as client:
            page = client.get("/login")
            token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
            r = client.post("/login", data={"email": "owner@example.com", "password": PASSWORD,
                                            "login_token": token, "next": target},
                            follow_redirects=False)
            assert r.headers["location"] == expected


def test_session_cookie_is_httponly_and_logout_ends_it(world: World) -> None:
    with TestClient(world.client.app) as client:
        page = client.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"email": "owner@example.com", "password": PASSWORD,
                                        "login_token": token}, follow_redirects=False)
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        stolen = client.cookies["handoff_session"]
        csrf = csrf_of(client.get("/deals").text)
        assert client.post("/logout", data={"csrf_token": csrf},
                           follow_redirects=False).status_code == 303
    with TestClient(world.client.app) as replay:
        replay.cookies.set("handoff_session", stolen)
        r = replay.get("/deals", headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_state_changes_need_the_csrf_token(rep: tuple[TestClient, str], world: World) -> None:
    client, csrf = rep
    url = f"/deals/{world.deal_id}/ask"
    assert client.post(url, data={"question": "Who?"}).status_code == 403
    assert client.post(url, data={"question": "Who?", "csrf_token": "forged"}).status_code \
        == 403
    assert client.post(url, data={"question": "Who?", "csrf_token": csrf}).status_code == 200
    assert client.post(url, data={"question": "Who?"},
                       headers={"X-CSRF-Token": csrf}).status_code == 200
    r = client.post("/api/deals", json={"name": "via cookie"})  # the API too, when by cookie
    assert r.status_code == 403


def test_deal_list_and_brief_page(rep: tuple[TestClient, str], world: World) -> None:
    client, _ = rep
    deals = client.get("/deals")
    assert "Pinecrest Facility Services" in deals.text
    assert 'class="badge stage-brief"' in deals.text and "<meter" in deals.text
    page = client.get(f"/deals/{world.deal_id}")
    assert page.status_code == 200
    html = page.text
    assert inline_code(html) == []
    for heading in ("Customer background and context", "Decision-making stakeholders",
                    "Commitments and promises", "Risks and concerns", "Conflicts",
                    "Questions for the rep"):
        assert heading in html, heading
    assert 'hx-get="/deals/' in html and "/passage?source=" in html
    assert 'class="flag flag-warning">verbal<' in html
    assert "Rob Hennessy" in html
    for fmt in ("docx", "md", "json", "email", "agenda", "checklist", "plan"):
        assert f"export?format={fmt}&amp;lang=en" in html
    assert 'id="upload-form"' in html and 'hx-encoding="multipart/form-data"' in html


def test_german_labels_and_the_language_switch(rep: tuple[TestClient, str],
                                               world: World) -> None:
    client, _ = rep
    html = client.get(f"/deals/{world.deal_id}?lang=de").text
    assert '<html lang="de">' in html
    assert "Kundenhintergrund und Kontext" in html and "Fragen an den Vertrieb" in html
    assert "export?format=docx&amp;lang=de" in html
    html = client.get(f"/deals/{world.deal_id}").text  # the choice is remembered
    assert "Kundenhintergrund und Kontext" in html
    html = client.get(f"/deals/{world.deal_id}?lang=en").text
    assert "Customer background and context" in html


def test_citation_opens_the_highlighted_passage(rep: tuple[TestClient, str],
                                                world: World) -> None:
    client, _ = rep
    html = client.get(f"/deals/{world.deal_id}?lang=en").text
    href = re.search(r'hx-get="(/deals/[^"]+/passage\?[^"]+)"', html).group(1)
    href = href.replace("&amp;", "&")
    fragment = client.get(href, headers={"HX-Request": "true"}).text
    assert fragment.count("<mark>") == 1 and "</mark>" in fragment
    assert "<html" not in fragment
    full = client.get(href).text
    assert "<html" in full and "<mark>" in full


def test_untrusted_text_is_escaped(rep: tuple[TestClient, str]) -> None:
    client, csrf = rep
    evil = "<script>alert(1)</script>{{ 7*7 }}"
    r = client.post("/deals", data={"name": evil, "csrf_token": csrf})
    deal_page = r.text
    assert "<script>alert(1)" not in deal_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in deal_page
    deal = r.url.path.rsplit("/", 1)[1]
    up = client.post(f"/deals/{deal}/upload", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf}, files=[("files", ("<img src=x onerror=alert(1)>.txt",
                                               b"Note: <script>alert(2)</script> go-live "
                                               b"is 1 June.", "text/plain"))])
    assert "<img src=x" not in up.text and "&lt;img src=x onerror=alert(1)&gt;" in up.text
    doc = client.get(f"/api/deals/{deal}/documents").json()[0]
    passage = client.get(f"/deals/{deal}/passage?document_id={doc['id']}&start=6&end=31",
                         headers={"HX-Request": "true"}).text
    assert "<script>alert(2)" not in passage
    assert "<mark>&lt;script&gt;alert(2)&lt;/script&gt;</mark>" in passage
    answer = client.post(f"/deals/{deal}/ask", headers={"HX-Request": "true"},
                         data={"question": "<b onmouseover=x>When?</b>", "csrf_token": csrf})
    assert "<b onmouseover" not in answer.text and "&lt;b onmouseover=x&gt;" in answer.text


def test_review_and_gap_forms(fresh: World) -> None:
    with TestClient(fresh.client.app) as client:
        csrf = login(client, "owner@example.com")
        brief = client.get(f"/api/deals/{fresh.deal_id}/brief").json()
        item, gap = brief["items"][0], brief["gaps"][0]
        r = client.post(f"/deals/{fresh.deal_id}/items/{item['id']}/correct",
                        data={"csrf_token": csrf, "text": "Rob Hennessy runs operations"},
                        follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"].startswith(f"/deals/{fresh.deal_id}?undo=")
        assert r.headers["location"].endswith(f"#item-{item['id']}")
        r = client.post(f"/deals/{fresh.deal_id}/gaps/{gap['id']}/answer",
                        data={"csrf_token": csrf, "answer": "Mark Twomey (IT) evaluated it."})
        assert r.status_code == 200
        assert "Rob Hennessy runs operations" in r.text
        assert "Mark Twomey (IT) evaluated it." in r.text
        audit = client.get(f"/api/deals/{fresh.deal_id}/audit").json()
        assert [e["action"] for e in audit][-2:] == ["correct", "answer"]
        assert {e["actor"] for e in audit[-2:]} == {"owner@example.com"}


def test_upload_brief_and_job_polling_through_pages(fresh: World) -> None:
    with TestClient(fresh.client.app) as client:
        csrf = login(client, "owner@example.com")
        r = client.post(f"/deals/{fresh.deal_id}/upload", headers={"HX-Request": "true"},
                        data={"csrf_token": csrf}, files=[
                            ("files", ("extra.md", b"# Note\n\nKickoff on 4 May.", "text/plain")),
                            ("files", ("bad.pdf", b"nope", "application/pdf"))])
        assert "accepted" in r.text and "rejected" in r.text
        assert 'id="doc-list" hx-swap-oob="true"' in r.text and "extra.md" in r.text
        r = client.post(f"/deals/{fresh.deal_id}/brief", data={"csrf_token": csrf},
                        follow_redirects=False)
        assert r.status_code == 303
        job = re.search(r"job=([0-9a-f]+)", r.headers["location"]).group(1)
        for _ in range(300):
            frag = client.get(f"/deals/{fresh.deal_id}/jobs/{job}",
                              headers={"HX-Request": "true"})
            if frag.headers.get("hx-redirect"):
                break
            assert 'hx-trigger="load delay:1s"' in frag.text
            time.sleep(0.05)
        assert frag.headers["hx-redirect"] == f"/deals/{fresh.deal_id}"


def test_timeline_and_metrics_pages(fresh: World) -> None:
    with TestClient(fresh.client.app) as client:
        csrf = login(client, "csm@example.com")
        page = client.get(f"/deals/{fresh.deal_id}/timeline")
        assert "not signed yet" in page.text and inline_code(page.text) == []
        for step, at in (("signed", "2026-03-02T09:00"), ("internal_handoff_meeting",
                                                          "2026-03-02T12:00")):
            r = client.post(f"/deals/{fresh.deal_id}/timeline", data={
                "csrf_token": csrf, "step": step, "at": at, "tz": "+01:00"})
            assert r.status_code == 200
        r = client.post(f"/deals/{fresh.deal_id}/ratings",
                        data={"csrf_token": csrf, "kind": "csm", "rating": "4"})
        html = r.text
        assert "<svg" in html and 'class="bar state-met"' in html
        assert 'class="bar state-overdue open clipped"' in html  # months overdue
        assert "<strong>4</strong>" in html
        assert inline_code(html) == []
        bad = client.post(f"/deals/{fresh.deal_id}/timeline", headers=HTML, data={
            "csrf_token": csrf, "step": "kickoff", "at": "2026-03-02T12:00", "tz": "+25:00"})
        assert bad.status_code == 422 and "UTC offset" in bad.text
        metrics = client.get("/metrics").text
        assert "<svg" in metrics and inline_code(metrics) == []


def test_html_errors_are_pages(rep: tuple[TestClient, str]) -> None:
    client, _ = rep
    r = client.get("/deals/does-not-exist", headers=HTML)
    assert r.status_code == 404 and "<html" in r.text and "not found" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_csm_sees_ask_box_but_no_review_forms(world: World) -> None:
    with TestClient(world.client.app) as client:
        login(client, "csm@example.com")
        html = client.get(f"/deals/{world.deal_id}").text
        assert 'id="ask-form"' in html
        assert "/confirm" not in html and 'id="upload-form"' not in html
        assert 'class="row-form gap-form"' not in html


def test_unverified_items_are_marked_and_not_linked(fresh: World) -> None:
    from extractor.review import load_brief, save_brief
    from handoff.domain import AlignmentStatus, Citation, Item

    store = fresh.client.app.state.store  # type: ignore[attr-defined]
    brief = load_brief(store, fresh.deal_id)
    brief.items.append(Item(
        id="Ifake01", key="risks.political_risk", value="The CFO prefers the old vendor",
        citations=[Citation(source="2026-04-02-discovery-demo-zoom.vtt",
                            quote="our CFO would rather stay with ShiftWise",
                            alignment=AlignmentStatus.UNGROUNDED)]))
    save_brief(store, brief)
    with TestClient(fresh.client.app) as client:
        login(client, "owner@example.com")
        html = client.get(f"/deals/{fresh.deal_id}?lang=en").text
    item = html[html.index('id="item-Ifake01"'):]
    item = item[:item.index("</article>")]
    assert 'class="flag flag-unverified">unverified<' in item
    assert 'class="chip chip-unverified"' in item and "/passage?" not in item
    assert 'id="audit"' in html and 'data-action="upload">uploaded<' in html


def test_the_deal_page_says_when_the_model_failed_on_part_of_the_brief(
        rep: tuple[TestClient, str], world: World) -> None:
    from extractor.review import load_brief, save_brief

    store = world.client.app.state.store
    brief = load_brief(store, world.deal_id)
    brief.metadata.warnings = ["risks: the model failed (answer hit the 700-token limit); "
                               "rules items only <script>"]
    save_brief(store, brief)
    client, _ = rep
    html = client.get(f"/deals/{world.deal_id}").text
    assert "The model failed on part of this brief" in html
    assert "risks: the model failed (answer hit the 700-token limit)" in html
    assert "rules items only &lt;script&gt;" in html  # escaped like all untrusted text
