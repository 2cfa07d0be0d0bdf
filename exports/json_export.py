"""The brief as JSON: the full model plus every display label, for other tools and the web.

The ``brief`` member is exactly ``HandoffBrief.model_dump_json()`` (rejected items
included, with their status), so the export round-trips through
``HandoffBrief.model_validate``. Around it sit the labels in both languages and a few
values the model only computes on demand (whether an item is grounded, the value to show),
so a consumer does not have to re-implement those rules and get them subtly wrong.
"""

from __future__ import annotations

import json
from typing import Any

from handoff.domain import GapStatus, HandoffBrief, ItemStatus
from handoff.labels import all_labels

FORMAT = "handoff-brief"
FORMAT_VERSION = 1


def _derived(brief: HandoffBrief) -> dict[str, Any]:
    return {
        "items": {
            item.id: {
                "grounded": item.grounded,
                "shown_value": item.shown_value,
                "verbal": item.verbal or item.key == "commitments.verbal",
                "unresolved": item.unresolved,
                "visible": item.status != ItemStatus.REJECTED,
            }
            for item in brief.items
        },
        "open_gap_ids": [g.id for g in brief.gaps if g.status == GapStatus.OPEN],
    }


def render_json(brief: HandoffBrief, *, indent: int | None = 2) -> str:
    """Serialise the brief with its labels.

    Args:
        brief: The handoff brief.
        indent: Spaces per level; ``None`` writes one compact line.

    Returns:
        A JSON document ``{"format", "version", "brief", "labels", "derived"}``; non-ASCII
        text (German umlauts) is written as is.
    """
    payload = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "brief": json.loads(brief.model_dump_json()),
        "labels": all_labels(),
        "derived": _derived(brief),
    }
    return json.dumps(payload, ensure_ascii=False, indent=indent)


def load_brief(text: str) -> HandoffBrief:
    """Read a brief back from :func:`render_json` output.

    Raises:
        ValueError: the text is not a handoff-brief export.
        pydantic.ValidationError: the embedded brief does not match the model.
    """
    payload = json.loads(text)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError("not a handoff-brief JSON export")
    return HandoffBrief.model_validate(payload["brief"])
