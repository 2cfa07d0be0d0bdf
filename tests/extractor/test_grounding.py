"""Grounding: quotes are re-located in the real source text, or never shown as sourced."""

from __future__ import annotations

from extractor.grounding import SourceIndex, clean_quote, is_grounded_in, normalize
from handoff.domain import AlignmentStatus, ParsedDocument, Segment, SegmentKind, SourceKind


def _doc(filename: str, turns: list[tuple[str, str, str]], kind: SourceKind = SourceKind.TRANSCRIPT,
         seg_kinds: list[SegmentKind] | None = None) -> ParsedDocument:
    text, segs = "", []
    for i, (ts, who, said) in enumerate(turns):
        prefix = f"[{ts}] {who}: " if ts else ""
        start = len(text) + len(prefix)
        text += prefix + said + "\n"
        segs.append(Segment(index=i, kind=(seg_kinds or [SegmentKind.TURN] * len(turns))[i],
                            text=said, start=start, end=start + len(said), speaker=who or None,
                            timestamp=ts or None, locator=f"{ts} {who}".strip()))
    return ParsedDocument(filename=filename, format="vtt", kind=kind, text=text, segments=segs)


CALL = _doc("call.vtt", [
    ("00:00:05", "Anna Keller", "Also ich treibe das intern voran, keine Sorge."),
    ("00:00:09", "Tom Berg", "We'll have you live in four weeks, promise."),
    ("00:01:30", "Jörg Müller", "Die Schnittstelle zu SAP ist für uns Pflicht, ganz klar."),
])


def test_exact_quote_gets_offsets_speaker_and_timestamp() -> None:
    c = SourceIndex([CALL]).locate("ich treibe das intern voran", "call.vtt")
    assert c.alignment == AlignmentStatus.EXACT
    assert CALL.text[c.start:c.end] == "ich treibe das intern voran"
    assert (c.speaker, c.timestamp, c.source) == ("Anna Keller", "00:00:05", "call.vtt")


def test_case_and_whitespace_differences_are_normalized_and_snapped() -> None:
    c = SourceIndex([CALL]).locate("ICH  treibe das\nintern voran", "call.vtt")
    assert c.alignment == AlignmentStatus.NORMALIZED
    assert c.quote == "ich treibe das intern voran"


def test_umlauts_in_decomposed_form_still_match() -> None:
    decomposed = "Die Schnittstelle zu SAP ist fu\u0308r uns Pflicht"
    c = SourceIndex([CALL]).locate(decomposed, "call.vtt")
    assert c.grounded
    assert c.quote == "Die Schnittstelle zu SAP ist für uns Pflicht"


def test_paraphrased_quote_is_snapped_to_the_real_words() -> None:
    c = SourceIndex([CALL]).locate("Tom Berg: we'll have you live in four weeks promise",
                                   "call.vtt")
    assert c.alignment == AlignmentStatus.FUZZY
    assert c.quote == "We'll have you live in four weeks, promise"
    assert c.speaker == "Tom Berg"
    assert c.claimed_quote is not None


def test_quote_cited_to_the_wrong_file_is_found_in_the_right_one() -> None:
    email = _doc("mail.eml", [("", "", "Thanks for the call yesterday.")], SourceKind.EMAIL)
    c = SourceIndex([email, CALL]).locate("ich treibe das intern voran", "mail.eml")
    assert c.source == "call.vtt" and c.grounded


def test_invented_quote_is_ungrounded() -> None:
    c = SourceIndex([CALL]).locate("we guarantee a dedicated support engineer", "call.vtt")
    assert c.alignment == AlignmentStatus.UNGROUNDED
    assert not c.grounded and c.start is None


def test_too_short_quote_is_not_grounded() -> None:
    assert not SourceIndex([CALL]).locate("SAP", "call.vtt").grounded


def test_quoted_reply_loses_to_the_message_that_said_it_first() -> None:
    said = "We need the rollout finished before the October peak season."
    reply = _doc("reply.eml", [("", "", "Sounds good."), ("", "", "> " + said)],
                 SourceKind.EMAIL, [SegmentKind.MESSAGE, SegmentKind.QUOTED])
    first = _doc("first.eml", [("", "", said)], SourceKind.EMAIL, [SegmentKind.MESSAGE])
    c = SourceIndex([reply, first]).locate(said, "reply.eml")
    assert c.source == "first.eml"


def test_ellipsis_quote_grounds_its_longest_piece() -> None:
    c = SourceIndex([CALL]).locate("We'll have you live ... promise", "call.vtt")
    assert c.grounded and "We'll have you live" in c.quote


def test_helpers() -> None:
    assert clean_quote('"[00:00:09] Tom Berg: We\'ll have you live"') == "We'll have you live"
    assert normalize("Straße  \u201cX\u201d") == 'strasse "x"'
    assert is_grounded_in("LIVE in   four", "We'll have you live in four weeks")
    assert not is_grounded_in("live in five", "We'll have you live in four weeks")
