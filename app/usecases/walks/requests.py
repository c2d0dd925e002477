"""The walk's requests: on my way, walk events, the report card, share links (silent devices: silent_walks.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Protocol, Self

from pydantic import Field, Strict, model_validator

from app.auth.principal import Principal
from app.clock import Clock
from app.domain.base import iso
from app.domain.bookings import Booking, BookingStatus, Walk
from app.domain.media import MediaKind
from app.domain.users import Role
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.events import booking_room
from app.ids import new_id
from app.live.active_walks import ActiveWalks
from app.store.store import Store
from app.usecases.bookings.lifecycle import BookingPorts, get_booking, set_off
from app.usecases.bookings.watchers import may_watch
from app.usecases.inputs import Coordinates, Input, Output, Text
from app.usecases.message_facts import booking_facts
from app.usecases.notifications import notify
from app.walks.approach import display_status, eta_s, on_the_way, position_visible
from app.walks.live_summaries import LiveSummaries
from app.walks.report import map_events, report_card, track, walk_so_far
from app.walks.share import DEFAULT_SHARE_MIN, MAX_SHARE_MIN, MAX_TOKEN_LENGTH, ShareLink, new_token, token_hash
from app.walks.walk_events import (
    MAX_EVENT_AGE_S,
    MAX_EVENT_FUTURE_S,
    MAX_EVENTS_PER_WALK,
    MAX_NOTE_LENGTH,
    WalkEvent,
    WalkEventType,
)
from geo.coordinates import LngLat
from geo.distance import haversine_m
from geo.gpx import route_gpx
from geo.route_map import render_route_svg
from geo.trail import TrailPoint


class WalkPorts(BookingPorts, Protocol):
    """What the walk's use cases read, beyond the booking use cases' own ports they call with."""

    @property
    def active_walks(self) -> ActiveWalks: ...

    @property
    def live_summaries(self) -> LiveSummaries: ...


REPORTED = (BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED)
EpochMs = Annotated[int, Strict(), Field(ge=0, le=10**15)]
Id = Annotated[str, Strict(), Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class OnMyWayInput(Input):
    """`on-my-way` takes no fields; a body naming any is refused rather than ignored."""


class WalkEventInput(Input):
    type: WalkEventType
    coordinates: Coordinates | None = None
    # ISO-8601 (the REST convention) or epoch milliseconds (the socket convention); now when absent.
    timestamp: EpochMs | datetime | None = None
    note: Text | None = Field(default=None, min_length=1, max_length=MAX_NOTE_LENGTH)
    photo_id: Id | None = None
    # `walk:event` names its booking in the payload; the REST route takes it from the path.
    booking_id: Id | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if isinstance(self.timestamp, datetime) and self.timestamp.tzinfo is None:
            raise ValueError("timestamp must carry a time zone (e.g. Z)")
        if self.type is WalkEventType.NOTE and self.note is None:
            raise ValueError("a note event needs its note")
        if self.type is WalkEventType.PHOTO and self.photo_id is None:
            raise ValueError("a photo event needs its photoId")
        return self

    def moment(self, now: datetime) -> datetime:
        if self.timestamp is None:
            return now
        if isinstance(self.timestamp, datetime):
            return self.timestamp.astimezone(UTC)
        return datetime.fromtimestamp(self.timestamp / 1000, tz=UTC)


class ShareInput(Input):
    expires_in_min: int = Field(default=DEFAULT_SHARE_MIN, ge=1, le=MAX_SHARE_MIN)


class ShareCreated(Output):
    token: str
    url: str
    expires_at: datetime


class SharedLast(Output):
    coordinates: list[float]
    timestamp: int


class SharedWalk(Output):
    status: str
    walker_first_name: str | None
    last: SharedLast | None
    trail: dict[str, Any]
    eta_s: int | None = None


class ShareSubscription(Input):
    share_token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)


def _is_worker_of(principal: Principal, booking: Booking) -> bool:
    return (
        principal.role is Role.WORKER and principal.worker_id is not None and principal.worker_id == booking.worker_id
    )


async def on_my_way(ports: WalkPorts, principal: Principal, booking_id: str) -> Booking:
    """The assigned worker sets off for the pickup; saying it twice answers the booking unchanged."""
    principal.require_role(Role.WORKER)
    booking = await get_booking(ports, principal, booking_id)
    if not _is_worker_of(principal, booking):
        raise Forbidden("only the assigned worker is on the way")
    if on_the_way(booking):
        return booking
    if booking.status is not BookingStatus.CONFIRMED:
        raise Conflict(f"cannot be on the way to a booking that is {booking.status.value}")
    assert booking.worker_id is not None
    current = ports.active_walks.get(booking.worker_id)
    if current is not None and current.walking and current.booking_id != booking.id:
        raise Conflict("finish your current walk before setting off for the next")
    moved = await ports.store.bookings.mark_on_my_way(booking.id, booking.worker_id, iso(ports.clock.now()))
    if moved is None:
        current_booking = await ports.store.bookings.get(booking.id)
        if current_booking is not None and on_the_way(current_booking):
            return current_booking
        raise Conflict("the booking changed meanwhile; fetch it again")
    await set_off(ports, moved)
    return moved


async def walker_arrived(ports: WalkPorts, booking_id: str, at: str) -> None:
    """The walker reached the pickup before the walk: tell the parties, once per booking."""
    if not await ports.store.walk_alerts.claim(f"arrived.{booking_id}"):
        return
    booking = await ports.store.bookings.get(booking_id)
    if booking is None:
        return
    await notify(
        ports,
        booking.watcher_ids,
        kind="walk.arrived",
        title="Your walker has arrived",
        message="Your walker is at the door.",
        data={"bookingId": booking.id, "bookingNumber": booking.booking_number, "at": at},
        about=await booking_facts(ports.store, booking),
    )


async def _walking_booking(ports: WalkPorts, principal: Principal, booking_id: str) -> Booking:
    booking = await get_booking(ports, principal, booking_id)
    if not _is_worker_of(principal, booking):
        raise Forbidden("only the assigned worker logs what happens on the walk")
    if booking.status is not BookingStatus.IN_PROGRESS:
        raise Conflict(f"walk events are logged during the walk; this booking is {booking.status.value}")
    return booking


async def add_walk_event(ports: WalkPorts, principal: Principal, booking_id: str, data: WalkEventInput) -> WalkEvent:
    if data.booking_id is not None and data.booking_id != booking_id:
        raise ValidationFailed(
            "bookingId does not match", [{"field": "body.bookingId", "message": "does not match", "type": "value"}]
        )
    booking = await _walking_booking(ports, principal, booking_id)
    assert booking.worker_id is not None
    now = ports.clock.now()
    at = data.moment(now)
    started = booking.started_at or now
    if at > now + timedelta(seconds=MAX_EVENT_FUTURE_S) or at < max(started, now - timedelta(seconds=MAX_EVENT_AGE_S)):
        raise ValidationFailed(
            "timestamp must fall within the walk",
            [{"field": "body.timestamp", "message": "outside the walk", "type": "value"}],
        )
    if await ports.store.walk_events.count(booking.id) >= MAX_EVENTS_PER_WALK:
        raise Conflict(f"a walk holds at most {MAX_EVENTS_PER_WALK} events")
    coordinates = data.coordinates
    if coordinates is None:
        last = await ports.live_index.last_fix(booking.worker_id)
        coordinates = (last.position.lng, last.position.lat) if last is not None else None
    event = WalkEvent(
        id=new_id(),
        booking_id=booking.id,
        worker_id=booking.worker_id,
        type=data.type,
        coordinates=coordinates,
        at=at,
        note=data.note,
        photo_id=data.photo_id,
        created_at=now,
    )
    await ports.store.walk_events.add(event)
    await ports.events.emit("walk:event", {"bookingId": booking.id, **event.view()}, room=booking_room(booking.id))
    return event


async def walk_photos(ports: WalkPorts, booking: Booking) -> list[dict[str, Any]]:
    """The walker's photos of this booking (POST /v1/bookings/{id}/photos), as media documents, oldest first."""
    stored = await ports.store.media.of_subject(booking.id, MediaKind.WALK_PHOTO)
    return [media.ref().model_dump(mode="json", by_alias=True) for media in stored]


async def _reported_booking(ports: WalkPorts, principal: Principal, booking_id: str) -> Booking:
    booking = await get_booking(ports, principal, booking_id)
    if booking.status not in REPORTED:
        raise Conflict("the report starts when the walk starts")
    return booking


async def _walk_of(ports: WalkPorts, booking: Booking) -> Walk:
    """The summary stored at completion, or the walk so far."""
    if booking.status is BookingStatus.COMPLETED and booking.walk is not None:
        return booking.walk
    return walk_so_far(await ports.live_summaries.summary(booking.id), booking, ports.clock.now())


async def get_report(ports: WalkPorts, principal: Principal, booking_id: str) -> dict[str, Any]:
    booking = await _reported_booking(ports, principal, booking_id)
    walk = await _walk_of(ports, booking)
    events = await ports.store.walk_events.of_booking(booking.id)
    notes = booking.completion_details.worker_notes if booking.completion_details else None
    return report_card(walk, events, await walk_photos(ports, booking), notes)


async def report_map_svg(ports: WalkPorts, principal: Principal, booking_id: str) -> str:
    """The route with its start, end and events drawn, no tiles (image/svg+xml)."""
    booking = await _reported_booking(ports, principal, booking_id)
    walk = await _walk_of(ports, booking)
    route = [(float(lng), float(lat)) for lng, lat in walk.route.get("coordinates", [])]
    return render_route_svg(route, map_events(await ports.store.walk_events.of_booking(booking.id)))


async def report_gpx(ports: WalkPorts, principal: Principal, booking_id: str) -> str:
    """GPX 1.1: the cleaned track with its times, and the events as waypoints."""
    booking = await _reported_booking(ports, principal, booking_id)
    finished = booking.status is BookingStatus.COMPLETED
    if finished and (kept := await ports.store.walk_files.get(booking.id, "gpx")) is not None:
        return kept
    trail = await ports.store.trails.points(booking.id)
    events = await ports.store.walk_events.of_booking(booking.id)
    gpx = route_gpx(track(trail), map_events(events), name=f"Walk {booking.booking_number}")
    if finished:
        # Cleaning 7,200 fixes and writing them through gpxpy takes longer than the report may.
        await ports.store.walk_files.keep(booking.id, "gpx", gpx)
    return gpx


async def _sharing_booking(ports: WalkPorts, principal: Principal, booking_id: str) -> Booking:
    booking = await get_booking(ports, principal, booking_id)
    if not (principal.is_admin or await may_watch(ports.store, principal.user_id, booking)):
        raise Forbidden("only the booking's owners share its walk")
    return booking


async def create_share(
    ports: WalkPorts, principal: Principal, booking_id: str, data: ShareInput, *, base_url: str
) -> ShareCreated:
    booking = await _sharing_booking(ports, principal, booking_id)
    now = ports.clock.now()
    token = new_token()
    link = ShareLink(
        id=token_hash(token),
        booking_id=booking.id,
        created_by=principal.user_id,
        created_at=now,
        expires_at=now + timedelta(minutes=data.expires_in_min),
    )
    if not link.alive(booking, now):
        raise Conflict(f"a {booking.status.value} walk can no longer be shared")
    await ports.store.share_links.add(link)
    return ShareCreated(token=token, url=f"{base_url.rstrip('/')}/track/{token}", expires_at=link.ends_at(booking))


async def revoke_share(ports: WalkPorts, principal: Principal, booking_id: str, token: str) -> None:
    booking = await _sharing_booking(ports, principal, booking_id)
    if not await ports.store.share_links.revoke(token_hash(token), booking.id, ports.clock.now()):
        raise NotFound("no such share link")


async def _linked_booking(store: Store, clock: Clock, link_hash: str) -> Booking | None:
    link = await store.share_links.get(link_hash)
    booking = await store.bookings.get(link.booking_id) if link is not None else None
    if link is None or booking is None or not link.alive(booking, clock.now()):
        return None
    return booking


async def share_link_alive(store: Store, clock: Clock, link_hash: str) -> bool:
    return await _linked_booking(store, clock, link_hash) is not None


async def shared_booking(ports: WalkPorts, token: str) -> Booking:
    """The booking a live share link shows; NOT_FOUND for unknown, expired and revoked links alike."""
    booking = (
        await _linked_booking(ports.store, ports.clock, token_hash(token)) if len(token) <= MAX_TOKEN_LENGTH else None
    )
    if booking is None:
        raise NotFound("no such share link")
    return booking


def _last(point: TrailPoint | None) -> SharedLast | None:
    if point is None:
        return None
    return SharedLast(coordinates=[point.position.lng, point.position.lat], timestamp=point.timestamp_ms)


async def _current_position(ports: WalkPorts, booking: Booking) -> TrailPoint | None:
    """Where the walker is now, while the parties may see it; where the walk ended after it."""
    if on_the_way(booking) and booking.worker_id is not None:
        fix = await ports.live_index.last_fix(booking.worker_id)
        return fix.trail_point() if fix is not None else None
    if booking.status in REPORTED:
        return await ports.store.trails.last(booking.id)
    return None


async def get_shared_walk(ports: WalkPorts, token: str) -> SharedWalk:
    booking = await shared_booking(ports, token)
    worker = await ports.store.workers.get(booking.worker_id) if booking.worker_id else None
    trail = await ports.store.trails.points(booking.id) if booking.status in REPORTED else []
    last = await _current_position(ports, booking)
    eta: int | None = None
    if on_the_way(booking) and last is not None:
        # No recent speed outside the socket path: walking pace.
        eta = eta_s(haversine_m(last.position, LngLat(*booking.location.coordinates)), None)
    return SharedWalk(
        status=display_status(booking),
        walker_first_name=worker.first_name if worker else None,
        last=_last(last),
        trail={"type": "LineString", "coordinates": [[p.position.lng, p.position.lat] for p in trail]},
        eta_s=eta,
    )


async def share_subscription(ports: WalkPorts, data: ShareSubscription) -> tuple[Booking, dict[str, Any]]:
    """Checks for `tracking:subscribe {shareToken}`: the booking to follow, and the ack (never contact details)."""
    booking = await shared_booking(ports, data.share_token)
    last = await _current_position(ports, booking) if position_visible(booking) else None
    view = _last(last)
    return booking, {
        "bookingId": booking.id,
        "status": display_status(booking),
        "last": view.model_dump() if view else None,
    }
