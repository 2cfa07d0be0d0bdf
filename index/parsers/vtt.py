"""WebVTT call transcripts as exported by Zoom and Microsoft Teams.

Three speaker conventions occur in the wild and are all read here:

* Zoom: ``Anna Keller: text`` as the cue text;
* Zoom (older) and some recorders: the speaker's name alone on the first line of the cue;
* Teams: ``<v Anna Keller>text</v>`` voice spans, cue ids like ``3f2a.../12-0``.

webvtt-py does the cue parsing. It silently drops cues whose timing line is broken, so the
file is first checked block by block here: a rep must hear that cue 3 is damaged rather than
get a transcript with a hole in it.
"""

from __future__ import annotations

import html
import re
from collections import Counter

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from handoff.domain import ParsedDocument
from handoff.errors import ParseError

from ._decode import decode_text
from ._transcript import Turn, build_transcript, looks_like_name, one_line, parse_clock

_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)
_TS = r"(?:\d+:)?\d{1,2}:\d{1,2}\.\d{1,3}"
_TIMING = re.compile(rf"^\s*({_TS})\s*-->\s*({_TS})(?:\s|$)")
_COMMA_TIME = re.compile(r"(\d{1,2}:\d{2}),(\d{1,3})\b")
_ALMOST_TIMING = re.compile(r"^\s*\d{1,2}:\d")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)*\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]*>")
_COLON_SPEAKER = re.compile(r"^([^:<>]{1,60}?):\s+(\S.*)$", re.DOTALL)


def parse(data: bytes, filename: str) -> ParsedDocument:
    """Parse a WebVTT transcript into speaker turns.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded.

    Raises:
        ParseError: the file is not WebVTT, a cue's timing line is broken, or no cue has text.
    """
    # a line of only spaces must still end a cue (webvtt-py would glue the next cue on)
    text = _TRAILING.sub("", decode_text(data, filename)).lstrip()
    if not text.startswith("WEBVTT"):
        if "-->" not in text:
            raise ParseError(filename, "not a WebVTT file (the first line must be WEBVTT)")
        text = "WEBVTT\n\n" + text  # a header-less export: the cues themselves are fine
    check_timings(text, filename, "WebVTT cue")
    text = decimal_points(text)  # webvtt-py would drop cues written with SRT-style commas
    try:
        captions = webvtt.from_string(text).captions
    except (MalformedFileError, MalformedCaptionError, ValueError) as exc:
        raise ParseError(filename, f"not a readable WebVTT file ({exc})") from exc

    turns = captions_to_turns(captions)
    meta = {"cues": str(len(captions))}
    if captions:
        meta["duration"] = captions[-1].end
    return build_transcript(filename, "vtt", turns, meta)


def captions_to_turns(captions: list[webvtt.Caption]) -> list[Turn]:
    """Turn parsed captions (WebVTT or SRT) into speaker turns, one or more per cue."""
    cues = [_cue_lines(c.lines) for c in captions]
    own_line_names = _own_line_names(cues)
    colon_share = sum(1 for lines in cues if _colon_speaker(" ".join(lines))) / max(len(cues), 1)
    turns: list[Turn] = []
    for number, (caption, lines) in enumerate(zip(captions, cues, strict=True), start=1):
        cue = caption.identifier or str(number)
        meta = {"start": caption.start, "end": caption.end, "cue": cue}
        for speaker, said in _speaker_parts(caption.lines, lines, own_line_names, colon_share):
            turns.append(Turn(speaker, said, parse_clock(caption.start), meta=dict(meta)))
    return turns


def decimal_points(text: str) -> str:
    """Write ``00:00:03,120`` as ``00:00:03.120`` on timing lines (the ``-->`` lines) only."""
    return "\n".join(
        _COMMA_TIME.sub(r"\1.\2", line) if "-->" in line else line for line in text.split("\n")
    )


def check_timings(text: str, filename: str, what: str) -> None:
    """Raise on the first cue block whose timing line cannot be read.

    Args:
        text: The whole file, newlines normalised (decimal commas are accepted).
        filename: The file's name, for the error.
        what: How to name a cue in the message ("WebVTT cue", "SRT subtitle").

    Raises:
        ParseError: naming the cue's number and its broken timing line.
    """
    number = 0
    blocks = [b for b in re.split(r"\n[ \t]*\n", text) if b.strip()]
    for block in blocks:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        first = lines[0].strip()
        if first.startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            continue
        timing = next((ln for ln in lines[:2] if "-->" in ln), None)
        if timing is None:
            timing = next((ln for ln in lines[:2] if _ALMOST_TIMING.match(ln) and "-" in ln), None)
            if timing is None:
                continue  # text continuing the previous cue
        number += 1
        match = _TIMING.match(decimal_points(timing))
        if not match or parse_clock(match[1]) is None or parse_clock(match[2]) is None:
            problem = f"{what} {number} has a broken timing line '{timing.strip()}'"
            raise ParseError(filename, problem)


def _cue_lines(lines: list[str]) -> list[str]:
    """The cue's lines as plain text: tags removed, entities resolved, blanks dropped."""
    out = []
    for line in lines:
        plain = html.unescape(_TAG.sub("", line)).strip()
        if plain:
            out.append(plain)
    return out


def _colon_speaker(text: str) -> tuple[str, str] | None:
    match = _COLON_SPEAKER.match(text)
    if match and looks_like_name(match[1]):
        return match[1].strip(), match[2].strip()
    return None


def _own_line_names(cues: list[list[str]]) -> set[str]:
    """Names that stand alone on a cue's first line, trusted when they are clearly names.

    A capitalised two-word line could be a name or a short sentence ("Thank you" is not
    capitalised, "Anna Keller" is); a single word must recur before it counts as a name.
    """
    counts = Counter(
        lines[0] for lines in cues
        if len(lines) >= 2 and looks_like_name(lines[0], strict=True) and ":" not in lines[0]
    )
    return {name for name, n in counts.items() if n >= 2 or len(name.split()) >= 2}


def _speaker_parts(
    raw_lines: list[str], lines: list[str], own_line_names: set[str], colon_share: float
) -> list[tuple[str | None, str]]:
    """Split one cue into (speaker, text) parts using whichever convention it follows."""
    if any(_VOICE.search(line) for line in raw_lines):
        return _voice_parts(raw_lines)
    if not lines:
        return []
    if len(lines) >= 2 and lines[0] in own_line_names:
        return [(lines[0], one_line(" ".join(lines[1:])))]
    joined = one_line(" ".join(lines))
    found = _colon_speaker(joined) if colon_share >= 0.3 else None
    if found:
        return [found]
    return [(None, joined)]


def _voice_parts(raw_lines: list[str]) -> list[tuple[str | None, str]]:
    """Teams voice spans: a cue may hold several ``<v Name>`` spans, even on one line."""
    parts: list[tuple[str | None, list[str]]] = []
    speaker: str | None = None
    for line in raw_lines:
        pos = 0
        for match in _VOICE.finditer(line):
            before = html.unescape(_TAG.sub("", line[pos : match.start()])).strip()
            if before:
                _append(parts, speaker, before)
            speaker = match[1].strip()
            parts.append((speaker, []))
            pos = match.end()
        rest = html.unescape(_TAG.sub("", line[pos:])).strip()
        if rest:
            _append(parts, speaker, rest)
    return [(who, one_line(" ".join(words))) for who, words in parts if words]


def _append(parts: list[tuple[str | None, list[str]]], speaker: str | None, text: str) -> None:
    if parts and parts[-1][0] == speaker:
        parts[-1][1].append(text)
    else:
        parts.append((speaker, [text]))
