"""Which parser a file needs, judged by its content first and its extension second.

Reps rename, re-save and mislabel files: a Zoom transcript saved as .txt, an email pasted into
a .txt, a Gong export and a HubSpot export both called ``export.json``. So binary formats are
recognised by their magic bytes (``%PDF``, a zip with ``word/document.xml``), text formats by
their first lines (``WEBVTT``, an mbox ``From `` line, RFC 5322 headers, SRT numbering, CSV
header names, timestamped speaker lines) and JSON by its structure. The extension only
decides between formats the content cannot tell apart (Markdown vs plain text), or names the
problem when a file claims to be a .docx or .pdf and is not.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import PurePath

from handoff.errors import ParseError

from . import call_json, gong, hubspot
from ._decode import BINARY_PROBLEM, looks_binary, sniff_text
from .crm_csv import BODY, find_column
from .transcript_text import speaker_line

_HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:[ \t]?")
_EMAIL_HEADERS = {"to", "cc", "subject", "date", "sent", "message-id", "mime-version",
                  "received", "return-path", "reply-to", "in-reply-to"}
_SRT_START = re.compile(r"^\d+\s*\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->")
_ATX_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)
_MARKDOWN_EXT = {".md", ".markdown", ".mdown", ".mkd"}
_EXT_FORMATS = {".vtt": "vtt", ".srt": "srt", ".eml": "eml", ".mbox": "mbox", ".csv": "crm_csv",
                ".docx": "docx", ".pdf": "pdf"}


def detect_format(data: bytes, filename: str) -> str:
    """Name the format of a file.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded (its extension is a hint, not the truth).

    Returns:
        One of ``vtt srt transcript_text gong_json call_json eml mbox crm_csv hubspot_json
        markdown text docx pdf``.

    Raises:
        ParseError: the file is empty, binary of an unsupported kind, or JSON of an
            unknown shape.
    """
    ext = PurePath(filename).suffix.lower()
    if not data.strip():
        raise ParseError(filename, "file is empty")
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(data, filename, ext)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ParseError(filename, "an old Microsoft Office file (.doc, .xls or .msg); "
                                   "save it as .docx, .csv or .eml and upload that")
    if looks_binary(data):
        raise ParseError(filename, _claimed_binary(ext) or BINARY_PROBLEM)
    text = sniff_text(data).lstrip("\ufeff \t\n")
    found = _text_format(text, data, filename, ext)
    if found:
        return found
    if ext in (".docx", ".pdf"):
        raise ParseError(filename, _claimed_binary(ext))
    if ext in _EXT_FORMATS:
        return _EXT_FORMATS[ext]
    if ext in _MARKDOWN_EXT or _ATX_HEADING.search(text):
        return "markdown"
    return "text"


def _claimed_binary(ext: str) -> str:
    if ext == ".docx":
        return "not a valid Word .docx file (a .docx is a zip archive; this file is not)"
    if ext == ".pdf":
        return "not a valid PDF (it does not start with %PDF)"
    return ""


def _zip_format(data: bytes, filename: str, ext: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names: set[str] = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        if ext == ".docx":
            return "docx"  # the docx parser names the damage
        raise ParseError(
            filename, "a damaged zip archive, not a transcript, email or document"
        ) from None
    if "word/document.xml" in names or ext == ".docx":
        return "docx"
    if "xl/workbook.xml" in names:
        raise ParseError(
            filename, "an Excel workbook (.xlsx); export the sheet as CSV and upload that"
        )
    if "ppt/presentation.xml" in names:
        raise ParseError(filename, "a PowerPoint file (.pptx); save it as PDF and upload that")
    raise ParseError(filename, "a zip archive; unpack it and upload the files inside")


def _text_format(text: str, data: bytes, filename: str, ext: str) -> str | None:
    """The format a text file's content proves, or None when it proves nothing specific."""
    if text.startswith("WEBVTT"):
        return "vtt"
    lines = text.split("\n", 300)[:300]
    if text.startswith("From ") and _header_block(lines[1:]):
        return "mbox"
    if text[:1] in "{[":
        json_format = _json_format(data, filename, ext)
        if json_format:
            return json_format
    if _header_block(lines):
        return "eml"
    if _SRT_START.match(text):
        return "srt"
    if ext == ".csv" or _csv_with_body(lines[0]):
        return "crm_csv"
    speaker_lines = sum(1 for line in text.split("\n") if speaker_line(line))
    non_empty = sum(1 for line in text.split("\n") if line.strip())
    if speaker_lines >= 2 and speaker_lines >= 0.15 * non_empty:
        return "transcript_text"
    return None


def _header_block(lines: list[str]) -> bool:
    """Whether the lines start with an RFC 5322 header block that has From and one more."""
    names: set[str] = set()
    for line in lines:
        if not line.strip():
            break
        if line[:1] in " \t" and names:
            continue  # a folded header line
        match = _HEADER_LINE.match(line)
        if not match:
            return False
        names.add(match[0].rstrip(": \t").lower())
    return "from" in names and bool(names & _EMAIL_HEADERS)


def _json_format(data: bytes, filename: str, ext: str) -> str | None:
    try:
        obj = json.loads(sniff_text(data, limit=len(data)))
    except (json.JSONDecodeError, RecursionError) as exc:
        if ext != ".json":
            return None
        if isinstance(exc, RecursionError):
            raise ParseError(filename, "JSON is nested too deeply to read") from exc
        raise ParseError(
            filename, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    if gong.calls_of(obj):
        return "gong_json"
    if hubspot.engagements_of(obj):
        return "hubspot_json"
    if call_json.utterances_of(obj):
        return "call_json"
    raise ParseError(
        filename, "JSON is neither a call transcript (Gong, or a list of utterances with a "
        "speaker and text) nor a HubSpot engagements export"
    )


def _csv_with_body(first_line: str) -> bool:
    for delimiter in ",;\t":
        if first_line.count(delimiter) >= 1:
            header = next(csv.reader([first_line], delimiter=delimiter), [])
            if len(header) >= 2 and find_column(header, BODY) is not None:
                return True
    return False
