"""`lrviz export`: the simulated values as JSON or CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from lrviz.cli.options import spec_command
from lrviz.errors import SpecError, printable
from lrviz.spec.flags import spec_from_tokens
from lrviz.spec.flagtable import CURVE, Option

if TYPE_CHECKING:
    from lrviz.cli.options import Flags

FORMAT = Option(("--format", "-f"), "json or csv (default: from -o's suffix, else json).", "Output", "FORMAT", "")
OUTPUT = Option(("-o", "--output"), "File to write (default: stdout).", "Output", "FILE")
QUIET = Option(("--quiet", "-q"), "No 'wrote' message (for scripts).", "Output", default=False)


@spec_command(*CURVE, fmt=FORMAT, output=OUTPUT, quiet=QUIET)
def export(tokens: list[str], flags: Flags) -> None:
    """Write the simulated values as JSON or CSV, to stdout or `-o FILE`.

    Example: `lrviz export step --step-size 30 --gamma 0.65 --steps 200 --format csv`
    """
    from lrviz.output import DATA_SUFFIXES, check_output_path, write_atomic
    from lrviz.report.export import FORMATS, write_export

    fmt, output = flags["fmt"], flags["output"]
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
    spec = spec_from_tokens(tokens, flags.curve())

    from lrviz.cli.progress import simulation_progress
    from lrviz.pipeline import Request, run

    with simulation_progress(spec) as progress:
        result = run(spec, Request(progress=progress))
    curves = result.curves
    if not flags["quiet"]:  # the warnings of `lrviz check`, one short line per rule, as plot prints them
        from lrviz.cli.check import print_warnings

        print_warnings(result.warnings, len(curves))
    if output is None:
        write_export(curves, chosen, sys.stdout.write)
        sys.stdout.flush()
    else:
        path = write_atomic(output, lambda file: write_export(curves, chosen, lambda text: file.write(text.encode())))
        if not flags["quiet"]:
            typer.echo(f"wrote {printable(path)}", err=True)
