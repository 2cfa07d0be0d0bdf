"""The inline-SVG chart geometry: bars scale to the dues, a months-late step is clipped."""

from __future__ import annotations

from datetime import datetime, timedelta

from api.charts import LABEL_WIDTH, PLOT_WIDTH, share_chart, sla_chart
from handoff.timeline import HandoffTimeline, Step, evaluate

SIGNED = datetime.fromisoformat("2026-03-02T09:00:00+01:00")


def _chart(now: datetime, **steps: datetime) -> list:
    timeline = HandoffTimeline(signed_at=SIGNED, **steps)
    return sla_chart(evaluate(timeline, now), SIGNED, now, label=lambda s: s.value,
                     hours=lambda h: f"{h:.0f} h").bars


def test_bars_are_hours_after_signature_on_one_scale() -> None:
    bars = _chart(SIGNED + timedelta(hours=30),
                  internal_handoff_meeting=SIGNED + timedelta(hours=6))
    meeting, intro, joint, kickoff = bars
    assert meeting.text == "6 h" and "state-met" in meeting.css
    assert intro.text == "30 h" and "state-pending open" in intro.css
    assert abs(meeting.width * 5 - intro.width) < 1  # 6 h vs 30 h on the same scale
    assert meeting.marker_x < intro.marker_x < kickoff.marker_x  # dues 24 h, 48 h, 168 h
    assert joint.y < kickoff.y
    assert all(b.marker_x <= LABEL_WIDTH + PLOT_WIDTH for b in bars)


def test_a_step_open_for_months_is_clipped_not_squashing_the_rest() -> None:
    bars = _chart(SIGNED + timedelta(days=200),
                  internal_handoff_meeting=SIGNED + timedelta(hours=6))
    kickoff = bars[3]
    assert "overdue" in kickoff.css and "clipped" in kickoff.css
    assert kickoff.width == PLOT_WIDTH
    assert kickoff.text == f"{200 * 24} h"
    assert bars[0].width > 5  # the 6 h bar is still visible


def test_share_chart_one_bar_per_step() -> None:
    chart = share_chart({Step.INTRO_EMAIL: 0.25, Step.KICKOFF: 1.0}, label=lambda s: s.value,
                        percent=lambda x: f"{x:.0%}")
    assert [b.text for b in chart.bars] == ["25%", "100%"]
    assert chart.bars[1].width == PLOT_WIDTH and chart.bars[0].css == "share-low"
    assert chart.height > chart.bars[-1].y + 20
