"""The run of a framework config, told under the table: how many optimizer steps, and why."""

from __future__ import annotations

from typing import Any

from lrviz.errors import printable
from lrviz.spec import Spec


def run_lines(spec: Spec) -> list[str]:
    """One line per distinct run among the spec's curves (`optimizer steps: 7,330 per epoch, ...`)."""
    lines: list[str] = []
    for curve in spec.curves:
        if curve.run is None:
            continue
        line = f"{printable(curve.label)}: {curve.run.text()}" if len(spec.curves) > 1 else curve.run.text()
        if line not in lines:
            lines.append(line)
    return lines


def print_runs(console: Any, spec: Spec) -> None:
    """Print the run lines on a rich Console (nothing for a spec that is not a framework config)."""
    for line in run_lines(spec):
        console.print(line, markup=False)
