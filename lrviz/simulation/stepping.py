"""Step real torch schedulers over a fresh dummy optimizer and record what a training loop sees.

Value convention (DESIGN.md): ``lr[k]`` is the learning rate in effect for the optimizer's k-th
step, read with ``get_last_lr()`` before the k-th ``scheduler.step()``. The loop steps the
scheduler `steps` times after ``optimizer.step()``, as a training loop of `steps` iterations
does, so a scheduler that would raise in such a loop raises here too. The dummy optimizer's
``step()`` does nothing (see :func:`make_optimizer`), so it is called once, not once per step:
tests/test_fast_path.py shows the values equal, exactly, those of a plain ``torch.optim.SGD``
stepped before every ``scheduler.step()``.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lrviz import schedules
from lrviz.errors import ScheduleError, SpecError
from lrviz.schedules import pytorch as registry
from lrviz.spec.model import CurveSpec, SchedulerSpec, Spec, iter_schedulers

if TYPE_CHECKING:
    import torch

DUMMY_MOMENTUM = 0.9  # so schedulers that cycle momentum find a momentum to cycle


@dataclass(frozen=True, eq=False)
class Curve:
    """The simulated values of one CurveSpec."""

    spec: CurveSpec
    lr: np.ndarray  # (steps,) param group 0
    group_lr: np.ndarray  # (groups, steps)
    momentum: np.ndarray | None = None  # (steps,) param group 0, when a scheduler cycles it
    metric: np.ndarray | None = None  # (steps,) what ReduceLROnPlateau was stepped with
    series: tuple[tuple[str, np.ndarray], ...] = ()  # (param, (steps,) values) of the spec's `series:`

    @classmethod
    def from_arrays(
        cls, spec: CurveSpec, group_lr: np.ndarray, momentum: np.ndarray | None = None, metric: np.ndarray | None = None
    ) -> Curve:
        """The Curve of recorded arrays (`lr` is param group 0's row).

        The spec's series are simulated here, so every path that rebuilds a Curve from its LR arrays
        (a worker process, the figure process) has them; a momentum series is the momentum.
        """
        series = ()
        if spec.series:
            from lrviz.spec.series import simulate_series

            series = simulate_series(spec)
            momentum = dict(series).get("momentum", momentum)
        return cls(spec=spec, lr=group_lr[0], group_lr=group_lr, momentum=momentum, metric=metric, series=series)

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def scheduler(self) -> str:
        return self.spec.scheduler.type

    @property
    def steps(self) -> int:
        return self.spec.steps

    @property
    def base_lr(self) -> float:
        return self.spec.lr

    @property
    def group_names(self) -> tuple[str, ...]:
        return self.spec.group_names

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        """The JSON export record of DESIGN.md (more fields may be added, none removed).

        Series are lists of floats; with `arrays`, the numpy arrays themselves (views, no copies:
        what the streaming export writes from).
        """
        spec = self.spec
        series: Callable[[np.ndarray], Any] = (lambda values: values) if arrays else np.ndarray.tolist
        record: dict[str, Any] = {
            "label": spec.label,
            "scheduler": spec.scheduler.type,
            "params": spec.scheduler.to_dict(),
            "base_lr": spec.lr,
            "steps": spec.steps,
            "lr": series(self.lr),
            "momentum": None if self.momentum is None else series(self.momentum),
            "optimizer": spec.optimizer,  # with Adam/AdamW, `momentum` is beta1
        }
        if spec.warmup is not None:
            record["warmup"] = spec.warmup.to_dict()
        if spec.floor is not None:
            record["floor"] = spec.floor.to_dict()
        if spec.steps_per_epoch is not None:
            record["steps_per_epoch"] = spec.steps_per_epoch
        if spec.by_epoch:
            record["by_epoch"] = True
        if spec.param_groups:
            record["param_groups"] = [
                {"name": g.name, "base_lr": g.lr, "lr": series(row)}
                for g, row in zip(spec.param_groups, self.group_lr, strict=True)
            ]
        if self.metric is not None and spec.metric is not None:
            record["metric"] = {"name": spec.metric.name, "source": spec.metric.source, "values": series(self.metric)}
        if self.series:
            record["series"] = {param: series(values) for param, values in self.series}
        if spec.source:
            framework = spec.framework  # a framework's config file: which framework read it
            record["source"] = spec.source if framework is None else {"file": spec.source, "framework": framework}
        if spec.run is not None:
            record["run"] = spec.run.to_dict()
        return record


def cycles_momentum(scheduler: SchedulerSpec) -> bool:
    """Whether any scheduler in the tree cycles (or, for a framework schedule, sets) the optimizer's momentum."""
    for s in iter_schedulers(scheduler):
        info = registry.resolve(s.type)
        if info.framework is not None and info.framework.sets_momentum(s.kwargs):
            return True
        if info.kind.cycles_momentum and s.kwargs.get("cycle_momentum", True):
            return True
    return False


def make_optimizer(group_lrs: tuple[float, ...], optimizer: str = "SGD") -> torch.optim.Optimizer:
    """A fresh dummy optimizer (a real ``torch.optim.SGD``, ``Adam`` or ``AdamW``) with one
    one-element parameter per group; SGD with momentum 0.9, Adam(W) with torch's default betas.

    A fresh one per curve: a shared optimizer leaks `initial_lr` from one scheduler to the next.
    """
    import torch

    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in group_lrs]
    if optimizer == "SGD":
        return _dummy_optimizer_class()(groups, lr=group_lrs[0], momentum=DUMMY_MOMENTUM)
    return _dummy_optimizer_class(optimizer)(groups, lr=group_lrs[0])


def momentum_reader(optimizer: torch.optim.Optimizer) -> Callable[[], float]:
    """Reads param group 0's momentum: `momentum` (SGD), or beta1 (Adam, AdamW)."""
    group = optimizer.param_groups[0]
    if "betas" in group:
        return lambda: group["betas"][0]
    return lambda: group["momentum"]


@functools.cache
def _dummy_optimizer_class(base: str = "SGD") -> type[torch.optim.Optimizer]:
    """``torch.optim.SGD`` (or `base`: Adam, AdamW) minus the machinery a parameter without
    gradients never uses.

    Schedulers only read and write ``param_groups`` (built by SGD's own ``__init__``, so the
    groups hold exactly SGD's keys and defaults) and check that ``step()`` ran. Two things are
    left out, both invisible to a scheduler:

    * ``add_param_group`` without its ``torch._disable_dynamo`` wrapper, whose first call
      imports torch's compiler stack (``torch._dynamo``, about 0.8 s) to guard against
      ``torch.compile`` tracing it; nothing here is compiled.
    * ``step()`` does nothing (SGD's step skips parameters without a gradient, which ours all
      are) and is marked ``hooked`` so ``Optimizer`` does not wrap it in a profiler record per
      call (SGD's step costs ~12 µs a call, this one well under 1 µs).
    """
    import torch

    class DummyOptimizer(getattr(torch.optim, base)):  # type: ignore[misc]
        add_param_group = getattr(torch.optim.Optimizer.add_param_group, "__wrapped__", None) or (
            torch.optim.Optimizer.add_param_group
        )

        def step(self, closure: Any = None) -> None:  # type: ignore[override]
            """Nothing to update: no parameter has a gradient."""
            return None

        step.hooked = True  # type: ignore[attr-defined]

    return DummyOptimizer


def build_torch_scheduler(optimizer: torch.optim.Optimizer, spec: SchedulerSpec) -> Any:
    """The torch scheduler `spec` describes, over `optimizer` (children built on it first)."""
    from torch.optim import lr_scheduler

    kwargs = {key: list(value) if isinstance(value, tuple) else value for key, value in spec.params}
    if schedules.is_framework_name(spec.type):
        return _build_framework_scheduler(optimizer, spec, kwargs)
    cls = getattr(lr_scheduler, spec.type)
    kind = registry.resolve(spec.type).kind
    try:
        if not kind.composite:
            return cls(optimizer, **kwargs)
        children = [build_torch_scheduler(optimizer, child) for child in spec.children]
        return cls(children, optimizer=optimizer) if kind.chained else cls(optimizer, schedulers=children, **kwargs)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, RuntimeError) as exc:
        if isinstance(exc, ScheduleError):
            raise
        raise ScheduleError(f"torch rejected {spec.describe()}: {_one_line(exc)}") from None


def _build_framework_scheduler(optimizer: torch.optim.Optimizer, spec: SchedulerSpec, kwargs: dict[str, Any]) -> Any:
    schedule = registry.resolve(spec.type).framework
    try:
        return schedule.build(optimizer, kwargs)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError) as exc:
        raise ScheduleError(f"{spec.type} cannot be built: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


Progress = Callable[[int], None]
"""Called with the number of steps just simulated (in chunks, never per step)."""

PROGRESS_CHUNK = 1 << 14  # steps between progress calls: rare enough to cost nothing


def simulate_curve(curve: CurveSpec, progress: Progress | None = None) -> Curve:
    """Step a real torch scheduler `curve.steps` times and record the LRs (and momentum)."""
    optimizer = make_optimizer(curve.group_lrs, curve.optimizer)
    where = curve.locator.child("scheduler").where() if curve.locator is not None else None
    try:
        with warnings.catch_warnings():
            # A nested SequentialLR steps its children while being built, before any optimizer step,
            # and torch mistakes that for a training loop calling them in the wrong order.
            warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler.step\(\)` before")
            scheduler = build_torch_scheduler(optimizer, curve.scheduler)
    except ScheduleError as exc:  # name the scheduler's flags or YAML key, as every error does
        raise ScheduleError(exc.message, exc.where or where) from None
    group_lr = np.empty((len(curve.group_lrs), curve.steps), dtype=np.float64)
    momentum = np.empty(curve.steps, dtype=np.float64) if cycles_momentum(curve.scheduler) else None
    metric = None
    if curve.metric is not None:
        metric = np.asarray(curve.metric.values[: curve.steps], dtype=np.float64)
    # A warmup in shift mode starts the schedule late: the scheduler fills the steps after it.
    shift = min(curve.warmup.shifts, curve.steps) if curve.warmup is not None else 0
    scheduled = (group_lr[:, shift:], None if momentum is None else momentum[shift:])
    scheduled_metric = None if metric is None else metric[shift:]
    # The dummy's step() does nothing, so one call (before the first scheduler.step(), which is
    # when torch checks the order) is the same as one per step, at 0.3 µs less per step.
    optimizer.step()
    if curve.by_epoch and curve.steps_per_epoch:
        # stepped once per epoch: simulate one value per epoch, then hold it for the epoch's steps
        epoch_lr, epoch_momentum, epoch_metric = _epoch_series(curve.steps_per_epoch, *scheduled, scheduled_metric)
        _step_run(curve, scheduler, epoch_lr, epoch_momentum, epoch_metric, where, None)
        _hold_per_epoch(curve.steps_per_epoch, epoch_lr, epoch_momentum, scheduled)
        if progress is not None:
            progress(curve.steps - shift)
    else:
        _step_run(curve, scheduler, *scheduled, scheduled_metric, where, progress)
    if progress is not None and shift:
        progress(shift)
    if curve.floor is not None:
        curve.floor.apply(group_lr[:, shift:], curve.group_lrs)
    if curve.warmup is not None:
        if momentum is not None and shift:
            momentum[:shift] = momentum[shift] if shift < curve.steps else DUMMY_MOMENTUM
        curve.warmup.apply(group_lr, curve.group_lrs)
    return Curve.from_arrays(curve, group_lr, momentum, metric)


def _step_run(
    curve: CurveSpec,
    scheduler: Any,
    group_lr: np.ndarray,
    momentum: np.ndarray | None,
    metric: np.ndarray | None,
    where: str | None,
    progress: Progress | None,
) -> None:
    """One scheduler.step() per column of `group_lr`, in chunks that report progress."""
    steps = group_lr.shape[1]
    for start in range(0, steps, PROGRESS_CHUNK):
        stop = min(start + PROGRESS_CHUNK, steps)
        last = stop == steps  # the run's last scheduler.step() computes a value no step uses
        _step(curve, scheduler, start, stop - last, group_lr, momentum, metric, where)
        if last:
            # an lr_lambda that stops at the run (sqrt(1 - epoch/N)) fails only on that unused value
            with contextlib.suppress(SpecError):
                _step(curve, scheduler, stop - 1, stop, group_lr, momentum, metric, where)
        if progress is not None:
            progress(stop - start)


def _epoch_series(
    per_epoch: int, group_lr: np.ndarray, momentum: np.ndarray | None, metric: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Arrays of one value per epoch for a scheduler stepped once per epoch (mmengine `by_epoch`,
    torchvision detection), and the metric it is stepped with: the last value of each epoch."""
    epochs = -(-group_lr.shape[1] // per_epoch)
    epoch_lr = np.empty((len(group_lr), epochs), dtype=np.float64)
    epoch_momentum = None if momentum is None else np.empty(epochs, dtype=np.float64)
    epoch_metric = None
    if metric is not None:
        epoch_metric = metric[np.minimum(np.arange(1, epochs + 1) * per_epoch, len(metric)) - 1]
    return epoch_lr, epoch_momentum, epoch_metric


def _hold_per_epoch(per_epoch: int, epoch_lr: np.ndarray, epoch_momentum: np.ndarray | None, scheduled: tuple) -> None:
    """Each epoch's value into its `per_epoch` optimizer steps: e*N .. e*N+N-1."""
    group_lr, momentum = scheduled
    group_lr[:] = np.repeat(epoch_lr, per_epoch, axis=1)[:, : group_lr.shape[1]]
    if momentum is not None and epoch_momentum is not None:
        momentum[:] = np.repeat(epoch_momentum, per_epoch)[: len(momentum)]


def _step(
    curve: CurveSpec,
    scheduler: Any,
    start: int,
    stop: int,
    group_lr: np.ndarray,
    momentum: np.ndarray | None,
    metric: np.ndarray | None,
    where: str | None = None,
) -> None:
    """Steps `start`..`stop`-1 of the training loop, each value written into its preallocated slot.

    The common cases (one group, no metric) have loops of their own: they are the ones that run
    for millions of steps, and each branch or slice costs a measurable share of a 3 µs step.
    """
    get_last_lr = scheduler.get_last_lr
    scheduler_step = scheduler.step
    read_momentum = momentum_reader(scheduler.optimizer)
    k = start
    try:
        if len(group_lr) == 1 and metric is None:
            lr = group_lr[0]
            if momentum is None:
                for k in range(start, stop):
                    lr[k] = get_last_lr()[0]
                    scheduler_step()
            else:
                for k in range(start, stop):
                    lr[k] = get_last_lr()[0]
                    momentum[k] = read_momentum()
                    scheduler_step()
        else:
            rows = list(group_lr)
            for k in range(start, stop):
                for row, value in zip(rows, get_last_lr(), strict=True):
                    row[k] = value
                if momentum is not None:
                    momentum[k] = read_momentum()
                if metric is not None:
                    scheduler_step(metric[k])
                else:
                    scheduler_step()
    except (ValueError, ZeroDivisionError, OverflowError, NotImplementedError, TypeError) as exc:
        raise ScheduleError(
            f"{curve.scheduler.type} fails on the scheduler.step() after optimizer step {k}: {_one_line(exc)}"
            f" ({curve.label})",
            where,
        ) from None


def require_finite(curve: Curve) -> Curve:
    """`curve`, or a ScheduleError when torch's LR overflows to inf/NaN (nothing can plot or export it)."""
    finite = np.isfinite(curve.group_lr).all(axis=0)
    if not finite.all():
        first = int(np.argmin(finite))
        value = curve.group_lr[:, first][~np.isfinite(curve.group_lr[:, first])][0]
        where = curve.spec.locator.child("scheduler").where() if curve.spec.locator is not None else None
        raise ScheduleError(
            f"the LR of {curve.label} is {value} from step {first}: torch's value overflows "
            "(a factor above 1 compounds every step); `lrviz check` shows the details",
            where,
        )
    return curve


def simulate(spec: Spec | str | Any, progress: Progress | None = None, workers: int | None = None) -> list[Curve]:
    """Every curve of a Spec (or of a YAML file's path), simulated with real torch schedulers.

    `progress`, when given, is called with each chunk of steps done (of ``total_steps(spec)``).
    `workers`: processes for a sweep; None picks by size (see :mod:`lrviz.simulation.parallel`), 1 never forks.
    Raises the spec's first problem (what torch would refuse, see ``Spec.problems``) as a SpecError,
    and ScheduleError when torch cannot run a curve or its LR is not finite.
    """
    if not isinstance(spec, Spec):
        from lrviz.pipeline import load

        spec = load(spec)
    spec.raise_first_problem()
    from lrviz.simulation import parallel

    count = parallel.worker_count(spec, workers)
    if count > 1:
        return [require_finite(curve) for curve in parallel.simulate_parallel(spec, count, progress)]
    return [require_finite(simulate_curve(curve, progress)) for curve in spec.curves]


def total_steps(spec: Spec) -> int:
    """How many scheduler steps simulating `spec` takes: the unit of `progress`."""
    return sum(curve.steps for curve in spec.curves)
