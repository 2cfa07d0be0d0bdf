"""HubSpot engagements (notes, calls, meetings, emails, tasks) exported as JSON.

Two API generations are read:

* v1 engagements: ``{"engagement": {"id", "type", "timestamp", "ownerId"}, "metadata":
  {"body": "<p>...</p>", "subject", ...}}``;
* v3 objects: ``{"id", "properties": {"hs_note_body", "hs_timestamp", "hs_created_by",
  "hubspot_owner_id", ...}}``.

The file may be a list of them, or ``{"results": [...]}`` / ``{"engagements": [...]}``; an
``owners`` list next to them turns owner ids into names. Bodies are HTML, so they go through
`html.html_to_lines` and text hidden there stays marked hidden. Each engagement is a NOTE
segment located as ``note <id>``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from handoff.domain import ParsedDocument, SegmentKind, SourceKind
from handoff.errors import ParseError

from ._build import DocumentBuilder
from ._decode import load_json
from .crm_csv import to_iso
from .html import html_to_lines

_BODY_PROPS = ("hs_note_body", "hs_call_body", "hs_meeting_body", "hs_email_text",
               "hs_email_html", "hs_task_body", "hs_body_preview")
_SUBJECT_PROPS = ("hs_email_subject", "hs_call_title", "hs_meeting_title", "hs_task_subject")
_LIST_KEYS = ("results", "engagements", "items", "data")


def engagements_of(obj: Any) -> list[dict[str, Any]]:
    """The engagement objects of a parsed HubSpot export (empty when it is not one)."""
    items = obj
    if isinstance(obj, dict):
        items = next((obj[k] for k in _LIST_KEYS if isinstance(obj.get(k), list)), [obj])
    if not isinstance(items, list):
        return []
    return [
        item for item in items
        if isinstance(item, dict) and (
            isinstance(item.get("engagement"), dict)
            or (isinstance(item.get("properties"), dict)
                and any(k in item["properties"] for k in (*_BODY_PROPS, "hs_timestamp")))
        )
    ]


def parse(data: bytes, filename: str) -> ParsedDocument:
    """Parse a HubSpot engagements export, one NOTE segment per engagement body.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded.

    Raises:
        ParseError: the file is not JSON, holds no engagements, or none has a body.
    """
    return parse_json(load_json(data, filename), filename)


def parse_json(obj: Any, filename: str) -> ParsedDocument:
    """Build the notes document from already-decoded HubSpot JSON.

    Raises:
        ParseError: the JSON holds no engagements, or none has a body.
    """
    items = engagements_of(obj)
    if not items:
        raise ParseError(filename, "JSON has no HubSpot engagements (no 'engagement' or "
                                   "'properties' objects)")
    owners = _owners(obj)
    builder = DocumentBuilder(filename, "hubspot_json", SourceKind.CRM_NOTE)
    for number, item in enumerate(items, start=1):
        _add_engagement(builder, _fields(item, owners), number)
    return builder.build({"engagements": str(len(items))})


def _fields(item: dict[str, Any], owners: dict[str, str]) -> dict[str, str]:
    """Flatten a v1 or v3 engagement into id, type, date, author, subject and body."""
    if isinstance(item.get("engagement"), dict):
        eng = item["engagement"]
        raw_meta = item.get("metadata")
        meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
        owner = str(eng.get("ownerId") or eng.get("createdBy") or "")
        body = meta.get("body") or meta.get("html") or meta.get("text") or eng.get("bodyPreview")
        return {
            "id": str(eng.get("id") or ""), "type": str(eng.get("type") or "").upper(),
            "date": _when(eng.get("timestamp", eng.get("createdAt"))),
            "owner_id": owner, "author": owners.get(owner, ""),
            "subject": str(meta.get("subject") or meta.get("title") or ""),
            "body": str(body or ""),
        }
    props = item["properties"]
    owner = str(props.get("hubspot_owner_id") or props.get("hs_created_by") or "")
    body = next((props[k] for k in _BODY_PROPS if props.get(k)), "")
    kind = next((k.split("_")[1] for k in _BODY_PROPS if props.get(k)), "note")
    return {
        "id": str(item.get("id") or props.get("hs_object_id") or ""),
        "type": str(props.get("hs_engagement_type") or kind).upper(),
        "date": _when(props.get("hs_timestamp") or props.get("hs_createdate")
                      or item.get("createdAt")),
        "owner_id": owner,
        "author": owners.get(owner, "") or str(props.get("hs_created_by_user_name") or ""),
        "subject": str(next((props[k] for k in _SUBJECT_PROPS if props.get(k)), "")),
        "body": str(body),
    }


def _add_engagement(builder: DocumentBuilder, fields: dict[str, str], number: int) -> None:
    lines = html_to_lines(fields["body"]) if fields["body"].strip() else []
    if not any(line.text for line in lines):
        return
    locator = f"note {fields['id']}" if fields["id"] else f"note #{number}"
    builder.line(" · ".join(p for p in (locator.capitalize(), fields["type"], fields["date"],
                                        fields["author"], fields["subject"]) if p))
    meta = {"id": fields["id"], "type": fields["type"], "subject": fields["subject"],
            "owner_id": fields["owner_id"], "date": fields["date"]}
    # One segment per engagement; text hidden in its HTML goes to segments of its own.
    block: list[str] = []
    hidden = False
    for line in [*lines, None]:
        if line is None or (line.text and line.hidden != hidden):
            builder.segment(SegmentKind.NOTE, "\n".join(block), speaker=fields["author"],
                            timestamp=fields["date"], locator=locator, hidden=hidden, meta=meta)
            block = []
        if line is not None:
            block.append(line.text)
            hidden = line.hidden if line.text else hidden
    builder.blank()


def _owners(obj: Any) -> dict[str, str]:
    """Owner id -> "First Last" from an ``owners`` list shipped with the export."""
    raw = obj.get("owners") if isinstance(obj, dict) else None
    owners = {}
    for owner in raw if isinstance(raw, list) else []:
        if isinstance(owner, dict) and owner.get("id") is not None:
            name = " ".join(str(owner.get(k) or "") for k in ("firstName", "lastName")).strip()
            owners[str(owner["id"])] = name or str(owner.get("email") or "")
    return owners


def _when(value: Any) -> str:
    """A HubSpot time (epoch milliseconds as number or string, or ISO text) as ISO 8601."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC).isoformat()
    if isinstance(value, str):
        return to_iso(value) or value
    return ""
