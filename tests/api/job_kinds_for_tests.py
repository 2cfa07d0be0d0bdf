"""Job kinds that exist only for the tests, registered through HANDOFF_JOB_MODULES.

``test-gate`` reports progress until a file appears, so a test can hold a job in "running",
kill the process running it, cancel it, or let it finish. Each run first writes
``<gate>.attempt<N>`` so the test sees which worker started which attempt. ``test-flaky``
fails with a transient error on its first ``params["fail"]`` attempts, then succeeds.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from api.job_kinds import JobContext, register
from api.models import JobRow
from handoff.errors import BackendUnavailable, InputError


def gate(ctx: JobContext, job: JobRow) -> dict[str, Any]:
    path = Path((job.params or {})["gate"])
    Path(f"{path}.attempt{job.attempts}").write_text(ctx.settings.redis_prefix, encoding="utf-8")
    deadline = time.monotonic() + 120
    while not path.exists():
        if time.monotonic() > deadline:
            raise InputError("the test never opened the gate")
        ctx.report(f"waiting for {path.name}")
        time.sleep(0.1)
    return {"attempt": job.attempts}


def flaky(ctx: JobContext, job: JobRow) -> dict[str, Any]:
    if job.attempts <= int((job.params or {}).get("fail", 0)):
        err = BackendUnavailable("model endpoint busy (test)")
        err.transient = True
        raise err
    return {"attempt": job.attempts}


register("test-gate", gate)
register("test-flaky", flaky)
