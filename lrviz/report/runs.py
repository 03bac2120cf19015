"""The run of a framework config, told under the table: how many optimizer steps, and why."""

from __future__ import annotations

from typing import Any

from lrviz.errors import printable
from lrviz.spec.model import Spec


def run_lines(spec: Spec) -> list[str]:
    """One line per distinct run among the spec's curves (`optimizer steps: 7,330 per epoch, ...`)."""
    runs = [curve for curve in spec.curves if curve.run is not None]
    if len({curve.run.text() for curve in runs}) <= 1:  # one run (a config's curves share it): no labels
        return [runs[0].run.text()] if runs else []
    lines: list[str] = []
    for curve in runs:
        line = f"{printable(curve.label)}: {curve.run.text()}"
        if line not in lines:
            lines.append(line)
    return lines


def print_runs(console: Any, spec: Spec) -> None:
    """Print the run lines on a rich Console (nothing for a spec that is not a framework config)."""
    for line in run_lines(spec):
        console.print(line, markup=False)
