"""Deals: create, list, read, delete, assign CSMs; and who the caller is."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from starlette.concurrency import run_in_threadpool

from api import workspace
from api.access import Action, deal_for, may_create_deals
from api.auth import CurrentUser, StoreDep
from api.deps import DealDep
from api.problems import PROBLEM_RESPONSES, problem_responses
from api.schemas import AssignIn, DealCreate, DealOut, UserOut
from api.users import assign, get_user
from handoff.errors import ForbiddenError, NotFoundError

router = APIRouter(prefix="/api", responses=PROBLEM_RESPONSES)


@router.get("/me", response_model=UserOut, tags=["users"], summary="The signed-in user")
def me(user: CurrentUser) -> UserOut:
    """Who the bearer token or session belongs to, with role and team."""
    return UserOut(id=user.id, email=user.email, role=user.role, team=user.team)


@router.post("/deals", response_model=DealOut, status_code=status.HTTP_201_CREATED,
             tags=["deals"], summary="Create a deal",
             responses=problem_responses(403))
def create_deal(body: DealCreate, user: CurrentUser, store: StoreDep,
                response: Response) -> DealOut:
    """Create a deal owned by the caller; its ``id`` is made from the name."""
    if not may_create_deals(user):
        raise ForbiddenError("CSMs do not open deals; a rep creates the deal and assigns you")
    deal = workspace.create_deal(store, user, body.name)
    response.headers["Location"] = f"/api/deals/{deal.id}"
    return workspace.deal_views(store, [deal])[0]


@router.get("/deals", response_model=list[DealOut], tags=["deals"],
            summary="List the deals the caller may see")
def list_deals(user: CurrentUser, store: StoreDep) -> list[DealOut]:
    """Newest first, with completeness, handoff stage and SLA health."""
    return workspace.list_deals(store, user)


@router.get("/deals/{deal_id}", response_model=DealOut, tags=["deals"], summary="One deal")
def get_deal(access: DealDep) -> DealOut:
    """The deal with its owner, sources count, completeness and handoff status."""
    return workspace.deal_views(access.store, [access.deal])[0]


@router.delete("/deals/{deal_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["deals"],
               summary="Delete a deal and everything about it", responses=problem_responses(403))
async def delete_deal(access: DealDep) -> Response:
    """Owner or admin: removes sources, brief, reviews, jobs, timeline and assignments."""
    access.require(Action.DELETE)
    await run_in_threadpool(workspace.delete_deal, access.store, access.deal,
                           access.settings)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/deals/{deal_id}/assignments", response_model=DealOut, tags=["deals"],
             summary="Assign a CSM to the deal", responses=problem_responses(403))
def assign_csm(body: AssignIn, access: DealDep) -> DealOut:
    """The owner, the team's manager or an admin hands the deal to a CSM."""
    access.require(Action.ASSIGN)
    try:
        csm = get_user(access.store, body.email)
    except NotFoundError as exc:
        raise NotFoundError(f"no user {body.email!r}") from exc
    assign(access.store, csm.email, access.id)
    workspace.audit(access.store, access.id, access.user.email, "assign", csm.email)
    deal = deal_for(access.store, access.user, access.id)
    return workspace.deal_views(access.store, [deal])[0]
