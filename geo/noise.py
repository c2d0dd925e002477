"""The white noise of a GPS track, measured from the fixes themselves rather than from their reported accuracy.

A phone's reported accuracy is a rough radius that often says 5 m whatever the real scatter: trusting it
makes a clean trail look noisy (its corners get smoothed away) and a noisy one look clean. Over a second or
two a walker moves in a straight line at a steady pace, so a fix's offset from the straight line between its
two neighbours (linear interpolation in time) is noise, except at the few fixes where the walker turns or
changes pace. The median of those offsets over the last fixes is robust to the turns and measures the
fix-to-fix (white) scatter. A slow drift of the whole track barely shows in it, and does not need to: a
position that drifts smoothly does not change the distance walked.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import deque

# Residuals the estimate is the median of: about half a minute at 1 fix/s, long enough that a turn every
# ten fixes barely moves the median, short enough to follow a phone that goes from open sky to tall buildings.
WINDOW = 31
# Until this many residuals are in, the reported accuracy (a 68% radius, ~1.5 sigma per axis) is used.
MIN_RESIDUALS = 7
ACCURACY_TO_SIGMA = 1.5
# A floor on the per-axis sigma: a noise-free (simulated or snapped) trail must not get infinite weights.
MIN_SIGMA_M = 0.05
# For white noise of sigma per axis, a fix's offset from its neighbours' interpolation has variance
# sigma^2 (1 + a^2 + b^2) per axis, with a + b = 1 the interpolation weights (1.5 at an even pace); the
# squared 2-D offset over that is chi-square with 2 degrees of freedom, whose median is 2 ln 2.
_CHI2_2_MEDIAN = 2 * math.log(2)


class NoiseTracker:
    """The per-axis variance of the white noise at each new fix, from the residuals of the fixes before it.

    Fed fixes one at a time (local metres and seconds). The variance for fix ``k`` uses residuals up to fix
    ``k - 1`` (whose residual needs fix ``k``), so it depends only on the fixes so far: a walk fed in any
    batches gets the same variances.
    """

    def __init__(self) -> None:
        self._last: deque[tuple[float, float, float]] = deque(maxlen=2)
        self._window: deque[float] = deque()
        self._sorted: list[float] = []

    def variance(self, x: float, y: float, t: float, accuracy_m: float) -> float:
        """Take the next fix; return the per-axis noise variance to weigh it with (m^2)."""
        if len(self._last) == 2:
            self._add(self._residual(x, y, t))
        self._last.append((x, y, t))
        if len(self._sorted) < MIN_RESIDUALS:
            sigma = accuracy_m / ACCURACY_TO_SIGMA
            return max(sigma * sigma, MIN_SIGMA_M**2)
        n = len(self._sorted)
        median = (self._sorted[(n - 1) // 2] + self._sorted[n // 2]) / 2
        return max(median / _CHI2_2_MEDIAN, MIN_SIGMA_M**2)

    def _residual(self, x: float, y: float, t: float) -> float:
        """The middle of the last three fixes: its squared offset over its variance factor."""
        (x0, y0, t0), (x1, y1, t1) = self._last
        span = t - t0
        # Fixes at one time carry no pace information; weigh them as if evenly spaced.
        b = (t1 - t0) / span if span > 0 else 0.5
        a = 1 - b
        ex, ey = x1 - (a * x0 + b * x), y1 - (a * y0 + b * y)
        return (ex * ex + ey * ey) / (1 + a * a + b * b)

    def _add(self, residual: float) -> None:
        self._window.append(residual)
        insort(self._sorted, residual)
        if len(self._window) > WINDOW:
            old = self._window.popleft()
            del self._sorted[bisect_left(self._sorted, old)]
