"""Errors as RFC 9457 problem details, from one exception handler.

Every failure the app reports leaves through :func:`problem_handler`: the product's own errors
(:mod:`handoff.errors`), request validation, HTTP errors raised by the framework (unknown path,
wrong method, malformed multipart, body too large) and, as a last resort, anything unexpected,
which becomes a 500 whose detail says nothing about the internals. API callers get
``application/problem+json``; a browser asking a web page for HTML gets the same status as a
small error page (or, when it is not signed in, a redirect to the login page).

    HandoffError            -> see STATUS below
    Unauthenticated         -> 401 (API) / redirect to /login (pages)
    TooManyAttempts         -> 429 with Retry-After
    RequestValidationError  -> 422 with the offending fields under ``errors``
    HTTPException           -> its own status (404, 405, 400, 413 ...)
    anything else           -> 500
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.status import HTTP_413_CONTENT_TOO_LARGE

from api.web import render_error
from handoff.errors import (
    BackendUnavailable,
    ConfigError,
    ExtractionError,
    ForbiddenError,
    HandoffError,
    InputError,
    NotFoundError,
)

log = logging.getLogger("handoff.api")

PROBLEM_JSON = "application/problem+json"


class Unauthenticated(HandoffError):
    """No valid bearer token or session: sign in first."""


class TooManyAttempts(HandoffError):
    """Too many failed sign-ins or bad tokens: wait ``retry_after`` seconds (429)."""

    def __init__(self, scope: str, retry_after: int) -> None:
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}
        who = "this account" if scope == "account" else "your address"
        super().__init__(f"too many failed attempts for {who}: try again in {retry_after} "
                         "seconds")


class PayloadTooLarge(StarletteHTTPException):
    """The request body is bigger than ``settings.max_upload_mb``.

    An HTTPException, so the framework's body reader lets it through untouched.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(HTTP_413_CONTENT_TOO_LARGE,
                         f"the request body is over the {limit / 1048576:g} MB upload limit")


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    type: str = Field("about:blank", examples=["/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["deal 'acme-1f2e3d' not found"])
    errors: list[dict[str, Any]] | None = Field(
        None, description="For 422: which fields were wrong and why")


STATUS: dict[type[HandoffError], tuple[int, str]] = {
    Unauthenticated: (401, "Not signed in"),
    TooManyAttempts: (429, "Too many attempts"),
    NotFoundError: (404, "Not found"),
    ForbiddenError: (403, "Forbidden"),
    InputError: (422, "Unusable input"),  # ParseError is an InputError
    ConfigError: (503, "Not configured"),
    BackendUnavailable: (503, "Backend unavailable"),
    ExtractionError: (502, "Extraction failed"),
}

_TITLES = {400: "Bad request", 401: "Not signed in", 403: "Forbidden", 404: "Not found",
           405: "Method not allowed", 409: "Conflict", 413: "Content too large",
           415: "Unsupported media type", 422: "Unprocessable content",
           429: "Too many attempts",
           500: "Internal server error", 502: "Extraction failed",
           503: "Service unavailable"}



def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem+json errors with these status codes."""
    return {code: {"model": Problem, "description": _TITLES.get(code, "Error"),
                   "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for code in codes}


PROBLEM_RESPONSES = problem_responses(401, 404, 422)
"""The error responses every API route documents in OpenAPI."""


def _classify(exc: Exception) -> tuple[int, str, str, list[dict[str, Any]] | None]:
    if isinstance(exc, HandoffError):
        for cls in type(exc).__mro__:
            if cls in STATUS:
                status, title = STATUS[cls]
                return status, title, str(exc), None
        return 400, "Bad request", str(exc), None
    if isinstance(exc, RequestValidationError):
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""),
                   "type": e.get("type", "")} for e in exc.errors()]
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors)
        return 422, "Unprocessable content", f"invalid request: {fields}", errors
    if isinstance(exc, StarletteHTTPException):
        title = _TITLES.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else title
        return exc.status_code, title, detail, None
    log.exception("unhandled error", exc_info=exc)
    return 500, "Internal server error", "something went wrong on our side", None


def _wants_html(request: Request) -> bool:
    return (not request.url.path.startswith("/api")
            and "text/html" in request.headers.get("accept", ""))


async def problem_handler(request: Request, exc: Exception) -> Response:
    """Turn any exception into a problem+json response (or an HTML page for browsers)."""
    status, title, detail, errors = _classify(exc)
    headers = dict(getattr(exc, "headers", None) or {})
    if _wants_html(request):
        if status == 401:
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return render_error(request, status, title, detail, headers)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    body = Problem(type=f"/problems/{title.lower().replace(' ', '-')}", title=title,
                   status=status, detail=detail, errors=errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


HANDLED: tuple[type[Exception], ...] = (HandoffError, RequestValidationError,
                                        StarletteHTTPException, Exception)
