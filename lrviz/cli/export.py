"""`lrviz export`: the simulated values as JSON or CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from lrviz.cli.app import app
from lrviz.cli.options import (
    SPEC_COMMAND,
    Help,
    Label,
    Lr,
    Metric,
    Optimizer,
    Quiet,
    Steps,
    Targets,
    WarmupFactor,
    WarmupMethod,
    WarmupSteps,
    _curve_flags,
    _help_requested,
    _tokens,
)
from lrviz.errors import SpecError, printable
from lrviz.flags import spec_from_tokens


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
    from lrviz.export import FORMATS, write_export
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
    if not quiet:  # the warnings of `lrviz check`, one short line per rule, as plot prints them
        from lrviz.check import check
        from lrviz.cli.check import print_warnings

        print_warnings(check(spec, curves), len(curves))
    if output is None:
        write_export(curves, chosen, sys.stdout.write)
        sys.stdout.flush()
    else:
        path = write_atomic(output, lambda file: write_export(curves, chosen, lambda text: file.write(text.encode())))
        if not quiet:
            typer.echo(f"wrote {printable(path)}", err=True)
