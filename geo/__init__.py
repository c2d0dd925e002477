"""Pure geospatial library: positions, distances, service areas, H3 cells, GPS trails.

Imports no framework, database or network client. Coordinates are ``[lng, lat]`` (GeoJSON order).
"""

from geo.areas import MAX_VERTICES, ServiceArea, parse_area
from geo.cells import DEFAULT_RES, cell_of, cells_covering_disk
from geo.coordinates import LngLat, parse_position, validate_lnglat, wrap_lng
from geo.distance import EARTH_RADIUS_M, bbox_around, destination, haversine_m, path_length_m
from geo.errors import GeoError
from geo.trail import (
    TrailPoint,
    WalkSummary,
    filter_trail,
    implied_speed_mps,
    simplify_route,
    speed_beyond_accuracy_mps,
    summarize_walk,
)

__all__ = [
    "DEFAULT_RES",
    "EARTH_RADIUS_M",
    "MAX_VERTICES",
    "GeoError",
    "LngLat",
    "ServiceArea",
    "TrailPoint",
    "WalkSummary",
    "bbox_around",
    "cell_of",
    "cells_covering_disk",
    "destination",
    "filter_trail",
    "haversine_m",
    "implied_speed_mps",
    "parse_area",
    "parse_position",
    "path_length_m",
    "simplify_route",
    "speed_beyond_accuracy_mps",
    "summarize_walk",
    "validate_lnglat",
    "wrap_lng",
]
