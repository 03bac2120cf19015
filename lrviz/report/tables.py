"""Rich tables of simulated curves: one row per curve, with the LR at the steps that matter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lrviz.report.text import pack_entries, shorten_middle

if TYPE_CHECKING:
    from rich.table import Table

    from lrviz.simulation.stepping import Curve

MAX_KEY_STEPS = 7


def format_lr(value: float) -> str:
    """An LR as the tables print it: four significant digits."""
    return f"{value:.4g}"


def key_steps(lr: np.ndarray, limit: int = MAX_KEY_STEPS) -> list[int]:
    """Start, each change of regime (a jump, a turn, the start or end of a flat stretch), end.

    When there are more changes than fit, the first ones are kept: they are the ones a reader
    checks against the config.
    """
    n = len(lr)
    if n == 0:
        return []
    if n == 1:
        return [0]
    signs = _slope_signs(lr)
    wanted = 2 * limit  # each event step occurs at most twice in a row, so enough distinct ones
    found: list[np.ndarray] = []
    count = 0
    # In chunks, with three steps of context before and one after, stopping once enough events are found: the
    # boolean temporaries stay small for a million-step curve, and most of it is never examined.
    for start in range(0, len(signs), SIGN_CHUNK):
        stop = min(start + SIGN_CHUNK, len(signs))
        low, high = max(start - 3, 0), min(stop + 1, len(signs))
        steps, events = _events(signs[low:high])
        events = events[(steps >= start - low) & (steps < stop - low)] + low  # this chunk's steps only
        events = events[(events > 0) & (events < n - 1)]
        found.append(events)
        count += len(events)
        if count >= wanted:
            break
    events = np.concatenate(found) if found else np.empty(0, dtype=np.intp)
    # events never decrease, so the first distinct ones inside (0, n - 1) are the first in order
    inside = np.unique(events[:wanted])
    points = [0, *(int(e) for e in inside)]
    if len(points) == 1 and n > 2:
        points.append(n // 2)
    if len(points) + 1 > limit:
        points = points[: limit - 1]
    points.append(n - 1)
    return sorted(set(points))


def _events(signs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(steps i, the step where the regime each starts begins) for the steps i (between values i
    and i+1, sign `signs[i]`) that change regime, tested against their neighbours all at once
    in boolean arrays. Both never decrease."""
    moving = signs != 0
    previous = np.zeros_like(moving)  # step i - 1 moves
    previous[1:] = moving[:-1]
    following = np.zeros_like(moving)  # step i + 1 moves
    following[:-1] = moving[1:]
    reverses = np.zeros_like(moving)  # step i moves the other way than step i - 1
    reverses[1:] = signs[1:] != signs[:-1]
    flat_before = np.zeros_like(moving)  # step i - 2 exists and is flat
    flat_before[2:] = ~moving[:-2]
    resumes = np.zeros_like(moving)  # step i + 1 moves the way step i - 1 did (and both move)
    resumes[1:-1] = (signs[2:] == signs[:-2]) & (signs[:-2] != 0)
    jump = moving & ~previous & ~following  # an isolated jump: the new value holds from i + 1
    turn = moving & previous & reverses  # a turn (peak or trough at i) or a restart
    against = turn & resumes  # one step against a trend that then resumes
    restart = against.copy()  # a restart (from i + 1): the first of a zigzag of such steps
    restart[1:] &= ~against[:-1]
    after_restart = np.zeros_like(moving)  # the trend resuming right after a restart: no new regime
    after_restart[1:] = restart[:-1]
    turn &= ~restart & ~after_restart
    ramp_ends = ~moving & previous & ~flat_before  # flat from step i on
    ramp_starts = moving & ~previous & following  # a flat stretch ends: the ramp starts at i
    ramp_starts[0] = False
    candidates = np.flatnonzero(jump | turn | restart | ramp_ends | ramp_starts)
    return candidates, candidates + (jump | restart)[candidates]


SIGN_CHUNK = 1 << 16  # values per chunk: bounds the float temporaries of a million-step curve


def _slope_signs(lr: np.ndarray) -> np.ndarray:
    """-1, 0 or 1 for each step between consecutive values; 0 where they agree to ~12 digits
    (recursive torch formulas leave rounding dust)."""
    scale = None
    for start in range(0, len(lr), SIGN_CHUNK):
        finite = np.abs(lr[start : start + SIGN_CHUNK][np.isfinite(lr[start : start + SIGN_CHUNK])])
        if finite.size:
            scale = max(float(finite.max()), scale or 0.0)
    scale = 1.0 if scale is None else scale
    signs = np.empty(len(lr) - 1, dtype=np.int8)
    for start in range(0, len(signs), SIGN_CHUNK):
        left = lr[start : start + SIGN_CHUNK]
        right = lr[start + 1 : start + SIGN_CHUNK + 1]
        left = left[: len(right)]
        diffs = right - left
        tolerance = np.maximum(np.maximum(np.abs(left), np.abs(right)) * 1e-12, scale * 1e-300)
        # a NaN step counts as a change
        moved = np.where(np.isnan(diffs), 1.0, np.sign(diffs))
        signs[start : start + len(diffs)] = np.where(np.abs(diffs) <= tolerance, 0, moved)
    return signs


WIDE = 100  # columns from which the key steps may fit in the summary table
TABLE_EDGES = 2  # the box's left and right edge (SIMPLE_HEAD: a space each)
COLUMN_GAP = 3  # between two columns: padding, the box's blank divider, padding
LABEL_MIN = 32  # labels are shortened to fit, but columns are dropped before they get narrower than this
NUMBER_COLUMNS = ("start", "peak (step)", "final", "min", "mean")
DROPPABLE = ("mean", "min")  # the columns given up, in this order, on very narrow terminals


@dataclass(frozen=True)
class CurveRow:
    """One row of the tables: a curve (or one param group of it), its numbers as printed."""

    label: str
    steps: int
    numbers: dict[str, str]  # column name -> the printed value
    keys: list[str]  # "step: LR" at each key step


def curve_rows(curves: Sequence[Curve]) -> list[CurveRow]:
    """The printed cells of every curve (per param group), before any layout."""
    rows = []
    for label, steps, values in _rows(curves):
        # the first highest value; not np.nanargmax, which copies a million-step curve
        peak = int(np.argmax(values == np.nanmax(values))) if np.isfinite(values).any() else 0
        numbers = {
            "start": format_lr(values[0]),
            "peak (step)": f"{format_lr(values[peak])} ({peak})",
            "final": format_lr(values[-1]),
            "min": format_lr(float(np.min(values))),
            "mean": format_lr(float(np.mean(values))),
        }
        rows.append(CurveRow(label, steps, numbers, [f"{k}: {format_lr(values[k])}" for k in key_steps(values)]))
    return rows


def _rows(curves: Sequence[Curve]) -> list[tuple[str, int, np.ndarray]]:
    from lrviz.errors import printable

    rows = []
    for curve in curves:
        names = curve.group_names
        for name, values in zip(names, curve.group_lr, strict=True):
            label = curve.label if len(names) == 1 else f"{curve.label} [{name}]"
            rows.append((printable(label), curve.steps, values))
    return rows


def _column_width(name: str, rows: Sequence[CurveRow]) -> int:
    cells = [row.steps if name == "steps" else row.numbers[name] for row in rows]
    return max(len(name), *(len(str(cell)) for cell in cells))


def _table_width(widths: Sequence[int]) -> int:
    """The characters a table with columns of these widths takes."""
    return sum(widths) + COLUMN_GAP * (len(widths) - 1) + TABLE_EDGES


@dataclass(frozen=True)
class _Layout:
    columns: list[str]  # the number columns shown (with "steps" when the curves' lengths differ)
    label_width: int
    keys_width: int  # the key steps' column in the summary; 0: a table of their own


def _layout(rows: Sequence[CurveRow], width: int) -> _Layout:
    """Which columns fit `width`, and how wide the labels may be."""
    lengths = {row.steps for row in rows}
    columns = [*(["steps"] if len(lengths) > 1 else []), *NUMBER_COLUMNS]
    longest = max((len(row.label) for row in rows), default=0)
    longest = max(longest, len("curve"))
    keys = max(len(KEYS_HEADER), *(len(key) for row in rows for key in row.keys))
    numbers = [_column_width(name, rows) for name in columns]
    room = width - _table_width([*numbers, keys, 0])
    if width >= WIDE and room >= min(longest, 3 * LABEL_MIN):
        return _Layout(columns, min(longest, room), keys)
    for dropped in ("", *DROPPABLE):
        if dropped:
            columns.remove(dropped)
        room = width - _table_width([*(_column_width(name, rows) for name in columns), 0])
        if room >= min(longest, LABEL_MIN):
            break
    return _Layout(columns, max(min(longest, room), 1), 0)


KEYS_HEADER = "key steps (step: LR)"


def curve_tables(curves: Sequence[Curve], title: str | None = None, width: int = 80) -> list[Table]:
    """A summary row per curve (per param group): start, peak, final, min, mean, key steps.

    Every row is one line, no label or number is ever split: labels longer than their column
    are shortened in the middle (:func:`shorten_middle`), and the LR at key steps is a column of
    the summary when `width` allows, else a table of its own, its entries packed whole on lines.
    The run length is in the title when every curve has the same, else a column.
    """
    rows = curve_rows(curves)
    layout = _layout(rows, width)
    summary = _summary_table(rows, layout, _title(title, rows))
    if layout.keys_width:
        return [summary]
    return [summary, key_steps_table(rows, width)]


def _title(title: str | None, rows: Sequence[CurveRow]) -> str | None:
    from lrviz.errors import printable

    lengths = {row.steps for row in rows}
    run = f"{lengths.pop()} steps" if len(lengths) == 1 else None
    parts = [part for part in (None if title is None else printable(title), run) if part]
    return " · ".join(parts) if parts else None


def _new_table(title: str | None, show_lines: bool = False) -> Table:
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_lines=show_lines,
    )


def _summary_table(rows: Sequence[CurveRow], layout: _Layout, title: str | None) -> Table:
    from rich.text import Text

    # with key steps in it a row takes several lines: a blank line between rows tells them apart
    summary = _new_table(title, show_lines=bool(layout.keys_width))
    summary.add_column("curve", no_wrap=True, width=layout.label_width)
    for name in layout.columns:
        summary.add_column(name, justify="right", no_wrap=True)
    if layout.keys_width:
        summary.add_column(KEYS_HEADER, justify="right", no_wrap=True)
    for row in rows:
        cells = [Text(shorten_middle(row.label, layout.label_width))]
        cells += [Text(str(row.steps) if name == "steps" else row.numbers[name]) for name in layout.columns]
        if layout.keys_width:
            cells.append(Text("\n".join(row.keys)))
        summary.add_row(*cells)
    return summary


KEYS_TITLE = "LR at key steps: start, each change of regime, end"
STACK_INDENT = "  "  # the key steps under their curve's label, when the labels need the whole line


def key_steps_table(rows: Sequence[CurveRow], width: int) -> Table:
    """The LR at each curve's key steps, its entries packed whole into lines `width` wide.

    Labels take a column of up to 40 % of the line; when one is longer, each label gets a line of
    its own with its key steps under it, so no label loses the part that tells it apart.
    """
    from rich.text import Text

    longest = max((len(row.label) for row in rows), default=0)
    widest_key = max((len(key) for row in rows for key in row.keys), default=0)
    # labels take at most 40 % of the line, and leave room for the widest entry
    label_width = max(min(longest, (2 * width) // 5, width - _table_width([widest_key, 0])), len("curve"))
    if label_width < longest:
        return _stacked_key_steps_table(rows, width)
    keys_width = max(width - _table_width([label_width, 0]), widest_key)
    several_lines = any(len(pack_entries(row.keys, keys_width)) > 1 for row in rows)
    table = _new_table(KEYS_TITLE, show_lines=several_lines)
    table.add_column("curve", no_wrap=True, width=label_width)
    table.add_column("step: LR", no_wrap=True)
    for row in rows:
        table.add_row(Text(row.label), Text("\n".join(pack_entries(row.keys, keys_width))))
    return table


def _stacked_key_steps_table(rows: Sequence[CurveRow], width: int) -> Table:
    """One column: each curve's label on a line (shortened only past the whole width), its key
    steps indented under it; a blank line between curves."""
    from rich.text import Text

    inner = max(width - _table_width([0]), 1)
    table = _new_table(KEYS_TITLE, show_lines=True)
    table.add_column("curve / step: LR", no_wrap=True)
    for row in rows:
        cell = Text(shorten_middle(row.label, inner), style="bold")
        for line in pack_entries(row.keys, inner - len(STACK_INDENT)):
            cell.append(f"\n{STACK_INDENT}{line}")
        table.add_row(cell)
    return table
