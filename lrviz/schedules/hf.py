"""Hugging Face transformers: the schedules of ``transformers.optimization`` (``SchedulerType``).

Each is an LR multiplier (transformers builds a ``LambdaLR``), so ``--lr`` is the peak LR.
Formulas follow transformers' ``_get_*_lr_lambda`` functions line for line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lrviz.schedules.base import FrameworkSchedule, LrFunction, at_least, multiplier, param

FRAMEWORK = "hf"
TITLE = "Hugging Face transformers"
PACKAGE = "transformers"

_WARMUP = param("num_warmup_steps", "int", help="The number of steps for the warmup phase")
_TRAINING = param("num_training_steps", "int", help="The total number of training steps")


def _linear(params: Mapping[str, Any]) -> LrFunction:
    warmup, total = params["num_warmup_steps"], params["num_training_steps"]

    def factor(current_step: int) -> float:
        if current_step < warmup:
            return float(current_step) / float(max(1, warmup))
        return max(0.0, float(total - current_step) / float(max(1, total - warmup)))

    return factor


SCHEDULES = (
    FrameworkSchedule(
        name="linear",
        params=(_WARMUP, _TRAINING),
        summary="Create a schedule with a learning rate that decreases linearly from the initial lr set in the "
        "optimizer to 0, after a warmup period during which it increases linearly from 0 to the initial lr",
        source="transformers.get_linear_schedule_with_warmup",
        example="lrviz plot hf:linear --num-warmup-steps 100 --num-training-steps 1000 --lr 3e-4",
        formula=multiplier(_linear),
        steps_of=lambda p: p["num_training_steps"],
        length_of=lambda p: ("num_training_steps", p["num_training_steps"]),
        events_of=lambda p: [(p["num_warmup_steps"], "warmup end")] if p["num_warmup_steps"] else [],
        check=at_least(0, "num_warmup_steps", "num_training_steps"),
        framework_code=lambda p: (
            "transformers.get_linear_schedule_with_warmup(optimizer, "
            f"num_warmup_steps={p['num_warmup_steps']!r}, num_training_steps={p['num_training_steps']!r})"
        ),
    ),
)
