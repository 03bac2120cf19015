"""`lrviz list` and `lrviz show`: torch's schedulers (read from its signatures) and the framework families."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lrviz import schedules
from lrviz.cli.app import app
from lrviz.schedules import pytorch as registry
from lrviz.schedules.base import FrameworkSchedule
from lrviz.schedules.pytorch import Param, SchedulerInfo


def stdout_console() -> Console:
    """A console on stdout that leaves user text alone (no highlighting, no soft wrapping)."""
    return Console(highlight=False, soft_wrap=False)


def parameter_table(info: SchedulerInfo) -> Table:
    """Flag, torch name, type, default and torch's one-line description of each parameter."""
    table = Table(title=f"{info.name} parameters", title_justify="left", header_style="bold")
    table.add_column("flag", no_wrap=True)
    table.add_column("torch name" if info.framework is None else "name", no_wrap=True)
    table.add_column("type")
    table.add_column("default")
    table.add_column("description", overflow="fold")
    for param in info.params:
        table.add_row(*_parameter_cells(param), param.help)
    return table


TABLE_DESCRIPTION_MIN = 40  # narrower than this, a description column reads a word a line


def parameter_view(info: SchedulerInfo, width: int) -> Table | Text:
    """The parameters as a table when its description column gets enough room at `width`,
    else as rows: flag, name, type and default on a line, the description indented below."""
    rows = [_parameter_cells(param) for param in info.params]
    fixed = [max([len(header), *(len(row[i]) for row in rows)]) for i, header in enumerate(PARAMETER_HEADERS)]
    # the table's box: a border and a space either side of every column
    if width - sum(fixed) - 3 * (len(fixed) + 1) - 1 >= TABLE_DESCRIPTION_MIN:
        return parameter_table(info)
    return _parameter_rows(info, rows, width)


PARAMETER_HEADERS = ("flag", "torch name", "type", "default")


def _parameter_cells(param: Param) -> tuple[str, str, str, str]:
    kind = "|".join(param.choices) if param.choices else param.kind.replace("_", " ")
    flag = param.flag if param.kind != "schedulers" else "(YAML only)"
    return flag, param.name, kind, param.default_text()


def _parameter_rows(info: SchedulerInfo, rows: list[tuple[str, str, str, str]], width: int) -> Text:
    from lrviz.report.text import hanging

    text = Text(f"{info.name} parameters\n", style="bold")
    for (flag, name, kind, default), param in zip(rows, info.params, strict=True):
        default = default if default == "required" else f"default {default}"
        text.append(f"  {flag}", style="bold")
        text.append(f"  {name} · {kind} · {default}\n")
        for line in hanging("", param.help, width, indent=6):
            text.append(line + "\n")
    text.rstrip()
    return text


@app.command("list")
def list_schedulers() -> None:
    """Every scheduler lrviz drives: torch's classes with aliases, then each framework's schedules."""
    console = stdout_console()
    torch_rows = [
        (info.name + (" [YAML]" if info.kind.needs_yaml else ""), ", ".join(info.aliases), _parameter_summary(info))
        for info in registry.catalog().values()
    ]
    console.print(_catalog_section("torch.optim.lr_scheduler", torch_rows, console.width, "scheduler"), markup=False)
    for family in schedules.families():
        rows = [
            (schedule.full_name, None, _parameter_summary(registry.framework_info(schedule)))
            for schedule in family.schedules
        ]
        console.print(
            _catalog_section(f"{family.prefix}: {family.title}", rows, console.width, "schedule"), markup=False
        )
    console.print("* required.  [YAML]: nests schedulers, so only a YAML file can describe it.", markup=False)


CatalogRow = tuple[str, "str | None", str]  # name, aliases (None: the family has none), parameters
LIST_TABLE_MIN = 120  # columns from which `list` prints tables; narrower, each schedule is a row of its own


def _catalog_section(title: str, rows: list[CatalogRow], width: int, kind: str) -> Table | Text:
    """A table of the schedules, or, where the parameters column would fold a `name=default` in
    two, each schedule on a line with its parameters wrapped (at spaces) below it."""
    from lrviz.report.text import hanging

    with_aliases = any(aliases is not None for _, aliases, _ in rows)
    if width < LIST_TABLE_MIN:
        text = Text(f"{title}\n", style="bold")
        for name, aliases, parameters in rows:
            text.append(f"  {name}", style="bold")
            text.append(f"  ({aliases})\n" if aliases else "\n")
            text.append("".join(line + "\n" for line in hanging("", parameters or "-", width, indent=6)))
        text.rstrip()
        return text
    table = Table(header_style="bold", title=title, title_justify="left")
    table.add_column(kind, no_wrap=True)
    if with_aliases:
        table.add_column("aliases")
    table.add_column("parameters (default)", overflow="fold")
    for name, aliases, parameters in rows:
        table.add_row(name, *([aliases or ""] if with_aliases else []), parameters)
    return table


def _parameter_summary(info: SchedulerInfo) -> str:
    return ", ".join(f"{p.name}" + ("*" if p.required else f"={_short_default(p.default_text())}") for p in info.params)


def _short_default(text: str) -> str:
    """A default as the summary shows it: a float of many digits (1/3) to 4 significant ones, so
    no number is longer than the column and folded in two (`show` has the exact value)."""
    try:
        value = float(text)
    except ValueError:
        return text
    return f"{value:.4g}" if len(text) > 8 else text


@app.command("show")
def show_scheduler(
    name: Annotated[str, typer.Argument(help="A torch scheduler class name or alias, or FRAMEWORK:NAME (hf:cosine).")],
) -> None:
    """One scheduler in depth: its parameters, defaults, its documentation and an example."""
    info = registry.resolve(name, "NAME")
    console = stdout_console()
    schedule = info.framework
    if schedule is None:
        console.print(f"{info.name}  (aliases: {', '.join(info.aliases)})", style="bold", markup=False)
    else:
        console.print(f"{info.name}  ({schedule.source})", style="bold", markup=False)
    console.print(info.summary, markup=False)
    if schedule is not None:
        console.print(_framework_notes(schedule), markup=False)
    console.print()
    console.print(parameter_view(info, console.width))
    console.print()
    console.print("Example:", style="bold")
    example = schedule.example if schedule is not None else registry.EXAMPLES[info.name]
    console.print(f"  {example}", markup=False)
    if schedule is None:
        console.print()
        console.print("torch documentation:", style="bold")
        console.print(_doc_without_args(info.doc), markup=False)


def _framework_notes(schedule: FrameworkSchedule) -> str:
    """What --lr means for a framework schedule, and its precision."""
    notes = [
        "Its LRs come from its own parameters: --lr is not used."
        if schedule.absolute
        else "It multiplies the optimizer's LR: --lr is the peak (base) LR."
    ]
    if schedule.float32:
        notes.append(
            "The framework computes in float32: lrviz's values agree with it to float32 precision (about 7 digits)."
        )
    return " ".join(notes)


def _doc_without_args(doc: str) -> str:
    """The docstring's prose, without the Args section (shown as the table) and image links."""
    kept = []
    skipping = False
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped == "Args:":
            skipping = True
            continue
        if skipping and stripped in ("Example:", "Example", "Examples:"):
            skipping = False
        if not skipping and not stripped.startswith((".. image::", ".. _")):
            kept.append(line)
    return "\n".join(kept).strip()
