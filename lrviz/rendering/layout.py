"""Layout that cannot fail: titles that fit the canvas, legends that cover no data, axes that keep room.

After the curves are drawn, :func:`finish_layout` (one call per figure):

- folds the y axis's offset text (``×10⁻⁴``) into the axis label, so it cannot collide with the title;
- wraps each title to the canvas's width (at most `MAX_TITLE_LINES` lines, the rest cut with ``…``);
- places each legend: inside its axes in the first corner where it covers no line, mark or text
  (only legends of at most `MAX_INSIDE_ENTRIES` entries); else outside, right of the axes when that
  leaves them at least `MIN_AXES_SHARE` of the canvas, else below in as many columns as fit; its
  font shrinks (to `MIN_LEGEND_POINTS`) and, past that, the middle entries are elided
  (``… N more``) until the legend fits.

Compare of more than `PANEL_THRESHOLD` curves from several files draws one panel per file
(:func:`compare_panels`). Checks used by the tests live here too (:func:`layout_problems`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend
    from matplotlib.transforms import Bbox

MAX_TITLE_LINES = 3
MAX_INSIDE_ENTRIES = 8  # a longer legend inside the axes hides too much of them
MIN_AXES_SHARE = 0.35  # of the canvas, whatever the legend
MIN_LEGEND_POINTS = 5.0
PANEL_THRESHOLD = 12  # compare: more curves than this, from several files, get one panel per file
INSIDE_CORNERS = ("upper right", "upper left", "lower left", "lower right", "center right", "center left")
CLEARANCE = 3.0  # pixels kept between a legend and the nearest line


def compare_panels(specs: Sequence[Any], grid: bool, titles: Sequence[str]) -> list[tuple[str, int]] | None:
    """The panels of `lrviz compare` (title, curve count per file): with `--grid`, or automatically
    when the files have more than PANEL_THRESHOLD curves in all; None for one axes."""
    total = sum(len(spec.curves) for spec in specs)
    if grid or (len(specs) > 1 and total > PANEL_THRESHOLD):
        return [(title, len(spec.curves)) for title, spec in zip(titles, specs, strict=True)]
    return None


# --------------------------------------------------------------------------- titles and offsets


def renderer_of(figure: Figure) -> Any:
    """A renderer that measures texts as `figure` draws them (a figure made without pyplot gets
    an Agg canvas for that: measuring needs one, and saving picks its own per format)."""
    from matplotlib.backend_bases import FigureCanvasBase

    if type(figure.canvas) is FigureCanvasBase:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(figure)
    return figure.canvas.get_renderer()


def fold_offset_text(ax: Axes) -> None:
    """Put the y axis's offset (``×10⁻⁴``) into its label and hide the offset text, which would
    sit where the title is."""
    from matplotlib.ticker import ScalarFormatter

    formatter = ax.yaxis.get_major_formatter()
    if not isinstance(formatter, ScalarFormatter) or ax.get_yscale() != "linear":
        return
    formatter.set_locs(ax.yaxis.get_majorticklocs())
    offset = formatter.get_offset()
    if offset and ax.get_ylabel():
        ax.set_ylabel(f"{ax.get_ylabel()} ({offset})")
    ax.yaxis.get_offset_text().set_visible(False)


def fit_text(text: Any, room: float, renderer: Any) -> bool:
    """Wrap `text` (a matplotlib Text) at spaces to lines no longer than `room` pixels (along the
    text: a rotated label's height); at most MAX_TITLE_LINES lines, a word or a last line too long
    cut in the middle with ``…``. Whether it changed."""
    from lrviz.rendering.labels import shorten

    original = text.get_text()
    if not text.get_visible() or not original or _length(text, original, renderer) <= room:
        return False
    lines: list[str] = []
    for word in original.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and _length(text, candidate, renderer) <= room:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > MAX_TITLE_LINES:
        lines = [*lines[: MAX_TITLE_LINES - 1], " ".join(lines[MAX_TITLE_LINES - 1 :])]
    fitted = []
    for line in lines:
        limit = len(line)
        while limit > 3 and _length(text, shorten(line, limit), renderer) > room:
            limit -= max(1, limit // 10)
        fitted.append(shorten(line, limit))
    text.set_text("\n".join(fitted))
    return True


def _length(text: Any, value: str, renderer: Any) -> float:
    """How long `text` would be, along its direction, showing `value`."""
    saved = text.get_text()
    text.set_text(value)
    try:
        extent = text.get_window_extent(renderer)
        return extent.height if abs(text.get_rotation() % 180 - 90) < 1 else extent.width
    finally:
        text.set_text(saved)


def _room(centre: float, low: float, high: float) -> float:
    """The length a text centred at `centre` can have between `low` and `high`."""
    return 2 * max(0.0, min(centre - low, high - centre)) * 0.96


def fit_texts(figure: Figure) -> bool:
    """Every axes title and axis label (each centred on its axes, as laid out) and the figure's
    suptitle wrapped to the canvas; whether any changed."""
    renderer = renderer_of(figure)
    canvas = figure.bbox
    changed = False
    for ax in [*figure.axes, *(child for parent in figure.axes for child in parent.child_axes)]:
        if not ax.get_visible():
            continue
        across = _room((ax.bbox.x0 + ax.bbox.x1) / 2, canvas.x0, canvas.x1)
        down = _room((ax.bbox.y0 + ax.bbox.y1) / 2, canvas.y0, canvas.y1)
        changed |= fit_text(ax.title, across, renderer)
        for side_title in (ax._left_title, ax._right_title):
            changed |= fit_text(side_title, canvas.width * 0.48, renderer)
        changed |= fit_text(ax.xaxis.label, across, renderer)
        changed |= fit_text(ax.yaxis.label, down, renderer)
    if figure._suptitle is not None:
        changed |= fit_text(figure._suptitle, canvas.width * 0.96, renderer)
    return changed


def _columns(figure: Figure) -> int:
    specs = [ax.get_subplotspec() for ax in figure.axes if ax.get_subplotspec() is not None]
    return max((spec.get_gridspec().ncols for spec in specs), default=1)


# --------------------------------------------------------------------------- obstacles


def _line_points(line: Any) -> np.ndarray:
    """The vertices of a Line2D in pixels, with the corners a steps drawstyle adds."""
    import numpy as np

    xy = np.asarray(line.get_xydata(), dtype=float)
    if line.get_drawstyle() == "steps-post" and len(xy) > 1:
        corners = np.column_stack([xy[1:, 0], xy[:-1, 1]])
        stacked = np.empty((2 * len(xy) - 1, 2))
        stacked[0::2], stacked[1::2] = xy, corners
        xy = stacked
    pixels = line.get_transform().transform(xy)
    return pixels


def obstacle_paths(axes: Sequence[Axes]) -> list[np.ndarray]:
    """The polylines (pixels) a legend must not cover: every visible line and segment collection
    (event marks) of `axes`; a point collection as one-point paths."""
    import numpy as np
    from matplotlib.collections import LineCollection, PathCollection

    paths: list[np.ndarray] = []
    for ax in axes:
        for line in ax.get_lines():
            if line.get_visible() and len(line.get_xydata()):
                paths.append(_line_points(line))
        for collection in ax.collections:
            if not collection.get_visible():
                continue
            if isinstance(collection, LineCollection):
                transform = collection.get_transform()
                paths += [transform.transform(np.asarray(seg, dtype=float)) for seg in collection.get_segments()]
            elif isinstance(collection, PathCollection):
                offsets = collection.get_offset_transform().transform(collection.get_offsets())
                paths += [point[np.newaxis] for point in offsets]
    return paths


def obstacle_boxes(axes: Sequence[Axes], renderer: Any) -> list[Bbox]:
    """The extents of the texts drawn inside `axes` (mark labels, final values)."""
    texts = [text for ax in axes for text in ax.texts if text.get_visible() and text.get_text()]
    return [text.get_window_extent(renderer) for text in texts]


def _hits(paths: Sequence[np.ndarray], box: tuple[float, float, float, float]) -> bool:
    """Whether any segment (or lone point) of `paths` passes through `box` (x0, y0, x1, y1)."""
    import numpy as np

    x0, y0, x1, y1 = box
    for path in paths:
        finite = path[np.isfinite(path).all(axis=1)]
        if not len(finite):
            continue
        inside = (finite[:, 0] >= x0) & (finite[:, 0] <= x1) & (finite[:, 1] >= y0) & (finite[:, 1] <= y1)
        if inside.any():
            return True
        if len(finite) > 1 and _segments_cross(finite[:-1], finite[1:], box):
            return True
    return False


def _segments_cross(start: np.ndarray, end: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    """Liang-Barsky clipping of every segment start->end against `box`, vectorised."""
    import numpy as np

    x0, y0, x1, y1 = box
    d = end - start
    low = np.zeros(len(d))
    high = np.ones(len(d))
    for p, q in (
        (-d[:, 0], start[:, 0] - x0),
        (d[:, 0], x1 - start[:, 0]),
        (-d[:, 1], start[:, 1] - y0),
        (d[:, 1], y1 - start[:, 1]),
    ):
        parallel = p == 0
        outside = parallel & (q < 0)
        low[outside], high[outside] = 1.0, 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        entering = (p < 0) & ~parallel
        leaving = (p > 0) & ~parallel
        low = np.where(entering, np.maximum(low, ratio), low)
        high = np.where(leaving, np.minimum(high, ratio), high)
    return bool((low <= high).any())


def _boxes_overlap(box: tuple[float, float, float, float], others: Sequence[Bbox]) -> bool:
    x0, y0, x1, y1 = box
    return any(o.x0 < x1 and o.x1 > x0 and o.y0 < y1 and o.y1 > y0 for o in others)


# --------------------------------------------------------------------------- legends


def _corner_box(ax: Axes, loc: str, size: tuple[float, float], pad: float) -> tuple[float, float, float, float]:
    """Where a legend of `size` pixels sits at `loc` inside `ax` (matplotlib's placement: `pad` in from the edges)."""
    box = ax.bbox
    width, height = size
    vertical, _, horizontal = loc.partition(" ")
    if vertical == "center":
        y0 = box.y0 + (box.height - height) / 2
    else:
        y0 = box.y1 - pad - height if vertical == "upper" else box.y0 + pad
    if horizontal == "right":
        x0 = box.x1 - pad - width
    elif horizontal == "left":
        x0 = box.x0 + pad
    else:
        x0 = box.x0 + (box.width - width) / 2
    return (x0 - CLEARANCE, y0 - CLEARANCE, x0 + width + CLEARANCE, y0 + height + CLEARANCE)


def free_corner(ax: Axes, legend: Legend, obstacles: Sequence[Axes]) -> str | None:
    """The first of INSIDE_CORNERS where `legend` (drawn once, for its size) covers no line,
    mark or text of the `obstacles` axes; None when there is none."""
    renderer = renderer_of(ax.figure)
    extent = legend.get_window_extent(renderer)
    pad = legend.borderaxespad * renderer.points_to_pixels(legend._fontsize)
    paths = obstacle_paths(obstacles)
    boxes = obstacle_boxes(obstacles, renderer)
    for loc in INSIDE_CORNERS:
        box = _corner_box(ax, loc, (extent.width, extent.height), pad)
        if not _hits(paths, box) and not _boxes_overlap(box, boxes):
            return loc
    return None


def header_entry(text: str) -> tuple[Any, str]:
    """A legend entry with no line: the heading of the entries after it (a file, a panel)."""
    from matplotlib.lines import Line2D

    return Line2D([], [], linestyle="none"), text


def draw_quietly(figure: Figure) -> bool:
    """Lay `figure` out; whether the layout failed (constrained layout collapsed the axes to
    nothing and left them where they were). A trial's failure is the caller's to judge, not a warning."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", message="constrained_layout not applied")
        figure.draw_without_rendering()
    failed = [w for w in caught if "constrained_layout not applied" in str(w.message)]
    for other in caught:
        if other not in failed:
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    return bool(failed)


def _try_corners(figure: Figure, inside: list[tuple[Axes, Legend, Sequence[Axes], list]]) -> list:
    """Move each inside legend to a free corner; (axes, entries) of those that have none (removed)."""
    draw_quietly(figure)  # the layout the axes will have: the corners are known
    homeless = []
    for ax, legend, obstacles, entries in inside:
        corner = free_corner(ax, legend, obstacles)
        if corner is None:
            legend.remove()
            homeless.append((ax, entries))
        else:
            legend.set_loc(corner)
    return homeless


def place_legends(figure: Figure, legends: Sequence[tuple[Axes, list, list[str], Sequence[Axes]]]) -> None:
    """Each (axes, handles, labels, obstacle axes) legend where it covers no data: in a free
    corner of its axes (at most MAX_INSIDE_ENTRIES entries), else in one legend outside the axes
    (right, or below in columns; with several, each axes' entries under its title), shrunk and
    then elided until the canvas holds it."""
    inside, outside = [], []
    for ax, handles, labels, obstacles in legends:
        entries = list(zip(handles, labels, strict=True))
        if len(entries) <= MAX_INSIDE_ENTRIES:
            inside.append((ax, ax.legend(handles, labels, loc="upper right"), obstacles, entries))
        else:
            outside.append((ax, entries))
    outside += _try_corners(figure, inside) if inside else []
    if not outside:
        return
    combined: list[tuple[Any, str]] = []
    for ax, entries in outside:
        if len(outside) > 1:
            combined.append(header_entry(ax.get_title()))
        combined += entries
    _place_outside(figure, [e[0] for e in combined], [e[1] for e in combined])
    still_inside = [
        (ax, legend, obstacles, entries) for ax, legend, obstacles, entries in inside if ax.get_legend() is legend
    ]
    if still_inside:  # the axes shrank for the outside legend: check the corners again
        for _, entries in _try_corners(figure, still_inside):
            _place_outside_again(figure, entries)


def _place_outside_again(figure: Figure, entries: list) -> None:
    """Entries that lost their corner when the axes shrank: added to the outside legend."""
    legend = figure.legends[-1]
    handles = [*legend.legend_handles, *(e[0] for e in entries)]
    labels = [*(t.get_text() for t in legend.get_texts()), *(e[1] for e in entries)]
    legend.remove()
    _place_outside(figure, handles, labels)


def _place_outside(figure: Figure, handles: list, labels: list[str]) -> None:
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    points = FontProperties(size=rcParams["legend.fontsize"]).get_size_in_points()
    entries = list(zip(handles, labels, strict=True))
    while True:
        for where in ("right", "below"):
            legend = _outside_legend(figure, entries, where, points)
            if legend is not None:
                return
        if points > MIN_LEGEND_POINTS:
            points = max(MIN_LEGEND_POINTS, points - 1)
        elif len(entries) > 3:
            entries = _elided(entries, len(entries) * 2 // 3)
        else:
            _outside_legend(figure, entries, "below", points, force=True)
            return


def _elided(entries: list[tuple[Any, str]], keep: int) -> list[tuple[Any, str]]:
    """The first and last entries, `keep` in all, around one saying how many are left out."""
    from matplotlib.lines import Line2D

    real = [e for e in entries if not e[1].startswith("… ")]
    hidden = len(real) - keep
    head, tail = real[: (keep + 1) // 2], real[len(real) - keep // 2 :]
    return [*head, (Line2D([], [], linestyle="none"), f"… {hidden} more"), *tail]


def _outside_legend(
    figure: Figure, entries: list[tuple[Any, str]], where: str, points: float, force: bool = False
) -> Legend | None:
    """A figure legend right of or below the axes in `points`-point text; None (and removed) when
    the canvas cannot hold it with the axes keeping MIN_AXES_SHARE of the canvas."""
    handles, labels = [e[0] for e in entries], [e[1] for e in entries]
    renderer = renderer_of(figure)
    row_height = renderer.points_to_pixels(points) * 1.45  # a text row plus labelspacing
    rows_fit = max(1, int(figure.bbox.height * 0.85 // row_height))
    columns = math.ceil(len(handles) / rows_fit) if where == "right" else _columns_below(figure, labels, points)
    loc = "outside right upper" if where == "right" else "outside lower center"
    legend = figure.legend(handles, labels, loc=loc, ncols=columns, fontsize=points)
    failed = draw_quietly(figure)
    fits = _axes_share(figure) >= MIN_AXES_SHARE and _inside_canvas(figure, legend.get_window_extent(renderer))
    if force or (fits and not failed):
        return legend
    legend.remove()
    return None


def _columns_below(figure: Figure, labels: Sequence[str], points: float) -> int:
    """How many columns of `labels` fit across the canvas (an estimate from the longest label)."""
    renderer = renderer_of(figure)
    char = renderer.points_to_pixels(points) * 0.6
    entry = (max((len(label) for label in labels), default=1) + 5) * char
    return max(1, min(len(labels), int(figure.bbox.width * 0.95 // entry)))


def _axes_share(figure: Figure) -> float:
    """The part of the canvas the visible main axes take (twins counted once)."""
    import numpy as np

    seen, area = set(), 0.0
    for ax in figure.axes:
        position = tuple(np.round(ax.get_position().bounds, 6))
        if not ax.get_visible() or position in seen or not ax.get_subplotspec():
            continue
        seen.add(position)
        area += ax.get_position().width * ax.get_position().height
    return area


def _inside_canvas(figure: Figure, box: Bbox, slack: float = 0.5) -> bool:
    canvas = figure.bbox
    return (
        box.x0 >= canvas.x0 - slack
        and box.y0 >= canvas.y0 - slack
        and box.x1 <= canvas.x1 + slack
        and box.y1 <= canvas.y1 + slack
    )


def finish_layout(figure: Figure, legends: Sequence[tuple[Axes, list, list[str], Sequence[Axes]]]) -> None:
    """Offsets folded, titles fitted, then each (axes, handles, labels, obstacle axes) legend placed."""
    for ax in figure.axes:
        if ax.get_subplotspec() is not None:
            fold_offset_text(ax)
    draw_quietly(figure)  # where the layout puts each axes: its title is centred there
    fit_texts(figure)
    place_legends(figure, [legend for legend in legends if legend[1]])
    if fit_texts(figure):  # the legend moved the axes: their labels are fitted where they are now
        draw_quietly(figure)


# --------------------------------------------------------------------------- checks


def drawn_texts(figure: Figure) -> list[Any]:
    """Every non-empty visible text a draw of `figure` shows: titles, axis and tick labels (of
    the ticks in view), offsets, texts in the axes, legends' texts, the figure's own texts."""
    texts = [*figure.texts, *([figure._suptitle] if figure._suptitle is not None else [])]
    for legend in figure.legends:
        texts += [*legend.get_texts(), legend.get_title()]
    for ax in [*figure.axes, *(child for parent in figure.axes for child in parent.child_axes)]:
        if not ax.get_visible():
            continue
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        for axis in ax._axis_map.values():
            texts += [axis.label, axis.get_offset_text()]
            texts += [label for tick in axis._update_ticks() for label in (tick.label1, tick.label2)]
        if ax.get_legend() is not None:
            texts += [*ax.get_legend().get_texts(), ax.get_legend().get_title()]
    return [text for text in texts if text.get_visible() and text.get_text().strip()]


def layout_problems(figure: Figure) -> list[str]:
    """What breaks the layout rules, after drawing: texts outside the canvas, legends over lines,
    axes under MIN_AXES_SHARE of the canvas. Empty when the figure is clean."""
    problems = ["the layout collapsed"] if draw_quietly(figure) else []
    renderer = renderer_of(figure)
    for text in drawn_texts(figure):
        if not _inside_canvas(figure, text.get_window_extent(renderer), slack=1.0):
            problems.append(f"text {text.get_text()!r} outside the canvas")
    legends = [*figure.legends, *(ax.get_legend() for ax in figure.axes if ax.get_legend() is not None)]
    for legend in legends:
        extent = legend.get_window_extent(renderer)
        inner = (extent.x0 + 1, extent.y0 + 1, extent.x1 - 1, extent.y1 - 1)
        if _hits(obstacle_paths([ax for ax in figure.axes if ax.get_visible()]), inner):
            problems.append("a legend covers a line")
    if _axes_share(figure) < MIN_AXES_SHARE:
        problems.append(f"the axes take {_axes_share(figure):.0%} of the canvas")
    return problems
