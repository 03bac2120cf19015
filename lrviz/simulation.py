"""Step real torch schedulers over a fresh dummy optimizer and record what a training loop sees.

Value convention (DESIGN.md): ``lr[k]`` is the learning rate in effect for the optimizer's k-th
step, read with ``get_last_lr()`` before the k-th ``scheduler.step()``. The loop calls
``optimizer.step()`` then ``scheduler.step()`` `steps` times, as a training loop of `steps`
iterations does, so a scheduler that would raise in such a loop raises here too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lrviz.errors import ScheduleError
from lrviz.spec import CurveSpec, SchedulerSpec, Spec, iter_schedulers

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
    extra: dict[str, Any] = field(default_factory=dict)

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

    def to_dict(self) -> dict[str, Any]:
        """The JSON export record of DESIGN.md (more fields may be added, none removed)."""
        spec = self.spec
        record: dict[str, Any] = {
            "label": spec.label,
            "scheduler": spec.scheduler.type,
            "params": spec.scheduler.to_dict(),
            "base_lr": spec.lr,
            "steps": spec.steps,
            "lr": self.lr.tolist(),
            "momentum": None if self.momentum is None else self.momentum.tolist(),
        }
        if spec.warmup is not None:
            record["warmup"] = {
                "steps": spec.warmup.steps,
                "factor": spec.warmup.factor,
                "method": spec.warmup.method,
            }
        if spec.param_groups:
            record["param_groups"] = [
                {"name": g.name, "base_lr": g.lr, "lr": row.tolist()}
                for g, row in zip(spec.param_groups, self.group_lr, strict=True)
            ]
        if self.metric is not None and spec.metric is not None:
            record["metric"] = {"name": spec.metric.name, "source": spec.metric.source, "values": self.metric.tolist()}
        if spec.source:
            record["source"] = spec.source
        return record


def cycles_momentum(scheduler: SchedulerSpec) -> bool:
    """Whether any scheduler in the tree cycles the optimizer's momentum."""
    return any(
        s.type in ("OneCycleLR", "CyclicLR") and s.kwargs.get("cycle_momentum", True)
        for s in iter_schedulers(scheduler)
    )


def make_optimizer(group_lrs: tuple[float, ...]) -> torch.optim.Optimizer:
    """A fresh SGD optimizer with one one-element parameter per param group.

    A fresh one per curve: a shared optimizer leaks `initial_lr` from one scheduler to the next.
    """
    import torch

    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in group_lrs]
    return torch.optim.SGD(groups, lr=group_lrs[0], momentum=DUMMY_MOMENTUM)


def build_torch_scheduler(optimizer: torch.optim.Optimizer, spec: SchedulerSpec) -> Any:
    """The torch scheduler `spec` describes, over `optimizer` (children built on it first)."""
    from torch.optim import lr_scheduler

    cls = getattr(lr_scheduler, spec.type)
    kwargs = {key: list(value) if isinstance(value, tuple) else value for key, value in spec.params}
    try:
        if spec.type == "SequentialLR":
            children = [build_torch_scheduler(optimizer, child) for child in spec.children]
            return cls(optimizer, schedulers=children, **kwargs)
        if spec.type == "ChainedScheduler":
            children = [build_torch_scheduler(optimizer, child) for child in spec.children]
            return cls(children, optimizer=optimizer)
        return cls(optimizer, **kwargs)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, RuntimeError) as exc:
        if isinstance(exc, ScheduleError):
            raise
        raise ScheduleError(f"torch rejected {spec.describe()}: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def simulate_curve(curve: CurveSpec) -> Curve:
    """Step a real torch scheduler `curve.steps` times and record the LRs (and momentum)."""
    optimizer = make_optimizer(curve.group_lrs)
    where = curve.locator.child("scheduler").where() if curve.locator is not None else None
    try:
        with warnings.catch_warnings():
            # A nested SequentialLR steps its children while being built, before any optimizer step,
            # and torch mistakes that for a training loop calling them in the wrong order.
            warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler.step\(\)` before")
            scheduler = build_torch_scheduler(optimizer, curve.scheduler)
    except ScheduleError as exc:  # name the scheduler's flags or YAML key, as every error does
        raise ScheduleError(exc.message, exc.where or where) from None
    steps = curve.steps
    group_lr = np.empty((len(curve.group_lrs), steps), dtype=np.float64)
    momentum = np.empty(steps, dtype=np.float64) if cycles_momentum(curve.scheduler) else None
    metric = None
    if curve.metric is not None:
        metric = np.asarray(curve.metric.values[:steps], dtype=np.float64)
    first_group = optimizer.param_groups[0]
    for k in range(steps):
        group_lr[:, k] = scheduler.get_last_lr()
        if momentum is not None:
            momentum[k] = first_group["momentum"]
        optimizer.step()
        try:
            if metric is not None:
                scheduler.step(metric[k])
            else:
                scheduler.step()
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ScheduleError(
                f"{curve.scheduler.type} fails on the scheduler.step() after optimizer step {k}: {_one_line(exc)}"
                f" ({curve.label})",
                where,
            ) from None
    if curve.warmup is not None:
        factors = np.array([curve.warmup.factor_at(k) for k in range(min(steps, curve.warmup.steps))])
        group_lr[:, : len(factors)] *= factors
    return Curve(spec=curve, lr=group_lr[0], group_lr=group_lr, momentum=momentum, metric=metric)


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


def simulate(spec: Spec | str | Any) -> list[Curve]:
    """Every curve of a Spec (or of a YAML file's path), simulated with real torch schedulers.

    Raises ScheduleError when torch cannot run a curve or its LR is not finite.
    """
    if not isinstance(spec, Spec):
        from lrviz.yamlspec import load_spec_file

        spec = load_spec_file(str(spec))
    return [require_finite(simulate_curve(curve)) for curve in spec.curves]
