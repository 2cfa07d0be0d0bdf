"""The brief as a background job, the brief JSON, the passage behind a citation, the exports."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.api.helpers import World, demo_files


def test_brief_job_runs_in_the_background(fresh: World) -> None:
    c, deal = fresh.client, fresh.deal_id
    r = c.post(f"/api/deals/{deal}/brief", headers=fresh.headers("owner"))
    assert r.status_code == 202
    job = r.json()
    assert job["kind"] == "brief" and job["status"] in ("queued", "running", "succeeded")
    assert r.headers["location"] == f"/api/jobs/{job['id']}"
    again = c.post(f"/api/deals/{deal}/brief", headers=fresh.headers("owner")).json()
    done = fresh.wait_job(job["id"])
    assert done["status"] == "succeeded"
    assert done["result"]["backend"] == "classifier"
    assert done["result"]["items"] > 20 and 0 < done["result"]["completeness"] <= 1
    assert done["started_at"] and done["finished_at"]
    if again["id"] != job["id"]:  # asked after the first finished: a second run
        assert fresh.wait_job(again["id"])["status"] == "succeeded"
    latest = c.get(f"/api/deals/{deal}/jobs/latest", headers=fresh.headers("csm")).json()
    assert latest["status"] == "succeeded"


def test_a_deal_without_sources_cannot_be_briefed(world: World) -> None:
    deal = world.client.post("/api/deals", json={"name": "Empty"},
                             headers=world.headers("owner")).json()["id"]
    r = world.client.post(f"/api/deals/{deal}/brief", headers=world.headers("owner"))
    assert r.status_code == 422
    assert "upload" in r.json()["detail"]
    r = world.client.get(f"/api/deals/{deal}/brief", headers=world.headers("owner"))
    assert r.status_code == 404
    assert "no brief yet" in r.json()["detail"]
    r = world.client.get(f"/api/deals/{deal}/jobs/latest", headers=world.headers("owner"))
    assert r.status_code == 404


def test_unknown_job_is_404(world: World) -> None:
    r = world.client.get("/api/jobs/0123456789abcdef", headers=world.headers("admin"))
    assert r.status_code == 404


def test_brief_json_cites_grounded_quotes(world: World) -> None:
    r = world.client.get(f"/api/deals/{world.deal_id}/brief", headers=world.headers("csm"))
    assert r.status_code == 200
    brief = r.json()
    assert brief["deal_id"] == world.deal_id
    assert brief["metadata"]["backend"] == "classifier"
    champion = [i for i in brief["items"] if i["key"] == "stakeholders.champion"]
    assert any("Rob Hennessy" in i["value"] for i in champion)
    assert all(i["citations"] for i in brief["items"])
    assert brief["gaps"] and brief["conflicts"]


def _grounded_citation(world: World) -> dict:
    brief = world.client.get(f"/api/deals/{world.deal_id}/brief",
                             headers=world.headers("csm")).json()
    for item in brief["items"]:
        for c in item["citations"]:
            if c["source"].endswith(".vtt") and c["alignment"] == "exact" and c["speaker"]:
                return c
    raise AssertionError("no grounded transcript citation")


def test_passage_shows_the_quote_in_its_source_with_speaker(world: World) -> None:
    cite = _grounded_citation(world)
    r = world.client.get(f"/api/deals/{world.deal_id}/passage", headers=world.headers("csm"),
                         params={"source": cite["source"], "start": cite["start"],
                                 "end": cite["end"]})
    assert r.status_code == 200
    p = r.json()
    assert p["quote"] == cite["quote"]
    assert p["source"] == cite["source"]
    assert p["speaker"] == cite["speaker"] and p["timestamp"] == cite["timestamp"]
    assert p["before"] or p["after"]
    by_id = world.client.get(f"/api/deals/{world.deal_id}/passage", headers=world.headers("csm"),
                             params={"document_id": p["document_id"], "start": cite["start"],
                                     "end": cite["end"]}).json()
    assert by_id == p


@pytest.mark.parametrize("params", [
    {"source": "nope.vtt", "start": 0, "end": 5},
    {"document_id": "0" * 32, "start": 0, "end": 5},
])
def test_passage_of_a_foreign_document_is_404(world: World, params: dict) -> None:
    r = world.client.get(f"/api/deals/{world.deal_id}/passage", headers=world.headers("csm"),
                         params=params)
    assert r.status_code == 404


@pytest.mark.parametrize("params", [
    {"source": "x.vtt", "start": "a", "end": 5},
    {"source": "x.vtt", "start": -1, "end": 5},
    {"source": "x.vtt", "start": 3},
    {"start": 0, "end": 5},
])
def test_passage_with_bad_offsets_is_422(world: World, params: dict) -> None:
    r = world.client.get(f"/api/deals/{world.deal_id}/passage", headers=world.headers("csm"),
                         params=params)
    assert r.status_code == 422


def test_passage_span_outside_the_document_is_422(world: World) -> None:
    cite = _grounded_citation(world)
    r = world.client.get(f"/api/deals/{world.deal_id}/passage", headers=world.headers("csm"),
                         params={"source": cite["source"], "start": 10, "end": 10_000_000})
    assert r.status_code == 422


@pytest.mark.parametrize("lang", ["de", "en"])
def test_docx_export_is_a_word_document_in_the_language(world: World, lang: str) -> None:
    r = world.client.get(f"/api/deals/{world.deal_id}/export",
                         params={"format": "docx", "lang": lang}, headers=world.headers("csm"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert r.headers["content-disposition"] == (
        f'attachment; filename="{world.deal_id}-brief-{lang}.docx"')
    with zipfile.ZipFile(io.BytesIO(r.content)) as docx:
        xml = docx.read("word/document.xml").decode()
    assert ("Übergabe-Briefing" in xml) == (lang == "de")
    assert "Rob Hennessy" in xml


@pytest.mark.parametrize(("fmt", "needle_de", "needle_en"), [
    ("md", "Übergabe-Briefing", "Handoff brief"),
    ("email", "Rob", "Rob"),
    ("agenda", "Rob Hennessy", "Rob Hennessy"),
    ("checklist", "[", "["),
    ("plan", "90", "90"),
])
def test_markdown_exports_in_both_languages(world: World, fmt: str, needle_de: str,
                                            needle_en: str) -> None:
    texts = {}
    for lang, needle in (("de", needle_de), ("en", needle_en)):
        r = world.client.get(f"/api/deals/{world.deal_id}/export",
                             params={"format": fmt, "lang": lang}, headers=world.headers("csm"))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "text/markdown; charset=utf-8"
        assert needle in r.text
        texts[lang] = r.text
    assert texts["de"] != texts["en"]


def test_json_export_round_trips(world: World) -> None:
    r = world.client.get(f"/api/deals/{world.deal_id}/export?format=json",
                         headers=world.headers("csm"))
    payload = json.loads(r.content)
    assert payload["format"] == "handoff-brief"
    assert payload["brief"]["deal_id"] == world.deal_id
    assert "fields" in payload["labels"]


def test_default_export_is_markdown_in_the_briefs_language(world: World) -> None:
    r = world.client.get(f"/api/deals/{world.deal_id}/export", headers=world.headers("csm"))
    assert r.status_code == 200
    assert r.text.startswith("# Handoff brief")


def test_the_intro_email_signs_with_profiles_and_never_guesses_names(fresh: World) -> None:
    from api.users import update_profile

    url = f"/api/deals/{fresh.deal_id}/export?format=email&lang=en"
    text = fresh.client.get(url, headers=fresh.headers("owner")).text
    assert "Csm" not in text and "Owner" not in text  # no name made from an email address
    assert "I would like to introduce [name of your CSM]" in text
    assert "Best regards,\n[your name]\n" in text

    store = fresh.client.app.state.store
    update_profile(store, fresh.users["csm"][0].id, display_name="Emma Novak",
                   title="Customer Success Manager", phone="+353 21 555 0100")
    update_profile(store, fresh.users["owner"][0].id, display_name="Sam Delgado",
                   title="Account Executive", phone="+353 1 555 0199")
    r = fresh.client.get(url, headers=fresh.headers("owner"))
    assert r.headers["content-disposition"].endswith(f'{fresh.deal_id}-intro-email-en.md"')
    assert "I would like to introduce Emma Novak, our Customer Success Manager" in r.text
    assert "You can reach Emma at csm@example.com or +353 21 555 0100." in r.text
    assert r.text.endswith("Best regards,\nSam Delgado\nAccount Executive\n"
                           "+353 1 555 0199 · owner@example.com\n")


@pytest.mark.parametrize("query", ["format=pdf", "format=docx&lang=fr", "lang=DE-x",
                                   "format="])
def test_unknown_format_or_language_is_422(world: World, query: str) -> None:
    r = world.client.get(f"/api/deals/{world.deal_id}/export?{query}",
                         headers=world.headers("csm"))
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"


def test_rebuilding_keeps_reviews(fresh: World) -> None:
    c, deal, h = fresh.client, fresh.deal_id, fresh.headers("owner")
    brief = c.get(f"/api/deals/{deal}/brief", headers=h).json()
    item = brief["items"][0]
    c.post(f"/api/deals/{deal}/items/{item['id']}/reject", headers=h)
    c.post(f"/api/deals/{deal}/documents", files=demo_files(), headers=h)  # all duplicates
    fresh.wait_job(c.post(f"/api/deals/{deal}/brief", headers=h).json()["id"])
    again = c.get(f"/api/deals/{deal}/brief", headers=h).json()
    assert {i["id"]: i["status"] for i in again["items"]}[item["id"]] == "rejected"
