"""`lrviz search`: score candidate schedules (bound, law, train) and rank them; table, JSON, figure."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Optional

import typer

from lrviz.cli.app import app
from lrviz.cli.options import (
    SPEC_COMMAND,
    Dpi,
    Height,
    Help,
    LogY,
    Lr,
    Metric,
    Optimizer,
    Quiet,
    Steps,
    Style,
    Targets,
    Title,
    WarmupFactor,
    WarmupMethod,
    WarmupSteps,
    Width,
    _curve_flags,
    _help_requested,
    _tokens,
)
from lrviz.errors import SpecError

PANEL_SCORE = "Score"
PANEL_SEARCH = "Search"

Score = Annotated[
    str,
    typer.Option(
        "--score",
        help="bound (convex bound, milliseconds), law (a published loss-curve law) or train (real training).",
        rich_help_panel=PANEL_SCORE,
    ),
]
Law = Annotated[
    Optional[str],  # noqa: UP045 - Typer reads this annotation at run time
    typer.Option(
        "--law",
        help="mpl-25m, mpl-100m or mpl-400m (default): the Multi-Power Law's published constants.",
        rich_help_panel=PANEL_SCORE,
    ),
]
LawFit = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--law-fit",
        help="CSV with lr and loss columns (and run): fit the law to your own loss curves.",
        rich_help_panel=PANEL_SCORE,
    ),
]
BoundD = Annotated[
    Optional[str],
    typer.Option(
        "--bound-d",
        help="The bound's D, distance to the solution (default 1).",  # noqa: UP045
        rich_help_panel=PANEL_SCORE,
    ),
]
BoundG = Annotated[
    Optional[str],
    typer.Option(
        "--bound-g",
        help="The bound's G, gradient norm bound (default 1).",  # noqa: UP045
        rich_help_panel=PANEL_SCORE,
    ),
]
FixedLr = Annotated[
    bool,
    typer.Option(
        "--fixed-lr", help="The bound at the spec's own LR, not at the best one.", rich_help_panel=PANEL_SCORE
    ),
]
Objective = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--objective",
        help="FILE.py:FUNCTION: your own training, given a schedule, returning a loss.",
        rich_help_panel=PANEL_SCORE,
    ),
]
Prune = Annotated[
    bool,
    typer.Option(
        "--prune", help="Stop hopeless train candidates early (Optuna's median pruner).", rich_help_panel=PANEL_SCORE
    ),
]
Random = Annotated[
    Optional[str],
    typer.Option(
        "--random",
        help="Draw N candidates from lists and A..B / log:A..B ranges.",  # noqa: UP045
        rich_help_panel=PANEL_SEARCH,
    ),
]
Seed = Annotated[
    Optional[str],
    typer.Option(
        "--seed",
        help="Seed of the draws and of training (default 0).",  # noqa: UP045
        rich_help_panel=PANEL_SEARCH,
    ),
]
Sampler = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--sampler", help="grid (default), random (default with --random) or tpe.", rich_help_panel=PANEL_SEARCH
    ),
]
Storage = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--storage",
        help="An Optuna storage URL (sqlite:///s.db): several processes share the search.",
        rich_help_panel=PANEL_SEARCH,
    ),
]
StudyName = Annotated[
    Optional[str],
    typer.Option(
        "--study-name",
        help="The study's name in --storage (default lrviz-search).",  # noqa: UP045
        rich_help_panel=PANEL_SEARCH,
    ),
]
Resume = Annotated[
    bool,
    typer.Option(
        "--resume",
        help="Continue a stopped search in --storage: rerun what it left unfinished.",
        rich_help_panel=PANEL_SEARCH,
    ),
]
Workers = Annotated[
    Optional[str],
    typer.Option(
        "--workers",
        help="Processes for train (default: every core).",  # noqa: UP045
        rich_help_panel=PANEL_SEARCH,
    ),
]
Format = Annotated[
    str, typer.Option("--format", "-f", help="table (default) or json on stdout.", rich_help_panel="Output")
]
FigureOutput = Annotated[
    Optional[str],
    typer.Option(
        "-o",
        "--output",
        help="Figure file (.png, .svg, .pdf) of every candidate.",  # noqa: UP045
        rich_help_panel="Output",
    ),
]
FORMATS = ("table", "json")


@app.command(**SPEC_COMMAND)
def search(
    ctx: typer.Context,
    targets: Targets = None,
    score: Score = "bound",
    law: Law = None,
    law_fit: LawFit = None,
    bound_d: BoundD = None,
    bound_g: BoundG = None,
    fixed_lr: FixedLr = False,
    objective: Objective = None,
    prune: Prune = False,
    random: Random = None,
    seed: Seed = None,
    sampler: Sampler = None,
    storage: Storage = None,
    study_name: StudyName = None,
    resume: Resume = False,
    workers: Workers = None,
    lr: Lr = None,
    steps: Steps = None,
    title: Title = None,
    warmup_steps: WarmupSteps = None,
    warmup_factor: WarmupFactor = None,
    warmup_method: WarmupMethod = None,
    metric: Metric = None,
    optimizer: Optimizer = None,
    fmt: Format = "table",
    output: FigureOutput = None,
    log_y: LogY = False,
    style: Style = None,
    width: Width = None,
    height: Height = None,
    dpi: Dpi = None,
    quiet: Quiet = False,
    help_: Help = False,
) -> None:
    """Choose a schedule: score every candidate (a sweep's grid, or --random draws) and rank them.

    Example: `lrviz search step --step-size 10,20,30,50 --gamma 0.5 --steps 100 --score train`
    """
    tokens = _tokens(ctx, targets)
    if help_:
        _help_requested(ctx, tokens)

    from lrviz.search import check_score, check_scorer_options, make_scorer, run
    from lrviz.search.candidates import check_draw_count, space_from_tokens
    from lrviz.search.engine import SearchOptions, import_optuna
    from lrviz.spec.model import parse_float, parse_int

    chosen = fmt.strip().lower()
    if chosen not in FORMATS:
        raise SpecError(f"expected table or json, got {fmt!r}", "--format")
    render_options = _render_options(title, log_y, style, width, height, dpi)
    if output is not None:
        from lrviz.output import FIGURE_SUFFIXES, check_output_path

        check_output_path(output, FIGURE_SUFFIXES)
    name = check_score(score)
    given = {
        "--law": law is not None,
        "--law-fit": law_fit is not None,
        "--bound-d": bound_d is not None,
        "--bound-g": bound_g is not None,
        "--fixed-lr": fixed_lr,
        "--objective": objective is not None,
        "--prune": prune,
    }
    check_scorer_options(name, given)
    trials = None if random is None else check_draw_count(parse_int(random, "--random"))
    options = SearchOptions(
        sampler=sampler,
        trials=trials,
        seed=0 if seed is None else parse_int(seed, "--seed"),
        storage=storage,
        study_name=study_name,
        resume=resume,
        prune=prune,
        workers=None if workers is None else _positive_int(parse_int(workers, "--workers"), "--workers"),
    )
    options.sampler_name()  # a contradiction among the search flags fails before any work
    import_optuna()
    flags = _curve_flags(lr, steps, None, title, warmup_steps, warmup_factor, warmup_method, metric, optimizer)
    space = space_from_tokens(tokens, flags, draws=trials is not None)
    scorer, details = make_scorer(
        name,
        law=law,
        law_fit=law_fit,
        bound_d=1.0 if bound_d is None else parse_float(bound_d, "--bound-d"),
        bound_g=1.0 if bound_g is None else parse_float(bound_g, "--bound-g"),
        fixed_lr=fixed_lr,
        objective=objective,
        seed=options.seed,
    )
    with _progress_bar(enabled=name == "train" and not quiet) as progress:
        result = run(space, scorer, options, progress, title, details)
    _render(result, chosen, output, render_options, quiet)


def _positive_int(value: int, where: str) -> int:
    if value < 1:
        raise SpecError(f"must be at least 1, got {value}", where)
    return value


def _render_options(title, log_y, style, width, height, dpi):  # noqa: ANN001, ANN202 - flags, RenderOptions
    """The figure's RenderOptions from the figure flags, checked before any work."""
    from lrviz.rendering.figure import RenderOptions
    from lrviz.spec.model import FigureSettings, figure_settings_from_flags

    settings = figure_settings_from_flags(FigureSettings(), style, width, height, dpi)
    return RenderOptions(
        title=title, log_y=log_y, width=settings.width, height=settings.height, dpi=settings.dpi, style=settings.style
    )


def _render(result, chosen: str, output: str | None, options, quiet: bool) -> None:  # noqa: ANN001 - SearchResult, RenderOptions
    """The result as JSON or a table on stdout, and the figure in `output`."""
    if chosen == "json":
        import json

        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    elif not quiet:
        from rich.console import Console

        from lrviz.search.report import result_table, summary_lines

        console = Console(highlight=False)
        console.print(result_table(result))
        for line in summary_lines(result):
            console.print(line, markup=False)
    sys.stdout.flush()
    if output is not None:
        from lrviz.rendering.figure import save_figure
        from lrviz.search.figure import render_search

        path = save_figure(render_search(result, options=options), output)
        if not quiet:
            typer.echo(f"wrote {path}", err=True)


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[object]:
    """A rich bar of candidates trained, on stderr when it is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("training candidates"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task("training", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
