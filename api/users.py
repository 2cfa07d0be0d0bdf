"""Users, passwords, API tokens and CSM assignments: plain functions over the store.

Shared by the ``handoff users`` commands and the web app; nothing here knows about HTTP.
A token is 32 random bytes shown once when it is made; only its SHA-256 digest is stored, so
looking a token up is one indexed equality query and a stolen database holds no usable token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from api.models import ApiTokenRow, DealAssignmentRow, Role, UserRow
from handoff.domain import utcnow
from handoff.errors import InputError, NotFoundError
from index.db import DealRow
from index.store import Store

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps login time the same for both cases.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


@dataclass(frozen=True)
class User:
    """The signed-in caller, detached from the database session."""

    id: int
    email: str
    role: Role
    team: str
    display_name: str = ""
    title: str = ""
    phone: str = ""

    @classmethod
    def of(cls, row: UserRow) -> User:
        """The user of a database row."""
        return cls(id=row.id, email=row.email, role=Role(row.role), team=row.team or "",
                   display_name=row.display_name or "", title=row.title or "",
                   phone=row.phone or "")

    @property
    def shown_name(self) -> str:
        """The profile name, else the email: what the pages show for this user."""
        return self.display_name or self.email


_PROFILE_LIMITS = {"display_name": 200, "title": 200, "phone": 50}
_PHONE = re.compile(r"^[+()0-9 ./-]{3,50}$")


def _profile_value(field: str, value: str | None) -> str:
    text = " ".join((value or "").split())
    if len(text) > _PROFILE_LIMITS[field]:
        raise InputError(f"the {field.replace('_', ' ')} is longer than "
                         f"{_PROFILE_LIMITS[field]} characters")
    if field == "phone" and text and not _PHONE.match(text):
        raise InputError(f"{text!r} is not a phone number (digits, spaces, + ( ) . / -)")
    return text


def sha256(text: str) -> str:
    """Hex SHA-256 of a secret, the form in which tokens and session ids are stored."""
    return hashlib.sha256(text.encode()).hexdigest()


def _clean_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InputError(f"{email!r} is not an email address")
    return email


def create_user(store: Store, email: str, role: str, *, team: str = "",
                password: str | None = None, display_name: str = "", title: str = "",
                phone: str = "") -> tuple[User, str]:
    """Create a user and a first API token.

    Args:
        store: The open store.
        email: Login name; stored lower-case.
        role: ``rep``, ``csm``, ``manager`` or ``admin``.
        team: Team name; a manager sees the deals of reps in the same team.
        password: For the web login; without it the user can only use the API.
        display_name: The name the drafts sign with ("Sam Delgado").
        title: The job title under that name ("Account Executive").
        phone: The phone number in the signature.

    Returns:
        The user and the new API token (shown once, stored only as a hash).

    Raises:
        InputError: Bad email or role, a too-short password, a bad profile value, or the
            email is taken.
    """
    email = _clean_email(email)
    profile = {"display_name": _profile_value("display_name", display_name),
               "title": _profile_value("title", title),
               "phone": _profile_value("phone", phone)}
    try:
        chosen = Role(role)
    except ValueError as exc:
        raise InputError(f"unknown role {role!r}: choose rep, csm, manager or admin") from exc
    if password is not None and len(password) < 8:
        raise InputError("the password must have at least 8 characters")
    with store.session() as s, s.begin():
        if s.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
            raise InputError(f"a user {email} already exists")
        row = UserRow(email=email, role=chosen.value, team=team.strip(),
                      password_hash=_hasher.hash(password) if password else None, **profile)
        s.add(row)
        s.flush()
        user = User.of(row)
    return user, issue_token(store, user.id)


def update_profile(store: Store, user_id: int, *, display_name: str | None = None,
                   title: str | None = None, phone: str | None = None) -> User:
    """Change a user's profile; ``None`` leaves a field as it is, ``""`` clears it.

    Raises:
        NotFoundError: No such user.
        InputError: A value is too long, or the phone number has letters in it.
    """
    given = {"display_name": display_name, "title": title, "phone": phone}
    values = {k: _profile_value(k, v) for k, v in given.items() if v is not None}
    with store.session() as s, s.begin():
        row = s.get(UserRow, user_id)
        if row is None:
            raise NotFoundError(f"no user with id {user_id}")
        for key, value in values.items():
            setattr(row, key, value)
        s.flush()
        return User.of(row)


def issue_token(store: Store, user_id: int) -> str:
    """Make a new API token for a user and store its hash."""
    token = "hb_" + secrets.token_urlsafe(32)
    with store.session() as s, s.begin():
        s.add(ApiTokenRow(user_id=user_id, token_sha256=sha256(token)))
    return token


def user_by_token(store: Store, token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    with store.session() as s, s.begin():
        found = s.execute(select(ApiTokenRow, UserRow)
                          .join(UserRow, UserRow.id == ApiTokenRow.user_id)
                          .where(ApiTokenRow.token_sha256 == sha256(token))).first()
        if found is None or not found[1].active:
            return None
        found[0].last_used_at = utcnow()
        return User.of(found[1])


def user_by_id(store: Store, user_id: int) -> User | None:
    """The active user with this id, or None."""
    with store.session() as s:
        row = s.get(UserRow, user_id)
        return User.of(row) if row is not None and row.active else None


def get_user(store: Store, email: str) -> User:
    """The user with this email.

    Raises:
        NotFoundError: No such user.
    """
    with store.session() as s:
        row = s.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
        if row is None:
            raise NotFoundError(f"no user {email!r}")
        return User.of(row)


def authenticate(store: Store, email: str, password: str) -> User | None:
    """The user when email and password match, else None (same work either way)."""
    with store.session() as s:
        row = s.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
        stored = row.password_hash if row is not None and row.active else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return User.of(row) if stored and row is not None else None


def list_users(store: Store) -> list[User]:
    """Every user, by email."""
    with store.session() as s:
        return [User.of(r) for r in s.scalars(select(UserRow).order_by(UserRow.email))]


def assign(store: Store, email: str, deal_id: str) -> User:
    """Assign a CSM to a deal (idempotent).

    Raises:
        NotFoundError: The user or the deal does not exist.
        InputError: The user is not a CSM.
    """
    user = get_user(store, email)
    if user.role != Role.CSM:
        raise InputError(f"{user.email} is a {user.role.value}; only CSMs are assigned to deals")
    with store.session() as s, s.begin():
        if s.get(DealRow, deal_id) is None:
            raise NotFoundError(f"deal {deal_id!r} not found")
        exists = s.scalar(select(DealAssignmentRow.id).where(
            DealAssignmentRow.deal_id == deal_id, DealAssignmentRow.user_id == user.id))
        if exists is None:
            s.add(DealAssignmentRow(deal_id=deal_id, user_id=user.id))
    return user


def assigned_csms(store: Store, deal_id: str) -> list[User]:
    """The CSMs assigned to a deal, by email."""
    with store.session() as s:
        rows = s.scalars(select(UserRow).join(DealAssignmentRow,
                                              DealAssignmentRow.user_id == UserRow.id)
                         .where(DealAssignmentRow.deal_id == deal_id).order_by(UserRow.email))
        return [User.of(r) for r in rows]
