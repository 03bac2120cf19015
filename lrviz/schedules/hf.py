"""Hugging Face transformers: every ``transformers.SchedulerType`` of ``transformers.optimization``.

Each is an LR multiplier (transformers builds a ``LambdaLR``; ``reduce_lr_on_plateau`` is torch's
``ReduceLROnPlateau``), so ``--lr`` is the peak LR. The ``lr_lambda`` functions below are
transformers' ``_get_*_lr_lambda`` functions line for line (transformers 5.23.0), so the values are
bit-identical; ``--code torch`` prints their source.

``warmup_ratio`` is the Trainer's: ``TrainingArguments.get_warmup_steps`` turns a ratio into
``math.ceil(num_training_steps * warmup_ratio)`` warmup steps (transformers 4 spells it
``warmup_ratio=``, transformers 5 ``warmup_steps=`` with a value below 1), so ``warmup_ratio=0.07``
over 100 steps warms up for 8 steps, not 7 (100 * 0.07 is 7.000000000000001). Every member with a
warmup takes it instead of ``num_warmup_steps``; ``constant_with_warmup`` and ``inverse_sqrt``,
whose functions have no length, then take the Trainer's ``num_training_steps`` for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from lrviz.schedules.base import FrameworkSchedule, LrFunction, at_least, param

if TYPE_CHECKING:
    import torch

FRAMEWORK = "hf"
TITLE = "Hugging Face transformers"
PACKAGE = "transformers"

# transformers' warmups are documented to rise "linearly from 0": step 0 trains with LR 0.
_ZERO_START = "transformers documents its warmup as rising from 0, so this is its intended behaviour"

_WARMUP = param("num_warmup_steps", "int", None, "The number of steps for the warmup phase", optional=True)
# get_scheduler drops num_training_steps for these members; the Trainer still has it, for warmup_ratio
_TRAINER_TOTAL = param(
    "num_training_steps",
    "int",
    None,
    "The total number of training steps (the Trainer's; only turns warmup_ratio into steps here)",
    optional=True,
)
_RATIO = param(
    "warmup_ratio",
    "float",
    None,
    "Ratio of total training steps used for a linear warmup from 0 to `learning_rate` (the Trainer's "
    "TrainingArguments; rounded up: ceil(num_training_steps * warmup_ratio)); instead of num_warmup_steps",
    optional=True,
)
_TRAINING = param("num_training_steps", "int", help="The total number of training steps")
_HALF_COSINE = param(
    "num_cycles",
    "float",
    0.5,
    "The number of waves in the cosine schedule (the defaults is to just decrease from the max value to 0 "
    "following a half-cosine)",
)
_PLATEAU_PARAMS = (
    param("mode", "choice", "min", "One of `min`, `max`", choices=("min", "max")),
    param("factor", "float", 0.1, "Factor by which the learning rate will be reduced"),
    param("patience", "int", 10, "The number of allowed epochs with no improvement after which the LR is reduced"),
    param("threshold", "float", 1e-4, "Threshold for measuring the new optimum, to only focus on significant changes"),
    param("threshold_mode", "choice", "rel", "One of `rel`, `abs`", choices=("rel", "abs")),
    param("cooldown", "int", 0, "Number of epochs to wait before resuming normal operation after lr has been reduced"),
    param("min_lr", "float", 0.0, "A scalar or a list of scalars. A lower bound on the learning rate of all groups"),
    param("eps", "float", 1e-8, "Minimal decay applied to lr"),
)

# GreedyLR's, but verbose (it prints to stdout, which is lrviz's output)
_GREEDY_PARAMS = (
    param("mode", "choice", "min", "One of 'min' or 'max'", choices=("min", "max")),
    param("factor", "float", 0.95, "Factor by which the learning rate will be adjusted"),
    param("patience", "int", 10, "Number of epochs with no improvement after which learning rate will be adjusted"),
    param("threshold", "float", 1e-6, "Threshold for measuring the new optimum"),
    param("threshold_mode", "choice", "abs", "One of 'rel' or 'abs'", choices=("rel", "abs")),
    param("cooldown", "int", 0, "Number of epochs to wait before resuming normal operation after LR has been reduced"),
    param("warmup", "int", 0, "Number of epochs to wait before resuming normal operation after LR has been increased"),
    param("min_lr", "float", 1e-3, "A lower bound on the learning rate"),
    param("max_lr", "float", 1.0, "An upper bound on the learning rate"),
    param("eps", "float", 1e-8, "Minimal decay applied to lr"),
    param("smooth", "bool", False, "If True, applies streaming average smoothing to metrics"),
    param("window_size", "int", 50, "The window size for the streaming average when smooth=True"),
    param("reset_start", "int", 500, "Number of steps to wait at min_lr before resetting to initial state"),
)


def _greedy_problems(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    if params["factor"] >= 1.0:
        return [("factor", "Factor should be < 1.0.")]
    if params["factor"] <= 0:
        return [("factor", f"must be greater than 0 (GreedyLR divides by it), got {params['factor']:g}")]
    return at_least(1, "window_size")(params)


# ----------------------------------------------------------------- transformers' lr_lambda functions
# Copied from transformers/optimization.py (5.23.0); keep them verbatim: --code torch prints them.


def _get_constant_lambda(_=None):
    return 1


def _get_constant_schedule_with_warmup_lr_lambda(current_step: int, *, num_warmup_steps: int):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def _get_linear_schedule_with_warmup_lr_lambda(current_step: int, *, num_warmup_steps: int, num_training_steps: int):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))


def _get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda(
    current_step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: int
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def _get_polynomial_decay_schedule_with_warmup_lr_lambda(
    current_step: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float,
    power: float,
    lr_init: int,
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    elif current_step > num_training_steps:
        return lr_end / lr_init  # as LambdaLR multiplies by lr_init
    else:
        lr_range = lr_init - lr_end
        decay_steps = num_training_steps - num_warmup_steps
        pct_remaining = 1 - (current_step - num_warmup_steps) / decay_steps
        decay = lr_range * pct_remaining**power + lr_end
        return decay / lr_init  # as LambdaLR multiplies by lr_init


def _get_inverse_sqrt_schedule_lr_lambda(current_step: int, *, num_warmup_steps: int, timescale: int | None = None):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    decay = 1.0 / math.sqrt((current_step + shift) / timescale)
    return decay


# transformers defines this name twice; the second definition (this one, with min_lr_rate) is the
# one get_cosine_schedule_with_warmup binds, so plain "cosine" runs it too, with min_lr_rate 0.0.
def _get_cosine_schedule_with_warmup_lr_lambda(
    current_step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: float, min_lr_rate: float = 0.0
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def _get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda(
    current_step: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float,
    min_lr_rate: float = 0.0,
    warmup_lr_rate: float | None = None,
):
    current_step = float(current_step)
    num_warmup_steps = float(num_warmup_steps)
    num_training_steps = float(num_training_steps)

    if current_step < num_warmup_steps:
        if warmup_lr_rate is None:
            return (current_step + 1.0) / max(1.0, num_warmup_steps)
        else:
            warmup_lr_rate = float(warmup_lr_rate)
            return warmup_lr_rate + (1.0 - warmup_lr_rate) * (current_step) / (max(1, num_warmup_steps - 1))
    progress = (current_step - num_warmup_steps + 1.0) / (max(1.0, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def _get_wsd_scheduler_lambda(
    current_step: int,
    *,
    num_warmup_steps: int,
    num_stable_steps: int,
    num_decay_steps: int,
    warmup_type: str,
    decay_type: str,
    min_lr_ratio: float,
    num_cycles: float,
):
    if current_step < num_warmup_steps:
        progress = float(current_step) / float(max(1, num_warmup_steps))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        elif warmup_type == "1-sqrt":
            factor = 1.0 - math.sqrt(1.0 - progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)

    if current_step < num_warmup_steps + num_stable_steps:
        return 1.0

    if current_step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(max(1, num_decay_steps))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        elif decay_type == "1-sqrt":
            factor = 1.0 - math.sqrt(progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


# ----------------------------------------------------------------------------- parameter handling


class _OptimizerLr:
    """Stands for ``optimizer.defaults["lr"]`` while generating code: arithmetic on it gives text."""

    def __init__(self, text: str = "lr_init") -> None:
        self.text = text

    def __rtruediv__(self, other: float) -> _OptimizerLr:
        return _OptimizerLr(f"{other!r} / lr_init")

    def __repr__(self) -> str:
        return self.text


def warmup_steps(params: Mapping[str, Any]) -> int:
    """The warmup the schedule gets: num_warmup_steps, else the Trainer's rounding of warmup_ratio
    (``TrainingArguments.get_warmup_steps``: ``math.ceil(num_training_steps * ratio)``)."""
    if params.get("num_warmup_steps") is not None:
        return params["num_warmup_steps"]
    ratio = params.get("warmup_ratio")
    if ratio is None or params.get("num_training_steps") is None:
        return 0
    return math.ceil(params["num_training_steps"] * ratio)


def _warmup_problems(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    given_steps, ratio = params.get("num_warmup_steps"), params.get("warmup_ratio")
    if "num_warmup_steps" not in params:  # constant, reduce_lr_on_plateau
        return []
    if given_steps is not None and ratio is not None:
        return [("warmup_ratio", "give either num_warmup_steps or warmup_ratio, not both")]
    if given_steps is None and ratio is None:
        return [("num_warmup_steps", "required, or give warmup_ratio instead (a fraction of num_training_steps)")]
    if ratio is not None and not 0 <= ratio < 1:
        return [("warmup_ratio", f"must be in [0, 1) (a larger value is a number of steps), got {ratio:g}")]
    if ratio is not None and params.get("num_training_steps") is None:
        return [("warmup_ratio", "needs num_training_steps: the ratio is a fraction of it")]
    return []


def _min_lr_rate(params: Mapping[str, Any], lr_init: Any) -> Any:
    """transformers' choice between min_lr (absolute) and min_lr_rate (a fraction of the optimizer's lr)."""
    if params["min_lr"] is not None:
        return params["min_lr"] / lr_init
    return params["min_lr_rate"]


def _min_lr_problems(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    if params["min_lr"] is not None and params["min_lr_rate"] is not None:
        return [("min_lr_rate", "Only one of min_lr or min_lr_rate should be set")]
    if params["min_lr"] is None and params["min_lr_rate"] is None:
        return [("min_lr", "One of min_lr or min_lr_rate should be set")]
    return []


def _wsd_stable_steps(params: Mapping[str, Any]) -> int | None:
    if params["num_stable_steps"] is not None:
        return params["num_stable_steps"]
    if params["num_training_steps"] is None:
        return None
    return params["num_training_steps"] - warmup_steps(params) - params["num_decay_steps"]


def _wsd_problems(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    if params["num_training_steps"] is None and params["num_stable_steps"] is None:
        return [("num_training_steps", "Either num_training_steps or num_stable_steps must be specified")]
    stable = _wsd_stable_steps(params)
    if stable is not None and stable < 0:
        return [("num_training_steps", "is shorter than num_warmup_steps + num_decay_steps: no stable phase is left")]
    return []


def _polynomial_problems(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    if params["num_training_steps"] is not None and params["num_training_steps"] <= warmup_steps(params):
        # transformers divides by num_training_steps - num_warmup_steps at the last step
        return [("num_training_steps", "must be greater than the warmup (polynomial divides by their difference)")]
    return []


def _inverse_sqrt_timescale(params: Mapping[str, Any]) -> int:
    return params["timescale"] if params["timescale"] is not None else (warmup_steps(params) or 10_000)


# ---------------------------------------------------------------------------------- the members


@dataclass(frozen=True)
class _Member:
    """One SchedulerType value: its lr_lambda, the lambda's keyword arguments, and its extras."""

    name: str
    function: str  # the transformers function get_scheduler calls for it
    summary: str
    params: tuple[Any, ...]
    lr_lambda: Callable[..., float] | None  # None: not a LambdaLR (reduce_lr_on_plateau)
    lambda_kwargs: Callable[[Mapping[str, Any], Any], dict[str, Any]]  # (params, optimizer lr) -> kwargs
    example: str
    warmup_from_zero: bool = True  # its warmup is documented to start at 0 (or it has none)
    problems: Callable[[Mapping[str, Any]], list[tuple[str, str]]] = lambda p: []
    steps: Callable[[Mapping[str, Any]], int | None] = lambda p: p.get("num_training_steps")
    length: Callable[[Mapping[str, Any]], tuple[str, int] | None] = lambda p: (
        ("num_training_steps", p["num_training_steps"]) if p.get("num_training_steps") else None
    )
    events: Callable[[Mapping[str, Any]], list[tuple[int, str]]] = lambda p: (
        [(warmup_steps(p), "warmup end")] if warmup_steps(p) else []
    )


def _lambda_lr(member: _Member) -> Callable[[torch.optim.Optimizer, Mapping[str, Any]], Any]:
    """What transformers builds: a LambdaLR over the lr_lambda (lr_init is the optimizer's default lr)."""

    def build(optimizer: torch.optim.Optimizer, params: Mapping[str, Any]) -> Any:
        from torch.optim.lr_scheduler import LambdaLR, ReduceLROnPlateau

        if member.name == "greedy":
            from lrviz.schedules._hf_greedy import GreedyLR

            return GreedyLR(optimizer, **params)
        if member.lr_lambda is None:
            return ReduceLROnPlateau(optimizer, **params)
        if member.name == "polynomial" and not optimizer.defaults["lr"] > params["lr_end"]:
            raise ValueError(
                f"lr_end ({params['lr_end']}) must be smaller than initial lr ({optimizer.defaults['lr']})"
            )
        kwargs = member.lambda_kwargs(params, optimizer.defaults["lr"])
        return LambdaLR(optimizer, partial(member.lr_lambda, **kwargs))

    return build


def _formula(member: _Member) -> Callable[[Mapping[str, Any], float], LrFunction] | None:
    if member.lr_lambda is None:
        return None

    def formula(params: Mapping[str, Any], base_lr: float) -> LrFunction:
        factor = partial(member.lr_lambda, **member.lambda_kwargs(params, base_lr))
        return lambda k: base_lr * factor(k)

    return formula


def _scheduler_call(member: _Member, params: Mapping[str, Any]) -> str:
    """``get_scheduler(...)`` as the Trainer calls it: warmup and length apart, the rest as kwargs."""
    names = {p.name for p in member.params}
    arguments = [repr(member.name), "optimizer"]
    if "num_warmup_steps" in names:
        if params.get("num_warmup_steps") is None and params.get("warmup_ratio") is not None:
            # TrainingArguments.get_warmup_steps rounds the ratio up
            warmup = f"math.ceil({params['num_training_steps']!r} * {params['warmup_ratio']!r})"
        else:
            warmup = repr(params["num_warmup_steps"])
        arguments.append(f"num_warmup_steps={warmup}")
    if "num_training_steps" in names and params.get("num_training_steps") is not None:
        arguments.append(f"num_training_steps={params['num_training_steps']!r}")
    specific = {
        name: value
        for name, value in params.items()
        if name not in ("num_warmup_steps", "warmup_ratio", "num_training_steps") and value is not None
    }
    if specific:
        arguments.append(f"scheduler_specific_kwargs={specific!r}")
    return f"get_scheduler({', '.join(arguments)})"


_RATIO_COMMENT = "    # warmup_ratio: the Trainer's TrainingArguments.get_warmup_steps rounds the warmup up (ceil)\n"


def _framework_code(member: _Member) -> Callable[[Mapping[str, Any]], str]:
    def code(params: Mapping[str, Any]) -> str:
        return (
            "import math\n\nfrom transformers.optimization import get_scheduler\n\n\n"
            "def make_scheduler(optimizer):\n"
            f"    # the Trainer's call: transformers.{member.function} via get_scheduler\n"
            f"{_RATIO_COMMENT if params.get('warmup_ratio') is not None else ''}"
            f"    return {_scheduler_call(member, params)}\n"
        )

    return code


def _torch_code(member: _Member) -> Callable[[Mapping[str, Any]], str]:
    def code(params: Mapping[str, Any]) -> str:
        import inspect  # only to print transformers' functions: not on `lrviz list`'s path

        if member.lr_lambda is None:
            arguments = ", ".join(f"{name}={value!r}" for name, value in params.items())
            if member.name == "greedy":  # transformers' own class, copied: it is not in torch
                from lrviz.schedules import _hf_greedy

                source = inspect.getsource(_hf_greedy).split('"""', 2)[2].lstrip()
                return f"{source}\n\ndef make_scheduler(optimizer):\n    return GreedyLR(optimizer, {arguments})\n"
            return (
                "import torch\n\n\ndef make_scheduler(optimizer):\n"
                f"    return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, {arguments})\n"
            )
        kwargs = member.lambda_kwargs(params, _OptimizerLr())
        arguments = "".join(f", {name}={value!r}" for name, value in kwargs.items())
        return (
            "import math\nfrom functools import partial\n\nimport torch\n\n\n"
            f"{inspect.getsource(member.lr_lambda)}\n\n"
            "def make_scheduler(optimizer):\n"
            '    lr_init = optimizer.defaults["lr"]  # transformers reads the optimizer\'s lr here\n'
            f"    lr_lambda = partial({member.lr_lambda.__name__}{arguments})\n"
            "    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)\n"
        )

    return code


def _schedule(member: _Member) -> FrameworkSchedule:
    nonnegative = at_least(0, "num_warmup_steps", "num_training_steps", "num_stable_steps", "num_decay_steps")
    return FrameworkSchedule(
        name=member.name,
        params=member.params,
        summary=member.summary,
        source=f"transformers.{member.function}",
        formula=_formula(member),
        metric_driven=member.lr_lambda is None,
        zero_start=_ZERO_START if member.warmup_from_zero else "",
        example=member.example,
        steps_of=member.steps,
        length_of=member.length,
        events_of=member.events,
        check=lambda p: nonnegative(p) + _warmup_problems(p) + member.problems(p),
        framework_code=_framework_code(member),
        torch_code=_torch_code(member),
        builder=_lambda_lr(member),
    )


def _warmup_and_length(params: Mapping[str, Any], lr_init: Any) -> dict[str, Any]:
    return {"num_warmup_steps": warmup_steps(params), "num_training_steps": params["num_training_steps"]}


def _wsd_kwargs(params: Mapping[str, Any], lr_init: Any) -> dict[str, Any]:
    keys = ("num_decay_steps", "warmup_type", "decay_type", "min_lr_ratio", "num_cycles")
    return {
        "num_warmup_steps": warmup_steps(params),
        "num_stable_steps": _wsd_stable_steps(params),
        **{key: params[key] for key in keys},
    }


def _wsd_events(params: Mapping[str, Any]) -> list[tuple[int, str]]:
    warmup, stable = warmup_steps(params), _wsd_stable_steps(params) or 0
    marks = [(warmup, "warmup end")] if warmup else []
    return [*marks, (warmup + stable, "decay start"), (warmup + stable + params["num_decay_steps"], "decay end")]


def _wsd_length(params: Mapping[str, Any]) -> tuple[str, int]:
    total = warmup_steps(params) + (_wsd_stable_steps(params) or 0) + params["num_decay_steps"]
    return ("num_training_steps" if params["num_training_steps"] is not None else "num_stable_steps", total)


def _restart_events(params: Mapping[str, Any]) -> list[tuple[int, str]]:
    warmup, total, cycles = warmup_steps(params), params["num_training_steps"], params["num_cycles"]
    marks = [(warmup, "warmup end")] if warmup else []
    if cycles and cycles > 1 and total:  # a figure marks the first 100 restarts at most
        span = max(1, total - warmup)
        marks += [(warmup + math.ceil(span * i / cycles), "restart") for i in range(1, min(cycles, 101))]
    return marks


_COSINE_MIN_LR_PARAMS = (
    param("min_lr", "float", None, "The minimum learning rate to reach after the cosine schedule", optional=True),
    param(
        "min_lr_rate", "float", None, "The minimum learning rate as a ratio of the initial learning rate", optional=True
    ),
)

_MEMBERS = (
    _Member(
        name="linear",
        function="get_linear_schedule_with_warmup",
        summary="Create a schedule with a learning rate that decreases linearly from the initial lr set in the "
        "optimizer to 0, after a warmup period during which it increases linearly from 0 to the initial lr",
        params=(_WARMUP, _TRAINING, _RATIO),
        lr_lambda=_get_linear_schedule_with_warmup_lr_lambda,
        lambda_kwargs=_warmup_and_length,
        example="lrviz plot hf:linear --num-warmup-steps 100 --num-training-steps 1000 --lr 3e-4",
    ),
    _Member(
        name="cosine",
        function="get_cosine_schedule_with_warmup",
        summary="Create a schedule with a learning rate that decreases following the values of the cosine function "
        "between the initial lr set in the optimizer to 0, after a warmup period during which it increases linearly "
        "between 0 and the initial lr set in the optimizer",
        params=(_WARMUP, _TRAINING, _HALF_COSINE, _RATIO),
        lr_lambda=_get_cosine_schedule_with_warmup_lr_lambda,
        lambda_kwargs=lambda p, lr: {**_warmup_and_length(p, lr), "num_cycles": p["num_cycles"]},
        example="lrviz plot hf:cosine --num-warmup-steps 100 --num-training-steps 1000 --lr 3e-4",
    ),
    _Member(
        name="cosine_with_restarts",
        function="get_cosine_with_hard_restarts_schedule_with_warmup",
        summary="Create a schedule with a learning rate that decreases following the values of the cosine function "
        "between the initial lr set in the optimizer to 0, with several hard restarts, after a warmup period during "
        "which it increases linearly between 0 and the initial lr set in the optimizer",
        params=(_WARMUP, _TRAINING, param("num_cycles", "int", 1, "The number of hard restarts to use"), _RATIO),
        lr_lambda=_get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda,
        lambda_kwargs=lambda p, lr: {**_warmup_and_length(p, lr), "num_cycles": p["num_cycles"]},
        example="lrviz plot hf:cosine_with_restarts --warmup-ratio 0.05 --num-training-steps 1200 --num-cycles 3",
        events=_restart_events,
    ),
    _Member(
        name="polynomial",
        function="get_polynomial_decay_schedule_with_warmup",
        summary="Create a schedule with a learning rate that decreases as a polynomial decay from the initial lr set "
        "in the optimizer to end lr defined by *lr_end*, after a warmup period during which it increases linearly "
        "from 0 to the initial lr set in the optimizer",
        params=(
            _WARMUP,
            _TRAINING,
            param("lr_end", "float", 1e-7, "The end LR"),
            param("power", "float", 1.0, "Power factor"),
            _RATIO,
        ),
        lr_lambda=_get_polynomial_decay_schedule_with_warmup_lr_lambda,
        lambda_kwargs=lambda p, lr: {
            **_warmup_and_length(p, lr),
            "lr_end": p["lr_end"],
            "power": p["power"],
            "lr_init": lr,
        },
        example="lrviz plot hf:polynomial --num-warmup-steps 50 --num-training-steps 500 --lr-end 1e-5 --power 2",
        problems=_polynomial_problems,
    ),
    _Member(
        name="constant",
        function="get_constant_schedule",
        summary="Create a schedule with a constant learning rate, using the learning rate set in optimizer",
        params=(),
        lr_lambda=_get_constant_lambda,
        lambda_kwargs=lambda p, lr: {},
        example="lrviz plot hf:constant --steps 100 --lr 3e-4",
        steps=lambda p: None,
    ),
    _Member(
        name="constant_with_warmup",
        function="get_constant_schedule_with_warmup",
        summary="Create a schedule with a constant learning rate preceded by a warmup period during which the learning "
        "rate increases linearly between 0 and the initial lr set in the optimizer",
        params=(_WARMUP, _RATIO, _TRAINER_TOTAL),
        lr_lambda=_get_constant_schedule_with_warmup_lr_lambda,
        lambda_kwargs=lambda p, lr: {"num_warmup_steps": warmup_steps(p)},
        example="lrviz plot hf:constant_with_warmup --num-warmup-steps 100 --steps 500",
        steps=lambda p: p["num_training_steps"] or max(5 * warmup_steps(p), 100),
    ),
    _Member(
        name="inverse_sqrt",
        function="get_inverse_sqrt_schedule",
        summary="Create a schedule with an inverse square-root learning rate, from the initial lr set in the "
        "optimizer, after a warmup period which increases lr linearly from 0 to the initial lr set in the optimizer",
        params=(_WARMUP, param("timescale", "int", None, "Time scale", optional=True), _RATIO, _TRAINER_TOTAL),
        lr_lambda=_get_inverse_sqrt_schedule_lr_lambda,
        lambda_kwargs=lambda p, lr: {
            "num_warmup_steps": warmup_steps(p),
            "timescale": _inverse_sqrt_timescale(p),
        },
        example="lrviz plot hf:inverse_sqrt --num-warmup-steps 100 --steps 2000",
        problems=at_least(1, "timescale"),
        steps=lambda p: p["num_training_steps"] or max(10 * _inverse_sqrt_timescale(p), 100),
    ),
    _Member(
        name="reduce_lr_on_plateau",
        function="get_reduce_on_plateau_schedule",
        summary="Create a schedule with a constant learning rate that decreases when a metric has stopped improving",
        params=_PLATEAU_PARAMS,
        lr_lambda=None,
        lambda_kwargs=lambda p, lr: {},
        example="lrviz plot hf:reduce_lr_on_plateau --patience 5 --factor 0.5 --steps 300",
        problems=lambda p: [("factor", "Factor should be < 1.0")] if p["factor"] >= 1.0 else [],
        steps=lambda p: None,
    ),
    _Member(
        name="greedy",
        function="get_greedy_schedule",
        summary="Create an adaptive learning rate scheduler that adjusts LR based on training metrics",
        params=_GREEDY_PARAMS,
        lr_lambda=None,
        lambda_kwargs=lambda p, lr: {},
        example="lrviz plot hf:greedy --patience 5 --min-lr 1e-4 --max-lr 0.5 --steps 300",
        problems=_greedy_problems,
        steps=lambda p: None,
    ),
    _Member(
        name="cosine_with_min_lr",
        function="get_cosine_with_min_lr_schedule_with_warmup",
        summary="Create a schedule with a learning rate that decreases following the values of the cosine function "
        "between the initial lr set in the optimizer to min_lr, after a warmup period during which it increases "
        "linearly between 0 and the initial lr set in the optimizer",
        params=(_WARMUP, _TRAINING, _HALF_COSINE, *_COSINE_MIN_LR_PARAMS, _RATIO),
        lr_lambda=_get_cosine_schedule_with_warmup_lr_lambda,
        lambda_kwargs=lambda p, lr: {
            **_warmup_and_length(p, lr),
            "num_cycles": p["num_cycles"],
            "min_lr_rate": _min_lr_rate(p, lr),
        },
        example="lrviz plot hf:cosine_with_min_lr --num-warmup-steps 100 --num-training-steps 1000 --min-lr-rate 0.1",
        problems=_min_lr_problems,
    ),
    _Member(
        name="cosine_warmup_with_min_lr",
        function="get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
        summary="Create a schedule with a learning rate that decreases following the values of the cosine function "
        "between the initial lr set in the optimizer to min_lr, after a warmup period during which it increases "
        "linearly between 0 and the initial lr set in the optimizer",
        params=(
            _WARMUP,
            _TRAINING,
            _HALF_COSINE,
            *_COSINE_MIN_LR_PARAMS,
            param(
                "warmup_lr_rate",
                "float",
                None,
                "The minimum learning rate as a ratio of the start learning rate",
                optional=True,
            ),
            _RATIO,
        ),
        lr_lambda=_get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda,
        warmup_from_zero=False,  # its warmup starts at 1 / num_warmup_steps, or at warmup_lr_rate
        lambda_kwargs=lambda p, lr: {
            **_warmup_and_length(p, lr),
            "num_cycles": p["num_cycles"],
            "min_lr_rate": _min_lr_rate(p, lr),
            "warmup_lr_rate": p["warmup_lr_rate"],
        },
        example="lrviz plot hf:cosine_warmup_with_min_lr --num-warmup-steps 100 --num-training-steps 1000 "
        "--min-lr 1e-5 --lr 3e-4",
        problems=_min_lr_problems,
    ),
    _Member(
        name="warmup_stable_decay",
        function="get_wsd_schedule",
        summary="Create a schedule with a learning rate that has three stages: warmup, stable, decay",
        params=(
            _WARMUP,
            param("num_decay_steps", "int", help="The number of steps for the decay phase"),
            param(
                "num_training_steps",
                "int",
                None,
                "The total number of training steps. This is the sum of the warmup, stable and decay steps",
                optional=True,
            ),
            param("num_stable_steps", "int", None, "The number of steps for the stable phase", optional=True),
            param(
                "warmup_type", "choice", "linear", "The type of warmup to use", choices=("linear", "cosine", "1-sqrt")
            ),
            param("decay_type", "choice", "cosine", "The type of decay to use", choices=("linear", "cosine", "1-sqrt")),
            param("min_lr_ratio", "float", 0.0, "The minimum learning rate as a ratio of the initial learning rate"),
            _HALF_COSINE,
            _RATIO,
        ),
        lr_lambda=_get_wsd_scheduler_lambda,
        lambda_kwargs=_wsd_kwargs,
        example="lrviz plot hf:warmup_stable_decay --num-warmup-steps 100 --num-stable-steps 700 --num-decay-steps 200",
        problems=_wsd_problems,
        steps=lambda p: _wsd_length(p)[1] if _wsd_problems(p) == [] else None,
        length=lambda p: _wsd_length(p) if _wsd_problems(p) == [] else None,
        events=_wsd_events,
    ),
)

SCHEDULES = tuple(_schedule(member) for member in _MEMBERS)
