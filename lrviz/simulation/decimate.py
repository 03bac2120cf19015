"""What to draw of a long curve: no more points than the output can show, every visible feature kept.

A figure a few inches wide shows a few thousand columns of pixels; a million-step schedule drawn
point by point makes a vector file of tens of megabytes that looks the same as one drawn from a
few thousand points. For each of `buckets` runs of consecutive steps (each narrower than a
pixel column), the drawn line keeps the first, the lowest, the highest and the last value, in step
order (the "M4" aggregation of Jugel et al., VLDB 2014). A line through those points covers, in
each column, the same vertical extent as the full line and joins the next column at the same
value, so every spike, step edge and restart is drawn where the full line draws it. Only the
figure is reduced: exports (JSON, CSV) and tables keep every value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

OVERSAMPLE = 2  # buckets per pixel column at the figure's largest resolution
POINTS_PER_BUCKET = 4  # first, min, max, last: fewer points than that is drawn as it is


def bucket_count(ax: Axes) -> int:
    """Buckets for a curve across `ax`: the figure's width in pixels (at the larger of its own
    and the save resolution; the axes is narrower), times `OVERSAMPLE`."""
    from matplotlib import rcParams

    figure = ax.figure
    return canvas_buckets(figure.get_figwidth(), figure.dpi, rcParams["savefig.dpi"])


def canvas_buckets(width: float, dpi: float, save_dpi: float | str) -> int:
    """Buckets for a curve on a figure `width` inches wide, drawn at `dpi` and saved at `save_dpi`."""
    largest = max(float(dpi), float(save_dpi) if save_dpi != "figure" else 0.0)
    return max(1, math.ceil(width * largest * OVERSAMPLE))


def _bucket_picks(values: np.ndarray, buckets: int) -> np.ndarray:
    """(runs, 4) indices of the first, lowest, highest and last value of each of `buckets`
    equal runs of consecutive `values` (the last run may be shorter)."""
    n = len(values)
    size = math.ceil(n / buckets)
    full = n // size
    body = values[: full * size].reshape(full, size)
    starts = np.arange(full) * size
    picks = np.stack([starts, starts + body.argmin(axis=1), starts + body.argmax(axis=1), starts + size - 1], axis=1)
    if full * size < n:  # the shorter last run
        first = full * size
        tail = values[first:]
        last = [first, first + int(tail.argmin()), first + int(tail.argmax()), n - 1]
        picks = np.concatenate([picks, np.array([last])])
    return picks


def envelope_indices(values: np.ndarray, buckets: int) -> np.ndarray:
    """Increasing indices of the first, lowest, highest and last value of each of `buckets`
    equal runs of `values`; every index when that is no fewer."""
    if len(values) <= POINTS_PER_BUCKET * buckets:
        return np.arange(len(values))
    return _distinct(np.sort(_bucket_picks(values, buckets), axis=1).ravel())


def _distinct(index: np.ndarray) -> np.ndarray:
    keep = np.ones(len(index), dtype=bool)
    keep[1:] = index[1:] != index[:-1]
    return index[keep]


def staircase_envelope(values: np.ndarray, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of a plain line through the envelope of the staircase ``steps-post`` draws of `values`.

    ``steps-post`` holds value k from x = k to k + 1, then rises or falls to value k + 1. Over the
    steps s..e-1 of a run, that path starts at (s, v[s]), covers every value of the run, and
    leaves at (e, v[e-1]) for the next run's (e, v[e]). Those points, and the lowest and the
    highest value each entered from the value before it ((i, v[i-1]) then (i, v[i])), draw each
    column's extent, and a step edge as the same vertical line at the same step as the full
    staircase does; where values change by less than a pixel, the line runs as the full
    staircase looks (and as matplotlib simplifies it): straight through them.
    """
    n = len(values)
    picks = _bucket_picks(values, buckets)
    first = picks[:, 0]
    low, high = np.sort(picks[:, 1:3], axis=1).T
    leave = picks[:, 3] + 1
    leave[-1] = n - 1  # the last value is a point: steps-post draws nothing after it
    before_low = values[np.maximum(low - 1, 0)]
    before_high = values[np.maximum(high - 1, 0)]
    x = np.column_stack([first, low, low, high, high, leave]).ravel()
    y = np.column_stack(
        [values[first], before_low, values[low], before_high, values[high], values[picks[:, 3]]]
    ).ravel()
    # drop repeated points, and the "entered from" point of a low or high that opens its run
    keep = np.ones(len(x), dtype=bool)
    keep[1:] = (x[1:] != x[:-1]) | (y[1:] != y[:-1])
    entered = np.zeros((len(picks), 6), dtype=bool)
    entered[:, 1] = low == first
    entered[:, 3] = high == first
    keep &= ~entered.ravel()
    return x[keep], y[keep]


@dataclass(frozen=True, eq=False)
class DrawnSeries:
    """A long series reduced to the points :func:`drawn_points` draws of it, for `buckets`
    buckets as `requested`: what the figure process receives instead of every value."""

    x: np.ndarray
    y: np.ndarray
    drawstyle: str  # how to draw (x, y)
    requested: str  # the drawstyle the figure asks for, which (x, y) were made for
    buckets: int
    length: int  # values in the full series

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> float:
        if index not in (-1, self.length - 1):  # the envelope always keeps the last value, nothing else is asked
            raise IndexError("a thinned series keeps only its last value")
        return float(self.y[-1])


def thin(values: np.ndarray, buckets: int, drawstyle: str = "default") -> tuple[np.ndarray, np.ndarray, str]:
    """(x, y, drawstyle) to draw one series of `values` (one per step) as `drawstyle` in `buckets`.

    A curve the output can show point by point (or one with non-finite values) is returned as
    it is. Of a longer one, the envelope is drawn; for a ``steps-post`` curve, the envelope of
    the staircase it draws, as a plain line (see :func:`staircase_envelope`).
    """
    values = np.asarray(values)
    if len(values) <= POINTS_PER_BUCKET * buckets or not np.isfinite(values).all():
        return np.arange(len(values)), values, drawstyle
    if drawstyle == "steps-post":
        x, y = staircase_envelope(values, buckets)
        return x, y, "default"
    index = envelope_indices(values, buckets)
    return index, values[index], drawstyle


def thinned(values: np.ndarray, buckets: int, drawstyle: str = "default") -> np.ndarray | DrawnSeries:
    """`values` as a figure of `buckets` needs them: a DrawnSeries when that is fewer points."""
    x, y, drawn_style = thin(values, buckets, drawstyle)
    if len(x) == len(values):
        return values
    return DrawnSeries(x, y, drawn_style, drawstyle, buckets, len(values))


def drawn_points(
    ax: Axes, values: np.ndarray | DrawnSeries, drawstyle: str = "default"
) -> tuple[np.ndarray, np.ndarray, str]:
    """(x, y, drawstyle) to draw one series of `values` on `ax` as `drawstyle` (see :func:`thin`)."""
    buckets = bucket_count(ax)
    if isinstance(values, DrawnSeries):
        if (values.buckets, values.requested) != (buckets, drawstyle):  # a bug, never bad input
            raise ValueError(f"a series thinned for {values.buckets} buckets ({values.requested}) drawn in {buckets}")
        return values.x, values.y, values.drawstyle
    return thin(values, buckets, drawstyle)
