"""File names are made safe once, at upload; every export handles any stored name."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.users import create_user
from index.filenames import MAX_FILENAME_CHARS, safe_filename
from index.records import load_brief, save_brief
from tests.api.helpers import PASSWORD, WordHashEmbedder, bearer, demo_files, make_settings

NOTE = b"# Notes\n\nChampion is Anna Keller, Head of Operations. She drives this.\n"


@pytest.mark.parametrize(("raw", "safe"), [
    ("call\x00.vtt", "call.vtt"),
    ("\x1b[31mred\x1b[0m.md", "[31mred[0m.md"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ("C:\\Users\\sam\\notes.md", "notes.md"),
    ("../../etc/passwd", "passwd"),
    ("  two\tlines\nname.txt ", "two lines name.txt"),
    ("", "unnamed"),
    ("\x00\x07", "unnamed"),
])
def test_safe_filename(raw: str, safe: str) -> None:
    assert safe_filename(raw) == safe


def test_a_long_name_is_capped_and_keeps_its_extension() -> None:
    name = safe_filename("x" * 1000 + ".vtt")
    assert len(name) <= MAX_FILENAME_CHARS and name.endswith("….vtt")


@pytest.fixture
def client(tmp_path: Path):
    app = create_app(make_settings(tmp_path / "home"), embedder=WordHashEmbedder())
    with TestClient(app, raise_server_exceptions=False) as c:
        _, token = create_user(app.state.store, "rep@example.com", "rep", password=PASSWORD)
        h = bearer(token)
        deal = c.post("/api/deals", json={"name": "Names"}, headers=h).json()["id"]
        yield c, h, deal, app.state.store


def test_control_characters_are_removed_at_upload_and_the_original_kept(client) -> None:
    c, h, deal, store = client
    # built by hand: an HTTP client would percent-encode the NUL, an attacker does not
    body = (b'--B\r\nContent-Disposition: form-data; name="files"; '
            b'filename="rep\x00notes\x1b[2J.md"\r\nContent-Type: text/markdown\r\n\r\n'
            + NOTE + b"\r\n--B--\r\n")
    r = c.post(f"/api/deals/{deal}/documents", content=body,
               headers={**h, "Content-Type": "multipart/form-data; boundary=B"})
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["status"] == "accepted" and result["filename"] == "repnotes[2J.md"
    listed = c.get(f"/api/deals/{deal}/documents", headers=h).json()
    assert [d["filename"] for d in listed] == ["repnotes[2J.md"]
    stored = store.documents(deal)[0].doc
    assert stored.meta["original_filename"] == "rep\\x00notes\\x1b[2J.md"
    audit = c.get(f"/api/deals/{deal}/audit", headers=h).json()
    assert audit[-1]["after"]["filename"] == "repnotes[2J.md"


def test_a_1000_character_name_still_opens_its_passages(client) -> None:
    c, h, deal, _ = client
    long_name = "meeting-notes-" + "very-long-" * 98 + ".md"
    r = c.post(f"/api/deals/{deal}/documents", headers=h,
               files=[("files", (long_name, NOTE, "text/markdown"))])
    stored_name = r.json()["results"][0]["filename"]
    assert len(stored_name) <= MAX_FILENAME_CHARS
    p = c.get(f"/api/deals/{deal}/passage", headers=h,
              params={"source": stored_name, "start": 10, "end": 30})
    assert p.status_code == 200, p.text
    assert p.json()["source"] == stored_name


def test_every_export_handles_a_legacy_name_with_control_characters(client) -> None:
    c, h, deal, store = client
    c.post(f"/api/deals/{deal}/documents", headers=h, files=demo_files())
    job = c.post(f"/api/deals/{deal}/brief", headers=h).json()
    for _ in range(1200):  # the brief takes seconds; poll as a client would, not in a spin
        status = c.get(f"/api/jobs/{job['id']}", headers=h).json()["status"]
        if status in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    assert status == "succeeded"
    brief = load_brief(store, deal)
    for item in brief.items:  # as stored before names were cleaned at upload
        for cite in item.citations:
            cite.source = "call\x00\x1b[31m.vtt"
    save_brief(store, brief)
    for fmt in ("docx", "md", "json", "email", "agenda", "checklist", "plan"):
        r = c.get(f"/api/deals/{deal}/export", params={"format": fmt}, headers=h)
        assert r.status_code == 200, (fmt, r.text)
        if fmt == "docx":
            with zipfile.ZipFile(io.BytesIO(r.content)) as z:
                assert "call[31m.vtt" in z.read("word/document.xml").decode()
        elif fmt != "json":
            assert "\x1b" not in r.text and "\x00" not in r.text
    page = c.get(f"/deals/{deal}", headers=h)
    assert page.status_code == 200
