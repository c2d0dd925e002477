"""Who is calling: the identity carried by an access token, and the role/ownership guard."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.users import Role
from app.errors import Forbidden


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: Role
    business_id: str | None = None
    worker_id: str | None = None
    # The account's token version when the token was issued; a newer stored version revokes it.
    token_version: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles and not self.is_admin:
            raise Forbidden(f"this action needs the role {' or '.join(r.value for r in roles)}")

    def require_business(self, business_id: str, owner_id: str | None = None) -> None:
        """Admins, or the admin account of that business.

        Pass the stored business's `ownerId` when at hand: a token issued before the business was
        created carries no `businessId` yet, and ownership is what actually decides.
        """
        if self.is_admin:
            return
        if self.role is not Role.BUSINESS:
            raise Forbidden("only this business's account may do this")
        if self.business_id != business_id and (owner_id is None or owner_id != self.user_id):
            raise Forbidden("only this business's account may do this")
