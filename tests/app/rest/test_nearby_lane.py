"""The nearby lane answers exactly what the whole stack answers, and counts each request once.

The nearby read has two ways in: FastAPI's route through the whole stack, and the lane. Their answers are
compared byte for byte (status, headers but the request id and date, body), with Sentry off and on:
answers, bad queries, bad tokens, the rate limit's refusal and an unexpected error.
"""

from __future__ import annotations

import asyncio
import random
import time
import types
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth.principal import Principal
from app.composition import Services
from app.domain.fixes import LiveFix
from app.domain.users import Role
from app.rest.nearby_lane import NearbyLane, query_pairs
from app.service import api_of, create_app, services_of
from app.settings import Settings
from app.usecases.live import nearby
from geo.coordinates import LngLat
from geo.distance import destination
from tests.app.ops.recording_sentry import recording_sentry
from tests.realtime.conftest import LAT, LNG, add_worker
from tests.support.asgi import http_client, lifespan

PATH = "/v1/locations/workers"
ORIGIN = "https://app.walky.example"
# Headers the two paths are allowed to differ in: a fresh id per request, and the clock.
VARYING = {"x-request-id", "date"}


class Lane:
    """The app's lane, switchable off (every request then takes the whole stack), with a count of the
    requests it handed on."""

    def __init__(self, lane: NearbyLane) -> None:
        self.lane = lane
        self.handed_on = 0
        self.off = False
        stack = lane.app

        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["path"] == PATH:
                self.handed_on += 1
            await stack(scope, receive, send)

        lane.app = counted
        plain = lane._plain_query

        async def switchable(scope: Scope) -> Any:
            return None if self.off else await plain(scope)

        lane._plain_query = switchable  # type: ignore[method-assign]


def find_lane(app: ASGIApp) -> NearbyLane:
    layer: Any = api_of(app).middleware_stack
    while not isinstance(layer, NearbyLane):
        layer = layer.app
    return layer


async def online_worker(services: Services, business_id: str, bearing: float, distance_m: float) -> str:
    worker_id, _ = await add_worker(services, business_id)
    position = destination(LngLat(LNG, LAT), bearing, distance_m)
    seen = int(services.clock.now().timestamp() * 1000)
    await services.live_index.set_presence(worker_id, business_id, online=True, available=True)
    await services.live_index.record_fix(worker_id, business_id, LiveFix(position, seen, 5.0), seen)
    return worker_id


World = tuple[httpx.AsyncClient, Services, Lane]


@asynccontextmanager
async def make_world(
    tmp_path: Path, *, sentry: bool, rate: str = "100000/minute", request_timeout_s: float = 10.0
) -> AsyncIterator[World]:
    with ExitStack() as reports:
        dsn = reports.enter_context(recording_sentry())[0] if sentry else None
        settings = Settings(
            data_dir=tmp_path / "data",
            cors_origins=[ORIGIN],
            api_rate_limit=rate,
            request_timeout_s=request_timeout_s,
            sentry_dsn=dsn,
            _env_file=None,
        )
        app = create_app(settings)
        async with lifespan(app), http_client(app) as client:
            services = services_of(app)
            await client.get("/healthz")  # builds the middleware stack
            for i in range(30):
                await online_worker(services, f"b{i % 3}", bearing=i * 12.0, distance_m=100.0 + 60 * i)
            yield client, services, Lane(find_lane(app))


@pytest.fixture(params=[False, True], ids=["sentry-off", "sentry-on"])
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    async with make_world(tmp_path, sentry=request.param) as made:
        yield made


def token(services: Services, role: Role = Role.OWNER, business_id: str | None = None) -> str:
    return services.access_tokens.issue(Principal(f"u-{role}", role, business_id, None), services.clock.now())


def comparable(response: httpx.Response) -> tuple[int, Headers, bytes]:
    """The answer as the client got it: the status, the headers in their order (the two varying ones left
    out), the body's bytes."""
    headers = Headers(item for item in response.headers.multi_items() if item[0] not in VARYING)
    return response.status_code, headers, response.content


class Headers(tuple[tuple[str, str], ...]):
    """Headers in their order, compared as such; `headers[name]` the value of the first named so."""

    def __getitem__(self, name: str) -> str:  # type: ignore[override]
        return next(value for key, value in self if key == name)


async def both(client: httpx.AsyncClient, lane: Lane, url: str, headers: list[tuple[str, str]]) -> tuple[Any, Any]:
    if all(name != "accept-encoding" for name, _ in headers):
        headers = [*headers, ("accept-encoding", "identity")]  # httpx asks for gzip unless told otherwise
    lane.off = False
    through_lane = await client.get(url, headers=headers)
    lane.off = True
    through_stack = await client.get(url, headers=headers)
    lane.off = False
    return comparable(through_lane), comparable(through_stack)


async def test_a_plain_request_is_answered_by_the_lane_with_the_stacks_bytes(world: World) -> None:
    client, services, lane = world
    url = f"{PATH}?lat={LAT}&lng={LNG}&radius=2000&limit=20"
    for role, business in [(Role.OWNER, None), (Role.ADMIN, None), (Role.BUSINESS, "b1")]:
        headers = [("authorization", f"Bearer {token(services, role, business)}")]
        before = lane.handed_on
        through_lane, through_stack = await both(client, lane, url, headers)
        assert lane.handed_on == before + 1  # only the switched-off request went down the stack
        assert through_lane == through_stack
        status, answer_headers, body = through_lane
        assert status == 200 and len(body) > 1024
        assert answer_headers["vary"] == "Accept-Encoding, Origin"
        assert answer_headers["x-content-type-options"] == "nosniff"
    response = await client.get(
        url,
        headers={"authorization": f"Bearer {token(services)}", "x-request-id": "abc", "accept-encoding": "identity"},
    )
    assert response.headers["x-request-id"] == "abc"


def random_request(rng: random.Random, services: Services) -> tuple[str, list[tuple[str, str]]]:
    values = {
        "lat": [str(LAT), "91", "-90", "abc", "", "nan", "48.85"],
        "lng": [str(LNG), "181", "-180", "x", "inf"],
        "radius": ["2000", "0", "-1", "1e9", "50", "big"],
        "limit": ["1", "20", "100", "101", "0", "2.5", "9" * 30],
        "serviceType": ["walking", "grooming", "nope"],
        "service_type": ["walking"],
        "unknown": ["1"],
    }
    # Mostly plain requests with one thing or another changed: the first value of each is a good one.
    wanted = {"lat": 0.95, "lng": 0.95, "unknown": 0.05, "service_type": 0.05}
    pairs = [
        (name, choices[0] if rng.random() < 0.75 else rng.choice(choices))
        for name, choices in values.items()
        if rng.random() < wanted.get(name, 0.4)
    ]
    if pairs and rng.random() < 0.1:
        pairs.append(rng.choice(pairs))  # a name twice
    url = PATH + ("?" + "&".join(f"{name}={value}" for name, value in pairs) if pairs else "")
    good = token(services)
    headers: list[tuple[str, str]] = []
    authorization = (
        f"Bearer {good}"
        if rng.random() < 0.7
        else rng.choice([f"bearer {good}", f"Bearer  {good}", "Bearer nonsense", f"Basic {good}", None])
    )
    if authorization is not None:
        headers.append(("authorization", authorization))
    for header in [
        ("accept-encoding", "gzip"),
        ("origin", ORIGIN),
        ("origin", "https://evil.example"),
        ("content-length", "0"),
        ("x-request-id", "fixed"),
        ("authorization", f"Bearer {good}"),
    ]:
        if rng.random() < 0.08:
            headers.append(header)
    return url, headers


async def test_any_request_gets_the_same_answer_through_the_lane_as_through_the_stack(world: World) -> None:
    client, services, lane = world
    rng = random.Random(17)
    statuses: set[int] = set()
    served_by_lane = 0
    for _ in range(300):
        url, headers = random_request(rng, services)
        before = lane.handed_on
        through_lane, through_stack = await both(client, lane, url, headers)
        served_by_lane += lane.handed_on == before + 1
        assert through_lane == through_stack, (url, headers)
        statuses.add(through_lane[0])
    # The cases covered: answers, bad tokens, bad queries; and both paths were taken.
    assert {200, 401, 422} <= statuses
    assert 20 < served_by_lane < 280


@pytest.mark.parametrize("sentry", [False, True], ids=["sentry-off", "sentry-on"])
async def test_the_rate_limits_refusal_is_the_stacks_to_the_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sentry: bool
) -> None:
    # Retry-After counts down from the window's reset in whole seconds: one clock for both answers.
    now = time.time()
    monkeypatch.setattr("app.ratelimit.time", types.SimpleNamespace(time=lambda: now, monotonic=time.monotonic))
    async with make_world(tmp_path, sentry=sentry, rate="2/minute") as (client, services, lane):
        url = f"{PATH}?lat={LAT}&lng={LNG}"
        headers = [("authorization", f"Bearer {token(services)}")]
        answered = await both(client, lane, url, headers)
        refused = await both(client, lane, url, headers)
    assert answered[0] == answered[1] and answered[0][0] == 200
    through_lane, through_stack = refused
    assert through_lane == through_stack
    assert through_lane[0] == 429 and through_lane[1]["retry-after"]


@pytest.mark.parametrize("sentry", [False, True], ids=["sentry-off", "sentry-on"])
async def test_an_unexpected_error_is_the_stacks_500_to_the_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sentry: bool
) -> None:
    async def failing(*_: object) -> None:
        raise RuntimeError("index exploded")

    async with make_world(tmp_path, sentry=sentry) as (client, services, lane):
        monkeypatch.setattr(nearby, "find_nearby_workers", failing)
        before = lane.handed_on
        through_lane, through_stack = await both(
            client, lane, f"{PATH}?lat={LAT}&lng={LNG}", [("authorization", f"Bearer {token(services)}")]
        )
        assert lane.handed_on == before + 1  # the lane served the first
    assert through_lane == through_stack
    assert through_lane[0] == 500


async def test_each_request_counts_once_against_the_rate_limit(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", api_rate_limit="4/minute", _env_file=None)
    app = create_app(settings)
    async with lifespan(app), http_client(app) as client:
        services = services_of(app)
        headers = {"authorization": f"Bearer {token(services)}", "accept-encoding": "identity"}
        plain = await client.get(PATH, params={"lat": LAT, "lng": LNG}, headers=headers)
        handed_on = await client.get(PATH, params={"lat": LAT, "lng": 500}, headers=headers)
        gzip = await client.get(PATH, params={"lat": LAT, "lng": LNG}, headers={**headers, "accept-encoding": "gzip"})
        last = await client.get(PATH, params={"lat": LAT, "lng": LNG}, headers=headers)
        over = await client.get(PATH, params={"lat": LAT, "lng": LNG}, headers=headers)
    assert [r.status_code for r in (plain, handed_on, gzip, last, over)] == [200, 422, 200, 200, 429]
    assert over.json()["error"]["code"] == "RATE_LIMITED"
    assert int(over.headers["retry-after"]) >= 1


@pytest.mark.parametrize("sentry", [False, True], ids=["sentry-off", "sentry-on"])
async def test_a_search_past_the_deadline_gets_the_stacks_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sentry: bool
) -> None:
    async def stuck(*_: Any, **__: Any) -> Any:
        await asyncio.sleep(5)

    async with make_world(tmp_path, sentry=sentry, request_timeout_s=0.05) as (client, services, lane):
        monkeypatch.setattr(services.live_index, "nearby", stuck)
        headers = [("authorization", f"Bearer {token(services)}"), ("x-request-id", "abc")]
        through_lane, through_stack = await both(client, lane, f"{PATH}?lat={LAT}&lng={LNG}", headers)
    assert through_lane == through_stack
    status, answer_headers, body = through_lane
    assert status == 503
    assert orjson.loads(body)["error"]["code"] == "UNAVAILABLE"
    assert answer_headers["retry-after"] == "1"


# Query texts made of what matters to a query parse: separators, escapes, blanks and a few names.
query_texts = st.lists(
    st.sampled_from(["&", "=", "%", "%2", "%20", "%zz", "+", ";", "lat", "lng", "20", "-0.5", "é", " ", ""])
).map("".join)


@given(st.one_of(query_texts, st.text()))
def test_query_pairs_reads_a_query_as_parse_qsl_does(query: str) -> None:
    assert query_pairs(query) == parse_qsl(query, keep_blank_values=True)
