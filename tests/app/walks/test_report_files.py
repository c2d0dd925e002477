"""The report's map (SVG) and track (GPX 1.1), for the booking's parties only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import gpxpy
import httpx
import pytest

from app.composition import Services
from tests.app.bookings_world import PICKUP
from tests.app.marketplace import error_code, owner
from tests.app.walks.walk_world import WalkWorld, east, walk_world

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
async def walked(client: httpx.AsyncClient, services: Services) -> WalkWorld:
    ww = await walk_world(client, services)
    await ww.start_walk(seconds_ago=50)
    for metres, ago in ((50, 40), (100, 30), (150, 20)):
        await ww.fix(east(metres), seconds_ago=ago)
    await ww.post("/walk-events", ww.worker, {"type": "pee", "coordinates": east(60)})
    await ww.post("/walk-events", ww.worker, {"type": "note", "note": "Calm walk."})
    assert (await ww.post("/complete", ww.worker)).status_code == 200
    return ww


async def test_the_map_is_an_svg_with_route_and_events(walked: WalkWorld) -> None:
    response = await walked.get("/report/map.svg", walked.world.owner_headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    svg = ET.fromstring(response.text)
    assert svg.tag == f"{SVG_NS}svg"
    classes = [element.get("class") for element in svg.iter()]
    assert "route" in classes and "start" in classes and "end" in classes
    # Both events had a place (the note took the walker's live position).
    titles = "".join(element.text or "" for element in svg.iter(f"{SVG_NS}title"))
    assert "pee at" in titles and "note at" in titles


async def test_the_track_is_gpx_1_1_with_times_and_waypoints(walked: WalkWorld) -> None:
    response = await walked.get("/route.gpx", walked.world.owner_headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/gpx+xml")
    assert 'version="1.1"' in response.text
    gpx = gpxpy.parse(response.text)
    points = gpx.tracks[0].segments[0].points
    assert (points[0].longitude, points[0].latitude) == tuple(PICKUP)
    assert all(p.time is not None for p in points)
    assert [w.name for w in gpx.waypoints] == ["pee", "note"]
    assert 140 < gpx.length_2d() < 160


async def test_only_parties_and_only_once_the_walk_started(walked: WalkWorld, client: httpx.AsyncClient) -> None:
    stranger, _ = await owner(client, "nosy@example.com")
    for path in ("/report/map.svg", "/route.gpx"):
        assert error_code(await walked.get(path, stranger)) == "NOT_FOUND"
        assert (await walked.get(path, walked.world.business_headers)).status_code == 200
        assert (await client.get(f"/v1/bookings/{walked.booking_id}{path}")).status_code == 401
    pending = (await walked.world.book(hours_ahead=3)).json()["data"]["id"]
    for path in ("/report/map.svg", "/route.gpx"):
        answer = await client.get(f"/v1/bookings/{pending}{path}", headers=walked.world.owner_headers)
        assert error_code(answer) == "CONFLICT"


async def test_a_finished_walks_gpx_is_made_once(walked: WalkWorld, services: Services) -> None:
    first = await walked.get("/route.gpx", walked.world.owner_headers)
    assert await services.store.walk_files.get(walked.booking_id, "gpx") == first.text
    assert (await walked.get("/route.gpx", walked.worker)).text == first.text
