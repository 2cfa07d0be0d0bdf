"""The FastAPI application: JSON API under ``/api``, web pages, static files.

Design note. :func:`create_app` is the one place the web side wires real parts together: it
builds settings (unless given), and its lifespan opens the store once, starts the job runner
(its queue: threads here, or Redis for ``handoff worker`` processes, see :mod:`api.jobs`) and
closes the shared backend on shutdown. Nothing a request needs lives only in one process
(sessions and jobs are rows, throttle counts go to Redis when configured), so
``handoff serve --workers N`` may run several processes behind one port. Routes reach
those through ``app.state`` via small dependencies, so tests build an app on a temporary
HANDOFF_HOME with a fast embedder and drive it with a test client, exactly as uvicorn would.

Layers, outermost first: security headers (HSTS over https, and the last-resort 500), the
request body limit, then FastAPI's routing with the one problem handler for every error.
Failed sign-ins and bad tokens are counted by ``app.state.throttle`` (:mod:`api.throttle`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import models  # noqa: F401  (maps the web tables)
from api.auth import secret_key
from api.job_queue import open_queue
from api.jobs import BackendPool, JobRunner
from api.middleware import BodyLimitMiddleware, NulFreeUrlMiddleware, SecurityHeadersMiddleware
from api.problems import HANDLED, problem_handler
from api.routes import (
    briefs,
    deals,
    documents,
    pages_auth,
    pages_deal,
    pages_review,
    pages_timeline,
    review,
    timeline,
)
from api.throttle import Throttle
from api.web import STATIC
from extractor import review as _review_tables  # noqa: F401  (briefs, reviews, audit tables)
from handoff.settings import Settings, get_settings
from index.embedders import Embedder
from index.store import Store

log = logging.getLogger("handoff.api")

TAGS = [
    {"name": "deals", "description": "Create, list, read and delete deals; assign CSMs."},
    {"name": "sources", "description": "Upload call transcripts, emails, CRM notes and "
                                       "documents; read cited passages."},
    {"name": "briefs", "description": "Build the brief as a background job and read it."},
    {"name": "exports", "description": "The handoff package: DOCX, Markdown, JSON, drafts."},
    {"name": "review", "description": "The rep's review: gaps, confirmations, conflicts, "
                                      "audit trail."},
    {"name": "q&a", "description": "Questions about a deal, answered with citations."},
    {"name": "timeline", "description": "Handoff SLA timeline, ratings and team metrics."},
    {"name": "users", "description": "The signed-in user."},
]


def prepare(settings: Settings) -> None:
    """Bring the database to the newest schema and make the signing key once, before
    several web processes start on the same home and database."""
    store = Store.open(settings)  # runs the migrations
    try:
        secret_key(settings)
    finally:
        store.engine.dispose()


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None,
               job_workers: int = 2, throttle: Throttle | None = None) -> FastAPI:
    """Build the web app.

    Args:
        settings: Product settings; built from the environment (HANDOFF_*) when omitted.
        embedder: The sentence embedder; the one the settings name when omitted.
        job_workers: Threads running brief and ingest jobs when no HANDOFF_REDIS_URL is set
            (with it, ``handoff worker`` processes run them and this process only enqueues).
        throttle: Counts failed sign-ins and bad tokens; the default limits when omitted
            (shared through Redis when HANDOFF_REDIS_URL is set).

    Returns:
        The FastAPI app; its lifespan opens the store under ``settings.home``.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Open the store, the job runner and the backend pool once; close them at exit."""
        store = Store.open(settings, embedder=embedder)
        app.state.settings = settings
        app.state.store = store
        app.state.secret_key = secret_key(settings)
        app.state.backends = BackendPool(settings)
        app.state.jobs = JobRunner(store, settings, app.state.backends,
                                   open_queue(settings, workers=job_workers))
        try:
            yield
        finally:
            app.state.jobs.shutdown()
            app.state.backends.close()
            store.engine.dispose()

    app = FastAPI(
        title="Handoff brief",
        summary="Sales-to-Customer-Success handoff briefs with verified citations",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,  # the bundled Swagger UI loads from a CDN, which the CSP forbids
        redoc_url=None,
        openapi_tags=TAGS,
    )
    app.state.throttle = throttle or Throttle(redis_url=settings.redis_url,
                                                redis_prefix=settings.redis_prefix)
    for exc_class in HANDLED:
        app.add_exception_handler(exc_class, problem_handler)
    for module in (deals, documents, briefs, review, timeline):
        app.include_router(module.router)
    for module in (pages_auth, pages_deal, pages_review, pages_timeline):
        app.include_router(module.router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimitMiddleware, max_bytes=int(settings.max_upload_mb * 1048576))
    app.add_middleware(NulFreeUrlMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
