"""The drafts: written in the requested language, about this customer, never executing input."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from exports.draft_context import Colleague
from exports.drafts import (
    DRAFTS,
    all_drafts,
    crm_checklist,
    internal_meeting_agenda,
    intro_email,
    joint_call_agenda,
    success_plan,
)
from handoff.domain import AlignmentStatus, Citation, GapStatus, Item

SIGNED_FRIDAY = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)


def test_all_drafts_in_english_mention_goals_and_csm(brief_en):
    drafts = all_drafts(brief_en, csm=Colleague("Sam Ortiz"), rep=Colleague("Jordan Lee"))

    assert list(drafts) == list(DRAFTS)
    for name in ("intro_email", "internal_meeting", "joint_call", "success_plan"):
        assert "Halve the time spent on clinic scheduling" in drafts[name], name
        assert "Sam Ortiz" in drafts[name], name
    for text in drafts.values():
        assert text.endswith("\n") and "None" not in text and "\n\n\n" not in text


def test_all_drafts_in_german(brief_de):
    drafts = all_drafts(brief_de, csm=Colleague("Petra Lang"))

    assert drafts["intro_email"].startswith("Betreff: ")
    assert "Werktage" in drafts["intro_email"]
    assert "# Internes Übergabemeeting" in drafts["internal_meeting"]
    assert "# Gemeinsames Übergabegespräch" in drafts["joint_call"]
    assert "# CRM und CS-Plattform aktualisieren" in drafts["crm_checklist"]
    assert "# Erfolgsplan für 30/60/90 Tage" in drafts["success_plan"]
    for name, text in drafts.items():
        assert not re.search(r"\b(the|and|with|Subject)\b", text), name
        if name != "crm_checklist":
            assert "Leerfahrten um 15 Prozent senken" in text, name


def test_language_can_differ_from_the_brief(brief_de):
    text = intro_email(brief_de, lang="en", csm=Colleague("Petra Lang"))
    assert text.startswith("Subject: ") and "Hello Anna," in text


def test_intro_email_introduces_csm_restates_goals_and_proposes_the_call(brief_en):
    text = intro_email(brief_en, csm=Colleague("Sam Ortiz"), rep=Colleague("Jordan Lee"),
                       vendor_name="Flowbase", signed_at=SIGNED_FRIDAY)

    assert text.startswith("Subject: Welcome to Flowbase, Brightwater Health Partners")
    assert "Hello Dana," in text
    assert "I would like to introduce Sam Ortiz" in text
    assert "- Shift fill rate above 95% within two quarters" in text
    assert "full context" in text
    # five business days after Friday 13 March skip the weekend
    assert "30-minute joint call" in text and "by Friday, 20 March 2026" in text
    assert text.rstrip().endswith("Jordan Lee")


def test_intro_email_without_csm_or_rep_still_reads_well(brief_de):
    text = intro_email(brief_de)

    assert "unser Customer-Success-Team" in text
    assert "innerhalb der nächsten fünf Werktage" in text
    assert text.rstrip().endswith("[Ihr Name]")


def test_intro_email_leaves_out_unsourced_goals(brief_en):
    brief_en.items.append(Item(
        id="gx", key="goals.primary_goal", value="Replace the whole HR suite",
        citations=[Citation(source="x.eml", quote="hr suite",
                            alignment=AlignmentStatus.UNGROUNDED)]))

    assert "Replace the whole HR suite" not in intro_email(brief_en)
    assert "Replace the whole HR suite (unverified)" in internal_meeting_agenda(brief_en)


def test_internal_agenda_has_timed_blocks_filled_from_the_brief(brief_en):
    text = internal_meeting_agenda(brief_en, rep=Colleague("Jordan Lee"),
                                   signed_at=SIGNED_FRIDAY)

    blocks = re.findall(r"^## (\d\d:\d\d)–(\d\d:\d\d) ", text, flags=re.M)
    assert blocks[0][0] == "00:00" and blocks[-1][1] == "00:45"
    assert all(end == nxt for (_, end), (nxt, _) in zip(blocks, blocks[1:], strict=False))
    assert "Marcus Chen (COO) – Executive sponsor, Economic buyer" in text
    assert "Live within four weeks — promised by Jordan Lee (verbal, needs CS validation)" in text
    assert "When does the implementation start (kickoff date)?" in text
    assert "Conflict to settle: The call promises go-live in four weeks" in text
    assert "(by Saturday, 14 March 2026, 16:00)" in text


def test_joint_call_is_thirty_minutes_and_guards_unvalidated_promises(brief_en):
    text = joint_call_agenda(brief_en, csm=Colleague("Sam Ortiz"))

    blocks = re.findall(r"^## \d\d:\d\d–(\d\d:\d\d) ", text, flags=re.M)
    assert blocks[-1] == "00:30"
    assert "- Dana Whitfield (Director of Clinic Operations) – Champion, End users" in text
    assert "Tom Becker" not in text  # unverified influencer: no invitation drafted
    assert "Start: not fixed yet" in text
    validate = text.split("until CS has validated them:**", 1)[1]
    assert "Premium support with a dedicated CSM" in validate


def test_checklist_ticks_what_the_brief_covers(brief_en):
    text = crm_checklist(brief_en)

    assert "- [x] Commitments documented (4 recorded, 2 need CS validation)" in text
    assert "- [x] Stakeholder map created (4 people)" in text
    assert "- [ ] Open gaps answered (2 open)" in text
    assert "- [ ] Account owner changed to CS" in text
    assert "- [ ] Implementation milestones created" in text  # no start date yet

    for gap in brief_en.gaps:
        gap.status = GapStatus.ANSWERED
    assert "- [x] Open gaps answered (0 open)" in crm_checklist(brief_en)


def test_success_plan_spreads_goals_over_thirty_sixty_ninety_days(brief_de):
    text = success_plan(brief_de, csm=Colleague("Petra Lang"))

    assert [h for h in re.findall(r"^## (.+)$", text, flags=re.M) if h.startswith("Tag")] == [
        "Tag 1–30: Onboarding und erster schneller Erfolg",
        "Tag 31–60: Rollout und Nutzung",
        "Tag 61–90: Go-live und erste Ergebnisse",
    ]
    assert "Ausgangswert erfassen für: Auslastung der Flotte über 85 Prozent" in text
    assert "Zusage prüfen: SAP-Anbindung ohne Aufpreis" in text
    assert "Erstes Business Review mit Katrin Fischer" in text


@pytest.mark.parametrize("payload", ["{{ 7 * 7 }}", "{% for x in range(3) %}x{% endfor %}",
                                     "{{ ''.__class__.__mro__ }}"])
def test_template_syntax_in_the_brief_is_printed_not_run(brief_en, payload):
    goal = next(i for i in brief_en.items if i.key == "goals.primary_goal")
    goal.value = f"Halve scheduling {payload}"
    drafts = all_drafts(brief_en, csm=Colleague(payload))

    assert f"Halve scheduling {payload}" in drafts["intro_email"]
    assert "49" not in drafts["intro_email"] and "xxx" not in drafts["intro_email"]
    assert payload in drafts["success_plan"]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_an_empty_brief_gives_drafts_with_placeholders(lang):
    from handoff.domain import BriefMetadata, HandoffBrief

    brief = HandoffBrief(deal_id="d0", deal_name="Acme AG", language=lang,
                         metadata=BriefMetadata(backend="rules"))
    drafts = all_drafts(brief)

    assert ("[name of your main contact]" if lang == "en"
            else "[Name Ihres Hauptansprechpartners]") in drafts["intro_email"]
    assert ("ask the rep" if lang == "en" else "beim Vertrieb nachfragen") in drafts[
        "internal_meeting"]
    ticked = [line for line in drafts["crm_checklist"].splitlines() if line.startswith("- [x]")]
    assert len(ticked) == 4  # only "nothing open": no gaps, conflicts, promises, unverified
    assert all("None" not in text for text in drafts.values())
