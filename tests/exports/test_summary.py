"""The summary every format opens with, and the dispatcher every download goes through."""

from __future__ import annotations

import pytest

from exports.citations import SourceRegistry
from exports.draft_context import Colleague
from exports.goals import as_goal, goals_for_customer
from exports.outline import build_outline, item_details
from exports.package import DOCX_TYPE, FORMATS, DraftPeople, export
from exports.summary import build_summary
from handoff.domain import HandoffBrief, ItemStatus, Offering, SupportTier
from handoff.errors import InputError

OFFERING = Offering(vendor="Flowbase", support_tiers=[
    SupportTier(name="Standard", includes=["business hours"]),
    SupportTier(name="Premium", includes=["dedicated CSM"])])


def _facts(brief: HandoffBrief, lang: str = "en", offering: Offering | None = None):
    summary = build_summary(brief, SourceRegistry(), lang, item_details, offering=offering)
    return {f.key: f for f in summary.facts}, summary


def test_key_facts_are_read_from_the_items(brief_en: HandoffBrief) -> None:
    facts, _ = _facts(brief_en, offering=OFFERING)

    assert [f.label for f in facts.values()] == [
        "Customer", "Contract value and term", "Signer", "Go-live", "Kickoff", "Support tier",
        "Seats"]
    assert facts["customer"].text == "Brightwater Health Partners"
    assert facts["contract"].text == "EUR 96,000 per year"
    assert facts["contract"].item_id == "c3" and facts["contract"].refs
    assert facts["signer"].text == "Marcus Chen, COO"
    assert facts["go_live"].text == "15 June 2026 (after the audit)"  # the rep's correction
    assert "contradictory" in [f.text for f in facts["go_live"].flags]  # the 4 vs 10 weeks
    # "Premium support" was only said on a call: an open promise, not the tier
    assert facts["support_tier"].missing and facts["support_tier"].text == "not in the sources"
    assert facts["kickoff"].missing and facts["seats"].missing


def test_open_promises_and_top_risks(brief_en: HandoffBrief) -> None:
    _, summary = _facts(brief_en)
    assert [p.item_id for p in summary.promises] == ["c2", "c4"]
    assert summary.promises[0].details == ["promised by Jordan Lee to Dana Whitfield",
                                           "said on 4 March 2026"]
    assert [p.item_id for p in summary.risks] == ["r1", "r2"]  # grounded before unverified
    next(i for i in brief_en.items if i.id == "c2").status = ItemStatus.CONFIRMED
    _, summary = _facts(brief_en)
    assert [p.item_id for p in summary.promises] == ["c4"]  # validated: no longer open


def test_german_facts_and_the_date_from_its_iso_value(brief_de: HandoffBrief) -> None:
    facts, summary = _facts(brief_de, "de")
    assert facts["contract"].text == "72.000 € pro Jahr · Laufzeit 36 Monate"
    assert facts["go_live"].text == "30. Juni 2026"
    assert facts["signer"].text == "Katrin Fischer, CFO"
    assert facts["kickoff"].text == "13. April 2026"
    assert [p.text for p in summary.promises] == ["SAP-Anbindung ohne Aufpreis"]
    questions = [g.question for g in summary.gaps]
    assert questions[0] == ("Wer leitet das Projekt auf Kundenseite, und wie viel Zeit steht "
                            "dafür zur Verfügung?")
    assert questions[-1].startswith("Laut Quellen ist das noch offen: „die DSFA ist noch "
                                    "nicht abgeschlossen“, 2026-02-25-angebot.eml · "
                                    "Katrin Fischer · 25.02.2026, 10:02.")


def test_a_conflict_in_another_language_is_described_anew(brief_de: HandoffBrief) -> None:
    outline = build_outline(brief_de, "en")
    [conflict] = outline.summary.conflicts
    assert conflict.heading == "Beyond the standard offering: integration"
    assert conflict.description == "A promise goes beyond the standard offering (integration)."
    assert build_outline(brief_de, "de").summary.conflicts[0].description.startswith(
        "SAP ist eine kostenpflichtige Individualanbindung")


@pytest.mark.parametrize(("said", "lang", "goal"), [
    ("So we want to cut missed visits to under two percent.", "en",
     "Cut missed visits to under two percent"),
    ("Our main goal is to keep our biggest client.", "en", "Keep your biggest client"),
    ("Goals: SLA reports automated", "en", "SLA reports automated"),
    ("Halve the time spent on clinic scheduling", "en",
     "Halve the time spent on clinic scheduling"),
    ("Wir wollen die Leerfahrten um fünfzehn Prozent drücken.", "de",
     "Die Leerfahrten um fünfzehn Prozent drücken"),
    ("Unser Ziel ist es, unsere Auslastung über 85 % zu bringen.", "de",
     "Ihre Auslastung über 85 % bringen"),
])
def test_goals_are_written_as_goals(said: str, lang: str, goal: str) -> None:
    assert as_goal(said, lang) == goal


def test_goals_for_the_customer_are_distinct() -> None:
    assert goals_for_customer(["We want to cut costs.", "Cut costs", "Grow sales"], "en") == [
        "Cut costs", "Grow sales"]


def test_one_dispatcher_for_every_download(brief_en: HandoffBrief) -> None:
    people = DraftPeople(csm=Colleague("Emma Novak", "Customer Success Manager"),
                         rep=Colleague("Jordan Lee", "Account Executive", "+1 555 0100"))
    names = {fmt: export(brief_en, fmt, lang="de", people=people).filename for fmt in FORMATS}
    assert names == {
        "docx": "brightwater-2026-brief-de.docx", "md": "brightwater-2026-brief-de.md",
        "json": "brightwater-2026-brief-de.json",
        "email": "brightwater-2026-intro-email-de.md",
        "agenda": "brightwater-2026-agendas-de.md",
        "call-agenda": "brightwater-2026-joint-call-de.md",
        "checklist": "brightwater-2026-crm-checklist-de.md",
        "plan": "brightwater-2026-success-plan-de.md"}
    docx = export(brief_en, "docx")
    assert docx.media_type == DOCX_TYPE and docx.body[:2] == b"PK" and docx.suffix == ".docx"
    email = export(brief_en, "email", lang="en", people=people, offering=OFFERING)
    text = email.body.decode()
    assert text.startswith("Subject: Welcome to Flowbase, Brightwater Health Partners")
    assert "Emma Novak" in text and text.rstrip().endswith("Account Executive\n+1 555 0100")
    with pytest.raises(InputError, match="unknown export format 'pdf'"):
        export(brief_en, "pdf")
    with pytest.raises(InputError, match="unknown language"):
        export(brief_en, "md", lang="fr")
