"""What the API routes and the web pages do with deals, shared so both behave the same.

Every function here takes a deal the caller was already allowed to see (see
:mod:`api.access`); they never look a deal up by id on their own, so no path can skip the
authorization check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.access import visible_deals
from api.jobs import JobRunner
from api.models import DealAssignmentRow, JobRow, TimelineEventRow, UserRow
from api.schemas import (
    DealOut,
    DocumentOut,
    JobKind,
    PassageOut,
    UploadOut,
    UploadResult,
    UploadStatus,
)
from api.timeline_events import handoff_status
from api.users import User
from extractor.llm_cache import forget_texts
from extractor.prune import prune_brief, repoint_citations
from extractor.service import load_offering
from handoff.domain import HandoffBrief
from handoff.errors import InputError, NotFoundError
from handoff.settings import Settings
from index.db import DealRow, DocumentRow
from index.ingest import IngestResult, IngestStatus, ingest_bytes
from index.records import (
    AuditRow,
    BriefRow,
    GapAnswerRow,
    delete_deal_reviews,
    load_brief,
    save_brief,
)
from index.store import Store

PASSAGE_CONTEXT = 320  # characters shown around a cited span


def audit(store: Store, deal_id: str, actor: str, action: str, target: str,
          after: dict[str, Any] | None = None) -> None:
    """Add an entry to the deal's audit trail (the same trail rep reviews write to)."""
    with store.session() as s, s.begin():
        s.add(AuditRow(deal_id=deal_id, actor=actor, action=action, target=target[:64],
                       before=None, after=after))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def deal_views(store: Store, deals: Iterable[DealRow]) -> list[DealOut]:
    """Deals with owner, counts, completeness, handoff status and assigned CSMs."""
    deals = list(deals)
    ids = [d.id for d in deals]
    with store.session() as s:
        docs = dict(s.execute(select(DocumentRow.deal_id, func.count())
                              .where(DocumentRow.deal_id.in_(ids))
                              .group_by(DocumentRow.deal_id)).all())
        owners = {u.id: u for u in s.scalars(select(UserRow).where(
            UserRow.id.in_([d.owner_id for d in deals if d.owner_id is not None])))}
        briefs = {b.deal_id: b for b in s.scalars(select(BriefRow).where(
            BriefRow.deal_id.in_(ids)))}
        csms: dict[str, list[str]] = {}
        for deal_id, email in s.execute(
                select(DealAssignmentRow.deal_id, UserRow.email)
                .join(UserRow, UserRow.id == DealAssignmentRow.user_id)
                .where(DealAssignmentRow.deal_id.in_(ids)).order_by(UserRow.email)):
            csms.setdefault(deal_id, []).append(email)
    out = []
    for d in deals:
        owner = owners.get(d.owner_id) if d.owner_id is not None else None
        row = briefs.get(d.id)
        brief = HandoffBrief.model_validate_json(row.body) if row is not None else None
        out.append(DealOut(
            id=d.id, name=d.name, owner=owner.email if owner else None,
            team=owner.team if owner else "", created_at=_aware(d.created_at),
            documents=docs.get(d.id, 0), has_brief=brief is not None,
            completeness=brief.completeness if brief else None,
            language=brief.language if brief else d.language,
            status=handoff_status(store, d.id, docs.get(d.id, 0), brief is not None),
            csms=csms.get(d.id, []),
        ))
    return out


def list_deals(store: Store, user: User) -> list[DealOut]:
    """The deals ``user`` may see, newest first."""
    with store.session() as s:
        deals = list(s.scalars(visible_deals(user).order_by(DealRow.created_at.desc())))
    return deal_views(store, deals)


def create_deal(store: Store, user: User, name: str) -> DealRow:
    """A new deal owned by ``user``; its id is made from the name plus a random suffix."""
    name = " ".join(name.split())
    if not name:
        raise InputError("the deal needs a name")
    deal = store.create_deal(name=name, owner_id=user.id)
    audit(store, deal.id, user.email, "create", deal.id, {"name": name})
    return deal


def delete_deal(store: Store, deal: DealRow, settings: Settings | None = None) -> None:
    """Delete a deal with its sources, brief, reviews, jobs, timeline and assignments.

    The model's cached answers that quote the deal's sources go too, and the database is
    scrubbed of the deleted text (see :mod:`index.scrub`).
    """
    texts = [d.doc.text for d in store.documents(deal.id)]
    with store.session() as s, s.begin():
        for model in (DealAssignmentRow, TimelineEventRow, JobRow):
            s.execute(delete(model).where(model.deal_id == deal.id))
    delete_deal_reviews(store, deal.id)
    store.delete_deal(deal.id)
    if settings is not None:
        forget_texts(settings.llm_cache_path, texts)


def _prune_saved_brief(store: Store, deal_id: str, names: list[str], ids: list[str]) -> None:
    try:
        brief = load_brief(store, deal_id)
    except NotFoundError:
        return
    save_brief(store, prune_brief(brief, names, document_ids=ids))


def remove_document(store: Store, settings: Settings, deal: DealRow, document_id: str,
                    actor: str) -> str:
    """Delete one source and everything that came from it, at once.

    Its text, chunks and vectors go; the saved brief loses the items that rested only on it
    and its citations elsewhere (:func:`extractor.prune.prune_brief`), so the page and every
    export follow without a re-run; a rep's gap answer stored as this document is withdrawn;
    cached model answers quoting it are dropped; the database is scrubbed last.

    Returns:
        The removed document's file name.
    """
    stored = store.document(deal.id, document_id)
    name = stored.doc.filename
    store.delete_document(deal.id, document_id, scrub_after=False)
    with store.session() as s, s.begin():
        s.execute(delete(GapAnswerRow).where(GapAnswerRow.deal_id == deal.id,
                                             GapAnswerRow.document_id == document_id))
    _prune_saved_brief(store, deal.id, [name], [document_id])
    forget_texts(settings.llm_cache_path, [stored.doc.text])
    audit(store, deal.id, actor, "delete", document_id, {"filename": name})
    store.scrub()
    return name


def _follow_new_version(store: Store, deal: DealRow, r: IngestResult) -> None:
    """After a re-export replaced a version: citations move to it, what it lost goes."""
    if r.replaced_id is None or r.document_id is None:
        return
    try:
        brief = load_brief(store, deal.id)
    except NotFoundError:
        return
    new = store.document(deal.id, r.document_id)
    brief = repoint_citations(brief, r.replaced_id, r.replaced_name or "", r.document_id,
                              new.doc.filename, new.doc.text)
    save_brief(store, prune_brief(brief, [], document_ids=[r.replaced_id]))


Progress = Callable[[int, int, UploadResult], None]
"""Called after each file of an upload: its number (from 1), the total, its result."""


def upload(store: Store, settings: Settings, deal: DealRow, files: list[tuple[str, bytes]],
           actor: str, progress: Progress | None = None) -> UploadOut:
    """Ingest uploaded files one by one; a bad file is rejected with a reason, never fatal.

    Each stored document gets its audit row in the transaction that stores it, so an upload
    cut short by a crash still leaves an audit entry for every file it stored.
    """
    results = []
    for number, (filename, data) in enumerate(files, start=1):
        r = ingest_bytes(store, deal.id, filename, data, max_bytes=settings.max_file_bytes,
                         actor=actor)
        if r.status == IngestStatus.ACCEPTED:
            _follow_new_version(store, deal, r)
        result = UploadResult(filename=r.filename, status=UploadStatus(r.status.value),
                              reason=r.reason, document_id=r.document_id, format=r.format,
                              segments=r.segments, chunks=r.chunks)
        results.append(result)
        if progress is not None:
            progress(number, len(files), result)
    return UploadOut(results=results,
                     accepted=sum(r.status == "accepted" for r in results),
                     duplicates=sum(r.status == "duplicate" for r in results),
                     rejected=sum(r.status == "rejected" for r in results))


def documents(store: Store, deal: DealRow) -> list[DocumentOut]:
    """The deal's documents, oldest first."""
    with store.session() as s:
        rows = s.scalars(select(DocumentRow).where(DocumentRow.deal_id == deal.id)
                         .order_by(DocumentRow.created_at, DocumentRow.filename))
        return [DocumentOut(id=r.id, filename=r.filename, format=r.format, kind=r.kind,
                            size=r.size, created_at=_aware(r.created_at)) for r in rows]


def brief_of(store: Store, deal: DealRow) -> HandoffBrief:
    """The deal's saved brief.

    Raises:
        NotFoundError: No brief has been made yet (says how to make one).
    """
    try:
        return load_brief(store, deal.id)
    except NotFoundError as exc:
        raise NotFoundError(f"deal {deal.id!r} has no brief yet: upload sources and run "
                            "the brief first") from exc


def start_brief(runner: JobRunner, store: Store, settings: Settings, deal: DealRow,
                actor: str) -> tuple[JobRow, bool]:
    """Queue the brief extraction for a deal (or return the one already queued or running)."""
    if not documents(store, deal):
        raise InputError(f"deal {deal.id!r} has no sources yet: upload call transcripts, "
                         "emails or CRM notes first")
    load_offering(settings.offering_path)  # a bad offering fails now, not in a worker
    return runner.submit(deal.id, JobKind.BRIEF.value, actor, {"actor": actor})


def start_ingest(runner: JobRunner, deal: DealRow, files: list[tuple[str, bytes]],
                 actor: str) -> tuple[JobRow, bool]:
    """Queue ingestion of already-received files; the job's result holds the per-file results.

    The files wait in the database (``job_files``) until the job ends, so a worker process on
    another machine can read them.
    """
    job, created = runner.submit(deal.id, JobKind.INGEST.value, actor, {"actor": actor},
                                 files=files)
    if not created:  # one ingest job per deal: these files would be lost
        raise StarletteHTTPException(
            409, f"an upload of this deal is still being ingested (job {job.id}): send these "
                 "files again when it has finished")
    return job, created


def _document_row(store: Store, deal: DealRow, document_id: str | None,
                  source: str | None) -> str:
    with store.session() as s:
        stmt = select(DocumentRow.id).where(DocumentRow.deal_id == deal.id)
        if document_id:
            stmt = stmt.where(DocumentRow.id == document_id)
        elif source:
            stmt = stmt.where(DocumentRow.filename == source)
        else:
            raise InputError("name the document: document_id or source")
        found = s.scalar(stmt.order_by(DocumentRow.created_at.desc()))
    if found is None:
        raise NotFoundError("no such document in this deal")
    return found


def passage(store: Store, deal: DealRow, start: int, end: int, *,
            document_id: str | None = None, source: str | None = None) -> PassageOut:
    """The text around a cited span of one of the deal's documents, split for highlighting.

    Raises:
        NotFoundError: The document is not part of this deal.
        InputError: The span lies outside the document.
    """
    stored = store.document(deal.id, _document_row(store, deal, document_id, source))
    text = stored.doc.text
    if not 0 <= start < end <= len(text):
        raise InputError(f"the span {start}-{end} is outside the document "
                         f"({len(text)} characters)")
    left = max(0, start - PASSAGE_CONTEXT)
    right = min(len(text), end + PASSAGE_CONTEXT)
    # Cut the window at whitespace so no word is shown half.
    if left > 0 and (space := text.find(" ", left, start)) != -1:
        left = space + 1
    if right < len(text) and (space := text.rfind(" ", end, right)) != -1:
        right = space
    segment = stored.doc.segment_at(start)
    return PassageOut(
        document_id=stored.id, source=stored.doc.filename, start=start, end=end,
        before=("…" if left > 0 else "") + text[left:start], quote=text[start:end],
        after=text[end:right] + ("…" if right < len(text) else ""),
        speaker=segment.speaker if segment else None,
        timestamp=segment.timestamp if segment else None,
        locator=segment.locator if segment else "",
    )


def deal_users(store: Store, deal: DealRow) -> dict[str, Any]:
    """The owner's email and the assigned CSMs' emails (for drafts and pages)."""
    with store.session() as s:
        owner = s.get(UserRow, deal.owner_id) if deal.owner_id is not None else None
        csms = list(s.scalars(select(UserRow.email).join(
            DealAssignmentRow, DealAssignmentRow.user_id == UserRow.id)
            .where(DealAssignmentRow.deal_id == deal.id).order_by(UserRow.email)))
    return {"owner": owner.email if owner else None, "csms": csms}
