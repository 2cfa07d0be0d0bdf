"""Web pages of the handoff timeline (per deal) and the handoff quality metrics (per team)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api import timeline_events, workspace
from api.access import Action, visible_deals
from api.auth import CurrentUser, StoreDep
from api.charts import share_chart, sla_chart
from api.deps import DealAccess, DealDep
from api.web import Words, page_lang, render
from exports.formatting import format_percent
from handoff import labels
from handoff.domain import utcnow
from handoff.errors import InputError, NotFoundError
from handoff.labels import Lang
from handoff.timeline import Step, aggregate

router = APIRouter()

OFFSETS = [f"{'+' if h >= 0 else '-'}{abs(h):02d}:{m:02d}"
           for h in range(-12, 15) for m in (0, 30) if not (h == 14 and m)]
_OFFSET = re.compile(r"^[+-](0\d|1[0-4]):[03]0$")


def _lang_of(request: Request, access: DealAccess) -> Lang:
    try:
        brief = workspace.brief_of(access.store, access.deal)
    except NotFoundError:
        return page_lang(request)
    return page_lang(request, brief.language)


@router.get("/deals/{deal_id}/timeline")
def timeline_page(request: Request, access: DealDep) -> Response:
    """The SLA table and chart, the forms to record steps and ratings."""
    lang = _lang_of(request, access)
    words = Words(lang)
    now = utcnow()
    view = timeline_events.timeline_view(access.store, access.deal, now)
    chart = None
    if view.signed_at is not None:
        chart = sla_chart(view.sla, view.signed_at, now,
                          label=lambda step: words(f"step_{step.value}"),
                          hours=lambda h: labels.term_with("hours_short", lang, n=f"{h:.0f}"))
    return render(request, "timeline.html", lang=lang, deal=access.deal, view=view,
                  chart=chart, steps=["signed", *[s.value for s in Step]], offsets=OFFSETS,
                  can_rate_csm=access.may(Action.CSM_RATING),
                  can_rate_customer=access.may(Action.CUSTOMER_RATING))


def _moment(at: str, tz: str) -> datetime:
    if not _OFFSET.match(tz):
        raise InputError(f"{tz!r} is not a UTC offset like +02:00")
    try:
        return datetime.fromisoformat(f"{at}{tz}")
    except ValueError as exc:
        raise InputError(f"{at!r} is not a date and time like 2026-04-20T15:00") from exc


@router.post("/deals/{deal_id}/timeline")
def record_step(access: DealDep, step: Annotated[str, Form(max_length=40)],
                at: Annotated[str, Form(max_length=40)],
                tz: Annotated[str, Form(max_length=6)] = "+00:00") -> Response:
    """Record the signature or a step from the timeline form."""
    access.require(Action.TIMELINE)
    moment = _moment(at, tz)
    timeline_events.record_step(access.store, access.id, step, moment, access.user.email)
    workspace.audit(access.store, access.id, access.user.email, "timeline", step,
                    {"at": moment.isoformat()})
    return RedirectResponse(f"/deals/{access.id}/timeline", status_code=303)


@router.post("/deals/{deal_id}/ratings")
def record_rating(access: DealDep, kind: Annotated[str, Form(max_length=10)],
                  rating: Annotated[int, Form(ge=1, le=5)]) -> Response:
    """Record the CSM's rating or the customer survey."""
    if kind not in ("csm", "customer"):
        raise InputError(f"unknown rating {kind!r}: use csm or customer")
    access.require(Action.CSM_RATING if kind == "csm" else Action.CUSTOMER_RATING)
    timeline_events.record_rating(access.store, access.id, kind, rating, access.user.email)
    workspace.audit(access.store, access.id, access.user.email, "rating", kind,
                    {"rating": rating})
    return RedirectResponse(f"/deals/{access.id}/timeline", status_code=303)


@router.get("/metrics")
def metrics_page(request: Request, user: CurrentUser, store: StoreDep,
                 team: str | None = None) -> Response:
    """Handoff quality over the user's signed deals, per team."""
    lang = page_lang(request)
    words = Words(lang)
    with store.session() as s:
        deals = list(s.scalars(visible_deals(user)))
    records = timeline_events.records(store, deals)
    teams = sorted({r.team for r in records if r.team})
    chosen = team if team in teams else None
    metrics = aggregate(records, utcnow(), team=chosen)
    chart = share_chart(metrics.sla_met_share_by_step,
                        label=lambda step: words(f"step_{step.value}"),
                        percent=lambda share: format_percent(share, lang))
    return render(request, "metrics.html", lang=lang, metrics=metrics, chart=chart,
                  teams=teams, team=chosen)
