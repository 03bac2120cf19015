"""mmengine's parameter schedulers and the runner's stepping of them, operation for operation.

mmengine's schedulers are *chainable*: each step rescales the param group's current value, so the
LR depends on every scheduler active before it, on the order they were built in and on when the
runner steps them. Exactness therefore needs mmengine's own recurrences, replayed here on a plain
dict standing for one param group (``mmengine/optim/scheduler/param_scheduler.py``, v0.10.7), and
the runner's order (``ParamSchedulerHook``): after every iteration the iteration-based schedulers
step in list order; after the last iteration of an epoch the epoch-based ones step, then (after
validation) ``ReduceOnPlateau`` with the metric. Pure Python; torch only in :func:`build_torch`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

INF = int(1e9)  # mmengine's INF: the default `end`, and ReduceOnPlateau's initial "worst" metric


class ParamScheduler:
    """mmengine's ``_ParamScheduler`` on one param group: the window [begin, end) and the counters."""

    def __init__(self, group: dict[str, Any], param_name: str, begin: int, end: int, by_epoch: bool) -> None:
        if end <= begin:
            raise ValueError(f"end should be larger than begin, but got begin={begin}, end={end}")
        self.group, self.param_name, self.begin, self.end, self.by_epoch = group, param_name, begin, end, by_epoch
        group.setdefault(f"initial_{param_name}", group[param_name])
        self.base_value = group[f"initial_{param_name}"]
        self.last_step = -1
        self._global_step = -1
        self.step()

    @property
    def value(self) -> float:
        return self.group[self.param_name]

    def step(self) -> None:
        """One runner step: inside the window, the next value of the chain."""
        self._global_step += 1
        if self.begin <= self._global_step < self.end:
            self.last_step += 1
            self.group[self.param_name] = self.get_value()

    def get_value(self) -> float:
        raise NotImplementedError


class StepScheduler(ParamScheduler):
    def __init__(self, group, param_name, step_size, gamma=0.1, **window):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(group, param_name, **window)

    def get_value(self):
        if (self.last_step == 0) or (self.last_step % self.step_size != 0):
            return self.value
        return self.value * self.gamma


class MultiStepScheduler(ParamScheduler):
    def __init__(self, group, param_name, milestones, gamma=0.1, **window):
        self.milestones, self.gamma = Counter(milestones), gamma
        super().__init__(group, param_name, **window)

    def get_value(self):
        if self.last_step not in self.milestones:
            return self.value
        return self.value * self.gamma ** self.milestones[self.last_step]


class ConstantScheduler(ParamScheduler):
    def __init__(self, group, param_name, factor=1.0 / 3, **window):
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor should between 0 and 1.")
        self.factor = factor
        self.total_iters = window["end"] - window["begin"] - 1
        super().__init__(group, param_name, **window)

    def get_value(self):
        if self.last_step == 0:
            return self.value * self.factor
        if self.last_step > self.total_iters or (self.last_step != self.total_iters):
            return self.value
        return self.value * (1.0 / self.factor)


class ExponentialScheduler(ParamScheduler):
    def __init__(self, group, param_name, gamma, **window):
        self.gamma = gamma
        super().__init__(group, param_name, **window)

    def get_value(self):
        if self.last_step == 0:
            return self.value
        return self.value * self.gamma


class CosineAnnealingScheduler(ParamScheduler):
    def __init__(self, group, param_name, T_max=None, eta_min=None, eta_min_ratio=None, **window):  # noqa: N803
        if eta_min is None and eta_min_ratio is None:
            eta_min = 0.0
        if not ((eta_min is None) ^ (eta_min_ratio is None)):
            raise ValueError("Either `eta_min` or `eta_min_ratio should be specified")
        self.T_max = T_max or (window["end"] - window["begin"])
        self.eta_min, self.eta_min_ratio = eta_min, eta_min_ratio
        super().__init__(group, param_name, **window)

    def _eta_min(self, base_value):
        return self.eta_min if self.eta_min_ratio is None else base_value * self.eta_min_ratio

    def get_value(self):
        base = self.base_value
        if self.last_step == 0:
            return self.value
        if (self.last_step - 1 - self.T_max) % (2 * self.T_max) == 0:
            return self.value + (base - self._eta_min(base)) * (1 - math.cos(math.pi / self.T_max)) / 2
        return (1 + math.cos(math.pi * self.last_step / self.T_max)) / (
            1 + math.cos(math.pi * (self.last_step - 1) / self.T_max)
        ) * (self.value - self._eta_min(base)) + self._eta_min(base)


class LinearScheduler(ParamScheduler):
    def __init__(self, group, param_name, start_factor=1.0 / 3, end_factor=1.0, **window):
        if start_factor > 1.0 or start_factor < 0:
            raise ValueError("Starting multiplicative factor should between 0 and 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor should between 0 and 1.")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = window["end"] - window["begin"] - 1
        super().__init__(group, param_name, **window)

    def get_value(self):
        if self.last_step == 0:
            return self.value * self.start_factor
        return self.value * (
            1.0
            + (self.end_factor - self.start_factor)
            / (self.total_iters * self.start_factor + (self.last_step - 1) * (self.end_factor - self.start_factor))
        )


class PolyScheduler(ParamScheduler):
    def __init__(self, group, param_name, eta_min=0, power=1.0, **window):
        self.eta_min, self.power = eta_min, power
        self.total_iters = window["end"] - window["begin"] - 1
        super().__init__(group, param_name, **window)

    def get_value(self):
        if self.last_step == 0:
            return self.value
        return (self.value - self.eta_min) * (1 - 1 / (self.total_iters - self.last_step + 1)) ** self.power + (
            self.eta_min
        )


class OneCycleScheduler(ParamScheduler):
    def __init__(
        self,
        group,
        param_name,
        eta_max=0,
        total_steps=None,
        pct_start=0.3,
        anneal_strategy="cos",
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
        **window,
    ):
        if total_steps is not None and total_steps <= 0:
            raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
        self.total_steps = total_steps if total_steps is not None else window["end"] - window["begin"]
        if pct_start < 0 or pct_start > 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        self.anneal = _annealing_cos if anneal_strategy == "cos" else _annealing_linear
        up_end = float(pct_start * self.total_steps) - 1
        p = param_name
        if three_phase:
            self.phases = [
                (up_end, f"initial_{p}", f"max_{p}"),
                (float(2 * pct_start * self.total_steps) - 2, f"max_{p}", f"initial_{p}"),
                (self.total_steps - 1, f"initial_{p}", f"min_{p}"),
            ]
        else:
            self.phases = [(up_end, f"initial_{p}", f"max_{p}"), (self.total_steps - 1, f"max_{p}", f"min_{p}")]
        group[f"initial_{p}"] = eta_max / div_factor
        group[f"max_{p}"] = eta_max
        group[f"min_{p}"] = group[f"initial_{p}"] / final_div_factor
        super().__init__(group, param_name, **window)

    def get_value(self):
        step_num = self.last_step
        if step_num > self.total_steps:
            raise ValueError(
                f"Tried to step {step_num + 1} times. The specified number of total steps is {self.total_steps}"
            )
        start_step = 0
        for i, (end_step, start_key, end_key) in enumerate(self.phases):
            if step_num <= end_step or i == len(self.phases) - 1:
                pct = (step_num - start_step) / (end_step - start_step)
                return self.anneal(self.group[start_key], self.group[end_key], pct)
            start_step = end_step
        raise AssertionError("unreachable: the last phase always matches")


def _annealing_cos(start, end, pct):
    cos_out = math.cos(math.pi * pct) + 1
    return end + (start - end) / 2.0 * cos_out


def _annealing_linear(start, end, pct):
    return (end - start) * pct + start


class CosineRestartScheduler(ParamScheduler):
    def __init__(self, group, param_name, periods, restart_weights=(1,), eta_min=None, eta_min_ratio=None, **window):
        if not ((eta_min is None) ^ (eta_min_ratio is None)):
            raise ValueError("Either `eta_min` or `eta_min_ratio` should be specified")
        if len(periods) != len(restart_weights):
            raise ValueError("periods and restart_weights should have the same length.")
        self.periods, self.restart_weights = list(periods), list(restart_weights)
        self.eta_min, self.eta_min_ratio = eta_min, eta_min_ratio
        self.cumulative_periods = [sum(self.periods[0 : i + 1]) for i in range(0, len(self.periods))]
        super().__init__(group, param_name, **window)

    def get_value(self):
        idx = next((i for i, period in enumerate(self.cumulative_periods) if self.last_step < period), None)
        if idx is None:
            return self.value
        current_weight = self.restart_weights[idx]
        nearest_restart = 0 if idx == 0 else self.cumulative_periods[idx - 1]
        current_periods = self.periods[idx]
        step = self.last_step - nearest_restart
        eta_max = self.base_value * current_weight
        eta_min = self.eta_min if self.eta_min_ratio is None else self.base_value * self.eta_min_ratio
        if step == 0:
            return eta_max
        return (1 + math.cos(math.pi * step / current_periods)) / (
            1 + math.cos(math.pi * (step - 1) / current_periods)
        ) * (self.value - eta_min) + eta_min


class ReduceOnPlateauScheduler:
    """mmengine's ``ReduceOnPlateauParamScheduler``: no step at construction; `step()` only counts,
    `step(metric)` (after validation) compares and reduces."""

    by_epoch = True

    def __init__(
        self,
        group,
        param_name,
        monitor="loss",
        rule="less",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_rule="rel",
        cooldown=0,
        min_value=0.0,
        eps=1e-8,
        begin=0,
        end=INF,
        by_epoch=True,
    ):
        if end <= begin:
            raise ValueError(f"end should be larger than begin, but got begin={begin}, end={end}")
        if not by_epoch:
            raise ValueError("ReduceOnPlateauLR only support by_epoch=True")
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        if threshold < 0:
            raise ValueError(f"threshold {threshold} should be >= 0.")
        self.group, self.param_name, self.begin, self.end = group, param_name, begin, end
        group.setdefault(f"initial_{param_name}", group[param_name])
        self.factor, self.patience, self.cooldown, self.eps = factor, patience, cooldown, eps
        self.min_value, self.rule, self.threshold, self.threshold_rule = min_value, rule, threshold, threshold_rule
        self.last_step, self._global_step = -1, 0
        self.best = INF if rule == "less" else -INF
        self.num_bad_epochs = self.cooldown_counter = 0

    def step(self, metric: float | None = None) -> None:
        """Without a metric (after a training epoch) count; with one (after validation) judge it."""
        if metric is None:
            self._global_step += 1
            return
        if not (self.begin <= self._global_step < self.end):
            return
        self.last_step += 1
        if self._is_better(metric, self.best):
            self.best, self.num_bad_epochs = metric, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            value = max(float(self.group[self.param_name]) * self.factor, self.min_value)
            if self.group[self.param_name] - value > self.eps:
                self.group[self.param_name] = value
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0

    def _is_better(self, a, best):
        if self.rule == "less" and self.threshold_rule == "rel":
            return a < best * (1.0 - self.threshold)
        if self.rule == "less" and self.threshold_rule == "abs":
            return a < best - self.threshold
        if self.rule == "greater" and self.threshold_rule == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold


# type -> (class, fields build_iter_from_epoch multiplies by the epoch length)
SCHEDULERS: dict[str, tuple[type, tuple[str, ...]]] = {
    "ConstantLR": (ConstantScheduler, ()),
    "CosineAnnealingLR": (CosineAnnealingScheduler, ("T_max",)),
    "CosineRestartLR": (CosineRestartScheduler, ("periods",)),
    "ExponentialLR": (ExponentialScheduler, ()),
    "LinearLR": (LinearScheduler, ()),
    "MultiStepLR": (MultiStepScheduler, ("milestones",)),
    "OneCycleLR": (OneCycleScheduler, ("total_steps",)),
    "PolyLR": (PolyScheduler, ()),
    "StepLR": (StepScheduler, ("step_size",)),
    "ReduceOnPlateauLR": (ReduceOnPlateauScheduler, ()),
}
MOMENTUM_SCHEDULERS = {
    f"{name[: -len('LR')]}Momentum": entry
    for name, entry in SCHEDULERS.items()
    if name not in ("OneCycleLR",)  # mmengine has no OneCycleMomentum (OneCycle asserts param_name == 'lr')
}


def param_name_of(type_name: str) -> str:
    """The param-group key a scheduler type sets: ``lr`` or ``momentum``."""
    return "momentum" if type_name.endswith("Momentum") else "lr"


def iter_based(kwargs: Mapping[str, Any], scaled: Sequence[str], epoch_length: int) -> dict[str, Any]:
    """mmengine's ``build_iter_from_epoch``: an epoch-based config in iterations."""
    converted = dict(kwargs, by_epoch=False)
    for name in scaled:
        value = converted.get(name)
        if isinstance(value, (list, tuple)):
            converted[name] = [item * epoch_length for item in value]
        elif value is not None:
            converted[name] = value * epoch_length
    converted["begin"] = int(converted.get("begin", 0) * epoch_length)
    end = converted.get("end", INF)
    if end != INF:
        converted["end"] = int(end * epoch_length)
    return converted


def build(type_name: str, kwargs: Mapping[str, Any], group: dict[str, Any], epoch_length: int) -> Any:
    """One scheduler on `group`, as ``PARAM_SCHEDULERS.build`` makes it (converted when asked)."""
    cls, scaled = {**SCHEDULERS, **MOMENTUM_SCHEDULERS}[type_name]
    kwargs = {"begin": 0, "end": INF, "by_epoch": True, **kwargs}  # mmengine's window defaults
    if kwargs.pop("convert_to_iter_based", False):
        if not kwargs.get("by_epoch", True):
            raise ValueError("Only epoch-based parameter scheduler can be converted to iter-based")
        kwargs = iter_based(kwargs, scaled, epoch_length)
    return cls(group, param_name_of(type_name), **kwargs)


class GroupRun:
    """One param group through mmengine's runner: schedulers built in list order, then stepped
    after every iteration (iteration-based) and after every epoch (epoch-based, then plateau)."""

    def __init__(self, entries: Sequence[tuple[str, Mapping[str, Any]]], group: dict[str, Any], epoch_length: int):
        self.group = group
        self.epoch_length = epoch_length
        self.schedulers = [build(type_name, kwargs, group, epoch_length) for type_name, kwargs in entries]
        self.iteration = 0  # the update whose values `group` holds

    def advance(self, metric: float | None = None) -> None:
        """The hooks after update `iteration`: ``after_train_iter``, at an epoch's end
        ``after_train_epoch`` and ``after_val_epoch`` (with `metric`)."""
        for scheduler in self.schedulers:
            if not scheduler.by_epoch:
                scheduler.step()
        self.iteration += 1
        if self.iteration % self.epoch_length:
            return
        for scheduler in self.schedulers:
            if scheduler.by_epoch:
                scheduler.step()
        if metric is not None:
            for scheduler in self.schedulers:
                if isinstance(scheduler, ReduceOnPlateauScheduler):
                    scheduler.step(metric)


def build_torch(optimizer: Any, entries: Sequence[tuple[str, Mapping[str, Any]]], epoch_length: int, name: str) -> Any:
    """A torch ``LRScheduler`` over `optimizer` that replays mmengine's runner per param group."""
    from torch.optim.lr_scheduler import LRScheduler

    class MMEngineSchedulers(LRScheduler):
        """LR (and momentum) of each update as mmengine's runner sets them; `step(metric)` for plateau."""

        def __init__(self, optimizer: Any) -> None:
            self.name = name
            self._runs: list[GroupRun] | None = None
            self._metric: float | None = None
            self._sets_momentum = any(param_name_of(type_name) == "momentum" for type_name, _ in entries)
            super().__init__(optimizer)

        def _start(self) -> list[GroupRun]:
            runs = []
            for base_lr, group in zip(self.base_lrs, self.optimizer.param_groups, strict=True):
                momentum = group["betas"][0] if "betas" in group else group.get("momentum", 0.0)
                runs.append(GroupRun(entries, {"lr": base_lr, "momentum": momentum}, epoch_length))
            return runs

        def step(self, metric: Any = None) -> None:  # type: ignore[override]
            """One runner iteration; `metric` is the validation value at an epoch's end (plateau)."""
            self._metric = None if metric is None else float(metric)
            super().step()

        def get_lr(self) -> list[float]:  # type: ignore[override]
            k = self.last_epoch
            if self._runs is None or self._runs[0].iteration > k:
                self._runs = self._start()
            while self._runs[0].iteration < k:
                for run in self._runs:
                    run.advance(self._metric)
            if self._sets_momentum:
                self._write_momentum()
            return [float(run.group["lr"]) for run in self._runs]

        def _write_momentum(self) -> None:
            for run, group in zip(self._runs or (), self.optimizer.param_groups, strict=True):
                if "betas" in group:
                    group["betas"] = (run.group["momentum"], group["betas"][1])
                elif "momentum" in group:
                    group["momentum"] = run.group["momentum"]

        def state_dict(self) -> dict[str, Any]:
            """torch's state minus the replay (rebuilt from the start on load)."""
            return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_runs")}

    return MMEngineSchedulers(optimizer)
