"""Deletion that deletes: a removed source leaves the brief, the page, the exports, the caches
and every file under HANDOFF_HOME at once, also when the server is killed right after."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.users import create_user
from extractor.llm import Usage
from extractor.llm_cache import CachedLLM
from extractor.qa import AnswerSentence, LLMAnswer
from handoff.domain import REQUIRED_KEYS
from index.store import Store
from tests.api.helpers import PASSWORD, WordHashEmbedder, bearer, demo_files, make_settings
from tests.serve import free_port

REPO = Path(__file__).resolve().parents[2]
CANARY = "Quibblefrost"
CANARY_CALL = (
    b"WEBVTT\n\n00:00:01.000 --> 00:00:06.000\n"
    b"Tina Quibblefrost: I am the Quibblefrost Director of Security and our biggest concern "
    b"is that the Quibblefrost audit will not pass before go-live.\n\n"
    b"00:00:07.000 --> 00:00:12.000\n"
    b"Tina Quibblefrost: We integrate with Quibblefrost Vault for single sign-on.\n\n"
    b"00:00:13.000 --> 00:00:18.000\n"
    b"Tina Quibblefrost: I run the technical evaluation on our side, so I will test the "
    b"Quibblefrost integration myself.\n"
)


def grep_home(home: Path, needle: str) -> list[str]:
    """Every file under ``home`` that holds ``needle`` (any case, UTF-8 or UTF-16)."""
    forms = {needle.lower().encode(), needle.lower().encode("utf-16-le")}
    hits = []
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            if any(f in data for f in forms):
                hits.append(str(path.relative_to(home)))
    return hits


def _export_text(client: TestClient, deal: str, fmt: str, h: dict[str, str]) -> str:
    r = client.get(f"/api/deals/{deal}/export", params={"format": fmt}, headers=h)
    assert r.status_code == 200, r.text
    if fmt != "docx":
        return r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        return z.read("word/document.xml").decode()


@pytest.fixture
def deal_with_canary(tmp_path: Path):
    home = tmp_path / "home"
    app = create_app(make_settings(home), embedder=WordHashEmbedder())
    with TestClient(app, raise_server_exceptions=False) as client:
        user, token = create_user(app.state.store, "rep@example.com", "rep", password=PASSWORD)
        h = bearer(token)
        deal = client.post("/api/deals", json={"name": "Canary GmbH"}, headers=h).json()["id"]
        files = [*demo_files(), ("files", ("security-call.vtt", CANARY_CALL, "text/vtt"))]
        up = client.post(f"/api/deals/{deal}/documents", files=files, headers=h,
                         params={"background": "false"}).json()
        assert up["rejected"] == 0, up
        job = client.post(f"/api/deals/{deal}/brief", headers=h).json()
        for _ in range(600):
            state = client.get(f"/api/jobs/{job['id']}", headers=h).json()
            if state["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        assert state["status"] == "succeeded", state
        doc_id = next(r["document_id"] for r in up["results"]
                      if r["filename"] == "security-call.vtt")
        yield client, h, deal, doc_id, home


def test_deleting_a_document_removes_it_from_brief_page_and_exports(deal_with_canary) -> None:
    client, h, deal, doc_id, _home = deal_with_canary
    before = client.get(f"/api/deals/{deal}/brief", headers=h).json()
    assert CANARY in json.dumps(before), "the canary call must be in the brief to start with"
    others = [i for i in before["items"]
              if i["citations"] and all(c["source"] != "security-call.vtt"
                                        for c in i["citations"])]
    assert client.get(f"/deals/{deal}", headers=h).text.count(CANARY) > 0

    r = client.delete(f"/api/deals/{deal}/documents/{doc_id}", headers=h)
    assert r.status_code == 204

    after = client.get(f"/api/deals/{deal}/brief", headers=h).json()
    assert CANARY not in json.dumps(after)
    assert all(c["source"] != "security-call.vtt" for i in after["items"]
               for c in i["citations"])
    assert len([i for i in after["items"] if i["citations"]]) >= len(others)
    assert CANARY not in client.get(f"/deals/{deal}", headers=h).text
    for fmt in ("md", "json", "docx", "email", "checklist"):
        assert CANARY not in _export_text(client, deal, fmt, h), fmt
    audit = client.get(f"/api/deals/{deal}/audit", headers=h).json()
    assert audit[-1]["action"] == "delete" and audit[-1]["target"] == doc_id


def test_gaps_come_back_when_their_only_source_is_deleted(deal_with_canary) -> None:
    client, h, deal, doc_id, _home = deal_with_canary
    before = client.get(f"/api/deals/{deal}/brief", headers=h).json()
    only_here = {i["key"] for i in before["items"]
                 if i["citations"] and all(c["source"] == "security-call.vtt"
                                           for c in i["citations"])}
    elsewhere = {i["key"] for i in before["items"]
                 if any(c["source"] != "security-call.vtt" for c in i["citations"])}
    lost = (only_here - elsewhere) & set(REQUIRED_KEYS)
    assert lost, "the canary call must be the only source of some required key"
    client.delete(f"/api/deals/{deal}/documents/{doc_id}", headers=h)
    after = client.get(f"/api/deals/{deal}/brief", headers=h).json()
    open_keys = {g["key"] for g in after["gaps"] if g["status"] == "open"}
    assert lost <= open_keys
    assert after["completeness"] < before["completeness"]


@pytest.mark.skipif(bool(os.environ.get("HANDOFF_TEST_DATABASE_URL")),
                    reason="on PostgreSQL the text lives in the server, not in the data folder")
def test_deleted_text_leaves_every_file_of_the_data_folder(deal_with_canary) -> None:
    client, h, deal, doc_id, home = deal_with_canary
    assert grep_home(home, CANARY), "the canary must be on disk before the delete"
    assert client.delete(f"/api/deals/{deal}/documents/{doc_id}", headers=h).status_code == 204
    assert grep_home(home, CANARY) == []


def test_deleting_the_deal_leaves_nothing_of_it_on_disk(deal_with_canary) -> None:
    client, h, deal, _doc_id, home = deal_with_canary
    assert client.delete(f"/api/deals/{deal}", headers=h).status_code == 204
    assert grep_home(home, CANARY) == []
    for path in home.rglob("*.bin"):
        d = path.read_bytes()
        i = d.lower().find(b"pinecrest")
        if i >= 0:
            print("CONTEXT", path, len(d), i, d[max(0, i - 300):i + 300])
    assert grep_home(home, "Pinecrest") == []  # the demo deal's customer


def test_cached_model_answers_quoting_a_deleted_source_are_dropped(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = make_settings(home)
    app = create_app(settings, embedder=WordHashEmbedder())
    with TestClient(app, raise_server_exceptions=False) as client:
        _, token = create_user(app.state.store, "rep@example.com", "rep", password=PASSWORD)
        h = bearer(token)
        deal = client.post("/api/deals", json={"name": "Cache AG"}, headers=h).json()["id"]
        up = client.post(f"/api/deals/{deal}/documents", headers=h, files=[
            ("files", ("security-call.vtt", CANARY_CALL, "text/vtt")),
            *demo_files()[:1]]).json()
        doc_id = up["results"][0]["document_id"]

        class Answering:
            backend, model = "fake", "fake"

            def __init__(self, quote: str) -> None:
                self.quote = quote

            def complete(self, messages: object, output: object, *,
                         max_tokens: int = 1024) -> tuple[LLMAnswer, Usage]:
                return LLMAnswer(sentences=[AnswerSentence(text=self.quote)],
                                 supported=True), Usage()

        cache = CachedLLM(Answering("the Quibblefrost audit will not pass"),
                          settings.llm_cache_path, "ns")
        cache.complete([("user", "q1")], LLMAnswer)
        kept = CachedLLM(Answering("a sentence from another source entirely"),
                         settings.llm_cache_path, "ns")
        kept.complete([("user", "q2")], LLMAnswer)
        assert "llm-cache.sqlite" in grep_home(home, CANARY)
        client.delete(f"/api/deals/{deal}/documents/{doc_id}", headers=h)
        assert grep_home(home, CANARY) == []
        with sqlite3.connect(settings.llm_cache_path) as db:
            assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 1


SERVER = """
import sys, uvicorn
sys.path.insert(0, {repo!r})
from api.app import create_app
from tests.api.helpers import WordHashEmbedder, make_settings
from pathlib import Path
app = create_app(make_settings(Path({home!r})), embedder=WordHashEmbedder())
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning")
"""


def _start(home: Path, port: int) -> subprocess.Popen[bytes]:
    code = SERVER.format(repo=str(REPO), home=str(home), port=port)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO,
                            env={**os.environ, "HANDOFF_HOME": str(home)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/openapi.json", timeout=1)
            return proc
        except httpx.HTTPError:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start")


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get("HANDOFF_TEST_DATABASE_URL")),
                    reason="on PostgreSQL the text lives in the server, not in the data folder")
def test_deleted_text_is_gone_from_disk_even_after_kill_9(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = Store.open(make_settings(home), embedder=WordHashEmbedder())
    _, token = create_user(store, "rep@example.com", "rep", password=PASSWORD)
    store.engine.dispose()
    port = free_port()
    proc = _start(home, port)
    try:
        base, h = f"http://127.0.0.1:{port}", bearer(token)
        with httpx.Client(base_url=base, headers=h, timeout=60) as c:
            deal = c.post("/api/deals", json={"name": "Kill GmbH"}).json()["id"]
            up = c.post(f"/api/deals/{deal}/documents", params={"background": "false"},
                        files=[("files", ("security-call.vtt", CANARY_CALL, "text/vtt")),
                               *demo_files()]).json()
            job = c.post(f"/api/deals/{deal}/brief").json()
            for _ in range(600):
                if c.get(f"/api/jobs/{job['id']}").json()["status"] in ("succeeded", "failed"):
                    break
                time.sleep(0.1)
            assert CANARY in c.get(f"/api/deals/{deal}/brief").text
            assert grep_home(home, CANARY)
            doc_id = up["results"][0]["document_id"]
            assert c.delete(f"/api/deals/{deal}/documents/{doc_id}").status_code == 204
        os.kill(proc.pid, signal.SIGKILL)  # no clean stop, no final checkpoint
        proc.wait(timeout=30)
        assert grep_home(home, CANARY) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
