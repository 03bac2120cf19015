"""The figure of a search: every candidate's LR curve coloured by its score, the best highlighted,
and (for `train` and `law`) the candidates' loss curves in a second panel."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lrviz.search.report import SCORE_TITLES
from lrviz.search.scores import OK

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lrviz.rendering.figure import RenderOptions
    from lrviz.search.result import CandidateResult, SearchResult
    from lrviz.simulation.stepping import Curve

BEST_GID = "lrviz-best"  # the best candidate's lines (also in SVG output)
UNSCORED_COLOR = "#9e9e9e"  # pruned, diverged and failed candidates
COLORMAP = "viridis"


def _norm(result: SearchResult):  # noqa: ANN202 - a matplotlib Normalize
    from matplotlib.colors import Normalize

    values = [c.score for c in result.candidates if c.status == OK and c.score is not None and math.isfinite(c.score)]
    if not values:
        return Normalize(0.0, 1.0)
    low, high = min(values), max(values)
    if low == high:  # one score: any colour of the map will do
        low, high = low - 0.5 * (abs(low) or 1.0), high + 0.5 * (abs(high) or 1.0)
    return Normalize(low, high)


def _draw(ax: Axes, candidate: CandidateResult, x, y, color, best: bool, drawstyle: str = "default") -> None:  # noqa: ANN001
    from matplotlib import patheffects

    if best:
        ax.plot(
            x,
            y,
            color=color,
            linewidth=2.0,
            drawstyle=drawstyle,
            gid=BEST_GID,
            zorder=3,
            label=f"best: {candidate.label}",
            path_effects=[patheffects.Stroke(linewidth=3.4, foreground="black"), patheffects.Normal()],
        )
    else:
        ax.plot(x, y, color=color, linewidth=1.1, alpha=0.85, drawstyle=drawstyle, zorder=2)


def _panels(figure: Figure, result: SearchResult, curves: Sequence[Curve], options: RenderOptions) -> list[Axes]:
    from matplotlib import colormaps

    from lrviz.simulation.decimate import drawn_points

    with_loss = any(c.loss for c in result.candidates)
    axes = list(figure.subplots(1, 2 if with_loss else 1, squeeze=False)[0])
    norm, cmap = _norm(result), colormaps[COLORMAP]
    best = result.best
    # worst first, so the best lines are drawn on top
    for candidate, curve in reversed(list(zip(result.candidates, curves, strict=True))):
        scored = candidate.status == OK and candidate.score is not None and math.isfinite(candidate.score)
        color = cmap(norm(candidate.score)) if scored else UNSCORED_COLOR
        is_best = best is not None and candidate is best
        x, y, drawstyle = drawn_points(axes[0], curve.lr, "steps-post")
        _draw(axes[0], candidate, x, y, color, is_best, drawstyle)
        if with_loss and candidate.loss:
            _draw(axes[1], candidate, list(candidate.loss_steps), list(candidate.loss), color, is_best)
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("learning rate")
    axes[0].set_yscale("log" if options.log_y else "linear")
    if with_loss:
        axes[1].set_xlabel("epoch" if result.score == "train" else "step")
        axes[1].set_ylabel(SCORE_TITLES[result.score].replace(" (lower is better)", ""))
        if result.score == "train":  # a loss falls by orders of magnitude in its first epochs
            axes[1].set_yscale("log")
    if best is not None:
        axes[0].legend(loc="best")
    return axes


def render_search(
    result: SearchResult, curves: Sequence[Curve] | None = None, options: RenderOptions | None = None
) -> Figure:
    """The search's figure (a matplotlib Figure); `curves` are the candidates' LR curves in rank order."""
    from matplotlib import colormaps, rc_context
    from matplotlib.cm import ScalarMappable
    from matplotlib.figure import Figure

    from lrviz.rendering.figure import RenderOptions, _figure_style, _remember_style, check_render_options

    options = options or RenderOptions()
    check_render_options(options)
    curves = list(curves) if curves is not None else result.curves()
    style, rc = _figure_style(options)
    with rc_context(rc):
        width, height = rc["figure.figsize"]
        with_loss = any(c.loss for c in result.candidates)
        size = (options.width or width * (1.7 if with_loss else 1.15), options.height or height)
        figure = Figure(figsize=size, dpi=options.dpi or 100, layout="constrained")
        _remember_style(figure, style, rc, options)
        axes = _panels(figure, result, curves, options)
        colorbar = figure.colorbar(ScalarMappable(_norm(result), colormaps[COLORMAP]), ax=axes, pad=0.02)
        colorbar.set_label(SCORE_TITLES[result.score])
        figure.suptitle(options.title or result.title or f"lrviz search: {result.score} score")
    return figure
