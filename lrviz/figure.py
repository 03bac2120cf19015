"""Matplotlib figures of simulated curves, through the object API (no pyplot global state).

A figure is built in an ``rc_context`` of lrviz's style: Okabe-Ito colours (safe for colour-blind
readers), thin grid, labelled axes; saving is deterministic (fixed SVG hash salt, no dates in
SVG/PDF metadata) and atomic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from lrviz.output import FIGURE_SUFFIXES, check_output_path, write_atomic

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lrviz.simulation import Curve

# Okabe & Ito, "Color Universal Design" (2008); yellow last: it is faint on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
LINESTYLES = ("-", "--", "-.", ":")

STYLE: dict[str, Any] = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "lines.linewidth": 1.6,
    "savefig.dpi": 150,
    "svg.hashsalt": "lrviz",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "figure.figsize": (6.4, 4.0),
}


@dataclass(frozen=True)
class RenderOptions:
    """How to draw: everything here is presentation, nothing changes the values."""

    title: str | None = None
    log_y: bool = False
    width: float | None = None  # inches
    height: float | None = None
    dpi: float | None = None
    momentum: bool = True  # draw momentum on a secondary axis when a curve has it
    metric: bool = True  # draw a plateau metric on a secondary axis when the spec asks


def _line_style(index: int) -> dict[str, Any]:
    return {
        "color": PALETTE[index % len(PALETTE)],
        "linestyle": LINESTYLES[(index // len(PALETTE)) % len(LINESTYLES)],
    }


def _series_labels(curve: Curve) -> list[str]:
    names = curve.group_names
    if len(names) == 1:
        return [curve.label]
    return [f"{curve.label} [{name}]" for name in names]


def plot_curves(
    ax: Axes, curves: Sequence[Curve], options: RenderOptions = RenderOptions(), color_offset: int = 0
) -> None:
    """Draw the LR of every curve (and param group) on `ax`; each value holds for its whole step."""
    index = color_offset
    for curve in curves:
        steps = np.arange(curve.steps)
        for label, values in zip(_series_labels(curve), curve.group_lr, strict=True):
            ax.plot(steps, values, drawstyle="steps-post", label=label, **_line_style(index))
            index += 1
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    if options.log_y:
        ax.set_yscale("log")
    else:
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4), useMathText=True)
    ax.set_xlim(left=0)
    ax.margins(x=0.01)


def _secondary(ax: Axes, curves: Sequence[Curve], options: RenderOptions) -> Axes | None:
    with_momentum = [c for c in curves if c.momentum is not None] if options.momentum else []
    with_metric = (
        [c for c in curves if c.metric is not None and c.spec.metric is not None and c.spec.metric.plot]
        if options.metric
        else []
    )
    if not with_momentum and not with_metric:
        return None
    twin = ax.twinx()
    twin.grid(False)
    twin.spines["right"].set_visible(True)
    for curve in with_momentum:
        index = curves.index(curve)
        twin.plot(
            np.arange(curve.steps),
            curve.momentum,
            drawstyle="steps-post",
            linewidth=1.0,
            alpha=0.8,
            label=f"{curve.label} momentum",
            color=PALETTE[index % len(PALETTE)],
            linestyle=":",
        )
    for curve in with_metric:
        twin.plot(
            np.arange(curve.steps),
            curve.metric,
            linewidth=0.8,
            alpha=0.6,
            color="#7f7f7f",
            label=f"{curve.spec.metric.name}",
        )
    labels = []
    if with_momentum:
        labels.append("momentum")
    if with_metric:
        labels.append(with_metric[0].spec.metric.name)
    twin.set_ylabel(" / ".join(labels))
    return twin


def render(
    curves: Sequence[Curve], options: RenderOptions | None = None, ax: Axes | None = None, **kwargs: Any
) -> Figure:
    """A Figure of `curves`; draws into `ax` when given (and returns its figure)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    options = options or RenderOptions(**kwargs)
    curves = list(curves)
    with rc_context(STYLE):
        if ax is None:
            size = (options.width or STYLE["figure.figsize"][0], options.height or STYLE["figure.figsize"][1])
            figure = Figure(figsize=size, dpi=options.dpi or 100, layout="constrained")
            ax = figure.add_subplot()
        else:
            figure = ax.figure
        plot_curves(ax, curves, options)
        twin = _secondary(ax, curves, options)
        title = options.title
        if title is None and len(curves) == 1:
            title = curves[0].label
        if title:
            ax.set_title(title)
        handles, labels = ax.get_legend_handles_labels()
        if twin is not None:
            more_handles, more_labels = twin.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        if len(handles) > 1:
            ax.legend(handles, labels, loc="best")
    return figure


FINDING_GID = "lrviz-finding"  # the id of the lines that mark findings (in SVG output too)


def mark_steps(figure: Figure, steps: Sequence[int]) -> None:
    """Dotted vertical lines at the steps `lrviz check` findings point at (a milestone that fires twice, ...)."""
    ax = figure.axes[0]
    for step in sorted(set(steps)):
        ax.axvline(step, color=PALETTE[3], linestyle=":", linewidth=1.0, alpha=0.8, zorder=0.5, gid=FINDING_GID)


SAVE_METADATA = {
    ".svg": {"Date": None, "Creator": "lrviz"},
    ".pdf": {"CreationDate": None, "ModDate": None, "Creator": "lrviz", "Producer": "lrviz"},
    ".png": {"Software": "lrviz"},
}


def save_figure(figure: Figure, path: str | Path, dpi: float | None = None, flag: str = "--output") -> Path:
    """Write `figure` to `path` (format from the suffix), deterministically and atomically."""
    from matplotlib import rc_context

    target = check_output_path(path, FIGURE_SUFFIXES, flag)
    suffix = target.suffix.lower()

    def write(handle: IO[bytes]) -> None:
        with rc_context(STYLE):
            figure.savefig(
                handle,
                format=suffix.lstrip("."),
                dpi=dpi or STYLE["savefig.dpi"],
                metadata=SAVE_METADATA[suffix],
            )

    return write_atomic(target, write, flag)
