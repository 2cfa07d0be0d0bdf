"""HTML email parsing speed: seconds per size for single-line bodies of several shapes.

    python scripts/bench_html.py [MB ...]          (default: 1 2 5)

Prints one line per shape and size; linear parsing shows as a constant seconds-per-MB column.
A 5 MB single-line email took 480 s to ingest before the renderer was made linear (a growing
line was re-concatenated for every inline element).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from index.parsers import parse_bytes

SENTENCE = "We agreed the rollout covers forty depots and the kickoff is on 4 May. "


def _shapes(size: int) -> dict[str, Callable[[], str]]:
    def repeat(unit: str) -> str:
        return unit * max(1, size // len(unit))

    return {
        "one line of inline runs": lambda: f"<p>{repeat('<b>' + SENTENCE + '</b>')}</p>",
        "paragraphs": lambda: repeat(f"<p>{SENTENCE}</p>"),
        "styled table rows": lambda: "<table>" + repeat(
            f'<tr><td style="font-family:Arial;color:#333;font-size:14px"><span>{SENTENCE}'
            "</span></td></tr>") + "</table>",
        "visible and hidden spans": lambda: "<p>" + repeat(
            f"<span>{SENTENCE}</span><span style='font-size:1px'>x</span>") + "</p>",
        "style rules": lambda: "<style>.a td span{color:#fefefe} #x{display:none}</style>"
                               f"<div class=a><table><tr><td>{repeat(f'<span>{SENTENCE}</span>')}"
                               "</td></tr></table></div>",
    }


def _email(body: str) -> bytes:
    return ("From: Anna Keller <anna@acme.test>\nTo: sam@vendor.test\nSubject: Notes\n"
            "Date: Tue, 03 Mar 2026 10:00:00 +0100\nMIME-Version: 1.0\n"
            "Content-Type: text/html; charset=utf-8\n\n<html><body>" + body
            + "</body></html>").encode()


def main(sizes: list[float]) -> None:
    print(f"{'shape':28} {'MB':>5} {'seconds':>8} {'s/MB':>6} {'segments':>9}")
    for mb in sizes:
        for name, build in _shapes(int(mb * 1048576)).items():
            data = _email(build())
            start = time.perf_counter()
            doc = parse_bytes(data, "big.eml", max_bytes=len(data) + 1)
            seconds = time.perf_counter() - start
            size = len(data) / 1048576
            print(f"{name:28} {size:5.1f} {seconds:8.2f} {seconds / size:6.2f} "
                  f"{len(doc.segments):9d}", flush=True)


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [1.0, 2.0, 5.0])
