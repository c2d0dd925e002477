"""Socket.IO event handlers: parse at the edge, call the use case, acknowledge.

Every event answers `{ok: true, ...}` or `{ok: false, error: {code, message}}` with the REST error codes.
A client that sent no ack callback simply gets nothing back; nothing a client sends crashes a handler.
The socket's identity is the token's principal saved at connect, never anything in a payload.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import structlog
from pydantic import BaseModel, ValidationError
from redis.exceptions import RedisError

from app.auth.principal import Principal
from app.composition import Services
from app.dispatch import offers as dispatch_offers
from app.errors import AppError, NotFound, PayloadTooLarge, Unauthorized, Unavailable, ValidationFailed
from app.events import booking_room
from app.sockets.fix_reader import read_batch, read_fix
from app.sockets.payloads import BatchPayload, FixPayload, FleetPayload, OfferPayload, StatusPayload, TrackingPayload
from app.sockets.rate_limits import SocketRateLimiter
from app.sockets.session import SocketSessions
from app.usecases.live import ingestion, presence
from app.usecases.live.fix_inputs import FixFields
from app.usecases.live.fleet import FleetSubscriptions
from app.usecases.live.share_followers import ShareFollowers
from app.usecases.walks import requests as walks
from app.usecases.walks import tracking
from realtime.limits import MAX_EVENT_BYTES
from realtime.packet_json import Oversized, Unreadable

log = structlog.get_logger("walky.socket")

Ack = dict[str, Any]
Handler = Callable[[str, Principal, object], Awaitable[Ack]]
# What an event does on a socket connected without an account token (only share-link following).
GuestHandler = Callable[[str, object], Awaitable[Ack]]


def error_ack(exc: AppError) -> Ack:
    error: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.details:
        error["details"] = exc.details
    return {"ok": False, "error": error}


def payload_of(args: tuple[object, ...]) -> object:
    """The event's one payload argument (None when left out)."""
    if len(args) > 1:
        raise ValidationFailed(f"an event takes one payload argument, not {len(args)}")
    data = args[0] if args else None
    if isinstance(data, Unreadable):
        raise ValidationFailed(data.reason)
    if isinstance(data, Oversized):
        raise PayloadTooLarge(f"event payload is larger than {MAX_EVENT_BYTES // 1024} KiB")
    return data


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: object) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(part) for part in err["loc"]), "message": err["msg"], "type": err["type"]}
            for err in exc.errors(include_url=False, include_input=False)
        ]
        first = details[0]
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        raise ValidationFailed(message, details) from exc


EventDecorator = Callable[..., Callable[[Handler], Handler]]


def event_registrar(services: Services, sessions: SocketSessions) -> EventDecorator:
    """`@event(name)` registers a handler; every outcome, errors included, is acknowledged in the contract's shape."""
    sio = services.sio
    # Per socket, so counted in this process's memory (see SocketRateLimiter).
    socket_limiter = SocketRateLimiter()

    def event(
        name: str, *, rate_limited: bool = False, guest: GuestHandler | None = None
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def on_event(sid: str, *args: object) -> Ack:
                try:
                    data = payload_of(args)
                    if guest is not None and sessions.is_guest(sid):
                        return {"ok": True, **await guest(sid, data)}
                    principal = sessions.principal(sid)
                    if rate_limited:
                        # Per socket; a batch counts once, like a single update.
                        socket_limiter.hit(services.settings.location_rate_limit, sid)
                    return {"ok": True, **await handler(sid, principal, data)}
                except AppError as exc:
                    return error_ack(exc)
                except RedisError:
                    log.exception("redis failed during a socket event", socket_event=name)
                    return error_ack(Unavailable("the live-location index is not answering"))
                except Exception:
                    log.exception("socket event failed", socket_event=name)
                    return {"ok": False, "error": {"code": "INTERNAL", "message": "internal server error"}}

            sio.on(name, on_event)
            return handler

        return register

    return event


def register_events(
    services: Services, sessions: SocketSessions, fleets: FleetSubscriptions, followers: ShareFollowers
) -> None:
    sio = services.sio
    event = event_registrar(services, sessions)

    @event("location:update", rate_limited=True)
    async def location_update(sid: str, principal: Principal, data: object) -> Ack:
        # The model only for what the plain reader leaves to it (app/sockets/fix_reader.py).
        fix: FixFields = read_fix(data) or parse(FixPayload, data)
        return {"accepted": await ingestion.ingest(services, principal, [fix], refuse_unusable=True)}

    @event("location:batch", rate_limited=True)
    async def location_batch(sid: str, principal: Principal, data: object) -> Ack:
        points: Sequence[FixFields] | None = read_batch(data)
        if points is None:
            points = parse(BatchPayload, data).points
        return {"accepted": await ingestion.ingest(services, principal, points)}

    @event("worker:status")
    async def worker_status(sid: str, principal: Principal, data: object) -> Ack:
        worker_id = ingestion.sending_worker(principal)
        status = parse(StatusPayload, data)
        view = await presence.set_status(services, principal, worker_id, status)
        return view.model_dump()

    @event("fleet:subscribe")
    async def fleet_subscribe(sid: str, principal: Principal, data: object) -> Ack:
        business_id = parse(FleetPayload, data).business_id
        workers = await fleets.subscribe(principal, sid, business_id)
        return {"businessId": business_id, "workers": [worker.model_dump() for worker in workers]}

    @event("fleet:unsubscribe")
    async def fleet_unsubscribe(sid: str, principal: Principal, data: object) -> Ack:
        business_id = parse(FleetPayload, data).business_id
        await fleets.unsubscribe(sid, business_id)
        return {"businessId": business_id}

    register_booking_events(services, event, followers)

    async def unknown_event(event_name: str, sid: str, *args: object) -> Ack:
        try:
            payload_of(args)
        except AppError as exc:
            # An unreadable event reaches here with no name (realtime/packet_json.py).
            return error_ack(exc)
        return error_ack(NotFound(f"unknown event {event_name[:64]!r}"))

    sio.on("*", unknown_event)


def register_booking_events(services: Services, event: EventDecorator, followers: ShareFollowers) -> None:
    """Watching a walk (by booking, or by share link without an account), walk events, dispatch offers."""
    sio = services.sio

    async def follow_share(sid: str, data: object) -> Ack:
        subscription = parse(walks.ShareSubscription, data)
        booking, answer = await walks.share_subscription(services, subscription)
        await sio.enter_room(sid, booking_room(booking.id))
        followers.follow(sid, subscription.share_token, booking.id)
        return answer

    async def guest_subscribe(sid: str, data: object) -> Ack:
        if not (isinstance(data, dict) and "shareToken" in data):
            raise Unauthorized("without an account token, only a share link can be followed")
        return await follow_share(sid, data)

    async def guest_unsubscribe(sid: str, data: object) -> Ack:
        booking_id = parse(TrackingPayload, data).booking_id
        await sio.leave_room(sid, booking_room(booking_id))
        followers.forget(sid)
        return {"bookingId": booking_id}

    @event("tracking:subscribe", guest=guest_subscribe)
    async def tracking_subscribe(sid: str, principal: Principal, data: object) -> Ack:
        if isinstance(data, dict) and "shareToken" in data:
            return await follow_share(sid, data)
        subscription = parse(TrackingPayload, data)
        answer = await tracking.subscribe(services, principal, subscription)
        await sio.enter_room(sid, booking_room(subscription.booking_id))
        return answer

    @event("tracking:unsubscribe", guest=guest_unsubscribe)
    async def tracking_unsubscribe(sid: str, principal: Principal, data: object) -> Ack:
        booking_id = parse(TrackingPayload, data).booking_id
        await sio.leave_room(sid, booking_room(booking_id))
        return {"bookingId": booking_id}

    @event("walk:event")
    async def walk_event(sid: str, principal: Principal, data: object) -> Ack:
        body = parse(walks.WalkEventInput, data)
        if body.booking_id is None:
            raise ValidationFailed("bookingId: field required", [{"field": "bookingId", "message": "field required"}])
        logged = await walks.add_walk_event(services, principal, body.booking_id, body)
        return {"bookingId": body.booking_id, **logged.view()}

    @event("dispatch:accept")
    async def dispatch_accept(sid: str, principal: Principal, data: object) -> Ack:
        offer = parse(OfferPayload, data)
        return await dispatch_offers.accept_offer(services, principal, offer.offer_id)

    @event("dispatch:decline")
    async def dispatch_decline(sid: str, principal: Principal, data: object) -> Ack:
        offer = parse(OfferPayload, data)
        return await dispatch_offers.decline_offer(services, principal, offer.offer_id)
