"""Who signs, who drives, and a person who holds two roles (classifier backend)."""

from __future__ import annotations

import pytest

from handoff.domain import HandoffBrief
from index.parsers import parse_bytes
from tests.extractor.builders import brief_of

CALL = """WEBVTT

00:00:05.000 --> 00:00:14.000
<v Fiona Marsh>I'm the Claims Director, and honestly I'm the one driving this internally.

00:00:16.000 --> 00:00:26.000
<v Fiona Marsh>Alistair Ferguson, our COO. He signs, but he's not going to cheerlead it.

00:00:28.000 --> 00:00:36.000
<v Tom Hallett>Understood. I'm the account executive at Corvana, I'll send the order form to him.
"""

CALL_DE = """WEBVTT

00:00:05.000 --> 00:00:14.000
<v Katrin Vogt>Ich treibe das Projekt intern voran, ich leite den Kundenservice.

00:00:16.000 --> 00:00:26.000
<v Katrin Vogt>Unterschreiben muss das der kaufmännische Geschäftsführer, der Herr Dr. Sennewald.
"""

UNKNOWN_SIGNER = """WEBVTT

00:00:05.000 --> 00:00:14.000
<v Jordan Blake>I'm the VP of Operations and this is my initiative, I'm driving it.

00:00:16.000 --> 00:00:26.000
<v Jordan Blake>Honestly, I don't know who will sign this on our side, our CFO just left.
"""


def _brief(name: str, text: str) -> HandoffBrief:
    return brief_of([parse_bytes(text.encode(), name)])


def _holders(brief: HandoffBrief, key: str) -> set[str]:
    return {i.attributes.get("name", "") for i in brief.items if i.key == key}


def test_he_signs_goes_to_the_person_named_just_before() -> None:
    brief = _brief("call.vtt", CALL)
    assert "Alistair Ferguson" in _holders(brief, "stakeholders.economic_buyer")
    assert "Fiona Marsh" not in _holders(brief, "stakeholders.economic_buyer")
    assert "Fiona Marsh" in _holders(brief, "stakeholders.champion")
    signer = next(i for i in brief.items if i.key == "stakeholders.economic_buyer")
    assert "Alistair Ferguson" in " ".join(c.quote for c in signer.citations)


def test_german_signer_is_the_economic_buyer() -> None:
    brief = _brief("anruf.vtt", CALL_DE)
    assert any("Sennewald" in n for n in _holders(brief, "stakeholders.economic_buyer"))
    assert "Katrin Vogt" in _holders(brief, "stakeholders.champion")


@pytest.mark.xfail(strict=True, reason="issue 12: the classifier files 'this is my initiative, "
                   "I'm driving it' under executive sponsor only, not also champion")
def test_a_person_with_two_roles_is_listed_under_both() -> None:
    brief = _brief("call.vtt", UNKNOWN_SIGNER)
    sponsor = [i for i in brief.items if i.attributes.get("name") == "Jordan Blake"]
    keys = {i.key for i in sponsor}
    assert {"stakeholders.champion", "stakeholders.executive_sponsor"} <= keys
    for item in sponsor:  # every line names all of the person's roles
        assert set(item.attributes["roles"]) >= {"champion", "executive_sponsor"}


def test_a_signer_said_to_be_unknown_is_nobody_and_a_gap() -> None:
    brief = _brief("call.vtt", UNKNOWN_SIGNER)
    assert not _holders(brief, "stakeholders.economic_buyer")
    assert "stakeholders.economic_buyer" in {g.key for g in brief.gaps}
