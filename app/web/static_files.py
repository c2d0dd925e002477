"""Static files of the pages: our own scripts and styles, and Leaflet with its marker clusters served
from their PyPI packages' directories (no copy in the repository, no CDN). Each vendored library is
mounted under a path carrying its version, so a browser never mixes releases from its cache."""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet_markercluster as markercluster
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from xstatic.pkg import leaflet

STATIC_DIR = Path(__file__).parent / "static"
LEAFLET_PATH = f"/static/vendor/leaflet-{leaflet.VERSION}"
MARKERCLUSTER_PATH = f"/static/vendor/leaflet.markercluster-{markercluster.VERSION}"
SOCKET_IO_CLIENT = "/static/vendor/socket.io-4.8.4.esm.min.js"


def install_static(api: FastAPI) -> None:
    # The versioned library mounts first: /static would otherwise claim their paths.
    api.mount(LEAFLET_PATH, StaticFiles(directory=leaflet.BASE_DIR, check_dir=True), name="leaflet")
    api.mount(MARKERCLUSTER_PATH, StaticFiles(directory=markercluster.BASE_DIR, check_dir=True), name="markercluster")
    api.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=True), name="static")


def asset_urls() -> dict[str, str]:
    return {
        "leaflet_css": f"{LEAFLET_PATH}/leaflet.css",
        "leaflet_js": f"{LEAFLET_PATH}/leaflet.js",
        "cluster_css": f"{MARKERCLUSTER_PATH}/MarkerCluster.css",
        "cluster_default_css": f"{MARKERCLUSTER_PATH}/MarkerCluster.Default.css",
        "cluster_js": f"{MARKERCLUSTER_PATH}/leaflet.markercluster.js",
    }
