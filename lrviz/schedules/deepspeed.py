"""DeepSpeed (``deepspeed.runtime.lr_schedules``): WarmupLR, WarmupDecayLR, WarmupCosineLR, OneCycle, LRRangeTest.

DeepSpeed's schedulers are plain objects, not torch ``LRScheduler``s: the constructor writes the
LR of ``last_batch_iteration = -1`` into the optimizer (update 0 uses it), and the engine calls
``step()`` after every optimizer step, so update k uses the schedule at ``last_batch_iteration =
k - 1``. WarmupCosineLR multiplies the optimizer's LR (``--lr``); WarmupLR uses it as
``warmup_max_lr`` when that is not given; the others give LRs themselves (``--lr`` is refused).
Momentum cycling (OneCycle's ``cycle_momentum``) is not drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from lrviz.schedules._recipe_code import Code, call, framework_source, lambda_source
from lrviz.schedules.base import FrameworkSchedule, LrFunction, at_least, param

FRAMEWORK = "deepspeed"
TITLE = "DeepSpeed"
PACKAGE = "deepspeed"


def warmup_gamma(last_batch_iteration, warmup_num_steps, warmup_type):
    """WarmupLR._get_gamma during warmup (``warmup_num_steps`` already raised to at least 2)."""
    if warmup_type == "log":
        return (1.0 / math.log(warmup_num_steps)) * math.log(last_batch_iteration + 1)
    return last_batch_iteration / warmup_num_steps


def warmup_decay_lr(k, warmup_min_lr, warmup_max_lr, warmup_num_steps, warmup_type, total_num_steps=None):
    """The LR of update k under WarmupLR (total_num_steps None) or WarmupDecayLR."""
    last_batch_iteration = k - 1
    if last_batch_iteration < 0:
        return warmup_min_lr
    warmup_num_steps = max(2, warmup_num_steps)
    if last_batch_iteration < warmup_num_steps:
        gamma = warmup_gamma(last_batch_iteration, warmup_num_steps, warmup_type)
    elif total_num_steps is None:
        gamma = 1.0
    else:
        gamma = max(
            0.0, float(total_num_steps - last_batch_iteration) / float(max(1.0, total_num_steps - warmup_num_steps))
        )
    return warmup_min_lr + ((warmup_max_lr - warmup_min_lr) * gamma)


def warmup_cosine_ratio(k, total_num_steps, warmup_min_ratio, warmup_num_steps, cos_min_ratio, warmup_type):
    """WarmupCosineLR's factor of the optimizer's LR for update k."""
    last_batch_iteration = k - 1
    if last_batch_iteration < 0:
        return 0.0
    warmup_num_steps = max(2, warmup_num_steps)
    if last_batch_iteration < warmup_num_steps:
        ratio = warmup_gamma(last_batch_iteration, warmup_num_steps, warmup_type)
        return warmup_min_ratio + ratio * (1.0 - warmup_min_ratio)
    real_last_step = last_batch_iteration - warmup_num_steps + 1
    real_total_steps = max(1, total_num_steps - warmup_num_steps)
    cosine_progress = min(1.0, real_last_step / real_total_steps)
    ratio = (1 + math.cos(math.pi * cosine_progress)) / 2
    return max(0.0, cos_min_ratio + (1.0 - cos_min_ratio) * ratio)


def one_cycle_scale(batch_iteration, first_step_size, second_step_size, first_stair_count, second_stair_count):
    """OneCycle._get_scale_factor at `batch_iteration` (step sizes as floats)."""
    total_size = first_step_size + second_step_size
    step_ratio = first_step_size / total_size
    cycle = math.floor(1 + batch_iteration / total_size)
    x = 1.0 + batch_iteration / total_size - cycle
    if x <= step_ratio:
        scale_factor, stair_count = x / step_ratio, first_stair_count
    else:
        scale_factor, stair_count = (x - 1) / (step_ratio - 1), second_stair_count
    if stair_count > 0:
        cycle_iteration = batch_iteration % total_size
        if cycle_iteration <= first_step_size:
            stair_position = cycle_iteration * stair_count / first_step_size
        else:
            stair_position = (total_size - cycle_iteration) * stair_count / second_step_size
        scale_factor = math.floor(stair_position) / stair_count
    return scale_factor


def one_cycle_lr(
    k, cycle_min_lr, cycle_max_lr, decay_lr_rate, cycle_first_step_size, cycle_second_step_size,
    cycle_first_stair_count, cycle_second_stair_count, decay_step_size,
):  # fmt: skip
    """The LR of update k under OneCycle: one cycle min -> max -> min, then optional 1/(1 + rate*t) decay."""
    last_batch_iteration = k - 1
    first = float(cycle_first_step_size)
    second = float(cycle_second_step_size) if cycle_second_step_size is not None else first
    if last_batch_iteration < 0:
        return cycle_min_lr
    if last_batch_iteration < first + second:
        stairs = cycle_first_stair_count if cycle_second_stair_count is None else cycle_second_stair_count
        scale = one_cycle_scale(last_batch_iteration + 1, first, second, cycle_first_stair_count, stairs)
        return cycle_min_lr + (cycle_max_lr - cycle_min_lr) * scale
    if math.isclose(decay_step_size, 0) or math.isclose(decay_lr_rate, 0):
        return cycle_min_lr
    decay_interval = (last_batch_iteration - (first + second) + 1) / decay_step_size
    return cycle_min_lr / (1 + decay_lr_rate * decay_interval)


def lr_range_test_lr(
    k, lr_range_test_min_lr, lr_range_test_step_size, lr_range_test_step_rate, lr_range_test_staircase
):
    """The LR of update k under LRRangeTest: min_lr * (1 + step_rate * interval)."""
    if k - 1 < 0:
        return lr_range_test_min_lr
    interval = float(k) / lr_range_test_step_size
    if lr_range_test_staircase:
        interval = math.floor(interval)
    return lr_range_test_min_lr * (1 + lr_range_test_step_rate * interval)


_SUPPORT = (warmup_gamma, one_cycle_scale)


def _peak(params: Mapping[str, Any], base_lr: float) -> dict[str, Any]:
    """WarmupLR's arguments with ``warmup_max_lr=None`` replaced by the optimizer's LR, as DeepSpeed does."""
    peak = params["warmup_max_lr"] if params["warmup_max_lr"] is not None else base_lr
    return {**{k: v for k, v in params.items() if k != "warmup_max_lr"}, "warmup_max_lr": peak}


def _warmup_decay_arguments(params: Mapping[str, Any], base_lr: float) -> dict[str, Any]:
    return _peak(params, base_lr)


def _formula(
    function: Callable[..., float], arguments: Callable[[Mapping[str, Any], float], dict[str, Any]], multiplies: bool
) -> Callable[[Mapping[str, Any], float], LrFunction]:
    """lrviz's formula: `function` over the class's arguments (a factor of `base_lr` where DeepSpeed multiplies)."""

    def formula(params: Mapping[str, Any], base_lr: float) -> LrFunction:
        bound = partial(function, **arguments(params, base_lr))
        return (lambda k: base_lr * bound(k)) if multiplies else bound

    return formula


def _code(
    cls: str,
    function: Callable[..., float],
    arguments: Callable[[Mapping[str, Any], float], dict[str, Any]],
    multiplies: bool,
) -> tuple[Callable[[Mapping[str, Any]], str], Callable[[Mapping[str, Any]], str]]:
    """(framework_code, torch_code): DeepSpeed's own class, and lrviz's function in a LambdaLR."""

    def framework_code(params: Mapping[str, Any]) -> str:
        return framework_source(
            f"from deepspeed.runtime.lr_schedules import {cls}",
            "    # DeepSpeed's engine calls step() after every optimizer step\n"
            f"    return {call(cls, {'optimizer': Code('optimizer'), **params})}\n",
        )

    def torch_code(params: Mapping[str, Any]) -> str:
        values = arguments(params, Code('optimizer.defaults["lr"]'))  # type: ignore[arg-type]
        # LRs themselves (WarmupLR's too: its optimizer-LR peak is read from optimizer.defaults first)
        return lambda_source((*_SUPPORT, function), function.__name__, values, absolute=not multiplies)

    return framework_code, torch_code


_MIN_LR = param("warmup_min_lr", "float", 0.0, help="minimum learning rate")
_WARMUP_NUM = param("warmup_num_steps", "int", 1000, help="number of steps to warm up from min_lr to max_lr")
_WARMUP_TYPE = param(
    "warmup_type",
    "choice",
    "log",
    choices=("log", "linear"),
    help="increasing function from min_lr to max_lr during warmup",
)
_TOTAL = param("total_num_steps", "int", help="total number of training steps")


def _warmup_events(params: Mapping[str, Any]) -> list[tuple[int, str]]:
    return [(max(2, params["warmup_num_steps"]) + 1, "warmup end")]


def _one_cycle_length(params: Mapping[str, Any]) -> int:
    second = params["cycle_second_step_size"]
    return int(params["cycle_first_step_size"] + (second if second is not None else params["cycle_first_step_size"]))


def _schedule(cls: str, function: Callable[..., float], params: tuple, summary: str, example: str, **options: Any):
    arguments = options.pop("arguments", lambda p, base_lr: dict(p))
    multiplies = options.pop("multiplies", False)
    absolute = options.pop("absolute", False)
    framework_code, torch_code = _code(cls, function, arguments, multiplies)
    return FrameworkSchedule(
        name=cls,
        params=params,
        summary=summary,
        source=f"deepspeed.runtime.lr_schedules.{cls}",
        example=example,
        formula=_formula(function, arguments, multiplies),
        absolute=absolute,
        framework_code=framework_code,
        torch_code=torch_code,
        **options,
    )


def _total_steps(params: Mapping[str, Any]) -> tuple[str, int]:
    return ("total_num_steps", params["total_num_steps"] + 1)  # the first update runs before the first step()


SCHEDULES = (
    _schedule(
        "WarmupLR",
        warmup_decay_lr,
        (
            _MIN_LR,
            param("warmup_max_lr", "float", None, optional=True, help="maximum learning rate"),
            _WARMUP_NUM,
            _WARMUP_TYPE,
        ),
        "Increase the learning rate of each parameter group from min lr to max lr over warmup_num_steps steps, "
        "and then fix at max lr.",
        "lrviz plot deepspeed:WarmupLR --warmup-num-steps 100 --warmup-type linear --lr 1e-3 --steps 200",
        arguments=_peak,
        steps_of=lambda p: 2 * max(2, p["warmup_num_steps"]),
        events_of=_warmup_events,
        check=at_least(1, "warmup_num_steps"),
    ),
    _schedule(
        "WarmupDecayLR",
        warmup_decay_lr,
        (
            _TOTAL,
            _MIN_LR,
            param("warmup_max_lr", "float", 0.001, help="maximum learning rate"),
            _WARMUP_NUM,
            _WARMUP_TYPE,
        ),
        "Increase the learning rate of each parameter group from min lr to max lr over warmup_num_steps steps, "
        "and then decay at linear rate over the remaining training steps.",
        "lrviz plot deepspeed:WarmupDecayLR --total-num-steps 1000 --warmup-num-steps 100",
        absolute=True,
        steps_of=lambda p: p["total_num_steps"] + 1,
        length_of=_total_steps,
        events_of=_warmup_events,
        check=at_least(1, "warmup_num_steps", "total_num_steps"),
    ),
    _schedule(
        "WarmupCosineLR",
        warmup_cosine_ratio,
        (
            _TOTAL,
            param("warmup_min_ratio", "float", 0.0, help="warmup start learning rate ratio"),
            _WARMUP_NUM,
            param("cos_min_ratio", "float", 0.0001, help="cosine end learning rate ratio"),
            _WARMUP_TYPE,
        ),
        "Increase the learning rate of each parameter group from min lr ratio to max lr ratio over "
        "warmup_num_steps steps, and then decay at cosine rate over the remaining training steps to min cosine ratio.",
        "lrviz plot deepspeed:WarmupCosineLR --total-num-steps 1000 --warmup-num-steps 100 --lr 3e-4",
        multiplies=True,
        steps_of=lambda p: p["total_num_steps"] + 1,
        length_of=_total_steps,
        events_of=_warmup_events,
        check=at_least(1, "warmup_num_steps", "total_num_steps"),
    ),
    _schedule(
        "OneCycle",
        one_cycle_lr,
        (
            param(
                "cycle_min_lr",
                "float",
                help="Initial learning rate which is the lower boundary in the cycle for each parameter group.",
            ),
            param(
                "cycle_max_lr", "float", help="Upper learning rate boundaries in the cycle for each parameter group."
            ),
            param("decay_lr_rate", "float", 0.0, help="Decay rate for learning rate."),
            param(
                "cycle_first_step_size",
                "int",
                2000,
                help="Number of training iterations in the increasing half of a cycle.",
            ),
            param(
                "cycle_second_step_size",
                "int",
                None,
                optional=True,
                help="Number of training iterations in the decreasing half of a cycle.",
            ),
            param("cycle_first_stair_count", "int", 0, help="Number of stairs in first half of cycle phase."),
            param(
                "cycle_second_stair_count",
                "int",
                None,
                optional=True,
                help="Number of stairs in second half of cycle phase.",
            ),
            param("decay_step_size", "int", 0, help="Intervals for applying decay in decay phase."),
        ),
        "Sets the learning rate of each parameter group according to 1Cycle learning rate policy (1CLR).",
        "lrviz plot deepspeed:OneCycle --cycle-min-lr 1e-4 --cycle-max-lr 1e-3 --cycle-first-step-size 400 "
        "--decay-lr-rate 0.5 --decay-step-size 100 --steps 1200",
        absolute=True,
        steps_of=lambda p: int(_one_cycle_length(p) * 1.5) + 1,
        events_of=lambda p: [(p["cycle_first_step_size"] + 1, "peak"), (_one_cycle_length(p) + 1, "cycle end")],
        check=lambda p: (
            at_least(1, "cycle_first_step_size")(p)
            + at_least(
                0, "cycle_second_step_size", "cycle_first_stair_count", "cycle_second_stair_count", "decay_step_size"
            )(p)
        ),
    ),
    _schedule(
        "LRRangeTest",
        lr_range_test_lr,
        (
            param(
                "lr_range_test_min_lr",
                "float",
                1e-3,
                help="Initial learning rate which is the lower boundary in the range test for each parameter group.",
            ),
            param("lr_range_test_step_size", "int", 2000, help="Interval of training steps to increase learning rate."),
            param("lr_range_test_step_rate", "float", 1.0, help="Scaling rate for range test."),
            param("lr_range_test_staircase", "bool", False, help="Scale in staircase fashion, rather than continuous."),
        ),
        "Sets the learning rate of each parameter group according to learning rate range test (LRRT) policy.",
        "lrviz plot deepspeed:LRRangeTest --lr-range-test-min-lr 1e-5 --lr-range-test-step-size 100 --steps 1000",
        absolute=True,
        steps_of=lambda p: 5 * p["lr_range_test_step_size"],
        check=at_least(1, "lr_range_test_step_size"),
    ),
)
