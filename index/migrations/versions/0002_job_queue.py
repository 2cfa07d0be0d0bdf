"""The job queue: what a worker in another process needs to run a job, its lease, retries
and cancellation, and one active job of a kind per deal across processes.

Design note. Replaces the ad-hoc ``upgrade_jobs_table`` of the queue's first release. The
columns are added with ALTER TABLE ADD COLUMN, which SQLite does in place: copying ``jobs``
(batch mode's fallback) would drop the old table, and with foreign keys enforced that deletes
the rows of ``job_files`` that point at it. Jobs left queued or running by a version without
the queue had died with their process; all but the newest active one of a deal and kind are
failed, so the unique index can be built.

Revision ID: 0002_job_queue
Revises: 0001_baseline
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_job_queue"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

_ACTIVE = "status IN ('queued', 'running')"
_COLUMNS = ("params", "attempts", "worker", "lease_expires_at", "cancel_requested", "retry_at")


def upgrade() -> None:
    with op.batch_alter_table("jobs", recreate="never") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("worker", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("cancel_requested", sa.Boolean(),
                                   server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
    _fail_duplicate_active_jobs()
    op.create_index("uq_jobs_one_active", "jobs", ["deal_id", "kind"], unique=True,
                    sqlite_where=sa.text(_ACTIVE), postgresql_where=sa.text(_ACTIVE))


def _fail_duplicate_active_jobs() -> None:
    jobs = sa.table("jobs", sa.column("id", sa.String), sa.column("deal_id", sa.String),
                    sa.column("kind", sa.String), sa.column("status", sa.String),
                    sa.column("error", sa.Text), sa.column("created_at", sa.DateTime))
    bind = op.get_bind()
    active = bind.execute(
        sa.select(jobs.c.id, jobs.c.deal_id, jobs.c.kind)
        .where(jobs.c.status.in_(("queued", "running")))
        .order_by(jobs.c.created_at.desc(), jobs.c.id.desc())).all()
    seen: set[tuple[str, str]] = set()
    stale: list[str] = []
    for job_id, deal_id, kind in active:
        if (deal_id, kind) in seen:
            stale.append(job_id)
        seen.add((deal_id, kind))
    if stale:
        bind.execute(
            jobs.update().where(jobs.c.id.in_(stale))
            .values(status="failed", error="interrupted by an upgrade of the product: "
                                           "a newer job of this kind replaced it"))


def downgrade() -> None:
    op.drop_index("uq_jobs_one_active", table_name="jobs")
    with op.batch_alter_table("jobs", recreate="never") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
