"""Recording a deal's handoff timeline and ratings, and reading them back for the SLA rules.

The events are an append-only log: recording a step again (a typo fixed, a meeting moved)
adds a row, and the latest row of each kind wins. The pure SLA and metric logic lives in
:mod:`handoff.timeline`; this module only turns rows into its inputs and its outputs into the
API's shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select

from api.models import TimelineEventRow, UserRow
from api.schemas import (
    HandoffStage,
    HandoffStatus,
    SlaHealth,
    TimelineEventOut,
    TimelineOut,
)
from handoff.domain import utcnow
from handoff.errors import InputError, NotFoundError
from handoff.timeline import (
    HandoffRecord,
    HandoffTimeline,
    SlaState,
    Step,
    deal_metrics,
    evaluate,
)
from index.db import DealRow
from index.records import BriefRow, load_brief
from index.store import Store

SIGNED = "signed"
CSM_RATING = "csm_rating"
CUSTOMER_RATING = "customer_rating"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def record_step(store: Store, deal_id: str, step: str, at: datetime, actor: str) -> None:
    """Record the contract signature (``signed``) or a handoff step at a moment.

    Raises:
        InputError: ``at`` has no UTC offset, or a step is recorded before the signature.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise InputError("the time needs a UTC offset, e.g. 2026-04-20T15:00:00+02:00")
    if step != SIGNED:
        if step not in {s.value for s in Step}:
            raise InputError(f"unknown step {step!r}: use signed or one of "
                             f"{', '.join(s.value for s in Step)}")
        signed = latest(store, deal_id).get(SIGNED)
        if signed is None or signed.at_iso is None:
            raise InputError("record the contract signature first: the SLA clock starts there")
    with store.session() as s, s.begin():
        s.add(TimelineEventRow(deal_id=deal_id, kind=step, at_iso=at.isoformat(), actor=actor))


def record_rating(store: Store, deal_id: str, kind: str, rating: int, actor: str) -> None:
    """Record the CSM's rating of the handoff (``csm``) or the customer's survey (``customer``).

    Raises:
        InputError: The rating is not 1-5 or the kind is unknown.
    """
    if kind not in ("csm", "customer"):
        raise InputError(f"unknown rating {kind!r}: use csm or customer")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InputError("a rating is a whole number from 1 to 5")
    with store.session() as s, s.begin():
        s.add(TimelineEventRow(deal_id=deal_id, kind=f"{kind}_rating", rating=rating,
                               actor=actor))


def events(store: Store, deal_id: str) -> list[TimelineEventRow]:
    """Every recorded event of a deal, oldest first."""
    with store.session() as s:
        return list(s.scalars(select(TimelineEventRow).where(TimelineEventRow.deal_id == deal_id)
                              .order_by(TimelineEventRow.recorded_at, TimelineEventRow.id)))


def latest(store: Store, deal_id: str) -> dict[str, TimelineEventRow]:
    """The newest event of each kind."""
    return {e.kind: e for e in events(store, deal_id)}


def timeline_of(rows: dict[str, TimelineEventRow]) -> HandoffTimeline | None:
    """The :class:`HandoffTimeline` of a deal's latest events; None before the signature."""
    signed = rows.get(SIGNED)
    if signed is None or signed.at_iso is None:
        return None
    steps = {step.value: datetime.fromisoformat(row.at_iso)
             for step in Step if (row := rows.get(step.value)) and row.at_iso}
    return HandoffTimeline(signed_at=datetime.fromisoformat(signed.at_iso), **steps)


def _completeness(store: Store, deal_id: str) -> float:
    try:
        return load_brief(store, deal_id).completeness
    except NotFoundError:
        return 0.0


def record_for(store: Store, deal: DealRow, rows: dict[str, TimelineEventRow],
               team: str = "", rep: str = "") -> HandoffRecord | None:
    """The deal as input to the quality metrics; None before the contract is signed."""
    timeline = timeline_of(rows)
    if timeline is None:
        return None
    csm, customer = rows.get(CSM_RATING), rows.get(CUSTOMER_RATING)
    return HandoffRecord(deal_id=deal.id, team=team, rep=rep, timeline=timeline,
                         completeness=_completeness(store, deal.id),
                         csm_rating=csm.rating if csm else None,
                         customer_rating=customer.rating if customer else None)


def _owner(store: Store, deal: DealRow) -> tuple[str, str]:
    if deal.owner_id is None:
        return "", ""
    with store.session() as s:
        row = s.get(UserRow, deal.owner_id)
        return (row.team or "", row.email) if row is not None else ("", "")


def timeline_view(store: Store, deal: DealRow, now: datetime | None = None) -> TimelineOut:
    """Everything the timeline page and API show: steps, SLA states, metrics, the log."""
    now = now or utcnow()
    rows = latest(store, deal.id)
    team, rep = _owner(store, deal)
    record = record_for(store, deal, rows, team, rep)
    metrics = deal_metrics(record, now) if record is not None else None
    timeline = record.timeline if record is not None else None
    csm, customer = rows.get(CSM_RATING), rows.get(CUSTOMER_RATING)
    log = [TimelineEventOut(kind=e.kind, rating=e.rating, actor=e.actor,
                            recorded_at=_aware(e.recorded_at),
                            at=datetime.fromisoformat(e.at_iso) if e.at_iso else None)
           for e in events(store, deal.id)]
    return TimelineOut(
        deal_id=deal.id,
        signed_at=timeline.signed_at if timeline else None,
        steps={step: (timeline.done_at(step) if timeline else None) for step in Step},
        csm_rating=csm.rating if csm else None,
        customer_rating=customer.rating if customer else None,
        sla=metrics.sla if metrics else [],
        metrics=metrics,
        events=log,
    )


def handoff_status(store: Store, deal_id: str, documents: int, has_brief: bool,
                   now: datetime | None = None) -> HandoffStatus:
    """Where a deal stands: stage of the handoff and, once signed, the health of its SLAs."""
    rows = latest(store, deal_id)
    timeline = timeline_of(rows)
    if timeline is None:
        stage = (HandoffStage.BRIEF if has_brief else
                 HandoffStage.SOURCES if documents else HandoffStage.NEW)
        return HandoffStatus(stage=stage, sla=None)
    sla = evaluate(timeline, now or utcnow())
    states = {s.state for s in sla}
    health = (SlaHealth.OVERDUE if SlaState.OVERDUE in states else
              SlaHealth.BREACHED if SlaState.BREACHED in states else SlaHealth.ON_TRACK)
    stage = HandoffStage.KICKED_OFF if timeline.kickoff else HandoffStage.SIGNED
    return HandoffStatus(stage=stage, sla=health,
                         sla_met=sum(1 for s in sla if s.state == SlaState.MET),
                         sla_decided=sum(1 for s in sla if s.state != SlaState.PENDING))


def records(store: Store, deals: Sequence[DealRow]) -> list[HandoffRecord]:
    """Quality-metric inputs of every signed deal among ``deals`` (team = owner's team)."""
    out = []
    for deal in deals:
        team, rep = _owner(store, deal)
        record = record_for(store, deal, latest(store, deal.id), team, rep)
        if record is not None:
            out.append(record)
    return out


def has_brief(store: Store, deal_id: str) -> bool:
    """Whether the deal has a saved brief."""
    with store.session() as s:
        return s.get(BriefRow, deal_id) is not None
