"""The `Idempotency-Key` header and the response of a keyed write (first answer or its replay)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import JSONResponse

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def keyed_response(data: Any, replayed: bool, status_code: int = 200) -> JSONResponse:
    """The success envelope; a replay says so in `Idempotent-Replayed` and carries the first answer."""
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse({"success": True, "data": data}, status_code=status_code, headers=headers)
