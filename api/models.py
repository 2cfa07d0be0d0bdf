"""The web app's tables: users, API tokens, deal assignments, sessions, jobs, timeline events.

Declared on :class:`index.db.Base` next to the deal tables; the migrations of
:mod:`index.migrations`, which :class:`index.store.Store` runs when it opens, create and
upgrade them (a change here needs a revision there).

Secrets never reach the database in the clear: API tokens and session ids are stored as
SHA-256 hex digests (a leaked database cannot be replayed), passwords as argon2 hashes.
Timeline moments are stored as ISO-8601 text with their UTC offset, because the SLA rules judge
weekends in the offset of the contract signature and SQLite's DATETIME would drop it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from handoff.domain import utcnow
from index.db import Base


class Role(StrEnum):
    """What a user is to the product; decides which deals they see (see :mod:`api.access`)."""

    REP = "rep"          # creates deals and owns them
    CSM = "csm"          # sees the deals they are assigned to
    MANAGER = "manager"  # sees every deal owned by someone of their team
    ADMIN = "admin"      # sees everything


class JobStatus(StrEnum):
    """Where a background job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class UserRow(Base):
    """A person who signs in; ``team`` groups reps under a manager.

    ``display_name``, ``title`` and ``phone`` are the profile the email drafts sign with.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(String(100), default="")
    # The profile the drafts sign with: a name is never guessed from the email address.
    display_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiTokenRow(Base):
    """An API token, stored only as its SHA-256."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DealAssignmentRow(Base):
    """A CSM assigned to a deal."""

    __tablename__ = "deal_assignments"
    __table_args__ = (UniqueConstraint("deal_id", "user_id", name="uq_assignment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SessionRow(Base):
    """A web session: the SHA-256 of its id, its user, CSRF token and expiry."""

    __tablename__ = "web_sessions"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JobRow(Base):
    """A background job (brief or ingest) and its progress, result or error.

    ``params`` is what a worker in another process needs to run it; ``attempts`` counts the
    runs claimed so far; ``worker`` and ``lease_expires_at`` name the process running it and
    until when its heartbeat vouches for it, and ``retry_at`` when a queued retry is due (see
    :mod:`api.jobs`). The partial unique index
    keeps one active job of a kind per deal across every process that shares the database.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("uq_jobs_one_active", "deal_id", "kind", unique=True,
              sqlite_where=text("status IN ('queued', 'running')"),
              postgresql_where=text("status IN ('queued', 'running')")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    worker: Mapped[str | None] = mapped_column(String(120), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                              nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False,
                                                   server_default=false())
    # a queued retry waits here until then; whichever executing process sees it due pushes it
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class JobFileRow(Base):
    """A file of an ingest job, kept until the job ends so any worker can read it."""

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(1000))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class TimelineEventRow(Base):
    """One recorded handoff moment or rating; the latest of each kind wins."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))      # signed, a Step value, or a rating kind
    at_iso: Mapped[str | None] = mapped_column(String(40), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(320))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
