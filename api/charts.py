"""Geometry of the small inline-SVG bar charts on the timeline and metrics pages.

No chart library and no script: the page draws ``<rect>`` and ``<line>`` elements at the
coordinates computed here, colours come from CSS classes. Pure functions, so the numbers are
easy to test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from handoff.timeline import SlaState, SlaStatus, Step

LABEL_WIDTH = 250
PLOT_WIDTH = 380
BAR_HEIGHT = 20
ROW_GAP = 10
TOP = 8


@dataclass(frozen=True)
class Bar:
    """One bar: its label, position, length, printed value and CSS class."""

    label: str
    y: float
    width: float
    text: str
    css: str
    marker_x: float | None = None  # the due line (timeline) or target line (metrics)


@dataclass(frozen=True)
class Chart:
    """The bars and the size of the SVG that holds them."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH

    @property
    def text_x(self) -> int:
        """Where the right-aligned labels end."""
        return self.label_width - 8


def _height(rows: int) -> int:
    return TOP * 2 + rows * (BAR_HEIGHT + ROW_GAP)


def sla_chart(statuses: list[SlaStatus], signed_at: datetime, now: datetime,
              label: Callable[[Step], str], hours: Callable[[float], str]) -> Chart:
    """Hours from the signature to each step (done, or still open until ``now``) vs. its due.

    Args:
        statuses: The SLA statuses of :func:`handoff.timeline.evaluate`.
        signed_at: The contract signature.
        now: The moment open steps are measured to.
        label: The display label of a step.
        hours: How to print a number of hours.
    """
    def after(moment: datetime) -> float:
        return max(0.0, (moment - signed_at).total_seconds() / 3600)

    spans = [(s, after(s.done_at or now), after(s.due_at)) for s in statuses]
    # The scale follows the dues and the steps done; a step left open for months would
    # otherwise squash every other bar to a pixel, so it is drawn clipped at the edge.
    top = max([1.0] + [d for _, _, d in spans]
              + [v for s, v, _ in spans if s.done_at is not None]) * 1.25
    scale = PLOT_WIDTH / top
    bars = []
    for row, (status, value, due) in enumerate(spans):
        css = f"state-{status.state.value}"
        if status.state in (SlaState.PENDING, SlaState.OVERDUE):
            css += " open"
        if value > top:
            css += " clipped"
        bars.append(Bar(
            label=label(status.step), y=TOP + row * (BAR_HEIGHT + ROW_GAP),
            width=round(min(value, top) * scale, 1), text=hours(value), css=css,
            marker_x=round(LABEL_WIDTH + due * scale, 1),
        ))
    return Chart(bars=bars, width=LABEL_WIDTH + PLOT_WIDTH + 70, height=_height(len(bars)))


def share_chart(shares: dict[Step, float], label: Callable[[Step], str],
                percent: Callable[[float], str]) -> Chart:
    """One bar per SLA step: the share of decided steps that were met (0..1)."""
    bars = [Bar(label=label(step), y=TOP + row * (BAR_HEIGHT + ROW_GAP),
                width=round(share * PLOT_WIDTH, 1), text=percent(share),
                css="share-ok" if share >= 0.5 else "share-low")
            for row, (step, share) in enumerate(shares.items())]
    return Chart(bars=bars, width=LABEL_WIDTH + PLOT_WIDTH + 70, height=_height(len(bars)))
