"""Platform moderation, for admins only: flagged reviews, verifying and suspending businesses, suspending users;
and making an admin account (the `python -m app admin create` command).

Suspension takes effect at once where it is read: a suspended business leaves the geo index that search,
service search and dispatch read (app/store/sqlite/geo_search.py, app/store/mongo/geo_search.py) and the
browse filter; a suspended user cannot log in or refresh (app/usecases/accounts/auth.py), and suspension ends every
session through the `end_sessions` it is given (app/usecases/accounts/sessions.py: revoke_sessions).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import Field

from app.auth.passwords import Passwords
from app.auth.principal import Principal
from app.clock import Clock
from app.domain.base import Timestamp
from app.domain.businesses import Business, BusinessStatus
from app.domain.reviews import Review, ReviewFlag, ReviewStatus
from app.domain.users import Role, User, UserStatus
from app.errors import Conflict, Forbidden, NotFound
from app.ids import new_id
from app.store.store import Store
from app.usecases.businesses import BusinessView
from app.usecases.inputs import Email, Input, NewPassword, Output, PageNumber, PageSize, QueryInput
from app.usecases.reviews import ReviewView

# Ends every session of a user: access tokens, refresh tokens and sockets, in every process.
EndSessions = Callable[[str], Awaitable[None]]


class AdminReviewQuery(QueryInput):
    status: ReviewStatus = ReviewStatus.FLAGGED
    page: PageNumber = 1
    limit: PageSize = 20


class AdminUserQuery(QueryInput):
    q: str | None = Field(default=None, min_length=1, max_length=254, description="text in the email")
    page: PageNumber = 1
    limit: PageSize = 20


class AdminUserView(Output):
    id: str
    email: str
    role: Role
    first_name: str
    last_name: str
    phone: str | None
    business_id: str | None
    worker_id: str | None
    status: UserStatus
    created_at: Timestamp

    @classmethod
    def of(cls, user: User) -> AdminUserView:
        return cls.model_validate(user.model_dump(include=set(cls.model_fields)))


class AdminReviewView(ReviewView):
    """A review with its flags: who flagged it, in which role, why and when."""

    flags: list[ReviewFlag]

    @classmethod
    def of(cls, review: Review) -> AdminReviewView:
        return cls.model_validate(review.model_dump(include=set(cls.model_fields)))


class AdminBusinessView(BusinessView):
    status: BusinessStatus
    is_verified: bool

    @classmethod
    def of(cls, business: Business) -> AdminBusinessView:
        return cls.model_validate(business.model_dump(include=set(cls.model_fields)))


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("platform admins only")


async def list_reviews(
    store: Store, principal: Principal, query: AdminReviewQuery
) -> tuple[list[AdminReviewView], int]:
    require_admin(principal)
    found, total = await store.reviews.with_status(query.status, skip=(query.page - 1) * query.limit, limit=query.limit)
    return [AdminReviewView.of(review) for review in found], total


async def _moderate(store: Store, clock: Clock, review_id: str, target: ReviewStatus) -> Review:
    review = await store.reviews.get(review_id)
    if review is None:
        raise NotFound("no such review")
    if review.status is target:
        return review
    # Compare-and-set on the status read: a flag arriving meanwhile is not silently overwritten.
    updated = await store.reviews.update_if(
        review.id, {"status": review.status.value}, {"status": target.value}, clock.now()
    )
    if updated is None:
        raise Conflict("the review changed meanwhile; try again")
    return updated


async def publish_review(store: Store, clock: Clock, principal: Principal, review_id: str) -> AdminReviewView:
    """Back on the public lists (a flag found unfounded, or a hidden review restored)."""
    require_admin(principal)
    return AdminReviewView.of(await _moderate(store, clock, review_id, ReviewStatus.PUBLISHED))


async def hide_review(store: Store, clock: Clock, principal: Principal, review_id: str) -> AdminReviewView:
    require_admin(principal)
    return AdminReviewView.of(await _moderate(store, clock, review_id, ReviewStatus.HIDDEN))


async def _business(store: Store, business_id: str) -> Business:
    business = await store.businesses.get(business_id)
    if business is None or not business.is_active:
        raise NotFound("no such business")
    return business


async def verify_business(store: Store, clock: Clock, principal: Principal, business_id: str) -> AdminBusinessView:
    require_admin(principal)
    business = await _business(store, business_id)
    updated = await store.businesses.set_verified(business.id, clock.now())
    if updated is None:
        raise NotFound("no such business")
    return AdminBusinessView.of(updated)


async def suspend_business(store: Store, clock: Clock, principal: Principal, business_id: str) -> AdminBusinessView:
    """Out of search, browse and dispatch at once; its account, staff and bookings stay as they are."""
    require_admin(principal)
    business = await _business(store, business_id)
    updated = await store.businesses.set_status(business.id, BusinessStatus.SUSPENDED, clock.now())
    if updated is None:
        raise NotFound("no such business")
    return AdminBusinessView.of(updated)


async def reinstate_business(store: Store, clock: Clock, principal: Principal, business_id: str) -> AdminBusinessView:
    require_admin(principal)
    business = await _business(store, business_id)
    if business.status is not BusinessStatus.SUSPENDED:
        return AdminBusinessView.of(business)
    updated = await store.businesses.set_status(
        business.id, BusinessStatus.ACTIVE, clock.now(), expected=BusinessStatus.SUSPENDED
    )
    if updated is None:
        raise Conflict("the business changed meanwhile; try again")
    return AdminBusinessView.of(updated)


async def list_users(store: Store, principal: Principal, query: AdminUserQuery) -> tuple[list[AdminUserView], int]:
    require_admin(principal)
    found, total = await store.users.page_matching(
        query.q.lower() if query.q else None, skip=(query.page - 1) * query.limit, limit=query.limit
    )
    return [AdminUserView.of(user) for user in found], total


async def suspend_user(
    store: Store, clock: Clock, end_sessions: EndSessions, principal: Principal, user_id: str
) -> AdminUserView:
    require_admin(principal)
    if user_id == principal.user_id:
        raise Conflict("admins do not suspend their own account")
    updated = await store.users.set_status(user_id, UserStatus.SUSPENDED, clock.now())
    if updated is None:
        raise NotFound("no such user")
    await end_sessions(updated.id)
    return AdminUserView.of(updated)


async def reinstate_user(store: Store, clock: Clock, principal: Principal, user_id: str) -> AdminUserView:
    require_admin(principal)
    updated = await store.users.set_status(user_id, UserStatus.ACTIVE, clock.now())
    if updated is None:
        raise NotFound("no such user")
    return AdminUserView.of(updated)


class AdminAccount(Input):
    email: Email
    password: NewPassword


async def create_admin(store: Store, passwords: Passwords, clock: Clock, data: AdminAccount) -> User:
    """A platform admin account; Conflict when the email is taken (by an admin or anyone else)."""
    now = clock.now()
    user = User(
        id=new_id(),
        email=data.email,
        password_hash=await passwords.hash(data.password),
        role=Role.ADMIN,
        first_name="Platform",
        last_name="Admin",
        created_at=now,
        updated_at=now,
    )
    await store.users.add(user)
    return user
