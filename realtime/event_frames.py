"""A plain Socket.IO event read straight from its frame, for the lean transport's hot path.

Nearly every frame an app sends is `2<ack id>[name, payload]`: an event on the default namespace with an
acknowledgement. python-socketio reads it through its packet class (realtime/packet_json.py) and answers
through four coroutines and an ACK packet object; on `location:update` that was ~15% of the server's CPU
per fix (py-spy). `plain_event` reads that one shape in a few string operations, with the packet
class's own JSON and event-name rules, and answers None for anything else (a namespace, attachments, an
unreadable or oversized payload, a reserved name): those frames take the general path, which answers
them exactly as before. tests/realtime/test_event_frames.py checks it against the packet class.
"""

from __future__ import annotations

from typing import Any

import orjson

from realtime import packet_json
from realtime.limits import MAX_EVENT_BYTES

_EVENT = "2"
# Longer ack ids take the general path (the library reads up to 100 digits).
_MAX_ID_DIGITS = 15
_ASCII_DIGITS = frozenset("0123456789")


# (ack id, event name, arguments): a plain tuple, built per fix.
PlainEvent = tuple[int | None, str, list[Any]]


def plain_event(data: str | bytes) -> PlainEvent | None:
    """The event in a Socket.IO packet as python-socketio's packet class would read it, when it is a plain
    event on the default namespace; None when the packet is anything else."""
    if not isinstance(data, str) or data[:1] != _EVENT or len(data) > MAX_EVENT_BYTES:
        return None
    start = 1
    end = min(len(data), start + _MAX_ID_DIGITS + 1)
    while start < end and data[start] in _ASCII_DIGITS:
        start += 1
    if data[start : start + 1] != "[" or start - 1 > _MAX_ID_DIGITS:
        return None
    try:
        payload = packet_json.loads(data[start:])
    except packet_json.UnreadableJson:
        return None
    # The empty name is how the packet class marks an unreadable event.
    if packet_json.event_problem(payload) is not None or payload[0] == packet_json.UNREADABLE_EVENT:
        return None
    return (int(data[1:start]) if start > 1 else None, payload[0], payload[1:])


def ack_data(answer: Any) -> list[Any]:
    """An ACK packet's data for a handler's return value, as python-socketio builds it (a tuple is
    several arguments)."""
    return [] if answer is None else list(answer) if isinstance(answer, tuple) else [answer]


def ack_frame(ack_id: int, data: list[Any]) -> str | None:
    """The Engine.IO frame of the ACK packet for `ack_id`, as python-socketio encodes it; None when the data
    is not plain JSON (binary parts, integers beyond 64 bits), which the packet class encodes."""
    try:
        text = orjson.dumps(data)
    except TypeError:
        return None
    return f"43{ack_id}{text.decode()}"
