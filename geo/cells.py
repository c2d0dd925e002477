"""H3 cell helpers for bucketing positions and pre-filtering radius searches."""

import math

import h3

from geo.coordinates import LngLat
from geo.errors import GeoError

# Resolution 7 cells have ~1.4 km edges (~5 km^2): a typical 1-10 km walker search covers tens to a
# few hundred cells, and a walker crosses a cell boundary every few minutes rather than every fix.
DEFAULT_RES = 7

# Refuse disks whose cell list would be too big to be a useful pre-filter; a coarser res fits better.
MAX_DISK_CELLS = 100_000

# H3 cells are not regular hexagons: measured over the globe (pentagon neighbourhoods included), the
# centre-to-vertex distance is at most ~1.10x the average edge, and neighbouring centres are at least
# ~1.24x the average edge apart, so one grid ring moves at least ~1.07x (1.24 * sqrt(3)/2) outward.
_MAX_CIRCUMRADIUS_EDGES = 1.1
_MIN_RING_STEP_EDGES = 1.0


def _check_res(res: int) -> None:
    if isinstance(res, bool) or not isinstance(res, int) or not 0 <= res <= 15:
        raise GeoError(f"H3 resolution must be an integer in [0, 15], got {res!r}")


def cell_of(p: LngLat, res: int = DEFAULT_RES) -> str:
    """The H3 cell (hex string) containing ``p``."""
    _check_res(res)
    return str(h3.latlng_to_cell(p.lat, p.lng, res))


def cells_covering_disk(center: LngLat, radius_m: float, res: int = DEFAULT_RES) -> list[str]:
    """Cells that together cover every point within ``radius_m`` of ``center`` (a superset).

    A point p within the radius lies in a cell whose centre is within one circumradius of p, and the
    centre's own cell centre is within one circumradius of the centre, so the two cell centres are at
    most ``radius + 2 * circumradius`` apart. Each grid ring advances at least one minimum ring step,
    so ``k = ceil((radius + 2 * circumradius) / ring_step)`` rings reach p's cell. Both bounds are
    rounded in the safe direction from the measured extremes above.
    """
    _check_res(res)
    if not math.isfinite(radius_m) or radius_m < 0:
        raise GeoError(f"radius must be a finite number of metres >= 0, got {radius_m}")
    edge_m = float(h3.average_hexagon_edge_length(res, "m"))
    k = math.ceil((radius_m + 2 * _MAX_CIRCUMRADIUS_EDGES * edge_m) / (_MIN_RING_STEP_EDGES * edge_m))
    if 3 * k * (k + 1) + 1 > MAX_DISK_CELLS:
        raise GeoError(
            f"a {radius_m:g} m disk needs more than {MAX_DISK_CELLS} cells at resolution {res}; "
            "use a coarser resolution"
        )
    return [str(cell) for cell in h3.grid_disk(cell_of(center, res), k)]
