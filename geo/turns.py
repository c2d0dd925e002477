"""Where one leg of a walk turns into the next: a hinge fitted across both legs' fixes.

Two legs fitted apart can each tilt a little to take in a few fixes of the other (a line 40 fixes long
barely notices 4 fixes of a stop at its end), and the walk then overshoots every stop and turn by a metre or
two. A hinge is one point where both legs meet, at one time ``tau``: before it the walker moves at one
velocity, after it at another (or stands still). For a given ``tau`` and a given fix where the second leg
starts, the hinge is a linear least-squares fit (the point and two velocities, per axis); both are searched
a few fixes either side of where the partition put the split, and the hinge that fits best is the turn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

# How many fixes either side of the partition's split the second leg may start at, and the times tried
# between two fixes (as fractions of the interval): a quarter of a second is ~0.35 m of walking.
SEARCH_FIXES = 5
FRACTIONS = (0.0, 0.25, 0.5, 0.75)

# Weighted sums over fixes [i, j) of 1, t, t^2, x, xt, x^2, y, yt, y^2.
Sums = Callable[[int, int], tuple[float, float, float, float, float, float, float, float, float]]


class Side(NamedTuple):
    """A leg on one side of a hinge: its fixes ``[start, end)``, and whether it moves (or is a stop)."""

    start: int
    end: int
    moving: bool


class _Part(NamedTuple):
    # One side's sums about tau: weight, sum of u = t - tau, of u^2, of x, x u, x^2 and the same in y.
    w: float
    su: float
    suu: float
    sx: float
    sxu: float
    sxx: float
    sy: float
    syu: float
    syy: float


def _part(sums: Sums, i: int, j: int, tau: float) -> _Part:
    w, st, stt, sx, sxt, sxx, sy, syt, syy = sums(i, j)
    return _Part(w, st - tau * w, stt - 2 * tau * st + tau * tau * w, sx, sxt - tau * sx, sxx, sy, syt - tau * sy, syy)


def _fit(parts: Sequence[tuple[_Part, bool]]) -> tuple[float, float, float]:
    """The hinge's point and its squared residuals: each moving part's velocity eliminated."""
    a = bx = by = 0.0
    rss = 0.0
    for part, moving in parts:
        a += part.w
        bx += part.sx
        by += part.sy
        rss += part.sxx + part.syy
        if moving and part.suu > 0:
            a -= part.su * part.su / part.suu
            bx -= part.su * part.sxu / part.suu
            by -= part.su * part.syu / part.suu
    x, y = bx / a, by / a
    for part, moving in parts:
        rss -= x * part.sx + y * part.sy
        if moving and part.suu > 0:
            vx, vy = (part.sxu - part.su * x) / part.suu, (part.syu - part.su * y) / part.suu
            rss -= vx * part.sxu + vy * part.syu
    return x, y, rss


def hinge(sums: Sums, times: Sequence[float], first: Side, second: Side) -> tuple[float, float, float]:
    """The turn from ``first`` to ``second`` (adjacent: ``first.end == second.start``): ``(x, y, t)``."""
    best: tuple[float, float, float, float] | None = None
    low = max(first.start + 2, second.start - SEARCH_FIXES)
    high = min(second.end - 2, second.start + SEARCH_FIXES)
    for k in range(low, high + 1):
        before, after = times[k - 1], times[k]
        for fraction in FRACTIONS:
            tau = before + fraction * (after - before)
            x, y, rss = _fit(
                ((_part(sums, first.start, k, tau), first.moving), (_part(sums, k, second.end, tau), second.moving))
            )
            if best is None or rss < best[0]:
                best = (rss, x, y, tau)
    if best is None:
        # Legs too short to move the split: the hinge at the split itself.
        tau = times[second.start]
        x, y, _ = _fit(
            (
                (_part(sums, first.start, second.start, tau), first.moving),
                (_part(sums, second.start, second.end, tau), second.moving),
            )
        )
        return x, y, tau
    return best[1], best[2], best[3]
