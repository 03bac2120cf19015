"""Megatron-Core (``megatron.core.optimizer_param_scheduler.OptimizerParamScheduler``): warmup, then decay.

The scheduler sets the LR itself (``--lr`` is refused; ``max_lr`` is Megatron-LM's ``--lr``). Its
constructor calls ``step(0)``, so update 0 uses ``num_steps = 0``; Megatron-LM's trainer then calls
``step(increment=...)`` after every successful update, with ``increment`` = the global batch size
(its ``*_steps`` count samples: ``lr_decay_steps = lr_decay_iters * global_batch_size``). So update
k uses ``num_steps = k * increment``; ``increment`` 1 counts iterations. Defaults are Megatron-LM's
argument defaults; the weight-decay arguments are left out (they do not touch the LR).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from typing import Any

from lrviz.schedules._recipe_code import Code, call, framework_source, lambda_source
from lrviz.schedules.base import FrameworkSchedule, at_least, param

FRAMEWORK = "megatron"
TITLE = "Megatron-Core"
PACKAGE = "megatron.core"

_LR_KEYS = (
    "init_lr", "max_lr", "min_lr", "lr_warmup_steps", "lr_decay_steps", "lr_decay_style", "wsd_decay_steps",
    "lr_wsd_decay_style",
)  # fmt: skip


def megatron_lr(
    num_steps, init_lr, max_lr, min_lr, lr_warmup_steps, lr_decay_steps, lr_decay_style, wsd_decay_steps,
    lr_wsd_decay_style,
):  # fmt: skip
    """OptimizerParamScheduler.get_lr at ``num_steps`` (no per-group max_lr / min_lr override)."""
    max_lr = float(max_lr)
    # Use linear warmup for the initial part.
    if lr_warmup_steps > 0 and num_steps <= lr_warmup_steps:
        return init_lr + ((max_lr - init_lr) * float(num_steps) / float(lr_warmup_steps))
    if lr_decay_style == "constant":
        return max_lr
    if num_steps > lr_decay_steps:
        return min_lr
    if lr_decay_style == "inverse-square-root":
        warmup_steps = max(lr_warmup_steps, 1)
        num_steps = max(num_steps, 1)
        lr = max_lr * warmup_steps**0.5 / (num_steps**0.5)
        return max(min_lr, lr)
    decay_ratio = float(num_steps - lr_warmup_steps) / float(lr_decay_steps - lr_warmup_steps)
    delta_lr = max_lr - min_lr
    if lr_decay_style == "linear":
        coeff = 1.0 - decay_ratio
    elif lr_decay_style == "cosine":
        coeff = 0.5 * (math.cos(math.pi * decay_ratio) + 1.0)
    else:  # "WSD"
        wsd_anneal_start_ = lr_decay_steps - wsd_decay_steps
        if num_steps <= wsd_anneal_start_:
            coeff = 1.0
        else:
            wsd_decay_ratio = float(num_steps - wsd_anneal_start_) / float(wsd_decay_steps)
            if lr_wsd_decay_style == "linear":
                coeff = 1.0 - wsd_decay_ratio
            elif lr_wsd_decay_style == "cosine":
                coeff = 0.5 * (math.cos(math.pi * wsd_decay_ratio) + 1.0)
            elif lr_wsd_decay_style == "exponential":
                coeff = (2.0 * math.pow(0.5, wsd_decay_ratio)) - 1.0
            else:  # "minus_sqrt"
                coeff = 1.0 - math.sqrt(wsd_decay_ratio)
    return min_lr + coeff * delta_lr


def update_lr(k, increment, **schedule):
    """The LR of update k: the trainer has stepped the scheduler by `increment` k times."""
    return megatron_lr(k * increment, **schedule)


def _schedule_arguments(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"increment": params["increment"], **{key: params[key] for key in _LR_KEYS}}


def _check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The constructor's assertions, as messages on the parameter at fault."""
    problems = at_least(0.0, "min_lr")(params) + at_least(1, "lr_decay_steps", "increment")(params)
    if params["max_lr"] is not None and params["max_lr"] < params["min_lr"]:
        problems.append(("max_lr", f"must be at least min_lr ({params['min_lr']:g})"))
    if params["max_lr"] is not None and params["init_lr"] > params["max_lr"]:
        problems.append(("init_lr", f"must be at most max_lr ({params['max_lr']:g})"))
    if params["lr_decay_steps"] is not None and params["lr_warmup_steps"] >= params["lr_decay_steps"]:
        problems.append(("lr_warmup_steps", f"must be below lr_decay_steps ({params['lr_decay_steps']})"))
    if params["lr_decay_style"] == "WSD" and params["wsd_decay_steps"] is None:
        problems.append(("wsd_decay_steps", "is required by lr_decay_style WSD"))
    return problems


def _steps(params: Mapping[str, Any]) -> int:
    return -(-params["lr_decay_steps"] // params["increment"]) + 1  # the first update past the decay is min_lr


def _events(params: Mapping[str, Any]) -> list[tuple[int, str]]:
    events = [(-(-params["lr_warmup_steps"] // params["increment"]), "warmup end")] if params["lr_warmup_steps"] else []
    if params["lr_decay_style"] == "WSD" and params["wsd_decay_steps"] is not None:
        anneal = params["lr_decay_steps"] - params["wsd_decay_steps"]
        events.append((anneal // params["increment"] + 1, "WSD anneal"))
    return events


def _framework_code(params: Mapping[str, Any]) -> str:
    arguments = {"optimizer": Code("optimizer"), **{key: params[key] for key in _LR_KEYS}}
    arguments |= {"start_wd": 0.0, "end_wd": 0.0, "wd_incr_steps": 1, "wd_incr_style": "constant"}
    return framework_source(
        "import warnings\n\n"
        "with warnings.catch_warnings():  # megatron.core warns on CPU (no Transformer Engine, torch.jit)\n"
        '    warnings.simplefilter("ignore")\n'
        "    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler",
        f"    scheduler = {call('OptimizerParamScheduler', arguments)}\n"
        "\n"
        "    class TrainerStep:  # Megatron-LM's trainer: step(increment=global batch size) after each update\n"
        "        def step(self):\n"
        f"            scheduler.step(increment={params['increment']!r})\n"
        "\n"
        "    return TrainerStep()\n",
    )


SCHEDULES = (
    FrameworkSchedule(
        name="OptimizerParamScheduler",
        aliases=("opt_param_scheduler",),
        params=(
            param("max_lr", "float", help="maximum learning rate"),
            param("lr_decay_steps", "int", help="number of decay steps"),
            param("lr_warmup_steps", "int", 0, help="number of warmup steps"),
            param("init_lr", "float", 0.0, help="initial learning rate"),
            param("min_lr", "float", 0.0, help="minimum learning rate"),
            param(
                "lr_decay_style",
                "choice",
                "linear",
                choices=("constant", "linear", "cosine", "inverse-square-root", "WSD"),
                help="decay style for learning rate",
            ),
            param("wsd_decay_steps", "int", None, optional=True, help="number of weight decay decay steps"),
            param(
                "lr_wsd_decay_style",
                "choice",
                "exponential",
                choices=("exponential", "linear", "cosine", "minus_sqrt"),
                help="decay style for learning rate during weight decay decay steps",
            ),
            param(
                "increment",
                "int",
                1,
                help="what the trainer adds to num_steps per update (Megatron-LM: the global batch size)",
            ),
        ),
        summary="Anneals learning rate and weight decay",
        source="megatron.core.optimizer_param_scheduler.OptimizerParamScheduler",
        example="lrviz plot megatron:OptimizerParamScheduler --max-lr 3e-4 --min-lr 3e-5 --lr-warmup-steps 100 "
        "--lr-decay-steps 1000 --lr-decay-style cosine",
        formula=lambda p, base_lr: partial(update_lr, **_schedule_arguments(p)),
        absolute=True,
        steps_of=_steps,
        length_of=lambda p: ("lr_decay_steps", _steps(p)),
        events_of=_events,
        check=_check,
        framework_code=_framework_code,
        torch_code=lambda p: lambda_source(
            (megatron_lr, update_lr), "update_lr", _schedule_arguments(p), absolute=True
        ),
    ),
)
