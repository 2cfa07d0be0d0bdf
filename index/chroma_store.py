"""The vector side of the store: one Chroma collection of chunk vectors per deal.

The only module that imports chromadb. Vectors are always computed by our own embedder and
passed in (``embedding_function=None`` everywhere: Chroma's default one downloads a model).

Design note. A deal's vectors live in a collection of their own, so a query reads that deal's
vectors and nothing else, deleting a deal drops one collection, and no ``where`` filter can be
forgotten. Measured with ``scripts/bench_vector_layout.py`` (1,000 deals x 100 chunks, 512-d,
top 40, on a busy 2-core machine), query p50/p95 in ms:

    layout                     embedded: first / next queries   server: first / next queries
    one collection + where     84 / 155      80 / 152            229 / 454     277 / 496
    one collection per deal    111 / 231     3.1 / 8.6           327 / 623     16 / 83

A deal's first query loads its collection (slower than the shared one, which stays loaded);
every later one reads 100 vectors instead of filtering 100,000, and a brief asks a deal many
questions. Building is on a par (179 s against 187 s embedded). A small index collection
records the embedder's id; opening the store with another embedder fails with a message that
says how to re-index (``handoff reindex``, :meth:`index.store.Store.reindex`), instead of
silently mixing vector spaces; a rebuild marks the index incomplete until it has finished. An
index of the older layout (one collection ``handoff-chunks`` filtered by deal) is moved per
deal when first opened.

Where the vectors live: an embedded ``PersistentClient`` under HOME/chroma by default, or a
Chroma server when ``HANDOFF_CHROMA_URL`` is set; ``HANDOFF_CHROMA_TENANT`` /
``HANDOFF_CHROMA_DATABASE`` / ``HANDOFF_CHROMA_PREFIX`` let one server hold several installs.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from handoff.errors import BackendUnavailable, ConfigError

INDEX = "handoff-index"
LEGACY = "handoff-chunks"  # the single collection of the layout before per-deal collections
_PREFIX = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_-]{0,62})?$")
_SPACE = {"hnsw:space": "cosine"}


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    distance: float


@dataclass(frozen=True)
class ServerAddress:
    host: str
    port: int
    ssl: bool

    @property
    def url(self) -> str:
        return f"{'https' if self.ssl else 'http'}://{self.host}:{self.port}"


def parse_url(url: str) -> ServerAddress:
    """Host, port and TLS of a Chroma server URL (``http://host:8000``, ``https://host``).

    Raises:
        ConfigError: The URL is not an http(s) URL with a host.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"HANDOFF_CHROMA_URL={url!r} is not a Chroma server URL: use "
            "http://HOST:PORT or https://HOST[:PORT] (or unset it for the embedded store)")
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"HANDOFF_CHROMA_URL={url!r} has an invalid port") from exc
    if parts.path.strip("/") or parts.query:
        raise ConfigError(
            f"HANDOFF_CHROMA_URL={url!r} has a path; the Chroma client takes host and port "
            "only: use http://HOST:PORT")
    ssl = parts.scheme == "https"
    return ServerAddress(parts.hostname, port or (443 if ssl else 8000), ssl)


def collection_name(prefix: str, deal_id: str) -> str:
    """The deal's collection: readable, and valid for Chroma whatever the deal id.

    Chroma names allow ``[A-Za-z0-9._-]``, must start and end alphanumeric and hold no "..";
    deal ids may end in "-" or hold "..", and differ only in case, so a digest of the exact
    id ends the name.
    """
    readable = re.sub(r"[^A-Za-z0-9]+", "-", deal_id).strip("-")[:40]
    digest = hashlib.sha1(deal_id.encode()).hexdigest()[:10]
    return f"{prefix}deal-{readable}-{digest}" if readable else f"{prefix}deal-{digest}"


def _http_client(url: str, tenant: str, database: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import ChromaError, NotFoundError

    addr = parse_url(url)
    try:
        return chromadb.HttpClient(
            host=addr.host, port=addr.port, ssl=addr.ssl, tenant=tenant, database=database,
            settings=ChromaSettings(anonymized_telemetry=False))
    except NotFoundError as exc:
        raise ConfigError(
            f"the Chroma server at {addr.url} has no tenant {tenant!r} with database "
            f"{database!r}: create it on the server, or fix HANDOFF_CHROMA_TENANT / "
            "HANDOFF_CHROMA_DATABASE") from exc
    except (ValueError, ChromaError, OSError) as exc:
        raise BackendUnavailable(
            f"cannot reach the Chroma server at {addr.url} ({exc}): start it (e.g. "
            "`scripts/services.sh start`), fix HANDOFF_CHROMA_URL, or unset it to keep the "
            "vectors in the embedded store under HANDOFF_HOME") from exc


def _admin(url: str) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    addr = parse_url(url)
    return chromadb.AdminClient(ChromaSettings(
        chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=addr.host,
        chroma_server_http_port=addr.port, chroma_server_ssl_enabled=addr.ssl,
        anonymized_telemetry=False))


def create_database(url: str, name: str, tenant: str = "default_tenant") -> None:
    """Create (empty) a database on a Chroma server: one install's or one test's namespace."""
    admin = _admin(url)
    try:
        admin.delete_database(name, tenant=tenant)  # a crashed run's leftover
    except Exception:  # noqa: BLE001 - absent is the normal case; chromadb has no exists()
        pass
    admin.create_database(name, tenant=tenant)


def drop_database(url: str, name: str, tenant: str = "default_tenant") -> None:
    """Delete a database and every collection in it from a Chroma server."""
    from chromadb.errors import InternalError

    admin = _admin(url)
    for attempt in range(6):
        try:
            admin.delete_database(name, tenant=tenant)
            return
        except InternalError as exc:  # a busy server's SQLite: "database is locked"
            if "locked" not in str(exc) or attempt == 5:
                raise
            time.sleep(0.5 * (attempt + 1))


class ChromaStore:
    """Chunk vectors, one collection per deal, in any Chroma client handed in."""

    def __init__(self, client: Any, embedder_id: str, prefix: str = "", *,
                 rebuilding: bool = False) -> None:
        from chromadb.errors import NotFoundError

        if not _PREFIX.match(prefix):
            raise ConfigError(
                f"HANDOFF_CHROMA_PREFIX={prefix!r} is invalid: use up to 63 letters, digits, "
                "'_' or '-', starting with a letter or digit")
        self._not_found: type[Exception] = NotFoundError
        self.embedder_id = embedder_id
        self.prefix = prefix
        self._client = client
        self._cols: dict[str, Any] = {}
        self._lock = threading.Lock()
        if rebuilding:  # handoff reindex: the vectors are about to be rebuilt, not read
            return
        index = client.get_or_create_collection(
            prefix + INDEX, metadata={"embedder": embedder_id, **_SPACE},
            embedding_function=None)
        meta = index.metadata or {}
        if meta.get("reindex") == "incomplete":
            raise ConfigError(
                "the vector index is incomplete: a `handoff reindex` was interrupted; run "
                "`handoff reindex` again to finish it")
        stored = meta.get("embedder")
        if stored != embedder_id:
            raise ConfigError(
                f"the vector index was built with embedder {stored!r} but {embedder_id!r} is "
                "configured; set HANDOFF_EMBEDDER back, or run `handoff reindex` to rebuild it"
            )
        self._migrate_legacy()

    @classmethod
    def open(cls, path: Path, embedder_id: str, *, rebuilding: bool = False) -> ChromaStore:
        """The embedded store in the folder ``path`` (``rebuilding``: for :meth:`begin_rebuild`)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        return cls(client, embedder_id, rebuilding=rebuilding)

    @classmethod
    def connect(cls, url: str, embedder_id: str, *, tenant: str = "default_tenant",
                database: str = "default_database", prefix: str = "",
                rebuilding: bool = False) -> ChromaStore:
        """The store on the Chroma server at ``url``.

        Raises:
            ConfigError: The URL, tenant, database or prefix is wrong.
            BackendUnavailable: Nothing answers at the URL.
        """
        return cls(_http_client(url, tenant, database), embedder_id, prefix,
                   rebuilding=rebuilding)

    # ------------------------------------------------------------------ collections

    def _collection(self, deal_id: str, *, create: bool) -> Any | None:
        name = collection_name(self.prefix, deal_id)
        with self._lock:
            col = self._cols.get(name)
        if col is not None:
            return col
        if create:
            col = self._client.get_or_create_collection(
                name, metadata={"embedder": self.embedder_id, "deal_id": deal_id, **_SPACE},
                embedding_function=None)
        else:
            try:
                col = self._client.get_collection(name, embedding_function=None)
            except self._not_found:
                return None
        with self._lock:
            self._cols[name] = col
        return col

    def _forget(self, deal_id: str) -> None:
        with self._lock:
            self._cols.pop(collection_name(self.prefix, deal_id), None)

    def _retrying(self, deal_id: str, create: bool, op: Any) -> Any:
        """Run ``op(collection)``, once more if another process dropped the collection."""
        for attempt in (1, 2):
            col = self._collection(deal_id, create=create)
            if col is None:
                return None
            try:
                return op(col)
            except self._not_found:
                self._forget(deal_id)
                if attempt == 2:
                    raise
        return None  # pragma: no cover - the loop returns or raises

    # ------------------------------------------------------------------ vectors

    def add(self, deal_id: str, document_id: str, ids: list[str], vectors: np.ndarray, *,
            upsert: bool = False) -> None:
        if not ids:
            return
        embeddings = vectors.astype(np.float32)
        metadatas: list[Any] = [{"document_id": document_id} for _ in ids]
        self._retrying(deal_id, True, lambda col: (col.upsert if upsert else col.add)(
            ids=ids, embeddings=embeddings, metadatas=metadatas))

    def query(self, deal_id: str, vector: np.ndarray, k: int) -> list[VectorHit]:
        """The ``k`` nearest chunks of one deal; reads no other deal's vectors."""
        if k <= 0:
            return []
        query = vector.reshape(1, -1).astype(np.float32)
        res = self._retrying(deal_id, False, lambda col: col.query(
            query_embeddings=query, n_results=k, include=["distances"]))
        if not res or not res["ids"]:
            return []
        ids = res["ids"][0]
        dists = res["distances"][0] if res.get("distances") else [0.0] * len(ids)
        return [VectorHit(i, float(d)) for i, d in zip(ids, dists, strict=True)]

    def delete_document(self, deal_id: str, document_id: str) -> None:
        self._retrying(deal_id, False,
                       lambda col: col.delete(where={"document_id": document_id}))

    def delete_ids(self, deal_id: str, ids: list[str]) -> None:
        if ids:
            self._retrying(deal_id, False, lambda col: col.delete(ids=ids))

    def delete_deal(self, deal_id: str) -> None:
        """Drop the deal's collection: every vector of the deal is gone with it."""
        self._forget(deal_id)
        try:
            self._client.delete_collection(collection_name(self.prefix, deal_id))
        except (self._not_found, ValueError):  # no vectors yet (older chromadb: ValueError)
            pass

    def count(self, deal_id: str | None = None) -> int:
        if deal_id is not None:
            return int(self._retrying(deal_id, False, lambda col: col.count()) or 0)
        start = self.prefix + "deal-"
        return sum(int(c.count()) for c in self._client.list_collections()
                   if c.name.startswith(start))

    # ------------------------------------------------------------------ rebuilding

    def begin_rebuild(self) -> None:
        """Mark the index incomplete, then drop every vector of this install.

        Until :meth:`end_rebuild`, opening the store fails with a message that says to run
        ``handoff reindex`` again: an interrupted rebuild is never read as a complete index.
        The vectors are derived from the SQL chunks, so dropping them loses nothing.
        """
        self._mark(incomplete=True)
        names = [getattr(c, "name", c) for c in self._client.list_collections()]
        for name in names:
            if name.startswith(self.prefix + "deal-") or name == self.prefix + LEGACY:
                try:
                    self._client.delete_collection(name)
                except (self._not_found, ValueError):  # another process dropped it
                    pass
        with self._lock:
            self._cols.clear()

    def end_rebuild(self) -> None:
        """Record the configured embedder as the complete index's."""
        self._mark(incomplete=False)

    def _mark(self, *, incomplete: bool) -> None:
        name = self.prefix + INDEX
        try:
            self._client.delete_collection(name)
        except (self._not_found, ValueError):
            pass
        meta: dict[str, Any] = {"embedder": self.embedder_id, **_SPACE}
        if incomplete:
            meta["reindex"] = "incomplete"
        self._client.get_or_create_collection(name, metadata=meta, embedding_function=None)

    def _migrate_legacy(self) -> None:
        """Move the vectors of a single-collection index into per-deal collections."""
        try:
            legacy = self._client.get_collection(self.prefix + LEGACY, embedding_function=None)
        except (self._not_found, ValueError):
            return
        if (legacy.metadata or {}).get("embedder") != self.embedder_id:
            raise ConfigError(
                f"the vector index holds vectors of embedder "
                f"{(legacy.metadata or {}).get('embedder')!r}, not {self.embedder_id!r}; set "
                "HANDOFF_EMBEDDER back, or run `handoff reindex` to rebuild it")
        while True:
            batch = legacy.get(limit=2000, include=["embeddings", "metadatas"])
            if not batch["ids"]:
                break
            by_deal: dict[tuple[str, str], list[int]] = {}
            for i, meta in enumerate(batch["metadatas"]):
                by_deal.setdefault((str(meta["deal_id"]), str(meta["document_id"])),
                                   []).append(i)
            vecs = np.asarray(batch["embeddings"], dtype=np.float32)
            for (deal_id, doc_id), rows in by_deal.items():
                self.add(deal_id, doc_id, [batch["ids"][i] for i in rows], vecs[rows],
                         upsert=True)  # upsert: a migration interrupted midway can resume
            legacy.delete(ids=batch["ids"])
        self._client.delete_collection(self.prefix + LEGACY)
