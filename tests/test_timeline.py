"""Handoff SLAs and quality metrics, evaluated at fixed moments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from handoff.timeline import (
    DEFAULT_RULES,
    FIRST_CONTACT_RULE,
    HandoffRecord,
    HandoffTimeline,
    SlaState,
    Step,
    add_business_days,
    aggregate,
    aggregate_by_team,
    deal_metrics,
    evaluate,
)

BERLIN = timezone(timedelta(hours=1))
THU = datetime(2026, 3, 12, 10, 0, tzinfo=BERLIN)  # Thursday
SAT = datetime(2026, 3, 14, 10, 0, tzinfo=BERLIN)


def _by_step(statuses):
    return {s.step: s for s in statuses}


def test_intro_email_after_50_hours_breaches_the_48_hour_sla():
    timeline = HandoffTimeline(signed_at=THU, internal_handoff_meeting=THU + timedelta(hours=23),
                               intro_email=THU + timedelta(hours=50))

    status = _by_step(evaluate(timeline, THU + timedelta(days=3)))

    assert status[Step.INTERNAL_HANDOFF_MEETING].state == SlaState.MET
    assert status[Step.INTRO_EMAIL].state == SlaState.BREACHED
    assert status[Step.INTRO_EMAIL].hours_late == 2.0
    assert status[Step.INTRO_EMAIL].due_at == THU + timedelta(hours=48)


def test_joint_call_counts_business_days_over_the_weekend():
    due = datetime(2026, 3, 19, 10, 0, tzinfo=BERLIN)  # Thursday a week later
    on_time = HandoffTimeline(signed_at=THU, joint_call=due - timedelta(hours=1))
    late = HandoffTimeline(signed_at=THU, joint_call=due + timedelta(days=1))

    assert _by_step(evaluate(on_time, due))[Step.JOINT_CALL].state == SlaState.MET
    after = _by_step(evaluate(late, due + timedelta(days=2)))[Step.JOINT_CALL]
    assert after.state == SlaState.BREACHED and after.due_at == due


def test_weekend_signature_and_holidays_shift_the_business_day_deadline():
    assert add_business_days(SAT, 5) == datetime(2026, 3, 20, 10, 0, tzinfo=BERLIN)  # Friday
    good_friday = date(2026, 4, 3)
    easter_monday = date(2026, 4, 6)
    signed = datetime(2026, 4, 1, 9, 0, tzinfo=BERLIN)  # Wednesday before Easter
    assert add_business_days(signed, 5, [good_friday, easter_monday]) == datetime(
        2026, 4, 10, 9, 0, tzinfo=BERLIN)
    assert add_business_days(signed, 0) == signed
    with pytest.raises(ValueError):
        add_business_days(signed, -1)


def test_weekday_is_judged_in_the_signature_offset():
    # Monday 00:30 in Berlin is still Sunday 23:30 in UTC: the signature's own offset decides.
    monday_early = datetime(2026, 3, 16, 0, 30, tzinfo=BERLIN)
    assert add_business_days(monday_early, 1).weekday() == 1  # Tuesday
    assert add_business_days(monday_early.astimezone(UTC), 1).weekday() == 0  # Monday in UTC


def test_pending_steps_become_overdue_once_past_due():
    timeline = HandoffTimeline(signed_at=THU)

    early = _by_step(evaluate(timeline, THU + timedelta(hours=10)))
    late = _by_step(evaluate(timeline, THU + timedelta(hours=60)))

    assert {s.state for s in early.values()} == {SlaState.PENDING}
    assert early[Step.INTRO_EMAIL].hours_late is None
    assert late[Step.INTERNAL_HANDOFF_MEETING].state == SlaState.OVERDUE
    assert late[Step.INTRO_EMAIL].state == SlaState.OVERDUE
    assert late[Step.INTRO_EMAIL].hours_late == 12.0
    assert late[Step.JOINT_CALL].state == SlaState.PENDING
    assert late[Step.KICKOFF].state == SlaState.PENDING


def test_first_cs_contact_rule_uses_the_earliest_cs_touchpoint():
    timeline = HandoffTimeline(signed_at=THU, joint_call=THU + timedelta(hours=30))

    (status,) = evaluate(timeline, THU + timedelta(days=10), rules=[FIRST_CONTACT_RULE])

    assert status.state == SlaState.MET
    assert status.done_at == THU + timedelta(hours=30)


def test_naive_times_are_refused():
    with pytest.raises(ValidationError):
        HandoffTimeline(signed_at=datetime(2026, 3, 12, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate(HandoffTimeline(signed_at=THU), datetime(2026, 3, 13))


@pytest.mark.parametrize("bad", [0, 6, -1, 4.5, "4", True])
def test_ratings_accept_only_whole_numbers_from_1_to_5(bad):
    with pytest.raises(ValidationError):
        HandoffRecord(deal_id="d", timeline=HandoffTimeline(signed_at=THU), completeness=0.5,
                      csm_rating=bad)
    with pytest.raises(ValidationError):
        HandoffRecord(deal_id="d", timeline=HandoffTimeline(signed_at=THU), completeness=0.5,
                      customer_rating=bad)


@pytest.mark.parametrize("good", [1, 3, 5, None])
def test_valid_ratings(good):
    record = HandoffRecord(deal_id="d", timeline=HandoffTimeline(signed_at=THU),
                           completeness=0.5, csm_rating=good, customer_rating=good)
    assert record.csm_rating == good


def test_completeness_must_be_a_share():
    with pytest.raises(ValidationError):
        HandoffRecord(deal_id="d", timeline=HandoffTimeline(signed_at=THU), completeness=79)


def _record(deal: str, team: str, *, contact_h: float | None, kickoff_d: float | None,
            completeness: float, csm: int | None, customer: int | None,
            email_h: float | None = 24) -> HandoffRecord:
    def at(hours: float | None) -> datetime | None:
        return THU + timedelta(hours=hours) if hours is not None else None
    return HandoffRecord(
        deal_id=deal, team=team,
        timeline=HandoffTimeline(
            signed_at=THU, internal_handoff_meeting=at(12), intro_email=at(email_h),
            first_cs_contact=at(contact_h),
            joint_call=at(contact_h + 1 if contact_h is not None else None),
            kickoff=at(kickoff_d * 24 if kickoff_d is not None else None)),
        completeness=completeness, csm_rating=csm, customer_rating=customer)


def test_deal_metrics():
    record = _record("a", "emea", contact_h=30, kickoff_d=6, completeness=0.9, csm=4,
                     customer=5)

    m = deal_metrics(record, THU + timedelta(days=20))

    assert m.hours_to_first_cs_contact == 30.0
    assert m.days_to_kickoff == 6.0
    assert (m.sla_met, m.sla_decided) == (4, 4)


def test_aggregate_averages_and_share_of_slas_met():
    now = THU + timedelta(days=20)
    records = [
        _record("a", "emea", contact_h=30, kickoff_d=6, completeness=1.0, csm=5, customer=5),
        _record("b", "emea", contact_h=70, kickoff_d=9, completeness=0.8, csm=3, customer=4,
                email_h=50),
        _record("c", "us", contact_h=None, kickoff_d=None, completeness=0.5, csm=None,
                customer=None, email_h=None),
    ]

    emea = aggregate(records, now, team="emea")
    everyone = aggregate(records, now)

    assert emea.deals == 2
    assert emea.avg_hours_to_first_cs_contact == 50.0
    assert emea.share_first_contact_within_target == 0.5
    assert emea.avg_days_to_kickoff == 7.5
    assert emea.avg_completeness == 0.9 and emea.share_complete == 0.5
    assert emea.avg_csm_rating == 4.0 and emea.avg_customer_rating == 4.5
    # a: 4 met; b: meeting met, email breached, joint call (71 h, within 5 bd) met, kickoff late
    assert emea.sla_met_share == round(6 / 8, 4)
    assert emea.sla_met_share_by_step[Step.INTRO_EMAIL] == 0.5
    assert "avg_hours_to_first_cs_contact" in emea.below_target
    assert "avg_days_to_kickoff" in emea.below_target
    assert "avg_customer_rating" not in emea.below_target
    # deal c: meeting met; email, joint call and kickoff overdue by now
    assert everyone.sla_met_share == round(7 / 12, 4)
    assert everyone.avg_csm_rating == 4.0  # deals without a rating do not drag the mean


def test_pending_steps_do_not_count_against_the_share():
    fresh = _record("n", "emea", contact_h=None, kickoff_d=None, completeness=0.6, csm=None,
                    customer=None, email_h=None)

    result = aggregate([fresh], THU + timedelta(hours=13))

    assert result.sla_met_share == 1.0  # only the internal meeting is decided, and met
    assert Step.KICKOFF not in result.sla_met_share_by_step


def test_aggregate_by_team_and_empty_input():
    now = THU + timedelta(days=20)
    records = [
        _record("a", "us", contact_h=10, kickoff_d=3, completeness=1.0, csm=5, customer=5),
        _record("b", "emea", contact_h=10, kickoff_d=3, completeness=1.0, csm=5, customer=5),
    ]

    teams = aggregate_by_team(records, now)
    empty = aggregate([], now)

    assert list(teams) == ["emea", "us"]
    assert teams["us"].team == "us" and teams["us"].below_target == []
    assert empty.deals == 0 and empty.sla_met_share is None and empty.avg_completeness is None


def test_default_rules_cover_the_four_handoff_slas():
    assert [(r.step, r.limit, r.unit) for r in DEFAULT_RULES] == [
        (Step.INTERNAL_HANDOFF_MEETING, 24, "hours"),
        (Step.INTRO_EMAIL, 48, "hours"),
        (Step.JOINT_CALL, 5, "business_days"),
        (Step.KICKOFF, 7, "days"),
    ]
