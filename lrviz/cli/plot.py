"""`lrviz plot`, `lrviz compare` and `lrviz export`: simulate a spec, then draw or write it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from lrviz.cli.app import app
from lrviz.errors import SpecError
from lrviz.flags import CurveFlags, spec_from_tokens

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
Output = Annotated[
    Optional[str],
    typer.Option(
        "-o", "--output", help="Figure file: .png, .svg or .pdf (default: NAME.png here).", rich_help_panel="Output"
    ),
]  # noqa: UP045
LogY = Annotated[bool, typer.Option("--log-y", help="Logarithmic LR axis.", rich_help_panel="Output")]
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
    )


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
    output: Output = None,
    log_y: LogY = False,
    help_: Help = False,
) -> None:
    """Plot one schedule, a sweep (`--gamma 0.9,0.95,0.98`), or a YAML spec: figure + table.

    Example: `lrviz plot cosine --t-max 150`
    """
    tokens = _tokens(ctx, targets)
    if help_:
        _help_requested(ctx, tokens)
    spec = spec_from_tokens(
        tokens,
        _curve_flags(lr, steps, label, title, warmup_steps, warmup_factor, warmup_method, metric),
        allow_many=False,
    )
    _draw(spec, output or _default_figure_name(tokens), log_y)


@app.command(**SPEC_COMMAND)
def compare(
    ctx: typer.Context,
    targets: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="FILE.yaml...", help="YAML spec files: every curve of every file on one figure.", show_default=False
        ),
    ] = None,  # noqa: UP045
    title: Title = None,
    output: Output = None,
    log_y: LogY = False,
    help_: Help = False,
) -> None:
    """Overlay every curve of every YAML file on one figure, with one table comparing them all.

    Example: `lrviz compare configs/cosine_tmax.yaml configs/exponential_gamma.yaml -o both.png`
    """
    tokens = _tokens(ctx, targets)
    if help_:
        _help_requested(ctx, [])
    for token in tokens:
        if token.startswith("-"):
            raise SpecError("unknown option for compare (scheduler flags belong in the YAML files)", token)
    if not tokens:
        raise SpecError("missing YAML files to compare", "FILE.yaml")
    spec = spec_from_tokens(tokens, CurveFlags(title=title))
    _draw(spec, output or "compare.png", log_y)


def _draw(spec, output: str, log_y: bool) -> None:  # noqa: ANN001 - Spec, imported lazily
    from rich.console import Console

    from lrviz.check import check
    from lrviz.cli.check import print_warnings
    from lrviz.figure import RenderOptions, mark_steps, render, save_figure
    from lrviz.output import FIGURE_SUFFIXES, check_output_path
    from lrviz.report import curve_tables
    from lrviz.simulation import simulate

    check_output_path(output, FIGURE_SUFFIXES)
    curves = simulate(spec)
    findings = [f for f in check(spec, curves) if f.level == "warning"]
    print_warnings(findings)  # the warnings of `lrviz check`, above the table
    figure = render(curves, RenderOptions(title=spec.title, log_y=log_y))
    mark_steps(figure, [step for f in findings for step in f.steps])
    path = save_figure(figure, output)
    console = Console(highlight=False)
    for table in curve_tables(curves, spec.title, console.width):
        console.print(table)
    typer.echo(f"wrote {path}", err=True)


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
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="json or csv (default: from -o's suffix, else json).", rich_help_panel="Output"
        ),
    ] = "",
    output: Annotated[
        Optional[str], typer.Option("-o", "--output", help="File to write (default: stdout).", rich_help_panel="Output")
    ] = None,  # noqa: UP045
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
        tokens, _curve_flags(lr, steps, label, None, warmup_steps, warmup_factor, warmup_method, metric)
    )

    from lrviz.simulation import simulate

    text = export_text(simulate(spec), chosen)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        path = write_atomic(output, lambda handle: handle.write(text.encode("utf-8")))
        typer.echo(f"wrote {path}", err=True)
