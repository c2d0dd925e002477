"""A walk as straight legs at a steady pace, split where the walker turns, stops or changes pace.

Between two turns a walker goes in a straight line at a roughly steady pace, so the positions of a leg's
fixes are a linear function of time plus noise, and a stop is a constant one. The walk is split into the
legs that explain its fixes best for a fixed price per leg (optimal partitioning by dynamic programming,
with PELT's pruning), each leg weighed by the white noise measured from the fixes (:mod:`geo.noise`), not
by the reported accuracy. Each split is then placed where its two legs come closest to each other in the
time between their fixes: at the tip of a turn, not on a chord across it. Smoothers cut corners because
they cannot tell a turn from noise until well after it; fitting lines on both sides of it can.

The partition is computed fix by fix and only ever looks back at most ``MAX_LEG_FIXES`` fixes, so the
walk's split after any number of fixes is exactly the one a completed walk with those fixes gets: a live
summary and the completed one agree to the float.
"""

from __future__ import annotations

import math
from array import array
from itertools import pairwise
from typing import NamedTuple

from geo.turns import Side, hinge

# The price of a new leg, in units of the noise variance (a chi-square): a leg has four parameters
# (a position and a velocity per axis). Measured on scripts/bench/bench_walk_distance.py: lower splits
# straight lines on noise (adding a little length), higher misses 60-degree turns of short legs.
LEG_PENALTY = 30.0
# A leg is a stop unless its motion explains this much more (chi-square with 2 degrees of freedom,
# p = 0.001): otherwise a standing walker's scatter would read as a slow walk.
MOVE_PENALTY = 13.8
# A leg has at least this many fixes (a line through two fixes fits any noise) and at most this many
# (bounding the work per fix: a straight mile becomes collinear legs, which add nothing to its length).
MIN_LEG_FIXES = 3
MAX_LEG_FIXES = 45


class Leg(NamedTuple):
    """A fitted leg: fixes ``[start, end)``; position ``(x, y) + (vx, vy) (t - t_mid)`` (metres, seconds)."""

    start: int
    end: int
    t_mid: float
    x: float
    y: float
    vx: float
    vy: float

    @property
    def moving(self) -> bool:
        return self.vx != 0 or self.vy != 0

    def at(self, t: float) -> tuple[float, float]:
        return self.x + self.vx * (t - self.t_mid), self.y + self.vy * (t - self.t_mid)


class LegFitter:
    """Fixes in local metres, fed in time order one at a time; :meth:`path` is the walk as fitted so far."""

    def __init__(self) -> None:
        # Weighted prefix sums (each over the fixes before an index) of 1, t, t^2, x, xt, x^2, y, yt, y^2.
        self._sums = [array("d", [0.0]) for _ in range(9)]
        self._times = array("d")
        # best[j]: the least cost of the first j fixes split into legs; cut[j]: where its last leg starts.
        self._best = array("d", [-LEG_PENALTY])
        self._cut = array("l", [0])
        # Where the last leg may start (PELT: a start that cannot win again is dropped).
        self._starts = [0]
        # The turns placed so far, by the legs they join (a summary re-places only the newest).
        self._turns: dict[tuple[Side, Side], tuple[float, float, float]] = {}

    def __len__(self) -> int:
        return len(self._times)

    def add(self, x: float, y: float, t: float, variance: float) -> None:
        """Take the next fix (``t`` not before the last one's) and its per-axis noise variance."""
        w = 1 / variance
        terms = (w, w * t, w * t * t, w * x, w * x * t, w * x * x, w * y, w * y * t, w * y * y)
        for column, value in zip(self._sums, terms, strict=True):
            column.append(column[-1] + value)
        self._times.append(t)
        j = len(self._times)
        best, cut = math.inf, 0
        for i in self._starts:
            if j - i < MIN_LEG_FIXES:
                break
            cost = self._best[i] + self._cost(i, j)
            if cost < best:
                best, cut = cost, i
        self._best.append(best + LEG_PENALTY)
        self._cut.append(cut)
        self._prune(j)
        self._starts.append(j)

    def mark(self) -> tuple[int, list[int]]:
        """What :meth:`rewind` needs to forget the fixes added after this call."""
        return len(self._times), list(self._starts)

    def rewind(self, mark: tuple[int, list[int]]) -> None:
        count, self._starts = mark
        self._turns = {sides: turn for sides, turn in self._turns.items() if sides[1].end <= count}
        for column in (*self._sums, self._best):
            del column[count + 1 :]
        del self._cut[count + 1 :]
        del self._times[count:]

    def _prune(self, j: int) -> None:
        """Drop the starts that can no longer begin the last leg of a best split ending after ``j``.

        A start ``i`` whose leg to ``m = j - MIN_LEG_FIXES + 1`` already costs more than the best split
        ending at ``m`` (by more than ``MOVE_PENALTY``: splitting a leg never lowers its squared residuals,
        but two moving legs pay that price twice) loses from then on to that split continued from ``m``;
        ``m`` is used rather than ``j`` so that it is a legal start for every later end.
        """
        m = j - MIN_LEG_FIXES + 1
        oldest = j + 1 - MAX_LEG_FIXES
        kept = []
        for i in self._starts:
            if i < oldest:
                continue
            if m - i >= MIN_LEG_FIXES and self._best[i] + self._cost(i, m) > self._best[m] + MOVE_PENALTY:
                continue
            kept.append(i)
        self._starts = kept

    def _cost(self, i: int, j: int) -> float:
        """The weighted squared residuals of fixes ``[i, j)`` about their best line (or point, for a stop)."""
        s = self._sums
        w = s[0][j] - s[0][i]
        st, stt = s[1][j] - s[1][i], s[2][j] - s[2][i]
        sx, sxt, sxx = s[3][j] - s[3][i], s[4][j] - s[4][i], s[5][j] - s[5][i]
        sy, syt, syy = s[6][j] - s[6][i], s[7][j] - s[7][i], s[8][j] - s[8][i]
        still = (sxx - sx * sx / w) + (syy - sy * sy / w)
        spread = stt - st * st / w
        if spread <= 1e-9 * stt:
            return still
        cx, cy = sxt - sx * st / w, syt - sy * st / w
        moving = still - (cx * cx + cy * cy) / spread + MOVE_PENALTY
        return min(still, moving)

    def _leg(self, i: int, j: int) -> Leg:
        s = self._sums
        w = s[0][j] - s[0][i]
        st, stt = s[1][j] - s[1][i], s[2][j] - s[2][i]
        sx, sxt = s[3][j] - s[3][i], s[4][j] - s[4][i]
        sy, syt = s[6][j] - s[6][i], s[7][j] - s[7][i]
        t_mid, x, y = st / w, sx / w, sy / w
        spread = stt - st * st / w
        if spread <= 1e-9 * stt:
            return Leg(i, j, t_mid, x, y, 0.0, 0.0)
        cx, cy = sxt - sx * st / w, syt - sy * st / w
        # The same choice as _cost's: the motion is kept if it explains more than its price.
        if (cx * cx + cy * cy) / spread <= MOVE_PENALTY:
            return Leg(i, j, t_mid, x, y, 0.0, 0.0)
        return Leg(i, j, t_mid, x, y, cx / spread, cy / spread)

    def legs(self) -> list[Leg]:
        """The best split of the fixes so far, oldest leg first (one leg while there are too few to split)."""
        j = len(self._times)
        if j == 0:
            return []
        if j < MIN_LEG_FIXES:
            return [self._leg(0, j)]
        legs = []
        while j > 0:
            i = self._cut[j]
            legs.append(self._leg(i, j))
            j = i
        legs.reverse()
        return legs

    def path(self) -> list[tuple[float, float, float]]:
        """The walk as a polyline ``(x, y, t)``: each leg's ends, its splits placed at the turns' tips."""
        legs = self.legs()
        if not legs:
            return []
        times = self._times
        first, last = legs[0], legs[-1]
        path = [(*first.at(times[0]), times[0])]
        for a, b in pairwise(legs):
            sides = (Side(a.start, a.end, a.moving), Side(b.start, b.end, b.moving))
            turn = self._turns.get(sides)
            if turn is None:
                turn = self._turns[sides] = hinge(self._window_sums, times, *sides)
            path.append(turn)
        path.append((*last.at(times[-1]), times[-1]))
        return path

    def _window_sums(self, i: int, j: int) -> tuple[float, float, float, float, float, float, float, float, float]:
        s = self._sums
        return (
            s[0][j] - s[0][i],
            s[1][j] - s[1][i],
            s[2][j] - s[2][i],
            s[3][j] - s[3][i],
            s[4][j] - s[4][i],
            s[5][j] - s[5][i],
            s[6][j] - s[6][i],
            s[7][j] - s[7][i],
            s[8][j] - s[8][i],
        )
