"""`lrviz explore`: the interactive explorer in the terminal (Textual), over the pipeline of `lrviz plot`.

Textual is imported only when the command runs (never for `lrviz --help`), and torch only by the
app's first simulation, after the first frame.
"""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING

import typer

from lrviz.cli.options import PlotView, spec_command
from lrviz.errors import SpecError
from lrviz.spec.flagtable import AXES, CURVE, FIGURE

if TYPE_CHECKING:
    from lrviz.cli.options import Flags

MISSING_TEXTUAL = "lrviz explore needs textual: pip install 'lrviz[explore]'"


def figure_arguments(view: PlotView, output: str | None, log_y: bool) -> list[str]:
    """The figure flags given, as `lrviz plot` tokens (they go into the printed command as given)."""
    tokens = [] if output is None else ["-o", output]
    for flag, value in (
        ("--style", view.style),
        ("--width", view.width),
        ("--height", view.height),
        ("--dpi", view.dpi),
        ("--steps-per-epoch", view.steps_per_epoch),
        ("--x-unit", view.x_unit),
    ):
        if value is not None:
            tokens += [flag, value]
    switches = (
        ("--log-y", log_y),
        ("--mark-milestones", view.mark_milestones),
        ("--annotate-final", view.annotate_final),
    )
    return tokens + [flag for flag, on in switches if on]


@spec_command(*CURVE, *FIGURE, *AXES)
def explore(tokens: list[str], flags: Flags) -> None:
    """Explore a schedule live: edit its values, see the curve, key steps and findings redrawn.

    Enter applies, Tab/Shift+Tab move, Ctrl+S saves the figure, Ctrl+E the JSON export, Ctrl+Q
    (or Escape, q) quits and prints the equivalent `lrviz plot` command. Without NAME: a picker.

    Example: `lrviz explore cosine --t-max 150 --steps 300`
    """
    tokens, view = flags.view(tokens)
    output, log_y = flags["output"], flags["log_y"]
    draft = _draft(tokens, flags.curve(), figure_arguments(view, output, log_y))
    result = _run_app(draft, view, output, log_y)
    if result is not None and result.command is not None:
        sys.stdout.write(shlex.join(result.command) + "\n")
        sys.stdout.flush()
    if result is not None and result.note:
        typer.echo(f"Note: {result.note}", err=True)


def _draft(tokens: list[str], curve, figure_args: list[str]):  # noqa: ANN001, ANN202 - CurveFlags, Draft (lazy)
    """The draft of NAME and its flags, or of a YAML file; None (the picker) without either."""
    from lrviz.explore.drafts import FlagDraft, YamlDraft
    from lrviz.spec.flags import is_spec_file, split_tokens

    positionals, pairs = split_tokens(tokens)
    if not positionals:
        if pairs or curve.any_given():
            raise SpecError("missing a scheduler name or a YAML file (`lrviz list` shows the names)", "NAME")
        return None
    if is_spec_file(positionals[0]):
        if len(positionals) > 1:
            raise SpecError("explore one YAML file at a time", positionals[1])
        given_flags = [flag for flag, _ in pairs] + curve.any_given() + (["--title"] if curve.title is not None else [])
        if given_flags:
            given = given_flags[0]
            raise SpecError("cannot be combined with a YAML file: put it in the file", given)
        return YamlDraft.from_file(positionals[0], figure_args)
    return FlagDraft.from_tokens(tokens, curve, figure_args)


def _run_app(draft, view: PlotView, output: str | None, log_y: bool):  # noqa: ANN001, ANN202 - Draft, result (lazy)
    """Check the figure settings, then run the app until it quits; its result."""
    from lrviz.cli.plot import _default_figure_name
    from lrviz.output import FIGURE_SUFFIXES, check_output_path

    if output is not None:
        check_output_path(output, FIGURE_SUFFIXES)
    if draft is not None:
        view.render_options(draft.spec(), log_y)  # a bad --style or --dpi fails here, before the app
    try:
        from lrviz.explore.app import ExplorerApp, ExploreSettings
    except ImportError as error:
        if getattr(error, "name", "") and str(error.name).split(".")[0] == "textual":
            raise SpecError(MISSING_TEXTUAL) from None
        raise
    settings = ExploreSettings(
        figure_path=lambda current: output or _default_figure_name([current.target]),
        render_options=lambda spec: view.render_options(spec, log_y),
    )
    return ExplorerApp(draft, settings).run()
