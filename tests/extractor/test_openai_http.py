"""The ``openai`` backend over real HTTP, as a production user configures it.

A small OpenAI-compatible server runs under uvicorn on loopback and plays the endpoint:
chat completions and embeddings, a 429 on the first call, one invalid answer, and (when
asked) a 400 for ``json_schema`` like llama.cpp's server. Its "model" reads the numbered
sentences it is sent and labels those that contain a field's cue word, answering with
sentence numbers as the reading prompt asks. The CLI is driven exactly as a user would with
HANDOFF_OPENAI_* and HANDOFF_EMBEDDER=openai in the environment.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from typer.testing import CliRunner

from api.cli import app as cli
from index.parsers import parse_bytes
from tests.serve import serving

CALL = """WEBVTT

00:00:05.000 --> 00:00:14.000
Anna Keller: I'm head of operations at Nordlicht Logistics and I'm driving this project.

00:00:16.000 --> 00:00:26.000
Anna Keller: Our main goal is to cut empty truck kilometres by fifteen percent within a year.

00:00:28.000 --> 00:00:36.000
Tom Berg: We will give you two training sessions for the dispatchers in March.

00:00:38.000 --> 00:00:47.000
Anna Keller: My worry is that the drivers won't accept another app on their phones.
"""

# cue word -> field, for the fake model
CUES = {"goal": "primary_goal", "training": "service", "worry": "objection"}


@dataclass
class FakeEndpoint:
    reject_json_schema: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    embedding_calls: int = 0
    prompt_tokens: int = 0
    served_429: bool = False
    served_invalid: bool = False
    key: str = "sk-test-123"


def _unauthorised(request: Request, state: FakeEndpoint) -> JSONResponse | None:
    if request.headers.get("authorization") == f"Bearer {state.key}":
        return None
    return JSONResponse({"error": {"message": "Incorrect API key provided",
                                   "code": "invalid_api_key"}}, status_code=401)


def _answer(body: dict[str, Any]) -> str:
    users = [m["content"] for m in body["messages"] if m["role"] == "user"]
    # a re-ask ends with the complaint about the invalid answer: read the request itself
    user = next((u for u in users if u.startswith("Sentences:")), users[-1])
    passages = re.findall(r"^(P\d+) \[[^\]]*\]:\n(.+?)(?=\n\nP\d+ \[|\n\n\S|\Z)", user,
                          re.M | re.S)
    if not user.startswith("Sentences:"):  # a question about the deal
        hits = [(p, line.split(": ", 1)[-1]) for p, t in passages for line in t.splitlines()
                if "goal" in line.lower()]
        if not hits:  # prompts/answer.v2.md: one or two sentences, each with its quote
            return json.dumps({"sentences": [], "supported": False})
        return json.dumps({"supported": True, "sentences": [
            {"text": "They want fewer empty kilometres.",
             "quotes": [{"passage": hits[0][0], "quote": hits[0][1]}]}]})
    items = [{"id": int(n), "field": fld}
             for n, said in re.findall(r"^\[(\d+)\][^:]*: (.*)$", user, re.M)
             for cue, fld in CUES.items() if cue in said.lower()]
    return json.dumps({"items": items})


def _fake_app(state: FakeEndpoint) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        if (refused := _unauthorised(request, state)) is not None:
            return refused
        body = await request.json()
        state.requests.append(body)
        state.headers.append(dict(request.headers))
        if not state.served_429:
            state.served_429 = True
            return JSONResponse({"error": {"message": "slow down"}}, status_code=429,
                                headers={"retry-after": "0"})
        if state.reject_json_schema and body["response_format"]["type"] == "json_schema":
            return JSONResponse({"error": {"message": "json_schema is not supported"}},
                                status_code=400)
        content = _answer(body)
        if not state.served_invalid:
            state.served_invalid = True
            content = "Sure! Here are the items: {items: oops"
        prompt = sum(len(m["content"].split()) for m in body["messages"])
        state.prompt_tokens += prompt
        return JSONResponse({
            "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": 20,
                      "total_tokens": prompt + 20},
        })

    @app.post("/v1/embeddings")
    async def embeddings(request: Request) -> JSONResponse:
        if (refused := _unauthorised(request, state)) is not None:
            return refused
        body = await request.json()
        state.embedding_calls += 1
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = []
        for i, text in enumerate(texts):
            vec = [0.0] * 32
            for w in re.findall(r"\w+", text.lower()):
                vec[int(hashlib.md5(w.encode()).hexdigest(), 16) % 32] += 1.0
            data.append({"object": "embedding", "index": i, "embedding": vec})
        return JSONResponse({"object": "list", "data": data, "model": body["model"],
                             "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    return app


@pytest.fixture
def endpoint(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEndpoint]:
    state = FakeEndpoint()
    with serving(_fake_app(state)) as base_url:
        monkeypatch.setenv("HANDOFF_OPENAI_BASE_URL", f"{base_url}/v1")
        monkeypatch.setenv("HANDOFF_OPENAI_API_KEY", "sk-test-123")
        monkeypatch.setenv("HANDOFF_OPENAI_MODEL", "gpt-test")
        monkeypatch.setenv("HANDOFF_EMBEDDER", "openai")
        monkeypatch.setenv("HANDOFF_EMBEDDING_MODEL", "embed-test")
        yield state


def _ingest(tmp_path: Path) -> None:
    call = tmp_path / "kickoff.vtt"
    call.write_text(CALL, encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", "--deal", "nordlicht", str(call)])
    assert result.exit_code == 0, result.output


def _brief(tmp_path: Path, *extra: str) -> dict[str, Any]:
    out = tmp_path / "brief.json"
    result = CliRunner().invoke(cli, ["brief", "nordlicht", "--backend", "openai",
                                      "--format", "json", "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))["brief"]


def test_brief_through_an_openai_compatible_endpoint(endpoint: FakeEndpoint,
                                                     tmp_path: Path) -> None:
    _ingest(tmp_path)
    assert endpoint.embedding_calls >= 1  # the chunks were embedded by the endpoint
    brief = _brief(tmp_path)

    meta = brief["metadata"]
    assert meta["backend"] == "openai" and meta["model"] == "gpt-test"
    # one batch of sentences, plus the retried 429 and the re-ask after the invalid answer
    assert len(endpoint.requests) == 1 + 2
    assert meta["token_usage"]["prompt_tokens"] > 0
    assert meta["token_usage"]["prompt_tokens"] <= endpoint.prompt_tokens
    assert all(h["authorization"] == "Bearer sk-test-123" for h in endpoint.headers)
    assert all(r["model"] == "gpt-test" for r in endpoint.requests)
    # the token limit in the field llama.cpp, vLLM and Ollama read (not only OpenAI's new one)
    assert all(r.get("max_tokens") == 1200 and "max_completion_tokens" not in r
               for r in endpoint.requests)
    # a loopback endpoint is not OpenAI: json_object mode, carrying the schema
    fmt = endpoint.requests[-1]["response_format"]
    assert fmt["type"] == "json_object" and "items" in json.dumps(fmt["schema"])
    reask = next(r for r in endpoint.requests
                 if any("That output was invalid" in m["content"] for m in r["messages"]))
    assert any(m["role"] == "assistant" and "oops" in m["content"] for m in reask["messages"])

    source = parse_bytes(CALL.encode(), "kickoff.vtt").text  # what offsets index into
    by_key = {i["key"]: i for i in brief["items"] if "model" in i["origin"]}
    assert {"goals.primary_goal", "commitments.service", "risks.objection"} <= set(by_key)
    for item in by_key.values():
        for c in item["citations"]:
            # the model names sentences; the citation is that sentence, exactly
            assert c["alignment"] == "exact"
            assert source[c["start"]:c["end"]] == c["quote"]
    training = by_key["commitments.service"]
    assert "two training sessions" in training["citations"][0]["quote"]
    assert training["citations"][0]["speaker"] == "Tom Berg"


def test_endpoint_that_refuses_json_schema_falls_back(endpoint: FakeEndpoint, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint.reject_json_schema = True
    monkeypatch.setenv("HANDOFF_STRUCTURED_OUTPUT", "json_schema")
    _ingest(tmp_path)
    brief = _brief(tmp_path)
    kinds = [r["response_format"]["type"] for r in endpoint.requests]
    assert kinds[:2] == ["json_schema", "json_schema"]  # the 429, then the 400
    assert "json_object" in kinds and kinds[-1] == "json_object"
    assert any(i["key"] == "goals.primary_goal" for i in brief["items"])


def test_ask_through_the_endpoint_cites_the_source(endpoint: FakeEndpoint,
                                                   tmp_path: Path) -> None:
    _ingest(tmp_path)
    endpoint.served_invalid = True
    result = CliRunner().invoke(cli, ["ask", "nordlicht", "What is the customer's main goal?",
                                      "--backend", "openai"])
    assert result.exit_code == 0, result.output
    assert "fewer empty kilometres" in result.output
    assert "fifteen percent" in result.output  # the cited passage is shown with the answer


def test_wrong_key_is_one_clear_line(endpoint: FakeEndpoint, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _ingest(tmp_path)
    monkeypatch.setenv("HANDOFF_OPENAI_API_KEY", "sk-wrong")
    result = CliRunner().invoke(cli, ["brief", "nordlicht", "--backend", "openai"])
    assert result.exit_code == 1
    assert "HANDOFF_OPENAI_API_KEY" in result.output and "Traceback" not in result.output


def test_eval_can_answer_questions_with_another_backend(endpoint: FakeEndpoint,
                                                        tmp_path: Path) -> None:
    dataset = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "dev"
    deal = sorted(p.name for p in dataset.iterdir() if p.is_dir())[0]
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, ["eval", str(dataset), "--deals", deal, "--backend",
                                      "openai", "--qa-backend", "classifier", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "questions answered by classifier" in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["backend"] == "openai" and report["run"]["qa_backend"] == "classifier"
    assert report["questions"] and any(q["answered"] for q in report["questions"])
    # the endpoint saw only reading batches (plus the 429 and the re-ask), no question
    assert endpoint.requests and all(
        any(m["content"].startswith("Sentences:") for m in r["messages"])
        for r in endpoint.requests)
    assert "Questions answered by classifier" in (out / "report.md").read_text(
        encoding="utf-8")
