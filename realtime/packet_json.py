"""The JSON codec python-socketio uses for every packet (orjson, with the stdlib codec as fallback), and the
packet class that turns what a hostile client can send into something every handler can answer.

Every event and acknowledgement is parsed and serialized once by the Socket.IO layer. Its default codec
(engineio.json) builds a new stdlib decoder per packet and calls a Python function per integer, which on
the `location:update` hot path costs more than Walky's own validation of the fix. orjson does the same
work in a fraction of the time. What it refuses and the stdlib codec reads (`NaN`, `Infinity`) falls back
to the stdlib codec, so such a fix still gets the validation error naming its field. Integers beyond 64
bits parse as floats, which every integer field refuses; no integer of thousands of digits is ever built.

The library's packet class raises on a payload it cannot read and hands a non-list event on to a handler
lookup that raises too: either way the client heard nothing, even with an ack id. Here an event whose
header is Socket.IO but whose payload is unreadable (bad JSON, nesting deeper than `MAX_DEPTH`, a binary
attachment, a name that is not a string or is reserved) reaches the handlers as an :class:`Unreadable`
payload, which they answer VALIDATION_ERROR; an event whose packet is longer than MAX_EVENT_BYTES
reaches them as :class:`Oversized`, answered PAYLOAD_TOO_LARGE. A frame that is not Socket.IO at all still raises
:class:`NotSocketIO`, and the server closes that connection (realtime/socket_server.py).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import orjson
import socketio
from socketio import packet as sio_packet

from realtime.limits import MAX_EVENT_BYTES

# Walky's deepest payload is a batch: {points: [{coordinates: [lng, lat]}]}, four levels.
MAX_DEPTH = 32
# Attachments a binary packet may announce: they are counted and dropped, never kept, but a client that
# announces billions would otherwise hold its connection in "reading attachments" for good.
MAX_ATTACHMENTS = 16
# Longer event names are not Walky's and would only end up in logs.
MAX_EVENT_NAME = 64
# Integers with more digits than a 64-bit one parse as floats (infinity when huge), like orjson does.
_MAX_INT_DIGITS = 20
# Names the library routes to the connect and disconnect handlers, which a client must not call as events.
_RESERVED = frozenset(socketio.base_server.BaseServer.reserved_events)
# The event name given to an unreadable event: no handler has it, so the catch-all handler answers.
UNREADABLE_EVENT = ""


class UnreadableJson(ValueError):
    """A payload that is not JSON Walky reads: malformed, too deep."""


class NotSocketIO(ValueError):
    """A frame that is not a Socket.IO packet at all."""


class Unreadable:
    """An event payload that could not be read, with the reason given in the VALIDATION_ERROR."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unreadable({self.reason!r})"


class Oversized:
    """The payload of an event whose packet is longer than MAX_EVENT_BYTES (answered PAYLOAD_TOO_LARGE)."""

    __slots__ = ()


def _bounded_int(digits: str) -> int | float:
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else float(digits)


def _too_deep(data: Any) -> bool:
    # Iterative, so depth costs no Python recursion.
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return False


def _openings(text: str | bytes) -> int:
    if isinstance(text, str):
        return text.count("[") + text.count("{")
    return text.count(b"[") + text.count(b"{")


def loads(text: str | bytes, **kwargs: Any) -> Any:
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            data = json.loads(text, parse_int=_bounded_int)
        except (ValueError, RecursionError) as exc:
            raise UnreadableJson(f"the payload is not JSON, or is nested deeper than {MAX_DEPTH} levels") from exc
    # Nesting needs a bracket per level: text with few brackets (a fix has three) needs no walk.
    if _openings(text) > MAX_DEPTH and _too_deep(data):
        raise UnreadableJson(f"the payload is nested deeper than {MAX_DEPTH} levels")
    return data


def dumps(data: Any, **kwargs: Any) -> str:
    # Socket.IO asks for compact separators, which is all orjson writes.
    try:
        return orjson.dumps(data).decode()
    except TypeError:
        return json.dumps(data, separators=(",", ":"))


def event_problem(data: Any) -> str | None:
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        return "an event is a list that starts with the event's name"
    if len(data[0]) > MAX_EVENT_NAME or data[0] in _RESERVED:
        return "that is not an event name"
    return None


class Packet(socketio.packet.Packet):  # type: ignore[misc]
    """Socket.IO packets coded with this module; a subclass, so clients in the same process (tests) keep
    the library's codec."""

    json = sys.modules[__name__]

    def __init__(self, *args: Any, encoded_packet: str | bytes | None = None, **kwargs: Any) -> None:
        # The library reads an empty frame as an event with no payload, which no handler can answer.
        if encoded_packet is not None and not encoded_packet:
            raise NotSocketIO("an empty packet")
        super().__init__(*args, encoded_packet=encoded_packet, **kwargs)

    def decode(self, encoded_packet: str | bytes) -> int:
        if not isinstance(encoded_packet, str) or not encoded_packet[:1].isdigit():
            # A binary frame with no binary packet before it, an empty or non-numeric frame.
            raise NotSocketIO("not a Socket.IO packet")
        try:
            attachments: int = super().decode(encoded_packet)
        except UnreadableJson as exc:
            if self.packet_type != sio_packet.EVENT:
                raise NotSocketIO("unreadable packet") from exc
            self.data = [UNREADABLE_EVENT, Unreadable(str(exc))]
            return 0
        except (ValueError, TypeError) as exc:
            raise NotSocketIO("not a Socket.IO packet") from exc
        if self.packet_type in (sio_packet.EVENT, sio_packet.BINARY_EVENT):
            problem = event_problem(self.data)
            if problem is not None:
                if self.packet_type == sio_packet.BINARY_EVENT:
                    raise NotSocketIO(problem)
                self.data = [UNREADABLE_EVENT, Unreadable(problem)]
            elif len(encoded_packet) > MAX_EVENT_BYTES:
                # Bounded on the packet as received: nothing is serialized again to measure it.
                self.data = [self.data[0], Oversized()]
        binary = self.packet_type in (sio_packet.BINARY_EVENT, sio_packet.BINARY_ACK)
        if attachments > MAX_ATTACHMENTS or (binary and attachments == 0):
            raise NotSocketIO(f"a binary packet has 1 to {MAX_ATTACHMENTS} attachments")
        return attachments

    def add_attachment(self, attachment: bytes | str) -> bool:
        # Walky's events are JSON: attachments are counted, never kept, and the event answers
        # VALIDATION_ERROR once the last one is in.
        if self.attachment_count <= len(self.attachments):
            raise NotSocketIO("unexpected binary attachment")
        self.attachments.append(None)
        if len(self.attachments) < self.attachment_count:
            return False
        name = self.data[0] if self.packet_type == sio_packet.BINARY_EVENT else None
        self.data = [name, Unreadable("binary attachments are not accepted; send JSON")]
        return True

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
