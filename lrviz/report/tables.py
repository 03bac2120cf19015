"""Rich tables of simulated curves: one row per curve, with the LR at the steps that matter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rich.table import Table

    from lrviz.simulation.stepping import Curve

MAX_KEY_STEPS = 7


def format_lr(value: float) -> str:
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


WIDE = 100  # columns from which the key steps fit in the summary table


def _rows(curves: Sequence[Curve]) -> list[tuple[str, int, np.ndarray]]:
    from lrviz.errors import printable

    rows = []
    for curve in curves:
        names = curve.group_names
        for name, values in zip(names, curve.group_lr, strict=True):
            label = curve.label if len(names) == 1 else f"{curve.label} [{name}]"
            rows.append((printable(label), curve.steps, values))
    return rows


def curve_tables(curves: Sequence[Curve], title: str | None = None, width: int = 80) -> list[Table]:
    """A summary row per curve (per param group): start, peak, final, min, mean, key steps.

    The LR at key steps is a column of the summary when `width` allows, else a second table.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from lrviz.errors import printable

    wide = width >= WIDE
    shown_title = None if title is None else printable(title)
    summary = Table(title=shown_title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    summary.add_column("curve", overflow="fold", min_width=12)
    for name in ("start", "peak (step)", "final", "min", "mean"):
        summary.add_column(name, justify="right", no_wrap=True)
    keys_table = Table(
        title="LR at key steps: start, each change of regime, end",
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    keys_table.add_column("curve", overflow="fold", min_width=12)
    keys_table.add_column("step: LR", overflow="fold")
    if wide:
        summary.add_column("key steps (step: LR)", justify="right", no_wrap=True)
    for label, steps, values in _rows(curves):
        # the first highest value; not np.nanargmax, which copies a million-step curve
        peak = int(np.argmax(values == np.nanmax(values))) if np.isfinite(values).any() else 0
        keys = key_steps(values)
        cells = [
            Text(label) + Text(f"\n{steps} steps", style="dim"),
            Text(format_lr(values[0])),
            Text(f"{format_lr(values[peak])} ({peak})"),
            Text(format_lr(values[-1])),
            Text(format_lr(float(np.min(values)))),
            Text(format_lr(float(np.mean(values)))),
        ]
        if wide:
            cells.append(Text("\n".join(f"{k}: {format_lr(values[k])}" for k in keys)))
        summary.add_row(*cells)
        keys_table.add_row(Text(label), Text("   ".join(f"{k}: {format_lr(values[k])}" for k in keys)))
    return [summary] if wide else [summary, keys_table]
