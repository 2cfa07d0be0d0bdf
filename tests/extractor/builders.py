"""Hand-built ParsedDocuments for the extractor tests (no parser needed), and the brief the
classifier backend makes of them."""

from __future__ import annotations

from handoff.domain import ParsedDocument, Segment, SegmentKind, SourceKind


def make_doc(filename: str, kind: SourceKind, parts: list[dict]) -> ParsedDocument:
    """A document whose segments are ``parts`` (dicts of Segment fields plus ``text``).

    Segments are separated by a blank line; offsets are exact by construction.
    """
    text, segments = "", []
    for i, part in enumerate(parts):
        fields = dict(part)
        body = fields.pop("text")
        fields.setdefault("kind", SegmentKind.PARAGRAPH)
        start = len(text)
        text += body
        segments.append(Segment(index=i, text=body, start=start, end=len(text), **fields))
        text += "\n\n"
    return ParsedDocument(filename=filename, format=filename.rsplit(".", 1)[-1], kind=kind,
                          text=text, segments=segments)


def call(filename: str, turns: list[tuple[str, str]], titles: dict[str, str] | None = None,
         ) -> ParsedDocument:
    """A call transcript: one TURN per (speaker, text), timestamps a minute apart."""
    titles = titles or {}
    return make_doc(filename, SourceKind.TRANSCRIPT, [
        {"kind": SegmentKind.TURN, "text": text, "speaker": speaker,
         "speaker_title": titles.get(speaker), "timestamp": f"00:{i:02d}:00",
         "locator": f"00:{i:02d}:00 {speaker}"}
        for i, (speaker, text) in enumerate(turns)
    ])


def email(filename: str, sender: str, to: str, body: str, *, cc: str = "",
          signature: str = "", quoted: str = "", hidden: str = "",
          date: str = "2026-02-10") -> ParsedDocument:
    """One email: header, message, optional hidden text, signature and quoted reply."""
    meta = {"From": sender, "To": to, "Cc": cc, "Date": f"{date} 10:00:00 +0100"}
    name = sender.split("<")[0].strip()
    common = {"speaker": name, "meta": meta, "timestamp": f"{date}T10:00:00+01:00",
              "locator": "Message-ID <m1@example>"}
    header = "\n".join(f"{k}: {v}" for k, v in meta.items() if v)
    parts = [{"kind": SegmentKind.HEADER, "text": header, **common},
             {"kind": SegmentKind.MESSAGE, "text": body, **common}]
    if hidden:
        parts.append({"kind": SegmentKind.MESSAGE, "text": hidden, "hidden": True, **common})
    if signature:
        parts.append({"kind": SegmentKind.SIGNATURE, "text": signature, **common})
    if quoted:
        parts.append({"kind": SegmentKind.QUOTED, "text": quoted, **common})
    return make_doc(filename, SourceKind.EMAIL, parts)


def crm(filename: str, notes: list[str], author: str = "Jonas Weber") -> ParsedDocument:
    """A CRM export: one NOTE per entry, written by the vendor's rep."""
    return make_doc(filename, SourceKind.CRM_NOTE, [
        {"kind": SegmentKind.NOTE, "text": note, "speaker": author, "locator": f"row {i + 1}",
         "timestamp": "2026-02-11"}
        for i, note in enumerate(notes)
    ])


def brief_of(docs: list[ParsedDocument], offering=None, llm=None, **kw):  # noqa: ANN001, ANN201
    """The brief of ``docs`` as `handoff brief --backend classifier` (or with ``llm``) makes it."""
    from extractor.chain import build_brief
    from index.e5 import E5Embedder

    return build_brief("d", "Deal", documents=docs, encoder=E5Embedder(), llm=llm,
                       offering=offering, **kw)
