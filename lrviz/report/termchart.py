"""A chart of the curves in the terminal (braille dots, via plotext), for a look over SSH.

plotext draws it; lrviz only chooses the size (the terminal's, at most :data:`MAX_WIDTH` wide),
thins very long curves to a few points per character column, and turns colour off when the
output is not a colour terminal (the text is then free of ANSI escapes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from lrviz.simulation.stepping import Curve

MIN_WIDTH = 40
MAX_WIDTH = 160
MIN_HEIGHT = 10
MAX_HEIGHT = 24
POINTS_PER_COLUMN = 4  # braille has 2 dots per character column; a few more keep the jumps steep
# Markers when there is no colour to tell curves apart: braille, then plain characters.
COLORLESS_MARKERS = ("braille", "•", "+", "x", "o", "*", "#", "=")


def chart_size(columns: int, rows: int | None = None) -> tuple[int, int]:
    """(width, height) in characters for a terminal of `columns` x `rows`."""
    width = max(MIN_WIDTH, min(MAX_WIDTH, columns))
    available = rows if rows else 2 * MAX_HEIGHT
    height = max(MIN_HEIGHT, min(MAX_HEIGHT, available // 2, width // 3))
    return width, height


def _thinned(values: np.ndarray, points: int) -> tuple[list[float], list[float]]:
    """At most ~`points` (step, value) pairs: the figure's envelope (each bucket's first, lowest,
    highest and last value), so a jump or spike survives the thinning."""
    from lrviz.simulation.decimate import POINTS_PER_BUCKET, envelope_indices

    index = envelope_indices(values, max(points // POINTS_PER_BUCKET, 1))
    return [float(k) for k in index], [float(v) for v in values[index]]


def render_chart(
    curves: Sequence[Curve],
    width: int = 80,
    height: int | None = None,
    color: bool = False,
    log_y: bool = False,
    title: str | None = None,
    steps_per_epoch: int | None = None,
) -> str:
    """The chart as text, `width` characters wide at most (ANSI colours only when `color`).

    With `steps_per_epoch`, x is in epochs (the terminal has no room for a second x axis).
    """
    import plotext

    width, auto_height = chart_size(width)
    height = height or auto_height
    figure = plotext.figure
    figure.clear()
    figure.theme("simple" if color else "colorless")
    figure.plot_size(width, height)
    series = [
        (curve.label if len(curve.group_names) == 1 else f"{curve.label} [{name}]", values)
        for curve in curves
        for name, values in zip(curve.group_names, curve.group_lr, strict=True)
    ]
    for index, (label, values) in enumerate(series):
        xs, ys = _thinned(np.asarray(values, dtype=np.float64), POINTS_PER_COLUMN * width)
        if log_y:
            ys = [math.log10(y) if y > 0 else math.nan for y in ys]
        scale = 1 / steps_per_epoch if steps_per_epoch else 1.0
        points = [(x * scale, y) for x, y in zip(xs, ys, strict=True) if math.isfinite(y)]
        if not points:
            continue
        marker = "braille" if color else COLORLESS_MARKERS[index % len(COLORLESS_MARKERS)]
        signal = figure.signal([p[0] for p in points], [p[1] for p in points], marker=marker)
        if len(series) > 1:
            signal.label(_shorten(label, width // 3))
        signal.lines()
        figure.draw(signal)
    if title:
        figure.title(_shorten(title, width - 2))
    figure.label(f"epoch ({steps_per_epoch} steps)" if steps_per_epoch else "step", "x")
    figure.label("log10 learning rate" if log_y else "learning rate", "y")
    text = figure.build().string(colorless=not color)
    figure.clear()
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _shorten(text: str, limit: int) -> str:
    """`text` (control characters escaped) cut to `limit` characters."""
    from lrviz.errors import printable

    text = printable(text)
    limit = max(limit, 4)
    return text if len(text) <= limit else text[: limit - 1] + "…"
