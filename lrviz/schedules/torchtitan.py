"""torchtitan (``torchtitan.components.optimizer.lr_scheduler``): linear warmup, then warmup-stable-decay.

``LRSchedulersContainer.Config.build`` turns its config (``warmup_steps``, ``total_steps``,
``decay_ratio``, ``decay_type``, ``min_lr_factor``; the trainer passes ``training.steps``) into a
``LambdaLR`` over ``linear_warmup_stable_decay``, stepped after every optimizer step. It is an LR
multiplier: ``--lr`` is the optimizer's LR (``optimizer.lr``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from typing import Any

from lrviz.schedules._recipe_code import call, framework_source, lambda_source
from lrviz.schedules.base import FrameworkSchedule, LrFunction, at_least, multiplier, param

FRAMEWORK = "torchtitan"
TITLE = "torchtitan"
PACKAGE = "torchtitan"

_CONFIG_KEYS = ("warmup_steps", "total_steps", "decay_ratio", "decay_type", "min_lr_factor")


def linear_warmup_stable_decay(
    current_step, warmup_steps, stable_steps, decay_steps, lr_decay_type, min_lr_factor
):  # fmt: skip
    """torchtitan's LambdaLR factor: linear warmup, a stable phase, then linear / sqrt / cosine decay."""
    warmup_stable_steps = warmup_steps + stable_steps
    if current_step < warmup_steps:
        # linear warmup; 0-indexed step, hence + 1 adjustments
        current_step += 1
        curr_adjustment = float(current_step / warmup_steps)
    elif current_step < warmup_stable_steps:
        curr_adjustment = 1.0
    else:
        # 0-indexed step, hence + 1 adjustments
        current_step += 1
        progress = float(current_step - warmup_stable_steps) / decay_steps
        if lr_decay_type == "linear":
            curr_adjustment = 1 - progress
        elif lr_decay_type == "sqrt":
            curr_adjustment = 1 - math.sqrt(progress)
        else:  # "cosine"
            curr_adjustment = 0.5 * (1.0 + math.cos(math.pi * progress))
        curr_adjustment = min_lr_factor + (1 - min_lr_factor) * curr_adjustment
    return curr_adjustment


def phases(params: Mapping[str, Any]) -> dict[str, Any]:
    """The factor's keyword arguments, derived from the config as ``Config.build`` derives them."""
    total_steps = params["total_steps"] if params["total_steps"] is not None else params["training_steps"]
    warmup_steps = min(int(params["warmup_steps"]), total_steps)  # build lowers warmup to total (a warning)
    if params["decay_ratio"] is not None:
        decay_steps = min(round(total_steps * params["decay_ratio"]), total_steps - warmup_steps)
    else:
        decay_steps = total_steps - warmup_steps
    return {
        "warmup_steps": warmup_steps,
        # a virtual last step keeps the LR from dropping to 0
        "stable_steps": total_steps + 1 - warmup_steps - decay_steps,
        "decay_steps": decay_steps,
        "lr_decay_type": params["decay_type"],
        "min_lr_factor": params["min_lr_factor"],
    }


def _factor(params: Mapping[str, Any]) -> LrFunction:
    return partial(linear_warmup_stable_decay, **phases(params))


def _check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = at_least(0, "warmup_steps", "decay_ratio")(params) + at_least(1, "training_steps", "total_steps")(params)
    if not problems and phases(params)["decay_steps"] == 0:
        # the factor asserts decay_steps != 0 as soon as the stable phase ends
        culprit = "decay_ratio" if params["decay_ratio"] is not None else "warmup_steps"
        problems.append((culprit, "leaves 0 decay steps: torchtitan fails an assertion after the stable phase"))
    return problems


def _events(params: Mapping[str, Any]) -> list[tuple[int, str]]:
    found = phases(params)
    decay_start = found["warmup_steps"] + found["stable_steps"] - 1  # the first update below the peak
    events = [(found["warmup_steps"], "warmup end")] if found["warmup_steps"] else []
    return [*events, (decay_start, "decay start")] if found["stable_steps"] > 1 else events


def _framework_code(params: Mapping[str, Any]) -> str:
    config = call("LRSchedulersContainer.Config", {key: params[key] for key in _CONFIG_KEYS})
    return framework_source(
        "from torchtitan.components.optimizer.lr_scheduler import LRSchedulersContainer",
        f"    config = {config}\n"
        f"    container = config.build(optimizers=[optimizer], training_steps={params['training_steps']!r})\n"
        "    return container.schedulers[0]  # the trainer steps the container after each optimizer step\n",
    )


SCHEDULES = (
    FrameworkSchedule(
        name="linear_warmup_stable_decay",
        aliases=("lr_scheduler", "wsd"),
        params=(
            param("training_steps", "int", 10000, help="How many train steps to run"),
            param("warmup_steps", "int", 200, help="Steps for lr scheduler warmup, normally 1/5 of --training.steps"),
            param("total_steps", "int", None, optional=True, help="Total steps for LR schedule calculation."),
            param(
                "decay_ratio",
                "float",
                None,
                optional=True,
                help="Controls the proportion of the training steps allocated to the learning rate decay phase.",
            ),
            param(
                "decay_type",
                "choice",
                "linear",
                choices=("linear", "sqrt", "cosine"),
                help="Learning rate decay type to use during training",
            ),
            param("min_lr_factor", "float", 0.0, help="Min lr ratio for lr scheduler."),
        ),
        summary="Computes linear warmup followed by stable learning rate for a while, then some type of decay.",
        source="torchtitan.components.optimizer.lr_scheduler.LRSchedulersContainer.Config.build",
        example="lrviz plot torchtitan:linear_warmup_stable_decay --training-steps 1000 "
        "--decay-ratio 0.2 --decay-type sqrt --lr 3e-4",
        formula=multiplier(_factor),
        steps_of=lambda p: p["training_steps"],
        length_of=lambda p: (
            ("total_steps", p["total_steps"])
            if p["total_steps"] is not None
            else ("training_steps", p["training_steps"])
        ),
        events_of=_events,
        check=_check,
        framework_code=_framework_code,
        torch_code=lambda p: lambda_source(
            (linear_warmup_stable_decay,), "linear_warmup_stable_decay", phases(p), absolute=False
        ),
    ),
)
