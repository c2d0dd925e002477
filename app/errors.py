"""Application errors carrying the contract's error codes.

Use cases raise these; the REST layer and the Socket.IO acks translate them to the same envelope.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    code = "INTERNAL"
    status = 500

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class ValidationFailed(AppError):
    code = "VALIDATION_ERROR"
    status = 422


class Unauthorized(AppError):
    code = "UNAUTHORIZED"
    status = 401


class Forbidden(AppError):
    code = "FORBIDDEN"
    status = 403


class NotFound(AppError):
    code = "NOT_FOUND"
    status = 404


class Conflict(AppError):
    code = "CONFLICT"
    status = 409


class RateLimited(AppError):
    code = "RATE_LIMITED"
    status = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, retry_after_s)


class PayloadTooLarge(AppError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413


class PaymentFailed(AppError):
    code = "PAYMENT_ERROR"
    status = 402


class Unavailable(AppError):
    code = "UNAVAILABLE"
    status = 503
