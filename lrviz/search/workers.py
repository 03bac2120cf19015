"""Where candidates are evaluated: in this process, or in a pool of worker processes.

Each worker runs the scorer on one candidate at a time and sends its intermediate losses back
through a queue; the search (in the parent, which owns the Optuna study) reports them to the
pruner and, when it says so, raises the candidate's stop flag, which the worker reads after each
epoch. Workers are forked on Linux when the scorer allows it (they inherit torch and the scorer),
spawned otherwise.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lrviz.errors import ScheduleError
from lrviz.search.scores import FAILED, Report, Score
from lrviz.spec.model import CurveSpec

POLL_SECONDS = 0.05

Decide = Callable[[int, int, float], bool]
"""decide(slot, step, loss) -> stop: the search's answer to an intermediate loss."""


@dataclass(frozen=True)
class Finished:
    """A candidate's evaluation, done."""

    slot: int
    score: Score
    seconds: float


def evaluate_timed(scorer: Any, curve: CurveSpec, report: Report | None) -> tuple[Score, float]:
    """`scorer.evaluate(curve)`, its wall time, and a SpecError/ScheduleError as a failed Score."""
    from lrviz.errors import LrvizError

    start = time.perf_counter()
    try:
        score = scorer.evaluate(curve, report)
    except LrvizError as exc:  # a drawn candidate torch or the score cannot run: ranked last, not a crash
        score = Score(None, FAILED, message=str(exc))
    return score, time.perf_counter() - start


class InProcess:
    """Evaluates one candidate at a time, here."""

    capacity = 1

    def __init__(self, scorer: Any, decide: Decide) -> None:
        self.scorer = scorer
        self.decide = decide
        self._done: list[Finished] = []

    def __enter__(self) -> InProcess:
        _prepare(self.scorer)
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def start(self, slot: int, curve: CurveSpec) -> None:
        score, seconds = evaluate_timed(self.scorer, curve, lambda step, loss: self.decide(slot, step, loss))
        self._done.append(Finished(slot, score, seconds))

    def wait(self) -> list[Finished]:
        done, self._done = self._done, []
        return done


# Set in each worker by the pool's initializer.
_reports: Any = None
_stops: Any = None


def _prepare(scorer: Any) -> None:
    """The scorer's one-off start-up (data, imports), so it counts in no candidate's seconds."""
    prepare = getattr(scorer, "prepare", None)
    if prepare is not None:
        prepare()


def _init_worker(scorer: Any, reports: Any, stops: Any) -> None:
    global _reports, _stops
    _reports, _stops = reports, stops
    _prepare(scorer)


def _evaluate_in_worker(scorer: Any, curve: CurveSpec, slot: int, serial: int) -> tuple[Score, float]:
    def report(step: int, loss: float) -> bool:
        _reports.put((slot, serial, step, loss))
        return bool(_stops[slot] == serial)

    return evaluate_timed(scorer, curve, report)


class ProcessPool:
    """Evaluates up to `count` candidates at once, each in a worker process."""

    def __init__(self, scorer: Any, decide: Decide, count: int) -> None:
        from lrviz.simulation.parallel import can_fork

        self.scorer = scorer
        self.decide = decide
        self.capacity = count
        # A fork inherits torch and the scorer at no cost, but none of the parent's threads: only a scorer
        # that keeps torch on one thread (never waiting on an OpenMP team the parent started) is forked.
        fork = can_fork() and getattr(scorer, "fork_safe", False)
        self._context = multiprocessing.get_context("fork" if fork else "spawn")
        self._reports = self._context.Queue()
        self._stops = self._context.Array("q", count, lock=False)  # slot -> serial of the task to stop
        self._running: dict[int, tuple[int, Any]] = {}  # slot -> (serial, Future)
        self._serial = 0

    def __enter__(self) -> ProcessPool:
        from concurrent.futures import ProcessPoolExecutor

        from lrviz.simulation.parallel import fork_warning_silenced

        with fork_warning_silenced():
            self._pool = ProcessPoolExecutor(
                self.capacity,
                mp_context=self._context,
                initializer=_init_worker,
                initargs=(self.scorer, self._reports, self._stops),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        # on an error or Ctrl-C, drop what has not started; what runs finishes its epoch and is dropped
        self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)

    def start(self, slot: int, curve: CurveSpec) -> None:
        self._serial += 1
        self._stops[slot] = 0
        with warnings.catch_warnings():  # Python >= 3.12 warns on fork() with threads: see fork_warning_silenced
            warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning)
            future = self._pool.submit(_evaluate_in_worker, self.scorer, curve, slot, self._serial)
        self._running[slot] = (self._serial, future)

    def wait(self) -> list[Finished]:
        """Pass on intermediate losses until at least one candidate is done; those that are."""
        from concurrent.futures.process import BrokenProcessPool

        while True:
            self._drain()
            done = [slot for slot, (_, future) in self._running.items() if future.done()]
            if not done:
                continue
            self._drain()
            finished = []
            for slot in done:
                _, future = self._running.pop(slot)
                try:
                    score, seconds = future.result()
                except BrokenProcessPool:
                    raise ScheduleError(
                        "a worker process died while evaluating a candidate (out of memory, or the objective "
                        "exited the process?)"
                    ) from None
                finished.append(Finished(slot, score, seconds))
            return finished

    def _drain(self) -> None:
        try:
            message = self._reports.get(timeout=POLL_SECONDS)
        except queue.Empty:
            return
        while True:
            slot, serial, step, loss = message
            running = self._running.get(slot)
            if running is not None and running[0] == serial and self.decide(slot, step, loss):
                self._stops[slot] = serial
            try:
                message = self._reports.get_nowait()
            except queue.Empty:
                return
