"""The dependency every deal route goes through: the deal, if the caller may see it.

``DealDep`` resolves the ``{deal_id}`` path parameter against :func:`api.access.deal_for`, so
a route that takes it cannot forget the check, and a caller who may not see the deal gets the
same 404 as for a deal that does not exist. Routes then ask :meth:`DealAccess.require` for
the action they perform (403 only for callers who do see the deal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from api import access
from api.access import Action
from api.auth import CurrentUser, SettingsDep, StoreDep
from api.jobs import BackendPool, JobRunner
from api.users import User
from handoff.settings import Settings
from index.db import DealRow
from index.store import Store

DealId = Annotated[str, Path(min_length=1, max_length=64, description="The deal's id",
                             examples=["pinecrest-facility-services-3f9a1c"])]


@dataclass(frozen=True)
class DealAccess:
    """A deal the caller may see, with the caller and the open store."""

    deal: DealRow
    user: User
    store: Store
    settings: Settings

    @property
    def id(self) -> str:
        """The deal's id."""
        return self.deal.id

    def may(self, action: Action) -> bool:
        """Whether the caller may do ``action`` on this deal."""
        return access.may(self.store, self.user, self.deal, action)

    def require(self, action: Action) -> None:
        """Raise ForbiddenError (403) unless the caller may do ``action``."""
        access.require(self.store, self.user, self.deal, action)


def visible_deal(deal_id: DealId, user: CurrentUser, store: StoreDep,
                 settings: SettingsDep) -> DealAccess:
    """The deal named in the path, when the caller may see it (else 404)."""
    return DealAccess(access.deal_for(store, user, deal_id), user, store, settings)


DealDep = Annotated[DealAccess, Depends(visible_deal)]


def get_runner(request: Request) -> JobRunner:
    """The app's job runner."""
    runner: JobRunner = request.app.state.jobs
    return runner


RunnerDep = Annotated[JobRunner, Depends(get_runner)]


def get_backends(request: Request) -> BackendPool:
    """The app's shared backend."""
    pool: BackendPool = request.app.state.backends
    return pool


BackendsDep = Annotated[BackendPool, Depends(get_backends)]
