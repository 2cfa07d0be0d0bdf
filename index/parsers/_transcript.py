"""What every call-transcript format shares: turns, clock times and the readable layout.

Each transcript parser (WebVTT, SRT, Otter/Fireflies text, Gong JSON) reduces its input to a
list of `Turn` objects; `build_transcript` then writes one line per turn,

    [00:12:03] Anna Keller: we need the SAP connector before go-live

with the segment spanning only the utterance, so a quote never has to include the label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handoff.domain import ParsedDocument, SegmentKind, SourceKind

from ._build import DocumentBuilder

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")
_WS = re.compile(r"\s+")
_SPEAKER_N = re.compile(r"^(?:Speaker|Sprecher|Teilnehmer|Participant)\s*\d+$", re.IGNORECASE)
_PARTICLES = frozenset(
    "von van der den de da zu del la le di du ten ter y und and bin al".split()
)


@dataclass
class Turn:
    """One speaker turn before layout.

    Attributes:
        speaker: The speaker's name, or None when the source does not say.
        text: What was said.
        seconds: When the turn starts, in seconds from the start of the call.
        title: The speaker's job title, when the source says so (Gong parties).
        meta: Extra string fields; ``end`` and cue ids are kept here.
    """

    speaker: str | None
    text: str
    seconds: float | None = None
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


def parse_clock(value: str) -> float | None:
    """Seconds from a clock time such as ``0:03``, ``12:03``, ``01:02:33.120`` or ``00:00:03,5``.

    Returns:
        The seconds, or None when the value is not a clock time (or minutes/seconds >= 60).
    """
    match = _CLOCK.match(value.strip())
    if not match:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        return None
    total = float(int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds))
    if fraction:
        total += int(fraction.ljust(3, "0")) / 1000
    return total


def looks_like_name(value: str, *, strict: bool = False) -> bool:
    """Whether a label can be a speaker's name (``Anna Keller``, ``Dr. J. Weber``, ``Speaker 2``).

    Args:
        value: The candidate label.
        strict: Also require capitalised words, for a name that stands alone on a line and so
            could as well be a one-line sentence.
    """
    value = value.strip()
    if _SPEAKER_N.match(value):
        return True
    if not 2 <= len(value) <= 60:
        return False
    words = value.split()
    if len(words) > 6 or value[-1] in ".?!,;:" or not (value[0].isalpha() or value[0] == "("):
        return False
    if any(ch.isdigit() for ch in value):
        return False
    if strict:
        return all(w[0].isupper() or w[0] == "(" or w in _PARTICLES for w in words)
    return True


def clock(seconds: float) -> str:
    """Format seconds as ``HH:MM:SS``."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def one_line(text: str) -> str:
    """Collapse the line breaks of a caption into single spaces."""
    return _WS.sub(" ", text).strip()


def merge_turns(turns: list[Turn]) -> list[Turn]:
    """Merge consecutive turns of the same known speaker, keeping the first start time.

    Captions split one utterance into many short cues; merging them gives the extractor whole
    sentences and the reader one line per turn. Turns without a speaker are never merged, so
    their timestamps survive.
    """
    merged: list[Turn] = []
    for turn in turns:
        if not turn.text:
            continue
        prev = merged[-1] if merged else None
        if prev is not None and turn.speaker and prev.speaker == turn.speaker:
            prev.text = f"{prev.text} {turn.text}"
            prev.title = prev.title or turn.title
            if "end" in turn.meta:
                prev.meta["end"] = turn.meta["end"]
            if "cue" in turn.meta:
                prev.meta["last_cue"] = turn.meta["cue"]
            prev.meta["merged"] = str(int(prev.meta.get("merged", "1")) + 1)
            continue
        merged.append(Turn(turn.speaker, turn.text, turn.seconds, turn.title, dict(turn.meta)))
    return merged


def add_turns(builder: DocumentBuilder, turns: list[Turn]) -> None:
    """Write turns as ``[HH:MM:SS] Speaker: text`` lines, each utterance one segment."""
    for number, turn in enumerate(turns, start=1):
        stamp = clock(turn.seconds) if turn.seconds is not None else None
        label = turn.speaker or "Unknown speaker"
        prefix = f"[{stamp}] {label}: " if stamp else f"{label}: "
        locator = " ".join(p for p in (stamp, turn.speaker) if p) or f"turn {number}"
        builder.segment(
            SegmentKind.TURN,
            one_line(turn.text),
            prefix=prefix,
            speaker=turn.speaker,
            speaker_title=turn.title,
            timestamp=stamp,
            locator=locator,
            meta=turn.meta,
        )


def build_transcript(
    filename: str, fmt: str, turns: list[Turn], meta: dict[str, str] | None = None
) -> ParsedDocument:
    """Lay out merged turns as a transcript document.

    Args:
        filename: The file's name as uploaded.
        fmt: The format name.
        turns: The turns in call order (merged here).
        meta: Document metadata; ``speakers`` and ``turns`` are added.

    Raises:
        ParseError: no turn has any text.
    """
    merged = merge_turns(turns)
    builder = DocumentBuilder(filename, fmt, SourceKind.TRANSCRIPT)
    add_turns(builder, merged)
    return builder.build(transcript_meta(merged, meta))


def transcript_meta(turns: list[Turn], meta: dict[str, str] | None) -> dict[str, str]:
    """Document metadata of a transcript: the given fields plus speakers and turn count."""
    speakers = list(dict.fromkeys(t.speaker for t in turns if t.speaker))
    out = dict(meta or {})
    out["speakers"] = ", ".join(speakers)
    out["turns"] = str(len(turns))
    return out
