"""One dispatcher for every download, shared by the CLI and the web app.

:func:`export` takes a brief, a format and a language and returns the bytes, the media type
and the file name; ``handoff export`` writes them to disk and ``GET /api/deals/{id}/export``
sends them. Who the drafts name (the assigned CSM, the rep who signs, the contract signature)
is passed in as :class:`DraftPeople`, so nothing here reads users or timelines.

Any stored text can reach an export: a brief saved before file names were made safe at
upload (:mod:`index.filenames`) may cite ``call\x00\x1b[31m.vtt``, and a quote may hold a
stray control character. Word refuses such characters and a terminal obeys them in Markdown,
so every document format renders a printable copy of the brief; JSON escapes them and keeps
the brief as stored.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exports import drafts
from exports.docx_brief import docx_bytes
from exports.draft_context import Colleague
from exports.json_export import render_json
from exports.markdown import render_markdown
from handoff.domain import HandoffBrief, Offering
from handoff.errors import InputError
from handoff.labels import resolve_lang

FORMATS = ("docx", "md", "json", "email", "agenda", "call-agenda", "checklist", "plan")
DRAFT_FORMATS = ("email", "agenda", "call-agenda", "checklist", "plan")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARKDOWN_TYPE = "text/markdown; charset=utf-8"
JSON_TYPE = "application/json"

# The file name's tail per format; the deal id and the language go in front of the suffix.
_NAMES = {"docx": "brief.docx", "md": "brief.md", "json": "brief.json",
          "email": "intro-email.md", "agenda": "agendas.md", "call-agenda": "joint-call.md",
          "checklist": "crm-checklist.md", "plan": "success-plan.md"}


@dataclass(frozen=True)
class DraftPeople:
    """Who the drafts name; anyone unknown is left as a placeholder for the reader to fill."""

    csm: Colleague | None = None
    rep: Colleague | None = None
    signed_at: datetime | None = None
    vendor: str | None = None


@dataclass(frozen=True)
class Export:
    """A rendered download."""

    body: bytes
    media_type: str
    filename: str

    @property
    def suffix(self) -> str:
        """The file name's extension with its dot (``.docx``)."""
        return "." + self.filename.rsplit(".", 1)[-1]


def file_name(deal_id: str, fmt: str, lang: str) -> str:
    """``DEAL-brief-de.docx``: the deal, what it is, the language, the extension."""
    stem, ext = _NAMES[fmt].rsplit(".", 1)
    return f"{deal_id}-{stem}-{lang}.{ext}"


def draft_text(brief: HandoffBrief, fmt: str, lang: str, people: DraftPeople,
               offering: Offering | None = None) -> str:
    """The text of one draft (``email``, ``agenda``, ``call-agenda``, ``checklist``, ``plan``).

    Raises:
        InputError: ``fmt`` is not a draft.
    """
    kw = {"csm": people.csm, "rep": people.rep, "signed_at": people.signed_at, "lang": lang}
    if fmt == "email":
        return drafts.intro_email(brief, vendor_name=people.vendor, offering=offering, **kw)
    if fmt == "agenda":
        internal = drafts.internal_meeting_agenda(brief, offering=offering, **kw)
        joint = drafts.joint_call_agenda(brief, offering=offering, **kw)
        return f"{internal}\n---\n\n{joint}"
    if fmt == "call-agenda":
        return drafts.joint_call_agenda(brief, offering=offering, **kw)
    if fmt == "checklist":
        return drafts.crm_checklist(brief, lang=lang)
    if fmt == "plan":
        return drafts.success_plan(brief, csm=people.csm, signed_at=people.signed_at,
                                   lang=lang, offering=offering)
    raise InputError(f"{fmt!r} is not a draft: use one of {', '.join(DRAFT_FORMATS)}")


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
           people: DraftPeople | None = None, offering: Offering | None = None) -> Export:
    """Render ``brief`` as ``fmt`` in ``lang``.

    Args:
        brief: The deal's brief (reviews applied).
        fmt: One of :data:`FORMATS`.
        lang: ``de`` or ``en``; ``None`` uses the brief's language.
        people: CSM, rep, contract signature and vendor for the drafts and the overview.
        offering: The vendor's standard offering, to name the support tier in the summary.

    Raises:
        InputError: An unknown format or language (the message lists the choices).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    if lang is not None and lang not in ("de", "en"):
        raise InputError(f"unknown language {lang!r}: use de or en")
    chosen = resolve_lang(lang, brief.language)
    people = people or DraftPeople()
    name = file_name(brief.deal_id, fmt, chosen)
    if fmt != "json":
        brief = printable_brief(brief)  # any stored name or quote, see the module docstring
    if fmt == "docx":
        body = docx_bytes(brief, lang=chosen, signed_at=people.signed_at, offering=offering)
        return Export(body, DOCX_TYPE, name)
    if fmt == "json":
        return Export(render_json(brief).encode(), JSON_TYPE, name)
    if fmt == "md":
        text = render_markdown(brief, chosen, signed_at=people.signed_at, offering=offering)
    else:
        text = draft_text(brief, fmt, chosen, people, offering)
    return Export(text.encode(), MARKDOWN_TYPE, name)
