"""Redis commands packed into RESP by hand, for the live index's hot path.

redis-py's `pack_command` handles every argument type, memoryviews and huge values, and checks each
argument several times; on a location fix that costs more than the rest of the Redis write. The index
only ever sends text and integers, so this is all it needs.
"""

from __future__ import annotations

Arg = str | bytes | int


def bulk(value: Arg) -> bytes:
    """One argument as a RESP bulk string."""
    data = value if isinstance(value, bytes) else str(value).encode()
    return b"$%d\r\n%b\r\n" % (len(data), data)


def bulks(*args: str) -> bytes:
    """Several text arguments as RESP bulk strings, formatted in one go when they are ASCII (ids,
    numbers), which makes character counts byte counts."""
    text = "".join([f"${len(arg)}\r\n{arg}\r\n" for arg in args])
    if text.isascii():
        return text.encode()
    return b"".join(bulk(arg) for arg in args)


def command(*args: Arg) -> bytes:
    return b"*%d\r\n%b" % (len(args), b"".join(bulk(arg) for arg in args))


def command_of(count: int, bulks: bytes) -> bytes:
    """A command from `count` arguments already packed with `bulk` (batches build theirs as they grow)."""
    return b"*%d\r\n%b" % (count, bulks)
