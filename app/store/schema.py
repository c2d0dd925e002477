"""Collections and their indexes, declared once; each store adapter derives its own indexes from this."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

IndexKind = Literal["asc", "desc", "2dsphere"]

NOTIFICATION_RETENTION_S = 90 * 24 * 3600


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[tuple[str, IndexKind], ...]
    unique: bool = False
    # Only documents that have every key are indexed (Mongo partial index on $exists).
    sparse: bool = False
    # A TTL index (one timestamp key): MongoDB deletes a document this long after that time. SQLite has
    # no TTL and creates no index for it; a retention job purges instead (app/usecases/scheduled.py).
    expire_after_s: int | None = None


USERS = "users"
REFRESH_TOKENS = "refresh_tokens"
BUSINESSES = "businesses"
WORKERS = "workers"
SERVICES = "services"
PETS = "pets"
BOOKINGS = "bookings"
SCHEDULES = "worker_schedules"
NOTIFICATIONS = "notifications"
IDEMPOTENCY = "idempotency_keys"
TRAILS = "trail_points"
OFFLINE_PAYMENTS = "offline_gateway"
PAYMENTS = "payments"
PAYOUT_ACCOUNTS = "payout_accounts"
WEBHOOK_EVENTS = "webhook_events"
REVIEWS = "reviews"
# The store's own facts: {id: "schema", schemaVersion} (app/store/migrations.py).
META = "meta"

OUTBOX = "outbox"
DEVICES = "devices"
ACCOUNT_TOKENS = "account_tokens"
NOTIFICATION_PREFERENCES = "notification_preferences"
JOBS = "jobs"
MEDIA = "media"

WALK_EVENTS = "walk_events"
SHARE_LINKS = "share_links"
# Once-only walk alerts (walker arrived, device silent), claimed by a deterministic id.
WALK_ALERTS = "walk_alerts"
WALK_FILES = "walk_files"

COLLECTIONS: dict[str, tuple[Index, ...]] = {
    USERS: (Index("email_unique", (("email", "asc"),), unique=True),),
    REFRESH_TOKENS: (
        Index("family", (("familyId", "asc"),)),
        Index("user", (("userId", "asc"),)),
    ),
    BUSINESSES: (
        Index("owner", (("ownerId", "asc"),)),
        # Public browse: active businesses in browse order (app/store/marketplace/businesses.py BROWSE_ORDER). `status`
        # comes last, after the order: the suspension filter, the name filter and the count read only this
        # index (SQLite), never the documents.
        Index(
            "browse",
            (("isActive", "asc"), ("rating.average", "desc"), ("name", "asc"), ("id", "asc"), ("status", "asc")),
        ),
        Index("status", (("status", "asc"), ("id", "asc"))),
        # $geoNear needs exactly this index; SQLite keeps an R*Tree instead (app/store/sqlite/geo_search.py).
        Index("location_2dsphere", (("location", "2dsphere"),)),
        Index("service_area_2dsphere", (("serviceArea", "2dsphere"),)),
    ),
    WORKERS: (
        Index("business", (("businessId", "asc"), ("createdAt", "asc"))),
        Index("user_unique", (("userId", "asc"),), unique=True),
    ),
    SERVICES: (
        Index("business", (("businessId", "asc"), ("createdAt", "asc"))),
        # With businessId: "which businesses offer walking" is answered from the index alone.
        Index("type_business", (("serviceType", "asc"), ("isActive", "asc"), ("businessId", "asc"))),
    ),
    PETS: (
        Index("owner", (("ownerId", "asc"), ("createdAt", "asc"))),
        Index("co_owners", (("coOwnerIds", "asc"),)),
    ),
    BOOKINGS: (
        Index("number_unique", (("bookingNumber", "asc"),), unique=True),
        Index("owner", (("ownerId", "asc"), ("createdAt", "desc"))),
        Index("watchers", (("watcherIds", "asc"), ("createdAt", "desc"))),
        Index("business", (("businessId", "asc"), ("status", "asc"), ("createdAt", "desc"))),
        Index("worker", (("workerId", "asc"), ("status", "asc"), ("createdAt", "desc"))),
        # Schedules: a worker's or a business's bookings in a time range.
        Index("worker_schedule", (("workerId", "asc"), ("scheduledAt", "asc"))),
        Index("business_schedule", (("businessId", "asc"), ("scheduledAt", "asc"))),
        # Offers that may have expired while no process was watching them (restart recovery).
        Index("dispatch", (("dispatch.state", "asc"),), sparse=True),
        # Walks in progress, read at start to rebuild the active-walk table (app/live/active_walks.py).
        Index("status", (("status", "asc"),)),
        # Reminders: bookings starting in a window.
        Index("scheduled", (("scheduledAt", "asc"), ("status", "asc"))),
    ),
    SCHEDULES: (),
    NOTIFICATIONS: (
        Index("user", (("userId", "asc"), ("createdAt", "desc"))),
        # The list filtered by the seed's groups (GET /v1/notifications?type=booking).
        Index("group", (("userId", "asc"), ("group", "asc"), ("createdAt", "desc"))),
        # The retention purge (90 days), on both stores: on MongoDB it catches documents stored before
        # the TTL index below existed.
        Index("created", (("createdAt", "asc"),)),
        # Retention on MongoDB: a TTL index (no index on SQLite, which has no TTL).
        Index("expiry", (("createdAt", "asc"),), expire_after_s=NOTIFICATION_RETENTION_S),
    ),
    IDEMPOTENCY: (),
    TRAILS: (Index("booking_time", (("bookingId", "asc"), ("t", "asc"))),),
    # The offline payment gateway's journal (embedded default only).
    OFFLINE_PAYMENTS: (),
    PAYMENTS: (
        # One payment record per booking, however often the intent route is called.
        Index("booking_unique", (("bookingId", "asc"),), unique=True),
        Index("intent_unique", (("intentId", "asc"),), unique=True),
        Index("owner", (("ownerId", "asc"), ("createdAt", "desc"))),
        Index("business", (("businessId", "asc"), ("createdAt", "desc"))),
        # The settlement retries job: only payments with a failed settlement have the field.
        Index("settle_retry", (("settleRetryAt", "asc"),), sparse=True),
    ),
    PAYOUT_ACCOUNTS: (Index("account_unique", (("accountId", "asc"),), unique=True),),
    WEBHOOK_EVENTS: (),
    META: (),
    REVIEWS: (
        Index("booking_unique", (("bookingId", "asc"),), unique=True),
        Index("business", (("businessId", "asc"), ("status", "asc"), ("createdAt", "desc"))),
        Index("worker", (("workerId", "asc"), ("status", "asc"), ("createdAt", "desc"))),
        Index("moderation", (("status", "asc"), ("updatedAt", "asc"))),
    ),
    # The relay's query: pending messages whose lease has passed, oldest first.
    OUTBOX: (
        Index("due", (("status", "asc"), ("leaseUntil", "asc"))),
        # Reading back what a batch claim won (OutboxRepository.claim).
        Index("claim", (("claimId", "asc"),), sparse=True),
        Index("user", (("userId", "asc"), ("createdAt", "asc"))),
    ),
    DEVICES: (Index("user", (("userId", "asc"), ("createdAt", "asc"))),),
    ACCOUNT_TOKENS: (Index("user", (("userId", "asc"), ("purpose", "asc"))),),
    NOTIFICATION_PREFERENCES: (),
    # One record per job name, read by id.
    JOBS: (),
    MEDIA: (
        Index("subject", (("subjectId", "asc"), ("kind", "asc"), ("createdAt", "asc"))),
        # The cleanup job asks which stored keys are still pointed to.
        Index("key", (("key", "asc"),)),
        Index("thumbnail_key", (("thumbnailKey", "asc"),), sparse=True),
    ),
    WALK_EVENTS: (Index("booking_time", (("bookingId", "asc"), ("at", "asc"))),),
    SHARE_LINKS: (Index("booking", (("bookingId", "asc"),)),),
    WALK_ALERTS: (),
    WALK_FILES: (),
}

# Collections whose writes bump a change counter (DocumentCollection.version), so derived answers can be
# cached until the next write by any process: the public browse reads businesses and services.
VERSIONED: frozenset[str] = frozenset({BUSINESSES, SERVICES})

# Fields holding arrays whose equality filters match any element ({"coOwnerIds": user_id}).
# MongoDB does this natively; the SQLite adapter needs to know, to query them with json_each.
ARRAY_FIELDS: dict[str, frozenset[str]] = {
    PETS: frozenset({"coOwnerIds"}),
    BOOKINGS: frozenset({"watcherIds", "petIds"}),
    SERVICES: frozenset({"petTypes"}),
}
