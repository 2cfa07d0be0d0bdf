"""``scripts/stack.sh``, the one command that starts the team stack, as a team lead runs it.

Two web processes and a worker on the live services: a deal uploaded through the API is
ingested and briefed by the worker (the web processes only queue the jobs), and stopping the
stack leaves no web or worker process behind. Skipped without the live services
(HANDOFF_TEST_DATABASE_URL, HANDOFF_TEST_REDIS_URL, HANDOFF_TEST_CHROMA_URL).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
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
DEMO = REPO / "handoff" / "demo_deal" / "sources"
pytestmark = pytest.mark.slow


def _wait_job(base: str, token: str, job_id: str, timeout: float = 300) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = httpx.get(f"{base}/api/jobs/{job_id}", headers=bearer(token)).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def _stack_processes(pgid: int, what: str = "handoff ") -> dict[int, str]:
    """pid -> command line of the stack's web and worker processes still running."""
    out = subprocess.run(["ps", "-o", "pgid=,pid=,args=", "-e"], capture_output=True,
                         text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        group, pid, args = line.split(None, 2)
        if int(group) == pgid and what in args and ("worker" in args or "serve" in args):
            found[int(pid)] = args
    return found


def test_one_command_starts_web_processes_and_a_worker_that_runs_the_jobs(
        settings: Settings, redis_prefix: tuple[str, str]) -> None:
    if not (settings.db_url.startswith("postgresql") and settings.chroma_url):
        pytest.skip("needs the live PostgreSQL and Chroma server (HANDOFF_TEST_DATABASE_URL, "
                    "HANDOFF_TEST_CHROMA_URL)")
    redis_url, prefix = redis_prefix
    store = Store.open(settings)
    _, token = create_user(store, "lead@example.com", "rep", password=PASSWORD)
    store.engine.dispose()

    port = free_port()
    env = child_env(settings, HANDOFF_REDIS_URL=redis_url, HANDOFF_REDIS_PREFIX=prefix)
    if "HANDOFF_SERVICES_DIR" in os.environ:
        env["HANDOFF_SERVICES_DIR"] = os.environ["HANDOFF_SERVICES_DIR"]
    out = open(settings.home / "stack.out", "wb")  # noqa: SIM115
    stack = subprocess.Popen(["bash", "scripts/stack.sh", "--port", str(port), "--web", "2",
                              "--workers", "1"], cwd=REPO, env=env, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def logs() -> str:
        texts = [(settings.home / "stack.out").read_text(errors="replace")]
        texts += [p.read_text(errors="replace")[-2000:]
                  for p in sorted((settings.home / "logs").glob("*.log"))]
        return "\n".join(texts)

    try:
        deadline = time.monotonic() + 120
        while True:
            assert stack.poll() is None, logs()
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, logs()
            time.sleep(0.5)

        deal = httpx.post(f"{base}/api/deals", json={"name": "Stack"},
                          headers=bearer(token)).json()["id"]
        files = [("files", (p.name, p.read_bytes(), "application/octet-stream"))
                 for p in sorted(DEMO.iterdir())]
        upload = httpx.post(f"{base}/api/deals/{deal}/documents", params={"background": "true"},
                            files=files, headers=bearer(token), timeout=60)
        assert upload.status_code == 202, upload.text
        ingest = _wait_job(base, token, upload.json()["id"])
        assert ingest["status"] == "succeeded", (ingest, logs())
        workers = _stack_processes(stack.pid, "handoff worker")
        assert int(str(ingest["worker"]).split(":")[1]) in workers, (ingest, workers)

        job = httpx.post(f"{base}/api/deals/{deal}/brief", headers=bearer(token)).json()
        done = _wait_job(base, token, job["id"])
        assert done["status"] == "succeeded", (done, logs())
        brief = httpx.get(f"{base}/api/deals/{deal}/brief", headers=bearer(token))
        assert brief.status_code == 200 and brief.json()["items"], brief.text[:500]
    finally:
        stack.send_signal(signal.SIGTERM)
        try:
            code = stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            raise
        finally:
            out.close()
    assert code == 0, logs()
    assert _stack_processes(stack.pid) == {}, logs()
