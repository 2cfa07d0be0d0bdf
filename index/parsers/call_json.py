"""Call transcripts exported as JSON by any recorder (Chorus, Otter, Fireflies, Zoom, tl;dv...).

Gong has its own parser (:mod:`gong`); every other recorder writes some variation of the same
idea: a list of utterances, each with a speaker (a name, or an id into a participant list),
the words, and a start time (seconds, milliseconds or a clock string). Exports differ in the
field names and in where the list sits, so this module looks for the shape instead of a
vendor: the longest list of objects, found within a few levels of the top, whose items
carry a text field and a speaker field. Participants (a list of objects with a name and an
id, and a title or company when the export has them) give each turn the speaker's name and
title, and are written at the top, as the Gong parser does.
"""

from __future__ import annotations

from typing import Any

from handoff.domain import ParsedDocument, SegmentKind, SourceKind
from handoff.errors import ParseError

from ._build import DocumentBuilder
from ._decode import load_json
from ._transcript import Turn, add_turns, merge_turns, parse_clock, transcript_meta

_TEXT = ("text", "transcript", "content", "sentence", "utterance", "words", "body", "message")
_SPEAKER = ("speaker", "speaker_name", "speakername", "speakerlabel", "speaker_label", "name",
            "participant", "participant_name", "user", "author")
_SPEAKER_ID = ("speaker_id", "speakerid", "participant_id", "participantid", "person_id",
               "user_id", "userid")
_START = ("start", "start_sec", "start_seconds", "start_time", "starttime", "startsec",
          "start_ms", "offset", "time", "timestamp", "begin")
_TITLE = ("title", "job_title", "jobtitle", "role", "position")
_COMPANY = ("company", "company_name", "companyname", "organization", "organisation",
            "affiliation")
_CALL_TITLE = ("meeting_title", "title", "name", "subject", "topic")
_CALL_DATE = ("date", "started", "start_time", "started_at", "created_at", "recorded_at")
_DEPTH = 3


def _field(item: dict[str, Any], names: tuple[str, ...]) -> Any:
    lowered = {k.lower(): v for k, v in item.items() if isinstance(k, str)}
    for name in names:
        value = lowered.get(name)
        if value not in (None, "", []):
            return value
    return None


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):  # word-level exports: [{"word": "hello"}, ...] or ["hello"]
        words = [w if isinstance(w, str) else str(_field(w, ("word", "text", "w")) or "")
                 for w in value if isinstance(w, str | dict)]
        return " ".join(w.strip() for w in words if w.strip())
    return ""


def _is_utterance(item: Any) -> bool:
    return (isinstance(item, dict) and bool(_text_of(_field(item, _TEXT)))
            and (_field(item, _SPEAKER) is not None or _field(item, _SPEAKER_ID) is not None))


def _lists(obj: Any, depth: int = 0) -> list[list[Any]]:
    """Every list within ``_DEPTH`` levels of ``obj``, the top included."""
    if depth > _DEPTH:
        return []
    if isinstance(obj, list):
        out = [obj]
        for item in obj[:50]:
            out.extend(_lists(item, depth + 1))
        return out
    if isinstance(obj, dict):
        return [found for value in obj.values() for found in _lists(value, depth + 1)]
    return []


def utterances_of(obj: Any) -> list[dict[str, Any]]:
    """The utterance objects of a call JSON export (empty when it holds none).

    The longest list whose items are mostly utterances (text and a speaker) wins; two
    utterances at least, so a single note with an author is not a call.
    """
    best: list[dict[str, Any]] = []
    for items in _lists(obj):
        dicts = [i for i in items if isinstance(i, dict)]
        good = [i for i in dicts if _is_utterance(i)]
        if len(good) >= 2 and len(good) >= 0.8 * len(dicts) and len(good) > len(best):
            best = good
    return best


def _participants(obj: Any, utterances: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """People by id (and by name), from any list of objects that have a name: those an
    utterance names as its speaker, and those with a title, company or e-mail address (a
    list of topics with names and ids is not a participant list)."""
    spoken = {str(v).strip().lower() for u in utterances
              for v in (_field(u, _SPEAKER), _field(u, _SPEAKER_ID)) if isinstance(v, str | int)}
    people: dict[str, dict[str, str]] = {}
    for items in _lists(obj):
        for item in items:
            if not isinstance(item, dict) or _field(item, _TEXT) is not None:
                continue
            name = _field(item, ("name", "full_name", "fullname", "display_name", "displayname"))
            if not isinstance(name, str) or not name.strip():
                continue
            info = {"name": name.strip(), "title": str(_field(item, _TITLE) or "").strip(),
                    "company": str(_field(item, _COMPANY) or "").strip(),
                    "email": str(_field(item, ("email", "email_address")) or "").strip()}
            ids = [str(v) for key in ("id", "speaker_id", "speakerid", "participant_id",
                                      "user_id") if (v := _field(item, (key,))) is not None]
            referenced = info["name"].lower() in spoken or any(i.lower() in spoken for i in ids)
            if not (referenced or info["title"] or info["company"] or info["email"]):
                continue
            for value in ids:
                people.setdefault(value, info)
            people.setdefault(info["name"].lower(), info)
    return people


def _seconds(item: dict[str, Any]) -> float | None:
    lowered = {k.lower(): v for k, v in item.items() if isinstance(k, str)}
    for name in _START:
        value = lowered.get(name)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            return value / 1000 if name.endswith("_ms") else float(value)
        if isinstance(value, str):
            clock = parse_clock(value)
            if clock is not None:
                return clock
    return None


def parse(data: bytes, filename: str) -> ParsedDocument:
    """Parse a recorder's call JSON into speaker turns with names and titles.

    Raises:
        ParseError: the file is not JSON or holds no list of utterances.
    """
    return parse_json(load_json(data, filename), filename)


def parse_json(obj: Any, filename: str) -> ParsedDocument:
    """Build the transcript document from already-decoded call JSON.

    Raises:
        ParseError: the JSON holds no list of utterances with a speaker and text.
    """
    utterances = utterances_of(obj)
    if not utterances:
        raise ParseError(filename, "JSON has no call transcript (no list of utterances with "
                                   "a speaker and text)")
    people = _participants(obj, utterances)
    builder = DocumentBuilder(filename, "call_json", SourceKind.TRANSCRIPT)
    top = obj if isinstance(obj, dict) else {}
    title = str(_field(top, _CALL_TITLE) or "").strip()
    started = str(_field(top, _CALL_DATE) or "").strip()
    if title or started:
        builder.line(" - ".join(p for p in (title, started) if p))
    unique = list({id(p): p for p in people.values()}.values())
    if unique:
        builder.line("Participants:")
        for person in unique:
            text = ", ".join(p for p in (person["name"], person["title"]) if p)
            builder.segment(
                SegmentKind.PARAGRAPH, f"{text} ({person['company']})" if person["company"]
                else text, speaker=person["name"], speaker_title=person["title"] or None,
                locator=f"participant {person['name']}",
                meta={"section": "participants", "company": person["company"],
                      "email": person["email"]})
        builder.blank()
    turns = []
    for item in utterances:
        speaker = _field(item, _SPEAKER)
        speaker_id = _field(item, _SPEAKER_ID)
        person = people.get(str(speaker_id)) if speaker_id is not None else None
        if person is None and isinstance(speaker, str):
            person = people.get(speaker.strip().lower())
        if person is None and isinstance(speaker, dict):  # {"speaker": {"name": ..}}
            speaker = _field(speaker, ("name", "display_name"))
        name = (person or {}).get("name") or (speaker.strip() if isinstance(speaker, str)
                                              else None)
        turns.append(Turn(name or None, _text_of(_field(item, _TEXT)), seconds=_seconds(item),
                          title=(person or {}).get("title") or None,
                          meta={"speaker_id": str(speaker_id)} if speaker_id else {}))
    turns = merge_turns(turns)
    add_turns(builder, turns)
    return builder.build(transcript_meta(turns, {"title": title, "started": started}))
