"""Response headers of every page: a Content-Security-Policy that lets in the page's own scripts and
styles and, for images, the tile host only; pages are never cached (a share link's page shows a live
walk). RequestContextMiddleware adds the headers every answer carries (`Referrer-Policy: no-referrer`,
so a share token never leaks in a Referer; `nosniff`; `frame-ancestors 'none'`)."""

from __future__ import annotations

from urllib.parse import urlsplit


def tile_origin(tile_url: str) -> str | None:
    """`https://tile.example.org` of a `{z}/{x}/{y}` template, or None without tiles."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    # Leaflet's {s} subdomain placeholder becomes a wildcard host in the policy.
    host = parts.netloc.replace("{s}", "*")
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str) -> str:
    origin = tile_origin(tile_url)
    images = "'self' data:" + (f" {origin}" if origin else "")
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            # 'self' covers the same-origin ws:/wss: of Socket.IO (CSP level 3).
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def page_headers(tile_url: str) -> dict[str, str]:
    return {"Content-Security-Policy": content_security_policy(tile_url), "Cache-Control": "no-store"}
