"""Identifier generation: 24 hex characters, the same shape as a MongoDB ObjectId."""

from __future__ import annotations

import secrets


def new_id() -> str:
    return secrets.token_hex(12)
