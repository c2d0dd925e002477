from __future__ import annotations

from collections.abc import Iterator, Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest

from app.messages.devices import Device, Platform
from app.messages.file_sender import FileEmailSender
from app.messages.outbox import Channel
from app.messages.push_sender import EXPO_PUSH_URL, ExpoPushSender
from app.messages.senders import PermanentSendFailure, SendFailed
from app.messages.sms_sender import TwilioSmsSender
from app.messages.smtp_sender import SmtpSender
from app.store.store import Store
from tests.app.messages.fakes import RecordingTransport, message
from tests.support.clocks import T0
from tests.support.smtp_server import RecordingHandler, smtp_server

MAIL_FROM = "Walky <no-reply@walky.test>"


@pytest.fixture
def smtp() -> Iterator[tuple[str, RecordingHandler]]:
    with smtp_server() as server:
        yield server


def parse(raw: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return parsed


async def test_smtp_delivers_text_and_html_parts(smtp: tuple[str, RecordingHandler]) -> None:
    url, handler = smtp
    sender = SmtpSender(url, MAIL_FROM)
    sent = message("m-smtp", body="Rex <3 walks", link="https://walky.test/verify-email?token=abc")
    provider_id = await sender.send(sent)
    assert provider_id == "<m-smtp@walky>"
    [envelope] = handler.envelopes
    assert envelope.mail_from == "no-reply@walky.test"
    assert envelope.rcpt_tos == ["ada@example.com"]
    assert isinstance(envelope.original_content, bytes)
    email = parse(envelope.original_content)
    assert email["Subject"] == "Booking confirmed"
    assert email["Message-ID"] == "<m-smtp@walky>"
    text = email.get_body(("plain",))
    html = email.get_body(("html",))
    assert text is not None and html is not None
    assert "Rex <3 walks" in text.get_content()
    assert "https://walky.test/verify-email?token=abc" in text.get_content()
    # The HTML part escapes what people wrote.
    assert "Rex &lt;3 walks" in html.get_content()
    assert 'href="https://walky.test/verify-email?token=abc"' in html.get_content()


async def test_smtp_refused_recipient_is_permanent(smtp: tuple[str, RecordingHandler]) -> None:
    url, handler = smtp
    handler.refuse_recipients.add("gone@example.com")
    with pytest.raises(PermanentSendFailure):
        await SmtpSender(url, MAIL_FROM).send(message(to="gone@example.com"))


async def test_smtp_server_down_is_transient() -> None:
    with smtp_server() as (url, _):
        pass
    with pytest.raises(SendFailed) as raised:
        await SmtpSender(url, MAIL_FROM).send(message())
    assert not isinstance(raised.value, PermanentSendFailure)


@pytest.mark.parametrize("url", ["http://host", "smtp://", "mail.example.com:25"])
def test_smtp_url_is_checked_at_construction(url: str) -> None:
    with pytest.raises(ValueError, match="WALKY_SMTP_URL"):
        SmtpSender(url, MAIL_FROM)


async def test_file_sender_writes_one_eml_per_message(tmp_path: Path) -> None:
    sender = FileEmailSender(tmp_path / "outbox", MAIL_FROM)
    assert await sender.send(message("m-file")) == "m-file.eml"
    await sender.send(message("m-file"))
    [path] = (tmp_path / "outbox").iterdir()
    email = parse(path.read_bytes())
    assert email["To"] == "ada@example.com"
    assert email["From"] == MAIL_FROM


def expo_ok(request: httpx.Request) -> httpx.Response:
    entries = httpx.Response(200, content=request.content).json()
    return httpx.Response(200, json={"data": [{"status": "ok", "id": f"ticket-{i}"} for i in range(len(entries))]})


async def add_device(store: Store, token: str, user_id: str = "u1") -> None:
    await store.devices.register(Device(id=token, user_id=user_id, platform=Platform.IOS, created_at=T0))


async def test_expo_request_field_by_field(store: Store) -> None:
    await add_device(store, "ExponentPushToken[aaa]")
    await add_device(store, "ExponentPushToken[bbb]")
    recording = RecordingTransport(expo_ok)
    sender = ExpoPushSender(store.devices, access_token="expo-secret", transport=recording.transport)
    offer = message(
        "m-push",
        channel=Channel.PUSH,
        to=None,
        kind="dispatch.offer",
        title="New walk nearby",
        body="Rex, 400 m away",
        data={"bookingId": "b1"},
        expires_at=T0.replace(second=20),
    )
    assert await sender.send(offer) == "ticket-0,ticket-1"
    [request] = recording.requests
    assert request.method == "POST"
    assert str(request.url) == EXPO_PUSH_URL
    assert request.headers["authorization"] == "Bearer expo-secret"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    [entries] = recording.json_bodies()
    assert entries == [
        {
            "to": token,
            "title": "New walk nearby",
            "body": "Rex, 400 m away",
            "data": {"bookingId": "b1", "kind": "dispatch.offer", "messageId": "m-push"},
            "sound": "default",
            "priority": "high",
            "expiration": int(T0.replace(second=20).timestamp()),
        }
        for token in ("ExponentPushToken[aaa]", "ExponentPushToken[bbb]")
    ]
    await sender.aclose()


async def test_expo_without_access_token_sends_no_authorization(store: Store) -> None:
    await add_device(store, "ExponentPushToken[aaa]")
    recording = RecordingTransport(expo_ok)
    sender = ExpoPushSender(store.devices, transport=recording.transport)
    await sender.send(message(channel=Channel.PUSH, to=None))
    assert "authorization" not in recording.requests[0].headers
    assert "expiration" not in recording.json_bodies()[0][0]
    await sender.aclose()


async def test_expo_device_not_registered_removes_the_token(store: Store) -> None:
    await add_device(store, "ExponentPushToken[dead]")
    await add_device(store, "ExponentPushToken[live]")

    def reply(_: httpx.Request) -> httpx.Response:
        dead = {"status": "error", "message": "not registered", "details": {"error": "DeviceNotRegistered"}}
        return httpx.Response(200, json={"data": [dead, {"status": "ok", "id": "t-live"}]})

    sender = ExpoPushSender(store.devices, transport=RecordingTransport(reply).transport)
    assert await sender.send(message(channel=Channel.PUSH, to=None)) == "t-live"
    assert await store.devices.tokens_of("u1") == ["ExponentPushToken[live]"]
    await sender.aclose()


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, SendFailed), (503, SendFailed), (400, PermanentSendFailure)],
)
async def test_expo_errors_are_classified(store: Store, status: int, error: type[SendFailed]) -> None:
    await add_device(store, "ExponentPushToken[aaa]")
    transport = RecordingTransport(lambda _: httpx.Response(status, json={"errors": []})).transport
    sender = ExpoPushSender(store.devices, transport=transport)
    with pytest.raises(error) as raised:
        await sender.send(message(channel=Channel.PUSH, to=None))
    assert (type(raised.value) is PermanentSendFailure) == (error is PermanentSendFailure)
    await sender.aclose()


async def test_expo_without_devices_is_permanent(store: Store) -> None:
    recording = RecordingTransport(expo_ok)
    sender = ExpoPushSender(store.devices, transport=recording.transport)
    with pytest.raises(PermanentSendFailure):
        await sender.send(message(channel=Channel.PUSH, to=None))
    assert recording.requests == []
    await sender.aclose()


def twilio_created(_: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"sid": "SM123", "status": "queued"})


async def test_twilio_request_field_by_field() -> None:
    recording = RecordingTransport(twilio_created)
    sender = TwilioSmsSender("AC42", "twilio-secret", "+15550001111", transport=recording.transport)
    provider_id = await sender.send(
        message("m-sms", channel=Channel.SMS, to="+15552223333", title="Walk started", body="Rex is out")
    )
    assert provider_id == "SM123"
    [request] = recording.requests
    assert request.method == "POST"
    assert str(request.url) == "https://api.twilio.com/2010-04-01/Accounts/AC42/Messages.json"
    assert request.headers["authorization"] == httpx.BasicAuth("AC42", "twilio-secret")._auth_header
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["i-twilio-idempotency-token"] == "m-sms"
    assert recording.form_bodies() == [
        {"To": ["+15552223333"], "From": ["+15550001111"], "Body": ["Walk started: Rex is out"]}
    ]
    await sender.aclose()


@pytest.mark.parametrize(
    ("status", "error"),
    [(429, SendFailed), (500, SendFailed), (400, PermanentSendFailure)],
)
async def test_twilio_errors_are_classified(status: int, error: type[SendFailed]) -> None:
    transport = RecordingTransport(lambda _: httpx.Response(status, json={"code": 21211})).transport
    sender = TwilioSmsSender("AC42", "secret", "+15550001111", transport=transport)
    with pytest.raises(error) as raised:
        await sender.send(message(channel=Channel.SMS, to="+15552223333"))
    assert (type(raised.value) is PermanentSendFailure) == (error is PermanentSendFailure)
    await sender.aclose()


async def test_twilio_without_a_number_is_permanent() -> None:
    recording = RecordingTransport(twilio_created)
    sender = TwilioSmsSender("AC42", "secret", "+15550001111", transport=recording.transport)
    with pytest.raises(PermanentSendFailure):
        await sender.send(message(channel=Channel.SMS, to=None))
    assert recording.requests == []
    await sender.aclose()


class CountingDevices:
    """The real device repository, counting the reads the push sender makes."""

    def __init__(self, store: Store) -> None:
        self._devices = store.devices
        self.reads = 0

    async def tokens_of_many(self, user_ids: Sequence[str]) -> dict[str, list[str]]:
        self.reads += 1
        return await self._devices.tokens_of_many(user_ids)

    async def forget(self, token: str) -> None:
        await self._devices.forget(token)


async def test_expo_batch_reads_devices_once_and_packs_100_pushes_per_request(store: Store) -> None:
    await add_device(store, "ExponentPushToken[u0-a]", "u0")
    for i in range(150):
        await add_device(store, f"ExponentPushToken[u{i}]", f"u{i}")
    messages = [message(f"m{i}", channel=Channel.PUSH, to=None, user_id=f"u{i}") for i in range(150)]
    messages.append(message("m-nobody", channel=Channel.PUSH, to=None, user_id="nobody"))

    def reply(request: httpx.Request) -> httpx.Response:
        entries = httpx.Response(200, content=request.content).json()
        if entries[0]["data"]["messageId"] == "m99":
            return httpx.Response(503, json={"errors": []})
        return expo_ok(request)

    recording = RecordingTransport(reply)
    devices = CountingDevices(store)
    sender = ExpoPushSender(devices, transport=recording.transport)
    outcomes = await sender.send_many(messages)
    assert devices.reads == 1
    bodies = sorted(recording.json_bodies(), key=len, reverse=True)
    # A message's pushes stay in one request: u0's two devices and 98 more fill the first one.
    assert [len(body) for body in bodies] == [100, 51]
    assert [entry["to"] for entry in bodies[0][:2]] == ["ExponentPushToken[u0-a]", "ExponentPushToken[u0]"]
    assert outcomes[0] == "ticket-0,ticket-1"
    assert outcomes[98] == "ticket-99"
    assert all(type(outcome) is SendFailed for outcome in outcomes[99:150])
    assert type(outcomes[150]) is PermanentSendFailure
    await sender.aclose()
