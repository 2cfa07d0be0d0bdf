"""Wording and sectors the first dev deals did not use: the classifier must still read them."""

from __future__ import annotations

import pytest

from index.parsers import parse_bytes
from tests.extractor.builders import brief_of


def _items(text: str, key: str) -> list[str]:
    call = ("WEBVTT\n\n00:00:05.000 --> 00:00:14.000\n<v Dana Ruiz>" + text + "\n")
    brief = brief_of([parse_bytes(call.encode(), "call.vtt")])
    return [i.citations[0].quote for i in brief.items if i.key == key]


@pytest.mark.parametrize("said", [
    "We're a regional public university, about nineteen thousand students across two campuses.",
    "Wir sind ein klassisches Stadtwerk, also Strom, Gas, Wasser und Fernwärme.",
    "We are a mutual insurer for farms and rural homes, about sixty thousand members.",
    pytest.param("We're a municipal council serving about 200,000 residents.",
                 marks=pytest.mark.xfail(strict=True, reason="issue 12: classifier.v2 misses "
                                                             "this one-line industry")),
])
def test_industry_outside_the_dev_sectors_is_found(said: str) -> None:
    assert _items(said, "account.industry") == [said]


@pytest.mark.parametrize("said", [
    "What I really need is for customers to stop chasing us for status updates.",
    "Was wir eigentlich brauchen, ist, dass keine Anfrage mehr im Postfach verschwindet.",
])
def test_goal_said_as_a_need_is_the_primary_goal(said: str) -> None:
    assert _items(said, "goals.primary_goal") == [said]


@pytest.mark.parametrize("said", [
    "That's probably a deal-breaker if it's no, because the phones are half the problem.",
    "I don't love another vendor holding our claims data outside the UK.",
    "Ehrlich gesagt habe ich Bauchschmerzen, wenn die Daten in die USA gehen.",
])
def test_objection_in_plain_words_is_an_objection(said: str) -> None:
    assert _items(said, "risks.objection") == [said]


def test_the_vendors_order_form_states_no_customer_goals() -> None:
    import io

    import docx

    order = docx.Document()
    order.add_heading("Auftragsbestätigung AB-2026-0147", level=1)
    order.add_paragraph("Pos. 5 Support: Standard-Support, Reaktionszeit 8 Stunden, "
                        "Verfügbarkeit 99,5 %.")
    buf = io.BytesIO()
    order.save(buf)
    call = ("WEBVTT\n\n00:00:05.000 --> 00:00:14.000\n<v Dana Ruiz>Wir wollen die Antwortzeit "
            "auf unter 24 Stunden senken.\n")
    docs = [parse_bytes(buf.getvalue(), "Auftragsbestaetigung_AB-2026-0147.docx"),
            parse_bytes(call.encode(), "call.vtt")]
    brief = brief_of(docs)
    metrics = [i for i in brief.items if i.category == "goals"]
    assert metrics and all(c.source == "call.vtt" for i in metrics for c in i.citations)


def _brief_of(*files: tuple[str, str]):  # type: ignore[no-untyped-def]
    docs = [parse_bytes(text.encode(), name) for name, text in files]
    return brief_of(docs)


MAIL = """From: "Reimer, Lukas" <lukas.reimer@corvana.com>
To: "Kowalczyk, Sabine" <s.kowalczyk@stadtwerke-emmerstadt.de>
Subject: Angebot
Date: Thu, 21 May 2026 10:00:00 +0200

Hallo Frau Kowalczyk,

anbei das Angebot.

Viele Grüße
Lukas Reimer
Account Executive, Corvana GmbH
"""

CALL_DE = """WEBVTT

00:00:05.000 --> 00:00:14.000
<v Lukas Reimer>Ich schicke Ihnen bis Freitag unser ISO-27001-Zertifikat und den AVV-Entwurf.

00:00:16.000 --> 00:00:26.000
<v Sabine Kowalczyk>Gut. Ich treibe das Projekt bei uns intern voran.
"""


def test_address_book_names_are_the_same_people_as_the_speakers() -> None:
    brief = _brief_of(("angebot.eml", MAIL), ("termin.vtt", CALL_DE))
    champions = [i for i in brief.items if i.key == "stakeholders.champion"]
    assert [i.attributes["name"] for i in champions] == ["Sabine Kowalczyk"]
    # the rep is known as the vendor from his email signature, so his call promise counts
    promises = [i for i in brief.items if i.category == "commitments"]
    assert any("ISO-27001" in i.value and i.attributes.get("promised_by") == "Lukas Reimer"
               for i in promises)


@pytest.mark.parametrize(("said", "promise"), [
    ("Uplift: I can't do 3%, but I can cap renewal uplift at 5% for the term.", True),
    ("We don't do free pilots, I'll be upfront, but we'd make the onboarding count.", False),
    ("I'd love to include on-site training, but we can't this year.", False),
])
def test_a_refusal_then_a_counter_offer_is_a_promise(said: str, promise: bool) -> None:
    call = ("WEBVTT\n\n00:00:05.000 --> 00:00:14.000\n<v Tom Hallett>I'm the account executive "
            f"at Corvana. {said}\n")
    brief = _brief_of(("call.vtt", call))
    found = [i for i in brief.items if i.category == "commitments"
             and any(said[:30] in c.quote for c in i.citations)]
    assert bool(found) is promise


def test_the_project_start_is_not_a_semesters_start() -> None:
    assert _items("Classes start August 24, that's the hard wall for everything.",
                  "implementation.start_date") == []
    said = "Realistically the earliest we could kick off is Monday, July 6."
    assert _items(said, "implementation.start_date") == [said]
