"""The pages: GET /console (the dispatcher's console) and GET /track/{shareToken} (a walk behind a share
link). Each answers an HTML shell; its script reads the REST routes and the Socket.IO events the apps use.
The track page carries the shared walk as the share route answers it (the same use case), so the walker
shows on first paint without a second round trip."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.composition import Services
from app.errors import NotFound
from app.rest.deps import ServicesDep
from app.usecases.walks import requests as walks
from app.walks.share import MAX_TOKEN_LENGTH
from app.web import console_session
from app.web.csrf import CSRF_COOKIE, new_csrf_token, valid_csrf_token
from app.web.headers import page_headers
from app.web.static_files import asset_urls

# Autoescaping is on for .html templates (starlette's default).
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

router = APIRouter(include_in_schema=False)
router.include_router(console_session.router)

# Share tokens are URL-safe random strings; anything else cannot be one and never reaches a use case.
SHARE_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{8,{MAX_TOKEN_LENGTH}}}")


def _map_settings(services: Services) -> dict[str, str]:
    return {"tile_url": services.settings.map_tile_url, "attribution": services.settings.map_attribution}


@router.get("/console", response_class=HTMLResponse)
async def console(request: Request, services: ServicesDep) -> HTMLResponse:
    csrf = request.cookies.get(CSRF_COOKIE)
    fresh = not valid_csrf_token(csrf)
    token = new_csrf_token() if fresh or csrf is None else csrf
    response = templates.TemplateResponse(
        request,
        "console.html",
        {
            "assets": asset_urls(),
            "map": _map_settings(services),
            "csrf_token": token,
            "signed_in": console_session.REFRESH_COOKIE in request.cookies,
        },
        headers=page_headers(services.settings.map_tile_url),
    )
    if fresh:
        response.set_cookie(CSRF_COOKIE, token, path="/console", httponly=True, secure=True, samesite="strict")
    return response


def _ended(request: Request) -> HTMLResponse:
    """The plain page of an unknown, expired or revoked link (404, like the link's data)."""
    return templates.TemplateResponse(
        request, "ended.html", {}, status_code=status.HTTP_404_NOT_FOUND, headers=page_headers("")
    )


@router.get("/track/{share_token}", response_class=HTMLResponse)
async def track(request: Request, share_token: str, services: ServicesDep) -> HTMLResponse:
    if not SHARE_TOKEN.fullmatch(share_token):
        return _ended(request)
    try:
        shared = await walks.get_shared_walk(services, share_token)
    except NotFound:
        return _ended(request)
    return templates.TemplateResponse(
        request,
        "track.html",
        {
            "assets": asset_urls(),
            "map": _map_settings(services),
            "share_token": share_token,
            # JSON in an attribute, escaped by the template: no inline script.
            "shared": shared.model_dump_json(),
        },
        headers=page_headers(services.settings.map_tile_url),
    )
