"""Bytes to text, strictly enough to catch corruption and loosely enough for real exports.

Design note: a file is UTF-8 unless proven otherwise. When UTF-8 decoding fails we have to
tell two cases apart that look alike at the byte level:

* a legitimate legacy export (a German CRM CSV saved as Windows-1252 or ISO-8859-1): it has
  high bytes, but not one of them forms a valid UTF-8 multibyte sequence;
* a corrupted UTF-8 file: it has valid multibyte sequences (so it *is* UTF-8) and some
  invalid bytes in between.

The first decodes as Windows-1252 (a superset of ISO-8859-1's printable range); the second is
an error that names the first bad byte and its offset, so a rep can see the file is damaged.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

from handoff.errors import ParseError

BINARY_PROBLEM = (
    "not a recognised transcript, email, CRM export or document (looks like binary data)"
)

# A well-formed UTF-8 multibyte sequence (RFC 3629), used as proof that a file meant to be UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)

# Control bytes that never occur in text exports (tab, newlines and form feed are allowed).
_CONTROL_BYTES = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x20)) | {0x7F}

_BINARY_MAGIC = (
    b"\x89PNG", b"\xff\xd8\xff", b"GIF89a", b"GIF87a", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!\x1a",
    b"\x7fELF", b"OggS\x00", b"fLaC\x00",
)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def bom_encoding(data: bytes) -> tuple[str | None, int]:
    """Return the encoding announced by a byte order mark and the mark's length.

    UTF-16 without a mark (every other byte NUL) is recognised too, as Excel and some
    Windows tools write it that way.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    sample = data[:4096]
    if len(sample) >= 8:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        half = len(sample) // 2
        if odd_nuls > 0.4 * half and even_nuls == 0:
            return "utf-16-le", 0
        if even_nuls > 0.4 * half and odd_nuls == 0:
            return "utf-16-be", 0
    return None, 0


def looks_binary(data: bytes) -> bool:
    """Whether the bytes are not text in any encoding this product reads."""
    if bom_encoding(data)[0] is not None:
        return False
    if data.startswith(_BINARY_MAGIC):
        return True
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b in _CONTROL_BYTES)
    return control > 0.02 * len(sample)


def decode_text(data: bytes, filename: str) -> str:
    """Decode a text export and normalise its line endings to ``\\n``.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded, for error messages.

    Returns:
        The text, without a byte order mark.

    Raises:
        ParseError: the bytes are binary, or UTF-8 with corrupt sequences.
    """
    encoding, skip = bom_encoding(data)
    if encoding is not None:
        try:
            text = data[skip:].decode(encoding)
        except UnicodeDecodeError as exc:
            offset = exc.start + skip
            problem = f"not valid {encoding.upper()} text (undecodable bytes at offset {offset})"
            raise ParseError(filename, problem) from exc
        return normalize_newlines(text)
    if looks_binary(data):
        raise ParseError(filename, BINARY_PROBLEM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            raise ParseError(
                filename,
                f"not valid UTF-8 text (undecodable byte 0x{data[exc.start]:02x} "
                f"at offset {exc.start})",
            ) from exc
        text = _decode_legacy(data, filename)
    return normalize_newlines(text)


def _decode_legacy(data: bytes, filename: str) -> str:
    """Decode a Windows-1252 / ISO-8859-1 export (no valid UTF-8 in it at all)."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        # 0x81, 0x8d, 0x8f, 0x90 and 0x9d are unassigned in Windows-1252: not a text export.
        raise ParseError(
            filename,
            f"not valid UTF-8 or Windows-1252 text (undecodable byte 0x{data[exc.start]:02x} "
            f"at offset {exc.start})",
        ) from exc


def sniff_text(data: bytes, limit: int = 65536) -> str:
    """A lenient decoding of the start of a file, only for guessing its format."""
    encoding, skip = bom_encoding(data)
    chunk = data[skip : skip + limit]
    text = chunk.decode(encoding or "utf-8", errors="replace")
    return normalize_newlines(text)


def normalize_newlines(text: str) -> str:
    """Turn CRLF and lone CR line endings into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_json(data: bytes, filename: str) -> Any:
    """Decode and parse a JSON export.

    Raises:
        ParseError: the bytes are not text, or the text is not JSON.
    """
    text = decode_text(data, filename)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(
            filename, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except RecursionError as exc:
        raise ParseError(filename, "JSON is nested too deeply to read") from exc
