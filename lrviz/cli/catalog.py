"""`lrviz list` and `lrviz show`: the schedulers lrviz drives, read from torch's signatures."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lrviz import registry
from lrviz.cli.app import app
from lrviz.registry import SchedulerInfo


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def parameter_table(info: SchedulerInfo) -> Table:
    """Flag, torch name, type, default and torch's one-line description of each parameter."""
    table = Table(title=f"{info.name} parameters", title_justify="left", header_style="bold")
    table.add_column("flag", no_wrap=True)
    table.add_column("torch name", no_wrap=True)
    table.add_column("type")
    table.add_column("default")
    table.add_column("description", overflow="fold")
    for param in info.params:
        kind = "|".join(param.choices) if param.choices else param.kind.replace("_", " ")
        flag = param.flag if param.kind != "schedulers" else "(YAML only)"
        table.add_row(flag, param.name, kind, param.default_text(), param.help)
    return table


@app.command("list")
def list_schedulers() -> None:
    """Every scheduler lrviz drives: class name, aliases and parameters with defaults."""
    table = Table(header_style="bold")
    table.add_column("scheduler", no_wrap=True)
    table.add_column("aliases")
    table.add_column("parameters (default)", overflow="fold")
    for info in registry.catalog().values():
        params = ", ".join(f"{p.name}" + ("*" if p.required else f"={p.default_text()}") for p in info.params)
        note = " [YAML]" if info.kind.needs_yaml else ""
        table.add_row(info.name + note, ", ".join(info.aliases), params)
    console = stdout_console()
    console.print(table, markup=False)
    console.print("* required.  [YAML]: nests schedulers, so only a YAML file can describe it.", markup=False)


@app.command("show")
def show_scheduler(
    name: Annotated[str, typer.Argument(help="A torch scheduler class name or alias, e.g. onecycle.")],
) -> None:
    """One scheduler in depth: its parameters, defaults, torch's documentation and an example."""
    info = registry.resolve(name, "NAME")
    console = stdout_console()
    console.print(f"{info.name}  (aliases: {', '.join(info.aliases)})", style="bold", markup=False)
    console.print(info.summary, markup=False)
    console.print()
    console.print(parameter_table(info))
    console.print()
    console.print("Example:", style="bold")
    example = info.framework.example if info.framework is not None else registry.EXAMPLES[info.name]
    console.print(f"  {example}", markup=False)
    console.print()
    console.print("torch documentation:", style="bold")
    console.print(_doc_without_args(info.doc), markup=False)


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
