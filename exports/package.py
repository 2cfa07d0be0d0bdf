"""One entry point for every export format, shared by the CLI and the web app.

Any stored text can reach an export: a brief saved before file names were made safe at
upload (:mod:`index.filenames`) may cite ``call\x00\x1b[31m.vtt``, and a quote may hold a
stray control character. Word refuses such characters (python-docx raised, the API answered
500) and a terminal obeys them in Markdown, so every document format renders a printable copy
of the brief; JSON escapes them and keeps the brief as stored.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from exports import drafts
from exports.docx_brief import docx_bytes
from exports.json_export import render_json
from exports.markdown import render_markdown
from handoff.domain import HandoffBrief
from handoff.errors import InputError

FORMATS = ("docx", "md", "json", "email", "agenda", "call-agenda", "checklist", "plan")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Export:
    body: bytes
    media_type: str
    suffix: str


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return "".join(ch for ch in value
                       if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def printable_brief(brief: HandoffBrief) -> HandoffBrief:
    """The brief without control or format characters in any of its texts."""
    return HandoffBrief.model_validate(_printable(brief.model_dump()))


def export(brief: HandoffBrief, fmt: str, *, lang: str | None = None,
           csm_name: str | None = None, rep_name: str | None = None) -> Export:
    """Render ``brief`` in ``fmt`` (see FORMATS) and ``lang`` (de/en; default the brief's)."""
    if lang not in (None, "de", "en"):
        raise InputError(f"unknown language {lang!r}: use de or en")
    if fmt != "json":
        brief = printable_brief(brief)
    if fmt == "docx":
        return Export(docx_bytes(brief, lang=lang), DOCX_TYPE, ".docx")
    if fmt == "json":
        return Export(render_json(brief).encode(), "application/json", ".json")
    text = {
        "md": lambda: render_markdown(brief, lang),
        "email": lambda: drafts.intro_email(brief, csm_name=csm_name, rep_name=rep_name,
                                            lang=lang),
        "agenda": lambda: drafts.internal_meeting_agenda(brief, csm_name=csm_name,
                                                         rep_name=rep_name, lang=lang),
        "call-agenda": lambda: drafts.joint_call_agenda(brief, csm_name=csm_name,
                                                        rep_name=rep_name, lang=lang),
        "checklist": lambda: drafts.crm_checklist(brief, lang=lang),
        "plan": lambda: drafts.success_plan(brief, csm_name=csm_name, lang=lang),
    }.get(fmt)
    if text is None:
        raise InputError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    return Export(text().encode(), "text/markdown; charset=utf-8", ".md")
