"""Failed sign-ins and bad tokens are throttled per account and per address; HSTS over https."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.throttle import Throttle
from api.users import create_user
from tests.api.helpers import PASSWORD, WordHashEmbedder, bearer, make_settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    app = create_app(make_settings(tmp_path / "home"), embedder=WordHashEmbedder())
    with TestClient(app, raise_server_exceptions=False) as c:
        _, token = create_user(app.state.store, "rep@example.com", "rep", password=PASSWORD)
        create_user(app.state.store, "csm@example.com", "csm", password=PASSWORD)
        yield c, token


def login(c: TestClient, email: str, password: str) -> int:
    form = c.get("/login").text
    token = re.search(r'name="login_token" value="([^"]+)"', form)
    assert token, form
    r = c.post("/login", data={"email": email, "password": password,
                               "login_token": token[1]}, follow_redirects=False)
    return r.status_code


def test_thirty_wrong_passwords_are_slowed_to_429_with_retry_after(client) -> None:
    c, _ = client
    codes = [login(c, "rep@example.com", f"wrong-{n}") for n in range(30)]
    assert codes[:10] == [401] * 10
    assert set(codes[10:]) == {429}
    # even the right password waits: a guesser must not learn that it found it
    assert login(c, "rep@example.com", PASSWORD) == 429


def test_the_429_says_when_to_come_back(client) -> None:
    c, _ = client
    for n in range(10):
        login(c, "rep@example.com", f"wrong-{n}")
    form = c.get("/login").text
    token = re.search(r'name="login_token" value="([^"]+)"', form)[1]  # type: ignore[index]
    r = c.post("/login", data={"email": "rep@example.com", "password": "nope",
                               "login_token": token}, follow_redirects=False)
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 15 * 60
    assert "try again in" in r.text


def test_another_account_is_not_locked_by_a_neighbour_until_the_address_limit(client) -> None:
    c, _ = client
    for n in range(10):
        login(c, "rep@example.com", f"wrong-{n}")
    assert login(c, "csm@example.com", PASSWORD) == 303  # signed in
    for n in range(10):
        login(c, "csm@example.com", f"wrong-{n}")
    # 20 failures from this address: now every account is refused from here
    assert login(c, "nobody@example.com", "whatever1") == 429


def test_thirty_bad_tokens_are_slowed_while_a_valid_token_keeps_working(client) -> None:
    c, token = client
    codes = [c.get("/api/me", headers=bearer(f"hb_bad{n}")).status_code for n in range(30)]
    assert codes[:20] == [401] * 20
    assert set(codes[20:]) == {429}
    r = c.get("/api/me", headers=bearer("hb_bad-again"))
    assert r.headers["content-type"].startswith("application/problem+json")
    assert int(r.headers["Retry-After"]) >= 1
    assert c.get("/api/me", headers=bearer(token)).status_code == 200


def test_hsts_only_over_https(client) -> None:
    c, token = client
    plain = c.get("/api/me", headers=bearer(token))
    assert "strict-transport-security" not in plain.headers
    secure = c.get("https://testserver/api/me", headers=bearer(token))
    assert secure.status_code == 200
    assert secure.headers["strict-transport-security"].startswith("max-age=31536000")


def test_with_redis_every_process_counts_against_one_allowance(redis_prefix) -> None:
    """Two Throttles on one Redis stand for two web processes: failures add up."""
    from api.problems import TooManyAttempts

    url, prefix = redis_prefix
    first, second = (Throttle(redis_url=url, redis_prefix=prefix) for _ in range(2))
    for n in range(10):
        (first if n % 2 else second).failed(account="Rep@Example.com", address="10.0.0.9")
    with pytest.raises(TooManyAttempts):
        first.check(account="rep@example.com")
    with pytest.raises(TooManyAttempts):
        second.check(account="rep@example.com")
    second.succeeded(account="rep@example.com")  # a right password forgives it everywhere
    first.check(account="rep@example.com")
    alone = Throttle()  # the default stays in memory
    alone.check(account="rep@example.com")
