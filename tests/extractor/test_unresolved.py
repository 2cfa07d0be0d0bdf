"""A required fact the sources say is not known yet is a gap that quotes them, not a fact."""

from __future__ import annotations

from handoff.domain import GapReason, ParsedDocument, completeness
from index.parsers import parse_bytes
from tests.extractor.builders import brief_of


def _docs(*files: tuple[str, str]) -> list[ParsedDocument]:
    return [parse_bytes(text.encode(), name) for name, text in files]


def _brief(*files: tuple[str, str]):  # type: ignore[no-untyped-def]
    return brief_of(_docs(*files))


NOTE_EN = """# Handoff notes

- Champion: Priya Natarajan, Director of Operations, pushed this through internally.
- Go-live: no date yet, depends on the works council review.
- Security requirements never came up, nobody asked for a questionnaire.
"""

NOTE_DE = """# Übergabe

Warum sie sich für uns entschieden haben? Ehrlich gesagt weiß ich es nicht genau.
Go-live: noch kein Termin, hängt an der Freigabe durch den Betriebsrat.
"""


def test_stated_unknowns_become_gaps_that_quote_the_source() -> None:
    brief = _brief(("handoff-notes.md", NOTE_EN))
    gaps = {g.key: g for g in brief.gaps}
    go_live = gaps["implementation.go_live_date"]
    assert go_live.reason == GapReason.UNRESOLVED
    assert "no date yet" in go_live.question and "handoff-notes.md" in go_live.question
    assert go_live.question.endswith("?")
    item = next(i for i in brief.items if i.id == go_live.item_id)
    assert item.unresolved and item.grounded  # still shown, with its quote
    # "never came up" is a question for the rep either way; the classifier reads this line too
    # weakly to quote it (0.19 of its threshold), so the gap may be the plain "missing" one
    assert "technical.security_compliance" in gaps
    # the champion is a known person: covered, no gap
    assert "stakeholders.champion" not in gaps


def test_german_unknowns_are_recognised() -> None:
    brief = _brief(("uebergabe.md", NOTE_DE))
    gaps = {g.key: g for g in brief.gaps}
    assert gaps["implementation.go_live_date"].reason == GapReason.UNRESOLVED
    assert "Laut Quellen ist das noch offen" in gaps["implementation.go_live_date"].question
    assert gaps["account.why_us"].reason in (GapReason.UNRESOLVED, GapReason.MISSING)


def test_unresolved_items_do_not_count_towards_completeness() -> None:
    brief = _brief(("handoff-notes.md", NOTE_EN))
    assert any(i.unresolved for i in brief.items)
    resolved_only = [i for i in brief.items if not i.unresolved]
    assert brief.completeness == completeness(resolved_only)


def test_a_stated_date_covers_the_key_even_beside_an_open_note() -> None:
    email = ("From: Priya Natarajan <priya@example.com>\nTo: Sam Reed <sam@vendor.example>\n"
             "Subject: Go-live\nDate: Tue, 3 Mar 2026 10:00:00 +0100\n\n"
             "Sam, we are going live on 1 June 2026, the board signed off on that date.\n")
    brief = _brief(("handoff-notes.md", NOTE_EN), ("go-live.eml", email))
    assert "implementation.go_live_date" not in {g.key for g in brief.gaps}
    covered = [i for i in brief.items if i.key == "implementation.go_live_date"
               and not i.unresolved]
    assert any("1 June 2026" in c.quote for i in covered for c in i.citations)


def test_uncertainty_in_a_risk_is_the_risk_not_a_gap() -> None:
    call = ("WEBVTT\n\n00:00:05.000 --> 00:00:12.000\n<v Priya Natarajan>Honestly, I don't know "
            "if the drivers will accept another app, that's my biggest concern.</v>\n")
    brief = _brief(("call.vtt", call))
    risks = [i for i in brief.items if i.category == "risks"]
    assert risks and not any(i.unresolved for i in risks)


def test_the_markdown_brief_marks_the_open_item_in_both_languages() -> None:
    from exports.markdown import render_markdown

    brief = _brief(("handoff-notes.md", NOTE_EN))
    md = render_markdown(brief, lang="en")
    lines = [ln for ln in md.splitlines() if "no date yet" in ln and ln.startswith("- ")]
    assert any("still open per the sources" in ln for ln in lines)  # the go-live item
    de = render_markdown(brief, lang="de")
    assert any("laut Quellen noch offen" in ln for ln in de.splitlines()
               if "no date yet" in ln and ln.startswith("- "))
