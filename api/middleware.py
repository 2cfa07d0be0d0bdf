"""Small ASGI middlewares: the request body limit, NUL-free URLs and the security headers.

Both are plain ASGI (not ``BaseHTTPMiddleware``) so they wrap streamed bodies and responses
without buffering them.

The body limit refuses a request whose ``Content-Length`` is over the limit before reading a
byte, and also counts the bytes actually received, because a chunked upload has no length
header and a client may lie about it. Going over while the app reads raises
:class:`api.problems.PayloadTooLarge`, which the one problem handler turns into a 413.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import PayloadTooLarge, problem_handler

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")

HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
"""Sent only on responses served over https (directly or via a trusted proxy's
``X-Forwarded-Proto`` with uvicorn's ``--proxy-headers``): over plain http a browser ignores
it, and on a local plain-http install it would lock the browser out."""

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    """Answer 413 for request bodies over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            response = await problem_handler(Request(scope, receive),
                                             PayloadTooLarge(self.max_bytes))
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise PayloadTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)


class NulFreeUrlMiddleware:
    """Answer 400 for a URL whose path or query holds a NUL character (``%00``).

    No id, name or option of the product contains one, and PostgreSQL refuses NUL in text, so
    such a request would otherwise fail deep in a query as a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace")
            if b"\x00" in unquote_to_bytes(raw) + unquote_to_bytes(scope.get("query_string",
                                                                              b"")):
                response = await problem_handler(Request(scope, receive), HTTPException(
                    400, "the URL contains a NUL character (%00), which no id or option holds"))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """Add CSP, nosniff, referrer and framing headers to every HTTP response, HSTS over https.

    Pages that show a signed-in user's deals are also marked ``no-store`` so a shared browser
    cache keeps no copy; static files stay cacheable. This is the outermost layer of the app,
    so it is also where an unexpected exception becomes a 500 problem: Starlette's own error
    middleware would answer outside of it, without these headers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")
        https = scope.get("scheme") == "https"
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in present]
                if https and HSTS[0] not in present:
                    headers.append(HSTS)
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as exc:
            if started:
                raise
            response = await problem_handler(Request(scope, receive), exc)
            await response(scope, receive, with_headers)
