"""`lrviz check`: diagnostics over the same spec inputs as plot and export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from lrviz.cli.app import app
from lrviz.cli.options import (
    SPEC_COMMAND,
    Help,
    Label,
    Lr,
    Metric,
    Optimizer,
    Steps,
    Targets,
    WarmupFactor,
    WarmupMethod,
    WarmupSteps,
    _curve_flags,
    _help_requested,
    _tokens,
)
from lrviz.errors import EXIT_FINDINGS, EXIT_OK, printable

if TYPE_CHECKING:
    from rich.console import Console

    from lrviz.check import Finding

LEVEL_STYLES = {"warning": "bold yellow", "info": "cyan"}


def print_findings(console: Console, findings: Sequence[Finding]) -> None:
    """The findings as a list: level, rule and where; then what happens and how to fix it."""
    from rich.markup import escape as rich_escape

    def escape(text: str) -> str:  # user text: neither rich markup nor control characters
        return rich_escape(printable(text))

    for finding in findings:
        style = LEVEL_STYLES[finding.level]
        console.print(
            f"[{style}]{finding.level}[/] {escape(finding.where)} "
            f"[dim]({escape(finding.curve)}) {escape(f'[{finding.rule}]')}[/]"
        )
        console.print(f"  what happens: {escape(finding.message)}")
        console.print(f"  how to fix:   {escape(finding.fix)}")


def print_warnings(findings: Sequence[Finding]) -> None:
    """Warning-level findings as `Warning:` lines on stderr (what `plot` and `compare` show)."""
    for finding in findings:
        if finding.level == "warning":
            typer.echo(f"Warning: {printable(' '.join(finding.line().split()))}", err=True)


def _list_rules(console: Console) -> None:
    from rich.markup import escape

    from lrviz.check import RULES

    for item in RULES:
        console.print(f"{item.name:34} {item.level:8} {escape(item.doc)}", soft_wrap=True)


@app.command(**SPEC_COMMAND)
def check(
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
    list_rules: Annotated[bool, typer.Option("--list-rules", help="List every rule with what it looks for.")] = False,
    help_: Help = False,
) -> int:
    """Diagnose a schedule: the well-known mistakes, each with what happens and how to fix it.

    Exit code 1 when anything is at warning level, 0 otherwise (as linters do).

    Example: `lrviz check cosine --t-max 100 --steps 400`
    """
    from rich.console import Console

    from lrviz.flags import spec_from_tokens
    from lrviz.spec import diagnosing

    console = Console(highlight=False)
    tokens = _tokens(ctx, targets)
    if help_:
        _help_requested(ctx, tokens)
    if list_rules:
        _list_rules(console)
        return EXIT_OK
    with diagnosing():
        spec = spec_from_tokens(
            tokens, _curve_flags(lr, steps, label, None, warmup_steps, warmup_factor, warmup_method, metric, optimizer)
        )

    from lrviz.check import diagnose
    from lrviz.readers.report import print_runs

    findings = diagnose(spec)
    print_runs(console, spec)  # a framework config's optimizer steps: what the findings are about
    if not findings:
        console.print(f"no findings: {len(spec.curves)} curve{'s' if len(spec.curves) > 1 else ''} checked")
        return EXIT_OK
    print_findings(console, findings)
    warnings = sum(f.level == "warning" for f in findings)
    console.print(f"{warnings} warning{'s' if warnings != 1 else ''}, {len(findings) - warnings} info")
    return EXIT_FINDINGS if warnings else EXIT_OK
