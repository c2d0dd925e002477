"""The contract's response envelopes."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    success: Literal[True] = True
    data: T


class PageMeta(BaseModel):
    page: int
    limit: int
    total: int


class Page(BaseModel, Generic[T]):
    success: Literal[True] = True
    data: list[T]
    meta: PageMeta


def ok(data: T) -> Envelope[T]:
    return Envelope[T](data=data)


def page(items: list[T], *, page: int, limit: int, total: int) -> Page[T]:
    return Page[T](data=items, meta=PageMeta(page=page, limit=limit, total=total))


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message, "details": details or []}}


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]]


class ErrorEnvelope(BaseModel):
    """What every error answer carries (documented in the OpenAPI document; built by error_body)."""

    success: Literal[False]
    error: ErrorBody
