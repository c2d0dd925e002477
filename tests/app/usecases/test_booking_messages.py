"""A booking's notification reaches each party worded for them, in their locale, from the booking's facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.domain.bookings import Booking, BookingLocation, BookingPricing, BookingStatus
from app.domain.businesses import Address, Business, point
from app.domain.pets import Pet, Species
from app.domain.services import ServiceType
from app.domain.users import Role, User
from app.domain.workers import Worker
from app.messages.devices import Device, Platform
from app.messages.outbox import Category, Channel
from app.messages.preferences import NotificationPreferences
from app.settings import Settings
from app.store.store import Store
from app.usecases.message_facts import booking_facts
from app.usecases.notifications import notify
from tests.app.usecases.fakes import Relay
from tests.support.clocks import MovableClock
from tests.support.recorders import EventRecorder

PICKUP = (-3.6921, 40.4189)
AREA = {"type": "Polygon", "coordinates": [[[-3.8, 40.3], [-3.6, 40.3], [-3.6, 40.5], [-3.8, 40.5], [-3.8, 40.3]]]}


@dataclass
class Ports:
    store: Store
    clock: MovableClock
    events: EventRecorder = field(default_factory=EventRecorder)
    outbox_relay: Relay = field(default_factory=Relay)
    settings: Settings = field(
        default_factory=lambda: Settings(_env_file=None, public_url="https://walky.example", app_url="walky://")
    )


async def user(store: Store, user_id: str, first: str, last: str, role: Role, locale: str = "en") -> None:
    now = datetime.now(UTC)
    await store.users.add(
        User(
            id=user_id,
            email=f"{user_id}@example.com",
            password_hash="unused",
            role=role,
            first_name=first,
            last_name=last,
            phone="+34 600 000 000",
            locale=locale,
            created_at=now,
            updated_at=now,
        )
    )


async def a_booking(store: Store) -> Booking:
    """Ana (Spanish) and her co-owner Carla book Sam of Happy Paws, in Madrid, for Rex."""
    now = datetime(2026, 12, 1, tzinfo=UTC)
    await user(store, "ana", "Ana", "Ortega", Role.OWNER, "es")
    await user(store, "carla", "Carla", "Ruiz", Role.OWNER)
    await user(store, "sam", "Sam", "Berg", Role.WORKER)
    await user(store, "boss", "Bo", "Boss", Role.BUSINESS)
    await store.businesses.add(
        Business(
            id="b1",
            owner_id="boss",
            name="Happy Paws",
            address=Address(coordinates=PICKUP),
            location=point(*PICKUP),
            service_area=AREA,
            timezone="Europe/Madrid",
            created_at=now,
            updated_at=now,
        )
    )
    await store.workers.add(
        Worker(
            id="w1", user_id="sam", business_id="b1", first_name="Sam", last_name="Berg", email="sam@example.com",
            created_at=now, updated_at=now,
        )
    )  # fmt: skip
    await store.pets.add(
        Pet(
            id="p1",
            owner_id="ana",
            co_owner_ids=["carla"],
            name="Rex",
            species=Species.DOG,
            created_at=now,
            updated_at=now,
        )
    )
    start = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    return Booking(
        id="bk1",
        booking_number="WK-7QH3M9TX",
        owner_id="ana",
        watcher_ids=["ana", "carla"],
        pet_ids=["p1"],
        service_type=ServiceType.WALKING,
        business_id="b1",
        worker_id="w1",
        status=BookingStatus.CONFIRMED,
        asap=False,
        scheduled_at=start,
        duration=60,
        ends_at=start + timedelta(hours=1),
        location=BookingLocation(address="Calle de Alcalá 42, Madrid", coordinates=PICKUP),
        pricing=BookingPricing(base_price=2500, additional=0, platform_fee=250, total_amount=2750, currency="EUR"),
        created_at=now,
        updated_at=now,
    )


async def test_each_party_reads_the_confirmation_worded_for_them_in_their_language(
    store: Store, clock: MovableClock
) -> None:
    ports = Ports(store, clock)
    booking = await a_booking(store)
    # Ana takes her confirmations by SMS too.
    channels = [Channel.PUSH, Channel.EMAIL, Channel.SMS]
    await store.preferences.put(NotificationPreferences(id="ana", channels={Category.BOOKING_STATUS: channels}))
    await store.devices.register(
        Device(id="ExponentPushToken[ana]", user_id="ana", platform=Platform.IOS, created_at=clock.now())
    )

    await notify(
        ports,
        ["ana", "carla", "boss", "sam"],
        kind="booking.confirmed",
        title="Booking confirmed",
        message="Sam will take care of it.",
        data={"bookingId": booking.id},
        about=await booking_facts(store, booking),
    )

    ana = {message.channel: message for message in await store.outbox.of_user("ana")}
    assert ana[Channel.EMAIL].title == "Sam Berg paseará a Rex · WK-7QH3M9TX"
    assert "miércoles, 9 de diciembre de 2026, 10:00" in ana[Channel.EMAIL].body
    html = ana[Channel.EMAIL].html
    assert html is not None and 'lang="es"' in html
    assert ana[Channel.EMAIL].link == "https://walky.example/bookings/bk1"
    assert ana[Channel.PUSH].data["url"] == "walky://bookings/bk1"
    # One GSM-7 segment: `é` is in the alphabet, `á` is not and loses its accent.
    assert (ana[Channel.SMS].title, ana[Channel.SMS].body) == (
        "",
        "WK-7QH3M9TX mié, 9 dic, 10:00: Sam Berg paseara a Rex. Calle de Alcala 42, Madrid https://walky.example/bookings/bk1",
    )
    [sam] = await store.outbox.of_user("sam")
    assert sam.title == "You will walk Rex for Ana Ortega · WK-7QH3M9TX" and "Sam Berg" not in sam.body
    [carla] = await store.outbox.of_user("carla")
    assert "Ana Ortega's booking WK-7QH3M9TX is confirmed" in carla.body
    [boss] = await store.outbox.of_user("boss")
    assert boss.title == "Sam Berg will walk Ana Ortega's Rex · WK-7QH3M9TX"
    # The in-app list shows the push's words.
    [stored] = await store.notifications.of_user("sam")
    assert stored.title == "You will walk Rex for Ana Ortega"


async def test_someone_with_no_part_in_the_booking_gets_the_plain_text(store: Store, clock: MovableClock) -> None:
    ports = Ports(store, clock)
    booking = await a_booking(store)
    await user(store, "admin", "Ad", "Min", Role.ADMIN)

    await notify(
        ports,
        ["admin"],
        kind="booking.confirmed",
        title="Booking confirmed",
        message="Sam will take care of it.",
        data={"bookingId": booking.id},
        about=await booking_facts(store, booking),
    )

    [email] = await store.outbox.of_user("admin")
    assert (email.title, email.body, email.html) == ("Booking confirmed", "Sam will take care of it.", None)
