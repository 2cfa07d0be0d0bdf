"""The handoff package as downloads: brief documents and drafts, in German or English.

Each format maps to one function of :mod:`exports`; this module only adds what a download
needs: the media type, a file name and the context the drafts want (the assigned CSM, the
rep, the contract signature from the handoff timeline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from exports import drafts
from exports.docx_brief import docx_bytes
from exports.json_export import render_json
from exports.markdown import render_markdown
from exports.package import printable_brief
from handoff.domain import HandoffBrief
from handoff.labels import resolve_lang


class ExportFormat(StrEnum):
    """The downloads of the handoff package."""

    DOCX = "docx"
    MD = "md"
    JSON = "json"
    EMAIL = "email"          # the rep's intro email to the customer
    AGENDA = "agenda"        # internal handoff meeting and joint call agendas
    CHECKLIST = "checklist"  # CRM / CS platform update checklist
    PLAN = "plan"            # 30/60/90-day success plan


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARKDOWN_TYPE = "text/markdown; charset=utf-8"

_SUFFIX = {
    ExportFormat.DOCX: "brief.docx", ExportFormat.MD: "brief.md",
    ExportFormat.JSON: "brief.json", ExportFormat.EMAIL: "intro-email.md",
    ExportFormat.AGENDA: "agendas.md", ExportFormat.CHECKLIST: "crm-checklist.md",
    ExportFormat.PLAN: "success-plan.md",
}


@dataclass(frozen=True)
class Download:
    """A rendered export, ready to send."""

    body: bytes
    media_type: str
    filename: str


@dataclass(frozen=True)
class DraftPeople:
    """Who the drafts name; unknown people are left for the reader to fill in."""

    csm: str | None = None
    rep: str | None = None
    signed_at: datetime | None = None


def render(brief: HandoffBrief, fmt: ExportFormat, lang: str | None,
           people: DraftPeople) -> Download:
    """Render one export of the brief.

    Args:
        brief: The deal's brief.
        fmt: Which document or draft.
        lang: ``de`` or ``en``; ``None`` uses the brief's language.
        people: CSM, rep and signature for the drafts and the customer overview.

    Raises:
        InputError: ``lang`` is not a language the product writes.
    """
    chosen = resolve_lang(lang, brief.language)
    name = f"{brief.deal_id}-{_SUFFIX[fmt].replace('.', f'-{chosen}.', 1)}"
    signed = people.signed_at
    if fmt != ExportFormat.JSON:
        brief = printable_brief(brief)  # any stored name or quote: see exports.package
    if fmt == ExportFormat.DOCX:
        return Download(docx_bytes(brief, lang=chosen, signed_at=signed), DOCX_TYPE, name)
    if fmt == ExportFormat.JSON:
        return Download(render_json(brief).encode(), "application/json", name)
    if fmt == ExportFormat.MD:
        text = render_markdown(brief, chosen, signed_at=signed)
    elif fmt == ExportFormat.EMAIL:
        text = drafts.intro_email(brief, csm_name=people.csm, rep_name=people.rep,
                                  signed_at=signed, lang=chosen)
    elif fmt == ExportFormat.AGENDA:
        internal = drafts.internal_meeting_agenda(brief, csm_name=people.csm,
                                                  rep_name=people.rep, signed_at=signed,
                                                  lang=chosen)
        joint = drafts.joint_call_agenda(brief, csm_name=people.csm, rep_name=people.rep,
                                         signed_at=signed, lang=chosen)
        text = f"{internal}\n---\n\n{joint}"
    elif fmt == ExportFormat.CHECKLIST:
        text = drafts.crm_checklist(brief, lang=chosen)
    else:
        text = drafts.success_plan(brief, csm_name=people.csm, signed_at=signed, lang=chosen)
    return Download(text.encode(), MARKDOWN_TYPE, name)
