"""Phone verification on the store alone: a 6-digit code by SMS, hashed at rest, single use, 10 minutes,
5 tries, rate-limited per account and per number; a new number clears the verification."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from app.auth.principal import Principal
from app.domain.phone_codes import CODE_LIFETIME, MAX_TRIES
from app.domain.users import Role
from app.errors import Conflict, RateLimited, ValidationFailed
from app.messages.outbox import Channel
from app.usecases.accounts import phone
from app.usecases.accounts.phone import CodeInput
from tests.app.usecases.accounts.helpers import Ports, register

NUMBER = "+33 6 12 34 56 78"


async def person(ports: Ports, email: str = "pat@example.com", number: str | None = NUMBER) -> Principal:
    session = await register(ports, email)
    if number is not None:
        await ports.store.users.update_fields(session.user.id, {"phone": number}, ports.clock.now())
    return Principal(session.user.id, Role.OWNER)


async def texted_code(ports: Ports, user_id: str) -> str:
    """The code in the latest text sent to the person."""
    texts = [m for m in await ports.store.outbox.of_user(user_id) if m.channel is Channel.SMS]
    assert texts, "no text"
    found = re.search(r"\b(\d{6})\b", texts[-1].body)
    assert found is not None
    return found.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


async def test_the_texted_code_verifies_the_number_once(ports: Ports) -> None:
    pat = await person(ports)

    sent = await phone.send_code(ports, pat)

    assert sent.expires_at == ports.clock.now() + CODE_LIFETIME
    [text] = [m for m in await ports.store.outbox.of_user(pat.user_id) if m.channel is Channel.SMS]
    assert (text.to, text.kind) == (NUMBER, "account.verify_phone")
    assert text.expires_at is not None and abs(text.expires_at - sent.expires_at) < timedelta(milliseconds=1)
    assert ports.outbox_relay.woken == 2  # the sign-up email, then the text
    code = await texted_code(ports, pat.user_id)
    stored = await ports.store.users.get(pat.user_id)
    assert stored is not None and stored.phone_code is not None
    # At rest only a keyed hash: neither the code nor its plain SHA-256 is stored.
    assert code not in stored.to_doc().__repr__()
    assert stored.phone_code.code_hash != hashlib.sha256(code.encode()).hexdigest()

    verified = await phone.verify_code(ports, pat, CodeInput(code=code))

    assert verified.is_phone_verified
    with pytest.raises(ValidationFailed):
        await phone.verify_code(ports, pat, CodeInput(code=code))
    with pytest.raises(Conflict, match="verified already"):
        await phone.send_code(ports, pat)


async def test_a_code_expires_after_ten_minutes(ports: Ports) -> None:
    pat = await person(ports)
    await phone.send_code(ports, pat)
    code = await texted_code(ports, pat.user_id)

    ports.clock.advance(CODE_LIFETIME.total_seconds())

    with pytest.raises(ValidationFailed, match="expired"):
        await phone.verify_code(ports, pat, CodeInput(code=code))
    user = await ports.store.users.get(pat.user_id)
    assert user is not None and not user.is_phone_verified


async def test_five_wrong_tries_spend_the_code(ports: Ports) -> None:
    pat = await person(ports)
    await phone.send_code(ports, pat)
    code = await texted_code(ports, pat.user_id)

    for _ in range(MAX_TRIES):
        with pytest.raises(ValidationFailed, match="wrong code"):
            await phone.verify_code(ports, pat, CodeInput(code=wrong(code)))

    with pytest.raises(ValidationFailed, match="too many"):
        await phone.verify_code(ports, pat, CodeInput(code=code))
    # A new code starts with five tries again, and the old one is void.
    ports.clock.advance(60)
    await phone.send_code(ports, pat)
    fresh = await texted_code(ports, pat.user_id)
    if fresh != code:
        with pytest.raises(ValidationFailed):
            await phone.verify_code(ports, pat, CodeInput(code=code))
    assert (await phone.verify_code(ports, pat, CodeInput(code=fresh))).is_phone_verified


async def test_sending_is_limited_per_account_and_per_number(ports: Ports) -> None:
    pat = await person(ports)
    for _ in range(5):
        await phone.send_code(ports, pat)
    with pytest.raises(RateLimited):
        await phone.send_code(ports, pat)
    # Another account with the same number, written another way: the number's own limit is spent too.
    sam = await person(ports, "sam@example.com", number="+33612345678")
    with pytest.raises(RateLimited):
        await phone.send_code(ports, sam)
    # The account's limit holds whatever the number.
    await ports.store.users.update_fields(pat.user_id, {"phone": "+33 7 00 00 00 00"}, ports.clock.now())
    with pytest.raises(RateLimited):
        await phone.send_code(ports, pat)


async def test_a_new_number_clears_the_verification_and_voids_the_code(ports: Ports) -> None:
    pat = await person(ports)
    await phone.send_code(ports, pat)
    await phone.verify_code(ports, pat, CodeInput(code=await texted_code(ports, pat.user_id)))
    now = ports.clock.now()

    same = await ports.store.users.update_fields(pat.user_id, {"phone": NUMBER}, now)
    assert same is not None and same.is_phone_verified
    changed = await ports.store.users.update_fields(pat.user_id, {"phone": "+33 7 00 00 00 00"}, now)
    assert changed is not None and not changed.is_phone_verified

    await phone.send_code(ports, pat)
    code = await texted_code(ports, pat.user_id)
    await ports.store.users.update_fields(pat.user_id, {"phone": NUMBER}, now)
    with pytest.raises(ValidationFailed):
        await phone.verify_code(ports, pat, CodeInput(code=code))


async def test_without_a_number_there_is_nothing_to_verify(ports: Ports) -> None:
    pat = await person(ports, number=None)
    with pytest.raises(Conflict, match="no phone number"):
        await phone.send_code(ports, pat)
    with pytest.raises(ValidationFailed):
        await phone.verify_code(ports, pat, CodeInput(code="123456"))
