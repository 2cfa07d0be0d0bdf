"""File names made safe once, where a file enters the product.

Design note. A name comes from a browser's multipart form, a shell glob or an export tool and
is shown in pages, written into DOCX and Markdown exports, used as a citation's ``source`` and
looked up by the passage API. Control characters (NUL, ESC, a terminal's colour codes),
Unicode format characters (a right-to-left override makes ``invoice‮fdp.exe`` read as a
PDF) and a thousand-character name each broke one of those places. So every name is cleaned
here, once, before anything stores it: folders dropped, those characters removed, whitespace
collapsed, the length capped with the extension kept. The name as it came is kept beside it
(``meta["original_filename"]``, printable-escaped) when it differs, so nothing is lost.
"""

from __future__ import annotations

import unicodedata

MAX_FILENAME_CHARS = 160
_UNNAMED = "unnamed"
_MAX_EXTENSION = 12


def _drop(ch: str) -> bool:
    # Cc: C0/C1 controls incl. NUL, ESC, DEL; Cf: bidi overrides, zero-width, BOM;
    # Cs/Co/Cn: lone surrogates (undecodable bytes), private use, unassigned.
    return unicodedata.category(ch)[0] == "C" and ch not in "\t\n\r"


def safe_filename(name: str | None, *, max_chars: int = MAX_FILENAME_CHARS) -> str:
    """The name a file is stored, cited and shown under.

    Args:
        name: The name as received (may hold folders, controls, any length, or be empty).
        max_chars: The longest name kept; longer ones are cut before the extension.

    Returns:
        A non-empty single-line name without folders or control/format characters.
    """
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(" " if ch in "\t\n\r" else ch for ch in text if not _drop(ch))
    text = " ".join(text.split()).strip(" .") or _UNNAMED
    if len(text) <= max_chars:
        return text
    stem, dot, ext = text.rpartition(".")
    if dot and stem and 0 < len(ext) <= _MAX_EXTENSION:
        return stem[: max_chars - len(ext) - 2].rstrip() + "…." + ext
    return text[: max_chars - 1].rstrip() + "…"


def printable(name: str) -> str:
    """A name with every control or format character shown as a ``\\xNN``-style escape."""
    return "".join(ch.encode("unicode_escape").decode("ascii") if _drop(ch) else ch
                   for ch in name)
