"""Authorize the path resource before the body: `dependencies=[may_act_on("business_id", access.manage_business)]`.

FastAPI solves a route's dependencies before it validates the request body, so a check run as a dependency
answers 401/403/404 ahead of any 422 about the body. (A body that is not JSON at all is still refused
first: FastAPI parses it before solving dependencies.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, Request

from app.auth.principal import Principal
from app.composition import Services
from app.rest.deps import PrincipalDep, ServicesDep

Check = Callable[[Services, Principal, str], Awaitable[None]]


def may_act_on(path_param: str, check: Check) -> Any:
    """A route dependency running `check` on the resource named by the path parameter `path_param`."""

    async def authorize(request: Request, principal: PrincipalDep, services: ServicesDep) -> None:
        await check(services, principal, request.path_params[path_param])

    authorize.__name__ = f"may_act_on_{path_param}_{check.__name__}"
    return Depends(authorize)
