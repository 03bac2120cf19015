"""The options and helpers shared by the commands that take a spec (plot, compare, export, check)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Optional

import typer

from lrviz.cli.completion import complete_target
from lrviz.errors import SpecError
from lrviz.flags import CurveFlags, token_flags_help

# Scheduler flags (--t-max, --gamma, ...) are not declared here: they come from torch's
# signatures through the registry, so the command takes every token and parses them itself.
SPEC_COMMAND = {
    "context_settings": {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    "add_help_option": False,
    # the curve flags read from the tokens (lrviz.flags.TOKEN_FLAGS), listed from that one table
    "epilog": "More curve flags (any scheduler):\n\n" + token_flags_help(),
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
        "--epoch-axis",
        metavar="N",
        help="Adds an x axis in epochs (N optimizer steps each). `--steps-per-epoch N` does the same for a "
        "scheduler without a steps_per_epoch parameter of its own (OneCycleLR has one).",
        rich_help_panel="Figure",
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
Drawstyle = Annotated[
    Optional[str],
    typer.Option(
        "--drawstyle",
        help="auto (default: steps for piecewise-constant curves, else lines through the values), lines or steps.",
        rich_help_panel="Figure",
    ),
]  # noqa: UP045
Code = Annotated[
    bool,
    typer.Option(
        "--code",
        help="Print a runnable snippet that builds this schedule (instead of the chart and table); a framework "
        "schedule uses the framework's own call where the framework is installed.",
        rich_help_panel="Output",
    ),
]
CodeTorch = Annotated[
    bool,
    typer.Option(
        "--code-torch",
        help="Like --code, in plain torch only (a framework schedule as LambdaLR or torch built-ins).",
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


def split_epoch_axis(tokens: list[str], epoch_axis: str | None) -> tuple[list[str], str | None, str]:
    """Tokens without the figure's `--steps-per-epoch N`, the epoch axis asked for, and the flag that asked.

    A scheduler parameter wins over the figure flag of the same name: `--steps-per-epoch` stays
    with a scheduler that has a steps_per_epoch parameter (OneCycleLR); otherwise it is the
    figure's epoch axis, like `--epoch-axis`.
    """
    flag = "--steps-per-epoch"
    named = [t for t in tokens if t == flag or t.startswith(flag + "=")]
    if not named or _scheduler_takes_steps_per_epoch(tokens):
        return tokens, epoch_axis, "--epoch-axis" if epoch_axis is not None else flag
    if epoch_axis is not None or len(named) > 1:
        raise SpecError("given twice (--epoch-axis and --steps-per-epoch set the same axis)", flag)
    index = tokens.index(named[0])
    if "=" in named[0]:
        rest, value = tokens[:index] + tokens[index + 1 :], named[0].split("=", 1)[1]
    elif index + 1 >= len(tokens):
        raise SpecError("expected a value after it", flag)
    else:
        rest, value = tokens[:index] + tokens[index + 2 :], tokens[index + 1]
    if _first_name(rest) is not None:
        # the curve's steps_per_epoch too: the unit of a by-epoch scheduler (--by-epoch), recorded in exports
        rest = [*rest, flag, value]
    return rest, value, flag


def _first_name(tokens: list[str]) -> str | None:
    """The scheduler name the tokens start with, or None (none, or a YAML file)."""
    from lrviz.flags import is_spec_file

    first = next((t for t in tokens if not t.startswith("-")), None)
    return None if first is None or is_spec_file(first) else first


def _scheduler_takes_steps_per_epoch(tokens: list[str]) -> bool:
    from lrviz import registry

    first = _first_name(tokens)
    if first is None:
        return False
    try:
        return registry.resolve(first).param("steps_per_epoch") is not None
    except SpecError:
        return False


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
    drawstyle: str | None = None  # auto | lines | steps
    sharex: bool | None = None  # compare --grid: None shares x when every curve has the same length
    code: str | None = None  # None, 'auto' (--code) or 'torch' (--code-torch)
    term: bool | None = None  # None: when stdout is a terminal
    save: bool = True
    quiet: bool = False
    epoch_axis_flag: str = "--steps-per-epoch"  # or --epoch-axis, as typed: errors name the flag given

    def render_options(self, spec, log_y: bool):  # noqa: ANN001, ANN201 - Spec and RenderOptions, imported lazily
        """RenderOptions from the spec's own figure settings, these flags winning; checked here."""
        from lrviz.figure import RenderOptions, check_render_options, spec_epoch_axis
        from lrviz.spec import figure_settings_from_flags, parse_int

        settings = figure_settings_from_flags(spec.figure, self.style, self.width, self.height, self.dpi)
        per_epoch = None if self.steps_per_epoch is None else parse_int(self.steps_per_epoch, self.epoch_axis_flag)
        if per_epoch is None:  # the spec's own steps_per_epoch draws the epoch axis when no flag does
            per_epoch = spec_epoch_axis(spec)
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
            drawstyle=(self.drawstyle or "auto").strip().lower(),
            sharex=self.sharex,
        )
        flags = {
            "x_unit": "--x-unit",
            "momentum_layout": "--momentum",
            "drawstyle": "--drawstyle",
            "steps_per_epoch": self.epoch_axis_flag,
        }
        try:
            check_render_options(options, settings.style_where or "--style")
        except SpecError as exc:  # the library names its keys; the command line names its flags
            if exc.where not in flags:
                raise
            message = exc.message.replace("steps_per_epoch", flags["steps_per_epoch"])
            raise SpecError(message, flags[exc.where]) from None
        return options
