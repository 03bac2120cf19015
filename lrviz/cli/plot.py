"""`lrviz plot` and `lrviz compare`: simulate a spec, draw the figure, print the table."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from lrviz.cli.app import app, stdout_encodes
from lrviz.cli.completion import complete_spec_file
from lrviz.cli.options import (
    SPEC_COMMAND,
    AnnotateFinal,
    Code,
    CodeTorch,
    Dpi,
    Drawstyle,
    Height,
    Help,
    Label,
    LogY,
    Lr,
    MarkMilestones,
    Metric,
    Momentum,
    NoSave,
    Optimizer,
    Output,
    PlotView,
    Quiet,
    Steps,
    StepsPerEpoch,
    Style,
    Targets,
    Term,
    Title,
    WarmupFactor,
    WarmupMethod,
    WarmupSteps,
    Width,
    XUnit,
    _curve_flags,
    _help_requested,
    _tokens,
    split_epoch_axis,
)
from lrviz.errors import SpecError, printable
from lrviz.figure_layout import PANEL_THRESHOLD, compare_panels
from lrviz.flags import spec_from_tokens
from lrviz.spec import Spec


def _default_figure_name(tokens: list[str]) -> str:
    first = next((t for t in tokens if not t.startswith("-")), "lrviz")
    stem = Path(first).stem if first.lower().endswith((".yaml", ".yml")) else first
    return f"{stem.replace(':', '-')}.png"  # hf:cosine -> hf-cosine.png: no colon in a file name


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
    drawstyle: Drawstyle = None,
    code: Code = False,
    code_torch: CodeTorch = False,
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
        drawstyle=drawstyle,
        code="torch" if code_torch else "auto" if code else None,
        term=term,
        save=not no_save,
        quiet=quiet,
    )
    tokens, epoch_axis, epoch_flag = split_epoch_axis(_tokens(ctx, targets), view.steps_per_epoch)
    view = dataclasses.replace(view, steps_per_epoch=epoch_axis, epoch_axis_flag=epoch_flag)
    if help_:
        _help_requested(ctx, tokens)
    _check_no_save(no_save, output)
    spec = spec_from_tokens(
        tokens,
        _curve_flags(lr, steps, label, title, warmup_steps, warmup_factor, warmup_method, metric, optimizer),
        allow_many=False,
    )
    _draw(spec, _default_figure_name(tokens) if output is None else output, log_y, view)


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
        typer.Option(
            "--grid",
            help=f"One panel per file (shared y axis, consistent colours); automatic past {PANEL_THRESHOLD} curves.",
            rich_help_panel="Output",
        ),
    ] = False,
    sharex: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option(
            "--sharex/--no-sharex",
            help="Panels share the x axis (default: when every curve has the same number of steps).",
            rich_help_panel="Figure",
            show_default=False,
        ),
    ] = None,
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
    drawstyle: Drawstyle = None,
    code: Code = False,
    code_torch: CodeTorch = False,
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
        drawstyle=drawstyle,
        sharex=sharex,
        code="torch" if code_torch else "auto" if code else None,
        term=term,
        save=not no_save,
        quiet=quiet,
    )
    tokens, epoch_axis, epoch_flag = split_epoch_axis(_tokens(ctx, targets), view.steps_per_epoch)
    view = dataclasses.replace(view, steps_per_epoch=epoch_axis, epoch_axis_flag=epoch_flag)
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
    spec = merged if title is None else replace(merged, title=title, title_where="--title")
    panels = compare_panels(specs, grid, [s.title or Path(s.sources[0]).stem for s in specs])
    _draw(spec, "compare.png" if output is None else output, log_y, view, panels)


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
    from lrviz.figure import check_figure_texts, finding_marks
    from lrviz.figure_worker import FigureWorker
    from lrviz.output import FIGURE_SUFFIXES, check_output_path
    from lrviz.report import curve_tables
    from lrviz.simulation import simulate

    view = view or PlotView()
    options = view.render_options(spec, log_y)
    if view.save:
        check_output_path(output, FIGURE_SUFFIXES)
        check_figure_texts(spec, options, [title for title, _ in panels or ()])
    # matplotlib is imported, and the figure drawn and saved, in a forked process meanwhile
    with FigureWorker(spec, output, options, panels, enabled=view.save) as figure:
        with simulation_progress(spec) as progress:
            curves = simulate(spec, progress=progress)
        findings = [f for f in check(spec, curves) if f.level == "warning"]
        print_warnings(findings)  # the warnings of `lrviz check`, above the table
        figure.send(curves, finding_marks(findings))
        console = Console(highlight=False)
        if view.code:
            from lrviz.code import pytorch_code

            sys.stdout.write(pytorch_code(spec, plain_torch=view.code == "torch"))
            sys.stdout.flush()
        elif not view.quiet:
            show_chart = console.is_terminal if view.term is None else view.term
            if show_chart and not stdout_encodes(BRAILLE):
                encoding = getattr(sys.stdout, "encoding", None) or "stdout's encoding"
                typer.echo(f"note: no terminal chart: it is drawn in braille, which {encoding} cannot encode", err=True)
                show_chart = False
            if show_chart:
                _print_chart(console, curves, options)
            for table in curve_tables(curves, spec.title, console.width):
                console.print(table)
        path = figure.result()
    if path is not None and not view.quiet:
        typer.echo(f"wrote {printable(path)}", err=True)


BRAILLE = "\u2800\u28ff\u2502"  # the chart's dots and frame


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
