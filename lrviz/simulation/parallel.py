"""Sweeps of long curves on several cores: one curve per task, the same code as a serial run.

Each worker is a fork of this process, so it already holds torch and the Spec (nothing is
re-imported or pickled on the way in); it runs :func:`lrviz.simulation.stepping.simulate_curve` and sends
back the recorded arrays. The values are therefore exactly the serial ones. Forking only pays
when there is enough work beside the longest curve: below `PARALLEL_MIN_STEPS` a sweep runs
serially, and so it does when other processes already keep the cores busy (measured by
``bench/run.py``).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from lrviz.simulation.stepping import Curve, Progress
    from lrviz.spec.model import CurveSpec, Spec

# Steps that must run beside the longest curve before a second process pays for its start-up
# and the transfer of its arrays (a fork costs ~10-30 ms; a step ~3 µs, so 200k steps ~0.6 s).
PARALLEL_MIN_STEPS = 200_000
WAIT_SECONDS = 0.1  # how often the parent reports the workers' progress


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def idle_cores() -> int:
    """Cores not busy with other work: the cores, less the load average (ours counts as 1 of it).

    On a machine whose cores other processes keep busy, a second worker only takes turns with
    the first (measured: no faster), so it is not started.
    """
    cores = available_cores()
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average (Windows)
        return cores
    return max(1, min(cores, round(cores - load + 1)))


def can_fork() -> bool:
    """Linux only: macOS's system libraries are not safe in a forked child; Windows cannot fork."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def fork_warning_silenced() -> Iterator[None]:
    """Python >= 3.12 warns on fork() in a process with threads (torch starts one). lrviz's forked
    children (sweep workers, the figure process) only run Python code on their own objects and
    take no lock those threads could hold."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning)
        yield


def worker_count(spec: Spec, workers: int | None = None) -> int:
    """Processes to simulate `spec` with: 1 unless several long curves make a pool pay."""
    curves = len(spec.curves)
    if curves < 2 or not can_fork():
        return 1
    if workers is not None:
        return max(1, min(workers, curves))
    lengths = sorted(curve.steps for curve in spec.curves)
    if sum(lengths[:-1]) < PARALLEL_MIN_STEPS:
        return 1
    return max(1, min(idle_cores(), curves))


# Set in each worker by the pool's initializer (inherited through fork, never pickled).
_worker_curves: tuple[CurveSpec, ...] = ()
_worker_done: Any = None


def _init_worker(curves: tuple[CurveSpec, ...], done: Any) -> None:
    global _worker_curves, _worker_done
    _worker_curves = curves
    _worker_done = done


def _count_done(steps: int) -> None:
    with _worker_done.get_lock():
        _worker_done.value += steps


def _simulate_in_worker(index: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    from lrviz.simulation.stepping import simulate_curve

    curve = simulate_curve(_worker_curves[index], _count_done)
    return curve.group_lr, curve.momentum, curve.metric


def simulate_parallel(spec: Spec, workers: int, progress: Progress | None = None) -> list[Curve]:
    """Every curve of `spec`, simulated by a pool of `workers` forked processes, in spec order."""
    from lrviz.simulation.stepping import Curve

    context = multiprocessing.get_context("fork")
    done = context.Value("q", 0)
    with fork_warning_silenced():
        pool = context.Pool(workers, initializer=_init_worker, initargs=(spec.curves, done))
    with pool:
        # longest first, so the last task to start is a short one
        order = sorted(range(len(spec.curves)), key=lambda i: -spec.curves[i].steps)
        pending = {i: pool.apply_async(_simulate_in_worker, (i,)) for i in order}
        reported = 0
        results = {}
        for index in range(len(spec.curves)):
            result = pending[index]
            while not result.ready():
                result.wait(WAIT_SECONDS)
                if progress is not None and done.value > reported:
                    current = done.value
                    progress(current - reported)
                    reported = current
            results[index] = result.get()
        if progress is not None and done.value > reported:
            progress(done.value - reported)
    return [Curve.from_arrays(curve, *results[index]) for index, curve in enumerate(spec.curves)]
