"""Emails: single messages (.eml) and threads (.mbox).

The stdlib ``email`` package with ``policy.default`` does the MIME work: multipart
alternatives, any charset, quoted-printable and base64, RFC 2047 encoded headers. This module
picks the body (text/plain preferred, else HTML rendered by `html.html_to_lines`), cuts it into
message, signature and quoted parts (`_reply.split_body`) and writes, per message, a HEADER
segment followed by those parts. Every segment carries the message's headers in ``meta``, the
sender as ``speaker``, its ISO date as ``timestamp`` and ``Message-ID <...>`` as locator.

An mbox file is split at its ``From `` separator lines (what ``mailbox.mbox`` does, but on
bytes in memory) and becomes one document with its messages in file order.
"""

from __future__ import annotations

import re
from datetime import datetime
from email import errors as email_errors
from email import message_from_bytes, policy
from email.message import EmailMessage, MIMEPart
from email.utils import parseaddr, parsedate_to_datetime

from handoff.domain import ParsedDocument, SegmentKind, SourceKind
from handoff.errors import ParseError

from ._build import DocumentBuilder
from ._decode import normalize_newlines
from ._reply import display_name, split_body
from .html import HtmlLine, html_to_lines

HEADER_NAMES = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To", "References")
_SHOWN = ("From", "To", "Cc", "Date", "Subject")
_MBOX_FROM = re.compile(rb"^From [^\r\n]*\r?\n", re.MULTILINE)
_MBOX_ESCAPED = re.compile(rb"^>(>*From )", re.MULTILINE)
_SENT_FORMATS = (
    "%A, %B %d, %Y %I:%M %p", "%A, %d. %B %Y %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M",
)


def parse_eml(data: bytes, filename: str) -> ParsedDocument:
    """Parse one email message.

    Args:
        data: The raw RFC 5322 message (an .eml file, or an email saved as text).
        filename: The file's name as uploaded.

    Raises:
        ParseError: the message has no headers, or its MIME structure is truncated.
    """
    msg = _message(data, filename)
    builder = DocumentBuilder(filename, "eml", SourceKind.EMAIL)
    meta = _add_message(builder, msg, 1)
    return builder.build(meta)


def parse_mbox(data: bytes, filename: str) -> ParsedDocument:
    """Parse an mbox thread into one document, message after message.

    Args:
        data: The raw mbox file.
        filename: The file's name as uploaded.

    Raises:
        ParseError: no message separator is found, or a message is truncated.
    """
    chunks = split_mbox(data)
    if not chunks:
        raise ParseError(filename, "no messages found in the mailbox (no 'From ' separator lines)")
    builder = DocumentBuilder(filename, "mbox", SourceKind.EMAIL)
    first: dict[str, str] = {}
    senders: list[str] = []
    for number, chunk in enumerate(chunks, start=1):
        msg = _message(chunk, filename, number)
        meta = _add_message(builder, msg, number)
        builder.blank()
        first = first or meta
        if meta.get("From"):
            senders.append(meta["From"])
    doc_meta = {**first, "messages": str(len(chunks)),
                "participants": "; ".join(dict.fromkeys(senders))}
    return builder.build(doc_meta)


def split_mbox(data: bytes) -> list[bytes]:
    """The raw messages of an mbox, separator lines removed and ``>From`` unescaped."""
    starts = [
        m for m in _MBOX_FROM.finditer(data)
        if m.start() == 0 or data[max(m.start() - 3, 0) : m.start()].endswith((b"\n\n", b"\n\r\n"))
    ]
    chunks = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(data)
        chunk = _MBOX_ESCAPED.sub(rb"\1", data[match.end() : end]).strip(b"\r\n")
        if chunk:
            chunks.append(chunk + b"\n")
    return chunks


def _message(data: bytes, filename: str, number: int | None = None) -> EmailMessage:
    msg = message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)  # policy.default always builds EmailMessage
    where = f"message {number}: " if number and number > 1 else ""
    if not any(_header(msg, name) for name in ("From", "To", "Subject", "Date")):
        raise ParseError(filename, f"{where}not an email (no From, To, Date or Subject header)")
    for part in msg.walk():
        for defect in part.defects:
            if isinstance(defect, email_errors.CloseBoundaryNotFoundDefect):
                problem = f"{where}truncated email: multipart boundary never closed"
                raise ParseError(filename, problem)
            if isinstance(defect, email_errors.StartBoundaryNotFoundDefect):
                raise ParseError(
                    filename, f"{where}damaged email: its multipart boundary is never found"
                )
    return msg


def _add_message(builder: DocumentBuilder, msg: EmailMessage, number: int) -> dict[str, str]:
    """Write one message's header and body segments; return its header metadata."""
    meta = {name: _header(msg, name) for name in HEADER_NAMES}
    if not meta["Date"] and _header(msg, "Sent"):  # Outlook's "save as text" writes Sent:
        meta["Date"] = _header(msg, "Sent")
    meta = {k: v for k, v in meta.items() if v}
    sender = _sender(meta.get("From", ""))
    timestamp = iso_date(meta.get("Date", ""))
    if message_id := meta.get("Message-ID"):
        locator = f"Message-ID {message_id}"
    else:
        locator = f"Date {meta['Date']}" if meta.get("Date") else f"message {number}"
    lines, body_format, hidden_html = _body_lines(msg)
    attachments = [a.get_filename() or a.get_content_type() for a in msg.iter_attachments()]
    seg_meta = {**meta, "body_format": body_format, "attachments": ", ".join(attachments),
                "hidden_html_lines": str(hidden_html) if hidden_html else ""}
    header_text = "\n".join(f"{name}: {meta[name]}" for name in _SHOWN if name in meta)
    builder.segment(SegmentKind.HEADER, header_text, speaker=sender, meta=seg_meta,
                    timestamp=timestamp, locator=locator)
    builder.blank()
    for part in split_body(lines):
        quoted = part.kind == SegmentKind.QUOTED
        extra = {"quoted_author": part.author or "", "attribution": part.attribution,
                 "quoted_date": part.date} if quoted else {}
        builder.segment(
            part.kind, part.text, speaker=part.author if quoted else sender,
            hidden=part.hidden, meta={**seg_meta, **extra}, timestamp=timestamp, locator=locator,
        )
        builder.blank()
    return {**meta, "body_format": body_format, "hidden_html_lines": seg_meta["hidden_html_lines"]}


def _body_lines(msg: EmailMessage) -> tuple[list[HtmlLine], str, int]:
    """The body as lines: text/plain when it has text, else the HTML alternative rendered.

    Returns:
        The lines, the body's content type, and how many lines the HTML alternative hides.
        Hidden HTML lines are part of the body when HTML is what is read; when text/plain is
        read they are only counted, so reviewers can see that the HTML said more than the
        plain text.
    """
    html = msg.get_body(preferencelist=("html",))
    html_lines = html_to_lines(_content(html)) if html is not None else []
    hidden = sum(1 for line in html_lines if line.hidden)
    plain = msg.get_body(preferencelist=("plain",))
    if plain is not None:
        text = _content(plain)
        if text.strip():
            lines = [HtmlLine(line) for line in normalize_newlines(text).split("\n")]
            return _unseen_in_html(lines, html_lines), "text/plain", hidden
    if html is not None:
        return html_lines, "text/html", hidden
    return [], "", 0


def _squash(text: str) -> str:
    return " ".join(text.replace(">", " ").split()).casefold()


def _unseen_in_html(plain: list[HtmlLine], html: list[HtmlLine]) -> list[HtmlLine]:
    """Plain-text lines marked hidden where the HTML a mail client shows hides them.

    A reader sees the HTML alternative; a line that the HTML only has in hidden text was
    never seen, whatever the plain alternative says (a way to smuggle text past a person).
    """
    hidden = _squash(" ".join(line.text for line in html if line.hidden))
    if not hidden:
        return plain
    visible = _squash(" ".join(line.text for line in html if not line.hidden))
    out = []
    for line in plain:
        text = _squash(line.text)
        smuggled = len(text) >= 8 and text in hidden and text not in visible
        out.append(HtmlLine(line.text, True) if smuggled else line)
    return out


def _content(part: MIMEPart) -> str:
    """Decoded text of a part, falling back to Windows-1252 for unknown or lying charsets.
    A part that declares no charset but carries 8-bit bytes (a hand-written or exported .eml)
    is read as UTF-8 when it is valid UTF-8, not as ASCII with replacement characters."""
    try:
        content = None if part.get_param("charset") is None else part.get_content()
    except (LookupError, UnicodeError, ValueError):
        content = None
    if isinstance(content, str):
        return content
    if part.get_param("charset") is None:
        try:
            content = part.get_content()
        except (LookupError, UnicodeError, ValueError):
            content = None
        if isinstance(content, str) and "\ufffd" not in content and not any(
                0xDC80 <= ord(ch) <= 0xDCFF for ch in content):
            return content
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


def _header(msg: EmailMessage, name: str) -> str:
    """A header's decoded value; the raw value when the stdlib's header parser fails on it."""
    try:
        value = msg.get(name)
        text = str(value) if value is not None else ""
    except Exception:  # the stdlib header parser raises IndexError, AttributeError... on junk
        raw = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), "")
        text = str(raw)
    return " ".join(text.split())


def _sender(value: str) -> str | None:
    """The sender's name as people say it ("Weber, Jonas" -> "Jonas Weber"), else the address."""
    return display_name(value) or parseaddr(value)[1] or None


def iso_date(value: str) -> str | None:
    """An email date (RFC 5322, or Outlook's "Tuesday, March 3, 2026 10:12 AM") as ISO 8601."""
    if not value:
        return None
    for fmt in _SENT_FORMATS:  # first: the RFC parser misreads "3:14 PM" as 03:14
        try:
            return datetime.strptime(value.strip(), fmt).isoformat()
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        return None
