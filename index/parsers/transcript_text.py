"""Plain-text call transcripts as exported by Otter.ai and Fireflies.ai.

Two layouts are read, and may even be mixed:

* Otter: the speaker and the time on one line, what was said below it::

      Anna Keller  0:03
      Thanks for making the time today.

* Fireflies (and many copy-pasted transcripts): one line per utterance::

      [00:12:03] Anna Keller: We need the SAP connector before go-live.

Text above the first speaker line (Otter's title, keywords and speaker list) is kept as
paragraphs, because it names the call and its participants. Otter's "Transcribed by" footer
is dropped.
"""

from __future__ import annotations

import re

from handoff.domain import ParsedDocument, SegmentKind, SourceKind
from handoff.errors import ParseError

from ._build import DocumentBuilder
from ._decode import decode_text
from ._transcript import Turn, add_turns, looks_like_name, merge_turns, parse_clock, transcript_meta

_TIME = r"\d{1,2}(?::\d{2}){1,2}"
# "[00:12:03] Anna Keller: text" and "00:12:03 - Anna Keller: text"
INLINE = re.compile(rf"^\[?({_TIME})\]?\s*[-–|]?\s*([^:\[\]]{{1,60}}?)\s*:\s*(.*)$")
# "Anna Keller  0:03", "Speaker 1  1:02:33", "Anna Keller (00:12)"
HEADING = re.compile(rf"^([^:\[\]]{{1,60}}?)\s+[-–|]?\s*[(\[]?({_TIME})[)\]]?$")
_FOOTER = re.compile(r"^(Transcribed by https?://otter\.ai|Transcribed by Otter)", re.IGNORECASE)


def speaker_line(line: str) -> tuple[str, float, str | None] | None:
    """Read a speaker line.

    Returns:
        (speaker, seconds, text) for an inline utterance, (speaker, seconds, None) for an
        Otter-style heading whose text follows on the next lines, or None for other lines.
    """
    line = line.strip()
    match = INLINE.match(line)
    if match and looks_like_name(match[2]):
        seconds = parse_clock(match[1])
        if seconds is not None:
            return match[2].strip(), seconds, match[3].strip()
    match = HEADING.match(line)
    if match and looks_like_name(match[1], strict=True):
        seconds = parse_clock(match[2])
        if seconds is not None:
            return match[1].strip(), seconds, None
    return None


def parse(data: bytes, filename: str) -> ParsedDocument:
    """Parse an Otter or Fireflies text export into speaker turns.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded.

    Raises:
        ParseError: no speaker line was found, or no turn has text.
    """
    text = decode_text(data, filename)
    preamble: list[str] = []
    turns: list[Turn] = []
    for line in text.split("\n"):
        if _FOOTER.match(line.strip()):
            continue
        found = speaker_line(line)
        if found:
            speaker, seconds, said = found
            turns.append(Turn(speaker, said or "", seconds))
        elif turns:
            if line.strip():
                turns[-1].text = f"{turns[-1].text}\n{line.strip()}".strip()
        else:
            preamble.append(line)
    if not turns:
        raise ParseError(
            filename,
            "not a recognised transcript: no speaker lines like 'Anna Keller  0:03' "
            "or '[00:12:03] Anna Keller: text'",
        )

    builder = DocumentBuilder(filename, "transcript_text", SourceKind.TRANSCRIPT)
    for number, paragraph in enumerate(re.split(r"\n\s*\n", "\n".join(preamble)), start=1):
        builder.segment(
            SegmentKind.PARAGRAPH, paragraph, locator=f"preamble {number}",
            meta={"section": "preamble"},
        )
        builder.blank()
    merged = merge_turns(turns)
    add_turns(builder, merged)
    title = next((p.strip() for p in preamble if p.strip()), "")
    return builder.build(transcript_meta(merged, {"title": title}))
