"""Call transcripts: WebVTT (Zoom, Teams), SRT, Otter/Fireflies text and Gong JSON."""

from __future__ import annotations

import json

from handoff.domain import SegmentKind, SourceKind
from index.parsers import parse_bytes, parse_file


def turns(doc):
    return [s for s in doc.segments if s.kind == SegmentKind.TURN]


def test_zoom_vtt_speakers_timestamps_and_merged_turns(source, check_offsets):
    doc = parse_bytes(source("zoom_discovery.vtt"), "2026-03-04-discovery.vtt")

    check_offsets(doc)
    assert doc.format == "vtt" and doc.kind == SourceKind.TRANSCRIPT
    said = turns(doc)
    assert [t.speaker for t in said] == [
        "Tom Berger", "Anna Keller", "Jonas Weber", "Anna Keller", "Lisa Brandt"]
    # cues 1+2 (both Tom) became one turn that keeps the first cue's time
    assert said[0].timestamp == "00:00:02"
    assert said[0].text.endswith("I have Lisa from our solutions team with me today.")
    assert said[3].timestamp == "00:12:03"
    assert said[3].locator == "00:12:03 Anna Keller"
    line = "[00:12:03] Anna Keller: Our CFO Markus Fischer signs off anything above 50k."
    assert line in doc.text


def test_vtt_segment_covers_only_the_utterance_and_entities_are_resolved(source):
    doc = parse_bytes(source("zoom_discovery.vtt"), "call.vtt")

    anna = turns(doc)[1]
    assert not anna.text.startswith("Anna Keller")
    assert "I'm the one driving this internally & I need it live" in anna.text
    assert "NOTE" not in doc.text  # WebVTT comments are not speech
    assert "hard requirement. We can't go live without it." in turns(doc)[2].text


def test_vtt_speaker_on_its_own_line(source, check_offsets):
    doc = parse_bytes(source("zoom_speaker_lines.vtt"), "kickoff.vtt")

    check_offsets(doc)
    said = turns(doc)
    assert [t.speaker for t in said[:3]] == ["Anna Keller", "Tom Berger", "Anna Keller"]
    assert said[2].text == "Ja. Wir brauchen den Go-Live spätestens Ende Juni."
    # a one-word first line seen once is text, not a speaker
    assert said[3].speaker is None
    assert said[3].text == "Okay das heißt wir haben zehn Wochen."


def test_teams_voice_spans_and_guid_cue_ids(source, check_offsets):
    doc = parse_bytes(source("teams_pricing.vtt"), "pricing.vtt")

    check_offsets(doc)
    said = turns(doc)
    assert [t.speaker for t in said] == [
        "Markus Fischer", "Tom Berger", "Markus Fischer", "Anna Keller", "Tom Berger"]
    assert said[0].text == (
        "Before we talk numbers, I need to understand the three-year cost. "
        "Our budget for this year is capped at 120,000 euros.")
    assert said[0].meta["cue"] == "8f3e2b1a-5c2d-4e0a-9b7f-1d2c3e4f5a6b/12-0"
    assert said[3].text == "And the training sessions are included?"  # second voice in one cue
    assert said[4].timestamp == "00:01:02"  # <v.loud Tom Berger> class is not part of the name
    assert "<v" not in doc.text and "</v>" not in doc.text


def test_srt_with_name_prefix_and_blank_line_inside_a_subtitle(source, check_offsets):
    doc = parse_bytes(source("demo_call.srt"), "demo.srt")

    check_offsets(doc)
    assert doc.format == "srt"
    said = turns(doc)
    assert [t.speaker for t in said] == [
        "Lisa Brandt", "Jonas Weber", "Lisa Brandt", "Jonas Weber", "Lisa Brandt"]
    assert said[2].text == (
        "Yes, the SAP connector syncs every five minutes. "
        "That is part of the custom integration package.")
    assert said[3].text == "Perfect. And ISO 27001?"  # <i> tags removed
    assert said[4].timestamp == "00:00:18"


def test_otter_export_keeps_preamble_and_reads_hour_timestamps(source, check_offsets):
    doc = parse_bytes(source("otter_export.txt"), "planning.txt")

    check_offsets(doc)
    assert doc.format == "transcript_text"
    said = turns(doc)
    assert [(t.speaker, t.timestamp) for t in said] == [
        ("Tom Berger", "00:00:03"), ("Anna Keller", "00:00:11"), ("Jonas Weber", "01:02:33")]
    assert "We have about 40 dispatchers there. After that we roll out" in said[1].text
    preamble = [s for s in doc.segments if s.kind == SegmentKind.PARAGRAPH]
    assert preamble[0].text.startswith("Nordwind Logistik - Implementation planning")
    assert doc.meta["title"] == "Nordwind Logistik - Implementation planning"
    assert "otter.ai" not in doc.text


def test_fireflies_export_with_continuation_lines(source, check_offsets):
    doc = parse_bytes(source("fireflies_export.txt"), "fireflies.txt")

    check_offsets(doc)
    said = turns(doc)
    assert said[2].speaker == "Anna Keller"
    assert said[2].timestamp == "00:12:03"
    assert said[2].text == ("Success for us means cutting manual dispatch time by 30 percent. "
                            "That is the number the board will look at.")
    assert "[00:12:41] Markus Fischer: And I want to see ROI within twelve months." in doc.text


def test_gong_joins_speaker_ids_to_party_names_and_titles(source, check_offsets):
    doc = parse_bytes(source("gong_call.json"), "security-review.json")

    check_offsets(doc)
    assert doc.format == "gong_json" and doc.kind == SourceKind.TRANSCRIPT
    said = turns(doc)
    sabine = said[1]
    assert (sabine.speaker, sabine.speaker_title) == (
        "Sabine Hoffmann", "Information Security Officer")
    assert sabine.timestamp == "00:00:09"  # 9100 ms
    assert "signed DPA" in sabine.text and "Pen test reports" in sabine.text  # merged monologues
    assert said[2].speaker_title == "IT-Leiter"
    assert said[3].speaker_title == "Account Executive"
    assert said[-1].speaker is None  # a speakerId without a party
    assert doc.meta["title"] == "Nordwind Logistik | Flowbase - Security review"


def test_gong_titles_are_quotable_in_the_participant_list(source):
    doc = parse_bytes(source("gong_call.json"), "security-review.json")

    participants = [s for s in doc.segments if s.meta.get("section") == "participants"]
    assert "Sabine Hoffmann, Information Security Officer (External)" in [
        p.text for p in participants]
    assert "Sabine Hoffmann, Information Security Officer" in doc.text


def test_gong_call_transcripts_envelope_with_top_level_parties():
    export = {
        "parties": [{"speakerId": "1", "name": "Anna Keller", "title": "Head of Operations"}],
        "callTranscripts": [{"callId": "42", "transcript": [
            {"speakerId": "1", "sentences": [{"start": 61000, "end": 64000, "text": "Go."}]}]}],
    }
    doc = parse_bytes(json.dumps(export).encode(), "gong.json")

    turn = turns(doc)[0]
    assert (turn.speaker, turn.speaker_title, turn.timestamp) == (
        "Anna Keller", "Head of Operations", "00:01:01")


def test_parse_file_uses_the_bare_file_name(sources_dir):
    doc = parse_file(sources_dir / "demo_call.srt")

    assert doc.filename == "demo_call.srt"


def test_srt_without_subtitle_numbers():
    data = (b"00:00:01,000 --> 00:00:03,000\nAnna Keller: We need SAP.\n\n"
            b"00:00:04,000 --> 00:00:06,500\nTom Berger: Understood.\n")

    doc = parse_bytes(data, "recorder.srt")

    assert [(t.speaker, t.timestamp, t.text) for t in turns(doc)] == [
        ("Anna Keller", "00:00:01", "We need SAP."), ("Tom Berger", "00:00:04", "Understood.")]


def test_any_recorders_call_json_joins_participants_and_reads_times(check_offsets):
    call = {
        "meeting": {"title": "Pricing review", "date": "2026-05-04"},
        "people": [
            {"pid": 1, "id": "a", "name": "Mara Quist", "job_title": "CFO", "company": "Vellum"},
            {"id": "b", "name": "Tom Ruiz", "company": "Flowbase"},
        ],
        "topics": [{"id": 7, "name": "Budget"}],  # named and numbered, but not people
        "segments": [
            {"speaker_id": "a", "start_ms": 61000, "text": "I sign anything above 40k."},
            {"speaker_id": "b", "start_ms": 65500, "text": "Understood."},
            {"speaker_id": "b", "start_ms": 67000, "text": "Then we send it to you."},
        ],
    }
    doc = parse_bytes(json.dumps(call).encode(), "chorus-call.json")

    check_offsets(doc)
    assert doc.format == "call_json" and doc.kind == SourceKind.TRANSCRIPT
    said = turns(doc)
    assert [t.speaker for t in said] == ["Mara Quist", "Tom Ruiz"]  # Tom's two lines merged
    assert said[0].speaker_title == "CFO" and said[0].timestamp == "00:01:01"
    assert said[1].text == "Understood. Then we send it to you."
    assert "Mara Quist, CFO (Vellum)" in doc.text and "Budget" not in doc.text


def test_call_json_as_a_bare_list_of_utterances_with_clock_times():
    rows = [{"speaker": "Ines", "time": "00:02:10", "words": [{"word": "Go"}, {"word": "live"},
                                                             {"word": "in"}, {"word": "June."}]},
            {"speaker": "Piet", "time": "00:02:15", "transcript": "June works for us."}]
    doc = parse_bytes(json.dumps(rows).encode(), "otter.json")

    assert doc.format == "call_json"
    assert [(t.speaker, t.text, t.timestamp) for t in turns(doc)] == [
        ("Ines", "Go live in June.", "00:02:10"), ("Piet", "June works for us.", "00:02:15")]


def test_gong_transcripts_joined_to_the_calls_parties_by_call_id():
    export = {  # /v2/calls/transcript and /v2/calls/extensive saved in one file
        "calls": [{"metaData": {"id": "77", "title": "Discovery"},
                   "parties": [{"speakerId": "s9", "name": "Lea Brandt", "title": "CFO"}]}],
        "callTranscripts": [{"callId": "77", "transcript": [
            {"speakerId": "s9", "sentences": [{"start": 5000, "end": 9000,
                                               "text": "Ich unterschreibe."}]}]}],
    }
    doc = parse_bytes(json.dumps(export).encode(), "gong.json")

    assert doc.format == "gong_json"
    turn = turns(doc)[0]
    assert (turn.speaker, turn.speaker_title, turn.text) == ("Lea Brandt", "CFO",
                                                             "Ich unterschreibe.")
    assert doc.text.startswith("Discovery")
