"""Copies with other line endings are duplicates; a re-export of a call replaces its version."""

from __future__ import annotations

from extractor.backends import Backend
from extractor.service import make_brief
from index.ingest import IngestStatus, ingest_bytes
from index.store import Store
from tests.conftest import DEMO_DEAL

MAX = 25 * 1024 * 1024
CALL = sorted((DEMO_DEAL / "sources").glob("*.vtt"))[0]


def test_the_same_transcript_with_other_line_endings_is_stored_once(hash_store: Store) -> None:
    hash_store.create_deal("acme")
    data = CALL.read_bytes()
    copies = {"call.vtt": data, "call-crlf.vtt": data.replace(b"\n", b"\r\n"),
              "call-newline.vtt": data + b"\n", "call-bom.vtt": b"\xef\xbb\xbf" + data,
              "call-spaces.vtt": data.replace(b"\n", b"  \n")}
    results = [ingest_bytes(hash_store, "acme", n, d, max_bytes=MAX) for n, d in copies.items()]
    assert [r.status for r in results] == [IngestStatus.ACCEPTED] + [IngestStatus.DUPLICATE] * 4
    assert all("same content as call.vtt" in r.reason for r in results[1:])
    assert len(hash_store.documents("acme")) == 1
    assert len(hash_store.all_chunks("acme")) == results[0].chunks


def test_copies_do_not_change_the_brief(hash_store: Store) -> None:
    rules = Backend("rules", None, "test")
    hash_store.create_deal("one")
    for path in sorted((DEMO_DEAL / "sources").iterdir()):
        ingest_bytes(hash_store, "one", path.name, path.read_bytes(), max_bytes=MAX)
    single = make_brief(hash_store, "one", rules)
    for path in sorted((DEMO_DEAL / "sources").iterdir()):
        data = path.read_bytes()
        for n, variant in enumerate((data.replace(b"\n", b"\r\n"), data + b"\n")):
            ingest_bytes(hash_store, "one", f"{n}-{path.name}", variant, max_bytes=MAX)
    again = make_brief(hash_store, "one", rules)
    assert len(again.visible_items()) == len(single.visible_items())
    assert again.completeness == single.completeness


def test_a_re_export_with_small_edits_replaces_the_earlier_version(hash_store: Store) -> None:
    hash_store.create_deal("acme")
    data = CALL.read_bytes()
    first = ingest_bytes(hash_store, "acme", "call.vtt", data, max_bytes=MAX)
    lines = data.decode().split("\n")
    edited_at = next(i for i, line in enumerate(lines) if len(line.split()) > 8)
    words = lines[edited_at].split()
    words[-1] = "(corrected)"
    lines[edited_at] = " ".join(words)
    shifted = "\n".join(lines).replace("00:00:0", "00:00:1")  # re-export, shifted timings
    second = ingest_bytes(hash_store, "acme", "call (1).vtt", shifted.encode(), max_bytes=MAX)
    assert second.status == IngestStatus.ACCEPTED
    assert second.replaced_id == first.document_id
    assert "new version of call.vtt" in second.reason
    docs = hash_store.documents("acme")
    assert [d.doc.filename for d in docs] == ["call (1).vtt"]
    assert docs[0].doc.meta["version"] == "2" and docs[0].doc.meta["replaces"] == "call.vtt"
    assert len(hash_store.all_chunks("acme")) == second.chunks  # not doubled
    assert hash_store.vectors.count("acme") == second.chunks
    brief = make_brief(hash_store, "acme", Backend("rules", None, "test"))
    assert {c.source for i in brief.items for c in i.citations} <= {"call (1).vtt"}


def test_a_different_call_of_the_same_deal_is_not_a_version(hash_store: Store) -> None:
    hash_store.create_deal("acme")
    for path in sorted((DEMO_DEAL / "sources").iterdir()):
        r = ingest_bytes(hash_store, "acme", path.name, path.read_bytes(), max_bytes=MAX)
        assert r.status == IngestStatus.ACCEPTED and r.replaced_id is None, (path.name, r)
    assert len(hash_store.documents("acme")) == len(list((DEMO_DEAL / "sources").iterdir()))
