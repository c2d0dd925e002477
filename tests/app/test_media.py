"""Media over REST: uploads, bad input, who sees what, deletion, and the S3 adapter end to end."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from PIL import Image

from app.composition import Services
from app.domain.media import MAX_UPLOAD_BYTES
from app.media.memory_storage import MemoryStorage
from app.media.storage import StorageError, StoredObject
from app.service import create_app, services_of
from app.settings import Settings
from tests.app.bookings_world import PICKUP, World, build_world
from tests.app.marketplace import business_account, owner
from tests.app.media.images import ELF, image_bytes, jpeg_with_gps, noise_jpeg, pdf
from tests.support.asgi import http_client, lifespan


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    return await build_world(client)


def photo(data: bytes | None = None, name: str = "rex.jpg") -> dict[str, Any]:
    return {"files": {"file": (name, data if data is not None else jpeg_with_gps(), "image/jpeg")}}


def stored_files(settings: Settings) -> list[Path]:
    root = settings.data_dir / "media"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


async def media_count(services: Services) -> int:
    return await services.store.backend.collection("media").count({})


async def stored_bytes(services: Services, key: str) -> bytes:
    return b"".join([chunk async for chunk in services.media.open(key)])


async def upload_pet_photo(world: World) -> dict[str, Any]:
    response = await world.client.post(f"/v1/pets/{world.pet_id}/photos", headers=world.owner_headers, **photo())
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_a_pet_photo_is_stored_without_exif_and_listed_on_the_pet(world: World, services: Services) -> None:
    media = await upload_pet_photo(world)

    assert media["kind"] == "pet_photo" and media["contentType"] == "image/jpeg"
    assert (media["width"], media["height"]) == (640, 480)
    assert media["url"] == f"/v1/media/{media['id']}"
    assert media["thumbnailUrl"] == f"/v1/media/{media['id']}/thumbnail"
    pet = (await world.client.get(f"/v1/pets/{world.pet_id}", headers=world.owner_headers)).json()["data"]
    assert [p["id"] for p in pet["photos"]] == [media["id"]]
    # The stored object itself, read from the storage, carries no EXIF (no GPS, no camera).
    document = await services.store.media.get(media["id"])
    assert document is not None
    stored = await stored_bytes(services, document.key)
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert b"Exif" not in stored and b"WalkyCam" not in stored
    served = await world.client.get(media["url"], headers=world.owner_headers)
    assert served.status_code == 200 and served.content == stored
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"].startswith("private")
    thumb = await world.client.get(media["thumbnailUrl"], headers=world.owner_headers)
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 320


async def test_an_upload_may_exceed_the_general_body_limit(world: World, settings: Settings) -> None:
    big = noise_jpeg((1400, 1000))
    assert settings.max_body_bytes < len(big) < MAX_UPLOAD_BYTES
    response = await world.client.post(f"/v1/pets/{world.pet_id}/photos", headers=world.owner_headers, **photo(big))
    assert response.status_code == 201, response.text
    # Other routes keep the general limit.
    other = await world.client.post("/v1/pets", headers=world.owner_headers, content=b"x" * (len(big)))
    assert other.status_code == 413


async def test_deleting_a_pet_photo_removes_the_object(world: World, services: Services, settings: Settings) -> None:
    media = await upload_pet_photo(world)
    assert len(stored_files(settings)) == 2  # the photo and its thumbnail

    gone = await world.client.delete(f"/v1/pets/{world.pet_id}/photos/{media['id']}", headers=world.owner_headers)

    assert gone.status_code == 200, gone.text
    assert stored_files(settings) == []
    assert await media_count(services) == 0
    assert (await world.client.get(media["url"], headers=world.owner_headers)).status_code == 404
    pet = (await world.client.get(f"/v1/pets/{world.pet_id}", headers=world.owner_headers)).json()["data"]
    assert pet["photos"] == []
    again = await world.client.delete(f"/v1/pets/{world.pet_id}/photos/{media['id']}", headers=world.owner_headers)
    assert again.status_code == 404


async def _too_big() -> AsyncIterator[bytes]:
    yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n\r\n'
    for _ in range(MAX_UPLOAD_BYTES // 65536 + 2):
        yield b"\xff" * 65536


def _multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += b"--b\r\nContent-Disposition: " + disposition.encode() + b"\r\n\r\n" + content + b"\r\n"
    return body + b"--b--\r\n"


MULTIPART = {"Content-Type": "multipart/form-data; boundary=b"}
JPEG = jpeg_with_gps()
# Announces far fewer bytes than the body carries.
LYING_LENGTH = {**MULTIPART, "Content-Length": "99"}


@pytest.mark.parametrize(
    ("request_args", "status", "code"),
    [
        pytest.param({"content": _too_big(), "headers": MULTIPART}, 413, "PAYLOAD_TOO_LARGE", id="oversized-streamed"),
        pytest.param(
            photo(b"\xff\xd8\xff" + b"\x00" * (MAX_UPLOAD_BYTES + 10)),
            413,
            "PAYLOAD_TOO_LARGE",
            id="oversized-declared",
        ),
        pytest.param(photo(ELF, "rex.jpg"), 422, "VALIDATION_ERROR", id="renamed-executable"),
        pytest.param(photo(JPEG[:-500]), 422, "VALIDATION_ERROR", id="truncated-image"),
        pytest.param(photo(JPEG + b"PK\x03\x04zip"), 422, "VALIDATION_ERROR", id="polyglot"),
        pytest.param(photo(pdf()), 422, "VALIDATION_ERROR", id="pdf-as-photo"),
        pytest.param(photo(b""), 422, "VALIDATION_ERROR", id="empty-file"),
        pytest.param({"content": _multipart(), "headers": MULTIPART}, 422, "VALIDATION_ERROR", id="missing-part"),
        pytest.param(
            {"content": _multipart(("file", "a.jpg", JPEG), ("file", "b.jpg", JPEG)), "headers": MULTIPART},
            422,
            "VALIDATION_ERROR",
            id="two-files",
        ),
        pytest.param(
            {"content": _multipart(("file", "a.jpg", JPEG), ("caption", None, b"hi")), "headers": MULTIPART},
            422,
            "VALIDATION_ERROR",
            id="unknown-field",
        ),
        pytest.param(photo(name="../../etc/rex.jpg"), 422, "VALIDATION_ERROR", id="filename-slash"),
        pytest.param(photo(name="..\\rex.jpg"), 422, "VALIDATION_ERROR", id="filename-backslash"),
        # Raw: httpx would percent-encode the NUL.
        pytest.param(
            {"content": _multipart(("file", "rex\x00.jpg", JPEG)), "headers": MULTIPART},
            422,
            "VALIDATION_ERROR",
            id="filename-nul",
        ),
        pytest.param(
            {"content": _multipart(("file", "a.jpg", JPEG)), "headers": LYING_LENGTH},
            422,
            "VALIDATION_ERROR",
            id="content-length-lies",
        ),
        pytest.param(
            {"content": _multipart(("file", "a.jpg", JPEG))[:-40], "headers": MULTIPART},
            422,
            "VALIDATION_ERROR",
            id="truncated-body",
        ),
        pytest.param({"json": {"file": "x"}}, 422, "VALIDATION_ERROR", id="not-multipart"),
    ],
)
async def test_bad_uploads_get_a_coded_error_and_leave_nothing(
    world: World, services: Services, settings: Settings, request_args: dict[str, Any], status: int, code: str
) -> None:
    extra: dict[str, str] = request_args.pop("headers", {})
    headers = {**world.owner_headers, **extra}
    response = await world.client.post(f"/v1/pets/{world.pet_id}/photos", headers=headers, **request_args)

    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert stored_files(settings) == []
    assert await media_count(services) == 0


class UnreachableStorage(MemoryStorage):
    """A bucket that stopped answering."""

    async def put(self, key: str, body: IO[bytes], *, content_type: str, max_bytes: int) -> StoredObject:
        raise StorageError("connection refused")

    async def url(self, key: str, *, expires_s: int) -> str | None:
        raise StorageError("connection refused")


async def test_storage_down_is_503_and_nothing_is_recorded(world: World, services: Services) -> None:
    media = await upload_pet_photo(world)
    services.media = UnreachableStorage()

    upload = await world.client.post(f"/v1/pets/{world.pet_id}/photos", headers=world.owner_headers, **photo())
    read = await world.client.get(media["url"], headers=world.owner_headers)

    assert (upload.status_code, upload.json()["error"]["code"]) == (503, "UNAVAILABLE")
    assert (read.status_code, read.json()["error"]["code"]) == (503, "UNAVAILABLE")
    assert await media_count(services) == 1


async def test_a_document_may_be_a_pdf(world: World) -> None:
    response = await world.client.post(
        f"/v1/pets/{world.pet_id}/documents",
        headers=world.owner_headers,
        files={"file": ("vaccines.pdf", pdf(), "application/pdf")},
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["contentType"] == "application/pdf"
    assert data.get("thumbnailUrl") is None
    served = await world.client.get(data["url"], headers=world.owner_headers)
    assert served.content == pdf()


async def test_a_new_avatar_replaces_the_old_one_and_is_public(client: httpx.AsyncClient, settings: Settings) -> None:
    headers, _ = await owner(client, "ada@example.com")
    first = (await client.post("/v1/users/me/avatar", headers=headers, **photo(image_bytes("PNG")))).json()["data"]
    second = await client.post("/v1/users/me/avatar", headers=headers, **photo(image_bytes("WEBP")))
    assert second.status_code == 201, second.text

    me = (await client.get("/v1/users/me", headers=headers)).json()["data"]
    assert me["avatar"]["id"] == second.json()["data"]["id"]
    assert (await client.get(first["url"])).status_code == 404
    assert len(stored_files(settings)) == 2
    public = await client.get(me["avatar"]["url"])
    assert public.status_code == 200 and public.headers["content-type"] == "image/webp"
    assert public.headers["cache-control"].startswith("public")


async def test_erasing_the_account_removes_the_avatar(client: httpx.AsyncClient, settings: Settings) -> None:
    headers, _ = await owner(client, "gone@example.com")
    avatar = (await client.post("/v1/users/me/avatar", headers=headers, **photo())).json()["data"]
    assert (await client.delete("/v1/users/me", headers=headers)).status_code == 200

    assert (await client.get(avatar["url"])).status_code == 404
    assert stored_files(settings) == []


async def test_a_logo_is_set_by_its_business_only(world: World, client: httpx.AsyncClient) -> None:
    other_headers, _ = await business_account(client, "rival@example.com")
    refused = await client.post(f"/v1/businesses/{world.business_id}/logo", headers=other_headers, **photo())
    assert refused.status_code == 403
    done = await client.post(f"/v1/businesses/{world.business_id}/logo", headers=world.business_headers, **photo())
    assert done.status_code == 201, done.text
    business = (await client.get(f"/v1/businesses/{world.business_id}", headers=world.owner_headers)).json()["data"]
    assert business["logo"]["id"] == done.json()["data"]["id"]
    assert (await client.get(business["logo"]["url"])).status_code == 200


async def _walking(world: World) -> tuple[str, dict[str, str], str]:
    """A booking of the world's pet, confirmed with a walker and in progress: (walker id, headers, booking id)."""
    worker_id, worker = await world.add_worker("walker@example.com")
    booking_id = (await world.book(hours_ahead=0.5)).json()["data"]["id"]
    confirmed = await world.client.post(
        f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={"workerId": worker_id}
    )
    assert confirmed.status_code == 200, confirmed.text
    early = await world.client.post(f"/v1/bookings/{booking_id}/photos", headers=worker, **photo())
    assert early.status_code == 409, early.text
    await world.client.post(f"/v1/workers/{worker_id}/online", headers=worker)
    await world.send_fix(worker, worker_id, PICKUP)
    started = await world.client.post(f"/v1/bookings/{booking_id}/start", headers=worker)
    assert started.status_code == 200, started.text
    return worker_id, worker, booking_id


async def test_authorization_matrix(world: World, client: httpx.AsyncClient) -> None:
    # Shared before booking, then removed at the end: access follows the pet's current owners.
    co_owner, _ = await owner(client, "co@example.com")
    shared = await client.post(
        f"/v1/pets/{world.pet_id}/co-owners", headers=world.owner_headers, json={"email": "co@example.com"}
    )
    assert shared.status_code == 200, shared.text
    _, walker, booking_id = await _walking(world)
    pet_photo = await upload_pet_photo(world)
    document = (await client.post(f"/v1/pets/{world.pet_id}/documents", headers=world.owner_headers, **photo())).json()[
        "data"
    ]
    walk_photo = await client.post(f"/v1/bookings/{booking_id}/photos", headers=walker, **photo())
    assert walk_photo.status_code == 201, walk_photo.text
    stranger, _ = await owner(client, "stranger@example.com")
    rival, _ = await business_account(client, "rival@example.com")
    _, other_walker = await world.add_worker("other-walker@example.com")

    callers: dict[str, dict[str, str]] = {
        "owner": world.owner_headers,
        "co_owner": co_owner,
        "business": world.business_headers,
        "walker": walker,
        "other_walker": other_walker,
        "stranger": stranger,
        "rival_business": rival,
        "anonymous": {},
    }
    allowed = {"owner", "co_owner", "business", "walker"}
    for media in (pet_photo, document, walk_photo.json()["data"]):
        for name, headers in callers.items():
            answer = await client.get(media["url"], headers=headers)
            expected = 200 if name in allowed else 404
            assert answer.status_code == expected, (media["kind"], name, answer.text)
    listed = await client.get(f"/v1/bookings/{booking_id}/photos", headers=world.owner_headers)
    assert [m["id"] for m in listed.json()["data"]] == [walk_photo.json()["data"]["id"]]
    # Only the booking's walker adds walk photos; only the primary owner adds pet photos.
    by_owner = await client.post(f"/v1/bookings/{booking_id}/photos", headers=world.owner_headers, **photo())
    assert by_owner.status_code == 403
    by_stranger = await client.post(f"/v1/bookings/{booking_id}/photos", headers=other_walker, **photo())
    assert by_stranger.status_code == 404
    assert (await client.post(f"/v1/pets/{world.pet_id}/photos", headers=co_owner, **photo())).status_code == 403
    assert (await client.post(f"/v1/pets/{world.pet_id}/photos", headers=stranger, **photo())).status_code == 404
    gone = await client.delete(f"/v1/pets/{world.pet_id}/photos/{pet_photo['id']}", headers=stranger)
    assert gone.status_code == 404
    # Access follows the pet's current co-owners: a removed co-owner no longer sees any of it.
    me = (await client.get("/v1/users/me", headers=co_owner)).json()["data"]
    removed = await client.delete(f"/v1/pets/{world.pet_id}/co-owners/{me['id']}", headers=world.owner_headers)
    assert removed.status_code == 200, removed.text
    for media in (pet_photo, document, walk_photo.json()["data"]):
        assert (await client.get(media["url"], headers=co_owner)).status_code == 404


async def test_walk_photos_reach_the_booking_and_its_report(world: World, client: httpx.AsyncClient) -> None:
    _, walker, booking_id = await _walking(world)
    during = await client.post(f"/v1/bookings/{booking_id}/photos", headers=walker, **photo())
    assert during.status_code == 201, during.text
    done = await client.post(f"/v1/bookings/{booking_id}/complete", headers=walker, json={})
    assert done.status_code == 200, done.text
    assert done.json()["data"]["completionDetails"]["photos"] == [during.json()["data"]["id"]]

    # A phone that was offline on the walk uploads later: the photo joins the booking as it arrives.
    late = await client.post(f"/v1/bookings/{booking_id}/photos", headers=walker, **photo())
    assert late.status_code == 201, late.text

    ids = [during.json()["data"]["id"], late.json()["data"]["id"]]
    booking = (await client.get(f"/v1/bookings/{booking_id}", headers=world.owner_headers)).json()["data"]
    assert booking["completionDetails"]["photos"] == ids
    report = (await client.get(f"/v1/bookings/{booking_id}/report", headers=world.owner_headers)).json()["data"]
    assert [media["id"] for media in report["photos"]] == ids


async def test_on_s3_media_are_served_by_a_presigned_redirect(tmp_path: Path, s3_bucket: str, s3_endpoint: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", s3_bucket=s3_bucket, s3_endpoint_url=s3_endpoint, _env_file=None)
    app = create_app(settings)
    async with lifespan(app), http_client(app) as client:
        world = await build_world(client)
        media = await upload_pet_photo(world)
        assert not (tmp_path / "data" / "media").exists()

        answer = await client.get(media["url"], headers=world.owner_headers)

        assert answer.status_code == 307
        async with httpx.AsyncClient() as outside:
            fetched = await outside.get(answer.headers["location"])
        assert fetched.status_code == 200
        assert not Image.open(io.BytesIO(fetched.content)).getexif()
        assert (await client.get(media["url"])).status_code == 404
        gone = await client.delete(f"/v1/pets/{world.pet_id}/photos/{media['id']}", headers=world.owner_headers)
        assert gone.status_code == 200
        async with httpx.AsyncClient() as outside:
            assert (await outside.get(answer.headers["location"])).status_code == 404
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        assert [key async for key in services_of(app).media.keys_older_than(tomorrow)] == []
