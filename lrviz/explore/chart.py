"""The explorer's chart: the curves in braille dots, sized to the widget, the previous curve faint.

lrviz draws the braille itself (numpy, no plotting library): each character cell holds 2 x 4
dots, and each column of dots shows the lowest and highest LR of the steps it covers, joined to
the last value of the column before. That is the figure's envelope at the terminal's
resolution: a 10,000-step curve costs a few numpy reductions, every jump and restart stays
visible, and the same code serves any width. Each value holds for its whole step, as in the
figure (``steps-post``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget

from lrviz.report.tables import format_lr

if TYPE_CHECKING:
    import numpy as np

    from lrviz.simulation.stepping import Curve

# Bit of each dot in a braille cell (Unicode's dot numbering), by (row, column) in the cell.
DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
BRAILLE_BASE = 0x2800
# Okabe-Ito, as the figure (lrviz.rendering.styles.PALETTE), minus black (invisible on a dark terminal).
COLORS = ("#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#F0E442")
# With NO_COLOR, curves are told apart by brightness (the legend shows each one's).
GREYS = ("bold #ffffff", "#a8a8a8", "#6c6c6c", "bold #d0d0d0", "#8a8a8a", "#585858")
FAINT = "dim"


@dataclass(frozen=True, eq=False)
class ChartSeries:
    """One line of the chart: a label and one value per step."""

    label: str
    values: np.ndarray
    style: str = ""  # a rich style: the line's colour, or dim for the previous curve


def column_spans(values: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """(lowest, highest) value drawn in each of `columns` columns of dots spanning the steps.

    Column c covers the steps that start in it; its span also reaches the last value of the
    column before, so consecutive columns join (a vertical edge at a jump). NaN where nothing
    finite is drawn.
    """
    import numpy as np

    n = len(values)
    starts = (np.arange(columns) * n) // columns
    lowest = np.fmin.reduceat(values, starts)
    highest = np.fmax.reduceat(values, starts)
    ends = np.append(starts[1:], n)
    last = values[np.maximum(ends - 1, starts)]
    previous_last = np.concatenate([[np.nan], last[:-1]])
    return np.fmin(lowest, previous_last), np.fmax(highest, previous_last)


def braille_codes(values: np.ndarray, width: int, height: int, y_range: tuple[float, float]) -> np.ndarray:
    """(height, width) braille bit masks of one series over `width` x `height` cells, `y_range` top to bottom."""
    import numpy as np

    dots_x, dots_y = 2 * width, 4 * height
    low, high = column_spans(values, dots_x)
    bottom, top = y_range
    scale = (dots_y - 1) / (top - bottom) if top > bottom else 0.0
    with np.errstate(invalid="ignore"):
        rows_high = np.round((top - high) * scale) if scale else np.full(dots_x, dots_y // 2)
        rows_low = np.round((top - low) * scale) if scale else np.full(dots_x, dots_y // 2)
        drawn = np.isfinite(rows_high) & np.isfinite(rows_low)
        row = np.arange(dots_y)[:, None]
        dots = drawn[None, :] & (row >= np.nan_to_num(rows_high)[None, :]) & (row <= np.nan_to_num(rows_low)[None, :])
    bits = np.array(DOT_BITS, dtype=np.int32)  # (4, 2)
    cells = dots.reshape(height, 4, width, 2) * bits[None, :, None, :]
    return cells.sum(axis=(1, 3))


def _transformed(values: np.ndarray, log_y: bool) -> np.ndarray:
    import numpy as np

    values = np.asarray(values, dtype=np.float64)
    if not log_y:
        return values
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)


def _y_range(series: Sequence[np.ndarray]) -> tuple[float, float]:
    import numpy as np

    finite = [s[np.isfinite(s)] for s in series]
    finite = [s for s in finite if len(s)]
    if not finite:
        return 0.0, 1.0
    low = min(float(s.min()) for s in finite)
    high = max(float(s.max()) for s in finite)
    if low == high:  # a flat line: give it room, in the middle
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    return low, high


def _tick(value: float, log_y: bool) -> str:
    return format_lr(10**value if log_y else value)


def chart_lines(series: Sequence[ChartSeries], width: int, height: int, log_y: bool = False) -> list[Text]:
    """The chart as `height` lines of at most `width` characters: y labels, braille plot, x axis."""
    import numpy as np

    if width < 12 or height < 4 or not series:
        return [Text("") for _ in range(max(height, 0))]
    values = [_transformed(s.values, log_y) for s in series]
    bottom, top = _y_range(values)
    labels = [_tick(top, log_y), _tick((top + bottom) / 2, log_y), _tick(bottom, log_y)]
    label_width = max(len(label) for label in labels)
    plot_width, plot_height = width - label_width - 1, height - 2
    codes = np.zeros((plot_height, plot_width), dtype=np.int32)
    owner = np.full((plot_height, plot_width), -1)
    for index, line in enumerate(values):  # later series on top: the current curve over the faint one
        cells = braille_codes(line, plot_width, plot_height, (bottom, top))
        codes |= cells
        owner[cells > 0] = index
    rows = []
    label_rows = {0: labels[0], plot_height // 2: labels[1], plot_height - 1: labels[2]}
    characters = np.where(codes > 0, codes + BRAILLE_BASE, ord(" "))
    for y in range(plot_height):
        text = Text(label_rows.get(y, "").rjust(label_width) + "┤" if y in label_rows else " " * label_width + "│")
        line = "".join(map(chr, characters[y].tolist()))
        # one styled run per stretch of cells owned by the same series
        cuts = [0, *(np.flatnonzero(np.diff(owner[y])) + 1).tolist(), plot_width]
        for start, stop in zip(cuts[:-1], cuts[1:], strict=True):
            index = owner[y, start]
            text.append(line[start:stop], series[index].style if index >= 0 else "")
        rows.append(text)
    steps = max(len(s.values) for s in series)
    rows.append(Text(" " * label_width + "└" + "─" * plot_width))
    axis = f"0{'step'.center(plot_width - len(str(steps)) - 1)}{steps}"
    rows.append(Text(" " * (label_width + 1) + axis[:plot_width]))
    return rows


class BrailleChart(Widget):
    """The chart widget: `series` (the current curves) over `previous` (drawn faint)."""

    DEFAULT_CSS = """
    BrailleChart { height: 1fr; min-height: 6; }
    """

    def __init__(self, id: str | None = None) -> None:  # noqa: A002 - Textual's name for it
        super().__init__(id=id)
        self.series: list[ChartSeries] = []
        self.previous: list[ChartSeries] = []
        self.log_y = False

    def show(self, series: Sequence[ChartSeries], keep_previous: bool = True) -> None:
        """Draw `series`; the curves shown until now become the faint previous ones."""
        if keep_previous and self.series:
            self.previous = [ChartSeries(s.label, s.values, FAINT) for s in self.series]
        self.series = list(series)
        self.refresh()

    def render(self) -> Text:
        """The lines of :func:`chart_lines` at the widget's size."""
        width, height = self.content_size.width, self.content_size.height
        lines = chart_lines([*self.previous, *self.series], width, height, self.log_y)
        return Text("\n").join(lines)


def legend(series: Sequence[ChartSeries], width: int, previous: bool) -> Text:
    """One line naming each curve in its colour (and the faint previous curve)."""
    text = Text()
    for item in series:
        if text:
            text.append("  ")
        text.append("━ ", item.style)
        text.append(item.label)
    if previous:
        text.append("  ")
        text.append("━ previous", FAINT)
    text.truncate(max(width, 1), overflow="ellipsis")
    return text


def series_of(curves: Sequence[Curve], colors: Sequence[str] = COLORS) -> list[ChartSeries]:
    """A chart line per curve and param group, each in its own colour (in the figure's order)."""
    lines: list[ChartSeries] = []
    for curve in curves:
        names = curve.group_names
        for name, values in zip(names, curve.group_lr, strict=True):
            label = curve.label if len(names) == 1 else f"{curve.label} [{name}]"
            lines.append(ChartSeries(label, values, colors[len(lines) % len(colors)]))
    return lines

