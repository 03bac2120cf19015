"""The ranked table of a search result (rich), for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrviz.report.tables import format_lr

if TYPE_CHECKING:
    from rich.table import Table

    from lrviz.search.result import SearchResult

SCORE_COLUMNS = {"bound": "bound", "law": "final loss", "train": "val loss"}  # short: the table's header
SCORE_TITLES = {  # the colour bar's and loss panel's labels
    "bound": "convex bound (lower is better)",
    "law": "predicted final loss",
    "train": "validation loss",
}


def score_column(result: SearchResult) -> str:
    """The score column's header: a user objective's loss is no validation loss of lrviz's."""
    return "loss" if "objective" in result.details else SCORE_COLUMNS[result.score]


def format_value(value: Any) -> str:
    """A varied parameter's value as a flag would take it."""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _varied(varied: tuple[tuple[str, Any], ...]) -> str:
    return ", ".join(f"{key}={format_value(value)}" for key, value in varied)


def result_table(result: SearchResult) -> Table:
    """Rank, candidate, varied parameters, score, best LR (where there is one), seconds, status."""
    from rich import box
    from rich.table import Table

    count = len(result.candidates)
    title = result.title or (
        f"lrviz search: {result.score} score (lower is better), {result.sampler} sampler, {count} candidates"
    )
    table = Table(title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    with_best_lr = any(c.best_lr is not None for c in result.candidates)
    # the varied values, where the labels do not already say them (a sweep's and a draw's labels do)
    with_varied = any(_varied(c.varied) not in c.label for c in result.candidates)
    table.add_column("rank", justify="right")
    table.add_column("candidate", overflow="fold", min_width=12)
    if with_varied:
        table.add_column("varied", overflow="fold")
    table.add_column(score_column(result), justify="right", no_wrap=True)
    if with_best_lr:
        table.add_column("best LR", justify="right", no_wrap=True)
    table.add_column("seconds", justify="right", no_wrap=True)
    table.add_column("status")
    for candidate in result.candidates:
        cells = [str(candidate.rank), candidate.label]
        if with_varied:
            cells.append(_varied(candidate.varied))
        cells.append("-" if candidate.score is None else f"{candidate.score:.6g}")
        if with_best_lr:
            cells.append("-" if candidate.best_lr is None else format_lr(candidate.best_lr))
        cells.append(f"{candidate.seconds:.2f}")
        status = candidate.status if candidate.message is None else f"{candidate.status}: {candidate.message}"
        cells.append(status)
        table.add_row(*cells)
    return table


def summary_lines(result: SearchResult) -> list[str]:
    """The best candidate and the score's note, under the table."""
    lines = []
    best = result.best
    if best is None:
        lines.append("no candidate could be scored")
    else:
        lr = f" at base LR {format_lr(best.best_lr)}" if best.best_lr is not None and result.score == "bound" else ""
        lines.append(f"best: {best.label} ({result.score} {best.score:.6g}{lr})")
    if result.note:
        lines.append(f"note: {result.note}")
    return lines
