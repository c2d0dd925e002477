"""/console/session: the dispatcher console's sign-in. The refresh token lives in an httpOnly, Secure,
SameSite=Strict cookie scoped to /console; the access token is answered to the page's script, which
keeps it in memory only. Every route wants the CSRF header (app/web/csrf.py) and shares the auth rate
limit. The same auth use cases as /v1/auth."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from app.domain.users import Role
from app.errors import Forbidden, Unauthorized
from app.rest.deps import ServicesDep, auth_rate_limit
from app.rest.envelope import Envelope, ok
from app.usecases.accounts import auth
from app.usecases.accounts.users import UserView
from app.usecases.inputs import Output
from app.web.csrf import require_csrf

REFRESH_COOKIE = "walky_console_refresh"
SESSION_PATH = "/console/session"
# The cookie goes to /console too, so the page knows whether to resume a session on load.
COOKIE_PATH = "/console"

router = APIRouter(
    prefix=SESSION_PATH,
    include_in_schema=False,
    dependencies=[Depends(require_csrf), Depends(auth_rate_limit)],
)


class ConsoleSession(Output):
    access_token: str
    expires_in: int
    user: UserView


def _keep_refresh_token(response: Response, session: auth.AuthSession, max_age_s: int) -> ConsoleSession:
    response.set_cookie(
        REFRESH_COOKIE,
        session.refresh_token,
        max_age=max_age_s,
        path=COOKIE_PATH,
        httponly=True,
        secure=True,
        samesite="strict",
    )
    return ConsoleSession(access_token=session.access_token, expires_in=session.expires_in, user=session.user)


def _refresh_token_of(request: Request) -> auth.RefreshInput:
    token = request.cookies.get(REFRESH_COOKIE)
    if token is None:
        raise Unauthorized("not signed in")
    try:
        return auth.RefreshInput(refresh_token=token)
    except ValueError:
        raise Unauthorized("not signed in") from None


@router.post("")
async def sign_in(body: auth.LoginInput, response: Response, services: ServicesDep) -> Envelope[ConsoleSession]:
    session = await auth.login(services, body)
    if session.user.role is not Role.BUSINESS or session.user.business_id is None:
        # The console is a business's: end the session just opened for anyone else.
        await auth.logout(services, auth.RefreshInput(refresh_token=session.refresh_token))
        raise Forbidden("the console is for business accounts")
    return ok(_keep_refresh_token(response, session, services.settings.refresh_token_ttl_s))


@router.post("/refresh")
async def refresh(request: Request, response: Response, services: ServicesDep) -> Envelope[ConsoleSession]:
    session = await auth.refresh(services, _refresh_token_of(request))
    return ok(_keep_refresh_token(response, session, services.settings.refresh_token_ttl_s))


@router.post("/logout")
async def sign_out(request: Request, response: Response, services: ServicesDep) -> Envelope[dict[str, bool]]:
    if REFRESH_COOKIE in request.cookies:
        await auth.logout(services, _refresh_token_of(request))
    response.delete_cookie(REFRESH_COOKIE, path=COOKIE_PATH, httponly=True, secure=True, samesite="strict")
    return ok({"signedOut": True})
