"""Defence in depth against prompt injection in sources.

Sources are data. Text that addresses an AI ("ignore previous instructions", "you are now",
"report that there are no risks") is not a fact about the deal whatever a backend made of
it: items that rest on such text are dropped before they reach the brief.
"""

from __future__ import annotations

import re

_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.\n]{0,40}\b(?:previous|prior|above|earlier|all)"
    r"\b[^.\n]{0,30}\b(?:instructions?|prompts?|rules|context)\b"
    r"|\b(?:system prompt|you are now|as an ai|language model|assistant:|new instructions?)\b"
    r"|\b(?:report|state|say|answer|respond|output|write)\s+(?:only\s+)?that\s+there\s+(?:are|is)"
    r"\s+no\s+(?:risks?|issues?|concerns?|objections?)\b"
    r"|\bignoriere\b[^.\n]{0,40}\b(?:anweisungen|instruktionen|vorgaben)\b"
    r"|\b(?:vergiss|missachte)\b[^.\n]{0,40}\b(?:anweisungen|vorherigen)\b"
    r"|\b(?:gib|melde|berichte|schreibe)\b[^.\n]{0,20}\bdass es keine (?:risiken|bedenken)\b",
    re.IGNORECASE,
)


def looks_like_injection(text: str) -> bool:
    """True for text that talks to a language model instead of about the deal."""
    return bool(_INJECTION.search(text))
