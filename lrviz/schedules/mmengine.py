"""mmengine (OpenMMLab): the LR ``ParamScheduler`` classes and the runner's ``param_scheduler`` list.

mmengine's schedulers rescale the optimizer's current LR (``--lr`` is the optimizer's ``lr``);
OneCycleLR sets LRs from ``eta_max`` inside its window and leaves the optimizer's ``lr`` before
it. Each is active in its own ``[begin, end)`` window; ``by_epoch=True`` (mmengine's default)
schedulers step once per epoch of ``epoch_length`` iterations, or every iteration after
``convert_to_iter_based`` (mmengine's ``build_iter_from_epoch``). ``mmengine:param_scheduler``
takes a whole list, built and stepped in order as mmengine's runner does. Values replay
mmengine's recurrences (see ``_mmengine_runner``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from lrviz.schedules.base import FrameworkSchedule, LrFunction, param, typed_entries

FRAMEWORK = "mmengine"
TITLE = "mmengine (OpenMMLab)"
PACKAGE = "mmengine"

INF = int(1e9)  # mmengine's default `end`
_WINDOW = (
    param("begin", "int", 0, "Step at which to start updating the learning rate."),
    param("end", "int", INF, "Step at which to stop updating the learning rate."),
    param("by_epoch", "bool", True, "Whether the scheduled learning rate is updated by epochs."),
    param(
        "convert_to_iter_based",
        "bool",
        False,
        "Whether to convert the epoch-based scheduler to an iteration-based one (mmengine's build_iter_from_epoch).",
    ),
    param(
        "epoch_length",
        "int",
        1,
        "Iterations per epoch (len(train_dataloader)); lrviz steps are iterations, so a by_epoch "
        "scheduler holds its value for epoch_length steps.",
    ),
)
_ETA_MIN_OPTIONAL = param("eta_min", "float", None, "Minimum learning rate.", optional=True)
_ETA_MIN_RATIO = param(
    "eta_min_ratio",
    "float",
    None,
    "The ratio of the minimum parameter value to the base parameter value.",
    optional=True,
)

# The parameters of each class besides the window, with mmengine's defaults and docs.
_OWN_PARAMS: dict[str, tuple] = {
    "ConstantLR": (param("factor", "float", 1.0 / 3, "The number we multiply learning rate until the milestone."),),
    "CosineAnnealingLR": (
        param("T_max", "int", None, "Maximum number of iterations.", optional=True),
        _ETA_MIN_OPTIONAL,
        _ETA_MIN_RATIO,
    ),
    "CosineRestartLR": (
        param("periods", "int_list", help="Periods for each cosine anneling cycle."),
        param("restart_weights", "float_list", (1.0,), "Restart weights at each restart iteration."),
        _ETA_MIN_OPTIONAL,
        _ETA_MIN_RATIO,
    ),
    "ExponentialLR": (param("gamma", "float", help="Multiplicative factor of learning rate decay."),),
    "LinearLR": (
        param("start_factor", "float", 1.0 / 3, "The number we multiply learning rate in the first epoch."),
        param(
            "end_factor", "float", 1.0, "The number we multiply learning rate at the end of linear changing process."
        ),
    ),
    "MultiStepLR": (
        param("milestones", "int_list", help="List of epoch indices."),
        param("gamma", "float", 0.1, "Multiplicative factor of learning rate decay."),
    ),
    "OneCycleLR": (
        param("eta_max", "float", 0.0, "Upper learning rate boundaries in the cycle for each parameter group."),
        param("total_steps", "int", None, "The total number of steps in the cycle.", optional=True),
        param(
            "pct_start",
            "float",
            0.3,
            "The percentage of the cycle (in number of steps) spent increasing the learning rate.",
        ),
        param("anneal_strategy", "choice", "cos", "Specifies the annealing strategy.", choices=("cos", "linear")),
        param("div_factor", "float", 25.0, "Determines the initial learning rate via initial_lr = eta_max/div_factor."),
        param(
            "final_div_factor",
            "float",
            1e4,
            "Determines the minimum learning rate via eta_min = initial_lr/final_div_factor.",
        ),
        param(
            "three_phase", "bool", False, "If True, use a third phase of the schedule to annihilate the learning rate."
        ),
    ),
    "PolyLR": (
        param("eta_min", "float", 0.0, "Minimum learning rate at the end of scheduling."),
        param("power", "float", 1.0, "The power of the polynomial."),
    ),
    "StepLR": (
        param("step_size", "int", help="Period of learning rate decay."),
        param("gamma", "float", 0.1, "Multiplicative factor of learning rate decay."),
    ),
    "ReduceOnPlateauLR": (
        param(
            "monitor",
            "str",
            "loss",
            "The name of the metric to measure whether the performance of the model is improved.",
        ),
        param("rule", "choice", "less", "One of `less`, `greater`.", choices=("less", "greater")),
        param("factor", "float", 0.1, "Factor by which the learning rate will be reduced."),
        param("patience", "int", 10, "Number of epochs with no improvement after which learning rate will be reduced."),
        param(
            "threshold", "float", 1e-4, "Threshold for measuring the new optimum, to only focus on significant changes."
        ),
        param("threshold_rule", "choice", "rel", "One of `rel`, `abs`.", choices=("rel", "abs")),
        param(
            "cooldown", "int", 0, "Number of epochs to wait before resuming normal operation after lr has been reduced."
        ),
        param("min_value", "float", 0.0, "A lower bound on the learning rate of all param groups."),
        param("eps", "float", 1e-8, "Minimal decay applied to lr."),
    ),
}

_SUMMARIES = {
    "ConstantLR": "Decays the learning rate value of each parameter group by a small constant factor until the "
    "number of epoch reaches a pre-defined milestone: ``end``.",
    "CosineAnnealingLR": "Set the learning rate of each parameter group using a cosine annealing schedule.",
    "CosineRestartLR": "Sets the learning rate of each parameter group according to the cosine annealing with "
    "restarts scheme.",
    "ExponentialLR": "Decays the learning rate of each parameter group by gamma every epoch.",
    "LinearLR": "Decays the learning rate of each parameter group by linearly changing small multiplicative "
    "factor until the number of epoch reaches a pre-defined milestone: ``end``.",
    "MultiStepLR": "Decays the specified learning rate in each parameter group by gamma once the number of epoch "
    "reaches one of the milestones.",
    "OneCycleLR": "Sets the learning rate of each parameter group according to the 1cycle learning rate policy.",
    "PolyLR": "Decays the learning rate of each parameter group in a polynomial decay scheme.",
    "StepLR": "Decays the learning rate of each parameter group by gamma every step_size epochs.",
    "ReduceOnPlateauLR": "Reduce the learning rate of each parameter group when a metric has stopped improving.",
}

_EXAMPLES = {
    "ConstantLR": "lrviz plot mmengine:ConstantLR --factor 0.5 --end 5 --epoch-length 100 --steps 1000",
    "CosineAnnealingLR": "lrviz plot mmengine:CosineAnnealingLR --T-max 100 --eta-min-ratio 0.01 --by-epoch false",
    "CosineRestartLR": "lrviz plot mmengine:CosineRestartLR --periods 30,60 --restart-weights 1,0.5 --eta-min 0",
    "ExponentialLR": "lrviz plot mmengine:ExponentialLR --gamma 0.9 --epoch-length 10 --steps 300",
    "LinearLR": "lrviz plot mmengine:LinearLR --start-factor 0.001 --by-epoch false --end 500 --steps 1000",
    "MultiStepLR": "lrviz plot mmengine:MultiStepLR --milestones 8,11 --end 12 --epoch-length 100",
    "OneCycleLR": "lrviz plot mmengine:OneCycleLR --eta-max 0.01 --total-steps 1000 --by-epoch false",
    "PolyLR": "lrviz plot mmengine:PolyLR --power 0.9 --eta-min 1e-4 --end 1000 --by-epoch false",
    "StepLR": "lrviz plot mmengine:StepLR --step-size 30 --gamma 0.1 --steps 100",
    "ReduceOnPlateauLR": "lrviz plot mmengine:ReduceOnPlateauLR --patience 3 --metric synthetic:0 --steps 60",
}

_LIST_PARAM = param(
    "param_scheduler",
    "mapping_list",
    help="The runner's param_scheduler list: mappings with `type` (an LR or momentum scheduler) and its "
    "arguments, built and stepped in order.",
)
_LIST_EPOCH_LENGTH = _WINDOW[-1]


def _params_of(type_name: str) -> tuple:
    # ReduceOnPlateau has no build_iter_from_epoch: mmengine cannot convert it
    window = tuple(p for p in _WINDOW if type_name != "ReduceOnPlateauLR" or p.name != "convert_to_iter_based")
    return (*_OWN_PARAMS[type_name], *window)


def _kwargs(type_name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The constructor's keyword arguments (lists as lists), without lrviz's epoch_length."""
    names = [p.name for p in _params_of(type_name) if p.name != "epoch_length"]
    return {name: list(values[name]) if isinstance(values[name], tuple) else values[name] for name in names}


def _entries(type_name: str, params: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if type_name == "param_scheduler":
        return [(entry["type"], {k: v for k, v in entry.items() if k != "type"}) for entry in _list_entries(params)]
    return [(type_name, _kwargs(type_name, params))]


def _formula(type_name: str) -> Callable[[Mapping[str, Any], float], LrFunction]:
    """k -> LR, replaying the runner from the start (or from where it was, stepping forward)."""

    def formula(params: Mapping[str, Any], base_lr: float) -> LrFunction:
        from lrviz.schedules._mmengine_runner import GroupRun

        entries = _entries(type_name, params)
        runs: list[GroupRun] = []

        def lr_at(k: int) -> float:
            if not runs or runs[0].iteration > k:
                runs[:] = [GroupRun(entries, {"lr": base_lr, "momentum": 0.9}, params["epoch_length"])]
            while runs[0].iteration < k:
                runs[0].advance()
            return runs[0].group["lr"]

        return lr_at

    return formula


def _builder(type_name: str) -> Callable[[Any, Mapping[str, Any]], Any]:
    def builder(optimizer: Any, params: Mapping[str, Any]) -> Any:
        from lrviz.schedules._mmengine_runner import build_torch

        return build_torch(optimizer, _entries(type_name, params), params["epoch_length"], f"mmengine:{type_name}")

    return builder


# --------------------------------------------------------------------------- lengths and events


def _in_iterations(entry: Mapping[str, Any], count: float, epoch_length: int) -> int:
    """`count` of the scheduler's own steps as iterations (an epoch is epoch_length iterations)."""
    return int(count * epoch_length) if entry.get("by_epoch", True) else int(count)


def _own_length(type_name: str, entry: Mapping[str, Any]) -> int | None:
    """How long the scheduler's shape lasts in its own steps, from its begin (None: unbounded)."""
    begin, end = entry.get("begin", 0), entry.get("end", INF)
    finite_end = end if end != INF else None
    shape: int | None = None
    if type_name.startswith("CosineAnnealing"):
        shape = begin + entry["T_max"] if entry.get("T_max") else finite_end
    elif type_name.startswith("CosineRestart"):
        shape = begin + sum(entry["periods"])
    elif type_name == "OneCycleLR":
        shape = begin + entry["total_steps"] if entry.get("total_steps") else finite_end
    elif type_name.startswith("MultiStep") and entry.get("milestones"):
        shape = begin + max(entry["milestones"]) * 5 // 4 + 1
    elif type_name.startswith("Step") and entry.get("step_size"):
        shape = begin + 4 * entry["step_size"]
    return min(shape, finite_end) if shape is not None and finite_end is not None else (shape or finite_end)


def _steps_of(type_name: str) -> Callable[[Mapping[str, Any]], int | None]:
    def steps_of(params: Mapping[str, Any]) -> int | None:
        lengths = [
            _in_iterations(entry, length, params["epoch_length"])
            for name, entry in _entries(type_name, params)
            if (length := _own_length(name, entry)) is not None and length < INF
        ]
        return max(lengths) if lengths else None

    return steps_of


def _length_of(type_name: str) -> Callable[[Mapping[str, Any]], tuple[str, int] | None]:
    """OneCycleLR fails past total_steps and CosineAnnealingLR climbs back after T_max: the
    lengths `check` compares the run with."""

    def length_of(params: Mapping[str, Any]) -> tuple[str, int] | None:
        for name, entry in _entries(type_name, params):
            key = {"OneCycleLR": "total_steps", "CosineAnnealingLR": "T_max"}.get(name)
            if key and entry.get(key) and entry.get("end", INF) > entry.get("begin", 0) + entry[key]:
                steps = _in_iterations(entry, entry.get("begin", 0) + entry[key], params["epoch_length"])
                return (key if type_name != "param_scheduler" else "param_scheduler", steps)
        return None

    return length_of


def _events_of(type_name: str) -> Callable[[Mapping[str, Any]], list[tuple[int, str]]]:
    def events_of(params: Mapping[str, Any]) -> list[tuple[int, str]]:
        events: list[tuple[int, str]] = []
        length = params["epoch_length"]
        for name, entry in _entries(type_name, params):
            begin, end = entry.get("begin", 0), entry.get("end", INF)
            label = name[: -len("LR")] if name.endswith("LR") else name
            if begin > 0:
                events.append((_in_iterations(entry, begin, length), f"{label} begins"))
            if end != INF:
                events.append((_in_iterations(entry, end, length), f"{label} ends"))
            events.extend(
                (_in_iterations(entry, begin + m, length), "milestone") for m in entry.get("milestones") or ()
            )
            restarts = [sum(entry["periods"][: i + 1]) for i in range(len(entry.get("periods") or ()) - 1)]
            events.extend((_in_iterations(entry, begin + r, length), "restart") for r in restarts)
        return sorted(set(events))

    return events_of


# --------------------------------------------------------------------------- checks


def _window_problems(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    begin, end = entry.get("begin", 0), entry.get("end", INF)
    problems = []
    if begin < 0:
        problems.append(("begin", f"must be at least 0, got {begin}"))
    if end <= begin:
        problems.append(("end", f"must be larger than begin ({begin}), got {end}"))
    if entry.get("convert_to_iter_based") and not entry.get("by_epoch", True):
        problems.append(("convert_to_iter_based", "only an epoch-based scheduler (by_epoch true) can be converted"))
    return problems


def _both_or_neither_eta_min(entry: Mapping[str, Any], required: bool) -> list[tuple[str, str]]:
    given = [name for name in ("eta_min", "eta_min_ratio") if entry.get(name) is not None]
    if len(given) == 2:
        return [("eta_min_ratio", "give eta_min or eta_min_ratio, not both (mmengine requires exactly one)")]
    if required and not given:
        return [("eta_min", "give eta_min or eta_min_ratio (mmengine requires exactly one)")]
    return []


def _range_problems(entry: Mapping[str, Any], limits: Mapping[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, message) for values outside their range; `limits` holds a range like ``(0, 1]`` and
    what the value would break."""
    problems = []
    for name, (interval, why) in limits.items():
        value = entry.get(name)
        if value is not None and not _inside(value, interval):
            problems.append((name, f"must be {_RANGE_WORDS[interval]}{why}, got {value:g}"))
    return problems


def _inside(value: float, interval: str) -> bool:
    low, high = (float(bound) for bound in interval[1:-1].split(","))
    above = value > low if interval[0] == "(" else value >= low
    below = value < high if interval[-1] == ")" else value <= high
    return above and below


_RANGE_WORDS = {
    "(0, 1]": "greater than 0 and at most 1",
    "[0, 1]": "between 0 and 1",
    "[0, 1)": "at least 0 and less than 1",
    "(0, inf)": "greater than 0",
    "[0, inf)": "at least 0",
    "[1, inf)": "at least 1",
}
_LIMITS: dict[str, dict[str, tuple[str, str]]] = {
    "Constant": {"factor": ("(0, 1]", " (mmengine divides by it at end - 1)")},
    "CosineAnnealing": {"T_max": ("[1, inf)", "")},
    "Exponential": {"gamma": ("(0, inf)", "")},
    "Linear": {"start_factor": ("(0, 1]", " (mmengine divides by it)"), "end_factor": ("[0, 1]", "")},
    "MultiStep": {"gamma": ("[0, inf)", "")},
    "OneCycle": {
        "eta_max": ("(0, inf)", ""),
        "total_steps": ("[1, inf)", ""),
        "pct_start": ("[0, 1]", ""),
        "div_factor": ("(0, inf)", ""),
        "final_div_factor": ("(0, inf)", ""),
    },
    "Step": {"step_size": ("[1, inf)", ""), "gamma": ("[0, inf)", "")},
    "ReduceOnPlateau": {
        "factor": ("[0, 1)", ""),
        "patience": ("[0, inf)", ""),
        "threshold": ("[0, inf)", ""),
        "cooldown": ("[0, inf)", ""),
    },
}


def _one_cycle_total(entry: Mapping[str, Any], epoch_length: int) -> int:
    """OneCycleLR's total_steps as mmengine computes it (end - begin when not given), converted."""
    scale = epoch_length if entry.get("convert_to_iter_based") else 1
    if entry.get("total_steps") is not None:
        return entry["total_steps"] * scale
    end = entry.get("end", INF)
    return (int(end * scale) if end != INF else INF) - int(entry.get("begin", 0) * scale)


def _problems(type_name: str, entry: Mapping[str, Any], epoch_length: int = 1) -> list[tuple[str, str]]:
    """What mmengine would refuse (or crash on) in one scheduler's arguments."""
    stem = type_name.removesuffix("LR").removesuffix("Momentum")
    problems = _window_problems(entry) + _range_problems(entry, _LIMITS.get(stem, {}))
    if stem == "CosineAnnealing":
        problems += _both_or_neither_eta_min(entry, required=False)
    if stem == "CosineRestart":
        periods, weights = entry.get("periods") or (), entry.get("restart_weights", (1,))
        if not periods or min(periods) < 1:
            problems.append(("periods", f"expected positive periods, got {list(periods)}"))
        elif len(weights) != len(periods):
            message = f"expected {len(periods)} weights (one per period), got {len(weights)}"
            problems.append(("restart_weights", message))
        problems += _both_or_neither_eta_min(entry, required=True)
    if stem == "MultiStep" and not entry.get("milestones"):
        problems.append(("milestones", "expected at least one milestone"))
    if stem == "OneCycle" and not problems and _one_cycle_total(entry, epoch_length) * entry.get("pct_start", 0.3) == 1:
        problems.append(("pct_start", "makes a warmup phase of one step, which mmengine divides by zero on"))
    if stem == "ReduceOnPlateau" and not entry.get("by_epoch", True):
        problems.append(("by_epoch", "mmengine's ReduceOnPlateau only supports by_epoch true"))
    return problems


def _check(type_name: str) -> Callable[[Mapping[str, Any]], list[tuple[str, str]]]:
    def check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
        if params["epoch_length"] < 1:
            return [("epoch_length", f"must be at least 1, got {params['epoch_length']}")]
        if type_name != "param_scheduler":
            return _problems(type_name, params, params["epoch_length"])
        try:
            entries = _list_entries(params)
        except ValueError as exc:
            return [("param_scheduler", str(exc))]
        for index, entry in enumerate(entries):
            for key, message in _problems(entry["type"], entry, params["epoch_length"])[:1]:
                return [("param_scheduler", f"entry {index + 1} ({entry['type']}) {key}: {message}")]
        return []

    return check


# --------------------------------------------------------------------------- the param_scheduler list


def _list_types() -> dict[str, tuple]:
    """Every type a list entry may name, with its parameters (momentum ones mirror the LR ones)."""
    types = {name: _params_of(name) for name in _OWN_PARAMS if name != "ReduceOnPlateauLR"}
    for name in list(types):
        if name != "OneCycleLR":
            types[name.removesuffix("LR") + "Momentum"] = types[name]
    return types


def _list_entries(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The list's entries as keyword mappings with typed values; ValueError names what is wrong."""
    types = {name: tuple(p for p in params_ if p.name != "epoch_length") for name, params_ in _list_types().items()}
    hints = {"ReduceOnPlateauLR": " (it is stepped with a metric: use mmengine:ReduceOnPlateauLR on its own)"}
    return typed_entries(params["param_scheduler"], types, hints)


# --------------------------------------------------------------------------- code


def _framework_code(type_name: str) -> Callable[[Mapping[str, Any]], str]:
    """mmengine's own schedulers, built by its registry as the runner builds them and stepped as
    its ParamSchedulerHook steps them, inside a torch LRScheduler so lrviz's loop can drive them."""

    def framework_code(params: Mapping[str, Any]) -> str:
        configs = [{"type": name, **kwargs} for name, kwargs in _entries(type_name, params)]
        return _RUNNER_CODE.format(configs=repr(configs), epoch_length=repr(params["epoch_length"]))

    return framework_code


_RUNNER_CODE = '''import warnings

from mmengine.optim import OptimWrapper  # importing mmengine.optim registers its schedulers
from mmengine.registry import PARAM_SCHEDULERS
from torch.optim.lr_scheduler import LRScheduler

PARAM_SCHEDULER = {configs}
EPOCH_LENGTH = {epoch_length}  # iterations per epoch: len(train_dataloader)


class MMEngineRunnerLR(LRScheduler):
    """Builds PARAM_SCHEDULER as mmengine's runner does and steps it as ParamSchedulerHook does."""

    def __init__(self, optimizer):
        self.schedulers = None
        self.metric = None
        super().__init__(optimizer)

    def step(self, metric=None):
        self.metric = metric
        super().step()

    def get_lr(self):
        if self.schedulers is None:
            # the runner hands schedulers its OptimWrapper (whose step mmengine counts, not torch's)
            runner_args = dict(optimizer=OptimWrapper(self.optimizer), epoch_length=EPOCH_LENGTH)
            self.schedulers = [PARAM_SCHEDULERS.build(dict(c), default_args=runner_args) for c in PARAM_SCHEDULER]
        else:
            with warnings.catch_warnings():
                # the training loop steps the torch optimizer, not the OptimWrapper mmengine watches
                warnings.filterwarnings("ignore", message="Detected call of `scheduler.step")
                self.runner_hooks()
        return [group["lr"] for group in self.optimizer.param_groups]

    def runner_hooks(self):
        for scheduler in self.schedulers:  # after_train_iter
            if not scheduler.by_epoch:
                scheduler.step()
        if self.last_epoch % EPOCH_LENGTH == 0:
            for scheduler in self.schedulers:  # after_train_epoch
                if scheduler.by_epoch:
                    scheduler.step()
            for scheduler in self.schedulers:  # after_val_epoch
                if self.metric is not None and getattr(scheduler, "need_val_args", False):
                    scheduler.step({{scheduler.monitor: float(self.metric)}})


def make_scheduler(optimizer):
    return MMEngineRunnerLR(optimizer)
'''


def _torch_code(type_name: str) -> Callable[[Mapping[str, Any]], str]:
    """Plain torch: lrviz's replay of mmengine's schedulers and runner (torch, math and the
    standard library only) over the same list."""

    def torch_code(params: Mapping[str, Any]) -> str:
        from lrviz.schedules import _mmengine_runner

        entries = [(name, dict(kwargs)) for name, kwargs in _entries(type_name, params)]
        return (
            f"{inspect.getsource(_mmengine_runner)}\n\n"
            f"PARAM_SCHEDULER = {entries!r}\n"
            f"EPOCH_LENGTH = {params['epoch_length']!r}  # iterations per epoch: len(train_dataloader)\n\n\n"
            "def make_scheduler(optimizer):\n"
            f"    return build_torch(optimizer, PARAM_SCHEDULER, EPOCH_LENGTH, {f'mmengine:{type_name}'!r})\n"
        )

    return torch_code


def _sets_momentum(type_name: str) -> Callable[[Mapping[str, Any]], bool]:
    def sets_momentum(params: Mapping[str, Any]) -> bool:
        return any(name.endswith("Momentum") for name, _ in _entries(type_name, params))

    return sets_momentum


def _schedule(type_name: str) -> FrameworkSchedule:
    plateau = type_name == "ReduceOnPlateauLR"
    return FrameworkSchedule(
        name=type_name,
        params=_params_of(type_name),
        summary=_SUMMARIES[type_name],
        source=f"mmengine.optim.{type_name}",
        example=_EXAMPLES[type_name],
        formula=None if plateau else _formula(type_name),
        builder=_builder(type_name),
        metric_driven=plateau,
        steps_of=_steps_of(type_name),
        length_of=_length_of(type_name),
        events_of=_events_of(type_name),
        check=_check(type_name),
        framework_code=_framework_code(type_name),
        torch_code=_torch_code(type_name),
    )


SCHEDULES = (
    *(_schedule(name) for name in _OWN_PARAMS),
    FrameworkSchedule(
        name="param_scheduler",
        params=(_LIST_PARAM, _LIST_EPOCH_LENGTH),
        summary="The runner's param_scheduler list: every scheduler active in its own [begin, end) window, "
        "built and stepped in list order",
        source="mmengine.runner.Runner.build_param_scheduler",
        example="lrviz plot configs/mmengine_param_scheduler.yaml",  # a list of mappings: YAML only
        formula=_formula("param_scheduler"),
        builder=_builder("param_scheduler"),
        steps_of=_steps_of("param_scheduler"),
        length_of=_length_of("param_scheduler"),
        events_of=_events_of("param_scheduler"),
        check=_check("param_scheduler"),
        framework_code=_framework_code("param_scheduler"),
        torch_code=_torch_code("param_scheduler"),
        momentum_of=_sets_momentum("param_scheduler"),
    ),
)
