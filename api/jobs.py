"""A small background job runner: a thread pool whose jobs are rows in the database.

Design note. Extraction takes seconds (rules) to minutes (a local model), longer than an HTTP
request should wait, so the app answers 202 with a job id and runs the work on a thread. The
row is the truth a client polls: queued, running (with the last progress message), succeeded
(with a small result) or failed (with the error a user can act on). Threads suffice because the
heavy parts (model calls, numpy) release the GIL; two workers keep a small machine responsive.
A process restart cannot resume a thread, so jobs left queued or running are marked failed when
the runner starts. At most one job of a kind runs per deal: asking again returns the active one.

The jobs and the Q&A requests share one backend, :class:`BackendPool`. Opening the ``local``
backend starts a llama.cpp server, which takes seconds; the pool opens the configured backend
on first use and closes it in the app's lifespan. A backend that fails to open is not cached,
so fixing the configuration and retrying works without a restart.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select, update

from api.models import JobRow, JobStatus
from extractor.backends import Backend, open_backend
from handoff.domain import utcnow
from handoff.errors import HandoffError
from handoff.settings import Settings
from index.store import Store

log = logging.getLogger("handoff.jobs")

Report = Callable[[str], None]
"""A job's progress callback: one short message, stored on the job row."""

Work = Callable[[Report], dict[str, Any]]
"""The job's body: gets the progress callback, returns a JSON-able result."""

_ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class JobRunner:
    """Runs jobs on a thread pool and keeps their state in the ``jobs`` table."""

    def __init__(self, store: Store, workers: int = 2) -> None:
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="handoff-job")
        self._lock = threading.Lock()  # submit checks-then-inserts; keep that atomic
        self._recover()

    def _recover(self) -> None:
        with self.store.session() as s, s.begin():
            s.execute(update(JobRow).where(JobRow.status.in_(_ACTIVE)).values(
                status=JobStatus.FAILED.value, finished_at=utcnow(),
                error="interrupted: the server stopped before the job finished; start it again"))

    def submit(self, deal_id: str, kind: str, actor: str, work: Work) -> tuple[JobRow, bool]:
        """Queue ``work`` for a deal unless a job of that kind is already active.

        Returns:
            The job row and whether it was newly created.
        """
        with self._lock:
            active = self.active(deal_id, kind)
            if active is not None:
                return active, False
            job = JobRow(id=uuid.uuid4().hex, deal_id=deal_id, kind=kind,
                         status=JobStatus.QUEUED.value, created_by=actor, created_at=utcnow())
            with self.store.session() as s, s.begin():
                s.add(job)
        self._pool.submit(self._run, job.id, work)
        return job, True

    def active(self, deal_id: str, kind: str) -> JobRow | None:
        """The deal's queued or running job of ``kind``, if any."""
        with self.store.session() as s:
            return s.scalar(select(JobRow).where(JobRow.deal_id == deal_id, JobRow.kind == kind,
                                                 JobRow.status.in_(_ACTIVE))
                            .order_by(JobRow.created_at.desc()))

    def get(self, job_id: str) -> JobRow | None:
        """A job by id (callers check that its deal is visible)."""
        with self.store.session() as s:
            return s.get(JobRow, job_id)

    def latest(self, deal_id: str, kind: str) -> JobRow | None:
        """The deal's most recent job of ``kind``, whatever its state."""
        with self.store.session() as s:
            return s.scalar(select(JobRow).where(JobRow.deal_id == deal_id, JobRow.kind == kind)
                            .order_by(JobRow.created_at.desc()))

    def _set(self, job_id: str, **values: Any) -> None:
        with self.store.session() as s, s.begin():
            s.execute(update(JobRow).where(JobRow.id == job_id).values(**values))

    def _run(self, job_id: str, work: Work) -> None:
        self._set(job_id, status=JobStatus.RUNNING.value, started_at=utcnow(),
                  message="started")
        try:
            result = work(lambda message: self._set(job_id, message=message[:500]))
        except HandoffError as exc:
            self._set(job_id, status=JobStatus.FAILED.value, error=str(exc),
                      finished_at=utcnow())
        except Exception:  # a bug must not kill the worker thread or hide from the log
            log.exception("job %s failed", job_id)
            self._set(job_id, status=JobStatus.FAILED.value, finished_at=utcnow(),
                      error="internal error while running the job; see the server log")
        else:
            self._set(job_id, status=JobStatus.SUCCEEDED.value, result=result,
                      message="done", finished_at=utcnow())

    def shutdown(self) -> None:
        """Stop taking work; wait for running jobs, drop queued ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._recover()


class BackendPool:
    """Lazily opened, shared backend of the configured kind."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._backend: Backend | None = None
        self._lock = threading.Lock()

    def get(self) -> Backend:
        """The shared backend, opening it on first use.

        Raises:
            ConfigError: The configured backend is unknown or misconfigured.
            BackendUnavailable: It cannot run on this machine.
        """
        with self._lock:
            if self._backend is None:
                self._backend = open_backend(self.settings, self.settings.backend)
            return self._backend

    def close(self) -> None:
        """Close the backend (stops a local llama.cpp server)."""
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None
