"""Gong call transcripts exported as JSON.

Gong's API splits a call in two: ``parties`` (who was on the call, with name, job title,
affiliation) and ``transcript`` (monologues by ``speakerId``, each with ``sentences`` timed in
milliseconds). This module joins them, so each turn carries the speaker's name *and* title,
and writes the participant list at the top of the document: the titles then appear in the
text itself and a stakeholder's title can be quoted, not just inferred.

Accepted shapes: a single call object; ``{"calls": [...]}``; ``{"callTranscripts": [...]}``
(parties at the top level or per call); both together, joined by call id (the transcripts
from one API call, the calls' parties and metadata from another); or a list of calls.
"""

from __future__ import annotations

from typing import Any

from handoff.domain import ParsedDocument, SegmentKind, SourceKind
from handoff.errors import ParseError

from ._build import DocumentBuilder
from ._decode import load_json
from ._transcript import Turn, add_turns, merge_turns, transcript_meta


def calls_of(obj: Any) -> list[dict[str, Any]]:
    """The call objects in a parsed Gong JSON export (empty when it is not one)."""
    if isinstance(obj, list):
        candidates = [c for c in obj if isinstance(c, dict)]
        shared_parties: list[Any] = []
    elif isinstance(obj, dict):
        candidates = [c for name in ("callTranscripts", "calls") if isinstance(obj.get(name), list)
                      for c in obj[name] if isinstance(c, dict)]
        if not candidates:
            candidates = [obj]
        parties = obj.get("parties")
        shared_parties = parties if isinstance(parties, list) else []
    else:
        return []
    # Gong's API gives transcripts (/v2/calls/transcript) and the calls' parties and metadata
    # (/v2/calls/extensive) separately; an export that holds both is joined by call id.
    about = {_call_id(c): c for c in candidates if not isinstance(c.get("transcript"), list | dict)}
    calls = []
    for call in candidates:
        other = about.get(_call_id(call)) if _call_id(call) else None
        if other is not None and other is not call:
            call = {**other, **call, "parties": call.get("parties") or other.get("parties")}
        transcript = call.get("transcript")
        if isinstance(transcript, dict):  # {"transcript": {"transcript": [...]}} in some exports
            transcript = transcript.get("transcript")
        if isinstance(transcript, list) and any(
            isinstance(m, dict) and ("sentences" in m or "speakerId" in m) for m in transcript
        ):
            parties = call.get("parties") if isinstance(call.get("parties"), list) else []
            calls.append({**call, "transcript": transcript, "parties": parties or shared_parties})
    return calls


def _call_id(call: dict[str, Any]) -> str:
    meta = call.get("metaData")
    value = (meta.get("id") if isinstance(meta, dict) else None) or call.get("callId") \
        or call.get("id")
    return str(value) if value not in (None, "") else ""


def parse(data: bytes, filename: str) -> ParsedDocument:
    """Parse a Gong JSON export into speaker turns with names and titles.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded.

    Raises:
        ParseError: the file is not JSON, holds no Gong call, or no sentence has text.
    """
    return parse_json(load_json(data, filename), filename)


def parse_json(obj: Any, filename: str) -> ParsedDocument:
    """Build the transcript document from already-decoded Gong JSON.

    Args:
        obj: The decoded JSON value.
        filename: The file's name as uploaded.

    Raises:
        ParseError: the JSON holds no Gong call, or no sentence has text.
    """
    calls = calls_of(obj)
    if not calls:
        raise ParseError(filename, "JSON has no Gong call transcript (no 'transcript' list)")
    builder = DocumentBuilder(filename, "gong_json", SourceKind.TRANSCRIPT)
    all_turns: list[Turn] = []
    doc_meta: dict[str, str] = {}
    for call in calls:
        meta = _dict(call.get("metaData"))
        title = str(meta.get("title") or call.get("title") or "")
        call_id = str(meta.get("id") or call.get("callId") or call.get("id") or "")
        started = str(meta.get("started") or call.get("started") or "")
        if not doc_meta:
            doc_meta = {"title": title, "call_id": call_id, "started": started,
                        "url": str(meta.get("url") or "")}
        if title or started:
            builder.line(" - ".join(p for p in (title, started) if p))
        parties = _parties(call["parties"])
        _write_participants(builder, parties)
        builder.blank()
        turns = merge_turns(_turns(call["transcript"], parties, call_id))
        add_turns(builder, turns)
        builder.blank()
        all_turns.extend(turns)
    doc_meta["calls"] = str(len(calls))
    return builder.build(transcript_meta(all_turns, doc_meta))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _parties(raw: list[Any]) -> dict[str, dict[str, str]]:
    """Parties by every id a transcript may use for them (``speakerId`` and ``id``)."""
    by_id: dict[str, dict[str, str]] = {}
    for party in raw:
        if not isinstance(party, dict):
            continue
        info = {
            "name": str(party.get("name") or "").strip(),
            "title": str(party.get("title") or party.get("jobTitle") or "").strip(),
            "affiliation": str(party.get("affiliation") or "").strip(),
            "email": str(party.get("emailAddress") or party.get("email") or "").strip(),
            "company": str(party.get("company") or party.get("companyName") or "").strip(),
        }
        for key in ("speakerId", "id", "userId"):
            if party.get(key) not in (None, ""):
                by_id.setdefault(str(party[key]), info)
    return by_id


def _write_participants(builder: DocumentBuilder, parties: dict[str, dict[str, str]]) -> None:
    unique = list({id(p): p for p in parties.values() if p["name"]}.values())
    if not unique:
        return
    builder.line("Participants:")
    for party in unique:
        extra = ", ".join(p for p in (party["company"], party["affiliation"]) if p)
        text = ", ".join(p for p in (party["name"], party["title"]) if p)
        builder.segment(
            SegmentKind.PARAGRAPH,
            f"{text} ({extra})" if extra else text,
            speaker=party["name"],
            speaker_title=party["title"],
            locator=f"participant {party['name']}",
            meta={"section": "participants", "affiliation": party["affiliation"],
                  "email": party["email"], "company": party["company"]},
        )


def _turns(transcript: list[Any], parties: dict[str, dict[str, str]], call_id: str) -> list[Turn]:
    turns = []
    for monologue in transcript:
        if not isinstance(monologue, dict):
            continue
        sentences = [s for s in monologue.get("sentences") or [] if isinstance(s, dict)]
        text = " ".join(str(s.get("text") or "").strip() for s in sentences).strip()
        if not text:
            continue
        speaker_id = str(monologue.get("speakerId") or "")
        party = parties.get(speaker_id, {})
        starts = [s["start"] for s in sentences if isinstance(s.get("start"), int | float)]
        ends = [s["end"] for s in sentences if isinstance(s.get("end"), int | float)]
        meta = {"speaker_id": speaker_id, "topic": str(monologue.get("topic") or ""),
                "call_id": call_id, "affiliation": party.get("affiliation", "")}
        if ends:
            meta["end"] = f"{max(ends) / 1000:.3f}s"
        turns.append(Turn(
            party.get("name") or None, text,
            seconds=min(starts) / 1000 if starts else None,
            title=party.get("title") or None,
            meta={k: v for k, v in meta.items() if v},
        ))
    return turns
