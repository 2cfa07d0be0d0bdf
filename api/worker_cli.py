"""``handoff worker`` and ``handoff jobs``: run background jobs from Redis, look at and cancel them.

    handoff worker [--burst]          take jobs from HANDOFF_REDIS_URL until stopped
    handoff jobs show JOB_ID          a job's state, progress message, error
    handoff jobs cancel JOB_ID        cancel it (a running job stops at its next step)

Start as many workers as the machines allow, on any machine that reaches the database and
Redis; SIGTERM or Ctrl-C lets a worker finish its current job first, a killed worker's job is
taken back by the others when its lease runs out (see :mod:`api.jobs`).
"""

from __future__ import annotations

import json
import logging
from typing import Annotated

import typer
from rich.console import Console

from api import models  # noqa: F401  (declares the web tables before the store creates them)
from api.job_queue import RedisQueue, work
from api.jobs import BackendPool, JobRunner, cancel
from api.render import handled
from api.schemas import JobOut
from extractor import review as _review_tables  # noqa: F401  (the review tables)
from handoff.errors import ConfigError, NotFoundError
from handoff.settings import get_settings
from index.store import Store

jobs_app = typer.Typer(help="Background jobs: show or cancel one.", no_args_is_help=True)
console = Console()


def worker(burst: Annotated[bool, typer.Option(
        "--burst", help="Stop when the queue is empty instead of waiting for more")] = False
           ) -> None:
    """Run brief and ingest jobs from the Redis queue (HANDOFF_REDIS_URL)."""
    with handled():
        settings = get_settings()
        if not settings.redis_url:
            raise ConfigError("handoff worker takes jobs from Redis: set HANDOFF_REDIS_URL "
                              "(e.g. redis://127.0.0.1:6379/0) here and for `handoff serve`; "
                              "without it `handoff serve` runs the jobs itself")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        store = Store.open(settings)
        backends = BackendPool(settings)
        queue = RedisQueue(settings, executes_here=True)
        runner = JobRunner(store, settings, backends, queue)
        try:
            work(runner, queue, burst=burst)
        finally:
            runner.shutdown()
            backends.close()
            store.engine.dispose()


def _print(job: object) -> None:
    console.print_json(json.dumps(JobOut.model_validate(job, from_attributes=True)
                                  .model_dump(mode="json")))


@jobs_app.command("show")
def show(job_id: str) -> None:
    """Print a job as the API shows it."""
    with handled():
        store = Store.open(get_settings())
        with store.session() as s:
            job = s.get(models.JobRow, job_id)
        if job is None:
            raise NotFoundError(f"job {job_id!r} not found")
        _print(job)


@jobs_app.command("cancel")
def cancel_command(job_id: str) -> None:
    """Cancel a queued job, or ask a running one to stop at its next progress step."""
    import getpass

    with handled():
        job = cancel(Store.open(get_settings()), job_id, getpass.getuser())
        if job is None:
            raise NotFoundError(f"job {job_id!r} not found")
        _print(job)


def register(app: typer.Typer) -> None:
    """Add ``worker`` and ``jobs`` to the ``handoff`` command."""
    app.command("worker")(worker)
    app.add_typer(jobs_app, name="jobs")
