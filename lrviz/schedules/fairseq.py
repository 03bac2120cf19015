"""fairseq (``fairseq.optim.lr_scheduler``): inverse_sqrt, cosine, polynomial_decay, tri_stage.

fairseq's schedulers set the optimizer's LR themselves from fairseq's ``--lr`` (``cfg.lr[0]``),
which is lrviz's ``--lr`` here. The trainer calls ``step_update(0)`` when it builds the scheduler and
``step_update(num_updates)`` after every update, so update k uses ``step_update(k)``; epoch
boundaries change nothing for these four (polynomial_decay's ``force_anneal`` and per-epoch ``--lr``
lists are not modelled). The arithmetic follows each class's ``__init__`` and ``step_update``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from lrviz.schedules._recipe_code import Code, lambda_source
from lrviz.schedules.base import FrameworkSchedule, LrFunction, at_least, param

FRAMEWORK = "fairseq"
TITLE = "fairseq"
PACKAGE = "fairseq"


def inverse_sqrt_lr(num_updates, lr, warmup_updates, warmup_init_lr):
    """InverseSquareRootSchedule.step_update: linear warmup, then lr * sqrt(warmup_updates / num_updates)."""
    if warmup_init_lr < 0:
        warmup_init_lr = 0 if warmup_updates > 0 else lr
    lr_step = (lr - warmup_init_lr) / warmup_updates
    decay_factor = lr * warmup_updates**0.5
    if num_updates < warmup_updates:
        return warmup_init_lr + num_updates * lr_step
    return decay_factor * num_updates**-0.5


def cosine_lr(
    num_updates, lr, warmup_updates, warmup_init_lr, min_lr, t_mult, lr_period_updates, lr_shrink, max_update
):
    """CosineLRSchedule.step_update: warmup, then cosine periods growing by t_mult, each shrunk by lr_shrink."""
    if warmup_init_lr < 0:
        warmup_init_lr = min_lr
    period = lr_period_updates if lr_period_updates > 0 else max_update - warmup_updates
    lr_step = (lr - warmup_init_lr) / warmup_updates if warmup_updates > 0 else 1
    if num_updates < warmup_updates:
        return warmup_init_lr + num_updates * lr_step
    curr_updates = num_updates - warmup_updates
    if t_mult != 1:
        i = math.floor(math.log(1 - curr_updates / period * (1 - t_mult), t_mult))
        t_i = t_mult**i * period
        t_curr = curr_updates - (1 - t_mult**i) / (1 - t_mult) * period
    else:
        i = math.floor(curr_updates / period)
        t_i = period
        t_curr = curr_updates - (period * i)
    shrink = lr_shrink**i
    low, high = min_lr * shrink, lr * shrink
    return low + 0.5 * (high - low) * (1 + math.cos(math.pi * t_curr / t_i))


def polynomial_decay_lr(num_updates, lr, warmup_updates, end_learning_rate, power, total_num_update):
    """PolynomialDecayLRSchedule.step_update: linear warmup, then (1 - progress)**power down to end_learning_rate."""
    if warmup_updates > 0 and num_updates <= warmup_updates:
        return num_updates / float(warmup_updates) * lr
    if num_updates >= total_num_update:
        return end_learning_rate
    lr_range = lr - end_learning_rate
    pct_remaining = 1 - (num_updates - warmup_updates) / (total_num_update - warmup_updates)
    return lr_range * pct_remaining ** (power) + end_learning_rate


def tri_stage_steps(warmup_steps, hold_steps, decay_steps, phase_ratio, max_update):
    """TriStageLRSchedule's stage lengths: given, or int(max_update * ratio) from phase_ratio."""
    if phase_ratio is not None:
        return tuple(int(max_update * ratio) for ratio in phase_ratio)
    return warmup_steps, hold_steps, decay_steps


def tri_stage_lr(num_updates, lr, warmup_steps, hold_steps, decay_steps, phase_ratio, init_lr_scale, final_lr_scale,
                 max_update):  # fmt: skip
    """TriStageLRSchedule.step_update: linear warmup, hold, exponential decay, then final_lr_scale * lr."""
    warmup, hold, decay = tri_stage_steps(warmup_steps, hold_steps, decay_steps, phase_ratio, max_update)
    init_lr = init_lr_scale * lr
    warmup_rate = (lr - init_lr) / warmup if warmup != 0 else 0
    decay_factor = -math.log(final_lr_scale) / decay
    if num_updates < warmup:
        return init_lr + warmup_rate * num_updates
    if num_updates < warmup + hold:
        return lr
    if num_updates <= warmup + hold + decay:
        return lr * math.exp(-decay_factor * (num_updates - warmup - hold))
    return final_lr_scale * lr


_WARMUP_HELP = "warmup the learning rate linearly for the first N updates"
_MAX_UPDATE = param("max_update", "int", 0, help="force stop training at specified update")


def _formula(function: Callable[..., float]) -> Callable[[Mapping[str, Any], float], LrFunction]:
    return lambda params, base_lr: partial(function, lr=base_lr, **params)


def _torch_code(function: Callable[..., float], *helpers: Callable[..., Any]) -> Callable[[Mapping[str, Any]], str]:
    def code(params: Mapping[str, Any]) -> str:
        arguments = {"lr": Code('optimizer.defaults["lr"]'), **params}  # fairseq's --lr is the optimizer's LR
        return lambda_source((*helpers, function), function.__name__, arguments, absolute=True)

    return code


def _schedule(name: str, cls: str, function: Callable[..., float], params: tuple, summary: str, example: str,
              *helpers: Callable[..., Any], **options: Any) -> FrameworkSchedule:  # fmt: skip
    return FrameworkSchedule(
        name=name,
        params=params,
        summary=summary,
        source=f"fairseq.optim.lr_scheduler.{cls}",
        example=example,
        formula=_formula(function),
        torch_code=_torch_code(function, *helpers),
        **options,
    )


def _cosine_check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = at_least(0, "warmup_updates")(params)
    if params["lr_period_updates"] <= 0:
        if params["max_update"] <= 0:
            problems.append(("max_update", "Either --max_update or --lr-period-updates must be set"))
        elif params["max_update"] <= params["warmup_updates"]:
            problems.append(("max_update", f"must exceed warmup_updates ({params['warmup_updates']}): "
                             "the cosine period is max_update - warmup_updates"))  # fmt: skip
    if params["t_mult"] < 1:
        problems.append(("t_mult", f"must be at least 1, got {params['t_mult']} (fairseq's log() fails once "
                         "shrinking periods run out)"))  # fmt: skip
    return problems


def _tri_stage_check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    ratio = params["phase_ratio"]
    if ratio is not None:
        if len(ratio) != 3 or sum(ratio) != 1:
            return [
                (
                    "phase_ratio",
                    "must be three ratios whose float sum is exactly 1 (fairseq asserts sum(phase_ratio) == 1), "
                    f"got {','.join(map(str, ratio))}",
                )
            ]
        if params["max_update"] <= 0:
            return [("max_update", "phase_ratio needs max_update above 0")]
    problems = at_least(0, "warmup_steps", "hold_steps", "decay_steps")(params)
    if params["final_lr_scale"] <= 0:
        problems.append(("final_lr_scale", f"must be above 0, got {params['final_lr_scale']} (its log is taken)"))
    _, _, decay = tri_stage_steps(*(params[k] for k in ("warmup_steps", "hold_steps", "decay_steps", "phase_ratio",
                                                        "max_update")))  # fmt: skip
    if not problems and decay < 1:
        # decay_factor = -log(final_lr_scale) / decay_steps is computed in __init__
        problems.append(
            ("phase_ratio" if ratio is not None else "decay_steps", "gives 0 decay steps: fairseq divides by them")
        )
    return problems


def _tri_stage_length(params: Mapping[str, Any]) -> int:
    keys = ("warmup_steps", "hold_steps", "decay_steps", "phase_ratio", "max_update")
    return sum(tri_stage_steps(*(params[k] for k in keys))) + 1


def _warmup_event(name: str) -> Callable[[Mapping[str, Any]], list[tuple[int, str]]]:
    return lambda p: [(p[name], "warmup end")] if p[name] else []


SCHEDULES = (
    _schedule(
        "inverse_sqrt",
        "InverseSquareRootSchedule",
        inverse_sqrt_lr,
        (
            param("warmup_updates", "int", 4000, help=_WARMUP_HELP),
            param("warmup_init_lr", "float", -1.0, help="initial learning rate during warmup phase; default is cfg.lr"),
        ),
        "Decay the LR based on the inverse square root of the update number.",
        "lrviz plot fairseq:inverse_sqrt --warmup-updates 4000 --warmup-init-lr 1e-7 --lr 5e-4 --steps 30000",
        steps_of=lambda p: 5 * p["warmup_updates"],
        events_of=_warmup_event("warmup_updates"),
        check=at_least(1, "warmup_updates"),
    ),
    _schedule(
        "cosine",
        "CosineLRSchedule",
        cosine_lr,
        (
            param("warmup_updates", "int", 0, help=_WARMUP_HELP),
            param("warmup_init_lr", "float", -1.0, help="initial learning rate during warmup phase; default is cfg.lr"),
            param("min_lr", "float", 0.0, help="min learning rate"),
            param("t_mult", "float", 1.0, help="factor to grow the length of each period"),
            param("lr_period_updates", "float", -1.0, help="initial number of updates per period"),
            param("lr_shrink", "float", 0.1, help="shrink factor for annealing"),
            _MAX_UPDATE,
        ),
        "Assign LR based on a cyclical schedule that follows the cosine function.",
        "lrviz plot fairseq:cosine --warmup-updates 500 --max-update 5000 --lr-period-updates 1500 --t-mult 2 "
        "--lr 1e-3 --min-lr 1e-5",
        steps_of=lambda p: (
            p["max_update"] if p["max_update"] > 0 else p["warmup_updates"] + 3 * int(p["lr_period_updates"])
        ),
        length_of=lambda p: ("max_update", p["max_update"]) if p["max_update"] > 0 else None,
        events_of=_warmup_event("warmup_updates"),
        check=_cosine_check,
    ),
    _schedule(
        "polynomial_decay",
        "PolynomialDecayLRSchedule",
        polynomial_decay_lr,
        (
            param("warmup_updates", "int", 0, help=_WARMUP_HELP),
            param("end_learning_rate", "float", 0.0, help="learning rate to decay to"),
            param("power", "float", 1.0, help="decay exponent"),
            param("total_num_update", "int", help="total number of updates over which to decay learning rate"),
        ),
        "Decay the LR on a fixed schedule.",
        "lrviz plot fairseq:polynomial_decay --warmup-updates 1000 --total-num-update 10000 --power 2 --lr 5e-4",
        steps_of=lambda p: p["total_num_update"],
        length_of=lambda p: ("total_num_update", p["total_num_update"]),
        events_of=_warmup_event("warmup_updates"),
        check=lambda p: at_least(0, "warmup_updates")(p) + at_least(1, "total_num_update")(p),
    ),
    _schedule(
        "tri_stage",
        "TriStageLRSchedule",
        tri_stage_lr,
        (
            param("warmup_steps", "int", 0, help=_WARMUP_HELP),
            param("hold_steps", "int", 0, help="steps in hold stage"),
            param("decay_steps", "int", 0, help="steps in decay stages"),
            param(
                "phase_ratio",
                "float_list",
                None,
                optional=True,
                help="if set, automatically sets warmup/hold/decay steps to the ratio specified here from max_updates.",
            ),  # fmt: skip
            param("init_lr_scale", "float", 0.01, help="initial learning rate scale during warmup phase"),
            param("final_lr_scale", "float", 0.01, help="final learning rate scale"),
            _MAX_UPDATE,
        ),
        "Tristage learning rate schedulr",
        "lrviz plot fairseq:tri_stage --phase-ratio 0.1,0.4,0.5 --max-update 20000 --lr 5e-5",
        tri_stage_steps,
        steps_of=_tri_stage_length,
        length_of=lambda p: ("max_update", p["max_update"]) if p["max_update"] > 0 else None,
        check=_tri_stage_check,
    ),
)
