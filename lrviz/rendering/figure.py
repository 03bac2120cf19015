"""Matplotlib figures of simulated curves, through the object API (no pyplot global state).

A figure is built in an ``rc_context`` of lrviz's style: Okabe-Ito colours (safe for colour-blind
readers), thin grid, labelled axes; a preset (``paper``, ``slides``, ``dark``) or a matplotlib style
file goes on top (:mod:`lrviz.rendering.styles`). Saving is deterministic (fixed SVG hash salt, no dates in
SVG/PDF metadata), atomic, and uses the rc parameters and DPI the figure was drawn with.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from lrviz.errors import SpecError
from lrviz.output import FIGURE_SUFFIXES, check_output_path, write_atomic
from lrviz.rendering.mplconfig import use_writable_matplotlib_dirs
from lrviz.rendering.styles import PALETTE, ResolvedStyle, resolve_style
from lrviz.simulation.decimate import drawn_points
from lrviz.spec.model import FlagLocator

# matplotlib is imported only through this module: before it is, make sure it has a folder to write
use_writable_matplotlib_dirs()

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lrviz.simulation.stepping import Curve
    from lrviz.spec.model import Spec

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
    momentum: bool = True  # draw momentum when a curve has it (where: momentum_layout)
    metric: bool = True  # draw a plateau metric on a secondary axis when the spec asks
    style: str | tuple[str, ...] | None = None  # presets and/or .mplstyle files (lrviz.rendering.styles)
    steps_per_epoch: int | None = None  # adds an axis in the other unit
    x_unit: str = "step"  # step | epoch (epoch needs steps_per_epoch)
    mark_milestones: bool = False  # dotted lines at milestones, restarts, ends of warmup
    annotate_final: bool = False  # write the final LR at the end of each line
    momentum_layout: str = "axis"  # axis (secondary y axis) | panel (below the LR) | off

    @property
    def x_scale(self) -> float:
        """x per step: 1, or 1/steps_per_epoch when the x axis is in epochs."""
        return 1 / self.steps_per_epoch if self.x_unit == "epoch" and self.steps_per_epoch else 1.0


def spec_epoch_axis(spec: Any) -> int | None:
    """The epoch axis a Spec asks for: its first curve's `steps_per_epoch` (None when no curve has one)."""
    return next((c.steps_per_epoch for c in spec.curves if c.steps_per_epoch is not None), None)


MOMENTUM_LAYOUTS = ("axis", "panel", "off")
X_UNITS = ("step", "epoch")
MAX_EVENT_LABELS = 12  # more marks than this and their labels overlap: lines only

# What a figure was drawn with (its curves' palette; the rc parameters and DPI to save it with).
_PALETTE_IN_USE: weakref.WeakKeyDictionary[Any, tuple[str, ...]] = weakref.WeakKeyDictionary()
_SAVE_SETTINGS: weakref.WeakKeyDictionary[Any, tuple[dict[str, Any], float]] = weakref.WeakKeyDictionary()


def _line_style(index: int, palette: Sequence[str] = PALETTE) -> dict[str, Any]:
    return {
        "color": palette[index % len(palette)],
        "linestyle": LINESTYLES[(index // len(palette)) % len(LINESTYLES)],
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
    palette = _PALETTE_IN_USE.get(ax.figure, PALETTE)
    for curve in curves:
        for label, values in zip(_series_labels(curve), curve.group_lr, strict=True):
            x, y, drawstyle = drawn_points(ax, values, "steps-post")
            ax.plot(x * options.x_scale, y, drawstyle=drawstyle, label=label, **_line_style(index, palette))
            index += 1
    ax.set_xlabel("epoch" if options.x_unit == "epoch" else "step")
    ax.set_ylabel("learning rate")
    if options.log_y:
        ax.set_yscale("log")
    else:
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4), useMathText=True)
    ax.set_xlim(left=0)
    ax.margins(x=0.01)


def _hyperparameters(curve: Curve) -> list[tuple[str, np.ndarray, str]]:
    """(name, values, linestyle) of what `curve` records beside its LR: its momentum, then the
    other series of its `series:` key (weight decay), each drawn as momentum is."""
    lines = [] if curve.momentum is None else [("momentum", curve.momentum, ":")]
    lines += [(param, values, "--") for param, values in curve.series if param != "momentum"]
    return lines


def _hyperparameter_names(curves: Sequence[Curve]) -> list[str]:
    """The names of the hyperparameters `curves` record, each once, in drawing order."""
    return list(dict.fromkeys(name for curve in curves for name, _, _ in _hyperparameters(curve)))


def _secondary(ax: Axes, curves: Sequence[Curve], options: RenderOptions, color_offset: int = 0) -> Axes | None:
    on_axis = options.momentum and options.momentum_layout == "axis"
    with_momentum = [c for c in curves if _hyperparameters(c)] if on_axis else []
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
        for name, values, linestyle in _hyperparameters(curve):
            x, y, drawstyle = drawn_points(twin, values, "steps-post")
            twin.plot(
                x * options.x_scale,
                y,
                drawstyle=drawstyle,
                linewidth=1.0,
                alpha=0.8,
                label=name if len(curves) == 1 else f"{curve.label} {name}",
                color=_series_color(ax, curves, curve, color_offset),
                linestyle=linestyle,
            )
    for curve in with_metric:
        x, y, _ = drawn_points(twin, curve.metric)
        twin.plot(
            x * options.x_scale,
            y,
            linewidth=0.8,
            alpha=0.6,
            color="#7f7f7f",
            label=f"{curve.spec.metric.name}",
        )
    labels = _hyperparameter_names(with_momentum)
    if with_metric:
        labels.append(with_metric[0].spec.metric.name)
    twin.set_ylabel(" / ".join(labels))
    return twin


def _series_color(ax: Axes, curves: Sequence[Curve], curve: Curve, color_offset: int = 0) -> str:
    """The colour `plot_curves` gave `curve`'s first line (param group 0) when it drew `curves`."""
    palette = _PALETTE_IN_USE.get(ax.figure, PALETTE)
    index = color_offset
    for other in curves:
        if other is curve:
            break
        index += len(other.group_names)
    return palette[index % len(palette)]


def check_render_options(options: RenderOptions, style_where: str = "--style") -> None:
    """Raise SpecError for an option matplotlib would reject or ignore (naming the RenderOptions
    field), a style file it cannot use, or a canvas its size, dpi and style make too small or too
    large to draw."""
    if options.momentum_layout not in MOMENTUM_LAYOUTS:
        raise SpecError(
            f"expected one of {', '.join(MOMENTUM_LAYOUTS)}, got {options.momentum_layout!r}", "momentum_layout"
        )
    if options.x_unit not in X_UNITS:
        raise SpecError(f"expected one of {', '.join(X_UNITS)}, got {options.x_unit!r}", "x_unit")
    if options.x_unit == "epoch" and not options.steps_per_epoch:
        raise SpecError("an x axis in epochs needs steps_per_epoch", "x_unit")
    if options.steps_per_epoch is not None and options.steps_per_epoch < 1:
        raise SpecError(f"must be at least 1, got {options.steps_per_epoch}", "steps_per_epoch")
    _, rc = _figure_style(options, style_where)  # reads and checks every style file
    _check_canvas(options, rc, style_where)


def _check_canvas(options: RenderOptions, rc: dict[str, Any], style_where: str) -> None:
    """The canvas from flags, YAML and style files together, against the one set of limits of
    :mod:`lrviz.spec.model` (a style file's ``figure.figsize: 700, 700`` is no way around them)."""
    from lrviz.spec.model import MAX_DPI, MAX_INCHES, MAX_PIXELS, MIN_DPI, MIN_INCHES

    save_dpi = options.dpi or rc.get("savefig.dpi", STYLE["savefig.dpi"])
    dpi = float((options.dpi or 100) if save_dpi == "figure" else save_dpi)
    dpi_where = "--dpi" if options.dpi else style_where
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise SpecError(f"{dpi:g} dots per inch; must be from {MIN_DPI:g} to {MAX_DPI:g}", dpi_where)
    figsize = rc["figure.figsize"]
    for side, given, default in (("width", options.width, figsize[0]), ("height", options.height, figsize[1])):
        inches = float(given or default)
        where = f"--{side}" if given else style_where
        if not MIN_INCHES <= inches <= MAX_INCHES:
            raise SpecError(f"a {side} of {inches:g} in; must be from {MIN_INCHES:g} to {MAX_INCHES:g} in", where)
        if inches * dpi > MAX_PIXELS:
            raise SpecError(
                f"{inches:g} in at {dpi:g} dpi is {inches * dpi:,.0f} pixels; at most {MAX_PIXELS:,}",
                where if given or not options.dpi else dpi_where,
            )


def check_figure_texts(spec: Spec, options: RenderOptions, panel_titles: Sequence[str] = ()) -> None:
    """Raise SpecError, before anything is drawn, for a title or label that matplotlib would fail
    to draw as mathtext (text between two ``$``, such as ``$x^$``), naming its flag or YAML key."""
    texts = [(options.title, spec.title_where or "--title")]
    for curve in spec.curves:
        loc = curve.locator or FlagLocator()
        texts.append((curve.label, loc.where("label")))
        if len(curve.group_names) > 1:
            groups = loc.child("param_groups")
            texts += [(name, groups.child(index).where("name")) for index, name in enumerate(curve.group_names)]
        if curve.metric is not None and curve.metric.plot:
            texts.append((curve.metric.name, loc.child("metric").where("name")))
    texts += [(title, "--grid") for title in panel_titles]
    for text, where in texts:
        _check_mathtext(text, where)


def _check_mathtext(text: str | None, where: str) -> None:
    if not text or "$" not in text:
        return
    from matplotlib import cbook
    from matplotlib.mathtext import MathTextParser

    if not cbook.is_math_text(text):
        return
    try:
        MathTextParser("path").parse(text)
    except ValueError as exc:  # pyparsing's message: the text, a caret, then "SomeException: what"
        reason = str(exc).strip().splitlines()[-1].split(": ", 1)[-1]
        reason = reason if len(reason) <= 80 else reason[:79] + "…"
        raise SpecError(
            f"cannot draw {text!r} as mathtext ({reason}); write \\$ for a literal dollar sign", where
        ) from None


def _epoch_axis(ax: Axes, options: RenderOptions) -> Axes | None:
    """A top x axis in the other unit (epochs under steps, or steps under epochs)."""
    per_epoch = options.steps_per_epoch
    if not per_epoch:
        return None
    if options.x_unit == "epoch":
        top = ax.secondary_xaxis("top", functions=(lambda e: e * per_epoch, lambda s: s / per_epoch))
        top.set_xlabel("step")
    else:
        top = ax.secondary_xaxis("top", functions=(lambda s: s / per_epoch, lambda e: e * per_epoch))
        top.set_xlabel(f"epoch ({per_epoch} steps)")
    return top


def _momentum_panel(
    ax: Axes, main: Axes, curves: Sequence[Curve], options: RenderOptions, color_offset: int = 0
) -> None:
    for curve in curves:
        for name, values, linestyle in _hyperparameters(curve):
            x, y, drawstyle = drawn_points(ax, values, "steps-post")
            ax.plot(
                x * options.x_scale,
                y,
                drawstyle=drawstyle,
                label=f"{curve.label} {name}",
                color=_series_color(ax, curves, curve, color_offset),
                linestyle="-" if name == "momentum" else linestyle,
            )
    ax.set_ylabel(" / ".join(_hyperparameter_names(curves)))
    ax.set_xlabel(main.get_xlabel())
    main.set_xlabel("")


def _mark_events(ax: Axes, curves: Sequence[Curve], options: RenderOptions, color_offset: int = 0) -> None:
    """Dotted vertical lines (and short labels) where each schedule changes regime."""
    from matplotlib.transforms import blended_transform_factory

    from lrviz.schedules.pytorch.events import schedule_events

    per_curve = [(curve, schedule_events(curve)) for curve in curves]
    total = sum(len(events) for _, events in per_curve)
    transform = blended_transform_factory(ax.transData, ax.transAxes)
    for curve, events in per_curve:
        if not events:
            continue
        color = _series_color(ax, curves, curve, color_offset)
        xs = [event.step * options.x_scale for event in events]
        ax.vlines(xs, 0, 1, transform=transform, colors=color, linestyles=":", linewidth=0.8, gid="lrviz-events")
        if total <= MAX_EVENT_LABELS:
            for x, event in zip(xs, events, strict=True):
                ax.text(
                    x,
                    0.98,
                    f"{event.label} ",
                    transform=transform,
                    rotation=90,
                    va="top",
                    ha="left",  # right of the line: after a decay, the top there is free
                    fontsize="x-small",
                    color=color,
                    gid="lrviz-event-label",
                )


def _annotate_final(ax: Axes, curves: Sequence[Curve], options: RenderOptions, color_offset: int = 0) -> None:
    from lrviz.report.tables import format_lr

    for curve in curves:
        color = _series_color(ax, curves, curve, color_offset)
        for values in curve.group_lr:
            if not len(values):
                continue
            ax.annotate(
                format_lr(float(values[-1])),
                xy=((len(values) - 1) * options.x_scale, float(values[-1])),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize="small",
                color=color,
                gid="lrviz-final",
            )


def _figure_style(options: RenderOptions, where: str = "--style") -> tuple[ResolvedStyle, dict[str, Any]]:
    """The style `options` ask for, and the rc parameters it makes on top of lrviz's."""
    style = resolve_style(options.style, where)
    return style, {**STYLE, **style.rc}


def _remember_style(figure: Figure, style: ResolvedStyle, rc: dict[str, Any], options: RenderOptions) -> None:
    """Keep what `figure` is drawn with: its palette, and the rc parameters and DPI to save it with."""
    _PALETTE_IN_USE[figure] = style.palette
    save_dpi = options.dpi or rc.get("savefig.dpi", STYLE["savefig.dpi"])
    _SAVE_SETTINGS[figure] = (rc, figure.dpi if save_dpi == "figure" else float(save_dpi))


def _draw_axes(
    ax: Axes, curves: Sequence[Curve], options: RenderOptions, color_offset: int = 0
) -> tuple[list, list, Axes | None]:
    """Draw `curves` and everything `options` add on `ax`; the legend's handles and labels, and
    the secondary axis (momentum, metric) when one was drawn."""
    plot_curves(ax, curves, options, color_offset)
    twin = _secondary(ax, curves, options, color_offset)
    _epoch_axis(ax, options)
    if options.mark_milestones:
        _mark_events(ax, curves, options, color_offset)
    if options.annotate_final:
        _annotate_final(ax, curves, options, color_offset)
    handles, labels = ax.get_legend_handles_labels()
    if twin is not None:
        more_handles, more_labels = twin.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    return handles, labels, twin


def render(
    curves: Sequence[Curve], options: RenderOptions | None = None, ax: Axes | None = None, **kwargs: Any
) -> Figure:
    """A Figure of `curves`; draws into `ax` when given (and returns its figure)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    options = options or RenderOptions(**kwargs)
    check_render_options(options)
    curves = list(curves)
    style, rc = _figure_style(options)
    with rc_context(rc):
        momentum_ax = None
        if ax is None:
            figure = Figure(figsize=_figure_size(options, rc), dpi=options.dpi or 100, layout="constrained")
            panel = options.momentum and options.momentum_layout == "panel"
            if panel and any(_hyperparameters(c) for c in curves):
                ax, momentum_ax = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1))
            else:
                ax = figure.add_subplot()
        else:
            figure = ax.figure
            if options.momentum_layout == "panel":  # one given Axes has no room for a panel
                options = replace(options, momentum_layout="axis")
        _remember_style(figure, style, rc, options)
        handles, labels, twin = _draw_axes(ax, curves, options)
        if momentum_ax is not None:
            _momentum_panel(momentum_ax, ax, curves, options)
        title = options.title
        if title is None and len(curves) == 1:
            title = curves[0].label
        if title:
            ax.set_title(title)
        if twin is not None:
            # "best" only avoids the primary axes' lines: keep the legend clear of both
            figure.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 2))
        elif len(handles) > 1:
            ax.legend(handles, labels, loc="best")
    return figure


def plot(curves: Any, ax: Axes | None = None, **options: Any) -> Figure:
    """The Python API's figure: `curves` drawn on `ax` (when given) or on a new Figure.

    `curves` may also be a Spec or a YAML path: it is simulated first, and its title and
    `style` settings apply unless given here. Keyword arguments are :class:`RenderOptions`
    fields: ``plot(curves, style="paper", log_y=True, mark_milestones=True)``.
    """
    from lrviz.simulation.stepping import Curve, simulate
    from lrviz.spec.model import Spec

    if isinstance(curves, Curve):
        curves = [curves]
    elif isinstance(curves, (Spec, str, Path)):
        spec = curves if isinstance(curves, Spec) else None
        if spec is None:
            from lrviz.spec.yamlfile import load_spec_file

            spec = load_spec_file(str(curves))
        defaults = {
            "title": spec.title,
            "style": spec.figure.style or None,
            "width": spec.figure.width,
            "height": spec.figure.height,
            "dpi": spec.figure.dpi,
        }
        options = {**{k: v for k, v in defaults.items() if v is not None}, **options}
        curves = simulate(spec)
    return render(list(curves), RenderOptions(**options), ax=ax)


FINDING_GID = "lrviz-finding"  # the id of the lines that mark findings (in SVG output too)


def mark_steps(figure: Figure, steps: Sequence[int], x_scale: float = 1.0) -> None:
    """Dotted vertical lines at the steps `lrviz check` findings point at (a milestone that fires twice, ...)."""
    ax = figure.axes[0]
    for step in sorted(set(steps)):
        ax.axvline(
            step * x_scale, color=PALETTE[3], linestyle=":", linewidth=1.0, alpha=0.8, zorder=0.5, gid=FINDING_GID
        )


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
    rc, drawn_dpi = _SAVE_SETTINGS.get(figure, (STYLE, STYLE["savefig.dpi"]))

    def write(handle: IO[bytes]) -> None:
        # the determinism settings win over any style file's
        with rc_context({**rc, "svg.hashsalt": STYLE["svg.hashsalt"]}):
            figure.savefig(
                handle,
                format=suffix.lstrip("."),
                dpi=dpi or drawn_dpi,
                metadata=SAVE_METADATA[suffix],
            )

    return write_atomic(target, write, flag)


def render_panels(
    groups: Sequence[tuple[str, Sequence[Curve]]], options: RenderOptions | None = None, columns: int | None = None
) -> Figure:
    """One panel per group (e.g. per YAML file), shared axes, each curve keeping one colour."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    options = options or RenderOptions()
    check_render_options(options)
    if options.momentum_layout == "panel":  # a grid of panels has no room for momentum panels
        options = replace(options, momentum_layout="axis")
    rows, columns = _panel_grid(len(groups), columns)
    style, rc = _figure_style(options)
    with rc_context(rc):
        size = _figure_size(options, rc, (rows, columns))
        figure = Figure(figsize=size, dpi=options.dpi or 100, layout="constrained")
        _remember_style(figure, style, rc, options)
        axes = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).ravel()
        offset = 0
        for ax, (title, curves) in zip(axes, groups, strict=False):
            handles, labels, _ = _draw_axes(ax, curves, options, color_offset=offset)
            offset += sum(len(c.group_names) for c in curves)
            ax.set_title(title, fontsize="medium")
            if len(handles) > 1:
                ax.legend(handles, labels, loc="best")
            if not ax.get_subplotspec().is_last_row():
                ax.set_xlabel("")
            if not ax.get_subplotspec().is_first_col():
                ax.set_ylabel("")
        for ax in axes[len(groups) :]:
            ax.set_visible(False)
        if options.title:
            figure.suptitle(options.title)
    return figure


def _panel_grid(count: int, columns: int | None = None) -> tuple[int, int]:
    """(rows, columns) of a grid of `count` panels."""
    count = max(count, 1)
    columns = columns or (1 if count == 1 else 2 if count <= 4 else 3)
    return -(-count // columns), columns


def _figure_size(
    options: RenderOptions, rc: dict[str, Any], grid: tuple[int, int] | None = None
) -> tuple[float, float]:
    """(width, height) in inches of one axes' figure, or of a grid of (rows, columns) panels."""
    width, height = rc["figure.figsize"]
    if grid is None:
        return options.width or width, options.height or height
    rows, columns = grid
    return options.width or width * min(columns, 2) * 0.8, options.height or height * rows * 0.8


def figure_buckets(options: RenderOptions, panel_count: int | None = None) -> int:
    """The buckets :func:`lrviz.simulation.decimate.drawn_points` cuts a long curve into on every axes of
    ``render_figure(curves, options, panels)`` (`panel_count` panels): known before any curve is."""
    from matplotlib import rc_context, rcParams

    from lrviz.simulation.decimate import canvas_buckets

    _, rc = _figure_style(options)
    grid = None if panel_count is None else _panel_grid(panel_count)
    with rc_context(rc):
        return canvas_buckets(_figure_size(options, rc, grid)[0], options.dpi or 100, rcParams["savefig.dpi"])


def warm_up(options: RenderOptions) -> None:
    """Lay out, and throw away, a small figure in `options`' style: the fonts, mathtext and layout
    machinery a first figure loads are loaded (the figure process does this while the other
    process imports torch)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    _, rc = _figure_style(options)
    with rc_context(rc):
        figure = Figure(figsize=_figure_size(options, rc), dpi=options.dpi or 100, layout="constrained")
        ax = figure.add_subplot()
        ax.plot([0, 1], [0.1, 0.001], drawstyle="steps-post", label="a")
        ax.plot([0, 1], [0.001, 0.1], label="b")
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4), useMathText=True)
        ax.set_xlabel("step")
        ax.set_ylabel("learning rate")
        ax.set_title("lrviz")
        ax.legend(loc="best")
        figure.draw_without_rendering()


def render_figure(
    curves: Sequence[Curve], options: RenderOptions | None = None, panels: Sequence[tuple[str, int]] | None = None
) -> Figure:
    """`render`, or with `panels` (title, number of curves) one panel per consecutive group of curves."""
    if panels is None:
        return render(curves, options)
    groups, start = [], 0
    for title, count in panels:
        groups.append((title, list(curves[start : start + count])))
        start += count
    return render_panels(groups, options)
