"""Keep the blind set blind: find text of ours that copies a blind source.

A blind deal measures how the product does on wording it was never tuned on only as long as
none of its sentences reaches the code. This check reads every blind source (as the product
parses it, so a DOCX or a base64 email is compared by its words, not its bytes) and fails on
any run of :data:`RUN` or more consecutive words that also occurs in a file of ours: a test, a
lexicon, a prompt, a training sentence, an example, another dataset. Words are compared
Unicode-normalised and case-folded, so re-casing or re-wrapping a copied sentence does not
hide it.

Two kinds of shared runs are not leaks. A run of everyday words ("at the end of the day it's",
"I'll be honest with you, I'm") occurs in any two conversations, so a run counts only when at
least :data:`MIN_CONTENT` of its words are content words (not function words, at least three
characters, or a number). And the dev deals' own sources are not checked: they were written
before the blind set (git dates them), they are labelled deals of ours rather than rules or
prompts, and what they share with a blind deal is contract and security boilerplate.
Tests, lexicons, prompts, training sentences, examples and docs are all checked.

Only totals of the blind report are read; a leak is fixed by removing the copied text, never
by tuning to it.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from handoff.errors import HandoffError
from index.parsers import parse_file

RUN = 8
MIN_CONTENT = 3
_FUNCTION_WORDS = frozenset("""
a an the and or but if then so than that this these those there here it its it's is are was
were be been being am do does did done have has had having will would shall should can could
may might must i me my mine we us our ours you your yours he him his she her hers they them
their theirs what which who whom whose when where why how not no nor yes of in on at by for
with about against between into through during before after above below to from up down out
off over under again further once all any both each few more most other some such only own
same too very just also s t ll m re ve d don didn doesn isn aren wasn weren won wouldn couldn
shouldn let lets get got go going gonna wanna yeah okay ok oh um uh like well really actually
der die das den dem des ein eine einen einem einer eines und oder aber wenn dann so als dass
ist sind war waren bin bist sein seid wird werden wurde wurden hat haben hatte hatten habe
ich du er sie es wir ihr mich mir dich dir uns euch ihn ihm ihnen mein meine dein deine sein
seine unser unsere euer eure nicht kein keine keinen auch noch schon nur sehr mal ja nein doch
zu zum zur im in am an auf aus bei mit nach von vor für über unter um bis durch gegen ohne
was wer wie wo warum wann da hier dort man kann können muss müssen soll sollen will wollen
""".split())
_WORD = re.compile(r"\w+")
# What is ours and could carry a copied sentence: code, lexicons, prompts, docs, data.
TEXT_SUFFIXES = frozenset({
    ".py", ".md", ".yaml", ".yml", ".json", ".jsonl", ".txt", ".csv", ".vtt", ".srt",
    ".eml", ".mbox", ".html", ".j2", ".js", ".css", ".toml", ".cfg", ".ini", ".sh", ".docx",
    ".pdf",
})
_SKIP_DIRS = frozenset({".git", ".venv", "__pycache__", "node_modules", ".mypy_cache",
                        ".ruff_cache", ".pytest_cache", "reports", "handoff_brief.egg-info"})


@dataclass(frozen=True)
class Leak:
    """A run of words shared by a file of ours and a blind source."""

    path: Path
    blind_source: Path
    words: str


def words(text: str) -> list[str]:
    """The normalised word tokens of a text."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _content(word: str) -> bool:
    return word.isdigit() or (len(word) >= 3 and word not in _FUNCTION_WORDS)


def runs(tokens: list[str], n: int = RUN) -> Iterator[tuple[str, ...]]:
    """Every run of ``n`` consecutive tokens with at least :data:`MIN_CONTENT` content words."""
    for i in range(len(tokens) - n + 1):
        run = tuple(tokens[i:i + n])
        if sum(_content(w) for w in run) >= MIN_CONTENT:
            yield run


def _text_of(path: Path) -> str:
    """A file's words as a reader sees them: parsed when the product can parse it."""
    try:
        return parse_file(path, max_bytes=50 * 1024 * 1024).text
    except HandoffError:
        return path.read_bytes().decode("utf-8", errors="replace")


def blind_runs(blind_dir: Path, n: int = RUN) -> dict[tuple[str, ...], Path]:
    """Every ``n``-word run of every blind source, with the source it came from."""
    found: dict[tuple[str, ...], Path] = {}
    for source in sorted(blind_dir.glob("*/sources/*")):
        if source.is_file():
            for run in runs(words(_text_of(source)), n):
                found.setdefault(run, source)
    return found


def our_files(root: Path, blind_dir: Path) -> Iterator[Path]:
    """The files of the repository a copied blind sentence could hide in."""
    blind = blind_dir.resolve()
    dev = (root / "evals" / "datasets" / "dev").resolve()
    for folder, dirs, names in os.walk(root):
        here = Path(folder).resolve()
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS
                         and not (here / d).is_relative_to(blind)
                         and not (here.parent == dev and d == "sources"))
        for name in sorted(names):
            path = Path(folder) / name
            if path.suffix.lower() in TEXT_SUFFIXES and path.is_file():
                yield path


def find_leaks(blind_dir: Path, files: Iterable[Path], n: int = RUN) -> list[Leak]:
    """The first shared run of each file that shares one with a blind source."""
    blind = blind_runs(blind_dir, n)
    leaks = []
    for path in files:
        suffix = path.suffix.lower()
        text = _text_of(path) if suffix in {".docx", ".pdf", ".eml", ".mbox"} else \
            path.read_bytes().decode("utf-8", errors="replace")
        for run in runs(words(text), n):
            if run in blind:
                leaks.append(Leak(path, blind[run], " ".join(run)))
                break
    return leaks
