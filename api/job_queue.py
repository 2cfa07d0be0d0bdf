"""The two queues a :class:`api.jobs.JobRunner` hands jobs to: threads here, or rq on Redis.

Design note. The single-machine default needs no extra service: :class:`LocalQueue` runs
jobs on a small thread pool of the web process (the heavy parts, model calls and numpy,
release the GIL). With ``HANDOFF_REDIS_URL`` set, :class:`RedisQueue` puts each delivery on
an rq queue and ``handoff worker`` (:func:`work`) runs rq's ``SimpleWorker``: no fork per job,
so one worker keeps its backend (a llama.cpp server) open across jobs. Neither queue delays
anything: a retry's delay is held in the job's row (see :mod:`api.jobs`). rq's scheduler runs
in one elected worker, and after that worker was SIGKILLed the next worker left a due retry
queued (the kill test); a timer dies with its process. Neither queue decides anything about a
job: the row does, so a message delivered twice is harmless.

rq (BSD-2-Clause, on redis-py, MIT) was chosen over huey (MIT; its SQLite storage could have
served the default, but its Redis storage has no lease either, so the row would still need
one), dramatiq (LGPL-3.0) and procrastinate (PostgreSQL only, while SQLite is the default): it
is plain Redis lists, one small dependency, and its SimpleWorker fits a long-lived backend.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from handoff.errors import ConfigError
from handoff.settings import Settings

if TYPE_CHECKING:
    from api.jobs import JobRunner

log = logging.getLogger("handoff.jobs")


class LocalQueue:
    """Runs deliveries on this process's threads (bind it to the runner that executes them)."""

    executes_here = True
    forgets_backlog = True

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="handoff-job")
        self._runner: JobRunner | None = None
        self._closed = False

    def bind(self, runner: JobRunner) -> None:
        self._runner = runner

    def push(self, job_id: str, attempt: int) -> None:
        if self._closed:
            return  # the row stays queued; the next start pushes it again
        assert self._runner is not None, "LocalQueue.bind(runner) first"
        self._pool.submit(self._runner.execute, job_id, attempt)

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)


class RedisQueue:
    """Puts deliveries on an rq queue for ``handoff worker`` processes."""

    forgets_backlog = False

    def __init__(self, settings: Settings, *, executes_here: bool = False) -> None:
        from redis import Redis
        from rq import Queue

        if not settings.redis_url:
            raise ConfigError("the Redis queue needs HANDOFF_REDIS_URL, e.g. "
                              "redis://127.0.0.1:6379/0")
        self.settings = settings
        self.executes_here = executes_here
        self.connection = Redis.from_url(settings.redis_url)
        self.rq = Queue(f"{settings.redis_prefix}-jobs", connection=self.connection)

    def push(self, job_id: str, attempt: int) -> None:
        self.rq.enqueue(run_delivery, job_id, attempt, job_id=f"{job_id}-{attempt}",
                        result_ttl=0, failure_ttl=7 * 86400,
                        job_timeout=int(self.settings.job_timeout_seconds))

    def close(self) -> None:
        self.connection.close()


def open_queue(settings: Settings, workers: int = 2) -> LocalQueue | RedisQueue:
    """The web app's queue: Redis when configured (workers run the jobs), else local threads."""
    return RedisQueue(settings) if settings.redis_url else LocalQueue(workers)


_worker_runner: JobRunner | None = None


def run_delivery(job_id: str, attempt: int) -> None:
    """What rq calls in a worker: run the delivery with the worker's runner."""
    if _worker_runner is None:
        raise RuntimeError("run_delivery runs inside `handoff worker` only")
    _worker_runner.execute(job_id, attempt)


def work(runner: JobRunner, queue: RedisQueue, *, burst: bool = False) -> None:
    """Take deliveries from Redis until stopped (SIGTERM/SIGINT: after the current job)."""
    from rq import SimpleWorker

    global _worker_runner
    _worker_runner = runner
    worker = SimpleWorker([queue.rq], connection=queue.connection, name=runner.name)
    log.info("worker %s takes jobs from %s", runner.name, queue.rq.name)
    try:
        worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
    finally:
        _worker_runner = None
