"""What the scrubber removes from free text and from keyed data."""

from __future__ import annotations

import pytest

from app.ops.scrub import FILTERED, scrub, scrub_event, scrub_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail ada.l+x@example.co.uk now", "mail [email] now"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln end", "jwt [token] end"),
        ("Authorization: Bearer abc.def", "Authorization: Bearer [token]"),
        ("key sk_live_51Habc and whsec_xyz", "key [key] and [key]"),
        ("at -0.127500, 51.507200 now", "at [coordinates] now"),
        ("lat 51.50722 alone", "lat [coordinate] alone"),
        ("card 4242-4242-4242-4242 paid", "card [card] paid"),
        # Not a card: fails the Luhn check (an id, a timestamp in milliseconds).
        ("epoch 1764489600001 ok", "epoch 1764489600001 ok"),
        ("took 12.5 ms for 3 pets", "took 12.5 ms for 3 pets"),
    ],
)
def test_free_text(text: str, expected: str) -> None:
    assert scrub_text(text) == expected


def test_keys_that_name_personal_or_secret_data_lose_their_values() -> None:
    data = {
        "refresh_token": "abc",
        "X-Api-Key": "k",
        "cardNumber": "4",
        "lat": 1.0,
        "location": {"type": "Point"},
        "nested": [{"password": "p", "count": 3}],
        "headers": [["Cookie", "a=b"], ["Accept", "json"]],
    }
    assert scrub(data) == {
        "refresh_token": FILTERED,
        "X-Api-Key": FILTERED,
        "cardNumber": FILTERED,
        "lat": FILTERED,
        "location": FILTERED,
        "nested": [{"password": FILTERED, "count": 3}],
        "headers": [["Cookie", FILTERED], ["Accept", "json"]],
    }


def test_events_lose_bodies_cookies_query_values_and_user_details() -> None:
    event = {
        "request": {"data": {"x": 1}, "cookies": {"a": "b"}, "query_string": "lat=1&lng=2&q", "method": "POST"},
        "user": {"id": "u1", "email": "a@b.co", "ip_address": "203.0.113.7"},
        "breadcrumbs": {"values": [{"message": "login a@b.co"}]},
    }
    assert scrub_event(event) == {
        "request": {"query_string": "lat=[Filtered]&lng=[Filtered]&q=[Filtered]", "method": "POST"},
        "user": {"id": "u1"},
        "breadcrumbs": {"values": [{"message": "login [email]"}]},
    }
