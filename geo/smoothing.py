"""Kalman smoothing of a GPS track: a constant-velocity model, a Rauch-Tung-Striebel backward pass.

It draws the cleaned trail (a GPX track's points); a walk's distance and route come from its legs
(:mod:`geo.legs`): at any one process noise a smoother either cuts sharp turns or follows a stop's jitter.

The walker's east and north positions are each modelled as position and velocity driven by white-noise
acceleration, and each fix measures position with the variance its reported accuracy implies. The
forward filter weighs every fix against the motion so far; the backward pass lets later fixes correct
earlier estimates, so a U-turn is followed to its tip instead of being cut short (a filter alone
overshoots it, a moving average rounds it off).

Both axes share one model and one (isotropic) measurement variance, so they share one 2x2 covariance:
the algebra is written out for two scalar 2-state filters, fast enough in plain Python (7,200 fixes
in a few tens of milliseconds) without pulling in numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from geo.coordinates import LngLat
from geo.local_frame import LocalFrame

# Acceleration noise density (m^2/s^3): smaller smooths more and rounds real turns, larger follows
# jitter. Measured on the synthetic walks of tests/geo: at 0.2 a walk with 3 m of jitter every 3 s reads
# up to 1.4% long; at 0.05 a zig-zag of 60 m legs and 60-degree turns reads up to 3.5% short.
PROCESS_NOISE = 0.1
# Reported accuracy is roughly a 68% radius; for a 2-D Gaussian that is ~1.5 sigma per axis.
ACCURACY_TO_SIGMA = 1.5
# A fix whose squared distance from the prediction, in units of its variance, exceeds this (chi-square
# with 2 degrees of freedom, p = 1e-4) is a spike the speed test let through: it does not move the estimate.
GATE_CHI2 = 18.4
# After this many gated fixes in a row the model, not the fixes, is wrong (a gap, a jump): start afresh.
_RESTART_RUN = 3
# Initial velocity uncertainty (m/s): anything from standing to running.
_INITIAL_SPEED_SIGMA = 2.0


class Fix(NamedTuple):
    """A fix to smooth: position, epoch milliseconds, accuracy in metres (already defaulted, > 0)."""

    position: LngLat
    timestamp_ms: int
    accuracy_m: float


class _Filtered(NamedTuple):
    # Filtered state (positions and velocities in local metres) and covariance [[a, b], [b, c]],
    # with the predicted covariance that led to it and the step from the previous fix.
    x: float
    vx: float
    y: float
    vy: float
    a: float
    b: float
    c: float
    pred_a: float
    pred_b: float
    pred_c: float
    dt: float


# A walk's fixes as the filter reads them: local positions, seconds, measurement variances.
_Inputs = tuple[Sequence[tuple[float, float]], Sequence[float], Sequence[float]]


def _initial(z: tuple[float, float], r: float) -> _Filtered:
    v0 = _INITIAL_SPEED_SIGMA**2
    return _Filtered(z[0], 0.0, z[1], 0.0, r, 0.0, v0, r, 0.0, v0, 0.0)


def _forward(
    xy: Sequence[tuple[float, float]], seconds: Sequence[float], variances: Sequence[float], start: int
) -> tuple[list[_Filtered], int]:
    """Filter from ``start`` on; return the steps and where the next segment starts (``len(xy)`` at the end)."""
    steps = [_initial(xy[start], variances[start])]
    end, _ = _extend(steps, 0, (xy, seconds, variances), start + 1)
    return steps, end


def _extend(steps: list[_Filtered], rejected: int, inputs: _Inputs, begin: int) -> tuple[int, int]:
    """Filter ``xy[begin:]`` onto ``steps``, whose last step is that of ``xy[begin - 1]``, after ``rejected``
    gated fixes in a row.

    Returns where the next segment starts (``len(xy)`` when the fixes ran out; the segment's steps are
    then complete) and how many fixes in a row were gated at the end.
    """
    xy, seconds, variances = inputs
    q = PROCESS_NOISE
    for i in range(begin, len(xy)):
        last, r = steps[-1], variances[i]
        dt = seconds[i] - seconds[i - 1]
        # Predict: x' = F x, P' = F P F^T + Q for F = [[1, dt], [0, 1]] and white-noise acceleration.
        pa = last.a + 2 * dt * last.b + dt * dt * last.c + q * dt**3 / 3
        pb = last.b + dt * last.c + q * dt * dt / 2
        pc = last.c + q * dt
        px, py = last.x + dt * last.vx, last.y + dt * last.vy
        s = pa + r
        ix, iy = xy[i][0] - px, xy[i][1] - py
        if (ix * ix + iy * iy) / s > GATE_CHI2:
            rejected += 1
            if rejected == _RESTART_RUN:
                # The fixes that disagreed start a new segment; the predictions made for them are dropped.
                del steps[len(steps) - (_RESTART_RUN - 1) :]
                return i - _RESTART_RUN + 1, 0
            steps.append(_Filtered(px, last.vx, py, last.vy, pa, pb, pc, pa, pb, pc, dt))
            continue
        rejected = 0
        # Update: K = P' H^T / S with H = [1, 0]; P = (I - K H) P'.
        k0, k1 = pa / s, pb / s
        steps.append(
            _Filtered(
                px + k0 * ix,
                last.vx + k1 * ix,
                py + k0 * iy,
                last.vy + k1 * iy,
                pa * r / s,
                pb * r / s,
                pc - pb * pb / s,
                pa,
                pb,
                pc,
                dt,
            )
        )
    return len(xy), rejected


def _backward(steps: list[_Filtered]) -> list[tuple[float, float]]:
    """Rauch-Tung-Striebel: x_s[k] = x[k] + C (x_s[k+1] - F x[k]), C = P[k] F^T P'[k+1]^-1."""
    last = steps[-1]
    sx, svx, sy, svy = last.x, last.vx, last.y, last.vy
    smoothed = [(sx, sy)]
    for k in range(len(steps) - 2, -1, -1):
        cur, nxt = steps[k], steps[k + 1]
        dt = nxt.dt
        det = nxt.pred_a * nxt.pred_c - nxt.pred_b * nxt.pred_b
        # P F^T = [[a + dt b, b], [b + dt c, c]]; inverse of P' = [[c', -b'], [-b', a']] / det.
        m00, m01 = cur.a + dt * cur.b, cur.b
        m10, m11 = cur.b + dt * cur.c, cur.c
        c00 = (m00 * nxt.pred_c - m01 * nxt.pred_b) / det
        c01 = (m01 * nxt.pred_a - m00 * nxt.pred_b) / det
        c10 = (m10 * nxt.pred_c - m11 * nxt.pred_b) / det
        c11 = (m11 * nxt.pred_a - m10 * nxt.pred_b) / det
        dx, dvx = sx - (cur.x + dt * cur.vx), svx - cur.vx
        dy, dvy = sy - (cur.y + dt * cur.vy), svy - cur.vy
        sx, svx = cur.x + c00 * dx + c01 * dvx, cur.vx + c10 * dx + c11 * dvx
        sy, svy = cur.y + c00 * dy + c01 * dvy, cur.vy + c10 * dy + c11 * dvy
        smoothed.append((sx, sy))
    smoothed.reverse()
    return smoothed


def smooth_fixes(fixes: Sequence[Fix]) -> list[LngLat]:
    """Smoothed positions of time-ordered fixes, one per fix.

    A fix far outside what the motion so far and its own accuracy allow is outvoted by its neighbours;
    three such fixes in a row restart the model there (after a gap, or when the earlier fixes were the
    wrong ones).
    """
    if not fixes:
        return []
    frame = LocalFrame(fixes[0].position, fixes[0].timestamp_ms)
    xy = [frame.xy(f.position) for f in fixes]
    seconds = [frame.seconds(f.timestamp_ms) for f in fixes]
    variances = [(f.accuracy_m / ACCURACY_TO_SIGMA) ** 2 for f in fixes]
    smoothed: list[tuple[float, float]] = []
    start = 0
    while start < len(fixes):
        steps, start = _forward(xy, seconds, variances, start)
        smoothed += _backward(steps)
    return [frame.position(x, y) for x, y in smoothed]
