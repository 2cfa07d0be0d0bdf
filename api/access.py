"""Who may see and change which deal: the one place object-level authorization is decided.

Design note. Seeing is decided by a single SQL filter, :func:`visible_deals`, used both to list
deals and to fetch one, so the list and the detail pages cannot disagree. A deal the caller may
not see is reported as *not found* (404), exactly like a deal that does not exist, so ids cannot
be probed. Only a caller who can see a deal learns that an action is forbidden (403).

    admin    every deal
    rep      the deals they own (created)
    csm      the deals they are assigned to
    manager  the deals they own and every deal owned by a member of their team

Actions on a visible deal:

    read, ask, timeline steps   everyone who sees the deal
    sources, brief, review      the owner and admins (the rep's inbox is the rep's)
    delete                      the owner and admins
    assign a CSM                the owner, the team's manager and admins
    CSM rating                  an assigned CSM and admins
    customer survey             CSMs, managers and admins who see the deal
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import aliased

from api.models import DealAssignmentRow, Role, UserRow
from api.users import User
from handoff.errors import ForbiddenError, NotFoundError
from index.db import DealRow
from index.store import Store


class Action(StrEnum):
    """What a caller wants to do with a deal they can see."""

    READ = "read"
    EDIT = "edit"            # upload sources, run the brief, review items, answer gaps
    DELETE = "delete"
    ASSIGN = "assign"
    TIMELINE = "timeline"
    CSM_RATING = "csm_rating"
    CUSTOMER_RATING = "customer_rating"


def visible_deals(user: User) -> Select[DealRow]:
    """A query of the deals ``user`` may see."""
    stmt = select(DealRow)
    if user.role == Role.ADMIN:
        return stmt
    conditions = [DealRow.owner_id == user.id]
    if user.role == Role.CSM:
        conditions.append(exists().where(and_(DealAssignmentRow.deal_id == DealRow.id,
                                              DealAssignmentRow.user_id == user.id)))
    if user.role == Role.MANAGER and user.team:
        owner = aliased(UserRow)
        conditions.append(exists().where(and_(owner.id == DealRow.owner_id,
                                              owner.team == user.team)))
    return stmt.where(or_(*conditions))


def deal_for(store: Store, user: User, deal_id: str) -> DealRow:
    """The deal when ``user`` may see it.

    Raises:
        NotFoundError: The deal does not exist or ``user`` may not see it (indistinguishable).
    """
    with store.session() as s:
        row = s.scalar(visible_deals(user).where(DealRow.id == deal_id))
    if row is None:
        raise NotFoundError(f"deal {deal_id!r} not found")
    return row


def is_assigned(store: Store, user: User, deal_id: str) -> bool:
    """Whether ``user`` is assigned to the deal (as its CSM)."""
    with store.session() as s:
        return s.scalar(select(DealAssignmentRow.id).where(
            DealAssignmentRow.deal_id == deal_id, DealAssignmentRow.user_id == user.id)) is not None


def may(store: Store, user: User, deal: DealRow, action: Action) -> bool:
    """Whether ``user``, who sees ``deal``, may do ``action`` on it."""
    if user.role == Role.ADMIN or action in (Action.READ, Action.TIMELINE):
        return True
    owner = deal.owner_id is not None and deal.owner_id == user.id
    if action in (Action.EDIT, Action.DELETE):
        return owner
    if action == Action.ASSIGN:
        return owner or user.role == Role.MANAGER
    if action == Action.CSM_RATING:
        return user.role == Role.CSM and is_assigned(store, user, deal.id)
    if action == Action.CUSTOMER_RATING:
        return user.role in (Role.CSM, Role.MANAGER)
    return False


def require(store: Store, user: User, deal: DealRow, action: Action) -> None:
    """Raise unless ``user`` may do ``action`` on a deal they can see.

    Raises:
        ForbiddenError: The caller sees the deal but may not do this.
    """
    if not may(store, user, deal, action):
        raise ForbiddenError(f"a {user.role.value} may not {action.value.replace('_', ' ')} "
                             f"on this deal")


def may_create_deals(user: User) -> bool:
    """CSMs take deals over; everyone else may open one."""
    return user.role != Role.CSM
