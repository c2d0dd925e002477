"""The JSON codec python-socketio uses for every packet: orjson, with the library's own codec as fallback.

Every event and acknowledgement is parsed and serialized once by the Socket.IO layer. Its default codec
(engineio.json) builds a new stdlib decoder per packet and calls a Python function per integer, which on
the `location:update` hot path costs more than Walky's own validation of the fix. orjson does the same
work in a fraction of the time. What it refuses and the stdlib codec reads (`NaN`, `Infinity`) falls back
to the library's codec, so such a fix still gets the validation error naming its field. Integers beyond
64 bits parse as floats, which every integer field refuses (the library's codec built up to 100-digit
integers and dropped longer ones without an answer).
"""

from __future__ import annotations

import sys
from typing import Any

import orjson
import socketio
from engineio import json as engineio_json


def loads(text: str | bytes, **kwargs: Any) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return engineio_json.loads(text, **kwargs)


def dumps(data: Any, **kwargs: Any) -> str:
    # Socket.IO asks for compact separators, which is all orjson writes.
    try:
        return orjson.dumps(data).decode()
    except TypeError:
        text: str = engineio_json.dumps(data, separators=(",", ":"))
        return text


class Packet(socketio.packet.Packet):  # type: ignore[misc]
    """Socket.IO packets coded with this module; a subclass, so clients in the same process (tests) keep
    the library's codec."""

    json = sys.modules[__name__]

    @classmethod
    def data_is_binary(cls, data: Any) -> bool:
        # The library's version builds a list and folds it with a lambda at every level, for every
        # packet sent; this answers the same, stopping at the first binary part.
        if isinstance(data, bytes | bytearray):
            return True
        if isinstance(data, list):
            return any(cls.data_is_binary(item) for item in data)
        if isinstance(data, dict):
            return any(cls.data_is_binary(value) for value in data.values())
        return False
