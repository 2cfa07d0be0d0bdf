"""One backend per app, opened on first use and closed when the app stops.

Opening the ``local`` backend starts a llama.cpp server, which takes seconds; opening it per
request or per job would pay that every time. The pool opens the configured backend once,
shares it between the Q&A requests and the brief jobs (the adapters are stateless per call)
and closes it in the app's lifespan. A backend that fails to open is not cached, so fixing
the configuration and retrying works without a restart.
"""

from __future__ import annotations

import threading

from extractor.backends import Backend, open_backend
from handoff.settings import Settings


class BackendPool:
    """Lazily opened, shared backend of the configured kind."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._backend: Backend | None = None
        self._lock = threading.Lock()

    def get(self) -> Backend:
        """The shared backend, opening it on first use.

        Raises:
            ConfigError: The configured backend is unknown or misconfigured.
            BackendUnavailable: It cannot run on this machine.
        """
        with self._lock:
            if self._backend is None:
                self._backend = open_backend(self.settings, self.settings.backend)
            return self._backend

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None
