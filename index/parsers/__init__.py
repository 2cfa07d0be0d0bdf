"""Source files in, `ParsedDocument` out: one module per format a sales rep exports.

    parse_file(path) / parse_bytes(data, filename)
      -> detect_format()      content first (magic bytes, first lines, JSON shape), extension second
      -> <format>.parse()     vtt srt transcript_text gong call_json | email (eml, mbox)
                              crm_csv hubspot
                              text (markdown, plain) | docx pdf
      -> ParsedDocument       text + segments whose offsets index into that text

Every parser writes through `_build.DocumentBuilder`, so ``doc.text[s.start:s.end] == s.text``
holds for every segment. Bad input of any kind raises `handoff.errors.ParseError` naming the
file and the problem in words a rep understands; a library's own exception never escapes.
"""

from __future__ import annotations

import logging
import pathlib
from collections.abc import Callable

from handoff.domain import ParsedDocument
from handoff.errors import ParseError

from . import call_json, crm_csv, docx, email, gong, hubspot, pdf, srt, text, transcript_text, vtt
from ._detect import detect_format

__all__ = ["DEFAULT_MAX_BYTES", "FORMATS", "detect_format", "parse_bytes", "parse_file"]

DEFAULT_MAX_BYTES = 25 * 1024 * 1024

_log = logging.getLogger(__name__)

_PARSERS: dict[str, Callable[[bytes, str], ParsedDocument]] = {
    "vtt": vtt.parse,
    "srt": srt.parse,
    "transcript_text": transcript_text.parse,
    "gong_json": gong.parse,
    "call_json": call_json.parse,
    "eml": email.parse_eml,
    "mbox": email.parse_mbox,
    "crm_csv": crm_csv.parse,
    "hubspot_json": hubspot.parse,
    "markdown": text.parse_markdown,
    "text": text.parse_text,
    "docx": docx.parse,
    "pdf": pdf.parse,
}

FORMATS: tuple[str, ...] = tuple(_PARSERS)


def _size_problem(size: int, max_bytes: int) -> str:
    mb = 1024 * 1024
    limit = f"{max_bytes / mb:g} MB" if max_bytes >= mb else f"{max_bytes} bytes"
    return f"file is {size / mb:.1f} MB, over the {limit} limit"


def parse_bytes(
    data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParsedDocument:
    """Parse an uploaded file's bytes.

    Args:
        data: The file content.
        filename: The file's name as uploaded; used for format hints and in every error.
        max_bytes: Files larger than this are refused before any parsing.

    Returns:
        The document: its extracted text and citable segments.

    Raises:
        ParseError: the file is too large, empty, of an unknown kind, damaged, or has no text.
    """
    if len(data) > max_bytes:
        raise ParseError(filename, _size_problem(len(data), max_bytes))
    fmt = detect_format(data, filename)
    try:
        return _PARSERS[fmt](data, filename)
    except ParseError:
        raise
    except Exception as exc:  # a library choked on input it should have rejected cleanly
        _log.warning("unexpected error parsing %s as %s", filename, fmt, exc_info=True)
        problem = f"could not be read as {fmt} ({type(exc).__name__}: {exc})"
        raise ParseError(filename, problem) from exc


def parse_file(path: pathlib.Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    """Parse a file on disk; its name (without folders) is the document's filename.

    Raises:
        ParseError: the file cannot be read, or as for `parse_bytes`.
    """
    path = pathlib.Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ParseError(path.name, _size_problem(size, max_bytes))
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(path.name, f"could not be read ({exc.strerror or exc})") from exc
    return parse_bytes(data, path.name, max_bytes=max_bytes)
