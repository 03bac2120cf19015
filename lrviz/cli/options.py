"""The options and helpers shared by the commands that take a spec (plot, compare, export, check)."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Optional

import typer

from lrviz.cli.app import app
from lrviz.cli.completion import complete_target
from lrviz.errors import SpecError
from lrviz.spec.flags import CurveFlags, token_flags_help
from lrviz.spec.flagtable import AXES, CURVE, FIGURE, OPTIONS, PRINTED, Option

# Scheduler flags (--t-max, --gamma, ...) are not declared here: they come from torch's
# signatures through the registry, so the command takes every token and parses them itself.
SPEC_COMMAND = {
    "context_settings": {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    "add_help_option": False,
    # the curve flags read from the tokens (lrviz.spec.flags.TOKEN_FLAGS), listed from that one table
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
HELP = Option(("--help", "-h"), "Show this message (after NAME: also its parameters) and exit.", default=False)


def typer_parameter(name: str, option: Option) -> inspect.Parameter:
    """The Typer option `option` of the table declares, as a keyword parameter called `name`."""
    if option.metavar is not None:
        kind: Any = str if isinstance(option.default, str) else Optional[str]  # noqa: UP045
        info = typer.Option(*option.decls, help=option.help, rich_help_panel=option.panel, metavar=option.metavar)
    else:
        kind = Optional[bool] if option.default is None else bool  # noqa: UP045 - None: --term unset
        info = typer.Option(*option.decls, help=option.help, rich_help_panel=option.panel, show_default=False)
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=option.default, annotation=Annotated[kind, info]
    )


class Flags(dict):
    """The values of a command's table options, by name (None or False when not given)."""

    def curve(self) -> CurveFlags:
        """The curve options, as the flags reader takes them."""
        return CurveFlags(**{name: self.get(name) for name in CURVE})

    def view(self, tokens: list[str]) -> tuple[list[str], PlotView]:
        """The tokens without the figure's `--steps-per-epoch N`, and the figure and terminal options."""
        shown = (*FIGURE, *AXES, *PRINTED, "drawstyle", "sharex")
        values = {name: self.get(name) for name in shown if name in self and name != "log_y"}
        code = values.pop("code", False)
        view = PlotView(
            **{k: v for k, v in values.items() if k not in ("code_torch", "no_save", "output")},
            code="torch" if values.pop("code_torch", False) else "auto" if code else None,
            save=not values.get("no_save", False),
        )
        tokens, epoch_axis, epoch_flag = split_epoch_axis(tokens, view.steps_per_epoch)
        return tokens, dataclasses.replace(view, steps_per_epoch=epoch_axis, epoch_axis_flag=epoch_flag)


def _evaluated(annotation: Any, func: Callable[..., Any]) -> Any:
    """A parameter's annotation as an object (this package writes them as strings, PEP 563)."""
    return eval(annotation, func.__globals__) if isinstance(annotation, str) else annotation  # noqa: S307


def spec_command(*names: str, targets: Any = Targets, **own: Option) -> Callable[[Callable[..., Any]], Any]:
    """Register a command that takes a spec, its options generated from the table (:data:`OPTIONS`).

    `names` picks options of the table (`CURVE`, `FIGURE`, ... are tuples of names), `own` adds the
    command's own :class:`Option` s by parameter name. The decorated function is called with
    `tokens` (the NAME/FILE arguments and the scheduler flags, as typed), `flags` (a :class:`Flags`)
    and the parameters it declares itself. `--help` (and `NAME --help`) is handled here.
    """

    def decorate(func: Callable[..., Any]) -> Any:
        options = {name: OPTIONS[name] for name in names} | own
        declared = [
            p.replace(annotation=_evaluated(p.annotation, func), kind=inspect.Parameter.KEYWORD_ONLY)
            for p in inspect.signature(func).parameters.values()
            if p.name not in ("tokens", "flags")
        ]
        parameters = [
            inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
            inspect.Parameter("targets", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=targets),
            *declared,
            *(typer_parameter(name, option) for name, option in options.items()),
            typer_parameter("help_", HELP),
        ]

        def command(ctx: typer.Context, targets: list[str] | None = None, **values: Any) -> Any:
            tokens = list(targets or []) + list(ctx.args)
            if values.pop("help_"):
                _help_requested(ctx, tokens)
            flags = Flags({name: values.pop(name) for name in options})
            return func(tokens=tokens, flags=flags, **values)

        command.__name__, command.__doc__ = func.__name__, func.__doc__
        command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in parameters}
        return app.command(**SPEC_COMMAND)(command)

    return decorate


def _help_requested(ctx: typer.Context, tokens: list[str]) -> None:
    """`lrviz plot --help`, and `lrviz plot NAME --help` with that scheduler's parameters."""
    from rich.console import Console

    from lrviz.cli.catalog import parameter_table
    from lrviz.schedules import pytorch as registry

    typer.echo(ctx.get_help())
    names = [t for t in tokens if not t.startswith("-")]
    if names and not names[0].lower().endswith((".yaml", ".yml")):
        info = registry.resolve(names[0], "NAME")
        Console(highlight=False).print(parameter_table(info))
    raise typer.Exit(0)


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
    if _first_name(rest) is not None or _first_is_file(rest):
        # the curve's steps_per_epoch too: the unit of a by-epoch scheduler (--by-epoch), recorded in exports
        rest = [*rest, flag, value]
    return rest, value, flag


def _first_name(tokens: list[str]) -> str | None:
    """The scheduler name the tokens start with, or None (none, or a YAML file)."""
    from lrviz.spec.flags import is_spec_file

    first = next((t for t in tokens if not t.startswith("-")), None)
    return None if first is None or is_spec_file(first) else first


def _first_is_file(tokens: list[str]) -> bool:
    """Whether the tokens start with a framework's config file, whose run takes `--steps-per-epoch` too."""
    from lrviz.spec.readers import is_framework_config

    first = next((t for t in tokens if not t.startswith("-")), None)
    return first is not None and _first_name(tokens) is None and is_framework_config(first)


def _scheduler_takes_steps_per_epoch(tokens: list[str]) -> bool:
    from lrviz.schedules import pytorch as registry

    first = _first_name(tokens)
    if first is None:
        return False
    try:
        return registry.resolve(first).param("steps_per_epoch") is not None
    except SpecError:
        return False


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
        from lrviz.rendering.figure import RenderOptions, check_render_options, spec_epoch_axis
        from lrviz.spec.model import figure_settings_from_flags, parse_int

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
