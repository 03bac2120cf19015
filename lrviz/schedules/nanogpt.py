"""nanoGPT (karpathy/nanoGPT ``train.py``): ``get_lr``, linear warmup then cosine decay to ``min_lr``.

nanoGPT is a script, not a library: its schedule is the module-level ``get_lr(it)`` over the
config globals ``learning_rate``, ``warmup_iters``, ``lr_decay_iters``, ``min_lr`` and ``decay_lr``,
and the loop sets ``lr = get_lr(iter_num) if decay_lr else learning_rate`` before update ``iter_num``
(0, 1, ..., ``max_iters``: the loop stops once ``iter_num > max_iters``, so it runs ``max_iters + 1``
updates). The LRs are absolute: ``--lr`` means nothing here, ``--learning-rate`` is the peak.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from typing import Any

from lrviz.schedules._recipe_code import lambda_source
from lrviz.schedules.base import FrameworkSchedule, at_least, param

FRAMEWORK = "nanogpt"
TITLE = "nanoGPT (train.py)"
PACKAGE = ""  # a script: there is no package whose own call --code could print


def get_lr(it, *, learning_rate, warmup_iters, lr_decay_iters, min_lr, decay_lr=True):
    """nanoGPT's get_lr(it), its config globals as keywords (``decay_lr=False``: constant)."""
    if not decay_lr:
        return learning_rate
    if it < warmup_iters:  # the ramp reaches learning_rate one step after it ends: (it + 1) / (W + 1)
        return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters:  # past the decay: held at the floor
        return min_lr
    progress = (it - warmup_iters) / (lr_decay_iters - warmup_iters)  # 0 -> 1 over the decay
    weight = 0.5 * (1.0 + math.cos(math.pi * progress))  # 1 -> 0: half a cosine period
    return min_lr + weight * (learning_rate - min_lr)


_SCHEDULE_KEYS = ("learning_rate", "warmup_iters", "lr_decay_iters", "min_lr", "decay_lr")


def _arguments(params: Mapping[str, Any]) -> dict[str, Any]:
    return {name: params[name] for name in _SCHEDULE_KEYS}


def _check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    problems = at_least(0, "warmup_iters", "max_iters", "lr_decay_iters")(params)
    if params["decay_lr"] and params["lr_decay_iters"] == params["warmup_iters"]:
        # get_lr divides by lr_decay_iters - warmup_iters at it == warmup_iters
        problems.append(
            (
                "lr_decay_iters",
                f"must differ from warmup_iters ({params['warmup_iters']}): get_lr divides by their difference",
            )
        )
    return problems


SCHEDULES = (
    FrameworkSchedule(
        name="get_lr",
        aliases=("cosine",),
        params=(
            param("learning_rate", "float", 6e-4, help="max learning rate"),
            param("max_iters", "int", 600000, help="total number of training iterations"),
            param("decay_lr", "bool", True, help="whether to decay the learning rate"),
            param("warmup_iters", "int", 2000, help="how many steps to warm up for"),
            param("lr_decay_iters", "int", 600000, help="should be ~= max_iters per Chinchilla"),
            param("min_lr", "float", 6e-5, help="minimum learning rate, should be ~= learning_rate/10 per Chinchilla"),
        ),
        summary="learning rate decay scheduler (cosine with warmup)",
        source="train.get_lr",
        example="lrviz plot nanogpt:get_lr --warmup-iters 100 --lr-decay-iters 5000 --max-iters 5000",
        formula=lambda p, base_lr: partial(get_lr, **_arguments(p)),
        absolute=True,
        steps_of=lambda p: p["max_iters"] + 1,
        length_of=lambda p: ("max_iters", p["max_iters"] + 1),
        events_of=lambda p: (
            [(p["warmup_iters"], "warmup end"), (p["lr_decay_iters"] + 1, "min_lr")] if p["decay_lr"] else []
        ),
        check=_check,
        torch_code=lambda p: lambda_source((get_lr,), "get_lr", _arguments(p), absolute=True),
    ),
)
