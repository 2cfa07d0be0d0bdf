"""The handoff timeline, its SLAs and the handoff quality metrics.

Design note: everything here is a pure function of its inputs. ``now`` is always passed in,
never read from the clock, so a test (or a report run for last quarter) evaluates exactly
the moment it asks about. Timestamps must carry a UTC offset; weekends for the business-day
rule are judged in the offset of the contract signature, which is the customer's local
week in practice.

SLA rules follow the handoff process: the internal handoff meeting within 24 hours of the
signature, the rep's introduction email within 48 hours, the joint handoff call within five
business days (Saturdays, Sundays and given holidays do not count) and the implementation
kickoff within seven days. A step is *met* when done by its due time, *breached* when done
late, *pending* while not done and not yet due, and *overdue* when not done and past due.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from statistics import fmean
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator


class Step(StrEnum):
    """The milestones of a handoff after the contract is signed."""

    INTERNAL_HANDOFF_MEETING = "internal_handoff_meeting"
    INTRO_EMAIL = "intro_email"
    JOINT_CALL = "joint_call"
    KICKOFF = "kickoff"
    FIRST_CS_CONTACT = "first_cs_contact"


class SlaState(StrEnum):
    MET = "met"
    BREACHED = "breached"
    PENDING = "pending"
    OVERDUE = "overdue"


class HandoffTimeline(BaseModel):
    """When the contract was signed and when each handoff step happened (``None``: not yet)."""

    signed_at: AwareDatetime
    internal_handoff_meeting: AwareDatetime | None = None
    intro_email: AwareDatetime | None = None
    joint_call: AwareDatetime | None = None
    kickoff: AwareDatetime | None = None
    first_cs_contact: AwareDatetime | None = None

    def done_at(self, step: Step) -> datetime | None:
        """When ``step`` happened, or ``None`` while it has not.

        For :attr:`Step.FIRST_CS_CONTACT` this is :meth:`first_contact_at`.
        """
        if step == Step.FIRST_CS_CONTACT:
            return self.first_contact_at()
        value: datetime | None = getattr(self, step.value)
        return value

    def first_contact_at(self) -> datetime | None:
        """The first time CS spoke to the customer.

        The joint call and the kickoff are CS contacts too, so the earliest of the three
        counts even when nobody logged ``first_cs_contact`` separately.
        """
        times = [t for t in (self.first_cs_contact, self.joint_call, self.kickoff) if t]
        return min(times) if times else None


class SlaRule(BaseModel):
    """A step must be done within ``limit`` ``unit`` after the contract signature."""

    step: Step
    limit: int = Field(gt=0)
    unit: Literal["hours", "days", "business_days"]

    def due(self, signed_at: datetime, holidays: Iterable[date] = ()) -> datetime:
        """The latest moment the step may happen and still meet the rule."""
        if self.unit == "hours":
            return signed_at + timedelta(hours=self.limit)
        if self.unit == "days":
            return signed_at + timedelta(days=self.limit)
        return add_business_days(signed_at, self.limit, holidays)


DEFAULT_RULES: tuple[SlaRule, ...] = (
    SlaRule(step=Step.INTERNAL_HANDOFF_MEETING, limit=24, unit="hours"),
    SlaRule(step=Step.INTRO_EMAIL, limit=48, unit="hours"),
    SlaRule(step=Step.JOINT_CALL, limit=5, unit="business_days"),
    SlaRule(step=Step.KICKOFF, limit=7, unit="days"),
)

FIRST_CONTACT_RULE = SlaRule(step=Step.FIRST_CS_CONTACT, limit=48, unit="hours")
"""Optional extra rule: CS speaks to the customer within 48 hours of the signature."""

# Targets of the handoff quality metrics.
FIRST_CONTACT_TARGET_HOURS = 48.0
COMPLETENESS_TARGET = 0.95
CUSTOMER_RATING_TARGET = 4.5
REP_RATING_TARGET = 4.0
KICKOFF_TARGET_DAYS = 7.0


class SlaStatus(BaseModel):
    """How one step stands against its rule at a given moment."""

    step: Step
    state: SlaState
    due_at: datetime
    done_at: datetime | None = None
    hours_late: float | None = None  # > 0 for breached and overdue steps


def add_business_days(start: datetime, days: int, holidays: Iterable[date] = ()) -> datetime:
    """Move ``days`` working days forward, keeping the time of day.

    Saturdays, Sundays and ``holidays`` are skipped. A signature on a weekend starts the
    count on the next working day: signed Saturday, five business days end Friday.

    Args:
        start: The moment counting starts (its own UTC offset decides the weekday).
        days: Working days to add; must not be negative.
        holidays: Dates that are not working days.

    Raises:
        ValueError: ``days`` is negative.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    off = set(holidays)
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if current.weekday() < 5 and current.date() not in off:
            remaining -= 1
    return current


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def evaluate(
    timeline: HandoffTimeline,
    now: datetime,
    rules: Sequence[SlaRule] = DEFAULT_RULES,
    holidays: Iterable[date] = (),
) -> list[SlaStatus]:
    """Check every SLA rule of a deal at the moment ``now``.

    Args:
        timeline: The deal's signature and step times.
        now: The moment of evaluation (timezone-aware).
        rules: The SLA rules; the four rules of the handoff process by default.
        holidays: Dates the business-day rule skips.

    Returns:
        One status per rule, in the order of ``rules``.

    Raises:
        ValueError: ``now`` has no UTC offset.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    off = tuple(holidays)
    statuses: list[SlaStatus] = []
    for rule in rules:
        due_at = rule.due(timeline.signed_at, off)
        done_at = timeline.done_at(rule.step)
        if done_at is not None:
            late = done_at > due_at
            statuses.append(SlaStatus(
                step=rule.step, state=SlaState.BREACHED if late else SlaState.MET,
                due_at=due_at, done_at=done_at,
                hours_late=_hours(done_at - due_at) if late else None,
            ))
        elif now > due_at:
            statuses.append(SlaStatus(step=rule.step, state=SlaState.OVERDUE, due_at=due_at,
                                      hours_late=_hours(now - due_at)))
        else:
            statuses.append(SlaStatus(step=rule.step, state=SlaState.PENDING, due_at=due_at))
    return statuses


# --------------------------------------------------------------------------- quality metrics

Rating = Annotated[int, Field(strict=True, ge=1, le=5)]
"""A 1-5 score; floats, strings and booleans are refused rather than coerced."""


class HandoffRecord(BaseModel):
    """What is known about one deal's handoff, as input to the quality metrics."""

    deal_id: str
    team: str = ""
    rep: str = ""
    timeline: HandoffTimeline
    completeness: float = Field(ge=0.0, le=1.0)
    csm_rating: Rating | None = None       # the CSM's rating of the rep's handoff
    customer_rating: Rating | None = None  # the customer's "how smooth was it" survey


class DealMetrics(BaseModel):
    """The quality metrics of one deal at a moment."""

    deal_id: str
    team: str
    hours_to_first_cs_contact: float | None
    days_to_kickoff: float | None
    completeness: float
    csm_rating: int | None
    customer_rating: int | None
    sla: list[SlaStatus]
    sla_met: int
    sla_decided: int  # met + breached + overdue; pending steps are not decided yet


class TeamMetrics(BaseModel):
    """Averages over many deals; ``None`` where no deal has the value yet."""

    team: str | None
    deals: int
    avg_hours_to_first_cs_contact: float | None
    share_first_contact_within_target: float | None
    avg_days_to_kickoff: float | None
    avg_completeness: float | None
    share_complete: float | None  # deals at or above the completeness target
    avg_csm_rating: float | None
    avg_customer_rating: float | None
    sla_met_share: float | None
    sla_met_share_by_step: dict[Step, float]
    below_target: list[str]  # names of metrics that miss their target

    @model_validator(mode="after")
    def _shares_in_range(self) -> TeamMetrics:
        shares = [self.share_first_contact_within_target, self.share_complete,
                  self.sla_met_share, *self.sla_met_share_by_step.values()]
        if any(s is not None and not 0.0 <= s <= 1.0 for s in shares):
            raise ValueError("shares must lie between 0 and 1")
        return self


def deal_metrics(
    record: HandoffRecord,
    now: datetime,
    rules: Sequence[SlaRule] = DEFAULT_RULES,
    holidays: Iterable[date] = (),
) -> DealMetrics:
    """The quality metrics of one deal.

    Args:
        record: The deal's timeline, completeness and ratings.
        now: The moment of evaluation (timezone-aware).
        rules: SLA rules to check.
        holidays: Dates the business-day rule skips.
    """
    sla = evaluate(record.timeline, now, rules, holidays)
    signed = record.timeline.signed_at
    contact = record.timeline.first_contact_at()
    kickoff = record.timeline.kickoff
    return DealMetrics(
        deal_id=record.deal_id,
        team=record.team,
        hours_to_first_cs_contact=_hours(contact - signed) if contact else None,
        days_to_kickoff=round((kickoff - signed).total_seconds() / 86400, 2) if kickoff else None,
        completeness=record.completeness,
        csm_rating=record.csm_rating,
        customer_rating=record.customer_rating,
        sla=sla,
        sla_met=sum(1 for s in sla if s.state == SlaState.MET),
        sla_decided=sum(1 for s in sla if s.state != SlaState.PENDING),
    )


def _mean(values: Iterable[float | int | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return round(fmean(present), 4) if present else None


def _share(flags: Iterable[bool]) -> float | None:
    seen = list(flags)
    return round(sum(seen) / len(seen), 4) if seen else None


def _below_target(m: TeamMetrics) -> list[str]:
    # (metric, value, target, higher is better)
    checks: tuple[tuple[str, float | None, float, bool], ...] = (
        ("avg_hours_to_first_cs_contact", m.avg_hours_to_first_cs_contact,
         FIRST_CONTACT_TARGET_HOURS, False),
        ("avg_completeness", m.avg_completeness, COMPLETENESS_TARGET, True),
        ("avg_customer_rating", m.avg_customer_rating, CUSTOMER_RATING_TARGET, True),
        ("avg_csm_rating", m.avg_csm_rating, REP_RATING_TARGET, True),
        ("avg_days_to_kickoff", m.avg_days_to_kickoff, KICKOFF_TARGET_DAYS, False),
    )
    return [
        name for name, value, target, higher in checks
        if value is not None and (value < target if higher else value > target)
    ]


def aggregate(
    records: Sequence[HandoffRecord],
    now: datetime,
    *,
    team: str | None = None,
    rules: Sequence[SlaRule] = DEFAULT_RULES,
    holidays: Iterable[date] = (),
) -> TeamMetrics:
    """Average the quality metrics over many deals.

    Args:
        records: The deals; with ``team`` given, only that team's deals count.
        now: The moment of evaluation (timezone-aware).
        team: Restrict to one team; ``None`` aggregates everything given.
        rules: SLA rules to check.
        holidays: Dates the business-day rule skips.

    Returns:
        Averages, shares and the metrics that miss their targets. Pending SLA steps do not
        count toward the share met until they are met, breached or overdue.
    """
    off = tuple(holidays)
    chosen = [r for r in records if team is None or r.team == team]
    per_deal = [deal_metrics(r, now, rules, off) for r in chosen]
    decided = [s for m in per_deal for s in m.sla if s.state != SlaState.PENDING]
    by_step: dict[Step, float] = {}
    for rule in rules:
        share = _share(s.state == SlaState.MET for s in decided if s.step == rule.step)
        if share is not None:
            by_step[rule.step] = share
    contact_hours = [m.hours_to_first_cs_contact for m in per_deal
                     if m.hours_to_first_cs_contact is not None]
    result = TeamMetrics(
        team=team,
        deals=len(per_deal),
        avg_hours_to_first_cs_contact=_mean(contact_hours),
        share_first_contact_within_target=_share(
            h <= FIRST_CONTACT_TARGET_HOURS for h in contact_hours),
        avg_days_to_kickoff=_mean(m.days_to_kickoff for m in per_deal),
        avg_completeness=_mean(m.completeness for m in per_deal),
        share_complete=_share(m.completeness >= COMPLETENESS_TARGET for m in per_deal),
        avg_csm_rating=_mean(m.csm_rating for m in per_deal),
        avg_customer_rating=_mean(m.customer_rating for m in per_deal),
        sla_met_share=_share(s.state == SlaState.MET for s in decided),
        sla_met_share_by_step=by_step,
        below_target=[],
    )
    result.below_target = _below_target(result)
    return result


def aggregate_by_team(
    records: Sequence[HandoffRecord],
    now: datetime,
    *,
    rules: Sequence[SlaRule] = DEFAULT_RULES,
    holidays: Iterable[date] = (),
) -> dict[str, TeamMetrics]:
    """:func:`aggregate` once per team, keyed by team name (sorted)."""
    teams = sorted({r.team for r in records})
    return {t: aggregate(records, now, team=t, rules=rules, holidays=holidays) for t in teams}
