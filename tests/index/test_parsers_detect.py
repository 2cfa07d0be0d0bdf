"""Format detection: by content first, extension second."""

from __future__ import annotations

import json

import pytest

from index.parsers import detect_format, parse_bytes


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("zoom_discovery.vtt", "vtt"),
        ("teams_pricing.vtt", "vtt"),
        ("demo_call.srt", "srt"),
        ("otter_export.txt", "transcript_text"),
        ("fireflies_export.txt", "transcript_text"),
        ("gong_call.json", "gong_json"),
        ("pricing_reply.eml", "eml"),
        ("golive_thread.mbox", "mbox"),
        ("salesforce_notes.csv", "crm_csv"),
        ("german_notes.csv", "crm_csv"),
        ("hubspot_engagements.json", "hubspot_json"),
        ("hubspot_v3_notes.json", "hubspot_json"),
        ("rep_notes.md", "markdown"),
        ("rep_notes.txt", "text"),
    ],
)
def test_fixtures_are_detected(source, fixture, expected):
    assert detect_format(source(fixture), fixture) == expected


@pytest.mark.parametrize(
    ("fixture", "disguise", "expected"),
    [
        ("teams_pricing.vtt", "transcript.txt", "vtt"),
        ("zoom_discovery.vtt", "recording", "vtt"),  # no extension at all
        ("demo_call.srt", "captions.txt", "srt"),
        ("pricing_reply.eml", "mail.txt", "eml"),
        ("email_saved_as.txt", "email_saved_as.txt", "eml"),
        ("golive_thread.mbox", "thread.txt", "mbox"),
        ("gong_call.json", "export.txt", "gong_json"),
        ("hubspot_engagements.json", "gong_export.json", "hubspot_json"),
        ("salesforce_notes.csv", "notes.txt", "crm_csv"),
        ("fireflies_export.txt", "call.md", "transcript_text"),
        ("rep_notes.md", "notes.txt", "markdown"),
        ("rep_notes.txt", "notes.vtt.bak", "text"),
    ],
)
def test_content_wins_over_a_wrong_or_missing_extension(source, fixture, disguise, expected):
    doc = parse_bytes(source(fixture), disguise)

    assert doc.format == expected
    assert doc.filename == disguise


def test_pdf_and_docx_by_magic_bytes(order_form_docx, proposal_pdf):
    assert detect_format(proposal_pdf, "proposal") == "pdf"
    assert detect_format(proposal_pdf, "proposal.docx") == "pdf"
    assert detect_format(order_form_docx, "order-form.zip") == "docx"
    assert detect_format(order_form_docx, "order-form.pdf") == "docx"


def test_utf16_export_with_bom_is_text():
    data = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAnna Keller: Hallo.\n".encode("utf-16")

    doc = parse_bytes(data, "teams.vtt")

    assert doc.segments[0].speaker == "Anna Keller"
    assert doc.segments[0].text == "Hallo."


def test_json_shapes_decide_between_gong_and_hubspot():
    gong = {"calls": [{"parties": [], "transcript": [
        {"speakerId": "1", "sentences": [{"start": 0, "end": 1, "text": "Hi"}]}]}]}
    hubspot = {"engagements": [{"engagement": {"id": 1}, "metadata": {"body": "Hi"}}]}

    assert detect_format(json.dumps(gong).encode(), "export.json") == "gong_json"
    assert detect_format(json.dumps(hubspot).encode(), "export.json") == "hubspot_json"
