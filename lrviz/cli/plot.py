"""`lrviz plot`, `lrviz compare` and `lrviz export`: simulate a spec, then draw or write it."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer

from lrviz.cli.app import app
from lrviz.cli.completion import complete_spec_file, complete_target
from lrviz.errors import SpecError
from lrviz.flags import CurveFlags, spec_from_tokens
from lrviz.spec import Spec

# Scheduler flags (--t-max, --gamma, ...) are not declared here: they come from torch's
# signatures through the registry, so the command takes every token and parses them itself.
SPEC_COMMAND = {
    "context_settings": {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    "add_help_option": False,
}

Targets = Annotated[
    Optional[list[str]],  # noqa: UP045 - Typer reads this annotation at run time
    typer.Argument(
        metavar="NAME [--PARAM VALUE]... | FILE.yaml...",
        help="A torch scheduler (class name or alias, see `lrviz list`) followed by its parameters as "
        "flags (`--t-max 150`; `--gamma 0.9,0.95` sweeps), or YAML spec files.",
        show_default=False,
        autocompletion=complete_target,
    ),
]
Lr = Annotated[
    Optional[str],
    typer.Option("--lr", help="Base LR (default 0.1). A comma list sweeps it.", rich_help_panel="Schedule"),
]  # noqa: UP045
Steps = Annotated[
    Optional[str],
    typer.Option("--steps", help="Values per curve (default: about one full schedule).", rich_help_panel="Schedule"),
]  # noqa: UP045
Label = Annotated[
    Optional[str],
    typer.Option(
        "--label", help="Curve label (default: the scheduler, or what a sweep varies).", rich_help_panel="Schedule"
    ),
]  # noqa: UP045
Title = Annotated[Optional[str], typer.Option("--title", help="Figure and table title.", rich_help_panel="Schedule")]  # noqa: UP045
WarmupSteps = Annotated[
    Optional[str],
    typer.Option("--warmup-steps", help="detectron2-style warmup over this many steps.", rich_help_panel="Schedule"),
]  # noqa: UP045
WarmupFactor = Annotated[
    Optional[str],
    typer.Option("--warmup-factor", help="Warmup's starting factor (default 0.001).", rich_help_panel="Schedule"),
]  # noqa: UP045
WarmupMethod = Annotated[
    Optional[str], typer.Option("--warmup-method", help="linear (default) or constant.", rich_help_panel="Schedule")
]  # noqa: UP045
Metric = Annotated[
    Optional[str],
    typer.Option(
        "--metric",
        help="ReduceLROnPlateau's metric: synthetic[:SEED], FILE.csv:COLUMN or v1,v2,...",
        rich_help_panel="Schedule",
    ),
]  # noqa: UP045
Optimizer = Annotated[
    Optional[str],
    typer.Option(
        "--optimizer",
        help="The dummy optimizer: SGD (momentum 0.9, default), Adam or AdamW (beta1 is the cycled momentum).",
        rich_help_panel="Schedule",
    ),
]  # noqa: UP045
Output = Annotated[
    Optional[str],
    typer.Option(
        "-o", "--output", help="Figure file: .png, .svg or .pdf (default: NAME.png here).", rich_help_panel="Output"
    ),
]  # noqa: UP045
LogY = Annotated[bool, typer.Option("--log-y", help="Logarithmic LR axis.", rich_help_panel="Output")]
Style = Annotated[
    Optional[str],
    typer.Option(
        "--style",
        help="paper (one column, serif 8-9 pt), slides, dark, or a .mplstyle file; combine with commas.",
        rich_help_panel="Figure",
    ),
]  # noqa: UP045
Width = Annotated[
    Optional[str], typer.Option("--width", help="Figure width in inches (exact canvas).", rich_help_panel="Figure")
]  # noqa: UP045
Height = Annotated[
    Optional[str], typer.Option("--height", help="Figure height in inches (exact canvas).", rich_help_panel="Figure")
]  # noqa: UP045
Dpi = Annotated[
    Optional[str],
    typer.Option("--dpi", help="Dots per inch of a PNG (3.5 in at 300 dpi: 1050 px).", rich_help_panel="Figure"),
]  # noqa: UP045
StepsPerEpoch = Annotated[
    Optional[str],
    typer.Option(
        "--steps-per-epoch", help="Adds an x axis in epochs (N optimizer steps each).", rich_help_panel="Figure"
    ),
]  # noqa: UP045
XUnit = Annotated[
    Optional[str],
    typer.Option("--x-unit", help="step (default) or epoch: the unit of the main x axis.", rich_help_panel="Figure"),
]  # noqa: UP045
MarkMilestones = Annotated[
    bool,
    typer.Option(
        "--mark-milestones",
        help="Dotted lines at milestones, restarts, the peak and the end of warmup.",
        rich_help_panel="Figure",
    ),
]
AnnotateFinal = Annotated[
    bool, typer.Option("--annotate-final", help="Write the final LR at the end of each line.", rich_help_panel="Figure")
]
Momentum = Annotated[
    Optional[str],
    typer.Option(
        "--momentum",
        help="Where a cycled momentum goes: axis (secondary y axis, default), panel (below), off.",
        rich_help_panel="Figure",
    ),
]  # noqa: UP045
Code = Annotated[
    bool,
    typer.Option(
        "--code",
        help="Print a runnable PyTorch snippet that builds this schedule (instead of the chart and table).",
        rich_help_panel="Output",
    ),
]
Term = Annotated[
    Optional[bool],
    typer.Option(
        "--term/--no-term",
        help="A chart in the terminal above the table (default: when stdout is a terminal).",
        rich_help_panel="Output",
        show_default=False,
    ),
]  # noqa: UP045
NoSave = Annotated[
    bool, typer.Option("--no-save", help="Do not write a figure file (a quick look).", rich_help_panel="Output")
]
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="No chart, no table, no 'wrote' message (for scripts).", rich_help_panel="Output"
    ),
]
Help = Annotated[
    bool, typer.Option("--help", "-h", help="Show this message (after NAME: also its parameters) and exit.")
]


def _help_requested(ctx: typer.Context, tokens: list[str]) -> None:
    """`lrviz plot --help`, and `lrviz plot NAME --help` with that scheduler's parameters."""
    from rich.console import Console

    from lrviz import registry
    from lrviz.cli.catalog import parameter_table

    typer.echo(ctx.get_help())
    names = [t for t in tokens if not t.startswith("-")]
    if names and not names[0].lower().endswith((".yaml", ".yml")):
        info = registry.resolve(names[0], "NAME")
        Console(highlight=False).print(parameter_table(info))
    raise typer.Exit(0)


def _tokens(ctx: typer.Context, targets: list[str] | None) -> list[str]:
    return list(targets or []) + list(ctx.args)


def _curve_flags(
    lr: str | None,
    steps: str | None,
    label: str | None,
    title: str | None,
    warmup_steps: str | None,
    warmup_factor: str | None,
    warmup_method: str | None,
    metric: str | None,
    optimizer: str | None = None,
) -> CurveFlags:
    return CurveFlags(
        lr=lr,
        steps=steps,
        label=label,
        title=title,
        warmup_steps=warmup_steps,
        warmup_factor=warmup_factor,
        warmup_method=warmup_method,
        metric=metric,
        optimizer=optimizer,
    )


@dataclass(frozen=True)
class PlotView:
    """The figure and terminal flags of `plot` and `compare` (presentation only)."""

    style: str | None = None
    width: str | None = None
    height: str | None = None
    dpi: str | None = None
    steps_per_epoch: str | None = None
    x_unit: str | None = None
    mark_milestones: bool = False
    annotate_final: bool = False
    momentum: str | None = None
    code: bool = False
    term: bool | None = None  # None: when stdout is a terminal
    save: bool = True
    quiet: bool = False

    def render_options(self, spec, log_y: bool):  # noqa: ANN001, ANN201 - Spec and RenderOptions, imported lazily
        """RenderOptions from the spec's own figure settings, these flags winning; checked here."""
        from lrviz.figure import RenderOptions, check_render_options
        from lrviz.spec import figure_settings_from_flags, parse_int

        settings = figure_settings_from_flags(spec.figure, self.style, self.width, self.height, self.dpi)
        per_epoch = None if self.steps_per_epoch is None else parse_int(self.steps_per_epoch, "--steps-per-epoch")
        options = RenderOptions(
            title=spec.title,
            log_y=log_y,
            width=settings.width,
            height=settings.height,
            dpi=settings.dpi,
            style=settings.style,
            steps_per_epoch=per_epoch,
            x_unit=(self.x_unit or "step").strip().lower(),
            mark_milestones=self.mark_milestones,
            annotate_final=self.annotate_final,
            momentum_layout=(self.momentum or "axis").strip().lower(),
        )
        check_render_options(options)
        return options


def _default_figure_name(tokens: list[str]) -> str:
    first = next((t for t in tokens if not t.startswith("-")), "lrviz")
    stem = Path(first).stem if first.lower().endswith((".yaml", ".yml")) else first
    return f"{stem}.png"


@app.command(**SPEC_COMMAND)
def plot(
    ctx: typer.Context,
    targets: Targets = None,
    lr: Lr = None,
    steps: Steps = None,
    label: Label = None,
    title: Title = None,
    warmup_steps: WarmupSteps = None,
    warmup_factor: WarmupFactor = None,
    warmup_method: WarmupMethod = None,
    metric: Metric = None,
    optimizer: Optimizer = None,
    output: Output = None,
    log_y: LogY = False,
    style: Style = None,
    width: Width = None,
    height: Height = None,
    dpi: Dpi = None,
    steps_per_epoch: StepsPerEpoch = None,
    x_unit: XUnit = None,
    mark_milestones: MarkMilestones = False,
    annotate_final: AnnotateFinal = False,
    momentum: Momentum = None,
    code: Code = False,
    term: Term = None,
    no_save: NoSave = False,
    quiet: Quiet = False,
    help_: Help = False,
) -> None:
    """Plot one schedule, a sweep (`--gamma 0.9,0.95,0.98`), or a YAML spec: figure + table.

    Example: `lrviz plot cosine --t-max 150`
    """
    view = PlotView(
        style=style,
        width=width,
        height=height,
        dpi=dpi,
        steps_per_epoch=steps_per_epoch,
        x_unit=x_unit,
        mark_milestones=mark_milestones,
        annotate_final=annotate_final,
        momentum=momentum,
        code=code,
        term=term,
        save=not no_save,
        quiet=quiet,
    )
    tokens = _tokens(ctx, targets)
    if help_:
        _help_requested(ctx, tokens)
    _check_no_save(no_save, output)
    spec = spec_from_tokens(
        tokens,
        _curve_flags(lr, steps, label, title, warmup_steps, warmup_factor, warmup_method, metric, optimizer),
        allow_many=False,
    )
    _draw(spec, output or _default_figure_name(tokens), log_y, view)


@app.command(**SPEC_COMMAND)
def compare(
    ctx: typer.Context,
    targets: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Argument(
            metavar="FILE.yaml...",
            help="YAML spec files: every curve of every file on one figure.",
            show_default=False,
            autocompletion=complete_spec_file,
        ),
    ] = None,
    title: Title = None,
    grid: Annotated[
        bool,
        typer.Option("--grid", help="One panel per file (shared axes, consistent colours).", rich_help_panel="Output"),
    ] = False,
    output: Output = None,
    log_y: LogY = False,
    style: Style = None,
    width: Width = None,
    height: Height = None,
    dpi: Dpi = None,
    steps_per_epoch: StepsPerEpoch = None,
    x_unit: XUnit = None,
    mark_milestones: MarkMilestones = False,
    annotate_final: AnnotateFinal = False,
    momentum: Momentum = None,
    code: Code = False,
    term: Term = None,
    no_save: NoSave = False,
    quiet: Quiet = False,
    help_: Help = False,
) -> None:
    """Overlay every curve of every YAML file on one figure, with one table comparing them all.

    Example: `lrviz compare configs/cosine_tmax.yaml configs/exponential_gamma.yaml --grid -o panels.png`
    """
    from dataclasses import replace

    from lrviz.spec import merge_specs
    from lrviz.yamlspec import load_spec_file

    view = PlotView(
        style=style,
        width=width,
        height=height,
        dpi=dpi,
        steps_per_epoch=steps_per_epoch,
        x_unit=x_unit,
        mark_milestones=mark_milestones,
        annotate_final=annotate_final,
        momentum=momentum,
        code=code,
        term=term,
        save=not no_save,
        quiet=quiet,
    )
    tokens = _tokens(ctx, targets)
    if help_:
        _help_requested(ctx, [])
    for token in tokens:
        if token.startswith("-"):
            raise SpecError("unknown option for compare (scheduler flags belong in the YAML files)", token)
    if not tokens:
        raise SpecError("missing YAML files to compare", "FILE.yaml")
    for token in tokens:
        if not token.lower().endswith((".yaml", ".yml")):
            raise SpecError("expected a YAML spec file (.yaml); to plot a scheduler by name use `lrviz plot`", token)
    _check_no_save(no_save, output)
    specs = [load_spec_file(token) for token in tokens]
    merged = merge_specs(specs)
    spec = replace(merged, title=title if title is not None else merged.title)
    panels = [(s.title or Path(s.sources[0]).stem, len(s.curves)) for s in specs] if grid else None
    _draw(spec, output or "compare.png", log_y, view, panels)


def _check_no_save(no_save: bool, output: str | None) -> None:
    if no_save and output is not None:
        raise SpecError("writes no figure, so it cannot be combined with -o/--output", "--no-save")


def _draw(
    spec: Spec, output: str, log_y: bool, view: PlotView | None = None, panels: list[tuple[str, int]] | None = None
) -> None:
    """Simulate, then save the figure (one panel per (title, curve count) in `panels`) and print the table."""
    from rich.console import Console

    from lrviz.check import check
    from lrviz.cli.check import print_warnings
    from lrviz.cli.progress import simulation_progress
    from lrviz.figure_worker import FigureWorker
    from lrviz.output import FIGURE_SUFFIXES, check_output_path
    from lrviz.report import curve_tables
    from lrviz.simulation import simulate

    view = view or PlotView()
    options = view.render_options(spec, log_y)
    if view.save:
        check_output_path(output, FIGURE_SUFFIXES)
    # matplotlib is imported, and the figure drawn and saved, in a forked process meanwhile
    with FigureWorker(spec, output, options, panels, enabled=view.save) as figure:
        with simulation_progress(spec) as progress:
            curves = simulate(spec, progress=progress)
        findings = [f for f in check(spec, curves) if f.level == "warning"]
        print_warnings(findings)  # the warnings of `lrviz check`, above the table
        figure.send(curves, [step for f in findings for step in f.steps])
        console = Console(highlight=False)
        if view.code:
            from lrviz.code import pytorch_code

            sys.stdout.write(pytorch_code(spec))
            sys.stdout.flush()
        elif not view.quiet:
            show_chart = console.is_terminal if view.term is None else view.term
            if show_chart:
                _print_chart(console, curves, options)
            for table in curve_tables(curves, spec.title, console.width):
                console.print(table)
        path = figure.result()
    if path is not None and not view.quiet:
        typer.echo(f"wrote {path}", err=True)


def _print_chart(console, curves, options) -> None:  # noqa: ANN001 - rich Console, Curves, RenderOptions
    """The terminal chart, as wide as the console; colour only on a colour terminal (NO_COLOR off)."""
    from lrviz.termchart import chart_size, render_chart

    color = console.is_terminal and not console.no_color and console.color_system is not None
    width, height = chart_size(console.width, console.size.height if console.is_terminal else None)
    title = _chart_title(curves, options)
    text = render_chart(
        curves, width, height, color=color, log_y=options.log_y, title=title, steps_per_epoch=options.steps_per_epoch
    )
    sys.stdout.write(text)
    sys.stdout.flush()


def _chart_title(curves, options) -> str | None:  # noqa: ANN001
    """The chart's title: the figure's (the spec's title, or the one curve's label)."""
    if options.title:
        return options.title
    return curves[0].label if len(curves) == 1 else None


@app.command(**SPEC_COMMAND)
def export(
    ctx: typer.Context,
    targets: Targets = None,
    lr: Lr = None,
    steps: Steps = None,
    label: Label = None,
    warmup_steps: WarmupSteps = None,
    warmup_factor: WarmupFactor = None,
    warmup_method: WarmupMethod = None,
    metric: Metric = None,
    optimizer: Optimizer = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="json or csv (default: from -o's suffix, else json).", rich_help_panel="Output"
        ),
    ] = "",
    output: Annotated[
        Optional[str], typer.Option("-o", "--output", help="File to write (default: stdout).", rich_help_panel="Output")
    ] = None,  # noqa: UP045
    quiet: Quiet = False,
    help_: Help = False,
) -> None:
    """Write the simulated values as JSON or CSV, to stdout or `-o FILE`.

    Example: `lrviz export step --step-size 30 --gamma 0.65 --steps 200 --format csv`
    """
    from lrviz.export import FORMATS, export_text
    from lrviz.output import DATA_SUFFIXES, check_output_path, write_atomic

    tokens = _tokens(ctx, targets)
    if help_:
        _help_requested(ctx, tokens)
    chosen = fmt.lower()
    if chosen and chosen not in FORMATS:
        raise SpecError(f"expected json or csv, got {fmt!r}", "--format")
    if output is not None:
        check_output_path(output, DATA_SUFFIXES)
        suffix_format = Path(output).suffix.lower().lstrip(".")
        if chosen and chosen != suffix_format:
            raise SpecError(f"--format {chosen} does not match the suffix of {output!r}", "--format")
        chosen = suffix_format
    chosen = chosen or "json"
    spec = spec_from_tokens(
        tokens, _curve_flags(lr, steps, label, None, warmup_steps, warmup_factor, warmup_method, metric, optimizer)
    )

    from lrviz.cli.progress import simulation_progress
    from lrviz.simulation import simulate

    with simulation_progress(spec) as progress:
        curves = simulate(spec, progress=progress)
    text = export_text(curves, chosen)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        path = write_atomic(output, lambda handle: handle.write(text.encode("utf-8")))
        if not quiet:
            typer.echo(f"wrote {path}", err=True)
