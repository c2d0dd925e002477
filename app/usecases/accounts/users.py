"""Use cases on one's own account: read, edit, erase."""

from __future__ import annotations

from typing import Protocol

from app.auth.principal import Principal
from app.domain.base import Timestamp
from app.domain.businesses import Address
from app.domain.media import MediaRef
from app.domain.users import Role, User, UserStatus
from app.errors import Unauthorized, ValidationFailed
from app.store.store import Store
from app.usecases import attachments, media
from app.usecases.accounts.sessions import SessionPorts, revoke_sessions
from app.usecases.inputs import AddressInput, Input, LocaleTag, Name, Output, Phone
from app.usecases.media import MediaPorts


class UserPorts(SessionPorts, MediaPorts, Protocol):
    """Erasing an account ends its sessions and forgets its avatar's media."""


class UserView(Output):
    id: str
    email: str
    role: Role
    first_name: str
    last_name: str
    phone: str | None
    business_id: str | None
    worker_id: str | None
    address: Address | None
    avatar: MediaRef | None
    is_email_verified: bool
    is_phone_verified: bool
    status: UserStatus
    locale: str
    created_at: Timestamp
    updated_at: Timestamp
    last_login_at: Timestamp | None

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls.model_validate(user.model_dump(include=set(cls.model_fields)))


class ProfileUpdate(Input):
    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    address: AddressInput | None = None
    locale: LocaleTag | None = None


async def current_user(store: Store, principal: Principal) -> User:
    user = await store.users.get(principal.user_id)
    if user is None or user.erased_at is not None:
        raise Unauthorized("account no longer exists")
    return user


async def get_me(ports: UserPorts, principal: Principal) -> UserView:
    return UserView.of(await current_user(ports.store, principal))


async def update_me(ports: UserPorts, principal: Principal, change: ProfileUpdate) -> UserView:
    fields = change.model_dump(exclude_unset=True, by_alias=True, mode="json")
    if any(fields.get(key) is None for key in ("firstName", "lastName") if key in fields):
        raise ValidationFailed("names cannot be removed")
    if "locale" in fields and fields["locale"] is None:
        raise ValidationFailed(
            "a locale can be changed, not removed", [{"field": "body.locale", "message": "required", "type": "value"}]
        )
    await current_user(ports.store, principal)
    user = await ports.store.users.update_fields(principal.user_id, fields, ports.clock.now())
    if user is None:
        raise Unauthorized("account no longer exists")
    return UserView.of(user)


async def erase_me(ports: UserPorts, principal: Principal) -> None:
    """Erase personal data and end every session; bookings and money records keep the id.

    An erased business is deactivated (it leaves search); its payments and payouts stay for the books.
    """
    user = await current_user(ports.store, principal)
    if principal.role is Role.ADMIN:
        raise ValidationFailed("platform admin accounts are erased by another admin")
    store, now, user_id = ports.store, ports.clock.now(), principal.user_id
    await store.users.erase(user_id, now)
    # Everywhere personal data is copied: profiles, booking addresses and notes, devices, messages.
    await store.account_tokens.revoke_user(user_id, now)
    await store.devices.remove_all(user_id)
    await store.preferences.remove(user_id)
    await store.outbox.erase_user(user_id)
    await store.bookings.erase_owner_details(user_id, now)
    # From the stored account: an access token issued before the business was created lacks its id.
    if user.worker_id:
        await store.workers.erase(user.worker_id, now)
    if user.business_id:
        await store.businesses.deactivate(user.business_id, now)
    if user.avatar is not None:
        # A face is personal data: the avatar's object goes with the account.
        await media.forget(ports, user.avatar.id)
    await attachments.forget_review_photos(ports, user_id)
    await revoke_sessions(ports, user_id)
