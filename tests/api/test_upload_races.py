"""Uploads against a live server: concurrent copies are duplicates, batches report every file,
the audit trail has every stored document, large uploads run as jobs with progress."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.models import JobRow
from api.users import create_user
from handoff.domain import utcnow
from tests.api.helpers import PASSWORD, WordHashEmbedder, bearer, make_settings
from tests.serve import serving

CALL = (b"WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nAnna Keller: We need the SAP connector "
        b"before go-live, and Tom signs the budget.\n\n00:00:06.000 --> 00:00:09.000\n"
        b"Tom Berg: Kickoff is on 4 May and go-live on 1 July.\n")
NOTES = b"# Notes\n\nChampion is Anna Keller, Head of Operations.\n"
MAIL = (b"From: Tom Berg <tom@acme.test>\nTo: rep@vendor.test\nSubject: Budget\n"
        b"Date: Tue, 03 Mar 2026 10:00:00 +0100\n\nThe budget of 96,000 EUR is approved.\n")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], str, object]]:
    app = create_app(make_settings(tmp_path / "home"), embedder=WordHashEmbedder())
    with serving(app) as base:
        store = app.state.store
        _, token = create_user(store, "rep@example.com", "rep", password=PASSWORD)
        h = bearer(token)
        deal = httpx.post(f"{base}/api/deals", json={"name": "Race AG"}, headers=h).json()["id"]
        yield base, h, deal, store


def _together(n: int, call: object) -> list[httpx.Response]:
    """Run ``call(i)`` for i < n at the same moment (a barrier releases them together)."""
    barrier = threading.Barrier(n)

    def one(i: int) -> httpx.Response:
        barrier.wait()
        return call(i)  # type: ignore[operator]

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def _audit_uploads(base: str, h: dict[str, str], deal: str) -> list[dict]:
    audit = httpx.get(f"{base}/api/deals/{deal}/audit", headers=h).json()
    return [e for e in audit if e["action"] == "upload"]


def test_concurrent_identical_uploads_one_accepted_the_rest_duplicates(live) -> None:
    base, h, deal, _ = live
    for round_ in range(3):  # timing varies; every round must hold
        name, data = [("call.vtt", CALL), ("notes.md", NOTES), ("budget.eml", MAIL)][round_]
        responses = _together(5, lambda _i, n=name, d=data: httpx.post(
            f"{base}/api/deals/{deal}/documents", headers=h, timeout=60,
            files=[("files", (n, d, "application/octet-stream"))]))
        assert [r.status_code for r in responses] == [200] * 5, [r.text for r in responses]
        statuses = Counter(r.json()["results"][0]["status"] for r in responses)
        assert statuses == {"accepted": 1, "duplicate": 4}
        assert all("same content as" in r.json()["results"][0]["reason"] for r in responses
                   if r.json()["results"][0]["status"] == "duplicate")
    docs = httpx.get(f"{base}/api/deals/{deal}/documents", headers=h).json()
    assert len(docs) == 3
    assert len(_audit_uploads(base, h, deal)) == 3


def test_concurrent_batches_give_every_file_its_result_and_audit_entry(live) -> None:
    base, h, deal, _ = live
    batch = [("files", ("call.vtt", CALL, "text/vtt")), ("files", ("notes.md", NOTES, "text/md")),
             ("files", ("budget.eml", MAIL, "message/rfc822"))]
    responses = _together(4, lambda _i: httpx.post(f"{base}/api/deals/{deal}/documents",
                                                 headers=h, files=batch, timeout=60))
    assert [r.status_code for r in responses] == [200] * 4
    per_file: dict[str, Counter[str]] = {}
    for r in responses:
        results = r.json()["results"]
        assert [x["filename"] for x in results] == ["call.vtt", "notes.md", "budget.eml"]
        for x in results:
            per_file.setdefault(x["filename"], Counter())[x["status"]] += 1
    assert all(c == {"accepted": 1, "duplicate": 3} for c in per_file.values()), per_file
    stored = {e["after"]["filename"] for e in _audit_uploads(base, h, deal)}
    assert stored == {"call.vtt", "notes.md", "budget.eml"}
    assert len(_audit_uploads(base, h, deal)) == 3


def test_concurrent_copies_with_other_line_endings_are_duplicates(live) -> None:
    base, h, deal, store = live
    variants = [CALL, CALL.replace(b"\n", b"\r\n"), CALL + b"\n\n", b"\xef\xbb\xbf" + CALL,
                CALL.replace(b"before go-live,", b"before go-live,   ")]
    responses = _together(len(variants), lambda i: httpx.post(
        f"{base}/api/deals/{deal}/documents", headers=h, timeout=60,
        files=[("files", (f"call-{i}.vtt", variants[i], "text/vtt"))]))
    statuses = Counter(r.json()["results"][0]["status"] for r in responses)
    assert statuses == {"accepted": 1, "duplicate": 4}
    assert len(store.documents(deal)) == 1  # type: ignore[attr-defined]


def test_a_failing_file_does_not_cost_the_others_their_results_or_audit(tmp_path: Path) -> None:
    class FlakyEmbedder(WordHashEmbedder):
        calls = 0

        def embed(self, texts: list[str]):  # noqa: ANN201
            FlakyEmbedder.calls += 1
            if FlakyEmbedder.calls == 2:
                raise OSError("disk full")
            return super().embed(texts)

    app = create_app(make_settings(tmp_path / "home"), embedder=FlakyEmbedder())
    with TestClient(app, raise_server_exceptions=False) as c:
        _, token = create_user(app.state.store, "rep@example.com", "rep", password=PASSWORD)
        h = bearer(token)
        deal = c.post("/api/deals", json={"name": "Flaky"}, headers=h).json()["id"]
        r = c.post(f"/api/deals/{deal}/documents", headers=h, files=[
            ("files", ("call.vtt", CALL, "text/vtt")), ("files", ("notes.md", NOTES, "text/md")),
            ("files", ("budget.eml", MAIL, "message/rfc822"))])
        assert r.status_code == 200, r.text
        results = {x["filename"]: x for x in r.json()["results"]}
        assert [x["status"] for x in results.values()] == ["accepted", "rejected", "accepted"]
        assert "internal error" in results["notes.md"]["reason"]
        audit = c.get(f"/api/deals/{deal}/audit", headers=h).json()
        assert {e["after"]["filename"] for e in audit if e["action"] == "upload"} == {
            "call.vtt", "budget.eml"}


def test_documents_stored_before_an_interrupted_upload_have_their_audit_entry(
        tmp_path: Path) -> None:
    class Killed(BaseException):
        """What a worker sees when the process is torn down mid-request."""

    class DyingEmbedder(WordHashEmbedder):
        calls = 0

        def embed(self, texts: list[str]):  # noqa: ANN201
            DyingEmbedder.calls += 1
            if DyingEmbedder.calls == 2:
                raise Killed()
            return super().embed(texts)

    from api import workspace

    settings = make_settings(tmp_path / "home")
    from index.store import Store

    store = Store.open(settings, embedder=DyingEmbedder())
    deal = store.create_deal("acme")
    with pytest.raises(Killed):
        workspace.upload(store, settings, deal, [("call.vtt", CALL), ("notes.md", NOTES)],
                         "rep@example.com")
    from index.records import audit_trail

    trail = [e for e in audit_trail(store, "acme") if e["action"] == "upload"]
    assert [e["after"]["filename"] for e in trail] == ["call.vtt"]
    assert [d.doc.filename for d in store.documents("acme")] == ["call.vtt"]


def test_a_large_upload_runs_as_a_job_with_progress(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path / "home"), embedder=WordHashEmbedder())
    with TestClient(app, raise_server_exceptions=False) as c:
        _, token = create_user(app.state.store, "rep@example.com", "rep", password=PASSWORD)
        h = bearer(token)
        deal = c.post("/api/deals", json={"name": "Big"}, headers=h).json()["id"]
        big = ("<html><body>" + "<p>We agreed the rollout covers forty depots.</p>" * 46000
               + "</body></html>")
        mail = MAIL.replace(b"\n\nThe budget", b"\nContent-Type: text/html\n\nThe budget") \
            .replace(b"is approved.\n", big.encode())
        files = [("files", ("big.eml", mail, "message/rfc822")),
                 ("files", ("call.vtt", CALL, "text/vtt"))]
        r = c.post(f"/api/deals/{deal}/documents", headers=h, files=files)
        assert r.status_code == 202, r.text
        assert r.headers["Location"] == f"/api/jobs/{r.json()['id']}"
        messages = set()
        for _ in range(1200):
            job = c.get(f"/api/jobs/{r.json()['id']}", headers=h).json()
            messages.add(job["message"])
            if job["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.05)
        assert job["status"] == "succeeded", job
        assert [x["status"] for x in job["result"]["results"]] == ["accepted", "accepted"]
        assert any(m and "2/2 files" in m for m in messages) or job["message"] == "done"
        small = c.post(f"/api/deals/{deal}/documents", headers=h,
                       files=[("files", ("notes.md", NOTES, "text/md"))])
        assert small.status_code == 200  # a small upload still answers at once


def test_a_large_upload_from_the_web_page_becomes_a_job_the_page_follows(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path / "home"), embedder=WordHashEmbedder())
    with TestClient(app, raise_server_exceptions=False) as c:
        _, token = create_user(app.state.store, "rep@example.com", "rep", password=PASSWORD)
        h = bearer(token)
        deal = c.post("/api/deals", json={"name": "Big page"}, headers=h).json()["id"]
        notes = b"# Notes\n\n" + b"The rollout covers forty depots in the north.\n\n" * 46000
        r = c.post(f"/deals/{deal}/upload", headers={**h, "HX-Request": "true"},
                   files=[("files", ("big-notes.md", notes, "text/markdown"))])
        assert r.status_code == 200 and 'id="job-status"' in r.text
        for _ in range(1200):
            job = app.state.jobs.latest(deal, "ingest")
            if job.status in ("succeeded", "failed"):
                break
            time.sleep(0.05)
        assert job.status == "succeeded", job.error
        assert [d["filename"] for d in c.get(f"/api/deals/{deal}/documents", headers=h).json()
                ] == ["big-notes.md"]


def test_an_upload_while_an_ingest_job_runs_is_refused_not_dropped(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path / "home"), embedder=WordHashEmbedder())
    with TestClient(app, raise_server_exceptions=False) as c:
        _, token = create_user(app.state.store, "rep@example.com", "rep", password=PASSWORD)
        h = bearer(token)
        deal = c.post("/api/deals", json={"name": "Busy"}, headers=h).json()["id"]
        # an ingest job of this deal that a worker (maybe another process) is running
        with app.state.store.session() as s, s.begin():
            s.add(JobRow(id="elsewhere", deal_id=deal, kind="ingest", status="running",
                         created_by="rep@example.com", attempts=1, worker="other:1:x",
                         lease_expires_at=utcnow() + timedelta(minutes=5)))
        r = c.post(f"/api/deals/{deal}/documents", headers=h, params={"background": "true"},
                   files=[("files", ("notes.md", NOTES, "text/markdown"))])
        assert r.status_code == 409, r.text
        assert "send these files again" in r.json()["detail"]
        assert "elsewhere" in r.json()["detail"]
