"""The media entity, its kinds, the content-addressed key scheme and the upload limits (pure)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from app.domain.base import Entity, Timestamp

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A re-encoded image may outgrow its upload (a small PNG of noise); this bounds what is written.
MAX_STORED_BYTES = 32 * 1024 * 1024
# Multipart framing (boundaries, part headers) allowed on top of the file itself.
MAX_FRAMING_BYTES = 16 * 1024
# Pillow reads only the header before we check this: a decompression bomb is refused unopened.
MAX_IMAGE_PIXELS = 40_000_000
# Stored photos are scaled down to this longest side; thumbnails to THUMBNAIL_SIDE.
MAX_IMAGE_SIDE = 1600
THUMBNAIL_SIDE = 320
MAX_FILENAME_LENGTH = 255
MAX_PET_PHOTOS = 20


class MediaKind(StrEnum):
    PET_PHOTO = "pet_photo"
    PET_DOCUMENT = "pet_document"
    AVATAR = "avatar"
    LOGO = "logo"
    WALK_PHOTO = "walk_photo"
    # A business's cover photo and certification documents; the photos of a review.
    COVER = "cover"
    CERTIFICATION = "certification"
    REVIEW_PHOTO = "review_photo"

    @property
    def public(self) -> bool:
        """Avatars, logos, covers, certifications and review photos are shown to anyone (they are uploaded to be
        shown on public pages); the rest only to the subject's parties."""
        return self in (
            MediaKind.AVATAR,
            MediaKind.LOGO,
            MediaKind.COVER,
            MediaKind.CERTIFICATION,
            MediaKind.REVIEW_PHOTO,
        )

    @property
    def accepts_documents(self) -> bool:
        return self in (MediaKind.PET_DOCUMENT, MediaKind.CERTIFICATION)


class ContentType(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    PDF = "application/pdf"

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}[self.value]

    @property
    def is_image(self) -> bool:
        return self is not ContentType.PDF


def sniff(head: bytes) -> ContentType | None:
    """The type the first bytes announce, whatever the name or declared type say."""
    if head.startswith(b"\xff\xd8\xff"):
        return ContentType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ContentType.PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ContentType.WEBP
    if head.startswith(b"%PDF-"):
        return ContentType.PDF
    return None


def content_key(sha256_hex: str, content_type: ContentType) -> str:
    """Objects are addressed by the digest of their stored bytes, fanned out over two directory levels."""
    return f"{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}.{content_type.extension}"


def media_url(media_id: str) -> str:
    return f"/v1/media/{media_id}"


def thumbnail_url(media_id: str) -> str:
    return f"/v1/media/{media_id}/thumbnail"


class MediaObject(Entity):
    """One upload: what it is, whose it is (`subjectId`: the pet, user, business or booking) and where it lies."""

    kind: MediaKind
    subject_id: str
    uploaded_by: str
    content_type: ContentType
    bytes: int
    width: int | None = None
    height: int | None = None
    key: str
    thumbnail_key: str | None = None
    created_at: Timestamp

    def ref(self) -> MediaRef:
        return MediaRef(
            id=self.id,
            kind=self.kind,
            content_type=self.content_type,
            bytes=self.bytes,
            width=self.width,
            height=self.height,
            url=media_url(self.id),
            thumbnail_url=thumbnail_url(self.id) if self.thumbnail_key else None,
            created_at=self.created_at,
        )


class MediaRef(BaseModel):
    """The media document of the contract, also embedded in pets (`photos`), users (`avatar`), businesses (`logo`)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True, frozen=True)

    id: str
    kind: MediaKind
    content_type: ContentType
    bytes: int
    width: int | None = None
    height: int | None = None
    url: str
    thumbnail_url: str | None = None
    created_at: Timestamp
