"""Size limits of what a socket may send (the per-socket rate limit is app/sockets/rate_limits.py)."""

from __future__ import annotations

# An event whose packet, as received, is longer is answered PAYLOAD_TOO_LARGE (a full 500-point batch of
# typical fixes is about 55 KiB).
MAX_EVENT_BYTES = 64 * 1024
# Engine.IO drops the connection on a packet above this, before anything is parsed: the hard stop for
# abusive clients, set above MAX_EVENT_BYTES so a slightly oversized event still gets a readable ack.
MAX_PACKET_BYTES = 256 * 1024
# A transport that has not connected with a valid token this long after opening is closed: what an
# anonymous peer may hold is one bounded frame at a time, for seconds.
CONNECT_DEADLINE_S = 10.0
