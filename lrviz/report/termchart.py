"""A chart of the curves in the terminal (braille dots, via plotext), for a look over SSH.

plotext draws it, on a figure of its own for each chart (no state shared between calls); lrviz
chooses the size (the terminal's, at most :data:`MAX_WIDTH` wide), round ticks, where the labels
and the legend go, thins very long curves to a few points per character column, and turns colour
off when the output is not a colour terminal (the text is then free of ANSI escapes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
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

    Ticks are round numbers (whole steps on a step axis), the y label sits above the y axis, and
    with several curves the legend is below the chart, where it covers nothing. With
    `steps_per_epoch`, x is in epochs (the terminal has no room for a second x axis).
    """
    width, auto_height = chart_size(width)
    series = _series(curves, width, log_y, 1 / steps_per_epoch if steps_per_epoch else 1.0)
    legend = _legend_lines(series, width, color) if len(series) > 1 else []
    # the y label's line and the legend's lines come out of the chart's height, down to 2/3 of it
    # (a long legend, of a compare of many curves, runs on below rather than flatten the chart)
    wanted = height or auto_height
    height = max(wanted - 1 - len(legend), (2 * wanted) // 3, MIN_HEIGHT)
    figure = _new_figure(color, width, height)
    for item in series:
        signal = figure.signal(item.xs, item.ys, marker=item.marker(color))
        signal.lines()
        figure.draw(signal)
    _set_ticks(figure, series, log_y, steps_per_epoch is None)
    if title:
        figure.title(_shorten(title, width - 2))
    figure.label(f"epoch ({steps_per_epoch} steps)" if steps_per_epoch else "step", "x")
    lines = [line.rstrip() for line in figure.build().string(colorless=not color).splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    y_label = "learning rate (log scale)" if log_y else "learning rate"
    lines.insert(1 if title else 0, y_label)  # above the y axis, under the title
    return "\n".join([*lines, *legend]) + "\n"


PALETTE = (12, 10, 9, 14, 13, 11, 1, 2, 3, 4, 5, 6)  # terminal colours, none of them black, white or grey
LEGEND_GLYPH = "⣿"  # a braille curve's sample in the legend


@dataclass(frozen=True)
class _Series:
    """One curve (or param group) as the chart draws it."""

    index: int
    label: str
    xs: list[float]
    ys: list[float]

    def glyph(self, color: bool) -> str:
        """The curve's mark: braille dots, or without colour a character of its own."""
        return "braille" if color else COLORLESS_MARKERS[self.index % len(COLORLESS_MARKERS)]

    def colour(self) -> int:
        """The curve's terminal colour (256-colour index)."""
        return PALETTE[self.index % len(PALETTE)]

    def marker(self, color: bool) -> object:
        """A plotext marker: the glyph in the curve's colour."""
        from plotext._primitives.marker import marker
        from plotext._primitives.pixel import pixel

        return marker(self.glyph(color), pixel(foreground=self.colour()) if color else None)


def _series(curves: Sequence[Curve], width: int, log_y: bool, x_scale: float) -> list[_Series]:
    """The curves' points to draw: thinned, log10 on a log axis, without the non-finite ones."""
    named = [
        (curve.label if len(curve.group_names) == 1 else f"{curve.label} [{name}]", values)
        for curve in curves
        for name, values in zip(curve.group_names, curve.group_lr, strict=True)
    ]
    series = []
    for index, (label, values) in enumerate(named):
        xs, ys = _thinned(np.asarray(values, dtype=np.float64), POINTS_PER_COLUMN * width)
        if log_y:
            ys = [math.log10(y) if y > 0 else math.nan for y in ys]
        points = [(x * x_scale, y) for x, y in zip(xs, ys, strict=True) if math.isfinite(y)]
        if points:
            series.append(_Series(index, label, [p[0] for p in points], [p[1] for p in points]))
    return series


def _new_figure(color: bool, width: int, height: int) -> object:
    """A plotext figure of its own for this chart: nothing is shared between two charts."""
    from plotext._kernel.terminal import terminal

    figure = terminal()._master
    figure.theme("simple" if color else "colorless")
    figure.plot_size(width, height)
    return figure


def _set_ticks(figure: object, series: Sequence[_Series], log_y: bool, whole_x: bool) -> None:
    """Round ticks on both axes, inside the data's range; whole numbers on a step axis."""
    if not series:
        return
    x_low, x_high = min(s.xs[0] for s in series), max(s.xs[-1] for s in series)
    x_ticks = nice_ticks(x_low, x_high, X_TICKS, whole=whole_x)
    figure.ruler(0).lim(x_low, x_high)
    figure.ruler(0).ticks(x_ticks, [format_tick(x, _spacing(x_ticks)) for x in x_ticks])
    y_low, y_high = min(min(s.ys) for s in series), max(max(s.ys) for s in series)
    # on a log axis, whole powers of ten when the curves span a few decades
    y_ticks = nice_ticks(y_low, y_high, Y_TICKS, whole=log_y and y_high - y_low >= 2, outward=True)
    figure.ruler(1).lim(y_ticks[0], y_ticks[-1])
    labels = [f"{10**y:.3g}" if log_y else format_tick(y, _spacing(y_ticks)) for y in y_ticks]
    figure.ruler(1).ticks(y_ticks, labels)


def _spacing(ticks: Sequence[float]) -> float:
    return ticks[1] - ticks[0] if len(ticks) > 1 else abs(ticks[0]) or 1.0


X_TICKS = 6  # about this many ticks on the x axis
Y_TICKS = 5


def nice_ticks(low: float, high: float, count: int, whole: bool = False, outward: bool = False) -> list[float]:
    """About `count` ticks at multiples of 1, 2, 2.5 or 5 times a power of ten: inside
    [`low`, `high`], or (`outward`) from the multiple below `low` to the one above `high`.

    With `whole`, the spacing is a whole number (steps are counted in whole steps).
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high - low <= max(abs(low), abs(high)) * 1e-9:  # a flat curve (up to rounding dust)
        spread = abs(low) or 1.0
        low, high = low - spread / 2, high + spread / 2
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    spacing = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * 0.999)
    if whole:
        spacing = max(1, round(spacing)) if spacing >= 1 else 1
    first = math.floor(low / spacing) if outward else math.ceil(low / spacing - 1e-9)
    last = math.ceil(high / spacing) if outward else math.floor(high / spacing + 1e-9)
    return [_clean(k * spacing) for k in range(first, last + 1)]


def _clean(value: float) -> float:
    """`value` without the float dust of multiplying (0.30000000000000004 -> 0.3), and no -0."""
    return float(f"{value:.12g}") + 0.0


def format_tick(value: float, spacing: float) -> str:
    """A tick label with the decimals the ticks' `spacing` needs (`25`, `0.075`, `2.5e-05`);
    scientific below 1e-4 and from 1e6 on."""
    if value == 0:
        return "0"
    if not 1e-4 <= abs(value) < 1e6:
        return f"{value:.3g}"
    decimals = next((d for d in range(13) if abs(round(spacing, d) - spacing) <= abs(spacing) * 1e-9), 12)
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _legend_lines(series: Sequence[_Series], width: int, color: bool) -> list[str]:
    """The legend under the chart: each curve's mark and label, packed whole onto lines."""
    from lrviz.report.text import KEY_SEPARATOR

    entries = []
    for item in series:
        glyph = LEGEND_GLYPH if item.glyph(color) == "braille" else item.glyph(color)
        entries.append(f"{glyph} {_shorten(item.label, width - 2)}")
    lines: list[list[int]] = []
    for index, entry in enumerate(entries):
        current = lines[-1] if lines else None
        if current and len(KEY_SEPARATOR.join(entries[i] for i in current)) + len(KEY_SEPARATOR) + len(entry) <= width:
            current.append(index)
        else:
            lines.append([index])
    return [KEY_SEPARATOR.join(_coloured(entries[i], series[i], color) for i in line) for line in lines]


def _coloured(text: str, item: _Series, color: bool) -> str:
    if not color:
        return text
    from plotext._primitives.colorize import colorize
    from plotext._primitives.pixel import pixel

    return colorize(text, pixel(foreground=item.colour())).string()


def _shorten(text: str, limit: int) -> str:
    """`text` (control characters escaped) shortened in the middle to `limit` characters."""
    from lrviz.errors import printable
    from lrviz.report.text import shorten_middle

    return shorten_middle(printable(text), max(limit, 4))
