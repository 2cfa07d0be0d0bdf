"""A quoted email is evidence when its original was not uploaded, and only then."""

from __future__ import annotations

from extractor.quotes import promote_orphan_quotes
from handoff.domain import ParsedDocument, SegmentKind
from index.parsers import parse_bytes
from tests.extractor.builders import brief_of

OFFER = """Hi Samira,

Thanks for the clear steer. Where I can get to:

- Discount: 12% off list on a 3-year term, on all 82 seats.
- I can cap the renewal uplift at 5% for the term.

Best,
Tom Hallett
Account Executive, Corvana
"""

ORIGINAL = f"""From: Tom Hallett <tom.hallett@corvana.com>
To: Samira Choudhury <s.choudhury@marcher.co.uk>
Subject: Pricing
Date: Mon, 15 Jun 2026 09:48:00 +0100
Message-ID: <offer-1@corvana.com>

{OFFER}"""

REPLY = """From: Samira Choudhury <s.choudhury@marcher.co.uk>
To: Tom Hallett <tom.hallett@corvana.com>
Subject: Re: Pricing
Date: Tue, 16 Jun 2026 11:02:00 +0100
Message-ID: <reply-1@marcher.co.uk>

Tom, thanks. I will take this to our COO on Thursday.

Samira Choudhury
Procurement Manager

On Mon, 15 Jun 2026 at 09:48, Tom Hallett <tom.hallett@corvana.com> wrote:
""" + "".join(f"> {line}\n" if line else ">\n" for line in OFFER.splitlines())


def _doc(name: str, text: str) -> ParsedDocument:
    return parse_bytes(text.encode(), name)


def _commercial_sources(docs: list[ParsedDocument]) -> set[str]:
    brief = brief_of(docs)
    items = [i for i in brief.items if i.key == "commitments.commercial"
             and any("12%" in c.quote for c in i.citations)]
    assert items, [(i.key, i.value) for i in brief.items]
    return {c.source for i in items for c in i.citations if "12%" in c.quote}


def test_an_offer_known_only_from_a_quote_is_extracted_from_the_quote() -> None:
    assert _commercial_sources([_doc("re-pricing.eml", REPLY)]) == {"re-pricing.eml"}


def test_with_the_original_uploaded_the_original_is_cited() -> None:
    docs = [_doc("pricing.eml", ORIGINAL), _doc("re-pricing.eml", REPLY)]
    assert _commercial_sources(docs) == {"pricing.eml"}
    promoted = promote_orphan_quotes(docs)
    assert all(s.kind != SegmentKind.MESSAGE or s.meta.get("promoted_quote") != "1"
               for d in promoted for s in d.segments)


def test_promotion_keeps_offsets_and_names_the_quoted_author() -> None:
    doc = _doc("re-pricing.eml", REPLY)
    (promoted,) = promote_orphan_quotes([doc])
    moved = [s for s in promoted.segments if s.meta.get("promoted_quote") == "1"]
    # split like a real email: attribution line, message, signature (with the title)
    assert [s.kind for s in moved] == [SegmentKind.HEADER, SegmentKind.MESSAGE,
                                       SegmentKind.SIGNATURE]
    assert moved[0].text.startswith("On Mon, 15 Jun 2026")
    assert "12% off list" in moved[1].text and "Account Executive" in moved[2].text
    for seg in moved:
        assert seg.speaker == "Tom Hallett"
        assert promoted.text[seg.start:seg.end] == seg.text
    assert doc.segments[moved[0].index].kind == SegmentKind.QUOTED  # the input is untouched
