"""Uploads: one result per file, bad files rejected with a reason, big bodies refused (413)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.users import create_user
from tests.api.helpers import DEMO_SOURCES, WordHashEmbedder, World, bearer, make_settings


def _deal(world: World, name: str = "Upload test") -> str:
    return world.client.post("/api/deals", json={"name": name},
                             headers=world.headers("owner")).json()["id"]


def test_many_files_each_get_a_result(world: World) -> None:
    deal = _deal(world)
    vtt = (DEMO_SOURCES / "2026-04-02-discovery-demo-zoom.vtt").read_bytes()
    files = [
        ("files", ("call.vtt", vtt, "text/vtt")),
        ("files", ("same-call-renamed.vtt", vtt, "text/vtt")),
        ("files", ("broken.pdf", b"%PDF-1.7 this is not really a pdf", "application/pdf")),
        ("files", ("empty.txt", b"", "text/plain")),
        ("files", ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png")),
        ("files", ("notes.md", "# Übergabe\n\nKickoff am 4. Mai.".encode(), "text/markdown")),
    ]
    r = world.client.post(f"/api/deals/{deal}/documents", files=files,
                          headers=world.headers("owner"))
    assert r.status_code == 200, r.text
    body = r.json()
    by_name = {x["filename"]: x for x in body["results"]}
    assert [x["filename"] for x in body["results"]] == [f[1][0] for f in files]
    assert by_name["call.vtt"]["status"] == "accepted"
    assert by_name["call.vtt"]["format"] == "vtt" and by_name["call.vtt"]["segments"] > 10
    assert by_name["same-call-renamed.vtt"]["status"] == "duplicate"
    assert "call.vtt" in by_name["same-call-renamed.vtt"]["reason"]
    for bad in ("broken.pdf", "empty.txt", "image.png"):
        assert by_name[bad]["status"] == "rejected", by_name[bad]
        assert by_name[bad]["reason"]
    assert by_name["notes.md"]["status"] == "accepted"
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 1, 3)
    docs = world.client.get(f"/api/deals/{deal}/documents", headers=world.headers("owner"))
    assert sorted(d["filename"] for d in docs.json()) == ["call.vtt", "notes.md"]


def test_path_in_a_file_name_is_dropped(world: World) -> None:
    deal = _deal(world)
    r = world.client.post(f"/api/deals/{deal}/documents", headers=world.headers("owner"),
                          files=[("files", ("../../etc/notes.txt", b"Go-live is 1 June.",
                                            "text/plain"))])
    assert r.json()["results"][0]["filename"] == "notes.txt"


def test_a_file_over_the_per_file_limit_is_rejected_alone(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", max_file_mb=0.001, max_upload_mb=1)
    app = create_app(settings, embedder=WordHashEmbedder())
    with TestClient(app) as client:
        _, token = create_user(app.state.store, "rep@example.com", "rep")
        deal = client.post("/api/deals", json={"name": "Small"}, headers=bearer(token)).json()
        r = client.post(f"/api/deals/{deal['id']}/documents", headers=bearer(token), files=[
            ("files", ("big.txt", b"word " * 1000, "text/plain")),
            ("files", ("small.txt", b"Kickoff is on 4 May.", "text/plain"))])
        assert r.status_code == 200
        results = {x["filename"]: x for x in r.json()["results"]}
        assert results["big.txt"]["status"] == "rejected"
        assert "limit" in results["big.txt"]["reason"]
        assert results["small.txt"]["status"] == "accepted"


@pytest.fixture
def small_limit(tmp_path: Path) -> Iterator[tuple[TestClient, str, str]]:
    """An app whose whole request body may be at most 0.01 MB (10,485 bytes)."""
    app = create_app(make_settings(tmp_path / "home", max_upload_mb=0.01),
                     embedder=WordHashEmbedder())
    with TestClient(app) as client:
        _, token = create_user(app.state.store, "rep@example.com", "rep")
        deal = client.post("/api/deals", json={"name": "Limit"}, headers=bearer(token)).json()
        yield client, token, deal["id"]


def test_an_oversized_upload_is_413(small_limit: tuple[TestClient, str, str]) -> None:
    client, token, deal = small_limit
    r = client.post(f"/api/deals/{deal}/documents", headers=bearer(token),
                    files=[("files", ("big.txt", b"x" * 20_000, "text/plain"))])
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 413 and "limit" in r.json()["detail"]
    assert "content-security-policy" in r.headers
    assert client.get(f"/api/deals/{deal}/documents", headers=bearer(token)).json() == []


def test_a_streamed_body_without_length_is_counted(
        small_limit: tuple[TestClient, str, str]) -> None:
    client, token, deal = small_limit
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"big.txt\"\r\nContent-Type: text/plain\r\n\r\n").encode() \
        + b"y" * 30_000 + f"\r\n--{boundary}--\r\n".encode()

    def chunks() -> Iterator[bytes]:  # a generator body is sent chunked, with no length
        for i in range(0, len(body), 4096):
            yield body[i:i + 4096]

    r = client.post(f"/api/deals/{deal}/documents", content=chunks(), headers={
        **bearer(token), "content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


def test_a_lying_content_length_is_413_before_reading(
        small_limit: tuple[TestClient, str, str]) -> None:
    client, token, deal = small_limit
    r = client.post(f"/api/deals/{deal}/documents", content=b"tiny", headers={
        **bearer(token), "content-type": "multipart/form-data; boundary=x",
        "content-length": "999999999"})
    assert r.status_code == 413


def test_no_files_or_not_multipart_is_422(world: World) -> None:
    deal = world.deal_id
    h = world.headers("owner")
    assert world.client.post(f"/api/deals/{deal}/documents", headers=h).status_code == 422
    r = world.client.post(f"/api/deals/{deal}/documents", json={"files": []}, headers=h)
    assert r.status_code == 422
    r = world.client.post(f"/api/deals/{deal}/documents", data={"files": "not a file"},
                          headers=h)
    assert r.status_code == 422
    assert "files" in r.json()["errors"][0]["loc"]


def test_malformed_multipart_is_400_not_500(world: World) -> None:
    r = world.client.post(f"/api/deals/{world.deal_id}/documents", content=b"--b\r\ngarbage",
                          headers={**world.headers("owner"),
                                   "content-type": "multipart/form-data; boundary=b"})
    assert r.status_code in (400, 422)
    assert r.headers["content-type"] == "application/problem+json"


def test_background_ingest_reports_per_file_results(world: World) -> None:
    deal = _deal(world, "Background")
    r = world.client.post(f"/api/deals/{deal}/documents?background=true",
                          headers=world.headers("owner"), files=[
                              ("files", ("a.txt", b"The rollout starts in May.", "text/plain")),
                              ("files", ("b.pdf", b"not a pdf", "application/pdf"))])
    assert r.status_code == 202
    assert r.headers["location"] == f"/api/jobs/{r.json()['id']}"
    job = world.wait_job(r.json()["id"])
    assert job["kind"] == "ingest" and job["status"] == "succeeded"
    statuses = [x["status"] for x in job["result"]["results"]]
    assert statuses == ["accepted", "rejected"]


def test_delete_a_document(world: World) -> None:
    deal = _deal(world, "Delete doc")
    h = world.headers("owner")
    up = world.client.post(f"/api/deals/{deal}/documents", headers=h, files=[
        ("files", ("a.txt", b"Kickoff is on 4 May.", "text/plain"))]).json()
    doc = up["results"][0]["document_id"]
    assert world.client.delete(f"/api/deals/{deal}/documents/{doc}", headers=h).status_code \
        == 204
    assert world.client.get(f"/api/deals/{deal}/documents", headers=h).json() == []
    assert world.client.delete(f"/api/deals/{deal}/documents/{doc}", headers=h).status_code \
        == 404
    # a document of another deal cannot be reached through this one
    other = world.client.get(f"/api/deals/{world.deal_id}/documents", headers=h).json()[0]
    r = world.client.delete(f"/api/deals/{deal}/documents/{other['id']}", headers=h)
    assert r.status_code == 404
