"""A process's socket sessions act on session signals for the sockets it holds."""

from __future__ import annotations

import pytest

from app.auth.principal import Principal
from app.auth.session_signals import ChannelReset, TokensRevoked, WatchEnded
from app.auth.token_versions import TokenVersions
from app.domain.users import Role
from app.errors import Unauthorized
from app.events import booking_room
from app.sockets.session import SocketSessions


class RecordingServer:
    """The two python-socketio calls the sessions make, recorded."""

    def __init__(self) -> None:
        self.disconnected: list[str] = []
        self.left: list[tuple[str, str]] = []

    async def disconnect(self, sid: str) -> None:
        self.disconnected.append(sid)

    async def leave_room(self, sid: str, room: str) -> None:
        self.left.append((sid, room))


def sessions_with(stored: dict[str, int]) -> tuple[SocketSessions, RecordingServer, TokenVersions]:
    async def load(user_id: str) -> int | None:
        return stored.get(user_id, 0)

    server, versions = RecordingServer(), TokenVersions(load)
    sessions = SocketSessions(server, versions)
    sessions.start("old", Principal("u1", Role.OWNER, token_version=0))
    sessions.start("new", Principal("u1", Role.OWNER, token_version=1))
    sessions.start("other", Principal("u2", Role.OWNER, token_version=0))
    return sessions, server, versions


async def test_a_revocation_disconnects_only_older_sockets_of_that_user() -> None:
    sessions, server, versions = sessions_with({})
    await versions.on_signal(TokensRevoked("u1", 1))
    # Events of the old socket are refused before its disconnect has gone through.
    with pytest.raises(Unauthorized):
        sessions.principal("old")
    assert sessions.principal("new").token_version == 1
    await sessions.on_signal(TokensRevoked("u1", 1))
    assert server.disconnected == ["old"]


async def test_an_ended_watch_leaves_the_walk_room_on_every_socket_of_the_user() -> None:
    sessions, server, _ = sessions_with({})
    await sessions.on_signal(WatchEnded("u1", "b1"))
    assert sorted(server.left) == [("new", booking_room("b1")), ("old", booking_room("b1"))]
    sessions.end("old")
    sessions.end("new")
    server.left.clear()
    await sessions.on_signal(WatchEnded("u1", "b1"))
    assert server.left == []


async def test_after_a_reset_revocations_missed_are_read_from_the_store() -> None:
    sessions, server, versions = sessions_with({"u1": 1, "u2": 0})
    await versions.on_signal(ChannelReset())
    await sessions.on_signal(ChannelReset())
    assert server.disconnected == ["old"]
