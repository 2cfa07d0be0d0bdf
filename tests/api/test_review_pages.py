"""The brief page's review, questions, drafts and profile, through real HTTP requests.

htmx requests get the changed item or conflict back (with Undo); the same forms without
JavaScript post and redirect. The deal holds the hand-built brief of the demo deal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from extractor.review import load_brief, save_brief
from tests.api.demo_brief import FACTS_EN, demo_brief
from tests.api.helpers import World
from tests.api.test_web_pages import inline_code, login
from tests.exports.conftest import nordwind_brief

HX = {"HX-Request": "true"}


@pytest.fixture
def deal(fresh: World) -> Iterator[tuple[World, TestClient, str]]:
    store = fresh.client.app.state.store  # type: ignore[attr-defined]
    save_brief(store, demo_brief(store, fresh.deal_id, "Pinecrest Facility Services"))
    with TestClient(fresh.client.app) as client:
        yield fresh, client, login(client, "owner@example.com")


def _page(client: TestClient, world: World, query: str = "lang=en") -> str:
    r = client.get(f"/deals/{world.deal_id}?{query}")
    assert r.status_code == 200
    return r.text


def test_the_page_opens_with_the_summary_and_folds_the_details(deal) -> None:
    world, client, _ = deal
    html = _page(client, world)

    assert inline_code(html) == []
    summary = html[html.index('id="summary"'):html.index('id="ask"')]
    for value in FACTS_EN.values():
        assert f'<span class="fact-value">{value}</span>' in summary
    assert summary.index("Stakeholder map") < summary.index("Open promises") < summary.index(
        "Top risks") < summary.index("Missing and contradictory")
    assert html.index('id="summary"') < html.index('id="contents"') < html.index('id="cat-')
    assert html.count('<details class="card category"') == 7
    assert '<details class="card category" id="cat-account" open' not in html
    assert 'id="cat-account" open' in _page(client, world, "lang=en&expand=1")
    # one short line per item; its quote is a chip away, not printed as the value again
    item = html[html.index('id="item-Ipromise"'):]
    item = item[:item.index("</article>")]
    assert "Crew app quick guide translated into Polish and Portuguese" in item
    assert "Tell you what" not in item.split('title="')[0]
    assert 'class="chip" href="/deals/' in item and 'hx-target="#passage"' in item


def test_one_click_review_answers_with_the_item_and_an_undo(deal) -> None:
    world, client, csrf = deal
    base = f"/deals/{world.deal_id}"
    r = client.post(f"{base}/items/Ipromise/confirm", headers=HX, data={"csrf_token": csrf})
    assert r.status_code == 200 and "<html" not in r.text
    assert 'data-status="confirmed"' in r.text and "Confirmed." in r.text
    undo_url = f"{base}/undo/"
    assert undo_url in r.text
    change = r.text.split(undo_url, 1)[1].split('"', 1)[0]
    r = client.post(f"{base}/undo/{change}", headers=HX, data={"csrf_token": csrf})
    assert 'data-status="extracted"' in r.text and "Undo" not in r.text

    r = client.post(f"{base}/items/Irisk/reject", headers=HX, data={"csrf_token": csrf})
    assert 'data-status="rejected"' in r.text and 'data-action="restore"' in r.text
    html = _page(client, world)
    rejected = html[html.index('id="rejected"'):]
    assert "tight control over what clients see" in rejected
    r = client.post(f"{base}/items/Irisk/restore", headers=HX, data={"csrf_token": csrf})
    assert 'data-status="extracted"' in r.text

    # without JavaScript: a redirect back, with the change to undo in the notice
    r = client.post(f"{base}/items/Ipromise/reject", data={"csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303 and "?undo=" in r.headers["location"]
    page = client.get(r.headers["location"]).text
    assert 'id="notice"' in page and "Rejected." in page


def test_bulk_reject_and_its_undo(deal) -> None:
    world, client, csrf = deal
    base = f"/deals/{world.deal_id}"
    r = client.post(f"{base}/categories/stakeholders/reject", data={"csrf_token": csrf})
    assert "3 items rejected." in r.text
    brief = load_brief(world.client.app.state.store, world.deal_id)  # type: ignore
    assert [i for i in brief.visible_items() if i.category == "stakeholders"] == []
    change = r.text.split(f"{base}/undo/", 1)[1].split('"', 1)[0]
    client.post(f"{base}/undo/{change}", data={"csrf_token": csrf})
    brief = load_brief(world.client.app.state.store, world.deal_id)  # type: ignore
    assert len([i for i in brief.visible_items() if i.category == "stakeholders"]) == 3
    assert client.post(f"{base}/categories/weather/reject",
                       data={"csrf_token": csrf}).status_code == 422


def test_a_conflict_is_resolved_from_the_page(deal) -> None:
    world, client, csrf = deal
    base = f"/deals/{world.deal_id}"
    r = client.post(f"{base}/conflicts/Cweeks/resolve", headers=HX,
                    data={"csrf_token": csrf, "holds": "1", "note": "8-10 weeks agreed"})
    assert r.status_code == 200
    assert "Resolved: side 2 (offering.yaml) holds — Note: 8-10 weeks agreed" in r.text
    assert "resolved by owner@example.com" in r.text
    html = _page(client, world, "lang=de")
    assert "Geklärt: Seite 2 (offering.yaml) gilt — Notiz: 8-10 weeks agreed" in html
    audit = world.client.get(f"/api/deals/{world.deal_id}/audit",
                             headers=world.headers("owner")).json()
    assert audit[-1]["action"] == "resolve" and audit[-1]["after"]["note"] == "8-10 weeks agreed"
    bad = client.post(f"{base}/conflicts/Cweeks/resolve",
                      data={"csrf_token": csrf, "holds": "two"})
    assert bad.status_code == 422


def test_csm_asks_keeps_the_history_and_sends_a_question_to_the_rep(deal) -> None:
    world, _, _ = deal
    with TestClient(world.client.app) as client:
        csrf = login(client, "csm@example.com")
        base = f"/deals/{world.deal_id}"
        r = client.post(f"{base}/ask", headers=HX, data={
            "csrf_token": csrf, "question": "Which insurance broker do they use?"})
        assert "answer unsupported" in r.text and "Send to the rep as a question" in r.text
        entry = r.text.split(f"{base}/questions/", 1)[1].split("/", 1)[0]
        r = client.post(f"{base}/questions/{entry}/send", headers=HX, data={"csrf_token": csrf})
        assert "Sent to the rep." in r.text
        html = _page(client, world)
        assert html.count("Which insurance broker do they use?") >= 2  # history and rep inbox
        assert "Question from CS" in html
    questions = world.client.get(f"{base.replace('/deals', '/api/deals')}/questions",
                                 headers=world.headers("owner")).json()
    assert questions[0]["gap_id"] == f"Q{entry}"


def test_drafts_are_editable_and_download_as_edited(deal) -> None:
    world, client, csrf = deal
    html = _page(client, world)
    assert 'id="draft-email"' in html and "<textarea" in html
    r = client.post(f"/deals/{world.deal_id}/drafts/email?lang=en",
                    data={"csrf_token": csrf, "text": "Subject: Hi\r\n\r\nEdited by hand"})
    assert r.status_code == 200 and r.text == "Subject: Hi\n\nEdited by hand"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="{world.deal_id}-intro-email-en.md"')
    assert client.post(f"/deals/{world.deal_id}/drafts/poem",
                       data={"csrf_token": csrf, "text": "x"}).status_code == 404


def test_profile_page_sets_the_name_the_drafts_sign_with(deal) -> None:
    world, client, csrf = deal
    assert 'name="display_name"' in client.get("/profile").text
    r = client.post("/profile", data={"csrf_token": csrf, "display_name": "Sam Delgado",
                                      "title": "Account Executive", "phone": "+353 1 555 0199"})
    assert r.status_code == 200 and "Saved." in r.text
    assert "Sam Delgado · sales rep" in r.text  # the header shows the name now
    email = world.client.get(f"/api/deals/{world.deal_id}/export?format=email&lang=en",
                             headers=world.headers("owner")).text
    assert email.rstrip().endswith("Sam Delgado\nAccount Executive\n"
                                   "+353 1 555 0199 · owner@example.com")
    bad = client.post("/profile", data={"csrf_token": csrf, "phone": "call me maybe"})
    assert bad.status_code == 422 and "is not a phone number" in bad.text


def test_a_german_page_shows_no_english_product_text(deal) -> None:
    from tests.exports.test_german import english_texts, leaks

    world, client, _ = deal
    store = world.client.app.state.store  # type: ignore[attr-defined]
    save_brief(store, nordwind_brief(world.deal_id))
    html = _page(client, world, "lang=de")
    text = html.split("<main>", 1)[1].split("</main>", 1)[0]
    visible = " ".join(part.split(">", 1)[-1] for part in text.split("<"))
    visible = re.sub(r"\S+@\S+", " ", visible)  # the users' emails are data
    # the deal's own fields (its name, the users' emails) are data, not product text
    assert leaks(visible, english_texts()) == []
    assert "30. Juni 2026" in visible and "Laut Quellen ist das noch offen" in visible
