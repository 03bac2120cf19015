"""The explorer's calls into lrviz's one pipeline (:func:`lrviz.pipeline.run`): save the figure, write the export.

The same functions as the commands: :func:`lrviz.pipeline.run` (as ``lrviz plot``),
:func:`lrviz.rendering.worker.draw_and_save` (the figure ``lrviz plot`` saves, with the steps its
warnings point at marked) and :func:`lrviz.report.export.to_json` (``lrviz export``). Only the
values are computed here; nothing is printed.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrviz.pipeline import Result
    from lrviz.rendering.figure import RenderOptions
    from lrviz.spec.model import Spec


# Drawing sets matplotlib's global rc parameters for its duration (rc_context): one figure at a time.
_FIGURE_LOCK = threading.Lock()


def simulate_and_check(spec: Spec) -> Result:
    """Simulate `spec` with real torch schedulers (in this process) and check the curves."""
    from lrviz.pipeline import Request, run

    return run(spec, Request(workers=1))  # an interactive app forks nothing: one short run at a time


def save_figure_file(outcome: Result, output: str | Path, options: RenderOptions) -> Path:
    """Write the figure `lrviz plot` writes for the same spec and options (same bytes)."""
    from lrviz.rendering.worker import draw_and_save

    with _FIGURE_LOCK:
        return draw_and_save(outcome.curves, output, options, None, outcome.marked_steps)


def export_json_file(outcome: Result, output: str | Path) -> Path:
    """Write the JSON export `lrviz export ... -o FILE.json` writes for the same spec."""
    from lrviz.output import DATA_SUFFIXES, check_output_path, write_atomic
    from lrviz.report.export import to_json

    check_output_path(output, DATA_SUFFIXES)
    text = to_json(outcome.curves)
    return write_atomic(output, lambda handle: handle.write(text.encode("utf-8")))
