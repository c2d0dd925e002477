"""Size limits of what a socket may send."""

from __future__ import annotations

# An event whose payload serializes to more is answered PAYLOAD_TOO_LARGE (a full 500-point batch of
# typical fixes is about 55 KiB).
MAX_EVENT_BYTES = 64 * 1024
# Engine.IO drops the connection on a packet above this, before anything is parsed: the hard stop for
# abusive clients, set above MAX_EVENT_BYTES so a slightly oversized event still gets a readable ack.
MAX_PACKET_BYTES = 256 * 1024
