"""A schedule that drives any optimizer: the values `lrviz.simulate` records, on a real training loop.

``Schedule(curve).build(optimizer)`` builds the curve's real torch scheduler on the user's
optimizer (through :func:`lrviz.simulation.stepping.build_torch_scheduler`, the code the simulation runs)
and returns a :class:`ScheduleDriver` whose ``step()`` a training loop calls after each
``optimizer.step()``. Before the k-th optimizer step every param group's LR is exactly
``simulate(...)[i].group_lr[:, k]``, warmup included.

Warmup (any style of :mod:`lrviz.spec.warmup`) is applied step by step on the optimizer: before each
``scheduler.step()`` the driver puts back the torch scheduler's own value, because chainable
schedulers (ExponentialLR, ReduceLROnPlateau, ...) compute the next LR from the optimizer's current
one, and a warmup left in place would compound into them. A warmup in shift mode holds the
scheduler back until the warmup ends.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from lrviz.errors import ScheduleError, SpecError
from lrviz.schedules import pytorch as registry
from lrviz.spec.model import CurveSpec

if TYPE_CHECKING:
    import torch


class ScheduleDriver:
    """A built schedule: call ``step()`` after every ``optimizer.step()``, as with a torch scheduler."""

    def __init__(self, curve: CurveSpec, optimizer: torch.optim.Optimizer) -> None:
        from lrviz.simulation.stepping import build_torch_scheduler

        _prepare_groups(curve, optimizer)
        with warnings.catch_warnings():
            # A nested SequentialLR steps its children while being built, before any optimizer step.
            warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler.step\(\)` before")
            self.scheduler = build_torch_scheduler(optimizer, curve.scheduler)
        self.optimizer = optimizer
        self.curve = curve
        # stepped with a validation metric: torch's ReduceLROnPlateau and the frameworks' plateaus
        self.metric_driven = registry.resolve(curve.scheduler.type).kind.metric_driven
        self.step_count = 0  # optimizer steps the schedule has been stepped past
        self._apply_warmup()

    def _scheduler_lrs(self) -> list[float]:
        return [float(lr) for lr in self.scheduler.get_last_lr()]

    def _apply_warmup(self) -> None:
        """Set the optimizer's LRs to the scheduler's, lifted onto the floor and warmed up."""
        warmup, floor = self.curve.warmup, self.curve.floor
        warming = warmup is not None and self.step_count < warmup.length
        if not warming and floor is None:
            return
        import numpy as np

        k = np.array([self.step_count], dtype=np.float64)
        bases = self.curve.group_lrs
        for group, lr, base in zip(self.optimizer.param_groups, self._scheduler_lrs(), bases, strict=True):
            value = np.array([lr if floor is None else floor.lifted(lr, base)])
            group["lr"] = float(warmup.warmed(k, value, base)[0] if warming else value[0])

    def step(self, metric: float | None = None) -> None:
        """Advance one optimizer step. A metric-driven schedule (ReduceLROnPlateau, hf:reduce_lr_on_plateau,
        timm:plateau, ...) takes `metric` (default: the spec's metric)."""
        warmup = self.curve.warmup
        if warmup is not None or self.curve.floor is not None:
            for group, lr in zip(self.optimizer.param_groups, self._scheduler_lrs(), strict=True):
                group["lr"] = lr
        if self._steps_scheduler():
            if self.metric_driven:
                if metric is None:
                    metric = self._spec_metric()
                self.scheduler.step(metric)
            else:
                self.scheduler.step()
        self.step_count += 1
        self._apply_warmup()

    def _steps_scheduler(self) -> bool:
        """Whether this optimizer step ends in a scheduler.step(): not during a shift-mode warmup
        (the schedule starts after it), and for a by-epoch scheduler only at the end of an epoch."""
        warmup = self.curve.warmup
        first = warmup.shifts if warmup is not None else 0
        if self.step_count < first:
            return False
        per_epoch = self.curve.steps_per_epoch if self.curve.by_epoch else None
        return not per_epoch or (self.step_count + 1 - first) % per_epoch == 0

    def _spec_metric(self) -> float:
        spec_metric = self.curve.metric
        if spec_metric is None or self.step_count >= len(spec_metric.values):
            raise ScheduleError(
                f"{self.curve.scheduler.type} needs a metric: call step(metric) with the validation loss"
            )
        return spec_metric.values[self.step_count]

    def get_last_lr(self) -> list[float]:
        """The LR of every param group for the next optimizer step (warmup included)."""
        return [float(group["lr"]) for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The torch scheduler's state and the step count (for checkpoints)."""
        return {"scheduler": self.scheduler.state_dict(), "step_count": self.step_count}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Resume from :meth:`state_dict` (load the optimizer's state first, as torch's docs do)."""
        self.scheduler.load_state_dict(state["scheduler"])
        self.step_count = state["step_count"]
        self._apply_warmup()


def _prepare_groups(curve: CurveSpec, optimizer: torch.optim.Optimizer) -> None:
    """Give the optimizer's param groups the spec's base LRs, and forget any earlier scheduler's."""
    groups = optimizer.param_groups
    lrs = curve.group_lrs
    if curve.param_groups and len(groups) != len(lrs):
        raise SpecError(
            f"the spec has {len(lrs)} param groups ({', '.join(curve.group_names)}), the optimizer {len(groups)}",
            "param_groups",
        )
    for index, group in enumerate(groups):
        group["lr"] = lrs[index] if curve.param_groups else lrs[0]
        # torch keeps `initial_lr` from an earlier scheduler (setdefault) and would start from it
        group.pop("initial_lr", None)


class Schedule:
    """One curve of a Spec as a schedule for a real training loop.

    ``schedule.build(optimizer)`` sets the optimizer's LRs to the spec's and returns a driver;
    ``schedule.steps`` is how many optimizer steps the curve describes.
    """

    def __init__(self, curve: CurveSpec) -> None:
        self.curve = curve

    @classmethod
    def from_spec(cls, spec: Any, index: int = 0) -> Schedule:
        """The schedule of curve `index` of a Spec (or of a YAML path)."""
        from lrviz.spec.model import Spec

        if not isinstance(spec, Spec):
            from lrviz.spec.yamlfile import load_spec_file

            spec = load_spec_file(str(spec))
        return cls(spec.curves[index])

    @property
    def steps(self) -> int:
        return self.curve.steps

    @property
    def base_lr(self) -> float:
        return self.curve.lr

    @property
    def label(self) -> str:
        return self.curve.label

    def build(self, optimizer: torch.optim.Optimizer) -> ScheduleDriver:
        """The real torch scheduler of this curve on `optimizer`, wrapped to apply warmup."""
        return ScheduleDriver(self.curve, optimizer)

    def __repr__(self) -> str:
        return f"Schedule({self.curve.scheduler.describe()}, lr={self.curve.lr:g}, steps={self.curve.steps})"
