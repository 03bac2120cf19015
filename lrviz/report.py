"""Rich tables of simulated curves: one row per curve, with the LR at the steps that matter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rich.table import Table

    from lrviz.simulation import Curve

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
    diffs = np.diff(lr)
    finite = np.abs(lr[np.isfinite(lr)])
    scale = float(finite.max()) if finite.size else 1.0
    # flat where two values agree to ~12 digits (recursive torch formulas leave rounding dust)
    tolerance = np.maximum(np.maximum(np.abs(lr[:-1]), np.abs(lr[1:])) * 1e-12, scale * 1e-300)
    signs = np.where(np.abs(diffs) <= tolerance, 0, np.sign(diffs)).astype(int)
    events: list[int] = []
    skip_turn = False
    for i, sign in enumerate(signs):
        previous = signs[i - 1] if i > 0 else 0
        following = signs[i + 1] if i + 1 < len(signs) else 0
        if skip_turn:
            skip_turn = False
            continue
        if sign != 0 and previous == 0 and following == 0:
            events.append(i + 1)  # an isolated jump: the new value holds from step i + 1
        elif sign != 0 and previous != 0 and sign != previous:
            if following == previous:
                events.append(i + 1)  # a restart: one step against the trend, which then resumes
                skip_turn = True
            else:
                events.append(i)  # a turn: peak or trough at step i
        elif sign == 0 and previous != 0 and i > 0 and not (i >= 2 and signs[i - 2] == 0):
            events.append(i)  # a ramp ends: flat from step i on
        elif sign != 0 and previous == 0 and following != 0 and i > 0:
            events.append(i)  # a flat stretch ends: the ramp starts at step i
    points = [0]
    for event in events:
        if 0 < event < n - 1 and event not in points:
            points.append(event)
    if len(points) == 1 and n > 2:
        points.append(n // 2)
    if len(points) + 1 > limit:
        points = points[: limit - 1]
    points.append(n - 1)
    return sorted(set(points))


WIDE = 100  # columns from which the key steps fit in the summary table


def _rows(curves: Sequence[Curve]) -> list[tuple[str, int, np.ndarray]]:
    rows = []
    for curve in curves:
        names = curve.group_names
        for name, values in zip(names, curve.group_lr, strict=True):
            label = curve.label if len(names) == 1 else f"{curve.label} [{name}]"
            rows.append((label, curve.steps, values))
    return rows


def curve_tables(curves: Sequence[Curve], title: str | None = None, width: int = 80) -> list[Table]:
    """A summary row per curve (per param group): start, peak, final, min, mean, key steps.

    The LR at key steps is a column of the summary when `width` allows, else a second table.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    wide = width >= WIDE
    summary = Table(title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
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
        peak = int(np.nanargmax(values)) if np.isfinite(values).any() else 0
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
