"""Streaming multipart/form-data reader for the upload routes: one `file` part, bounded while reading.

The body is parsed as it arrives (python-multipart's push parser) and the file part is spooled to a
temporary file, so a 100 MB body is refused after 5 MiB without ever sitting in memory. These routes
bypass BodyLimitMiddleware (see UPLOAD_PATHS) and enforce their own bound here.
"""

from __future__ import annotations

import re
import tempfile
from typing import IO, TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from app.domain.media import MAX_FILENAME_LENGTH, MAX_FRAMING_BYTES, MAX_UPLOAD_BYTES
from app.errors import PayloadTooLarge, ValidationFailed
from app.media.processing import Upload
from app.rest.upload_gate import UploadGate

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

# POST routes whose bodies are uploads (matched against the path by BodyLimitMiddleware).
UPLOAD_PATHS = re.compile(
    r"/v1/(pets/[^/]+/(photos|documents)|users/me/avatar|businesses/[^/]+/(logo|cover|certifications)"
    r"|bookings/[^/]+/photos|reviews/[^/]+/photos)"
)
FILE_FIELD = "file"
# Small uploads stay in memory; larger ones go to a temporary file as they arrive.
SPOOL_BYTES = 256 * 1024
MAX_PART_HEADERS = 8


class _Collector:
    """Receives the parser's callbacks and keeps the single file part."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (owned by Upload)
        self.size = 0
        self.parts = 0
        self.filename: str | None = None
        self.finished = False
        self.error: Exception | None = None
        self._field = b""
        self._value = b""
        self._headers: dict[bytes, bytes] = {}
        self.has_file = False

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self.parts += 1
        self._headers = {}

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        if self.error is not None:
            return
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("latin-1")
        if name != FILE_FIELD:
            self.error = ValidationFailed(
                "unknown form field",
                [{"field": name or "(unnamed)", "message": "only one `file` part is accepted", "type": "extra"}],
            )
            return
        if self.parts > 1 or self.has_file:
            self.error = ValidationFailed("send exactly one `file` part")
            return
        self.has_file = True
        raw_name = options.get(b"filename")
        if raw_name is not None:
            self.filename = raw_name.decode("utf-8", errors="replace")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.error is not None or not self.has_file:
            return
        self.size += end - start
        if self.size > MAX_UPLOAD_BYTES:
            self.error = PayloadTooLarge(f"the file exceeds {MAX_UPLOAD_BYTES} bytes")
            return
        # A view, not a slice: the chunk is written without being copied first.
        self.file.write(memoryview(data)[start:end])

    def _end(self) -> None:
        self.finished = True


async def read_upload(request: Request) -> Upload:
    """The one file of a multipart upload, or a coded error (nothing of it is kept then)."""
    content_type, params = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data" or not params.get(b"boundary"):
        raise ValidationFailed("uploads are multipart/form-data with one `file` part")
    declared = request.headers.get("content-length")
    limit = MAX_UPLOAD_BYTES + MAX_FRAMING_BYTES
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise PayloadTooLarge(f"the upload exceeds {MAX_UPLOAD_BYTES} bytes")
    collector = _Collector()
    gate: UploadGate = request.app.state.upload_gate
    try:
        async with gate.slot():
            await _parse(request, collector, params[b"boundary"], limit, declared)
    except BaseException:
        collector.file.close()
        raise
    collector.file.seek(0)
    return Upload(file=collector.file, size=collector.size)


async def _parse(request: Request, collector: _Collector, boundary: bytes, limit: int, declared: str | None) -> None:
    try:
        parser = MultipartParser(boundary, collector.callbacks(), max_header_count=MAX_PART_HEADERS)
    except FormParserError as exc:
        raise ValidationFailed("malformed multipart boundary") from exc
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise PayloadTooLarge(f"the upload exceeds {MAX_UPLOAD_BYTES} bytes")
            parser.write(chunk)
            if collector.error is not None:
                raise collector.error
        parser.finalize()
    except FormParserError as exc:
        raise ValidationFailed("malformed multipart body") from exc
    except ClientDisconnect as exc:
        raise ValidationFailed("the upload was interrupted") from exc
    if collector.error is not None:
        raise collector.error
    if declared is not None and int(declared) != received:
        raise ValidationFailed("the body length differs from its Content-Length")
    if not collector.finished:
        raise ValidationFailed("the multipart body is truncated")
    if not collector.has_file:
        raise ValidationFailed(
            "missing `file` part", [{"field": FILE_FIELD, "message": "field required", "type": "missing"}]
        )
    if collector.size == 0:
        raise ValidationFailed("the file is empty")
    _check_filename(collector.filename)


def _check_filename(filename: str | None) -> None:
    if filename is None:
        return
    if any(ch in filename for ch in ("/", "\\", "\x00")) or filename in (".", ".."):
        raise ValidationFailed("the filename must not contain path separators or NUL")
    if len(filename) > MAX_FILENAME_LENGTH or not filename.isprintable():
        raise ValidationFailed(f"the filename must be printable and at most {MAX_FILENAME_LENGTH} characters")
