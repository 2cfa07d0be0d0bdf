"""Two web processes behind one port (``handoff serve --workers 2``) act as one app.

Each request goes over a new connection, so the kernel hands them to both processes: failed
sign-ins count against one shared allowance (Redis), a session cookie signed by one process
works on the other (one secret key, made once under HANDOFF_HOME), and a job submitted to one is
the job the other reports and refuses to duplicate. Skipped without a live Redis
(HANDOFF_TEST_REDIS_URL).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api import models  # noqa: F401  (the web tables)
from api.users import create_user
from handoff.settings import Settings
from index.store import Store
from tests.api.helpers import PASSWORD, bearer, child_env
from tests.serve import free_port

REPO = Path(__file__).resolve().parents[2]
HANDOFF = Path(sys.executable).with_name("handoff")
pytestmark = pytest.mark.slow


@pytest.fixture
def web(settings: Settings, redis_prefix: tuple[str, str]) -> Iterator[tuple[str, str]]:
    """(base URL, a rep's API token) of ``handoff serve --workers 2`` on a free port."""
    url, prefix = redis_prefix
    store = Store.open(settings)
    _, token = create_user(store, "rep@example.com", "rep", password=PASSWORD)
    store.engine.dispose()
    port = free_port()
    env = child_env(settings, HANDOFF_REDIS_URL=url, HANDOFF_REDIS_PREFIX=prefix)
    log = open(settings.home / "web.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([str(HANDOFF), "serve", "--port", str(port), "--workers", "2"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (settings.home / "web.log").read_text()
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (settings.home / "web.log").read_text()
            time.sleep(0.3)
        started = (settings.home / "web.log").read_text()
        deadline = time.monotonic() + 60
        while started.count("Application startup complete") < 2:  # both processes serve
            assert time.monotonic() < deadline, started
            time.sleep(0.3)
            started = (settings.home / "web.log").read_text()
        yield base, token
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _login(base: str, email: str, password: str) -> httpx.Response:
    """GET the form and POST it, each on a new connection (maybe another process)."""
    form = httpx.get(f"{base}/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token, form.text
    return httpx.post(f"{base}/login", cookies=form.cookies, follow_redirects=False,
                      data={"email": email, "password": password, "login_token": token[1]})


def test_two_processes_share_throttle_sessions_and_jobs(web: tuple[str, str]) -> None:
    base, token = web
    codes = [_login(base, "rep@example.com", f"wrong-{n}").status_code for n in range(12)]
    assert codes == [401] * 10 + [429] * 2  # the shared per-account allowance: 10
    assert _login(base, "rep@example.com", PASSWORD).status_code == 429  # even the right one

    assert _login(base, "nobody@example.com", "nothing").status_code == 401  # not locked

    deal = httpx.post(f"{base}/api/deals", json={"name": "Two processes"},
                      headers=bearer(token)).json()["id"]
    files = [("files", ("notes.md", b"# Notes\n\nKick-off is on 4 May.\n", "text/markdown"))]
    job = httpx.post(f"{base}/api/deals/{deal}/documents", params={"background": "true"},
                     files=files, headers=bearer(token))
    assert job.status_code == 202, job.text
    job_id = job.json()["id"]
    # no worker runs: the job stays queued, and every process sees it and refuses a second
    seen = [httpx.get(f"{base}/api/jobs/{job_id}", headers=bearer(token)).json()["status"]
            for _ in range(6)]
    assert seen == ["queued"] * 6
    for _ in range(4):
        again = httpx.post(f"{base}/api/deals/{deal}/documents", params={"background": "true"},
                           files=files, headers=bearer(token))
        assert again.status_code == 409 and job_id in again.json()["detail"]
    latest = {httpx.get(f"{base}/api/deals/{deal}/jobs/latest?kind=ingest",
                        headers=bearer(token)).json()["id"] for _ in range(4)}
    assert latest == {job_id}


def test_a_session_cookie_works_on_both_processes(web: tuple[str, str],
                                                  settings: Settings) -> None:
    base, _ = web
    store = Store.open(settings)
    create_user(store, "csm@example.com", "csm", password=PASSWORD)
    store.engine.dispose()
    signed_in = _login(base, "csm@example.com", PASSWORD)
    assert signed_in.status_code == 303, signed_in.text
    cookies = signed_in.cookies
    pages = [httpx.get(f"{base}/api/me", cookies=cookies) for _ in range(8)]
    assert [p.status_code for p in pages] == [200] * 8
    assert {p.json()["email"] for p in pages} == {"csm@example.com"}
    assert not (settings.home / "secret_key").stat().st_mode & 0o077  # private
