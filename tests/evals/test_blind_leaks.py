"""The blind set stays blind: nothing of ours shares 8 consecutive words with a blind source."""

from __future__ import annotations

from pathlib import Path

from evals.leaks import RUN, find_leaks, our_files

ROOT = Path(__file__).resolve().parents[2]
BLIND = ROOT / "evals" / "datasets" / "blind"


def test_no_test_lexicon_prompt_or_example_copies_a_blind_source() -> None:
    deals = [d for d in BLIND.iterdir() if (d / "gold.json").is_file()]
    assert len(deals) >= 8, "the blind set needs at least 8 deals"
    leaks = find_leaks(BLIND, our_files(ROOT, BLIND))
    assert not leaks, "blind text copied into the repository:\n" + "\n".join(
        f"{leak.path.relative_to(ROOT)} shares '{leak.words}' with "
        f"{leak.blind_source.relative_to(ROOT)}" for leak in leaks)


def _blind(tmp_path: Path) -> Path:
    sources = tmp_path / "blind" / "deal-a" / "sources"
    sources.mkdir(parents=True)
    (sources / "call.txt").write_text(
        "Honestly the thing that worries me most is the night shift handover in Dunmore, "
        "because nobody writes anything down.\n", encoding="utf-8")
    return tmp_path / "blind"


def test_a_planted_eight_word_copy_is_caught_whatever_its_case_and_wrapping(tmp_path) -> None:
    blind = _blind(tmp_path)
    repo = tmp_path / "repo"
    (repo / "extractor").mkdir(parents=True)
    lexicon = repo / "extractor" / "cues.yaml"
    lexicon.write_text('cue: "worries me most is the NIGHT\n  shift handover in Dunmore"\n',
                       encoding="utf-8")
    leaks = find_leaks(blind, our_files(repo, blind))
    assert [(leak.path.name, leak.words) for leak in leaks] == [
        ("cues.yaml", "worries me most is the night shift handover")]
    assert RUN == 8


def test_seven_shared_words_are_not_a_leak_and_the_blind_set_is_not_checked_against_itself(
        tmp_path) -> None:
    blind = _blind(tmp_path)
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_x.py").write_text('s = "most is the night shift handover in"\n'
                                     't = "the thing that worries me most is the"\n',
                                     encoding="utf-8")
    # seven words, then eight of which only two are content words ("thing", "worries")
    assert find_leaks(blind, our_files(tmp_path, blind)) == []
