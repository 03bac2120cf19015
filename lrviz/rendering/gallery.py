"""The gallery: one figure per YAML spec, all specs validated before any file is written, and the
figures of the searches in :data:`SEARCHES` (when Optuna, `lrviz[search]`, is installed)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrviz.errors import SpecError

if TYPE_CHECKING:
    from lrviz.check.rules import Finding

# name -> the keywords of lrviz.search: the article's grid over StepLR's decay epochs, scored by the bound
SEARCHES: dict[str, dict[str, Any]] = {
    "search_step": {
        "title": "StepLR: decay every 10, 20, 30 or 50 epochs? (bound score)",
        "target": "step",
        "step_size": [10, 20, 30, 50],
        "gamma": 0.5,
        "steps": 100,
        "score": "bound",
    },
}


def spec_files(configs: Path) -> list[Path]:
    """The YAML specs of a folder, sorted by name."""
    files = sorted([*configs.glob("*.yaml"), *configs.glob("*.yml")])
    if not files:
        raise SpecError("has no .yaml files", str(configs))
    return files


def gallery_path(config: Path, output: Path) -> Path:
    return output / f"{config.stem}.png"


def build_gallery(
    configs: Path, output: Path, on_findings: Callable[[list[Finding], int], None] | None = None
) -> list[Path]:
    """Write `output/<stem>.png` for every spec in `configs` (the figure `lrviz plot FILE` saves, its
    warnings marked); returns the paths written. Every spec is read, and their work bounded as one
    command's, before anything is simulated; `on_findings` gets each spec's warnings."""
    from lrviz.pipeline import load, load_all, run
    from lrviz.rendering.figure import RenderOptions, check_figure_texts, spec_epoch_axis
    from lrviz.rendering.worker import draw_and_save

    specs = [(path, load(str(path))) for path in spec_files(configs)]
    load_all([spec for _, spec in specs])  # the bounds on one command's work, over every file
    options = {path: RenderOptions(title=spec.title, steps_per_epoch=spec_epoch_axis(spec)) for path, spec in specs}
    for path, spec in specs:
        check_figure_texts(spec, options[path])
    results = [(path, run(spec)) for path, spec in specs]
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for path, result in results:
        if on_findings is not None:
            on_findings(result.warnings, len(result.curves))
        written.append(
            draw_and_save(result.curves, gallery_path(path, output), options[path], None, result.marked_steps)
        )
    if importlib.util.find_spec("optuna") is not None:
        written.extend(build_search_gallery(output))
    return written


def build_search_gallery(output: Path) -> list[Path]:
    """Write `output/<name>.png` for every search in :data:`SEARCHES`."""
    import lrviz
    from lrviz.rendering.figure import RenderOptions, save_figure
    from lrviz.search.figure import render_search

    written = []
    for name, keywords in SEARCHES.items():
        arguments = dict(keywords)
        title = arguments.pop("title")
        result = lrviz.search(arguments.pop("target"), **arguments)
        figure = render_search(result, options=RenderOptions(title=title))
        written.append(save_figure(figure, output / f"{name}.png"))
    return written
