"""The brief with a fake model that reads sentences by number: what it says becomes items."""

from __future__ import annotations

import json
import re

import pytest
from langchain_core.messages import AIMessage

from extractor.llm import ChatModelLLM
from extractor.reading import ReadPlan, system_prompt
from handoff.domain import ConflictKind, HandoffBrief, Offering, SupportTier
from handoff.errors import BackendUnavailable, ExtractionError
from index.parsers import parse_bytes
from tests.extractor.builders import brief_of
from tests.fakes import FakeChat, fake_llm

CALL = """WEBVTT

00:00:05.000 --> 00:00:12.000
Anna Keller: I'm head of operations and honestly I'll drive this internally, it's my project.

00:00:14.000 --> 00:00:22.000
Tom Berg: And we'll have you live in four weeks, I promise you that.

00:00:25.000 --> 00:00:33.000
Anna Keller: Our goal is to cut empty kilometres by fifteen percent this year.

00:00:35.000 --> 00:00:40.000
Anna Keller: The weather in Hamburg was awful this morning.
"""

ORDER = """# Order form

Implementation: go-live planned ten weeks after kickoff.

Support tier: Standard.
"""

OFFERING = Offering(
    vendor="Flowbase", implementation_weeks={"min": 8, "max": 10},
    support_tiers=[SupportTier(name="Standard", includes=["email support"]),
                   SupportTier(name="Premium", includes=["dedicated CSM"])],
    integrations={"native": ["Salesforce"], "custom": ["SAP"]}, roadmap=["SCIM provisioning"],
    training={"included_sessions": 2},
)


def _docs():  # type: ignore[no-untyped-def]
    return [parse_bytes(CALL.encode(), "call.vtt"), parse_bytes(ORDER.encode(), "order-form.md")]


class LabellingChat(FakeChat):
    """A fake model that labels each numbered sentence containing a given phrase."""

    def __init__(self, labels: dict[str, str]) -> None:
        super().__init__([])
        self.labels = labels

    def invoke(self, messages: list[tuple[str, str]], **kwargs: object) -> AIMessage:
        self.calls.append({"messages": messages, **kwargs})
        items = [{"id": int(n), "field": field}
                 for n, text in re.findall(r"^\[(\d+)\][^:]*: (.*)$", messages[1][1], re.M)
                 for phrase, field in self.labels.items() if phrase in text]
        return AIMessage(content=json.dumps({"items": items}),
                         usage_metadata={"input_tokens": 100, "output_tokens": 20,
                                         "total_tokens": 120})


def _brief(labels: dict[str, str], plan: ReadPlan | None = None
           ) -> tuple[HandoffBrief, LabellingChat]:
    chat = LabellingChat(labels)
    llm = ChatModelLLM(chat, backend="fake", model="fake-model", max_retries=0)
    return brief_of(_docs(), offering=OFFERING, llm=llm,
                    plan=plan or ReadPlan(batch_size=50, slack=0.0)), chat


def test_what_the_model_labels_becomes_an_item_citing_the_whole_sentence() -> None:
    brief, _ = _brief({"empty kilometres": "primary_goal", "drive": "champion",
                       "four weeks": "timeline"})
    goal = [i for i in brief.items if i.key == "goals.primary_goal"]
    assert goal and "empty kilometres" in goal[0].value
    assert goal[0].citations[0].quote == ("Our goal is to cut empty kilometres by fifteen "
                                          "percent this year.")
    assert "model" in goal[0].origin
    [champion] = [i for i in brief.items if i.key == "stakeholders.champion"]
    assert champion.attributes["name"] == "Anna Keller"
    assert champion.value.startswith("Anna Keller")


def test_a_sentence_the_model_calls_a_fact_but_the_guards_refuse_stays_out() -> None:
    # the model says the weather line is a goal and the vendor's promise a customer goal
    brief, _ = _brief({"weather": "primary_goal", "four weeks": "primary_goal"})
    goals = " ".join(i.value for i in brief.items if i.key == "goals.primary_goal")
    assert "four weeks" not in goals  # the vendor's words are never the customer's goal


def test_the_verbal_promise_needs_validation_and_goes_beyond_the_offering() -> None:
    brief, _ = _brief({"four weeks": "timeline"})
    [promise] = [i for i in brief.items if i.key.startswith("commitments.")
                 and "four weeks" in i.value]
    assert promise.verbal and promise.attributes["needs_validation"]
    assert promise.attributes["promised_by"] == "Tom Berg"
    assert any(c.kind == ConflictKind.BEYOND_OFFERING and c.topic == "implementation_weeks"
               for c in brief.conflicts)


def test_every_batch_shares_one_prefix_and_is_counted() -> None:
    brief, chat = _brief({}, ReadPlan(batch_size=2, slack=0.0))
    system, prompt_id = system_prompt()
    assert len(chat.calls) >= 3  # two sentences per batch
    assert {call["messages"][0] for call in chat.calls} == {("system", system)}
    assert brief.metadata.prompt_versions["read"] == prompt_id
    assert brief.metadata.token_usage.calls == len(chat.calls)


def test_metadata_records_backend_model_prompts_and_tokens() -> None:
    brief, chat = _brief({"empty kilometres": "primary_goal"})
    meta = brief.metadata
    assert meta.backend == "fake" and meta.model == "fake-model"
    assert meta.prompt_versions["classifier"] == "classifier.v2"
    assert meta.token_usage.prompt_tokens == 100 * len(chat.calls)


def test_item_ids_are_stable_across_runs() -> None:
    a, _ = _brief({"empty kilometres": "primary_goal"})
    b, _ = _brief({"empty kilometres": "primary_goal"})
    assert [i.id for i in a.items] == [i.id for i in b.items]


def test_a_garbled_batch_is_read_by_the_classifier_alone_and_the_brief_says_so() -> None:
    llm, _ = fake_llm(["not json", "still not json", {"items": []}], max_retries=0)
    brief = brief_of(_docs(), llm=llm, plan=ReadPlan(batch_size=3, slack=0.0))
    assert any("batch 1" in w for w in brief.metadata.warnings)


def test_a_model_that_answers_no_batch_is_an_error_not_a_brief() -> None:
    llm, _ = fake_llm(["x", "x", "x", "x"], max_retries=0)
    with pytest.raises(ExtractionError):
        brief_of(_docs(), llm=llm, plan=ReadPlan(batch_size=50, slack=0.0))


def test_an_endpoint_that_is_not_there_fails_at_the_first_batch() -> None:
    import httpx
    import openai

    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    down = openai.APIConnectionError(request=request)
    llm, chat = fake_llm([down, down, down], max_retries=0)
    with pytest.raises(BackendUnavailable):
        brief_of(_docs(), llm=llm, plan=ReadPlan(batch_size=2, slack=0.0))
    assert len(chat.calls) == 1
