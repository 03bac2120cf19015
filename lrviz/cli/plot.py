"""`lrviz plot` and `lrviz compare`: simulate a spec, draw the figure, print the table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from lrviz.cli.app import stdout_encodes
from lrviz.cli.completion import complete_spec_file
from lrviz.cli.options import PlotView, spec_command
from lrviz.errors import SpecError, printable
from lrviz.rendering.layout import PANEL_THRESHOLD, compare_panels
from lrviz.spec.flags import spec_from_tokens
from lrviz.spec.flagtable import AXES, CURVE, FIGURE, PRINTED, Option
from lrviz.spec.model import Spec

if TYPE_CHECKING:
    from lrviz.cli.options import Flags
    from lrviz.pipeline import Result
    from lrviz.rendering.figure import RenderOptions


def _default_figure_name(tokens: list[str]) -> str:
    first = next((t for t in tokens if not t.startswith("-")), "lrviz")
    stem = Path(first).stem if first.lower().endswith((".yaml", ".yml", ".py", ".json")) else first
    return f"{stem.replace(':', '-')}.png"  # hf:cosine -> hf-cosine.png: no colon in a file name


@spec_command(*CURVE, *FIGURE, *AXES, "drawstyle", *PRINTED)
def plot(tokens: list[str], flags: Flags) -> None:
    """Plot one schedule, a sweep (`--gamma 0.9,0.95,0.98`), or a YAML spec: figure + table.

    Example: `lrviz plot cosine --t-max 150`
    """
    tokens, view = flags.view(tokens)
    output = flags["output"]
    _check_no_save(view, output)
    spec = spec_from_tokens(tokens, flags.curve(), allow_many=False)
    _draw(spec, _default_figure_name(tokens) if output is None else output, flags["log_y"], view)


COMPARE_TARGETS = Annotated[
    Optional[list[str]],  # noqa: UP045 - Typer reads this annotation at run time
    typer.Argument(
        metavar="FILE.yaml...",
        help="YAML spec files: every curve of every file on one figure.",
        show_default=False,
        autocompletion=complete_spec_file,
    ),
]
GRID = Option(
    ("--grid",),
    f"One panel per file (shared y axis, consistent colours); automatic past {PANEL_THRESHOLD} curves.",
    "Output",
    default=False,
)
SHAREX = Option(
    ("--sharex/--no-sharex",),
    "Panels share the x axis (default: when every curve has the same number of steps).",
    "Figure",
)


@spec_command("title", *FIGURE, *AXES, "drawstyle", *PRINTED, targets=COMPARE_TARGETS, grid=GRID, sharex=SHAREX)
def compare(tokens: list[str], flags: Flags) -> None:
    """Overlay every curve of every YAML file on one figure, with one table comparing them all.

    Example: `lrviz compare configs/cosine_tmax.yaml configs/exponential_gamma.yaml --grid -o panels.png`
    """
    from dataclasses import replace

    from lrviz.pipeline import load, load_all

    tokens, view = flags.view(tokens)
    for token in tokens:
        if token.startswith("-"):
            raise SpecError("unknown option for compare (scheduler flags belong in the YAML files)", token)
    if not tokens:
        raise SpecError("missing YAML files to compare", "FILE.yaml")
    for token in tokens:
        if not token.lower().endswith((".yaml", ".yml")):
            raise SpecError("expected a YAML spec file (.yaml); to plot a scheduler by name use `lrviz plot`", token)
    output, title = flags["output"], flags["title"]
    _check_no_save(view, output)
    specs = [load(token) for token in tokens]
    merged = load_all(specs)
    spec = merged if title is None else replace(merged, title=title, title_where="--title")
    panels = compare_panels(specs, flags["grid"], [s.title or Path(s.sources[0]).stem for s in specs])
    _draw(spec, "compare.png" if output is None else output, flags["log_y"], view, panels)


def _check_no_save(view: PlotView, output: str | None) -> None:
    if not view.save and output is not None:
        raise SpecError("writes no figure, so it cannot be combined with -o/--output", "--no-save")


def _draw(
    spec: Spec, output: str, log_y: bool, view: PlotView | None = None, panels: list[tuple[str, int]] | None = None
) -> None:
    """Run the pipeline, then save the figure (one panel per (title, curve count) in `panels`) and print."""
    from lrviz.cli.progress import simulation_progress
    from lrviz.output import FIGURE_SUFFIXES, check_output_path
    from lrviz.pipeline import Request, run
    from lrviz.rendering.figure import check_figure_texts
    from lrviz.rendering.worker import FigureWorker

    view = view or PlotView()
    options = view.render_options(spec, log_y)
    if view.save:
        check_output_path(output, FIGURE_SUFFIXES)
        check_figure_texts(spec, options, [title for title, _ in panels or ()])
    # matplotlib is imported, and the figure drawn and saved, in a forked process meanwhile
    with FigureWorker(spec, output, options, panels, enabled=view.save) as figure:
        with simulation_progress(spec) as progress:
            result = run(spec, Request(progress=progress))
        figure.send(result.curves, result.marked_steps)
        _print_result(result, view, options)
        path = figure.result()
    if path is not None and not view.quiet:
        typer.echo(f"wrote {printable(path)}", err=True)


def _print_result(result: Result, view: PlotView, options: RenderOptions) -> None:
    """The warnings on stderr; then the --code snippet, or the terminal chart and the tables, on stdout."""
    from rich.console import Console

    from lrviz.cli.check import print_warnings
    from lrviz.report.runs import print_runs
    from lrviz.report.tables import curve_tables

    print_warnings(result.warnings, len(result.curves))  # the warnings of `lrviz check`, above the table
    if view.code:
        from lrviz.report.code import pytorch_code

        sys.stdout.write(pytorch_code(result.spec, plain_torch=view.code == "torch"))
        sys.stdout.flush()
        return
    if view.quiet:
        return
    console = Console(highlight=False)
    show_chart = console.is_terminal if view.term is None else view.term
    if show_chart and not stdout_encodes(BRAILLE):
        encoding = getattr(sys.stdout, "encoding", None) or "stdout's encoding"
        typer.echo(f"note: no terminal chart: it is drawn in braille, which {encoding} cannot encode", err=True)
        show_chart = False
    if show_chart:
        _print_chart(console, result.curves, options)
    for table in curve_tables(result.curves, result.spec.title, console.width):
        console.print(table)
    print_runs(console, result.spec)  # a framework config's optimizer steps, under the table


BRAILLE = "\u2800\u28ff\u2502"  # the chart's dots and frame


def _print_chart(console, curves, options) -> None:  # noqa: ANN001 - rich Console, Curves, RenderOptions
    """The terminal chart, as wide as the console; colour only on a colour terminal (NO_COLOR off)."""
    from lrviz.report.termchart import chart_size, render_chart

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
