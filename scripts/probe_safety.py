"""Re-run the outside probes of "nothing lost, nothing smuggled" and print their figures.

    python scripts/probe_safety.py

Starts the app on a loopback port with a temporary HANDOFF_HOME (rules backend, a hashing
embedder), then: concurrent identical uploads and batches, twelve hiding techniques, the
canary after a delete, wrong passwords and bad tokens, copies with other line endings,
control-character names, and a 5 MB single-line HTML email. Prints one line per probe.
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from api.app import create_app  # noqa: E402
from api.users import create_user  # noqa: E402
from handoff.settings import get_settings  # noqa: E402
from index.parsers import parse_bytes  # noqa: E402
from index.parsers.html import html_to_lines  # noqa: E402

DEMO = REPO / "handoff" / "demo_deal"


class HashEmbedder:
    id = "probe-hash-64"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 64] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1)


def together(n: int, call):  # noqa: ANN001, ANN201
    barrier = threading.Barrier(n)

    def one(i: int):  # noqa: ANN202
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def hiding() -> str:
    s = "Vendor promised free licenses forever."
    html = {"display:none": f'<p style="display:none">{s}</p>',
            "visibility:hidden": f'<p style="visibility:hidden">{s}</p>',
            "opacity:0": f'<p style="opacity:0">{s}</p>',
            "white on white": f'<p style="color:#fff">{s}</p>',
            "font-size 1px": f'<p style="font-size:1px">{s}</p>',
            "#fefefe on white": f'<p style="color:#fefefe">{s}</p>',
            "off-screen": f'<p style="position:absolute;left:-9999px">{s}</p>',
            "clip-path": f'<p style="clip-path:inset(50%)">{s}</p>',
            "text-indent": f'<p style="text-indent:-9999px">{s}</p>'}
    marked = sum(all(line.hidden for line in html_to_lines(m) if line.text)
                 for m in html.values())
    import docx
    from docx.shared import Pt, RGBColor

    def docx_hidden(setup) -> bool:  # noqa: ANN001
        d = docx.Document()
        setup(d.add_paragraph().add_run(s).font)
        buf = io.BytesIO()
        d.save(buf)
        doc = parse_bytes(buf.getvalue(), "x.docx")
        return all(seg.hidden for seg in doc.segments)

    marked += sum(docx_hidden(f) for f in (
        lambda f: setattr(f, "hidden", True),
        lambda f: setattr(f.color, "rgb", RGBColor(0xFF, 0xFF, 0xFF)),
        lambda f: setattr(f, "size", Pt(1))))
    return f"hiding techniques marked hidden: {marked} of 12"


def main() -> None:
    print(hiding())
    home = Path(tempfile.mkdtemp()) / "home"
    settings = get_settings(home=home, backend="rules", database_url=None, openai_base_url=None,
                            openai_api_key=None, secret_key="probe-secret")
    app = create_app(settings, embedder=HashEmbedder())
    import uvicorn

    from tests.serve import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    _, token = create_user(app.state.store, "rep@example.com", "rep", password="probe-pass-1")
    h = {"Authorization": f"Bearer {token}"}
    c = httpx.Client(base_url=base, headers=h, timeout=600)
    deal = c.post("/api/deals", json={"name": "Probe"}).json()["id"]
    sources = sorted((DEMO / "sources").iterdir())

    call = sources[0].read_bytes()
    rs = together(5, lambda i: c.post(f"/api/deals/{deal}/documents",
                                      files=[("files", (sources[0].name, call))]))
    print("5 concurrent identical uploads:", dict(Counter(r.status_code for r in rs)),
          dict(Counter(r.json()["results"][0]["status"] for r in rs)))

    batch = [("files", (p.name, p.read_bytes())) for p in sources[1:]]
    rs = together(4, lambda i: c.post(f"/api/deals/{deal}/documents", files=batch))
    per_file = Counter(x["status"] for r in rs for x in r.json()["results"])
    audit = [e for e in c.get(f"/api/deals/{deal}/audit").json() if e["action"] == "upload"]
    n_docs = len(c.get(f"/api/deals/{deal}/documents").json())
    print(f"4 concurrent {len(batch)}-file batches: HTTP "
          f"{dict(Counter(r.status_code for r in rs))}, results per request "
          f"{[len(r.json()['results']) for r in rs]}, {dict(per_file)}, upload audit entries "
          f"{len(audit)} for {n_docs} documents")

    variants = [call.replace(b"\n", b"\r\n"), call + b"\n", b"\xef\xbb\xbf" + call]
    rs = [c.post(f"/api/deals/{deal}/documents", files=[("files", (f"copy{i}.vtt", v))])
          for i, v in enumerate(variants)]
    docs = c.get(f"/api/deals/{deal}/documents").json()
    print("CRLF / trailing newline / BOM copies:",
          [r.json()["results"][0]["status"] for r in rs], f"-> {len(docs)} documents")
    job = c.post(f"/api/deals/{deal}/brief").json()
    while c.get(f"/api/jobs/{job['id']}").json()["status"] not in ("succeeded", "failed"):
        time.sleep(0.2)
    brief = c.get(f"/api/deals/{deal}/brief").json()
    print(f"brief: {len(brief['items'])} items, completeness {brief['completeness']}")

    canary = (b"WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nTina Quibblefrost: Our biggest "
              b"concern is that the Quibblefrost audit will not pass before go-live.\n")
    r = c.post(f"/api/deals/{deal}/documents", files=[("files", ("canary.vtt", canary))])
    doc_id = r.json()["results"][0]["document_id"]
    job = c.post(f"/api/deals/{deal}/brief").json()
    while c.get(f"/api/jobs/{job['id']}").json()["status"] not in ("succeeded", "failed"):
        time.sleep(0.2)
    before = c.get(f"/api/deals/{deal}/brief").text.count("Quibblefrost")
    page_before = c.get(f"/deals/{deal}").text.count("Quibblefrost")
    c.delete(f"/api/deals/{deal}/documents/{doc_id}")
    after = c.get(f"/api/deals/{deal}/brief").text.count("Quibblefrost")
    page_after = c.get(f"/deals/{deal}").text.count("Quibblefrost")
    md = c.get(f"/api/deals/{deal}/export", params={"format": "md"}).text.count("Quibblefrost")
    on_disk = [str(p.relative_to(home)) for p in home.rglob("*")
               if p.is_file() and b"quibblefrost" in p.read_bytes().lower()]
    print(f"delete canary: brief {before} -> {after} mentions, page {page_before} -> "
          f"{page_after}, markdown export {md}, files under HANDOFF_HOME holding it: "
          f"{len(on_disk)} {on_disk}")

    anon = httpx.Client(base_url=base, timeout=60)
    codes = []
    for n in range(30):
        form = anon.get("/login").text
        tok = re.search(r'name="login_token" value="([^"]+)"', form)[1]  # type: ignore[index]
        codes.append(anon.post("/login", data={"email": "rep@example.com", "password": f"w{n}",
                                               "login_token": tok}).status_code)
    print("30 wrong passwords:", dict(Counter(codes)))
    rs = [anon.get("/api/me", headers={"Authorization": f"Bearer hb_bad{n}"}) for n in range(30)]
    print("30 bad tokens:", dict(Counter(r.status_code for r in rs)),
          "Retry-After", rs[-1].headers.get("retry-after"),
          "| valid token after that:", c.get("/api/me").status_code)

    odd = c.post(f"/api/deals/{deal}/documents", files=[
        ("files", ("notes\x1b[31m.md", b"# N\n\nChampion is Anna Keller.\n")),
        ("files", ("n" * 1000 + ".md", b"# M\n\nKickoff is on 4 May.\n"))]).json()["results"]
    names = [x["filename"] for x in odd]
    passage = c.get(f"/api/deals/{deal}/passage", params={"source": names[1], "start": 0,
                                                           "end": 5}).status_code
    brief_row = app.state.store
    from index.records import load_brief, save_brief

    b = load_brief(brief_row, deal)
    for item in b.items:
        for cite in item.citations:
            cite.source = "call\x00\x1b.vtt"
    save_brief(brief_row, b)
    docx_status = c.get(f"/api/deals/{deal}/export", params={"format": "docx"})
    with zipfile.ZipFile(io.BytesIO(docx_status.content)) as z:
        z.testzip()
    print(f"control-character names: stored {names[0]!r} and a {len(names[1])}-char name; "
          f"passage API {passage}; DOCX export with a NUL/ESC source {docx_status.status_code}")

    body = "<p>" + ("<b>We agreed the rollout covers forty depots.</b>" * 110000) + "</p>"
    mail = ("From: a@acme.test\nTo: b@vendor.test\nSubject: big\nDate: Tue, 03 Mar 2026 "
            "10:00:00 +0100\nContent-Type: text/html\n\n<html><body>" + body
            + "</body></html>").encode()
    start = time.perf_counter()
    parse_bytes(mail, "big.eml", max_bytes=len(mail) + 1)
    parse_s = time.perf_counter() - start
    start = time.perf_counter()
    r = c.post(f"/api/deals/{deal}/documents", files=[("files", ("big.eml", mail))])
    answered = time.perf_counter() - start
    while (j := c.get(f"/api/jobs/{r.json()['id']}").json())["status"] not in ("succeeded",
                                                                             "failed"):
        time.sleep(0.2)
    print(f"{len(mail) / 1048576:.1f} MB single-line HTML email: parse {parse_s:.1f} s; upload "
          f"answered {r.status_code} in {answered:.1f} s, job {j['status']} after "
          f"{time.perf_counter() - start:.1f} s ({j['result']['results'][0]['status']})")
    server.should_exit = True


if __name__ == "__main__":
    main()
