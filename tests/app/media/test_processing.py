"""Judging uploads by content: types, bombs, truncation, polyglots, metadata stripping."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image

from app.domain.media import THUMBNAIL_SIDE, ContentType, MediaKind
from app.errors import ValidationFailed
from app.media.processing import PROCESS_THREADS, Processed, Upload, process, process_in_pool
from tests.app.media.images import ELF, image_bytes, jpeg_with_gps, pdf, png_bomb


def run(data: bytes, kind: MediaKind = MediaKind.PET_PHOTO) -> Processed:
    return process(Upload(file=io.BytesIO(data), size=len(data)), kind)


def test_a_photo_loses_its_exif_and_gps_and_gets_a_thumbnail() -> None:
    original = jpeg_with_gps((1280, 960))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    processed = run(original)

    stored = processed.main.body.read()
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()
    assert b"Exif" not in stored and b"WalkyCam" not in stored
    assert (processed.main.width, processed.main.height) == (1280, 960)
    assert processed.thumbnail is not None
    thumb = Image.open(processed.thumbnail.body)
    assert max(thumb.size) == THUMBNAIL_SIDE
    assert processed.main.key.endswith(".jpg") and processed.main.key != processed.thumbnail.key


@pytest.mark.parametrize(
    ("fmt", "mode", "content_type"),
    [
        pytest.param("PNG", "RGBA", ContentType.PNG, id="png-alpha"),
        pytest.param("WEBP", "RGB", ContentType.WEBP, id="webp"),
    ],
)
def test_png_and_webp_are_accepted_and_keep_their_type(fmt: str, mode: str, content_type: ContentType) -> None:
    processed = run(image_bytes(fmt, mode=mode))
    assert processed.main.content_type is content_type
    assert Image.open(processed.main.body).format == fmt


def test_a_pdf_is_a_document_but_not_a_photo() -> None:
    processed = run(pdf(), MediaKind.PET_DOCUMENT)
    assert processed.main.content_type is ContentType.PDF
    assert processed.thumbnail is None
    with pytest.raises(ValidationFailed):
        run(pdf(), MediaKind.PET_PHOTO)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        pytest.param(ELF, MediaKind.PET_PHOTO, id="renamed-executable"),
        pytest.param(b"MZ" + b"\x00" * 300, MediaKind.PET_DOCUMENT, id="renamed-exe-as-document"),
        pytest.param(jpeg_with_gps()[:-400], MediaKind.PET_PHOTO, id="truncated-jpeg"),
        pytest.param(image_bytes("PNG")[:-30], MediaKind.AVATAR, id="truncated-png"),
        pytest.param(jpeg_with_gps() + b"PK\x03\x04" + b"\x00" * 100, MediaKind.PET_PHOTO, id="jpeg-zip-polyglot"),
        pytest.param(image_bytes("PNG") + b"<html><script>", MediaKind.LOGO, id="png-html-polyglot"),
        pytest.param(png_bomb(), MediaKind.PET_PHOTO, id="decompression-bomb"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 100 + b"\xff\xd9", MediaKind.PET_PHOTO, id="jpeg-magic-only"),
        pytest.param(pdf()[:-8], MediaKind.PET_DOCUMENT, id="truncated-pdf"),
        pytest.param(
            pdf(b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"),
            MediaKind.PET_DOCUMENT,
            id="pdf-with-javascript",
        ),
    ],
)
def test_refused_by_content(data: bytes, kind: MediaKind) -> None:
    with pytest.raises(ValidationFailed):
        run(data, kind)


def _with_comments(jpeg: bytes, *comments: bytes) -> bytes:
    """The JPEG with COM segments right after its start marker: valid, decodable, same end."""
    segments = b"".join(b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text for text in comments)
    return jpeg[:2] + segments + jpeg[2:]


@pytest.mark.parametrize("signature", [b"%PDF-1.7", b"Pk\x03\x04", b"<SCRIPT>", b"<Html>", b"<svg ", b"<?PhP"])
def test_a_signature_inside_a_valid_jpeg_is_refused_whatever_its_case(signature: bytes) -> None:
    with pytest.raises(ValidationFailed, match="another format"):
        run(_with_comments(jpeg_with_gps(), b"note " + signature))


def test_a_signature_across_two_reads_is_found() -> None:
    # Padding segments put `<script` 3 bytes before the end of the first 1 MiB read.
    padding = [b"." * 65_532] * 15 + [b"." * 65_520]
    data = _with_comments(jpeg_with_gps(), *padding, b"...<script")
    assert data.find(b"<script") < 1024 * 1024 < data.find(b"<script") + len(b"<script")
    with pytest.raises(ValidationFailed, match="another format"):
        run(data)


async def test_images_are_processed_on_the_media_pool_not_the_default_executor() -> None:
    seen: list[str] = []
    data = jpeg_with_gps()

    class Spy(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            seen.append(threading.current_thread().name)
            return super().read(size)

    processed = await process_in_pool(Upload(file=Spy(data), size=len(data)), MediaKind.PET_PHOTO)
    assert processed.thumbnail is not None
    assert seen and all(name.startswith("walky-media") for name in seen)
    assert PROCESS_THREADS >= 1


def test_a_large_photo_is_scaled_down_to_the_stored_side() -> None:
    processed = run(image_bytes("JPEG", size=(4000, 3000)))
    # Decoded at 1/4 by libjpeg: 1000 x 750.
    assert (processed.main.width, processed.main.height) == (1000, 750)
