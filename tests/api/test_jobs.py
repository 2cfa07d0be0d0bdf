"""The job runner: rows tell the truth, one active job per deal, retries, leases, cancelling.

These run the default single-machine queue (threads of this process); the same runner on rq
with real worker processes is tested in :mod:`tests.api.test_job_workers`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from api.job_queue import LocalQueue
from api.jobs import BackendPool, JobRunner
from api.models import JobRow
from handoff.domain import utcnow
from handoff.settings import Settings
from index.store import Store

MODULE = "tests.api.job_kinds_for_tests"


def _runner(store: Store, settings: Settings, **overrides: object) -> JobRunner:
    settings = settings.model_copy(update={"job_modules": MODULE, "job_lease_seconds": 1.5,
                                           "job_retry_seconds": 0.05, **overrides})
    return JobRunner(store, settings, BackendPool(settings), LocalQueue(2))


def _wait(runner: JobRunner, job_id: str, *states: str, timeout: float = 20) -> JobRow:
    states = states or ("succeeded", "failed", "cancelled")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = runner.get(job_id)
        assert job is not None
        if job.status in states:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} stayed {runner.get(job_id).status}")  # type: ignore[union-attr]


@pytest.fixture
def runner(hash_store: Store, settings: Settings) -> Iterator[JobRunner]:
    hash_store.create_deal("d1", name="D1")
    r = _runner(hash_store, settings)
    yield r
    r.shutdown()


def test_result_progress_and_errors(runner: JobRunner, tmp_path: Path) -> None:
    (tmp_path / "open").touch()
    job, created = runner.submit("d1", "test-gate", "rep@example.com",
                                 {"gate": str(tmp_path / "open")})
    assert created and job.status == "queued"
    done = _wait(runner, job.id)
    assert (done.status, done.result, done.message) == ("succeeded", {"attempt": 1}, "done")
    assert done.started_at is not None and done.finished_at is not None
    assert done.lease_expires_at is None

    # a brief of a deal without sources fails with the reason the user can act on, at once
    failed = _wait(runner, runner.submit("d1", "brief", "rep")[0].id)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.error == ("deal 'd1' has no sources yet: upload call transcripts, emails "
                            "or CRM notes first")


def test_a_transient_error_is_retried_with_backoff_then_given_up(runner: JobRunner) -> None:
    recovers = _wait(runner, runner.submit("d1", "test-flaky", "rep", {"fail": 2})[0].id)
    assert (recovers.status, recovers.attempts, recovers.result) == \
        ("succeeded", 3, {"attempt": 3})

    never = _wait(runner, runner.submit("d1", "test-flaky", "rep", {"fail": 99})[0].id)
    assert (never.status, never.attempts) == ("failed", 3)
    assert "gave up after 3 attempts" in (never.error or "")


def test_a_retry_outlives_the_process_that_scheduled_it(hash_store: Store,
                                                      settings: Settings) -> None:
    hash_store.create_deal("d1", name="D1")
    first = _runner(hash_store, settings, job_retry_seconds=30.0)
    job = first.submit("d1", "test-flaky", "rep", {"fail": 1})[0]
    waiting = _wait(first, job.id, "queued")
    deadline = time.monotonic() + 20
    while waiting.retry_at is None and time.monotonic() < deadline:  # attempt 1 fails
        time.sleep(0.02)
        waiting = first.get(job.id)  # type: ignore[assignment]
    first.shutdown()  # the process stops before the 30 s are up
    assert waiting.retry_at is not None and "retrying in 30 s" in waiting.message
    assert waiting.attempts == 1

    later = _runner(hash_store, settings)
    try:
        assert later.get(job.id).status == "queued"  # type: ignore[union-attr]  # not early
        with hash_store.session() as s, s.begin():  # the 30 s pass
            s.get(JobRow, job.id).retry_at = utcnow() - timedelta(seconds=1)  # type: ignore[union-attr]
        done = _wait(later, job.id)
        assert (done.status, done.attempts, done.retry_at) == ("succeeded", 2, None)
    finally:
        later.shutdown()


def test_one_active_job_per_deal_and_kind(runner: JobRunner, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    first, created = runner.submit("d1", "test-gate", "rep", {"gate": str(gate)})
    again, created_again = runner.submit("d1", "test-gate", "rep", {"gate": str(gate)})
    assert created and not created_again and again.id == first.id
    other, created_other = runner.submit("d1", "test-flaky", "rep")
    assert created_other and other.id != first.id
    gate.touch()
    assert _wait(runner, first.id).result == {"attempt": 1}
    assert runner.latest("d1", "test-gate").id == first.id  # type: ignore[union-attr]
    after, created_after = runner.submit("d1", "test-gate", "rep", {"gate": str(gate)})
    assert created_after and after.id != first.id  # a finished job does not block a new one


def test_the_database_refuses_a_second_active_job(hash_store: Store, runner: JobRunner) -> None:
    """The rule holds across processes because the database enforces it, not a lock."""
    from sqlalchemy.exc import IntegrityError

    rows = [JobRow(id=f"j{n}", deal_id="d1", kind="brief", status=status, created_by="rep")
            for n, status in enumerate(("queued", "running"))]
    with hash_store.session() as s, s.begin():
        s.add(rows[0])
    with pytest.raises(IntegrityError), hash_store.session() as s, s.begin():
        s.add(rows[1])


def test_cancel_a_queued_and_a_running_job(runner: JobRunner, tmp_path: Path) -> None:
    running, _ = runner.submit("d1", "test-gate", "rep", {"gate": str(tmp_path / "never")})
    _wait(runner, running.id, "running")
    cancelled = runner.cancel(running.id, "rep@example.com")
    assert cancelled is not None and cancelled.cancel_requested
    assert _wait(runner, running.id).status == "cancelled"  # stopped at its next report

    with runner.store.session() as s, s.begin():  # a queued job no thread has taken yet
        s.add(JobRow(id="waiting", deal_id="d1", kind="test-gate", status="queued",
                     created_by="rep", params={"gate": str(tmp_path / "never")}))
    job = runner.cancel("waiting", "rep@example.com")
    assert job is not None and job.status == "cancelled" and job.finished_at is not None
    runner.queue.push("waiting", 0)  # a late delivery of a cancelled job does nothing
    time.sleep(0.2)
    assert runner.get("waiting").status == "cancelled"  # type: ignore[union-attr]
    assert runner.get("waiting").attempts == 0  # type: ignore[union-attr]


def test_a_job_whose_worker_stopped_is_requeued_then_failed(hash_store: Store,
                                                            settings: Settings,
                                                            tmp_path: Path) -> None:
    """A row left running by a dead process (lease run out) runs again; with its attempts
    used up it fails with the reason, never staying "running"."""
    hash_store.create_deal("d1", name="D1")
    (tmp_path / "open").touch()
    expired = utcnow() - timedelta(seconds=5)
    with hash_store.session() as s, s.begin():
        s.add(JobRow(id="orphan", deal_id="d1", kind="test-gate", status="running",
                     created_by="rep", attempts=1, worker="dead-host:1:x",
                     lease_expires_at=expired, params={"gate": str(tmp_path / "open")}))
        s.add(JobRow(id="spent", deal_id="d1", kind="brief", status="running",
                     created_by="rep", attempts=3, worker="dead-host:1:x",
                     lease_expires_at=expired))
    runner = _runner(hash_store, settings)  # a web start reaps
    try:
        orphan = _wait(runner, "orphan")
        assert (orphan.status, orphan.attempts, orphan.result) == \
            ("succeeded", 2, {"attempt": 2})
        spent = runner.get("spent")
        assert spent is not None and spent.status == "failed"
        assert "no heartbeat" in (spent.error or "") and "start it again" in (spent.error or "")
    finally:
        runner.shutdown()


def test_a_live_lease_is_renewed_and_not_reaped(runner: JobRunner, tmp_path: Path) -> None:
    job, _ = runner.submit("d1", "test-gate", "rep", {"gate": str(tmp_path / "gate")})
    first = _wait(runner, job.id, "running")
    time.sleep(2.5)  # longer than the 1.5 s lease: only the heartbeat keeps it
    assert runner.reap() == 0
    now = runner.get(job.id)
    assert now is not None and now.status == "running" and now.attempts == 1
    assert now.lease_expires_at is not None and first.lease_expires_at is not None
    assert now.lease_expires_at > first.lease_expires_at
    (tmp_path / "gate").touch()
    assert _wait(runner, job.id).status == "succeeded"


def test_queued_jobs_survive_a_restart_of_the_single_process(hash_store: Store,
                                                            settings: Settings,
                                                            tmp_path: Path) -> None:
    hash_store.create_deal("d1", name="D1")
    (tmp_path / "open").touch()
    with hash_store.session() as s, s.begin():  # queued by a process that then stopped
        s.add(JobRow(id="left", deal_id="d1", kind="test-gate", status="queued",
                     created_by="rep", params={"gate": str(tmp_path / "open")}))
    runner = _runner(hash_store, settings)
    try:
        assert _wait(runner, "left").status == "succeeded"
    finally:
        runner.shutdown()


def test_cancel_through_the_api_and_the_page(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.users import assign, create_user
    from tests.api.helpers import PASSWORD, WordHashEmbedder, bearer, make_settings

    app = create_app(make_settings(tmp_path / "home", job_modules=MODULE),
                     embedder=WordHashEmbedder())
    with TestClient(app, raise_server_exceptions=False) as c:
        store = app.state.store
        _, rep = create_user(store, "rep@example.com", "rep", password=PASSWORD)
        _, csm = create_user(store, "csm@example.com", "csm", password=PASSWORD)
        _, stranger = create_user(store, "other@example.com", "rep", password=PASSWORD)
        deal = c.post("/api/deals", json={"name": "Cancel"}, headers=bearer(rep)).json()["id"]
        assign(store, "csm@example.com", deal)
        job, _ = app.state.jobs.submit(deal, "test-gate", "rep@example.com",
                                       {"gate": str(tmp_path / "never")})
        _wait(app.state.jobs, job.id, "running")
        page = c.get(f"/deals/{deal}/jobs/{job.id}", headers=bearer(rep))
        assert f'action="/deals/{deal}/jobs/{job.id}/cancel"' in page.text
        assert f"{job.id}/cancel" not in c.get(f"/deals/{deal}/jobs/{job.id}",
                                               headers=bearer(csm)).text  # may not edit
        assert c.post(f"/api/jobs/{job.id}/cancel", headers=bearer(stranger)).status_code == 404
        assert c.post(f"/api/jobs/{job.id}/cancel", headers=bearer(csm)).status_code == 403
        r = c.post(f"/api/jobs/{job.id}/cancel", headers=bearer(rep))
        assert r.status_code == 200 and r.json()["cancel_requested"] is True
        assert _wait(app.state.jobs, job.id).status == "cancelled"
        assert c.get(f"/api/jobs/{job.id}", headers=bearer(csm)).json()["status"] == "cancelled"

        queued = JobRow(id="q1", deal_id=deal, kind="brief", status="queued",
                        created_by="rep@example.com")
        with store.session() as s, s.begin():
            s.add(queued)
        r = c.post(f"/deals/{deal}/jobs/q1/cancel", headers=bearer(rep), follow_redirects=False)
        assert r.status_code == 303
        assert c.get("/api/jobs/q1", headers=bearer(rep)).json()["status"] == "cancelled"
