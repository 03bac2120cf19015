"""Matplotlib figures of simulated curves, through the object API (no pyplot global state).

A figure is built in an ``rc_context`` of lrviz's style: Okabe-Ito colours (safe for colour-blind
readers), thin grid, labelled axes; a preset (``paper``, ``slides``, ``dark``) or a matplotlib style
file goes on top (:mod:`lrviz.rendering.styles`). Saving is deterministic (fixed SVG hash salt, no dates in
SVG/PDF metadata), atomic, and uses the rc parameters and DPI the figure was drawn with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Union

from lrviz.errors import SpecError
from lrviz.output import FIGURE_SUFFIXES, check_output_path, write_atomic
from lrviz.rendering.mplconfig import use_writable_matplotlib_dirs
from lrviz.rendering.styles import PALETTE, ResolvedStyle, resolve_style
from lrviz.simulation.decimate import drawn_points
from lrviz.spec.model import FlagLocator

# matplotlib is imported only through this module: before it is, make sure it has a folder to write
use_writable_matplotlib_dirs()

if TYPE_CHECKING:
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
    mark_milestones: bool = False  # grey lines at milestones, restarts, ends of warmup
    annotate_final: bool = False  # write the final LR at the end of each line
    momentum_layout: str = "axis"  # axis (secondary y axis) | panel (below the LR) | off
    drawstyle: str = "auto"  # auto (steps for piecewise-constant curves) | lines | steps
    sharex: bool | None = None  # panels share the x axis: None when every curve has the same length

    @property
    def x_scale(self) -> float:
        """x per step: 1, or 1/steps_per_epoch when the x axis is in epochs."""
        return 1 / self.steps_per_epoch if self.x_unit == "epoch" and self.steps_per_epoch else 1.0


def spec_epoch_axis(spec: Any) -> int | None:
    """The epoch axis a Spec asks for: its first curve's `steps_per_epoch` (None when no curve has one)."""
    return next((c.steps_per_epoch for c in spec.curves if c.steps_per_epoch is not None), None)


MOMENTUM_LAYOUTS = ("axis", "panel", "off")
X_UNITS = ("step", "epoch")
DRAWSTYLES = ("auto", "lines", "steps")
MAX_EVENT_LABELS = 12  # more marks than this and their labels overlap: lines only (and a legend entry)
MARK_COLOR = "#8c8c8c"  # marks are grey and thin: no curve is drawn in this colour or width
MARK_WIDTH = 0.7
EVENT_LINESTYLE = (0, (4, 3))  # dashed: a schedule's own regime changes
FINDING_LINESTYLE = ":"  # dotted: where a `lrviz check` warning points
# the hyperparameters beside the LR: a colour and a dash no LR curve has (Paul Tol's wine and indigo)
HYPERPARAMETER_STYLES = {"momentum": ("#882255", "--")}
OTHER_HYPERPARAMETER_STYLE = ("#332288", "-.")
PIECEWISE_CONSTANT_SHARE = 0.25  # a curve whose value changes at most at this share of its steps


@dataclass(frozen=True)
class SaveSettings:
    """What a figure was drawn with, to save it with: its rc parameters and DPI."""

    rc: dict[str, Any]
    dpi: float


SAVE_SETTINGS_ATTRIBUTE = "lrviz_save_settings"  # kept on the Figure itself: no module state


@dataclass(frozen=True)
class _Pen:
    """How one figure draws: its options, its curves' palette, and the curves whose colours it uses."""

    options: RenderOptions
    palette: tuple[str, ...]
    curves: tuple[Curve, ...]
    color_offset: int = 0

    def color(self, curve: Curve) -> str:
        """The colour of `curve`'s first line (param group 0)."""
        index = self.color_offset
        for other in self.curves:
            if other is curve:
                break
            index += len(other.group_names)
        return self.palette[index % len(self.palette)]


def _line_style(index: int, palette: Sequence[str] = PALETTE) -> dict[str, Any]:
    return {
        "color": palette[index % len(palette)],
        "linestyle": LINESTYLES[(index // len(palette)) % len(LINESTYLES)],
    }


def series_drawstyle(values: Any, mode: str = "auto") -> str:
    """How to draw one series of `values`: ``steps-post`` (each value holds for its whole step)
    for `mode` steps, or in auto for a piecewise-constant series (its value changes at no more
    than PIECEWISE_CONSTANT_SHARE of its steps); else ``default``, a line through the values."""
    from lrviz.simulation.decimate import DrawnSeries

    if isinstance(values, DrawnSeries):  # thinned by the parent, which chose from every value
        return values.requested
    if mode != "auto":
        return "steps-post" if mode == "steps" else "default"
    import numpy as np

    array = np.asarray(values, dtype=float)
    if len(array) < 3:
        return "default"
    changes = np.count_nonzero(np.diff(array) != 0)
    return "steps-post" if changes <= PIECEWISE_CONSTANT_SHARE * (len(array) - 1) else "default"


def _series_labels(curve: Curve, label: str) -> list[str]:
    names = curve.group_names
    if len(names) == 1:
        return [label]
    return [f"{label} [{name}]" for name in names]


def plot_curves(
    ax: Axes,
    curves: Sequence[Curve],
    options: RenderOptions = RenderOptions(),
    color_offset: int = 0,
    palette: Sequence[str] = PALETTE,
    labels: Sequence[str] | None = None,
) -> None:
    """Draw the LR of every curve (and param group) on `ax`, labelled `labels` (default: the
    curves' labels): lines through the values, steps where a curve is piecewise constant."""
    index = color_offset
    for curve, label in zip(curves, labels or [c.label for c in curves], strict=True):
        for group_label, values in zip(_series_labels(curve, label), curve.group_lr, strict=True):
            x, y, drawstyle = drawn_points(ax, values, series_drawstyle(values, options.drawstyle))
            ax.plot(x * options.x_scale, y, drawstyle=drawstyle, label=group_label, **_line_style(index, palette))
            index += 1
    ax.set_xlabel("epoch" if options.x_unit == "epoch" else "step")
    ax.set_ylabel("learning rate")
    if options.log_y:
        ax.set_yscale("log")
    else:
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4), useMathText=True)
    ax.set_xlim(left=0)
    ax.margins(x=0.01)


def _hyperparameters(curve: Curve) -> list[tuple[str, Any]]:
    """(name, values) of what `curve` records beside its LR: its momentum, then the other
    series of its `series:` key (weight decay)."""
    lines = [] if curve.momentum is None else [("momentum", curve.momentum)]
    lines += [(param, values) for param, values in curve.series if param != "momentum"]
    return lines


def _hyperparameter_names(curves: Sequence[Curve]) -> list[str]:
    """The names of the hyperparameters `curves` record, each once, in drawing order."""
    return list(dict.fromkeys(name for curve in curves for name, _ in _hyperparameters(curve)))


def _plot_hyperparameters(ax: Axes, curves: Sequence[Curve], pen: _Pen, labels: Sequence[str]) -> None:
    """Momentum and weight decay on `ax` (a linear axis, whatever the LR's): each in its own colour
    and dash with its own legend entry; with several curves, in the curve's colour, its dash
    saying which hyperparameter it is."""
    for curve, label in zip(curves, labels, strict=True):
        for name, values in _hyperparameters(curve):
            color, dash = HYPERPARAMETER_STYLES.get(name, OTHER_HYPERPARAMETER_STYLE)
            x, y, drawstyle = drawn_points(ax, values, series_drawstyle(values, pen.options.drawstyle))
            ax.plot(
                x * pen.options.x_scale,
                y,
                drawstyle=drawstyle,
                linewidth=1.0,
                label=name if len(curves) == 1 else f"{label}: {name}",
                color=color if len(curves) == 1 else pen.color(curve),
                linestyle=dash,
            )
    ax.set_yscale("linear")
    ax.set_ylabel(" / ".join(_hyperparameter_names(curves)))
    if len(curves) == 1 and len(_hyperparameter_names(curves)) == 1:
        color = HYPERPARAMETER_STYLES.get(_hyperparameter_names(curves)[0], OTHER_HYPERPARAMETER_STYLE)[0]
        ax.yaxis.label.set_color(color)
        ax.tick_params(axis="y", colors=color)


def _secondary(ax: Axes, curves: Sequence[Curve], pen: _Pen, labels: Sequence[str]) -> Axes | None:
    options = pen.options
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
    if with_momentum:
        by_curve = dict(zip((id(c) for c in curves), labels, strict=True))
        _plot_hyperparameters(twin, with_momentum, pen, [by_curve[id(c)] for c in with_momentum])
    for curve in with_metric:
        x, y, _ = drawn_points(twin, curve.metric)
        twin.plot(x * options.x_scale, y, linewidth=0.8, alpha=0.6, color="#7f7f7f", label=f"{curve.spec.metric.name}")
    names = _hyperparameter_names(with_momentum)
    if with_metric:
        names.append(with_metric[0].spec.metric.name)
    twin.set_ylabel(" / ".join(names))
    return twin


def check_render_options(options: RenderOptions, style_where: str = "--style") -> None:
    """Raise SpecError for an option matplotlib would reject or ignore (naming the RenderOptions
    field), a style file it cannot use, or a canvas its size, dpi and style make too small or too
    large to draw."""
    if options.momentum_layout not in MOMENTUM_LAYOUTS:
        raise SpecError(
            f"expected one of {', '.join(MOMENTUM_LAYOUTS)}, got {options.momentum_layout!r}", "momentum_layout"
        )
    if options.drawstyle not in DRAWSTYLES:
        raise SpecError(f"expected one of {', '.join(DRAWSTYLES)}, got {options.drawstyle!r}", "drawstyle")
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


def _momentum_panel(ax: Axes, main: Axes, curves: Sequence[Curve], pen: _Pen, labels: Sequence[str]) -> None:
    with_values = [(c, label) for c, label in zip(curves, labels, strict=True) if _hyperparameters(c)]
    _plot_hyperparameters(ax, [c for c, _ in with_values], pen, [label for _, label in with_values])
    ax.set_xlabel(main.get_xlabel())
    main.set_xlabel("")


def _curve_ticks(ax: Axes, xs: Sequence[float], color: str) -> None:
    """Small ticks in a curve's colour on the x axis at `xs`: whose the grey marks above them are."""
    from matplotlib.transforms import blended_transform_factory

    transform = blended_transform_factory(ax.transData, ax.transAxes)
    ax.scatter(
        xs,
        [0.0] * len(xs),
        marker=2,
        s=40,
        color=color,
        linewidths=1.5,
        transform=transform,
        clip_on=False,
        zorder=3,
        gid="lrviz-mark-owner",
    )


def _mark_events(ax: Axes, curves: Sequence[Curve], pen: _Pen) -> list:
    """Thin grey dashed lines (with short labels, when few) where each schedule changes regime;
    with several curves, a tick in the curve's colour says whose. The legend handle, if any."""
    from matplotlib.lines import Line2D
    from matplotlib.transforms import blended_transform_factory

    from lrviz.schedules.pytorch.events import schedule_events

    per_curve = [(curve, schedule_events(curve)) for curve in curves]
    total = sum(len(events) for _, events in per_curve)
    transform = blended_transform_factory(ax.transData, ax.transAxes)
    for curve, events in per_curve:
        if not events:
            continue
        xs = [event.step * pen.options.x_scale for event in events]
        style = {"colors": MARK_COLOR, "linestyles": [EVENT_LINESTYLE], "linewidth": MARK_WIDTH}
        ax.vlines(xs, 0, 1, transform=transform, gid="lrviz-events", zorder=1, **style)
        if len(curves) > 1:
            _curve_ticks(ax, xs, pen.color(curve))
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
                    color=MARK_COLOR,
                    gid="lrviz-event-label",
                )
    if total == 0:
        return []
    entry = Line2D([], [], color=MARK_COLOR, linestyle=EVENT_LINESTYLE, linewidth=MARK_WIDTH, label="schedule events")
    return [entry]


def _annotate_final(ax: Axes, curves: Sequence[Curve], pen: _Pen) -> None:
    """The last LR of each line, written left of and above its end (inside the axes)."""
    from lrviz.report.tables import format_lr

    for curve in curves:
        color = pen.color(curve)
        for values in curve.group_lr:
            if not len(values):
                continue
            ax.annotate(
                format_lr(float(values[-1])),
                xy=((len(values) - 1) * pen.options.x_scale, float(values[-1])),
                xytext=(-2, 3),
                textcoords="offset points",
                va="bottom",
                ha="right",
                fontsize="small",
                color=color,
                gid="lrviz-final",
            )


def _figure_style(options: RenderOptions, where: str = "--style") -> tuple[ResolvedStyle, dict[str, Any]]:
    """The style `options` ask for, and the rc parameters it makes on top of lrviz's."""
    style = resolve_style(options.style, where)
    return style, {**STYLE, **style.rc}


def _remember_style(figure: Figure, style: ResolvedStyle, rc: dict[str, Any], options: RenderOptions) -> None:
    """Keep on `figure` the rc parameters and DPI to save it with (see :func:`save_figure`)."""
    save_dpi = options.dpi or rc.get("savefig.dpi", STYLE["savefig.dpi"])
    settings = SaveSettings(rc, figure.dpi if save_dpi == "figure" else float(save_dpi))
    setattr(figure, SAVE_SETTINGS_ATTRIBUTE, settings)


FindingMark = Union[int, tuple[int, str, str]]  # a step, or (step, the curve's label, the rule)


def finding_marks(findings: Sequence[Any]) -> list[tuple[int, str, str]]:
    """(step, curve label, rule) of every step the warning-level `findings` of `lrviz check` point at."""
    return [(step, f.curve, f.rule) for f in findings if f.level == "warning" for step in f.steps]


def _mark_findings(ax: Axes, curves: Sequence[Curve], pen: _Pen, marks: Sequence[FindingMark]) -> list:
    """Thin grey dotted lines where `lrviz check` warnings point (with several curves, a tick in the
    colour of the curve a warning is about); the legend handle naming the rules."""
    from matplotlib.lines import Line2D

    found = [(mark, "", "") if isinstance(mark, int) else mark for mark in marks]
    if not found:
        return []
    _finding_lines(ax, [step for step, _, _ in found], pen.options.x_scale)
    by_label = {curve.label: curve for curve in reversed(curves)}
    if len(curves) > 1:
        for label in dict.fromkeys(label for _, label, _ in found if label in by_label):
            xs = sorted({step * pen.options.x_scale for step, owner, _ in found if owner == label})
            _curve_ticks(ax, xs, pen.color(by_label[label]))
    rules = ", ".join(dict.fromkeys(rule for _, _, rule in found if rule))
    text = f"check: {rules}" if rules else "check warning"
    from lrviz.rendering.labels import shorten

    entry = Line2D([], [], color=MARK_COLOR, linestyle=FINDING_LINESTYLE, linewidth=MARK_WIDTH + 0.3)
    return [(entry, shorten(text))]


def _draw_axes(
    ax: Axes, curves: Sequence[Curve], pen: _Pen, labels: Sequence[str], marks: Sequence[FindingMark] = ()
) -> tuple[list, list, Axes | None]:
    """Draw `curves` and everything `pen.options` add on `ax`; the legend's handles and labels, and
    the secondary axis (momentum, metric) when one was drawn."""
    options = pen.options
    plot_curves(ax, curves, options, pen.color_offset, pen.palette, labels)
    twin = _secondary(ax, curves, pen, labels)
    _epoch_axis(ax, options)
    extra = []
    if options.mark_milestones:
        extra += [(entry, entry.get_label()) for entry in _mark_events(ax, curves, pen)]
    extra += _mark_findings(ax, curves, pen, marks)
    if options.annotate_final:
        _annotate_final(ax, curves, pen)
    handles, names = ax.get_legend_handles_labels()
    if twin is not None:
        more_handles, more_labels = twin.get_legend_handles_labels()
        handles, names = handles + more_handles, names + more_labels
    handles, names = _grouped_by_source(handles, names, curves)
    return handles + [e[0] for e in extra], names + [e[1] for e in extra], twin


def _grouped_by_source(handles: list, labels: list[str], curves: Sequence[Curve]) -> tuple[list, list[str]]:
    """With curves from several files (compare), the LR entries under a heading per file."""
    from lrviz.rendering.layout import header_entry

    sources = [curve.spec.source for curve in curves]
    if len(set(sources)) < 2:
        return handles, labels
    grouped, index = [], 0
    for position, curve in enumerate(curves):
        if position == 0 or sources[position] != sources[position - 1]:
            grouped.append(header_entry(Path(sources[position] or "flags").name))
        count = len(curve.group_names)
        grouped += list(zip(handles[index : index + count], labels[index : index + count], strict=True))
        index += count
    grouped += list(zip(handles[index:], labels[index:], strict=True))
    return [g[0] for g in grouped], [g[1] for g in grouped]


def _new_axes(ax: Axes | None, curves: Sequence[Curve], options: RenderOptions, rc: dict[str, Any]) -> tuple:
    """(figure, LR axes, momentum panel axes or None, options) for `render`."""
    from matplotlib.figure import Figure

    if ax is not None:
        if options.momentum_layout == "panel":  # one given Axes has no room for a panel
            options = replace(options, momentum_layout="axis")
        return ax.figure, ax, None, options
    figure = Figure(figsize=_figure_size(options, rc), dpi=options.dpi or 100, layout="constrained")
    panel = options.momentum and options.momentum_layout == "panel"
    if panel and any(_hyperparameters(c) for c in curves):
        ax, momentum_ax = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1))
        return figure, ax, momentum_ax, options
    return figure, figure.add_subplot(), None, options


def render(
    curves: Sequence[Curve],
    options: RenderOptions | None = None,
    ax: Axes | None = None,
    marks: Sequence[FindingMark] = (),
    **kwargs: Any,
) -> Figure:
    """A Figure of `curves`; draws into `ax` when given (and returns its figure). `marks`: the
    steps `lrviz check` warnings point at (a step, or (step, curve label, rule))."""
    from matplotlib import rc_context

    from lrviz.rendering.labels import figure_labels
    from lrviz.rendering.layout import finish_layout

    options = options or RenderOptions(**kwargs)
    check_render_options(options)
    curves = list(curves)
    style, rc = _figure_style(options)
    names = figure_labels(curves, options.title)
    with rc_context(rc):
        figure, ax, momentum_ax, options = _new_axes(ax, curves, options, rc)
        _remember_style(figure, style, rc, options)
        pen = _Pen(options, style.palette, tuple(curves))
        handles, labels, twin = _draw_axes(ax, curves, pen, names.labels, marks)
        if momentum_ax is not None:
            _momentum_panel(momentum_ax, ax, curves, pen, names.labels)
        if names.title:
            ax.set_title(names.title)
        if len(curves) == 1 and len(curves[0].group_names) == 1 and names.title:
            handles, labels = handles[1:], labels[1:]  # the title names the one LR line
        obstacles = [a for a in (ax, twin, momentum_ax) if a is not None]
        with_legend = len(handles) > 1 or (len(handles) == 1 and len(curves) == 1)
        finish_layout(figure, [(ax, handles, labels, obstacles)] if with_legend else [])
    return figure


def plot(curves: Any, ax: Axes | None = None, **options: Any) -> Figure:
    """The Python API's figure: `curves` drawn on `ax` (when given) or on a new Figure.

    `curves` may also be a Spec or a YAML path: it is simulated first, and its title and
    `style` settings apply unless given here. Keyword arguments are :class:`RenderOptions`
    fields: ``plot(curves, style="paper", log_y=True, mark_milestones=True)``.
    """
    from lrviz.simulation.stepping import Curve
    from lrviz.spec.model import Spec

    if isinstance(curves, Curve):
        curves = [curves]
    elif isinstance(curves, (Spec, str, Path)):
        from lrviz.pipeline import load, run

        spec = load(curves)
        defaults = {
            "title": spec.title,
            "style": spec.figure.style or None,
            "width": spec.figure.width,
            "height": spec.figure.height,
            "dpi": spec.figure.dpi,
        }
        options = {**{k: v for k, v in defaults.items() if v is not None}, **options}
        curves = run(spec).curves
    return render(list(curves), RenderOptions(**options), ax=ax)


FINDING_GID = "lrviz-finding"  # the id of the lines that mark findings (in SVG output too)


def mark_steps(figure: Figure, steps: Sequence[int], x_scale: float = 1.0) -> None:
    """Grey dotted vertical lines at `steps` on a drawn figure's first axes (for a figure drawn
    by lrviz, pass the findings to :func:`render` as `marks` instead: they get a legend entry)."""
    _finding_lines(figure.axes[0], steps, x_scale)


def _finding_lines(ax: Axes, steps: Sequence[int], x_scale: float) -> None:
    """One grey dotted vertical line per distinct step of `steps`."""
    for step in sorted(set(steps)):
        ax.axvline(
            step * x_scale,
            color=MARK_COLOR,
            linestyle=FINDING_LINESTYLE,
            linewidth=MARK_WIDTH + 0.3,
            zorder=0.5,
            gid=FINDING_GID,
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
    settings = getattr(figure, SAVE_SETTINGS_ATTRIBUTE, SaveSettings(STYLE, STYLE["savefig.dpi"]))
    rc, drawn_dpi = settings.rc, settings.dpi

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
    """One panel per group (e.g. per YAML file), each curve keeping one colour; the y axis shared
    when the panels' highest LRs are within SHARED_Y_RATIO, the x axis when every curve has the
    same length (or as `options.sharex` says)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    from lrviz.rendering.labels import figure_labels, shorten
    from lrviz.rendering.layout import finish_layout

    options = options or RenderOptions()
    check_render_options(options)
    if options.momentum_layout == "panel":  # a grid of panels has no room for momentum panels
        options = replace(options, momentum_layout="axis")
    rows, columns = _panel_grid(len(groups), columns)
    style, rc = _figure_style(options)
    sharex = options.sharex
    if sharex is None:
        sharex = len({curve.steps for _, curves in groups for curve in curves}) <= 1
    peaks = [_peak(curve) for _, curves in groups for curve in curves]
    sharey = max(peaks, default=1) <= SHARED_Y_RATIO * min(peaks, default=1)
    with rc_context(rc):
        size = _figure_size(options, rc, (rows, columns))
        figure = Figure(figsize=size, dpi=options.dpi or 100, layout="constrained")
        _remember_style(figure, style, rc, options)
        axes = figure.subplots(rows, columns, sharex=sharex, sharey=sharey, squeeze=False).ravel()
        offset, legends = 0, []
        for ax, (title, curves) in zip(axes, groups, strict=False):
            pen = _Pen(options, style.palette, tuple(curves), offset)
            handles, labels, twin = _draw_axes(ax, curves, pen, figure_labels(curves, title).labels)
            offset += sum(len(c.group_names) for c in curves)
            ax.set_title(shorten(title), fontsize="medium")
            if len(handles) > 1:
                legends.append((ax, handles, labels, [a for a in (ax, twin) if a is not None]))
            if sharex and not ax.get_subplotspec().is_last_row():
                ax.set_xlabel("")
            if sharey and not ax.get_subplotspec().is_first_col():
                ax.set_ylabel("")
        for ax in axes[len(groups) :]:
            ax.set_visible(False)
        if options.title:
            figure.suptitle(options.title)
        finish_layout(figure, legends)
    return figure


SHARED_Y_RATIO = 3.0  # panels share the LR axis when their highest LRs are within this factor


def _peak(curve: Curve) -> float:
    """The highest finite LR of `curve` (of its drawn points, when thinned); 1 when it has none."""
    import numpy as np

    from lrviz.simulation.decimate import DrawnSeries

    rows = [row.y if isinstance(row, DrawnSeries) else np.asarray(row, dtype=float) for row in curve.group_lr]
    finite = [float(np.max(row[np.isfinite(row)])) for row in rows if np.isfinite(row).any()]
    return max([value for value in finite if value > 0], default=1.0)


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
    curves: Sequence[Curve],
    options: RenderOptions | None = None,
    panels: Sequence[tuple[str, int]] | None = None,
    marks: Sequence[FindingMark] = (),
) -> Figure:
    """`render`, or with `panels` (title, number of curves) one panel per consecutive group of
    curves; `marks` (findings) are drawn on a single axes only, where they say whose they are."""
    if panels is None:
        return render(curves, options, marks=marks)
    groups, start = [], 0
    for title, count in panels:
        groups.append((title, list(curves[start : start + count])))
        start += count
    return render_panels(groups, options)
