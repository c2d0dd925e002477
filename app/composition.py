"""The composition root: the one place that picks adapters from settings and wires them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

import socketio
import structlog
from redis.asyncio import Redis

from app.auth.memory_session_channel import MemorySessionChannel
from app.auth.passwords import Passwords
from app.auth.redis_session_channel import RedisSessionChannel
from app.auth.session_signals import SessionChannel
from app.auth.token_versions import TokenVersions
from app.auth.tokens import AccessTokens
from app.booking_events import (
    BookingCreated,
    BookingEvents,
    BookingFinished,
    DispatchRequested,
    WalkerApproaching,
    WalkStarted,
)
from app.clock import Clock, SystemClock
from app.dispatch.dispatcher import Dispatcher
from app.domain.fixes import FixHook
from app.events import EventPublisher
from app.jobs.runner import JobRunner
from app.live.active_walks import ActiveWalks, MemoryActiveWalks
from app.live.fleet_watchers import FleetWatchers, MemoryFleetWatchers
from app.live.live_index import LiveIndex
from app.live.memory_live_index import MemoryLiveIndex
from app.live.redis_active_walks import RedisActiveWalks
from app.live.redis_fleet_watchers import RedisFleetWatchers
from app.live.redis_live_index import RedisLiveIndex
from app.live.rooms import Rooms
from app.media.filesystem_storage import FilesystemStorage
from app.media.memory_storage import MemoryStorage
from app.media.storage import MediaStorage
from app.media.sweeper import MediaSweeper
from app.messages.file_sender import FileEmailSender
from app.messages.log_sender import LogSender
from app.messages.outbox import Channel
from app.messages.relay import OutboxRelay
from app.messages.senders import Sender
from app.metrics import Metrics
from app.ops.business_metrics import BusinessGauges
from app.payments.gateway import PaymentGateway
from app.payments.offline_gateway import OfflineGateway
from app.ratelimit import RateLimiter
from app.settings import DEV_JWT_SECRET, Settings
from app.store.backend import StoreBackend
from app.store.schema import OFFLINE_PAYMENTS
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from app.usecases.live.fleet import FleetSubscriptions, fleet_fanout
from app.usecases.live.presence import PresenceTracker
from app.usecases.live.share_followers import ShareFollowers
from app.usecases.live.sweeper import Sweeper
from app.usecases.live.walk_tracker import WalkTracker
from app.usecases.payments.settlement import PaymentsListener
from app.usecases.scheduled import scheduled_jobs
from app.usecases.walks.silent_walks import silence_watcher
from app.walks.live_summaries import LiveSummaries
from realtime import packet_json
from realtime.limits import CONNECT_DEADLINE_S, MAX_PACKET_BYTES
from realtime.redis_manager import BatchingRedisManager
from realtime.socket_server import WalkySocketServer
from realtime.socketio_publisher import SocketPublisher

log = structlog.get_logger(__name__)


HealthCheck = Callable[[], Awaitable[None]]
"""Returns when a component answers, raises when it does not (readiness, `GET /readyz`)."""


class Background(Protocol):
    """A task that runs for the life of the app (the live-index sweeper, presence grace timers)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Services:
    settings: Settings
    clock: Clock
    store: Store
    live_index: LiveIndex
    passwords: Passwords
    access_tokens: AccessTokens
    limiter: RateLimiter
    sio: socketio.AsyncServer
    events: EventPublisher
    # Sockets in and out of rooms from use cases (fleet view, share links); the same adapter as `events`.
    rooms: Rooms
    active_walks: ActiveWalks
    fleet_watchers: FleetWatchers
    token_versions: TokenVersions
    # Revocations and ended watches reach every process through it (see app/usecases/accounts/sessions.py).
    session_channel: SessionChannel
    outbox_relay: OutboxRelay
    # Summaries of walks in progress, extended fix by fix (per process, bounded).
    live_summaries: LiveSummaries
    # Workers online, walks, bookings and payments by status, read when /metrics is scraped.
    business_gauges: BusinessGauges
    metrics: Metrics = field(default_factory=Metrics)
    redis: Redis | None = None
    # Run after each ingestion call that accepted fixes (fleet fan-out; walk trails with bookings).
    fix_hooks: list[FixHook] = field(default_factory=list)
    # Dispatch, live tracking and payments hear the booking lifecycle here (see wire_booking_events).
    booking_events: BookingEvents = field(default_factory=BookingEvents)
    # The use-case objects that live as long as the app, built and connected by `wire` (the socket entry
    # registers its handlers on them).
    dispatcher: Dispatcher = field(init=False)
    presence: PresenceTracker = field(init=False)
    fleet_subscriptions: FleetSubscriptions = field(init=False)
    share_followers: ShareFollowers = field(init=False)
    # Started after the store is set up, stopped (in reverse) before anything is closed.
    background: list[Background] = field(default_factory=list)
    # Stripe Connect when WALKY_STRIPE_SECRET_KEY is set, else the offline gateway (see build_payment_gateway).
    payment_gateway: PaymentGateway = field(default_factory=OfflineGateway)
    # Readiness by component: every connection the hot path uses (see health_checks).
    health_checks: dict[str, HealthCheck] = field(default_factory=dict)
    # An S3 bucket when WALKY_S3_BUCKET is set, else WALKY_DATA_DIR/media (see build_media_storage).
    media: MediaStorage = field(default_factory=MemoryStorage)

    async def start(self) -> None:
        await self.store.setup()
        await self.media.setup()
        for task in self.background:
            await task.start()

    async def close(self) -> None:
        for task in reversed(self.background):
            await task.stop()
        await self.live_index.close()
        await self.store.close()
        await self.media.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        await self.outbox_relay.aclose()
        await self.payment_gateway.aclose()


def wire(services: Services) -> None:
    """Every long-lived use-case object, fix hook, booking-event subscription and background task, in one place.

    Handlers of one booking event run in the order subscribed here; fix hooks too; background tasks start in
    list order after the store is set up and stop in reverse.
    """
    dispatcher = services.dispatcher = Dispatcher(services)
    walk_tracker = WalkTracker(services)
    payments = PaymentsListener(services)
    presence = services.presence = PresenceTracker(services)
    services.fleet_subscriptions = FleetSubscriptions(services)
    followers = services.share_followers = ShareFollowers(services)
    events = services.booking_events
    events.subscribe(BookingCreated, dispatcher.created)
    events.subscribe(DispatchRequested, dispatcher.dispatch_requested)
    events.subscribe(WalkStarted, walk_tracker.started)
    events.subscribe(WalkerApproaching, walk_tracker.approaching)
    events.subscribe(BookingFinished, dispatcher.finished)
    events.subscribe(BookingFinished, payments.finished)
    events.subscribe(BookingFinished, walk_tracker.finished)
    services.fix_hooks.extend([fleet_fanout(services), walk_tracker.on_fixes])
    services.background.extend(
        [
            dispatcher,
            JobRunner(services.store.jobs, services.clock, scheduled_jobs(services)),
            silence_watcher(services),
            presence,
            followers,
        ]
    )


def build_payment_gateway(settings: Settings, backend: StoreBackend) -> PaymentGateway:
    """Chosen by settings alone: Stripe Connect with a secret key, the offline gateway without."""
    if settings.stripe_secret_key:
        # Imported here so the embedded default starts without loading the Stripe HTTP client.
        from app.payments.stripe_gateway import StripeGateway

        return StripeGateway(settings.stripe_secret_key)
    return OfflineGateway(journal=backend.collection(OFFLINE_PAYMENTS))


def health_checks(
    store: Store,
    live_index: LiveIndex,
    active_walks: ActiveWalks,
    redis: Redis | None,
    manager: BatchingRedisManager | None,
) -> dict[str, HealthCheck]:
    """The store, the live index (in Redis mode the coalescer's own connection), and in Redis mode the
    redis-py pool (mirrors, scripts, rate limits), the walk table's first load and the Socket.IO manager."""
    checks: dict[str, HealthCheck] = {"store": store.ping, "liveIndex": live_index.ping}
    if redis is not None:

        async def redis_ping() -> None:
            await redis.ping()

        async def walks_loaded() -> None:
            if not active_walks.loaded:
                raise ConnectionError("the active-walk table has not been loaded from Redis yet")

        checks["redis"] = redis_ping
        checks["activeWalks"] = walks_loaded
    if manager is not None:
        checks["socketio"] = manager.ping
    return checks


def build_senders(settings: Settings, store: Store) -> dict[Channel, Sender]:
    """Chosen by settings alone: SMTP or .eml files for email, Expo or the log for push, Twilio or the log for SMS."""
    email: Sender
    if settings.smtp_url:
        from app.messages.smtp_sender import SmtpSender  # aiosmtplib loads only when configured

        email = SmtpSender(settings.smtp_url, settings.mail_from)
    else:
        email = FileEmailSender(settings.data_dir / "outbox", settings.mail_from)
    push: Sender = LogSender(Channel.PUSH)
    if settings.expo_access_token or settings.expo_push_url:
        from app.messages.push_sender import EXPO_PUSH_URL, ExpoPushSender

        push = ExpoPushSender(
            store.devices, access_token=settings.expo_access_token, url=settings.expo_push_url or EXPO_PUSH_URL
        )
    sms: Sender = LogSender(Channel.SMS)
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from:
        from app.messages.sms_sender import TwilioSmsSender

        sms = TwilioSmsSender(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from,
            base_url=settings.twilio_api_url,
        )
    return {Channel.EMAIL: email, Channel.PUSH: push, Channel.SMS: sms}


def build_media_storage(settings: Settings) -> MediaStorage:
    """Chosen by settings alone: S3 with a bucket, the data dir without."""
    if settings.s3_bucket:
        # Imported here so the embedded default starts without loading boto3.
        from app.media.s3_storage import S3Storage

        return S3Storage(settings.s3_bucket, endpoint_url=settings.s3_endpoint_url)
    return FilesystemStorage(settings.data_dir / "media")


def build_store_backend(settings: Settings) -> StoreBackend:
    """MongoDB when WALKY_MONGODB_URL is set, else the embedded SQLite file (also used by `python -m app admin`)."""
    if settings.mongodb_url:
        # Imported here so the embedded default starts without loading the MongoDB driver.
        from app.store.mongo.backend import MongoBackend

        return MongoBackend(settings.mongodb_url, settings.mongodb_database)
    return SqliteBackend(settings.sqlite_path)


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """The adapters chosen by settings, and everything wired to them (see `wire`)."""
    if DEV_JWT_SECRET in settings.jwt_keys:
        log.warning("using the development JWT secret; set WALKY_JWT_SECRET outside development")
    backend = build_store_backend(settings)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    live_index: LiveIndex = RedisLiveIndex(redis, settings.redis_key_prefix) if redis is not None else MemoryLiveIndex()
    manager = (
        BatchingRedisManager(settings.redis_url, channel=f"{settings.redis_key_prefix}socketio")
        if settings.redis_url
        else None
    )
    sio = WalkySocketServer(
        connect_deadline_s=CONNECT_DEADLINE_S,
        async_mode="asgi",
        client_manager=manager,
        # None means same-origin only; browsers from other origins need WALKY_CORS_ORIGINS.
        cors_allowed_origins=settings.cors_origins or None,
        max_http_buffer_size=MAX_PACKET_BYTES,
        serializer=packet_json.Packet,
        logger=False,
        engineio_logger=False,
    )
    clock = clock or SystemClock()
    active_walks: ActiveWalks = (
        RedisActiveWalks(redis, settings.redis_key_prefix) if redis is not None else MemoryActiveWalks()
    )
    fleet_watchers: FleetWatchers = (
        RedisFleetWatchers(redis, settings.redis_key_prefix) if redis is not None else MemoryFleetWatchers()
    )
    payment_gateway = build_payment_gateway(settings, backend)
    store = Store(backend)
    media = build_media_storage(settings)
    media_sweeper = MediaSweeper(
        media, store.media, clock, grace_s=settings.media_grace_s, interval_s=settings.media_sweep_s
    )
    outbox_relay = OutboxRelay(
        store.outbox,
        build_senders(settings, store),
        clock,
        lease=timedelta(seconds=settings.outbox_lease_s),
        loops=settings.outbox_relay_loops,
    )
    token_versions = TokenVersions(store.users.token_version)
    session_channel: SessionChannel = (
        RedisSessionChannel(redis, settings.redis_key_prefix) if redis is not None else MemorySessionChannel()
    )
    session_channel.subscribe(token_versions.on_signal)
    background: list[Background] = [
        Sweeper(live_index, clock),
        active_walks,
        fleet_watchers,
        session_channel,
        outbox_relay,
        media_sweeper,
    ]
    if isinstance(payment_gateway, OfflineGateway):
        background.append(payment_gateway)
    if settings.sentry_dsn:
        # Imported here so sentry-sdk is loaded only when error tracking is on.
        from app.ops.sentry import ErrorTracking

        background.insert(0, ErrorTracking(settings))
    metrics = Metrics()
    publisher = SocketPublisher(sio)
    services = Services(
        settings=settings,
        metrics=metrics,
        business_gauges=BusinessGauges(metrics, backend, live_index),
        clock=clock,
        store=store,
        live_index=live_index,
        passwords=Passwords(),
        access_tokens=AccessTokens(settings.jwt_keys, settings.access_token_ttl_s),
        limiter=RateLimiter(settings.redis_url, settings.redis_key_prefix),
        sio=sio,
        events=publisher,
        rooms=publisher,
        active_walks=active_walks,
        fleet_watchers=fleet_watchers,
        token_versions=token_versions,
        session_channel=session_channel,
        outbox_relay=outbox_relay,
        live_summaries=LiveSummaries(store.trails),
        redis=redis,
        background=background,
        payment_gateway=payment_gateway,
        health_checks=health_checks(store, live_index, active_walks, redis, manager),
        media=media,
    )
    wire(services)
    return services
