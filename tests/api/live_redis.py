"""The live Redis the multi-process tests use: ``HANDOFF_TEST_REDIS_URL``, or a skip saying why.

Every test gets its own ``redis_prefix``, so its queue and its sign-in counts never meet those
of another test or another run on the same Redis, and removes its keys at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest


def live_redis_url() -> str:
    """The test Redis URL, or skip the test with the reason."""
    url = os.environ.get("HANDOFF_TEST_REDIS_URL")
    if not url:
        pytest.skip("needs a live Redis: set HANDOFF_TEST_REDIS_URL, e.g. "
                    "redis://127.0.0.1:56379/3 (scripts/services.sh start runs one)")
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(url, socket_connect_timeout=2).ping()
    except (RedisError, OSError) as exc:
        pytest.skip(f"HANDOFF_TEST_REDIS_URL={url} is not reachable: {exc}")
    return url


@pytest.fixture
def redis_prefix() -> Iterator[tuple[str, str]]:
    """(url, a fresh prefix); the prefix's keys and its rq jobs are deleted afterwards."""
    from redis import Redis
    from rq import Queue

    url = live_redis_url()
    prefix = f"handoff-test-{uuid.uuid4().hex[:10]}"
    yield url, prefix
    connection = Redis.from_url(url)
    queue = Queue(f"{prefix}-jobs", connection=connection)
    ids = set(queue.get_job_ids())
    for registry in (queue.started_job_registry, queue.failed_job_registry,
                     queue.finished_job_registry, queue.scheduled_job_registry,
                     queue.canceled_job_registry, queue.deferred_job_registry):
        ids.update(registry.get_job_ids())
    queue.delete(delete_jobs=True)
    for pattern in [f"*{prefix}*", *(f"rq:*{job_id}*" for job_id in ids)]:
        for key in connection.scan_iter(pattern):
            connection.delete(key)
    connection.close()
