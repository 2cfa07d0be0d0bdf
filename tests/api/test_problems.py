"""Errors are RFC 9457 problem details from one handler; bad input never becomes a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.problems import STATUS, Unauthenticated
from api.users import create_user
from extractor.backends import Backend
from handoff.errors import (
    BackendUnavailable,
    ConfigError,
    ExtractionError,
    ForbiddenError,
    InputError,
    NotFoundError,
    ParseError,
)
from tests.api.helpers import WordHashEmbedder, World, bearer, demo_files, make_settings

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert PROBLEM_KEYS <= set(body)
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["type"].startswith("/problems/")
    return body


@pytest.mark.parametrize(("error", "status"), [
    (InputError("x"), 422), (ParseError("a.pdf", "broken"), 422), (NotFoundError("x"), 404),
    (ForbiddenError("x"), 403), (ConfigError("x"), 503), (BackendUnavailable("x"), 503),
    (ExtractionError("x"), 502), (Unauthenticated("x"), 401),
])
def test_every_product_error_has_a_status(error: Exception, status: int) -> None:
    from api.problems import _classify

    assert _classify(error)[0] == status
    assert type(error) in STATUS or isinstance(error, ParseError)


def test_shapes_of_framework_errors(world: World) -> None:
    c, h = world.client, world.headers("owner")
    assert_problem(c.get("/api/deals"), 401)
    assert_problem(c.get("/api/nothing-here", headers=h), 404)
    assert_problem(c.put("/api/deals", headers=h), 405)
    body = assert_problem(c.post("/api/deals", json={"name": 7}, headers=h), 422)
    assert body["errors"][0]["loc"] == ["body", "name"]
    assert "input" not in body["errors"][0]  # the offending value is not echoed back


class _FailingLLM:
    def complete(self, *args: object, **kwargs: object) -> object:
        raise ExtractionError("the model gave no valid JSON after 3 tries", last_output="{")


@pytest.fixture
def app_with_backend(tmp_path: Path) -> Iterator[tuple[TestClient, str, str, Any]]:
    app = create_app(make_settings(tmp_path / "home"), embedder=WordHashEmbedder())
    with TestClient(app, raise_server_exceptions=False) as client:
        _, token = create_user(app.state.store, "rep@example.com", "rep")
        deal = client.post("/api/deals", json={"name": "Errors"}, headers=bearer(token)).json()
        client.post(f"/api/deals/{deal['id']}/documents", files=demo_files(),
                    headers=bearer(token))
        yield client, token, deal["id"], app


def test_a_failing_model_is_502(app_with_backend: tuple[TestClient, str, str, Any]) -> None:
    client, token, deal, app = app_with_backend
    app.state.backends._backend = Backend("fake", _FailingLLM(), "test")  # type: ignore[arg-type]
    r = client.post(f"/api/deals/{deal}/ask", json={"question": "Who is the champion?"},
                    headers=bearer(token))
    body = assert_problem(r, 502)
    assert "valid JSON" in body["detail"]


def test_a_misconfigured_backend_is_503(app_with_backend: tuple[TestClient, str, str, Any]
                                        ) -> None:
    client, token, deal, app = app_with_backend
    app.state.backends.settings = make_settings(app.state.settings.home, backend="openai")
    r = client.post(f"/api/deals/{deal}/ask", json={"question": "Who is the champion?"},
                    headers=bearer(token))
    body = assert_problem(r, 503)
    assert "HANDOFF_OPENAI_BASE_URL" in body["detail"]
    r = client.post(f"/api/deals/{deal}/brief", headers=bearer(token))
    assert r.status_code == 202  # the job fails with the same message instead
    job = r.json()
    import time

    for _ in range(100):
        job = client.get(f"/api/jobs/{job['id']}", headers=bearer(token)).json()
        if job["status"] == "failed":
            break
        time.sleep(0.05)
    assert job["status"] == "failed" and "HANDOFF_OPENAI_BASE_URL" in job["error"]


def test_an_unexpected_error_is_a_bare_500_with_headers(
        app_with_backend: tuple[TestClient, str, str, Any]) -> None:
    client, token, deal, app = app_with_backend

    class Broken:
        def get(self) -> Backend:
            raise RuntimeError("secret internals: /etc/passwd")

        def close(self) -> None:
            return None

    app.state.backends = Broken()
    r = client.post(f"/api/deals/{deal}/ask", json={"question": "Who?"}, headers=bearer(token))
    body = assert_problem(r, 500)
    assert "secret" not in r.text
    assert body["detail"] == "something went wrong on our side"
    assert "default-src 'self'" in r.headers["content-security-policy"]


GARBAGE = [
    ("GET", "/api/deals/{deal}/export?format=docx&lang=%00"),
    ("GET", "/api/deals/{deal}/passage?source=%ff&start=0&end=1"),
    ("GET", "/api/deals/{deal}/passage?start=99999999999999999999&end=1&source=x"),
    ("GET", "/api/deals/{deal}/gaps?status=" + "x" * 5000),
    ("GET", "/api/jobs/" + "x" * 200),
    ("GET", "/api/deals/" + "é" * 70),
    ("POST", "/api/deals/{deal}/items/%2F/confirm"),
    ("POST", "/api/deals/{deal}/gaps/../answer"),
    ("POST", "/api/deals/{deal}/timeline/events"),
    ("POST", "/api/deals/{deal}/timeline/ratings"),
    ("POST", "/api/deals/{deal}/assignments"),
    ("POST", "/api/deals/{deal}/ask"),
    ("DELETE", "/api/deals/{deal}/documents/%00"),
    ("POST", "/deals/{deal}/timeline"),
    ("POST", "/deals/{deal}/ratings"),
    ("POST", "/deals/{deal}/upload"),
    ("GET", "/deals/{deal}/passage?start=a&end=b"),
]
BODIES: list[dict[str, Any]] = [
    {}, {"content": b"\x00\xff\xfe"}, {"json": None}, {"json": [1, 2]},
    {"json": {"step": "signed", "at": "2026-13-45T99:00:00+99:00"}},
    {"json": {"question": None, "rating": "NaN", "kind": {"$gt": ""}}},
    {"data": {"at": "x", "tz": "+99:99", "step": "signed", "kind": "csm", "rating": "9"}},
    {"content": b"--x\r\n\r\n", "headers": {"content-type": "multipart/form-data; boundary=x"}},
]


@pytest.mark.parametrize(("method", "path"), GARBAGE)
def test_bad_input_is_never_a_500(world: World, method: str, path: str) -> None:
    for body in BODIES:
        kwargs = dict(body)
        headers = {**world.headers("owner"), "accept": "application/json",
                   **kwargs.pop("headers", {})}
        r = world.client.request(method, path.format(deal=world.deal_id), headers=headers,
                                 **kwargs)
        assert 400 <= r.status_code < 500, (method, path, body, r.status_code, r.text[:200])
