"""Helpers of the web app tests: an app on a temporary home, users of every role, a deal.

The app runs with the rules backend and a hashing embedder, so a brief of the demo deal takes
a few seconds and no test loads a model. ``world`` is built once per test module: the
authorization matrix alone makes hundreds of requests against the same deal.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from api.app import create_app
from api.throttle import Throttle
from api.users import User, assign, create_user
from handoff.settings import Settings, get_settings
from tests.live_services import service_overrides

REPO = Path(__file__).resolve().parents[2]
DEMO_SOURCES = REPO / "handoff" / "demo_deal" / "sources"
PASSWORD = "correct horse battery"


class WordHashEmbedder:
    """Bag-of-words hashing: deterministic and instant; enough for hybrid search in tests."""

    id = "test-word-hash-64"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return out / norms


def make_settings(home: Path, **overrides: object) -> Settings:
    """Settings for a test app: rules backend, nothing read from the developer's env."""
    values: dict[str, object] = {
        "home": home, "backend": "rules", "database_url": None, "openai_base_url": None,
        "openai_api_key": None, "offering_path": REPO / "handoff" / "demo_deal" / "offering.yaml",
        "secret_key": "test-secret-key-not-for-production", "redis_url": None,
        "job_modules": "",
        "chroma_url": None, "chroma_tenant": "default_tenant",
        "chroma_database": "default_database", "chroma_prefix": "",
    }
    values.update(service_overrides(home))
    values.update(overrides)
    return get_settings(**values)


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a ``handoff`` process a test starts on the test's home: the test's
    database, Chroma and Redis places, the rules backend, none of the developer's HANDOFF_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_")}
    env.update(HANDOFF_HOME=str(settings.home), HANDOFF_DATABASE_URL=settings.db_url,
               HANDOFF_BACKEND="rules", HANDOFF_REDIS_URL=settings.redis_url or "",
               HANDOFF_REDIS_PREFIX=settings.redis_prefix)
    if settings.chroma_url:
        env.update(HANDOFF_CHROMA_URL=settings.chroma_url,
                   HANDOFF_CHROMA_DATABASE=settings.chroma_database,
                   HANDOFF_CHROMA_PREFIX=settings.chroma_prefix)
    env.update(extra)
    return env


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def demo_files() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (p.name, p.read_bytes(), "application/octet-stream"))
            for p in sorted(DEMO_SOURCES.iterdir())]


@dataclass
class World:
    """One app with one user per role, a deal of rep ``owner`` with a brief, and more."""

    client: TestClient
    users: dict[str, tuple[User, str]] = field(default_factory=dict)
    deal_id: str = ""

    def token(self, name: str) -> str:
        return self.users[name][1]

    def headers(self, name: str) -> dict[str, str]:
        return bearer(self.token(name))

    def wait_job(self, job_id: str, who: str = "owner", timeout: float = 120.0) -> dict:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.client.get(f"/api/jobs/{job_id}", headers=self.headers(who)).json()
            if job["status"] in ("succeeded", "failed"):
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} did not finish in {timeout}s")


# name -> (role, team); "owner" owns the deal, "csm" is assigned to it, "manager" leads team A.
PEOPLE = {
    "owner": ("rep", "A"),
    "other_rep": ("rep", "A"),
    "csm": ("csm", "A"),
    "other_csm": ("csm", "A"),
    "manager": ("manager", "A"),
    "other_manager": ("manager", "B"),
    "admin": ("admin", ""),
}


def build_world(home: Path) -> Iterator[World]:
    # the authorization matrix sends hundreds of bad tokens from one test address on purpose
    app = create_app(make_settings(home), embedder=WordHashEmbedder(),
                     throttle=Throttle(per_address="100000/minute"))
    with TestClient(app, raise_server_exceptions=False) as client:
        store = app.state.store
        world = World(client)
        for name, (role, team) in PEOPLE.items():
            world.users[name] = create_user(store, f"{name.replace('_', '.')}@example.com",
                                            role, team=team, password=PASSWORD)
        r = client.post("/api/deals", json={"name": "Pinecrest Facility Services"},
                        headers=world.headers("owner"))
        assert r.status_code == 201, r.text
        world.deal_id = r.json()["id"]
        r = client.post(f"/api/deals/{world.deal_id}/documents", files=demo_files(),
                        headers=world.headers("owner"))
        assert r.status_code == 200, r.text
        r = client.post(f"/api/deals/{world.deal_id}/brief", headers=world.headers("owner"))
        assert r.status_code == 202, r.text
        job = world.wait_job(r.json()["id"])
        assert job["status"] == "succeeded", job
        assign(store, "csm@example.com", world.deal_id)
        yield world
