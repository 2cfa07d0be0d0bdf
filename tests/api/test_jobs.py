"""The job runner: rows tell the truth, one active job per deal, restarts fail stale jobs."""

from __future__ import annotations

import threading
import time
from typing import Any

from api.jobs import JobRunner
from api.models import JobRow
from handoff.errors import InputError
from index.store import Store


def _wait(runner: JobRunner, job_id: str) -> JobRow:
    for _ in range(200):
        job = runner.get(job_id)
        assert job is not None
        if job.status in ("succeeded", "failed"):
            return job
        time.sleep(0.02)
    raise AssertionError("job did not finish")


def test_result_progress_and_errors(hash_store: Store) -> None:
    hash_store.create_deal("d1", name="D1")
    runner = JobRunner(hash_store)
    try:
        def work(report: Any) -> dict[str, Any]:
            report("halfway")
            return {"items": 3}

        job, created = runner.submit("d1", "brief", "rep@example.com", work)
        assert created
        done = _wait(runner, job.id)
        assert (done.status, done.result, done.message) == ("succeeded", {"items": 3}, "done")
        assert done.started_at is not None and done.finished_at is not None

        def refuse(report: Any) -> dict[str, Any]:
            raise InputError("deal 'd1' has no sources yet")

        failed = _wait(runner, runner.submit("d1", "brief", "rep", refuse)[0].id)
        assert (failed.status, failed.error) == ("failed", "deal 'd1' has no sources yet")

        def crash(report: Any) -> dict[str, Any]:
            raise KeyError("internal detail")

        crashed = _wait(runner, runner.submit("d1", "brief", "rep", crash)[0].id)
        assert crashed.status == "failed" and "internal detail" not in (crashed.error or "")
    finally:
        runner.shutdown()


def test_one_active_job_per_deal_and_kind(hash_store: Store) -> None:
    hash_store.create_deal("d1", name="D1")
    runner = JobRunner(hash_store)
    gate = threading.Event()
    try:
        first, created = runner.submit("d1", "brief", "rep",
                                       lambda report: {"ok": gate.wait(10)})
        again, created_again = runner.submit("d1", "brief", "rep", lambda report: {})
        assert created and not created_again and again.id == first.id
        other, created_other = runner.submit("d1", "ingest", "rep", lambda report: {})
        assert created_other and other.id != first.id
        gate.set()
        assert _wait(runner, first.id).result == {"ok": True}
        assert runner.latest("d1", "brief").id == first.id  # type: ignore[union-attr]
    finally:
        gate.set()
        runner.shutdown()


def test_a_restart_fails_jobs_left_running(hash_store: Store) -> None:
    hash_store.create_deal("d1", name="D1")
    with hash_store.session() as s, s.begin():
        s.add(JobRow(id="stale", deal_id="d1", kind="brief", status="running",
                     created_by="rep"))
    runner = JobRunner(hash_store)
    try:
        job = runner.get("stale")
        assert job is not None and job.status == "failed"
        assert "start it again" in (job.error or "")
        assert runner.active("d1", "brief") is None
    finally:
        runner.shutdown()
