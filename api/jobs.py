"""Background jobs: rows in the database that any process may run, on a queue.

Design note. Extraction takes seconds (rules) to minutes (a model), longer than an HTTP request
should wait, so the app answers 202 with a job id. The ``jobs`` row is the truth a client polls:
queued, running (with the last progress message), succeeded (with a small result), failed (with
the reason) or cancelled. The queue (:mod:`api.job_queue`) only carries ``(job id, attempt)``:
with ``HANDOFF_REDIS_URL`` it is rq on Redis and ``handoff worker`` processes run the jobs;
without it the web process runs them on threads, as a single machine always did.

Every state change is one conditional UPDATE, so processes need no shared lock:

- *Submit* inserts the row; a partial unique index on (deal, kind) over active rows makes a
  second submission, from any process, fail and return the active job instead.
- *Claim* moves a row from queued to running only if its ``attempts`` still equals the attempt
  the message carries, so a message delivered twice (a re-queue racing the old one) runs once.
- *Lease*: a running row names its worker and a lease that worker's heartbeat thread renews
  every third of ``job_lease_seconds``. A SIGKILLed or frozen worker stops renewing it; the
  *reaper* (a thread in every executing process, and once when the web app starts) re-queues a
  row whose lease ran out, or fails it with the reason once ``job_max_attempts`` runs are used
  up. A worker that lost its lease finds out at its next write and drops its result.
- *Retry*: a transient error (a busy or unreachable model, a dropped database connection) puts
  the row back to queued with a growing delay, held in the row (``retry_at``) rather than in a
  timer or a queue scheduler, so a retry survives the process that scheduled it; every
  executing process's ticker pushes the retries that are due, each once. An error the user
  must fix (a HandoffError) fails it at once with its message; a bug fails it with a pointer
  to the log.
- *Cancel*: a queued row becomes cancelled at once; a running one is flagged, and its next
  progress report raises :class:`JobCancelled` in the job, which then ends as cancelled.

The jobs and the Q&A requests share one backend per process, :class:`BackendPool`. Opening
the ``local`` backend starts a llama.cpp server, which takes seconds; the pool opens it on first
use and closes it at exit. A backend that fails to open is not cached, so fixing the
configuration and retrying works without a restart.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from api.job_kinds import JobContext, Report, load_modules, lookup
from api.models import ACTIVE_STATUSES, JobFileRow, JobRow, JobStatus
from extractor.backends import Backend, open_backend
from handoff.domain import utcnow
from handoff.errors import BackendUnavailable, HandoffError
from handoff.settings import Settings
from index.store import Store

log = logging.getLogger("handoff.jobs")

__all__ = ["BackendPool", "JobCancelled", "JobQueue", "JobRunner", "Report", "cancel"]



class JobCancelled(Exception):  # noqa: N818  (a signal to stop, not a failure)
    """Raised by a job's progress report when the job was cancelled: the job stops there."""


class LeaseLost(Exception):  # noqa: N818
    """Raised by a progress report when this worker no longer owns the job (it was reaped)."""


class JobQueue(Protocol):
    """Delivers ``(job id, attempt)`` to a process that calls :meth:`JobRunner.execute`."""

    executes_here: bool  # whether this process runs what it queues
    forgets_backlog: bool  # whether queued deliveries are lost when the process stops

    def push(self, job_id: str, attempt: int) -> None: ...

    def close(self) -> None: ...


def is_transient(exc: BaseException) -> bool:
    """Whether trying the same job again later may succeed without anyone changing anything."""
    if isinstance(exc, BackendUnavailable):
        return exc.transient
    return isinstance(exc, ConnectionError | TimeoutError | OperationalError)


class JobRunner:
    """Submits, runs, renews, reaps and cancels jobs; the ``jobs`` table holds their state.

    Args:
        store: The open store (its database holds the jobs).
        settings: Lease, attempts and retry settings, and the job modules to load.
        backends: The backend jobs run with (opened on first use).
        queue: Where submitted jobs go; when it ``executes_here``, this process also runs
            the heartbeat and the reaper.
    """

    def __init__(self, store: Store, settings: Settings, backends: BackendPool,
                 queue: JobQueue) -> None:
        self.store = store
        self.settings = settings
        self.backends = backends
        self.queue = queue
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:120]
        self._mine: dict[str, int] = {}  # job id -> attempt, running in this process
        self._mine_lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        bind = getattr(queue, "bind", None)
        if bind is not None:
            bind(self)
        load_modules(settings)
        self.reap()
        if queue.forgets_backlog:
            self.requeue_waiting()
        if queue.executes_here:
            self._ticker = threading.Thread(target=self._tick, name="handoff-job-lease",
                                            daemon=True)
            self._ticker.start()

    # ------------------------------------------------------------------ reading

    def get(self, job_id: str) -> JobRow | None:
        """A job by id (callers check that its deal is visible)."""
        with self.store.session() as s:
            return s.get(JobRow, job_id)

    def active(self, deal_id: str, kind: str) -> JobRow | None:
        """The deal's queued or running job of ``kind``, if any."""
        with self.store.session() as s:
            return s.scalar(select(JobRow).where(JobRow.deal_id == deal_id, JobRow.kind == kind,
                                                 JobRow.status.in_(ACTIVE_STATUSES))
                            .order_by(JobRow.created_at.desc()))

    def latest(self, deal_id: str, kind: str) -> JobRow | None:
        """The deal's most recent job of ``kind``, whatever its state."""
        with self.store.session() as s:
            return s.scalar(select(JobRow).where(JobRow.deal_id == deal_id, JobRow.kind == kind)
                            .order_by(JobRow.created_at.desc()))

    # ------------------------------------------------------------------ submitting

    def submit(self, deal_id: str, kind: str, actor: str, params: dict[str, Any] | None = None,
               files: list[tuple[str, bytes]] | None = None) -> tuple[JobRow, bool]:
        """Queue a job for a deal unless one of that kind is already active (in any process).

        Args:
            params: JSON-able arguments the job's kind reads from its row.
            files: Files an ingest job reads (kept in ``job_files`` until the job ends).

        Returns:
            The job row and whether it was newly created.

        Raises:
            BackendUnavailable: The queue cannot be reached; the job is failed, not left queued.
        """
        lookup(kind)  # an unknown kind fails here, not in a worker
        for _ in range(3):  # the active job may finish between the insert and the look-up
            job = JobRow(id=uuid.uuid4().hex, deal_id=deal_id, kind=kind, params=params or {},
                         status=JobStatus.QUEUED.value, created_by=actor, created_at=utcnow(),
                         attempts=0, cancel_requested=False)
            try:
                with self.store.session() as s, s.begin():
                    s.add(job)
                    s.flush()
                    s.add_all(JobFileRow(job_id=job.id, position=n, filename=name, data=data)
                              for n, (name, data) in enumerate(files or []))
            except IntegrityError:
                active = self.active(deal_id, kind)
                if active is not None:
                    return active, False
                continue
            break
        else:
            raise HandoffError(f"could not queue the {kind} job of deal {deal_id!r}")
        try:
            self.queue.push(job.id, 0)
        except Exception as exc:
            log.exception("could not queue job %s", job.id)
            reason = f"the job queue is unreachable ({exc}); try again when it is back"
            self._end(job.id, JobRow.status == JobStatus.QUEUED.value,
                      status=JobStatus.FAILED.value, error=reason)
            raise BackendUnavailable(reason) from exc
        return job, True

    def cancel(self, job_id: str, actor: str) -> JobRow | None:
        """Cancel a job (see :func:`cancel`)."""
        return cancel(self.store, job_id, actor)

    # ------------------------------------------------------------------ running

    def execute(self, job_id: str, attempt: int) -> None:
        """Run one delivery of a job, if it is still this attempt's to run (see module note)."""
        lease = utcnow() + timedelta(seconds=self.settings.job_lease_seconds)
        claimed = self._set(job_id, JobRow.status == JobStatus.QUEUED.value,
                            JobRow.attempts == attempt, status=JobStatus.RUNNING.value,
                            attempts=attempt + 1, worker=self.name, lease_expires_at=lease,
                            started_at=utcnow(), error=None,
                            message=self._started(attempt + 1))
        if not claimed:
            log.info("job %s attempt %d: already taken, cancelled or finished", job_id, attempt)
            return
        with self._mine_lock:
            self._mine[job_id] = attempt + 1
        try:
            self._run(job_id, attempt + 1)
        finally:
            with self._mine_lock:
                self._mine.pop(job_id, None)

    def _started(self, attempt: int) -> str:
        return "started" if attempt == 1 else \
            f"started again (attempt {attempt} of {self.settings.job_max_attempts})"

    def _run(self, job_id: str, attempt: int) -> None:
        job = self.get(job_id)
        if job is None:  # its deal was deleted since the claim
            return
        owned = (JobRow.worker == self.name, JobRow.attempts == attempt,
                 JobRow.status == JobStatus.RUNNING.value)
        ctx = JobContext(self.store, self.settings, self.backends.get,
                         lambda message: self._report(job_id, owned, message))
        try:
            result = lookup(job.kind)(ctx, job)
        except JobCancelled:
            self._end(job_id, *owned, status=JobStatus.CANCELLED.value, message="cancelled")
        except LeaseLost:
            log.warning("job %s: lease lost to the reaper; this run's result is dropped", job_id)
        except Exception as exc:
            self._failed(job_id, owned, attempt, exc)
        else:
            if not self._end(job_id, *owned, status=JobStatus.SUCCEEDED.value, result=result,
                             message="done"):
                log.warning("job %s finished after losing its lease; result dropped", job_id)

    def _failed(self, job_id: str, owned: tuple[Any, ...], attempt: int,
                exc: Exception) -> None:
        if is_transient(exc) and attempt < self.settings.job_max_attempts:
            delay = self.settings.job_retry_seconds * 2 ** (attempt - 1)
            self._set(job_id, *owned, status=JobStatus.QUEUED.value, worker=None,
                      lease_expires_at=None, retry_at=utcnow() + timedelta(seconds=delay),
                      message=f"retrying in {delay:.0f} s (attempt {attempt} of "
                              f"{self.settings.job_max_attempts} failed: {exc})"[:500])
            return  # the ticker of whichever executing process sees it due pushes it
        if is_transient(exc):
            error = f"gave up after {attempt} attempts: {exc}"
        elif isinstance(exc, HandoffError):
            error = str(exc)
        elif _is_timeout(exc):
            error = (f"the job ran longer than {self.settings.job_timeout_seconds:.0f} s "
                     "(HANDOFF_JOB_TIMEOUT_SECONDS) and was stopped")
        else:  # a bug must not kill the worker or hide from the log
            log.exception("job %s failed", job_id)
            error = "internal error while running the job; see the worker's log"
        self._end(job_id, *owned, status=JobStatus.FAILED.value, error=error)

    def _report(self, job_id: str, owned: tuple[Any, ...], message: str) -> None:
        lease = utcnow() + timedelta(seconds=self.settings.job_lease_seconds)
        if not self._set(job_id, *owned, message=message[:500], lease_expires_at=lease):
            raise LeaseLost(job_id)
        with self.store.session() as s:
            if s.scalar(select(JobRow.cancel_requested).where(JobRow.id == job_id)):
                raise JobCancelled(job_id)

    # ------------------------------------------------------------------ leases

    def _tick(self) -> None:
        period = max(0.2, min(self.settings.job_lease_seconds / 3,
                              self.settings.job_retry_seconds / 2))
        beats = 0
        while not self._stop.wait(period):
            try:
                self.heartbeat()
                self.release_due()
                beats += 1
                if beats % 2 == 0:
                    self.reap()
            except OperationalError as exc:  # the database is away for a moment: next tick
                log.warning("job heartbeat or reaper: the database is unavailable (%s); trying "
                            "again in %.1f s", str(exc.orig or exc).strip(), period)
            except Exception:  # a bug: keep ticking, but show it
                log.exception("job heartbeat or reaper failed")

    def heartbeat(self) -> None:
        """Renew the leases of the jobs this process is running."""
        with self._mine_lock:
            mine = list(self._mine)
        if not mine:
            return
        lease = utcnow() + timedelta(seconds=self.settings.job_lease_seconds)
        with self.store.session() as s, s.begin():
            s.execute(update(JobRow).where(JobRow.id.in_(mine), JobRow.worker == self.name,
                                           JobRow.status == JobStatus.RUNNING.value)
                      .values(lease_expires_at=lease))

    def reap(self) -> int:
        """Re-queue (or fail, or finish cancelling) running jobs whose lease ran out.

        Returns:
            How many jobs were taken back from dead workers.
        """
        with self.store.session() as s:
            stale = list(s.scalars(select(JobRow).where(
                JobRow.status == JobStatus.RUNNING.value,
                or_(JobRow.lease_expires_at.is_(None), JobRow.lease_expires_at < utcnow()))))
        taken = 0
        for job in stale:
            same = (JobRow.status == JobStatus.RUNNING.value, JobRow.attempts == job.attempts,
                    JobRow.worker.is_(None) if job.worker is None else JobRow.worker == job.worker)
            lapse = f"its worker stopped (no heartbeat for {self.settings.job_lease_seconds:.0f} s)"
            if job.cancel_requested:
                done = self._end(job.id, *same, status=JobStatus.CANCELLED.value,
                                 message=f"cancelled; {lapse}")
            elif job.attempts >= self.settings.job_max_attempts:
                done = self._end(job.id, *same, status=JobStatus.FAILED.value,
                                 error=f"interrupted: {lapse} and all {job.attempts} attempts "
                                       "are used up; start it again")
            else:
                done = self._set(job.id, *same, status=JobStatus.QUEUED.value, worker=None,
                                 lease_expires_at=None, message=f"re-queued: {lapse}")
                if done:
                    self.queue.push(job.id, job.attempts)
            if done:
                log.warning("job %s: %s (attempt %d)", job.id, lapse, job.attempts)
                taken += 1
        return taken

    def release_due(self) -> int:
        """Push the queued retries whose delay is over; each is pushed by one process only.

        Returns:
            How many retries were pushed.
        """
        with self.store.session() as s:
            due = list(s.execute(select(JobRow.id, JobRow.attempts, JobRow.retry_at).where(
                JobRow.status == JobStatus.QUEUED.value, JobRow.retry_at.is_not(None),
                JobRow.retry_at <= utcnow()).order_by(JobRow.retry_at)))
        pushed = 0
        for job_id, attempts, retry_at in due:
            if self._set(job_id, JobRow.status == JobStatus.QUEUED.value,
                         JobRow.attempts == attempts, JobRow.retry_at == retry_at,
                         retry_at=None):
                self.queue.push(job_id, attempts)
                pushed += 1
        return pushed

    def requeue_waiting(self) -> int:
        """Push every queued job again (a local queue forgets its backlog when it stops).

        A retry still waiting for its time stays with :meth:`release_due`.
        """
        with self.store.session() as s:
            waiting = list(s.execute(select(JobRow.id, JobRow.attempts).where(
                JobRow.status == JobStatus.QUEUED.value, JobRow.retry_at.is_(None))
                .order_by(JobRow.created_at)))
        for job_id, attempts in waiting:
            self.queue.push(job_id, attempts)
        return len(waiting)

    def _set(self, job_id: str, *where: Any, **values: Any) -> bool:
        return set_row(self.store, job_id, *where, **values)

    def _end(self, job_id: str, *where: Any, **values: Any) -> bool:
        return end_row(self.store, job_id, *where, **values)

    def shutdown(self) -> None:
        """Stop the heartbeat and the queue; waits for jobs running on this process's threads.

        Queued jobs stay queued: the next process to start (or any worker) runs them.
        """
        self._stop.set()
        self.queue.close()
        if self._ticker is not None:
            self._ticker.join(timeout=5)


def set_row(store: Store, job_id: str, *where: Any, **values: Any) -> bool:
    """Update a job row if it still matches ``where``; whether it did."""
    with store.session() as s, s.begin():
        done = cast(CursorResult[Any], s.execute(
            update(JobRow).where(JobRow.id == job_id, *where).values(**values)))
        return bool(done.rowcount)


def end_row(store: Store, job_id: str, *where: Any, **values: Any) -> bool:
    """A terminal transition (if the row still matches): also drops its files and lease."""
    with store.session() as s, s.begin():
        done = cast(CursorResult[Any], s.execute(update(JobRow).where(
            JobRow.id == job_id, *where).values(finished_at=utcnow(), lease_expires_at=None,
                                                **values)))
        if done.rowcount:
            s.execute(delete(JobFileRow).where(JobFileRow.job_id == job_id))
        return bool(done.rowcount)


def cancel(store: Store, job_id: str, actor: str) -> JobRow | None:
    """Cancel a queued job at once; ask a running one to stop at its next progress report.

    Needs only the database, so the CLI cancels a job that a worker elsewhere is running.

    Returns:
        The job as it stands afterwards (None if there is no such job).
    """
    if not end_row(store, job_id, JobRow.status == JobStatus.QUEUED.value,
                   status=JobStatus.CANCELLED.value, message=f"cancelled by {actor}"):
        set_row(store, job_id, JobRow.status == JobStatus.RUNNING.value, cancel_requested=True,
                message=f"cancelling (asked by {actor}); stops at its next step")
    with store.session() as s:
        return s.get(JobRow, job_id)


def _is_timeout(exc: BaseException) -> bool:
    try:
        from rq.timeouts import JobTimeoutException
    except ImportError:  # pragma: no cover - rq is a dependency
        return False
    return isinstance(exc, JobTimeoutException)


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
