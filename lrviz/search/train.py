"""The `train` score: real training, each candidate on a fresh model with the same seed and batches.

Built in: a small MLP on scikit-learn's bundled handwritten digits (1,797 8x8 images, shipped with
scikit-learn, no download), SGD with momentum, the schedule stepped once per epoch (as the
articles' StepLR examples are), the score the validation loss on a held-out split after the last
epoch. A candidate whose loss turns NaN/inf or grows to ten times its start is `diverged`.
Or the user's own: ``--objective train.py:objective``, a function that receives a
:class:`lrviz.simulation.schedule.Schedule` and returns a loss, or a dict with ``loss`` and an optional
per-step ``curve``.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import math
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lrviz.errors import SpecError
from lrviz.schedules import pytorch as registry
from lrviz.search.scores import DIVERGED, FAILED, PRUNED, Report, Score
from lrviz.spec.model import CurveSpec

DIVERGENCE_FACTOR = 10.0  # a validation loss this many times its start counts as diverged
MAX_TRAIN_EPOCHS = 1000  # the schedule steps once per epoch: the work bound of one candidate
MAX_TRAIN_EPOCHS_TOTAL = 20_000  # and of one search (the built-in model: a few minutes on one core)


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """torch on one thread: the same arithmetic in every process, no cores oversubscribed, and no
    OpenMP thread team that a later fork() would copy without its threads (the child would hang)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@functools.cache
def digits_split(seed: int, validation: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's digits, scaled to [0, 1], split into train and validation (stratified, seeded)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    images, labels = load_digits(return_X_y=True)
    return tuple(
        train_test_split(
            (images / 16.0).astype(np.float32), labels, test_size=validation, random_state=seed, stratify=labels
        )
    )


@dataclass(frozen=True)
class DigitsTraining:
    """A small MLP (64-`hidden`-10) trained with SGD + momentum on the digits, one schedule step per epoch."""

    seed: int = 0
    hidden: int = 32
    batch_size: int = 128
    momentum: float = 0.9
    name: str = "train"
    parallel: bool = True
    fork_safe: bool = True  # torch on one thread only: a forked worker never waits on the parent's OpenMP team
    note: str | None = (
        "validation loss (cross-entropy) of a 64-32-10 MLP on scikit-learn's digits after the last epoch; "
        "SGD momentum 0.9, batch 128, one schedule step per epoch, same seed and batches for every candidate"
    )

    def prepare(self) -> None:
        """Load the data and take one training step: torch's first one imports its compiler guard and
        sets up autograd (seconds), which would otherwise count in the first candidate's time."""
        import torch

        x_train, _, y_train, _ = digits_split(self.seed)
        with one_thread():
            model = torch.nn.Linear(64, 10)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.0, momentum=self.momentum)
            optimizer.zero_grad()
            inputs, labels = torch.from_numpy(x_train[:2]), torch.from_numpy(y_train[:2])
            torch.nn.functional.cross_entropy(model(inputs), labels).backward()
            optimizer.step()

    def evaluate(self, curve: CurveSpec, report: Report | None = None) -> Score:
        """Train a fresh model under `curve`'s schedule; the final validation loss is the score."""
        import torch

        from lrviz.simulation.schedule import Schedule

        with one_thread():
            x_train, x_val, y_train, y_val = (torch.from_numpy(a) for a in digits_split(self.seed))
            torch.manual_seed(self.seed)
            model = torch.nn.Sequential(
                torch.nn.Linear(64, self.hidden), torch.nn.ReLU(), torch.nn.Linear(self.hidden, 10)
            )
            optimizer = torch.optim.SGD(model.parameters(), lr=curve.lr, momentum=self.momentum)
            schedule = Schedule(curve).build(optimizer)
            return self._epochs(curve, model, optimizer, schedule, (x_train, x_val, y_train, y_val), report)

    def _epochs(self, curve, model, optimizer, schedule, data, report) -> Score:  # noqa: ANN001 - torch objects
        import torch

        x_train, x_val, y_train, y_val = data
        loss_fn = torch.nn.functional.cross_entropy
        with torch.no_grad():
            start = float(loss_fn(model(x_val), y_val))
        order = np.random.default_rng(self.seed)
        losses: list[float] = []
        plateau = registry.resolve(curve.scheduler.type).kind.metric_driven
        for epoch in range(curve.steps):
            for batch in np.array_split(order.permutation(len(x_train)), max(1, len(x_train) // self.batch_size)):
                index = torch.from_numpy(batch)
                optimizer.zero_grad()
                loss_fn(model(x_train[index]), y_train[index]).backward()
                optimizer.step()
            with torch.no_grad():
                loss = float(loss_fn(model(x_val), y_val))
            losses.append(loss)
            if not math.isfinite(loss) or loss > DIVERGENCE_FACTOR * start:
                return _score(None, losses, DIVERGED, f"validation loss {loss:.4g} at epoch {epoch}")
            schedule.step(loss if plateau else None)  # a plateau schedule reads the real validation loss
            if report is not None and report(epoch, loss):
                return _score(loss, losses, PRUNED)
        return _score(losses[-1], losses)


def _score(value: float | None, losses: list[float], status: str = "ok", message: str | None = None) -> Score:
    return Score(value, status, loss_steps=tuple(range(len(losses))), loss=tuple(losses), message=message)


def check_train_steps(curve: CurveSpec) -> None:
    """Refuse a candidate longer than one command may train."""
    if curve.steps > MAX_TRAIN_EPOCHS:
        raise SpecError(
            f"train runs one epoch per step: {curve.steps:,} steps is more than the {MAX_TRAIN_EPOCHS:,} allowed",
            "--steps",
        )


@dataclass(frozen=True)
class UserObjective:
    """``FILE.py:FUNCTION``: the user's own training, given a Schedule, returning a loss."""

    path: str
    function: str
    name: str = "train"
    parallel: bool = True
    note: str | None = None
    fork_safe: bool = False  # the user's code may start threads: its workers start afresh (spawn)

    @classmethod
    def parse(cls, text: str, where: str = "--objective") -> UserObjective:
        """`train.py:objective`, checked: the file exists and defines that function."""
        path, colon, function = text.rpartition(":")
        if not colon or not path or not function.isidentifier():
            raise SpecError(f"expected FILE.py:FUNCTION, got {text!r}", where)
        if not Path(path).is_file():
            raise SpecError(f"no such file {path!r}", where)
        objective = cls(str(Path(path).resolve()), function)
        objective.load(where)
        return objective

    def load(self, where: str = "--objective") -> Callable[[Any], Any]:
        """The user's function (its module executed once per process)."""
        return _load_function(self.path, self.function, where)

    def evaluate(self, curve: CurveSpec, report: Report | None = None) -> Score:
        """Call the user's function with the candidate's Schedule; its exceptions mark the candidate failed."""
        from lrviz.simulation.schedule import Schedule

        try:
            result = self.load()(Schedule(curve))
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - the user's code: one failed candidate, not a crash
            return Score(None, FAILED, message=f"{type(exc).__name__}: {' '.join(str(exc).split())}")
        return _objective_score(result)


def _objective_score(result: Any) -> Score:
    curve: list[float] = []
    if isinstance(result, dict):
        curve = [float(x) for x in result.get("curve", ()) or ()]
        result = result.get("loss")
    try:
        value = float(result)
    except (TypeError, ValueError):
        return Score(None, FAILED, message=f"the objective returned {type(result).__name__}, expected a number")
    if not math.isfinite(value):
        return _score(None, curve, DIVERGED, f"the objective returned {value}")
    return _score(value, curve)


@functools.cache
def _load_function(path: str, function: str, where: str) -> Callable[[Any], Any]:
    name = f"lrviz_objective_{abs(hash(path))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SpecError(f"cannot load {path!r} as Python", where)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so pickling and dataclasses inside it work
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the user's module: report it as bad input
        raise SpecError(f"{Path(path).name} raised {type(exc).__name__}: {' '.join(str(exc).split())}", where) from None
    found = getattr(module, function, None)
    if not callable(found):
        raise SpecError(f"{Path(path).name} defines no function {function!r}", where)
    return found
