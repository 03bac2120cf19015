"""`lrviz check`: diagnostics over the same spec inputs as plot and export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from lrviz.cli.options import spec_command
from lrviz.errors import EXIT_FINDINGS, EXIT_OK
from lrviz.spec.flagtable import CURVE, Option

if TYPE_CHECKING:
    from rich.console import Console

    from lrviz.check.resume import ResumeRequest
    from lrviz.check.rules import Finding
    from lrviz.cli.options import Flags
    from lrviz.spec.model import Spec

RESUME_OPTIONS = {
    "resume_at": Option(
        ("--resume-at",),
        "Resume audit: stop after N optimizer steps, save the scheduler's and optimizer's state_dict, "
        "load them into a fresh schedule, go on, and compare with an uninterrupted run.",
        "Resume audit",
        "N",
    ),
    "resume_steps": Option(
        ("--resume-steps",),
        "With --resume-at: the resumed run lasts M steps in all (its length parameters rebuilt for M).",
        "Resume audit",
        "M",
    ),
}
LEVEL_STYLES = {"warning": "bold yellow", "info": "cyan"}


def print_findings(console: Console, findings: Sequence[Finding], total_curves: int = 1) -> None:
    """The findings, one group per rule and place: level, rule and where, then what happens and
    how to fix it (for each curve of the group), wrapped with hanging indents."""
    from rich.text import Text

    from lrviz.report.findings import finding_lines, group_findings

    for group in group_findings(findings, total_curves):
        for style, line in finding_lines(group, console.width):
            text = Text(line, style="dim" if style == "curve" else "")
            if style == "heading" and line.startswith(group.first.level):
                text.stylize(LEVEL_STYLES[group.first.level], 0, len(group.first.level))
            console.print(text, soft_wrap=True)


def print_warnings(findings: Sequence[Finding], total_curves: int = 1) -> None:
    """Warning-level findings as `Warning:` lines on stderr (what `plot` and `compare` show):
    one line per rule and place, naming the curves when it fired on several."""
    from lrviz.check.rules import RULES
    from lrviz.report.findings import group_findings, warning_line

    docs = {item.name: item.doc for item in RULES}
    for group in group_findings([f for f in findings if f.level == "warning"], total_curves):
        typer.echo(warning_line(group, docs), err=True)


def _list_rules(console: Console) -> None:
    from rich.markup import escape

    from lrviz.check.resume import RESUME_RULES
    from lrviz.check.rules import RULES

    for name, level, doc in [(item.name, item.level, item.doc) for item in RULES] + list(RESUME_RULES):
        console.print(f"{name:34} {level:8} {escape(doc)}", soft_wrap=True)


RESUME_FLAGS = {"resume_at": "--resume-at", "resume_steps": "--resume-steps"}


def _resume_request(spec: Spec, resume_at: str | None, resume_steps: str | None) -> ResumeRequest | None:
    """The resume audit the flags ask for (None without --resume-at); bad values are SpecErrors."""
    from lrviz.check.resume import parse_request, validate_request
    from lrviz.errors import SpecError

    if resume_at is None:
        if resume_steps is not None:
            raise SpecError("needs --resume-at (the step the run is stopped and resumed at)", "--resume-steps")
        return None
    request = parse_request(resume_at, resume_steps, RESUME_FLAGS)
    validate_request(spec, request, RESUME_FLAGS)
    return request


LIST_RULES = Option(("--list-rules",), "List every rule with what it looks for.", default=False)


@spec_command(*CURVE, list_rules=LIST_RULES, **RESUME_OPTIONS)
def check(tokens: list[str], flags: Flags) -> int:
    """Diagnose a schedule: the well-known mistakes, each with what happens and how to fix it.

    Exit code 1 when anything is at warning level, 0 otherwise (as linters do).

    Example: `lrviz check cosine --t-max 100 --steps 400`
    """
    from rich.console import Console

    from lrviz.pipeline import Request, run
    from lrviz.spec.flags import spec_from_tokens

    console = Console(highlight=False)
    if flags["list_rules"]:
        _list_rules(console)
        return EXIT_OK
    spec = spec_from_tokens(tokens, flags.curve())
    request = _resume_request(spec, flags["resume_at"], flags["resume_steps"])
    findings = run(spec, Request(strict=False)).findings
    if request is not None:
        from lrviz.check.resume import resume_findings

        findings += resume_findings(spec, request, RESUME_FLAGS)
    from lrviz.report.runs import print_runs

    print_runs(console, spec)  # a framework config's optimizer steps: what the findings are about
    if not findings:
        console.print(f"no findings: {len(spec.curves)} curve{'s' if len(spec.curves) > 1 else ''} checked")
        return EXIT_OK
    print_findings(console, findings, len(spec.curves))
    warnings = sum(f.level == "warning" for f in findings)
    console.print(f"{warnings} warning{'s' if warnings != 1 else ''}, {len(findings) - warnings} info")
    return EXIT_FINDINGS if warnings else EXIT_OK
