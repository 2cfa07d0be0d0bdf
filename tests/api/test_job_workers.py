"""Jobs on rq with real ``handoff worker`` processes: a killed worker's job is taken back.

The worker is started as a user would start it, with HANDOFF_JOB_MODULES naming the test-only
kinds of :mod:`tests.api.job_kinds_for_tests` (a job that waits for a file, a job that fails
transiently first). Skipped without a live Redis (HANDOFF_TEST_REDIS_URL).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.job_queue import RedisQueue
from api.jobs import BackendPool, JobRunner, cancel
from api.models import JobRow
from handoff.settings import Settings
from index.store import Store
from tests.api.helpers import child_env

REPO = Path(__file__).resolve().parents[2]
HANDOFF = Path(sys.executable).with_name("handoff")
pytestmark = pytest.mark.slow


class Stack:
    """A test home on Redis: the web side's runner (enqueues only) and worker processes."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.web = JobRunner(store, settings, BackendPool(settings), RedisQueue(settings))
        self.workers: list[subprocess.Popen[bytes]] = []

    def env(self) -> dict[str, str]:
        s = self.settings
        return child_env(s, HANDOFF_JOB_MODULES=s.job_modules,
                         HANDOFF_JOB_LEASE_SECONDS=str(s.job_lease_seconds),
                         HANDOFF_JOB_RETRY_SECONDS=str(s.job_retry_seconds),
                         HANDOFF_JOB_MAX_ATTEMPTS=str(s.job_max_attempts),
                         PYTHONPATH=str(REPO))

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = open(self.settings.home / f"worker{len(self.workers)}.log", "wb")  # noqa: SIM115
        # its own process group: rq's scheduler runs in a child process, and a worker killed
        # with its machine or container loses both
        proc = subprocess.Popen([str(HANDOFF), "worker"], cwd=REPO, env=self.env(),
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(proc)
        return proc

    def wait(self, job_id: str, done: object, timeout: float = 90) -> JobRow:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.web.get(job_id)
            assert job is not None
            if done(job):  # type: ignore[operator]
                return job
            for n, proc in enumerate(self.workers):
                assert proc.poll() in (None, -signal.SIGKILL), self.log(n)
            time.sleep(0.1)
        raise AssertionError(f"job {job_id}: {self.web.get(job_id).__dict__}\n{self.log(-1)}")

    def log(self, n: int) -> str:
        return (self.settings.home / f"worker{n % len(self.workers)}.log").read_text(
            errors="replace")[-3000:]

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its scheduler child, mid-job: no chance to clean up."""
        os.killpg(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL

    def close(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            try:  # a scheduler child outliving its worker (the group is gone after this)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.web.shutdown()
        self.store.engine.dispose()


@pytest.fixture
def stack(settings: Settings, redis_prefix: tuple[str, str]) -> Iterator[Stack]:
    url, prefix = redis_prefix
    settings = settings.model_copy(update={
        "redis_url": url, "redis_prefix": prefix, "backend": "rules",
        "job_modules": "tests.api.job_kinds_for_tests", "job_lease_seconds": 2.0,
        "job_retry_seconds": 0.5, "job_max_attempts": 3})
    store = Store.open(settings)  # the default embedder loads lazily: nothing is embedded
    store.create_deal("d1", name="D1")
    s = Stack(settings, store)
    yield s
    s.close()


def test_a_killed_workers_job_is_taken_back_by_another_worker(stack: Stack,
                                                              tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    first = stack.start_worker()
    job, created = stack.web.submit("d1", "test-gate", "rep", {"gate": str(gate)})
    assert created and job.status == "queued"
    running = stack.wait(job.id, lambda j: j.status == "running")
    assert running.attempts == 1 and running.worker and "waiting for gate" in \
        (stack.wait(job.id, lambda j: j.message.startswith("waiting")).message)
    stack.kill(first)
    assert stack.web.get(job.id).status == "running"  # type: ignore[union-attr]

    stack.start_worker()  # its reaper finds the lapsed lease and re-queues the job
    again = stack.wait(job.id, lambda j: j.status == "running" and j.attempts == 2)
    assert again.worker != running.worker
    assert (tmp_path / "gate.attempt2").exists()

    # cancelling from another process stops the running job at its next report
    assert cancel(stack.store, job.id, "rep").cancel_requested  # type: ignore[union-attr]
    assert stack.wait(job.id, lambda j: j.status != "running").status == "cancelled"

    # the surviving worker runs new jobs to the end, and retries a transient error
    gate.touch()
    done = stack.web.submit("d1", "test-gate", "rep", {"gate": str(gate)})[0]
    assert stack.wait(done.id, lambda j: j.finished_at is not None).result == {"attempt": 1}
    flaky = stack.web.submit("d1", "test-flaky", "rep", {"fail": 1})[0]
    retried = stack.wait(flaky.id, lambda j: j.finished_at is not None)
    assert (retried.status, retried.attempts) == ("succeeded", 2)


def test_a_killed_workers_last_attempt_fails_with_the_reason(stack: Stack,
                                                             tmp_path: Path) -> None:
    stack.settings = stack.settings.model_copy(update={"job_max_attempts": 1})
    worker = stack.start_worker()
    job, _ = stack.web.submit("d1", "test-gate", "rep", {"gate": str(tmp_path / "gate")})
    stack.wait(job.id, lambda j: j.status == "running")
    stack.kill(worker)
    time.sleep(stack.settings.job_lease_seconds + 0.5)  # the lease runs out
    web = JobRunner(stack.store, stack.settings, BackendPool(stack.settings),
                    RedisQueue(stack.settings))  # a web start reaps
    try:
        failed = web.get(job.id)
        assert failed is not None and failed.status == "failed"
        assert "no heartbeat" in (failed.error or "") and "start it again" in failed.error
    finally:
        web.shutdown()
