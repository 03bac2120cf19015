"""A progress bar on stderr for simulations long enough to wait for; silent in pipes and tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from lrviz.simulation.stepping import Progress
    from lrviz.spec.model import Spec

# A torch scheduler step takes ~3 µs: from ~300k steps on, a simulation takes about a second.
PROGRESS_MIN_STEPS = 300_000


@contextmanager
def simulation_progress(spec: Spec, stream: IO[str] | None = None) -> Iterator[Progress | None]:
    """A callback for ``simulate(spec, progress=...)`` that draws a rich bar on `stream` (stderr),
    or None when the simulation is short or `stream` is not a terminal."""
    from lrviz.simulation.stepping import total_steps

    stream = sys.stderr if stream is None else stream
    total = total_steps(spec)
    if total < PROGRESS_MIN_STEPS or not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TextColumn("steps"), TimeRemainingColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("simulating", total=total)
        yield lambda steps: bar.advance(task, steps)
