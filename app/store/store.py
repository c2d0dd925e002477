"""The store: every repository, built over one backend."""

from __future__ import annotations

from app.store.accounts.account_tokens import AccountTokenRepository
from app.store.accounts.refresh_tokens import RefreshTokenRepository
from app.store.accounts.users import UserRepository
from app.store.backend import StoreBackend
from app.store.bookings import BookingRepository
from app.store.geo_search import GeoSearch
from app.store.idempotency import IdempotencyRepository
from app.store.jobs import JobRepository
from app.store.listing import ListedBusinesses
from app.store.marketplace.businesses import BusinessRepository
from app.store.marketplace.schedules import ScheduleRepository
from app.store.marketplace.services import ServiceRepository
from app.store.marketplace.workers import WorkerRepository
from app.store.media import MediaRepository
from app.store.messages.devices import DeviceRepository
from app.store.messages.notifications import NotificationRepository
from app.store.messages.outbox import OutboxRepository
from app.store.messages.preferences import PreferencesRepository
from app.store.migrations import migrate
from app.store.payments import PaymentRepository, PayoutAccountRepository, WebhookEventRepository
from app.store.pets import PetRepository
from app.store.reviews.reviews import ReviewRepository
from app.store.schema import (
    ACCOUNT_TOKENS,
    BOOKINGS,
    BUSINESSES,
    DEVICES,
    IDEMPOTENCY,
    JOBS,
    MEDIA,
    NOTIFICATION_PREFERENCES,
    NOTIFICATIONS,
    OUTBOX,
    PAYMENTS,
    PAYOUT_ACCOUNTS,
    PETS,
    REFRESH_TOKENS,
    REVIEWS,
    SCHEDULES,
    SERVICES,
    SHARE_LINKS,
    TRAILS,
    USERS,
    WALK_ALERTS,
    WALK_EVENTS,
    WALK_FILES,
    WEBHOOK_EVENTS,
    WORKERS,
)
from app.store.walks.share_links import ShareLinkRepository
from app.store.walks.trails import TrailRepository
from app.store.walks.walk_events import WalkAlertRepository, WalkEventRepository
from app.store.walks.walk_files import WalkFileRepository


class Store:
    def __init__(self, backend: StoreBackend) -> None:
        self.backend = backend
        self.users = UserRepository(backend.collection(USERS))
        self.refresh_tokens = RefreshTokenRepository(backend.collection(REFRESH_TOKENS))
        self.businesses = BusinessRepository(backend.collection(BUSINESSES))
        self.workers = WorkerRepository(backend.collection(WORKERS))
        self.services = ServiceRepository(backend.collection(SERVICES))
        self.pets = PetRepository(backend.collection(PETS))
        self.bookings = BookingRepository(backend.collection(BOOKINGS))
        self.schedules = ScheduleRepository(backend.collection(SCHEDULES))
        self.notifications = NotificationRepository(backend.collection(NOTIFICATIONS))
        self.idempotency = IdempotencyRepository(backend.collection(IDEMPOTENCY))
        self.trails = TrailRepository(backend.collection(TRAILS))
        self.payments = PaymentRepository(backend.collection(PAYMENTS))
        self.payout_accounts = PayoutAccountRepository(backend.collection(PAYOUT_ACCOUNTS))
        self.webhook_events = WebhookEventRepository(backend.collection(WEBHOOK_EVENTS))
        self.reviews = ReviewRepository(backend.collection(REVIEWS))
        self.outbox = OutboxRepository(backend.collection(OUTBOX))
        self.devices = DeviceRepository(backend.collection(DEVICES))
        self.account_tokens = AccountTokenRepository(backend.collection(ACCOUNT_TOKENS))
        self.preferences = PreferencesRepository(backend.collection(NOTIFICATION_PREFERENCES))
        self.jobs = JobRepository(backend.collection(JOBS))
        self.media = MediaRepository(backend.collection(MEDIA))

        self.walk_events = WalkEventRepository(backend.collection(WALK_EVENTS))
        self.walk_alerts = WalkAlertRepository(backend.collection(WALK_ALERTS))
        self.share_links = ShareLinkRepository(backend.collection(SHARE_LINKS))
        self.walk_files = WalkFileRepository(backend.collection(WALK_FILES))
        self.geo_search: GeoSearch = backend.geo_search
        self.listed = ListedBusinesses(self.businesses, self.services)

    async def setup(self) -> None:
        await self.backend.setup()
        await migrate(self.backend)

    async def ping(self) -> None:
        await self.backend.ping()

    async def close(self) -> None:
        await self.backend.close()
