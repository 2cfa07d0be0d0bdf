"""The handoff timeline: signature, steps, ratings, SLA statuses and the team metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import timeline_events, workspace
from api.access import Action, visible_deals
from api.auth import CurrentUser, StoreDep
from api.deps import DealDep
from api.problems import PROBLEM_RESPONSES, problem_responses
from api.schemas import RatingIn, TimelineEventIn, TimelineOut
from handoff.domain import utcnow
from handoff.timeline import TeamMetrics, aggregate

router = APIRouter(prefix="/api", tags=["timeline"], responses=PROBLEM_RESPONSES)


@router.get("/deals/{deal_id}/timeline", response_model=TimelineOut,
            summary="Handoff timeline with SLA statuses and metrics")
def get_timeline(access: DealDep) -> TimelineOut:
    """Each step's due time and state (met, breached, pending, overdue) right now, the deal's
    quality metrics and the log of recorded events."""
    return timeline_events.timeline_view(access.store, access.deal)


@router.post("/deals/{deal_id}/timeline/events", response_model=TimelineOut,
             summary="Record the contract signature or a handoff step")
def record_event(access: DealDep, body: TimelineEventIn) -> TimelineOut:
    """``signed`` starts the SLA clock; steps are internal_handoff_meeting, intro_email,
    joint_call, kickoff and first_cs_contact. Recording a step again replaces its time."""
    access.require(Action.TIMELINE)
    timeline_events.record_step(access.store, access.id, body.step, body.at, access.user.email)
    workspace.audit(access.store, access.id, access.user.email, "timeline", body.step,
                    {"at": body.at.isoformat()})
    return timeline_events.timeline_view(access.store, access.deal)


@router.post("/deals/{deal_id}/timeline/ratings", response_model=TimelineOut,
             summary="Record the CSM's rating or the customer's survey (1-5)",
             responses=problem_responses(403))
def record_rating(access: DealDep, body: RatingIn) -> TimelineOut:
    """``csm``: the assigned CSM rates the rep's handoff; ``customer``: the survey result."""
    access.require(Action.CSM_RATING if body.kind == "csm" else Action.CUSTOMER_RATING)
    timeline_events.record_rating(access.store, access.id, body.kind, body.rating,
                                  access.user.email)
    workspace.audit(access.store, access.id, access.user.email, "rating", body.kind,
                    {"rating": body.rating})
    return timeline_events.timeline_view(access.store, access.deal)


@router.get("/metrics/team", response_model=TeamMetrics,
            summary="Handoff quality metrics over the caller's deals")
def team_metrics(user: CurrentUser, store: StoreDep,
                 team: Annotated[str | None, Query(max_length=100,
                                                   description="Only this team's deals")] = None,
                 ) -> TeamMetrics:
    """Averages over the signed deals the caller may see (a manager: their team's): hours to
    first CS contact, days to kickoff, completeness, ratings, SLA shares, metrics below
    target."""
    with store.session() as s:
        deals = list(s.scalars(visible_deals(user)))
    return aggregate(timeline_events.records(store, deals), utcnow(), team=team)
