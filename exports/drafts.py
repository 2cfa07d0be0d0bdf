"""Drafts built from a brief: intro email, two agendas, CRM checklist and success plan.

Design note: the drafts are plain text (Markdown), so autoescaping is off. Brief text only
ever enters a template as data; it is never compiled as a template, so ``{{ ... }}`` in a
transcript is printed, not evaluated. The sandboxed environment is a second fence: even a
template edited carelessly cannot reach Python internals through the objects it is given.
Each draft has one template per language in ``exports/templates``.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from exports.draft_context import Colleague, DraftContext, build_context
from handoff.domain import HandoffBrief, Offering
from handoff.labels import resolve_lang

TEMPLATES = Path(__file__).parent / "templates"
DRAFTS = ("intro_email", "internal_meeting", "joint_call", "crm_checklist", "success_plan")


@lru_cache(maxsize=1)
def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["box"] = lambda done: "[x]" if done else "[ ]"
    return env


def _render(name: str, ctx: DraftContext) -> str:
    template = _environment().get_template(f"{name}.{ctx.lang}.md.j2")
    text = template.render(c=ctx)
    # Templates keep their logic readable with blank lines; collapse runs of them.
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def _context(
    brief: HandoffBrief,
    lang: str | None,
    *,
    csm: Colleague | None = None,
    rep: Colleague | None = None,
    vendor_name: str | None = None,
    signed_at: datetime | None = None,
    offering: Offering | None = None,
) -> DraftContext:
    return build_context(brief, resolve_lang(lang, brief.language), csm=csm, rep=rep,
                         vendor_name=vendor_name, signed_at=signed_at, offering=offering)


def intro_email(
    brief: HandoffBrief,
    *,
    csm: Colleague | None = None,
    rep: Colleague | None = None,
    vendor_name: str | None = None,
    signed_at: datetime | None = None,
    lang: str | None = None,
    offering: Offering | None = None,
) -> str:
    """The rep's email introducing the CSM to the customer (due within 48 hours).

    It welcomes the champion, introduces the CSM by name when known, restates the
    customer's goals (only sourced or rep-confirmed ones), says CS already has the full
    context and proposes a joint call within five business days.

    Args:
        brief: The handoff brief.
        csm: The CSM taking over (their profile); without one the email speaks of the CS
            team, and a CSM whose profile has no name is left as a placeholder.
        rep: The rep who signs (their profile: name, title, phone); a placeholder when unknown.
        vendor_name: Our company name for the subject line.
        signed_at: Contract signature, to name the latest date for the joint call.
        lang: ``"de"`` or ``"en"``; ``None`` uses the brief's language.
        offering: The vendor's offering (its vendor name, when ``vendor_name`` is not given).

    Returns:
        Subject line and body as plain text.
    """
    ctx = _context(brief, lang, csm=csm, rep=rep, vendor_name=vendor_name,
                   signed_at=signed_at, offering=offering)
    return _render("intro_email", ctx)


def internal_meeting_agenda(
    brief: HandoffBrief,
    *,
    csm: Colleague | None = None,
    rep: Colleague | None = None,
    signed_at: datetime | None = None,
    lang: str | None = None,
    offering: Offering | None = None,
) -> str:
    """The 45-minute internal handoff meeting (rep to CS), filled with the brief's content.

    Timed blocks: background, stakeholders, goals, implementation context, commitments and
    risks, open questions and next steps. Unverified statements keep their label.
    """
    ctx = _context(brief, lang, csm=csm, rep=rep, signed_at=signed_at, offering=offering)
    return _render("internal_meeting", ctx)


def joint_call_agenda(
    brief: HandoffBrief,
    *,
    csm: Colleague | None = None,
    rep: Colleague | None = None,
    signed_at: datetime | None = None,
    lang: str | None = None,
    offering: Offering | None = None,
) -> str:
    """The 30-minute joint handoff call with the customer, led by CS.

    Lists whom to invite, the goals to confirm, the plan to walk through and the
    commitments CS must validate before confirming them on the call.
    """
    ctx = _context(brief, lang, csm=csm, rep=rep, signed_at=signed_at, offering=offering)
    return _render("joint_call", ctx)


def crm_checklist(brief: HandoffBrief, *, lang: str | None = None) -> str:
    """The CRM and CS-platform update checklist.

    A box is ticked when the brief already covers the point (stakeholders documented,
    commitments recorded, no open gaps); steps only a person can do in the systems stay
    open.
    """
    return _render("crm_checklist", _context(brief, lang))


def success_plan(
    brief: HandoffBrief,
    *,
    csm: Colleague | None = None,
    signed_at: datetime | None = None,
    lang: str | None = None,
    offering: Offering | None = None,
) -> str:
    """A 30/60/90-day success plan skeleton from the goals, commitments and plan."""
    ctx = _context(brief, lang, csm=csm, signed_at=signed_at, offering=offering)
    return _render("success_plan", ctx)


def all_drafts(
    brief: HandoffBrief,
    *,
    csm: Colleague | None = None,
    rep: Colleague | None = None,
    vendor_name: str | None = None,
    signed_at: datetime | None = None,
    lang: str | None = None,
    offering: Offering | None = None,
) -> dict[str, str]:
    """Every draft at once, keyed by the names in :data:`DRAFTS`."""
    kw = {"csm": csm, "signed_at": signed_at, "lang": lang, "offering": offering}
    return {
        "intro_email": intro_email(brief, rep=rep, vendor_name=vendor_name, **kw),
        "internal_meeting": internal_meeting_agenda(brief, rep=rep, **kw),
        "joint_call": joint_call_agenda(brief, rep=rep, **kw),
        "crm_checklist": crm_checklist(brief, lang=lang),
        "success_plan": success_plan(brief, **kw),
    }
