"""Every option the spec-taking commands declare, in one table (plain data: no typer here).

The command line builds its Typer options from this table (:mod:`lrviz.cli.options`), the flags
reader maps the curve options to spec keys from it, and unknown-flag suggestions and ``--help``
come from it. A scheduler's own parameters are not here: they come from its schedule source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Option:
    """One option: its flags, what it does, its help panel and the kind of value it takes."""

    decls: tuple[str, ...]  # ("-o", "--output"), or ("--term/--no-term",) for an on/off pair
    help: str
    panel: str | None = None  # the --help panel: Schedule, Output, Figure
    metavar: str | None = None  # what the value is, shown in --help (FLOAT, INTEGER, ...); None: a flag
    default: Any = None
    curve: bool = False  # a curve option: read into CurveFlags under its own name

    @property
    def flag(self) -> str:
        """The long flag, as errors name it (`--output`, `--term`)."""
        return next(d for d in self.decls if d.startswith("--")).split("/", 1)[0]


def _curve(flag: str, help: str, metavar: str = "TEXT") -> Option:
    return Option((flag,), help, "Schedule", metavar, curve=True)


def _figure(flag: str, help: str, metavar: str | None = None) -> Option:
    return Option((flag,), help, "Figure", metavar, None if metavar else False)


def _output(decls: tuple[str, ...], help: str, metavar: str | None = None) -> Option:
    return Option(decls, help, "Output", metavar, None if metavar else False)


OPTIONS: dict[str, Option] = {
    # curve options: the same on plot, compare, export, check, search and explore
    "lr": _curve("--lr", "Base LR (default 0.1). A comma list sweeps it.", "FLOAT"),
    "steps": _curve("--steps", "Values per curve (default: about one full schedule).", "INTEGER"),
    "label": _curve("--label", "Curve label (default: the scheduler, or what a sweep varies)."),
    "title": _curve("--title", "Figure and table title."),
    "warmup_steps": _curve("--warmup-steps", "detectron2-style warmup over this many steps.", "INTEGER"),
    "warmup_factor": _curve("--warmup-factor", "Warmup's starting factor (default 0.001).", "FLOAT"),
    "warmup_method": _curve("--warmup-method", "linear (default) or constant.", "METHOD"),
    "metric": _curve(
        "--metric", "ReduceLROnPlateau's metric: synthetic[:SEED], FILE.csv:COLUMN or v1,v2,...", "METRIC"
    ),
    "optimizer": _curve(
        "--optimizer",
        "The dummy optimizer: SGD (momentum 0.9, default), Adam or AdamW (beta1 is the cycled momentum).",
        "NAME",
    ),
    # the figure
    "output": _output(("-o", "--output"), "Figure file: .png, .svg or .pdf (default: NAME.png here).", "FILE"),
    "log_y": _output(("--log-y",), "Logarithmic LR axis."),
    "style": _figure(
        "--style", "paper (one column, serif 8-9 pt), slides, dark, or a .mplstyle file; combine with commas.", "STYLE"
    ),
    "width": _figure("--width", "Figure width in inches (exact canvas).", "FLOAT"),
    "height": _figure("--height", "Figure height in inches (exact canvas).", "FLOAT"),
    "dpi": _figure("--dpi", "Dots per inch of a PNG (3.5 in at 300 dpi: 1050 px).", "FLOAT"),
    "steps_per_epoch": _figure(
        "--epoch-axis",
        "Adds an x axis in epochs (N optimizer steps each). `--steps-per-epoch N` does the same for a "
        "scheduler without a steps_per_epoch parameter of its own (OneCycleLR has one).",
        "N",
    ),
    "x_unit": _figure("--x-unit", "step (default) or epoch: the unit of the main x axis.", "UNIT"),
    "mark_milestones": _figure(
        "--mark-milestones", "Dotted lines at milestones, restarts, the peak and the end of warmup."
    ),
    "annotate_final": _figure("--annotate-final", "Write the final LR at the end of each line."),
    "momentum": _figure(
        "--momentum", "Where a cycled momentum goes: axis (secondary y axis, default), panel (below), off.", "WHERE"
    ),
    "drawstyle": _figure(
        "--drawstyle",
        "auto (default: steps for piecewise-constant curves, else lines through the values), lines or steps.",
        "STYLE",
    ),
    # what the command prints
    "code": _output(
        ("--code",),
        "Print a runnable snippet that builds this schedule (instead of the chart and table); a framework "
        "schedule uses the framework's own call where the framework is installed.",
    ),
    "code_torch": _output(
        ("--code-torch",), "Like --code, in plain torch only (a framework schedule as LambdaLR or torch built-ins)."
    ),
    "term": Option(
        ("--term/--no-term",), "A chart in the terminal above the table (default: when stdout is a terminal).", "Output"
    ),
    "no_save": _output(("--no-save",), "Do not write a figure file (a quick look)."),
    "quiet": _output(("--quiet", "-q"), "No chart, no table, no 'wrote' message (for scripts)."),
}

CURVE = tuple(name for name, option in OPTIONS.items() if option.curve)
FIGURE = ("output", "log_y", "style", "width", "height", "dpi")
AXES = ("steps_per_epoch", "x_unit", "mark_milestones", "annotate_final")
PRINTED = ("momentum", "code", "code_torch", "term", "no_save", "quiet")


def curve_flags() -> list[str]:
    """The flags of the curve options and of the figure, which a misspelt scheduler flag may have meant."""
    return [OPTIONS[name].flag for name in (*CURVE, "output")]
