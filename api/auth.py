"""Who is calling: bearer tokens for the API, signed session cookies for the web pages.

Design note. One dependency, :func:`current_user`, answers for both: an ``Authorization:
Bearer`` header wins (and a wrong one is a 401 even when a cookie is present); otherwise the
session cookie is used. The cookie holds a random session id signed with the app's secret key
(itsdangerous); the database keeps only the id's SHA-256 with the user, an expiry and the
session's CSRF token, so logging out really ends the session. A state-changing request that
rides on the cookie must repeat that CSRF token in the ``X-CSRF-Token`` header or a
``csrf_token`` form field; bearer requests need none, since a browser never adds the header
on its own.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete

from api.models import SessionRow
from api.problems import Unauthenticated
from api.throttle import Throttle
from api.users import User, sha256, user_by_id, user_by_token
from handoff.domain import utcnow
from handoff.errors import ForbiddenError
from handoff.settings import Settings
from index.store import Store

SESSION_COOKIE = "handoff_session"
SESSION_HOURS = 12
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def secret_key(settings: Settings) -> str:
    """The signing key: ``HANDOFF_SECRET_KEY``, else one generated once under HANDOFF_HOME.

    Several web processes starting at once on one HANDOFF_HOME must end up with the same key
    (a cookie signed by one is read by another): the key is written to a private temporary
    file and linked into place, which succeeds for exactly one of them; the others read the
    winner's complete file. Processes on different machines need ``HANDOFF_SECRET_KEY``.
    """
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.home / "secret_key"
    if not path.is_file():
        fd, tmp = tempfile.mkstemp(dir=settings.home, prefix=".secret_key-")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secrets.token_urlsafe(48))
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            os.unlink(tmp)
    return path.read_text(encoding="utf-8").strip()


def signer(key: str, salt: str = "session") -> URLSafeTimedSerializer:
    """A timed signer for cookies; the salt keeps session and login tokens apart."""
    return URLSafeTimedSerializer(key, salt=salt)


def start_session(store: Store, key: str, user: User) -> tuple[str, str]:
    """Open a web session for ``user``.

    Returns:
        The signed cookie value and the session's CSRF token.
    """
    raw = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    with store.session() as s, s.begin():
        s.add(SessionRow(id_sha256=sha256(raw), user_id=user.id, csrf_token=csrf,
                         expires_at=utcnow() + timedelta(hours=SESSION_HOURS)))
    return signer(key).dumps(raw), csrf


def end_session(store: Store, key: str, cookie: str | None) -> None:
    """Delete the session a cookie names, so the cookie stops working everywhere."""
    raw = _unsign(key, cookie)
    if raw is not None:
        with store.session() as s, s.begin():
            s.execute(delete(SessionRow).where(SessionRow.id_sha256 == sha256(raw)))


def _unsign(key: str, cookie: str | None) -> str | None:
    if not cookie:
        return None
    try:
        value = signer(key).loads(cookie, max_age=SESSION_HOURS * 3600)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def session_user(store: Store, key: str, cookie: str | None) -> tuple[User, str] | None:
    """The user and CSRF token of a valid, unexpired session cookie."""
    raw = _unsign(key, cookie)
    if raw is None:
        return None
    with store.session() as s:
        row = s.get(SessionRow, sha256(raw))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(
        tzinfo=utcnow().tzinfo)
    if expires < utcnow():
        return None
    user = user_by_id(store, row.user_id)
    return (user, row.csrf_token) if user is not None else None


def get_store(request: Request) -> Store:
    """The store the app's lifespan opened."""
    store: Store = request.app.state.store
    return store


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, expected):
        raise ForbiddenError("the form has expired or did not come from this site: "
                             "reload the page and try again")


async def current_user(request: Request, store: StoreDep) -> User:
    """The caller, from a bearer token or a session cookie (with CSRF on unsafe methods).

    Raises:
        Unauthenticated: No credentials, or they are wrong or expired.
        TooManyAttempts: This address sent too many bad tokens lately (429).
        ForbiddenError: A cookie-authenticated change without the session's CSRF token.
    """
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        user = user_by_token(store, token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            # Counted per address; a valid token is never refused, so colleagues behind
            # the same address keep working while a guesser gets 429s.
            throttle: Throttle = request.app.state.throttle
            address = request.client.host if request.client else None
            throttle.check(address=address)
            throttle.failed(address=address)
            raise Unauthenticated("the bearer token is missing, wrong or revoked")
        request.state.user = user
        return user
    found = session_user(store, request.app.state.secret_key,
                         request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise Unauthenticated("sign in, or send 'Authorization: Bearer <token>'")
    user, csrf = found
    request.state.user = user
    request.state.csrf_token = csrf
    if request.method not in SAFE_METHODS:
        await _check_csrf(request, csrf)
    return user


CurrentUser = Annotated[User, Depends(current_user)]
