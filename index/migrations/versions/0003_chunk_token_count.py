"""Each chunk keeps its count of word tokens, so PostgreSQL's BM25 reads the deal's average
chunk length instead of recounting every chunk's words with a regex on every query.

Design note. The count is of ``\\w+`` tokens (the words :mod:`index.lexical` ranks with, as
FTS5's tokenizer counts them), computed in Python so the backfill of existing chunks and the
store's count at ingest are the same function on SQLite and PostgreSQL. The backfill reads
the chunks in pages by id, so a large database is not loaded at once. The regex is spelled
here, not imported: a revision must keep doing what it did when it was written.

Revision ID: 0003_chunk_token_count
Revises: 0002_job_queue
Create Date: 2026-12-04
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0003_chunk_token_count"
down_revision = "0002_job_queue"
branch_labels = None
depends_on = None

_WORD = re.compile(r"\w+")
_PAGE = 500


def upgrade() -> None:
    with op.batch_alter_table("chunks", recreate="never") as batch:
        batch.add_column(sa.Column("token_count", sa.Integer(), server_default="0",
                                   nullable=False))
    chunks = sa.table("chunks", sa.column("id", sa.String), sa.column("text", sa.Text),
                      sa.column("token_count", sa.Integer))
    bind = op.get_bind()
    last = ""
    while True:
        page = bind.execute(sa.select(chunks.c.id, chunks.c.text).where(chunks.c.id > last)
                            .order_by(chunks.c.id).limit(_PAGE)).all()
        if not page:
            break
        bind.execute(chunks.update().where(chunks.c.id == sa.bindparam("cid"))
                     .values(token_count=sa.bindparam("n")),
                     [{"cid": cid, "n": len(_WORD.findall(body))} for cid, body in page])
        last = page[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("chunks", recreate="never") as batch:
        batch.drop_column("token_count")
