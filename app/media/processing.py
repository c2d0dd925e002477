"""Judging an upload by its content and making what is stored: clean re-encoded images, checked PDFs.

CPU-bound and synchronous: the use cases await `process_in_pool`, which runs `process` on a pool of
one thread per core of its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from app.domain.media import (
    MAX_IMAGE_PIXELS,
    MAX_IMAGE_SIDE,
    THUMBNAIL_SIDE,
    ContentType,
    MediaKind,
    content_key,
    sniff,
)
from app.errors import ValidationFailed

_PILLOW_FORMATS = {ContentType.JPEG: "JPEG", ContentType.PNG: "PNG", ContentType.WEBP: "WEBP"}
# Signatures of other formats (archives, markup, PDF, executables' script payloads) hidden inside an
# image make it a polyglot: a file that means something else to another reader.
# Searched in the lowercased bytes, one pattern per leading byte: a pattern that starts with a literal
# skips ahead to that byte in C (4 ms for 4 MB, where a bytes.find per signature took 13 ms and a
# case-insensitive regex or one alternation over all of them 15 ms or more).
_FOREIGN = (re.compile(rb"%pdf-"), re.compile(rb"pk\x03\x04"), re.compile(rb"<(?:script|html|svg|\?php)"))
_MARKUP = (re.compile(rb"<(?:script|html)"),)
# Active content in a PDF (scripts, launch actions, embedded files) is refused outright.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction|AA)\b")
_PDF_EOF_WINDOW = 1024
_READ_BYTES = 1024 * 1024
_HEAD_BYTES = 16
_JPEG_QUALITY = 85
_TAIL_BYTES = 64
# Encoded renditions spill to a temporary file past this size rather than sit in memory.
_SPOOL_BYTES = 256 * 1024


@dataclass
class Upload:
    """The raw uploaded file (spooled), as the REST layer read it; closed by whoever consumes it.

    Its name and declared type are not kept: the content alone decides what it is."""

    file: IO[bytes]
    size: int

    def close(self) -> None:
        self.file.close()


@dataclass
class Rendition:
    """Bytes to store under a content-addressed key."""

    body: IO[bytes]
    size: int
    key: str
    content_type: ContentType
    width: int | None = None
    height: int | None = None


@dataclass
class Processed:
    main: Rendition
    thumbnail: Rendition | None


# Pillow's codecs release the GIL, so one thread per core decodes in parallel; more would only queue
# on the cores. A pool of its own: the event loop's default executor stays free for the file and
# storage hops of the uploads that are done decoding, so those finish instead of waiting behind
# every upload still to decode.
PROCESS_THREADS = os.cpu_count() or 1
_POOL = ThreadPoolExecutor(max_workers=PROCESS_THREADS, thread_name_prefix="walky-media")


async def process_in_pool(upload: Upload, kind: MediaKind) -> Processed:
    return await asyncio.get_running_loop().run_in_executor(_POOL, process, upload, kind)


def process(upload: Upload, kind: MediaKind) -> Processed:
    upload.file.seek(0)
    detected = sniff(upload.file.read(_HEAD_BYTES))
    upload.file.seek(0)
    if detected is None:
        raise ValidationFailed("the file is not a JPEG, PNG or WebP image" + (" or a PDF" * kind.accepts_documents))
    if detected is ContentType.PDF:
        if not kind.accepts_documents:
            raise ValidationFailed("a PDF is accepted only as a pet document")
        return Processed(main=_checked_pdf(upload), thumbnail=None)
    _refuse_polyglot(upload, detected)
    upload.file.seek(0)
    return _clean_image(upload.file, detected)


def _checked_pdf(upload: Upload) -> Rendition:
    digest = hashlib.sha256()
    tail = b""
    carry = b""
    while chunk := upload.file.read(_READ_BYTES):
        digest.update(chunk)
        # Overlap the chunks so a marker split across two reads is still seen.
        window = carry + chunk
        if _PDF_ACTIVE.search(window) or _carries(window, _MARKUP):
            raise ValidationFailed("the PDF carries active content (scripts, actions or embedded files)")
        carry = window[-32:]
        tail = (tail + chunk)[-_PDF_EOF_WINDOW:]
    if b"%%EOF" not in tail:
        raise ValidationFailed("the PDF is truncated (no %%EOF trailer)")
    upload.file.seek(0)
    return Rendition(
        body=upload.file,
        size=upload.size,
        key=content_key(digest.hexdigest(), ContentType.PDF),
        content_type=ContentType.PDF,
    )


def _refuse_polyglot(upload: Upload, content_type: ContentType) -> None:
    """Scanned in chunks from the spooled file: the upload is never held in memory whole."""
    carry = b""
    while chunk := upload.file.read(_READ_BYTES):
        # Overlap the chunks so a signature split across two reads is still seen.
        if _carries(carry + chunk, _FOREIGN):
            raise ValidationFailed("the image also carries another format's content")
        carry = chunk[-16:]
    upload.file.seek(0)
    head = upload.file.read(_HEAD_BYTES)
    upload.file.seek(max(0, upload.size - _TAIL_BYTES))
    tail = upload.file.read()
    trailing = {
        ContentType.JPEG: not tail.rstrip(b"\x00").endswith(b"\xff\xd9"),
        ContentType.PNG: not tail.endswith(b"IEND\xaeB`\x82"),
        ContentType.WEBP: int.from_bytes(head[4:8], "little") + 8 != upload.size,
    }[content_type]
    if trailing:
        raise ValidationFailed("the image is truncated or has data after its end")


def _carries(data: bytes, signatures: tuple[re.Pattern[bytes], ...]) -> bool:
    lowered = data.lower()
    return any(signature.search(lowered) is not None for signature in signatures)


def _decode_scale(width: int, height: int) -> int:
    """The finest JPEG DCT scale (1/1 to 1/8) whose longest side fits the stored size.

    libjpeg scales while decoding, for free: a 12 MP phone photo decodes at 1/4 to about 3 MB of
    pixels instead of 48 MB, and needs no resampling (which would hold a second copy) afterwards.
    """
    longest = max(width, height)
    return next((s for s in (1, 2, 4, 8) if longest / s <= MAX_IMAGE_SIDE), 8)


def _clean_image(file: IO[bytes], content_type: ContentType) -> Processed:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(file, formats=[_PILLOW_FORMATS[content_type]])
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ValidationFailed(f"the image has more than {MAX_IMAGE_PIXELS} pixels")
        if content_type is ContentType.JPEG:
            scale = _decode_scale(width, height)
            image.draft("RGB", (width // scale, height // scale))
        image.load()
        # Turn the pixels the way the EXIF orientation says before the EXIF goes.
        ImageOps.exif_transpose(image, in_place=True)
    except ValidationFailed:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationFailed("the image cannot be decoded (truncated or malformed)") from exc
    image = _plain(image, content_type)
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    main = _encode(image, content_type)
    ratio = min(1.0, THUMBNAIL_SIDE / max(image.size))
    small = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    # reducing_gap 1: an integer box reduction (every pixel averaged, no aliasing) does nearly all of it,
    # then the filter runs over few pixels; Image.thumbnail's 2.0 cost 3 times as much for a 320 px picture.
    thumbnail = _encode(image.resize(small, Image.Resampling.BICUBIC, reducing_gap=1.0), content_type)
    return Processed(main=main, thumbnail=thumbnail)


def _plain(image: Image.Image, content_type: ContentType) -> Image.Image:
    """Pixels only. Encoders write metadata only from `info` (or what save() is given, here nothing),
    so emptying it drops EXIF (GPS included), XMP, ICC profiles and PNG text chunks."""
    keeps_alpha = content_type is not ContentType.JPEG and image.mode in ("RGBA", "LA", "PA", "P")
    mode = "RGBA" if keeps_alpha else "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    image.info = {}
    return image


def _encode(image: Image.Image, content_type: ContentType) -> Rendition:
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (the rendition's body)
    if content_type is ContentType.JPEG:
        image.save(out, "JPEG", quality=_JPEG_QUALITY)
    elif content_type is ContentType.PNG:
        image.save(out, "PNG", optimize=False)
    else:
        image.save(out, "WEBP", quality=_JPEG_QUALITY)
    size = out.tell()
    out.seek(0)
    digest = hashlib.sha256()
    while chunk := out.read(_READ_BYTES):
        digest.update(chunk)
    out.seek(0)
    return Rendition(
        body=out,
        size=size,
        key=content_key(digest.hexdigest(), content_type),
        content_type=content_type,
        width=image.width,
        height=image.height,
    )
