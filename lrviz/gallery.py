"""The gallery: one figure per YAML spec, all specs validated before any file is written."""

from __future__ import annotations

from pathlib import Path

from lrviz.errors import SpecError


def spec_files(configs: Path) -> list[Path]:
    """The YAML specs of a folder, sorted by name."""
    files = sorted([*configs.glob("*.yaml"), *configs.glob("*.yml")])
    if not files:
        raise SpecError("has no .yaml files", str(configs))
    return files


def gallery_path(config: Path, output: Path) -> Path:
    return output / f"{config.stem}.png"


def build_gallery(configs: Path, output: Path) -> list[Path]:
    """Write `output/<stem>.png` for every spec in `configs`; returns the paths written."""
    from lrviz.figure import RenderOptions, check_figure_texts, render, save_figure
    from lrviz.simulation import simulate
    from lrviz.spec import merge_specs
    from lrviz.yamlspec import load_spec_file

    specs = [(path, load_spec_file(str(path))) for path in spec_files(configs)]
    merge_specs([spec for _, spec in specs])  # the bounds on one command's work, over every file
    for _, spec in specs:
        check_figure_texts(spec, RenderOptions(title=spec.title))
    figures = [(path, spec, simulate(spec)) for path, spec in specs]
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for path, spec, curves in figures:
        figure = render(curves, RenderOptions(title=spec.title))
        written.append(save_figure(figure, gallery_path(path, output)))
    return written
