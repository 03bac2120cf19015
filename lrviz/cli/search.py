"""`lrviz search`: score candidate schedules (bound, law, train) and rank them; table, JSON, figure."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from lrviz.cli.options import spec_command
from lrviz.errors import SpecError
from lrviz.spec.flagtable import CURVE, FIGURE, Option

if TYPE_CHECKING:
    from lrviz.cli.options import Flags

FORMATS = ("table", "json")


def _score(flag: str, help: str, metavar: str | None = None, default: object = None) -> Option:
    return Option((flag,), help, "Score", metavar, False if metavar is None else default)


def _search(flag: str, help: str, metavar: str | None = None) -> Option:
    return Option((flag,), help, "Search", metavar, None if metavar else False)


# search's own options, beside the curve and figure options of the table every spec command shares
SEARCH_OPTIONS = {
    "score": _score(
        "--score",
        "bound (convex bound, milliseconds), law (a published loss-curve law) or train (real training).",
        "SCORE",
        "bound",
    ),
    "law": _score(
        "--law", "mpl-25m, mpl-100m or mpl-400m (default): the Multi-Power Law's published constants.", "LAW"
    ),
    "law_fit": _score(
        "--law-fit", "CSV with lr and loss columns (and run): fit the law to your own loss curves.", "FILE"
    ),
    "bound_d": _score("--bound-d", "The bound's D, distance to the solution (default 1).", "FLOAT"),
    "bound_g": _score("--bound-g", "The bound's G, gradient norm bound (default 1).", "FLOAT"),
    "fixed_lr": _score("--fixed-lr", "The bound at the spec's own LR, not at the best one."),
    "objective": _score(
        "--objective", "FILE.py:FUNCTION: your own training, given a schedule, returning a loss.", "FILE.py:FUNCTION"
    ),
    "prune": _score("--prune", "Stop hopeless train candidates early (Optuna's median pruner)."),
    "random": _search("--random", "Draw N candidates from lists and A..B / log:A..B ranges.", "N"),
    "seed": _search("--seed", "Seed of the draws and of training (default 0).", "INTEGER"),
    "sampler": _search("--sampler", "grid (default), random (default with --random) or tpe.", "SAMPLER"),
    "storage": _search(
        "--storage", "An Optuna storage URL (sqlite:///s.db): several processes share the search.", "URL"
    ),
    "study_name": _search("--study-name", "The study's name in --storage (default lrviz-search).", "NAME"),
    "resume": _search("--resume", "Continue a stopped search in --storage: rerun what it left unfinished."),
    "workers": _search("--workers", "Processes for train (default: every core).", "INTEGER"),
    "fmt": Option(("--format", "-f"), "table (default) or json on stdout.", "Output", "FORMAT", "table"),
    "output": Option(("-o", "--output"), "Figure file (.png, .svg, .pdf) of every candidate.", "Output", "FILE"),
    "quiet": Option(("--quiet", "-q"), "No table, no 'wrote' message (for scripts).", "Output", default=False),
}


@spec_command(*(n for n in CURVE if n != "label"), *FIGURE, **SEARCH_OPTIONS)
def search(tokens: list[str], flags: Flags) -> None:
    """Choose a schedule: score every candidate (a sweep's grid, or --random draws) and rank them.

    Example: `lrviz search step --step-size 10,20,30,50 --gamma 0.5 --steps 100 --score train`
    """
    from lrviz.search import check_score, check_scorer_options, make_scorer, run
    from lrviz.search.candidates import check_draw_count, space_from_tokens
    from lrviz.search.engine import import_optuna
    from lrviz.spec.model import parse_int

    chosen = flags["fmt"].strip().lower()
    if chosen not in FORMATS:
        raise SpecError(f"expected table or json, got {flags['fmt']!r}", "--format")
    render_options = _render_options(flags)
    if flags["output"] is not None:
        from lrviz.output import FIGURE_SUFFIXES, check_output_path

        check_output_path(flags["output"], FIGURE_SUFFIXES)
    name = check_score(flags["score"])
    scorer_flags = ("law", "law_fit", "bound_d", "bound_g", "fixed_lr", "objective", "prune")
    check_scorer_options(name, {SEARCH_OPTIONS[key].flag: flags[key] not in (None, False) for key in scorer_flags})
    trials = None if flags["random"] is None else check_draw_count(parse_int(flags["random"], "--random"))
    options = _search_options(flags, trials)
    options.sampler_name()  # a contradiction among the search flags fails before any work
    import_optuna()
    space = space_from_tokens(tokens, flags.curve(), draws=trials is not None)
    scorer, details = _scorer(make_scorer, name, flags, options.seed)
    with _progress_bar(enabled=name == "train" and not flags["quiet"]) as progress:
        result = run(space, scorer, options, progress, flags["title"], details)
    _render(result, chosen, flags["output"], render_options, flags["quiet"])


def _search_options(flags: Flags, trials: int | None):  # noqa: ANN202 - SearchOptions (imported lazily)
    from lrviz.search.engine import SearchOptions
    from lrviz.spec.model import parse_int

    workers = flags["workers"]
    return SearchOptions(
        sampler=flags["sampler"],
        trials=trials,
        seed=0 if flags["seed"] is None else parse_int(flags["seed"], "--seed"),
        storage=flags["storage"],
        study_name=flags["study_name"],
        resume=flags["resume"],
        prune=flags["prune"],
        workers=None if workers is None else _positive_int(parse_int(workers, "--workers"), "--workers"),
    )


def _scorer(make_scorer, name: str, flags: Flags, seed: int):  # noqa: ANN001, ANN202 - lrviz.search's factory
    from lrviz.spec.model import parse_float

    return make_scorer(
        name,
        law=flags["law"],
        law_fit=flags["law_fit"],
        bound_d=1.0 if flags["bound_d"] is None else parse_float(flags["bound_d"], "--bound-d"),
        bound_g=1.0 if flags["bound_g"] is None else parse_float(flags["bound_g"], "--bound-g"),
        fixed_lr=flags["fixed_lr"],
        objective=flags["objective"],
        seed=seed,
    )


def _positive_int(value: int, where: str) -> int:
    if value < 1:
        raise SpecError(f"must be at least 1, got {value}", where)
    return value


def _render_options(flags: Flags):  # noqa: ANN202 - RenderOptions (imported lazily)
    """The figure's RenderOptions from the figure flags, checked before any work."""
    from lrviz.rendering.figure import RenderOptions
    from lrviz.spec.model import FigureSettings, figure_settings_from_flags

    settings = figure_settings_from_flags(
        FigureSettings(), flags["style"], flags["width"], flags["height"], flags["dpi"]
    )
    return RenderOptions(
        title=flags["title"],
        log_y=flags["log_y"],
        width=settings.width,
        height=settings.height,
        dpi=settings.dpi,
        style=settings.style,
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
