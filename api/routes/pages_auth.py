"""Web sign-in, sign-out and the user's own profile.

The login form is protected against login CSRF with a double-submit token: the page sets a
signed, short-lived cookie and puts the same random value in the form; a cross-site post
cannot read the cookie, so it cannot send the matching value.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature

from api.auth import (
    SESSION_COOKIE,
    SESSION_HOURS,
    CurrentUser,
    StoreDep,
    end_session,
    signer,
    start_session,
)
from api.throttle import Throttle
from api.users import authenticate, update_profile
from api.web import render

router = APIRouter()

LOGIN_COOKIE = "handoff_login"
LOGIN_MAX_AGE = 3600


def _safe_next(target: str | None) -> str:
    """Only same-site paths: ``/deals/x`` yes, ``//evil.example`` or ``https://...`` no."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/deals"


def _login_page(request: Request, *, error: str | None = None, email: str = "",
                next_path: str = "/deals", status_code: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", status_code=status_code, login_token=token,
                      error=error, email=email, next_path=_safe_next(next_path))
    response.set_cookie(LOGIN_COOKIE, signer(request.app.state.secret_key, "login").dumps(token),
                        max_age=LOGIN_MAX_AGE, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


# Inline, because package data does not ship .svg files; served where browsers look for it.
FAVICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
           '<rect width="32" height="32" rx="6" fill="#14305a"/>'
           '<path d="M7 16h11l-4-4m4 4-4 4" stroke="#fff" stroke-width="3" fill="none" '
           'stroke-linecap="round" stroke-linejoin="round"/>'
           '<circle cx="23.5" cy="16" r="3" fill="#ffe58a"/></svg>')


@router.get("/")
def root() -> RedirectResponse:
    """Send visitors to their deals."""
    return RedirectResponse("/deals", status_code=303)


@router.get("/favicon.ico")
def favicon() -> Response:
    """The site icon."""
    return Response(FAVICON, media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    """The sign-in page, with a fresh login-CSRF token."""
    return _login_page(request, next_path=next or "/deals")


@router.post("/login")
def login(request: Request, store: StoreDep,
          email: Annotated[str, Form(max_length=320)],
          password: Annotated[str, Form(max_length=1000)],
          login_token: Annotated[str, Form(max_length=100)] = "",
          next: Annotated[str, Form(max_length=500)] = "/deals") -> Response:
    """Check the login token and the password; start a session."""
    key = request.app.state.secret_key
    try:
        expected = signer(key, "login").loads(request.cookies.get(LOGIN_COOKIE, ""),
                                              max_age=LOGIN_MAX_AGE)
    except BadSignature:
        expected = None
    if not isinstance(expected, str) or not secrets.compare_digest(expected, login_token):
        return _login_page(request, error="login_expired", email=email, next_path=next,
                           status_code=403)
    throttle: Throttle = request.app.state.throttle
    address = request.client.host if request.client else None
    throttle.check(account=email, address=address)  # 429 before the password is looked at
    user = authenticate(store, email, password)
    if user is None:
        throttle.failed(account=email, address=address)
        return _login_page(request, error="login_failed", email=email, next_path=next,
                           status_code=401)
    throttle.succeeded(account=email)
    cookie, _ = start_session(store, key, user)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=SESSION_HOURS * 3600, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, user: CurrentUser, store: StoreDep) -> Response:
    """End the session and drop its cookie."""
    end_session(store, request.app.state.secret_key, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/profile")
def profile_page(request: Request, user: CurrentUser) -> Response:
    """The signed-in user's profile: the name, title and phone the drafts sign with."""
    return render(request, "profile.html", profile=user, saved=False)


@router.post("/profile")
def save_profile(request: Request, user: CurrentUser, store: StoreDep,
                 display_name: Annotated[str, Form(max_length=200)] = "",
                 title: Annotated[str, Form(max_length=200)] = "",
                 phone: Annotated[str, Form(max_length=50)] = "") -> Response:
    """Save the profile (a bad phone number is refused with the reason)."""
    saved = update_profile(store, user.id, display_name=display_name, title=title, phone=phone)
    request.state.user = saved  # the header shows the new name at once
    return render(request, "profile.html", profile=saved, saved=True)
