"""The explorer's calls into lrviz's one pipeline: simulate and check, save the figure, write the export.

The same functions as the commands: :func:`lrviz.simulation.simulate` and :func:`lrviz.check.check`
(as ``lrviz plot``), :func:`lrviz.figure_worker.draw_and_save` (the figure ``lrviz plot`` saves,
with the steps its warnings point at marked) and :func:`lrviz.export.to_json` (``lrviz export``).
Only the values are computed here; nothing is printed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lrviz.check import Finding
    from lrviz.figure import RenderOptions
    from lrviz.simulation import Curve
    from lrviz.spec import Spec


# Drawing sets matplotlib's global rc parameters for its duration (rc_context): one figure at a time.
_FIGURE_LOCK = threading.Lock()


@dataclass(frozen=True, eq=False)
class Outcome:
    """A spec's simulated curves and the findings of `lrviz check` about them."""

    spec: Spec
    curves: list[Curve]
    findings: list[Finding]

    @property
    def marked_steps(self) -> list[tuple[int, str, str]]:
        """(step, curve, rule) of the steps warning-level findings point at, which `lrviz plot` marks on the figure."""
        from lrviz.figure import finding_marks

        return finding_marks(self.findings)


def simulate_and_check(spec: Spec) -> Outcome:
    """Simulate `spec` with real torch schedulers (in this process) and check the curves."""
    from lrviz.check import check
    from lrviz.simulation import simulate

    curves = simulate(spec, workers=1)  # an interactive app forks nothing: one short run at a time
    return Outcome(spec, curves, check(spec, curves))


def save_figure_file(outcome: Outcome, output: str | Path, options: RenderOptions) -> Path:
    """Write the figure `lrviz plot` writes for the same spec and options (same bytes)."""
    from lrviz.figure_worker import draw_and_save

    with _FIGURE_LOCK:
        return draw_and_save(outcome.curves, output, options, None, outcome.marked_steps)


def export_json_file(outcome: Outcome, output: str | Path) -> Path:
    """Write the JSON export `lrviz export ... -o FILE.json` writes for the same spec."""
    from lrviz.export import to_json
    from lrviz.output import DATA_SUFFIXES, check_output_path, write_atomic

    check_output_path(output, DATA_SUFFIXES)
    text = to_json(outcome.curves)
    return write_atomic(output, lambda handle: handle.write(text.encode("utf-8")))
