"""The response cache: an unchanged question is asked once; anything that shapes it is a new one."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.backends import open_backend
from extractor.llm import ChatModelLLM
from extractor.llm_cache import CachedLLM
from extractor.reading import ReadPlan
from handoff.errors import ExtractionError
from handoff.settings import get_settings
from tests.extractor.builders import brief_of
from tests.extractor.test_chain import _docs
from tests.extractor.test_llm import Extraction
from tests.fakes import fake_llm

ASK = [("system", "You extract."), ("user", "Passages: P1 Anna drives it.")]
ANSWER = {"items": [{"field": "champion", "value": "Anna", "quote": "Anna drives it"}]}


def test_a_repeated_question_is_answered_from_the_file_without_tokens(tmp_path: Path) -> None:
    llm, chat = fake_llm([ANSWER])
    first, used = CachedLLM(llm, tmp_path / "c.sqlite", "ns").complete(ASK, Extraction)
    # a new process: a fresh wrapper over the same file, and a model with nothing left to say
    again, hit = CachedLLM(fake_llm([])[0], tmp_path / "c.sqlite", "ns").complete(
        ASK, Extraction)
    assert again == first and again.items[0].value == "Anna"
    assert len(chat.calls) == 1
    assert (used.cached, used.prompt_tokens) == (False, 100)
    assert (hit.cached, hit.prompt_tokens, hit.completion_tokens) == (True, 0, 0)


@pytest.mark.parametrize("change", ["prompt", "namespace", "limit"])
def test_a_changed_prompt_model_or_limit_is_asked_again(tmp_path: Path, change: str) -> None:
    llm, chat = fake_llm([ANSWER, {"items": []}])
    cache = CachedLLM(llm, tmp_path / "c.sqlite", "ns")
    cache.complete(ASK, Extraction, max_tokens=700)
    ask, limit = ASK, 700
    if change == "prompt":
        ask = [ASK[0], ("user", ASK[1][1] + " Ben signs.")]
    elif change == "namespace":
        cache = CachedLLM(llm, tmp_path / "c.sqlite", "other-model")
    else:
        limit = 900
    out, usage = cache.complete(ask, Extraction, max_tokens=limit)
    assert len(chat.calls) == 2 and out.items == [] and not usage.cached


def test_a_failed_answer_is_not_kept(tmp_path: Path) -> None:
    llm, chat = fake_llm(["not json", "still not json", ANSWER], reasks=1)
    cache = CachedLLM(llm, tmp_path / "c.sqlite", "ns")
    with pytest.raises(ExtractionError):
        cache.complete(ASK, Extraction)
    out, usage = cache.complete(ASK, Extraction)
    assert out.items[0].value == "Anna" and not usage.cached and len(chat.calls) == 3


def test_a_rerun_brief_is_the_same_and_costs_no_tokens(tmp_path: Path) -> None:
    plan = ReadPlan(batch_size=3, slack=0.0)

    def run(llm: ChatModelLLM):  # type: ignore[no-untyped-def]
        return brief_of(_docs(), llm=CachedLLM(llm, tmp_path / "c.sqlite", "ns"), plan=plan)

    first = run(fake_llm([{"items": [{"id": 2, "field": "primary_goal"}]}] * 5)[0])
    calls = first.metadata.token_usage.calls
    again = run(fake_llm([])[0])  # would fail if it were asked anything
    assert [(i.id, i.value) for i in again.items] == [(i.id, i.value) for i in first.items]
    assert [g.key for g in again.gaps] == [g.key for g in first.gaps]
    assert first.metadata.token_usage.prompt_tokens == 100 * calls
    usage = again.metadata.token_usage
    assert (usage.calls, usage.cached_calls, usage.prompt_tokens) == (calls, calls, 0)


def test_the_setting_turns_the_cache_off(tmp_path: Path) -> None:
    on = get_settings(home=tmp_path, openai_base_url="http://127.0.0.1:9/v1")
    off = get_settings(home=tmp_path, openai_base_url="http://127.0.0.1:9/v1", llm_cache=False)
    with open_backend(on, "openai") as be:
        assert isinstance(be.llm, CachedLLM)
        assert be.llm.path == tmp_path / "llm-cache.sqlite"
    with open_backend(off, "openai") as be:
        assert isinstance(be.llm, ChatModelLLM)


def test_an_answer_cut_off_at_the_limit_is_used_but_not_kept(tmp_path: Path) -> None:
    from tests.extractor.test_llm import LOOPING, _cut_off

    llm, chat = fake_llm([_cut_off(LOOPING), ANSWER])
    cache = CachedLLM(llm, tmp_path / "c.sqlite", "ns")
    cut, usage = cache.complete(ASK, Extraction, max_tokens=700)
    assert usage.truncated and len(cut.items) == 2
    again, usage = cache.complete(ASK, Extraction, max_tokens=700)  # asked again: it finished
    assert not usage.truncated and again.items[0].value == "Anna" and len(chat.calls) == 2
