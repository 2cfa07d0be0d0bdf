"""SubRip (.srt) call transcripts, as exported by recorders and caption tools.

SRT carries no speaker markup, so speakers come from the text itself (``Anna Keller: text``
or a name alone on the subtitle's first line), exactly as for WebVTT; webvtt-py reads the
blocks, including subtitles whose text contains empty lines.
"""

from __future__ import annotations

import io

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from handoff.domain import ParsedDocument
from handoff.errors import ParseError

from ._decode import decode_text
from ._transcript import build_transcript
from .vtt import _TRAILING, captions_to_turns, check_timings, decimal_points


def parse(data: bytes, filename: str) -> ParsedDocument:
    """Parse an SRT transcript into speaker turns.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded.

    Raises:
        ParseError: the file is not SRT, a subtitle's timing line is broken, or there is no text.
    """
    # a line of only spaces must still end a cue (webvtt-py would glue the next cue on)
    text = _TRAILING.sub("", decode_text(data, filename)).strip()
    if "-->" not in text:
        raise ParseError(filename, "not an SRT subtitle file (no timing lines with '-->')")
    check_timings(text, filename, "SRT subtitle")
    try:
        captions = webvtt.from_buffer(io.StringIO(text + "\n"), format="srt").captions
    except MalformedFileError:
        captions = _without_numbers(text, filename)
    except (MalformedCaptionError, ValueError) as exc:
        raise ParseError(filename, f"not a readable SRT file ({exc})") from exc
    meta = {"cues": str(len(captions))}
    if captions:
        meta["duration"] = captions[-1].end
    return build_transcript(filename, "srt", captions_to_turns(captions), meta)


def _without_numbers(text: str, filename: str) -> list[webvtt.Caption]:
    """Read subtitles that lack their sequence numbers, as some recorders write them.

    webvtt-py's SRT reader insists on a number before the first timing line; such a file is
    WebVTT in all but its header and decimal commas, so it is read as that.

    Raises:
        ParseError: the text is not readable as subtitles either way.
    """
    try:
        return webvtt.from_string("WEBVTT\n\n" + decimal_points(text)).captions
    except (MalformedFileError, MalformedCaptionError, ValueError) as exc:
        raise ParseError(
            filename, "not a readable SRT file (no subtitle number and timing line at the start)"
        ) from exc
