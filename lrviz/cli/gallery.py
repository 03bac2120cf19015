"""`lrviz gallery`: the figure of every YAML spec in a folder, e.g. configs/ into gallery/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lrviz.cli.app import app
from lrviz.errors import SpecError, printable


@app.command()
def gallery(
    configs: Annotated[Path, typer.Argument(help="Folder of YAML spec files.")] = Path("configs"),
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write one PNG per spec into.")] = Path(
        "gallery"
    ),
) -> None:
    """Plot every `*.yaml` in a folder to `<output>/<name>.png` (how README's gallery is made).

    Example: `lrviz gallery configs -o gallery`
    """
    from lrviz.cli.check import print_warnings
    from lrviz.rendering.gallery import build_gallery

    if not configs.is_dir():
        raise SpecError("not a folder of YAML files", str(configs))
    if output.exists() and not output.is_dir():
        raise SpecError("exists and is not a folder", "--output")
    for path in build_gallery(configs, output, on_findings=print_warnings):
        typer.echo(f"wrote {printable(path)}", err=True)
