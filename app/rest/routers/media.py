"""Media: uploads (multipart/form-data, one `file` part, at most 5 MiB) and GET /v1/media/{id}.

POST   /v1/pets/{id}/photos             the pet's primary owner       -> media document, added to `photos`
DELETE /v1/pets/{id}/photos/{photoId}   the pet's primary owner       -> the object is removed
POST   /v1/pets/{id}/documents          the pet's primary owner (PDF or image)
POST   /v1/users/me/avatar              anyone signed in              -> the user's `avatar`
POST   /v1/businesses/{id}/logo         the business's account        -> the business's `logo`
POST   /v1/businesses/{id}/cover        the business's account        -> the business's `coverPhoto`
POST   /v1/businesses/{id}/certifications  the business's account (PDF or image) -> added to `certifications`
POST   /v1/reviews/{id}/photos          the review's author           -> added to the review's `photos`
POST   /v1/bookings/{id}/photos         the booking's walker, during or after the walk
GET    /v1/bookings/{id}/photos         the booking's parties
GET    /v1/media/{id}[/thumbnail]       the bytes, or a redirect to a presigned URL (S3)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.principal import Principal
from app.domain.media import MediaRef
from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, ok
from app.rest.uploads import read_upload
from app.usecases import attachments, media

router = APIRouter(tags=["media"])
_optional_bearer = HTTPBearer(auto_error=False)

_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    # Any other part is refused (app/rest/uploads.py).
                    "additionalProperties": False,
                }
            }
        },
    }
}


async def _maybe_principal(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
) -> Principal | None:
    """Public media need no token; a token that is sent must be valid."""
    if credentials is None:
        return None
    return services.access_tokens.verify(credentials.credentials)


@router.post("/v1/pets/{pet_id}/photos", status_code=status.HTTP_201_CREATED, openapi_extra=_UPLOAD_DOC)
async def upload_pet_photo(
    pet_id: str, request: Request, principal: PrincipalDep, services: ServicesDep
) -> Envelope[MediaRef]:
    return ok(await media.upload_pet_photo(services, principal, pet_id, await read_upload(request)))


@router.delete("/v1/pets/{pet_id}/photos/{photo_id}")
async def delete_pet_photo(
    pet_id: str, photo_id: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[dict[str, bool]]:
    await media.delete_pet_photo(services, principal, pet_id, photo_id)
    return ok({"deleted": True})


@router.post("/v1/pets/{pet_id}/documents", status_code=status.HTTP_201_CREATED, openapi_extra=_UPLOAD_DOC)
async def upload_pet_document(
    pet_id: str, request: Request, principal: PrincipalDep, services: ServicesDep
) -> Envelope[MediaRef]:
    return ok(await media.upload_pet_document(services, principal, pet_id, await read_upload(request)))


@router.post("/v1/users/me/avatar", status_code=status.HTTP_201_CREATED, openapi_extra=_UPLOAD_DOC)
async def upload_avatar(request: Request, principal: PrincipalDep, services: ServicesDep) -> Envelope[MediaRef]:
    return ok(await media.upload_avatar(services, principal, await read_upload(request)))


@router.post("/v1/businesses/{business_id}/logo", status_code=status.HTTP_201_CREATED, openapi_extra=_UPLOAD_DOC)
async def upload_logo(
    business_id: str, request: Request, principal: PrincipalDep, services: ServicesDep
) -> Envelope[MediaRef]:
    return ok(await media.upload_logo(services, principal, business_id, await read_upload(request)))


@router.post("/v1/businesses/{business_id}/cover", status_code=status.HTTP_201_CREATED, openapi_extra=_UPLOAD_DOC)
async def upload_cover(
    business_id: str, request: Request, principal: PrincipalDep, services: ServicesDep
) -> Envelope[MediaRef]:
    return ok(await attachments.upload_cover(services, principal, business_id, await read_upload(request)))


@router.post(
    "/v1/businesses/{business_id}/certifications",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_UPLOAD_DOC,
    summary="A certificate (PDF or image); its id joins the business's certifications (at most 20)",
)
async def upload_certification(
    business_id: str, request: Request, principal: PrincipalDep, services: ServicesDep
) -> Envelope[MediaRef]:
    return ok(await attachments.upload_certification(services, principal, business_id, await read_upload(request)))


@router.post(
    "/v1/reviews/{review_id}/photos",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_UPLOAD_DOC,
    summary="A photo by the review's author; its id joins the review's photos (at most 5)",
)
async def upload_review_photo(
    review_id: str, request: Request, principal: PrincipalDep, services: ServicesDep
) -> Envelope[MediaRef]:
    return ok(await attachments.upload_review_photo(services, principal, review_id, await read_upload(request)))


@router.post("/v1/bookings/{booking_id}/photos", status_code=status.HTTP_201_CREATED, openapi_extra=_UPLOAD_DOC)
async def upload_walk_photo(
    booking_id: str, request: Request, principal: PrincipalDep, services: ServicesDep
) -> Envelope[MediaRef]:
    return ok(await media.upload_walk_photo(services, principal, booking_id, await read_upload(request)))


@router.get("/v1/bookings/{booking_id}/photos", summary="The walk photos of a booking")
async def list_walk_photos(booking_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[list[MediaRef]]:
    return ok(await media.list_walk_photos(services, principal, booking_id))


@router.get("/v1/media/{media_id}", summary="The file, or a redirect to a short-lived presigned URL")
async def get_media(
    media_id: str, services: ServicesDep, principal: Annotated[Principal | None, Depends(_maybe_principal)]
) -> Response:
    return _send(await media.serve(services, principal, media_id, thumbnail=False), services.settings.media_url_ttl_s)


@router.get("/v1/media/{media_id}/thumbnail", summary="The thumbnail (longest side 320 px) of a photo")
async def get_thumbnail(
    media_id: str, services: ServicesDep, principal: Annotated[Principal | None, Depends(_maybe_principal)]
) -> Response:
    return _send(await media.serve(services, principal, media_id, thumbnail=True), services.settings.media_url_ttl_s)


def _send(served: media.Served, url_ttl_s: int) -> Response:
    # Objects are content-addressed and never change; private ones must not sit in shared caches.
    cache = "public, max-age=86400, immutable" if served.public else f"private, max-age={url_ttl_s}"
    if served.url is not None:
        return RedirectResponse(
            served.url, status_code=status.HTTP_307_TEMPORARY_REDIRECT, headers={"Cache-Control": cache}
        )
    assert served.chunks is not None
    return StreamingResponse(
        served.chunks,
        media_type=served.content_type,
        headers={
            "Cache-Control": cache,
            "Content-Disposition": "inline",
            # A stored file never runs as a page, whatever a browser makes of it.
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
