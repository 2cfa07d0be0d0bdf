"""CRM notes exported as CSV (Salesforce reports and list views, and look-alikes).

Exports differ in everything but the idea: the delimiter (``,`` in the US, ``;`` in German
Excel), the encoding (UTF-8 with a BOM, or Windows-1252), the column names ("Body",
"Description", "Full Comments", "Beschreibung"...) and their case. Columns are matched on a
normalised name against alias lists; an export whose body column has a name no list knows
("detail", "Gesprächsverlauf") gets the column that holds the most free text, when one holds
sentences (five words a row on average). The delimiter comes from `csv.Sniffer`, checked
against the header row. Each data row with a body becomes one NOTE segment located as ``row N``
(1-based, counting data rows), preceded by a caption line with its date, author and title.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from handoff.domain import ParsedDocument, SegmentKind, SourceKind
from handoff.errors import ParseError

from ._build import DocumentBuilder
from ._decode import decode_text

BODY = ("body", "description", "notebody", "note", "notes", "fullcomments", "comments",
        "comment", "content", "details", "detail", "text", "summary", "notetext", "beschreibung",
        "notiz", "notizen", "kommentar", "kommentare", "inhalt", "hsnotebody")
TITLE = ("title", "subject", "notetitle", "betreff", "titel", "thema")
DATE = ("createddate", "created", "createdon", "createdat", "date", "activitydate", "timestamp",
        "erstelltam", "erstelldatum", "erstellungsdatum", "datum", "lastmodifieddate")
AUTHOR = ("createdby", "createdbyname", "createdbyfullname", "author", "owner", "ownername",
          "assignedto", "assigned", "user", "erstelltvon", "autor", "verfasser", "besitzer",
          "inhaber", "wer", "bearbeiter", "loggedby", "rep", "salesrep")
ID = ("id", "noteid", "activityid", "recordid", "taskid", "datensatzid")
_SHOWN_BODY = ("Body", "Description", "Note", "Notes", "Comments", "Full Comments", "Content",
               "Beschreibung", "Notiz")
_DELIMITERS = ",;\t|"
_DATE_FORMATS = (
    "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y",
    "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d",
)


def normalize_column(name: str) -> str:
    """``"Created By.Name "`` -> ``"createdbyname"``: lower case, letters and digits only."""
    return re.sub(r"[^\w]|_", "", name.strip().lower())


def find_column(header: list[str], aliases: tuple[str, ...]) -> int | None:
    """Index of the first header cell matching the earliest alias, if any."""
    normalized = [normalize_column(h) for h in header]
    for alias in aliases:
        if alias in normalized:
            return normalized.index(alias)
    return None


def to_iso(value: str) -> str | None:
    """An export's date (ISO, US or German style, epoch milliseconds) as ISO 8601."""
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{12,13}", value):
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC).isoformat()
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.date().isoformat() if len(value) == 10 else parsed.isoformat()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        has_time = "%H" in fmt or "%I" in fmt
        return parsed.isoformat() if has_time else parsed.date().isoformat()
    return None


def parse(data: bytes, filename: str) -> ParsedDocument:
    """Parse a CRM notes CSV export, one NOTE segment per row with a body.

    Args:
        data: The raw file content.
        filename: The file's name as uploaded.

    Raises:
        ParseError: the text is undecodable, there is no body column, a quoted field is never
            closed, or no row has a body.
    """
    text = decode_text(data, filename)
    delimiter, header, body_col = _dialect(text, filename)
    rows = _rows(text, delimiter, filename)[1:]
    cols = {name: find_column(header, aliases) for name, aliases in
            (("title", TITLE), ("date", DATE), ("author", AUTHOR), ("id", ID))}
    if cols["date"] is None:  # "logged_at", "Wann": the column whose cells are all dates
        cols["date"] = next((c for c in range(len(header)) if c != body_col and _all_dates(
            [row[c] for row in rows if len(row) > c and row[c].strip()])), None)
    known = {body_col, *(c for c in cols.values() if c is not None)}
    builder = DocumentBuilder(filename, "crm_csv", SourceKind.CRM_NOTE)
    number = 0
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        row = row + [""] * (len(header) - len(row))
        fields = {name: row[c].strip() if c is not None else "" for name, c in cols.items()}
        body = row[body_col]
        if not body.strip():
            continue
        timestamp = to_iso(fields["date"])
        caption = [f"Row {number}", timestamp or fields["date"], fields["author"], fields["title"]]
        builder.line(" · ".join(p for p in caption if p))
        extra = {header[i].strip(): row[i].strip() for i in range(len(header)) if i not in known}
        builder.segment(
            SegmentKind.NOTE, body, speaker=fields["author"], timestamp=timestamp or fields["date"],
            locator=f"row {number}",
            meta={**extra, "row": str(number), "title": fields["title"], "id": fields["id"],
                  "date": fields["date"], "author": fields["author"]},
        )
        builder.blank()
    return builder.build({"rows": str(number), "delimiter": delimiter,
                          "columns": ", ".join(h.strip() for h in header)})


def _all_dates(cells: list[str]) -> bool:
    return bool(cells) and all(to_iso(cell) is not None for cell in cells)


def _free_text_column(text: str, delimiter: str, header: list[str]) -> int | None:
    """The column holding the most words per row, when it holds sentences (a mean of five
    words or more) and is not a title, date, author or id column."""
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))[1:200]
    except csv.Error:
        return None
    taken = {find_column(header, aliases) for aliases in (TITLE, DATE, AUTHOR, ID)}
    best, best_words = None, 5.0
    for col in range(len(header)):
        if col in taken:
            continue
        cells = [row[col] for row in rows if len(row) > col and row[col].strip()]
        if len(cells) < max(1, len(rows) // 2):
            continue
        words = sum(len(cell.split()) for cell in cells) / len(cells)
        if words >= best_words:
            best, best_words = col, words
    return best


def _dialect(text: str, filename: str) -> tuple[str, list[str], int]:
    """The delimiter, header row and body column (by name, else by content)."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    try:
        sniffed = csv.Sniffer().sniff(text[:8192], delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    by_count = sorted(_DELIMITERS, key=first.count, reverse=True)
    best: list[str] = []
    best_delimiter = ","
    for delimiter in dict.fromkeys([sniffed, *by_count]):
        if not delimiter:
            continue
        header = next(csv.reader([first], delimiter=delimiter), [])
        body = find_column(header, BODY)
        if body is not None:
            return delimiter, header, body
        if len(header) > len(best):
            best, best_delimiter = header, delimiter
    if len(best) >= 2:
        body = _free_text_column(text, best_delimiter, best)
        if body is not None:
            return best_delimiter, best, body
    found = ", ".join(h.strip() for h in best if h.strip()) or "none"
    raise ParseError(
        filename,
        f"CSV has no body column (found: {found}); expected one of {', '.join(_SHOWN_BODY)}, "
        "or a column of sentences",
    )


def _rows(text: str, delimiter: str, filename: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise ParseError(
                filename, "CSV is cut off: a quoted field is opened but never closed"
            ) from exc
    try:  # strict mode also rejects merely sloppy quoting, which real exports have
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise ParseError(filename, f"CSV is malformed ({exc})") from exc
