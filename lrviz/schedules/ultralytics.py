"""Ultralytics YOLO (``ultralytics.engine.trainer.BaseTrainer``): the linear or cosine ``lf`` with its warmup.

The trainer builds ``LambdaLR(optimizer, lf)`` with ``lf(x) = max(1 - x / epochs, 0) * (1 - lrf) + lrf``
(or ``one_cycle(1, lrf, epochs)`` with ``cos_lr``), calls ``scheduler.step()`` at the *start* of each
epoch (so epoch e trains at ``lr0 * lf(e + 1)``), and over the first ``nw = round(min(warmup_epochs,
epochs - 1) * nb)`` batches interpolates each group's LR with ``np.interp`` from 0 (the bias group:
``warmup_bias_lr``) to ``lr0 * lf(epoch)``, while gradient accumulation ramps from 1 to
``round(nbs / batch)``. lrviz's update k is the trainer's k-th *optimizer step* (one every
``accumulate`` batches), with the LR that step uses. LRs are absolute (``lr0``; ``--lr`` is refused);
``optimizer=auto`` would replace ``lr0`` and zero ``warmup_bias_lr``: give the values it chose.

``ultralytics:yolov5`` is YOLOv5's ``train.py`` (ultralytics/yolov5): no clamp in ``lf``, a warmup of
``max(round(warmup_epochs * nb), 100)`` batches, accumulation ramping to ``nbs / batch``, and
``scheduler.step()`` at each epoch's *end* after ``scheduler.last_epoch = -1``, so epoch e trains at
``lr0 * lf(e - 1)`` (epoch 0 at ``lf(0)``): one epoch behind its own formula.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lrviz.schedules._recipe_code import Code, lambda_source
from lrviz.schedules.base import FrameworkSchedule, at_least, param

FRAMEWORK = "ultralytics"
TITLE = "Ultralytics YOLO"
PACKAGE = "ultralytics"

_KEYS = ("lr0", "lrf", "epochs", "cos_lr", "warmup_epochs", "warmup_bias_lr", "nb", "batch", "nbs", "param_group")


def trainer_steps(lr0, lrf, epochs, cos_lr, warmup_epochs, warmup_bias_lr, nb, batch, nbs, param_group, lf=None):
    """(batch index, LR) of each optimizer step, in order, as BaseTrainer._do_train runs (past `epochs`: on).

    `lf` is the trainer's LambdaLR lambda; None: BaseTrainer._setup_scheduler's, written out here."""
    import math

    import numpy as np

    if lf is None and cos_lr:  # one_cycle(1, lrf, epochs)
        lf = lambda x: max((1 - math.cos(x * math.pi / epochs)) / 2, 0) * (lrf - 1) + 1  # noqa: E731
    elif lf is None:
        lf = lambda x: max(1 - x / epochs, 0) * (1.0 - lrf) + lrf  # noqa: E731
    acc0 = min(max(round(nbs / batch), 1), nb * epochs)  # _setup_train's accumulate, capped
    accumulate = acc0
    capped_warmup = min(warmup_epochs, max(epochs - 1, 0))
    nw = round(capped_warmup * nb) if capped_warmup > 0 else 0
    last_opt_step, epoch = -1, 0
    while True:
        lr = lr0 * lf(epoch + 1)  # scheduler.step() at the epoch's start: LambdaLR's initial_lr * lf(last_epoch)
        for i in range(nb):
            ni = i + nb * epoch
            if nw and ni <= nw:
                xi = [0, nw]
                accumulate = max(1, int(np.interp(ni, xi, [1, acc0]).round()))
                start = warmup_bias_lr if param_group == "bias" else 0.0
                lr = float(np.interp(ni, xi, [start, lr0 * lf(epoch)]))
            if ni - last_opt_step >= accumulate:
                last_opt_step = ni
                yield ni, lr
        epoch += 1


def yolov5_steps(lr0, lrf, epochs, cos_lr, warmup_epochs, warmup_bias_lr, nb, batch, nbs, param_group, lf=None):
    """(batch index, LR) of each optimizer step, in order, as YOLOv5's train.py runs (past `epochs`: on).

    `lf` is train.py's LambdaLR lambda; None: its own, written out here."""
    import math

    import numpy as np

    if lf is None and cos_lr:  # one_cycle(1, lrf, epochs), YOLOv5's (no clamp at 0)
        lf = lambda x: ((1 - math.cos(x * math.pi / epochs)) / 2) * (lrf - 1) + 1  # noqa: E731
    elif lf is None:
        lf = lambda x: (1 - x / epochs) * (1.0 - lrf) + lrf  # noqa: E731
    accumulate = max(round(nbs / batch), 1)
    nw = max(round(warmup_epochs * nb), 100)  # number of warmup iterations, max(3 epochs, 100 iterations)
    last_opt_step, epoch = -1, 0
    lr = lr0 * lf(0)  # LambdaLR's constructor; then scheduler.last_epoch = start_epoch - 1 = -1
    while True:
        for i in range(nb):
            ni = i + nb * epoch
            if ni <= nw:
                xi = [0, nw]
                accumulate = max(1, np.interp(ni, xi, [1, nbs / batch]).round())
                start = warmup_bias_lr if param_group == "bias" else 0.0
                lr = float(np.interp(ni, xi, [start, lr0 * lf(epoch)]))
            if ni - last_opt_step >= accumulate:
                last_opt_step = ni
                yield ni, lr
        lr = lr0 * lf(epoch)  # scheduler.step() at the epoch's end: last_epoch -1 -> 0 after epoch 0, so one behind
        epoch += 1


class TrainerLrs:
    """k -> the LR of optimizer step k (steps are produced in order and remembered)."""

    def __init__(self, steps, **params):
        self._steps = steps(**params)
        self._lrs = []

    def __call__(self, k):
        while len(self._lrs) <= k:
            self._lrs.append(next(self._steps)[1])
        return self._lrs[k]


def _arguments(params: Mapping[str, Any]) -> dict[str, Any]:
    return {key: params[key] for key in _KEYS}


def warmup_iterations(trainer: str, params: Mapping[str, Any]) -> int:
    """nw: BaseTrainer._get_warmup_iterations(nb), or YOLOv5's max(round(warmup_epochs * nb), 100)."""
    if trainer == "yolov5":
        return max(round(params["warmup_epochs"] * params["nb"]), 100)
    capped_warmup = min(params["warmup_epochs"], max(params["epochs"] - 1, 0))
    return round(capped_warmup * params["nb"]) if capped_warmup > 0 else 0


_STEPS = {"ultralytics": trainer_steps, "yolov5": yolov5_steps}


def _step_counts(trainer: str, params: Mapping[str, Any]) -> tuple[int, int]:
    """(optimizer steps up to the end of warmup, optimizer steps in `epochs` epochs)."""
    nw, iterations = warmup_iterations(trainer, params), params["nb"] * params["epochs"]
    warmup_steps, last_ni = 0, -1
    for ni, _ in _STEPS[trainer](**_arguments(params)):
        if ni >= iterations:
            return warmup_steps, warmup_steps
        if ni > nw:
            break
        warmup_steps, last_ni = warmup_steps + 1, ni
    # after warmup one step every `accumulate` batches: the value warmup ends on
    accumulate = max(round(params["nbs"] / params["batch"]), 1)
    if trainer == "ultralytics":
        accumulate = min(accumulate, iterations)
    return warmup_steps, warmup_steps + (iterations - 1 - last_ni) // accumulate


_LAMBDA_MODULE = {"ultralytics": "ultralytics.utils.torch_utils", "yolov5": "yolov5.utils.general"}


def _arguments_code(trainer: str, params: Mapping[str, Any], framework: bool) -> dict[str, Any]:
    arguments = {"steps": Code(_STEPS[trainer].__name__), **_arguments(params)}
    if framework and params["cos_lr"]:
        arguments["lf"] = Code(f"one_cycle(1, {params['lrf']!r}, {params['epochs']!r})")
    return arguments


def _code(trainer: str, framework: bool) -> Callable[[Mapping[str, Any]], str]:
    """The trainer's loop replayed around its lambda: with `framework`, the framework's own ``one_cycle`` (the
    linear lf is written inline in the trainer, not importable)."""

    def code(params: Mapping[str, Any]) -> str:
        arguments = _arguments_code(trainer, params, framework)
        source = lambda_source((_STEPS[trainer], TrainerLrs), "TrainerLrs", arguments, absolute=True, bind=False)
        if not framework:
            return source
        return source.replace("import torch\n", f"import torch\nfrom {_LAMBDA_MODULE[trainer]} import one_cycle\n", 1)

    return code


def _check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    return at_least(1, "epochs", "nb", "batch", "nbs")(params) + at_least(0, "warmup_epochs")(params)


_PARAMS = (
    param("nb", "int", help="number of batches per epoch: len(train_loader)"),
    param("epochs", "int", 100, help="number of epochs to train for"),
    param("lr0", "float", 0.01, help="initial learning rate (SGD=1e-2, Adam/AdamW=1e-3)"),
    param("lrf", "float", 0.01, help="final LR fraction; final LR = lr0 * lrf"),
    param("cos_lr", "bool", False, help="cosine learning rate scheduler"),
    param("warmup_epochs", "float", 3.0, help="warmup epochs (fractions allowed)"),
    param("warmup_bias_lr", "float", 0.1, help="bias learning rate during warmup"),
    param("batch", "int", 16, help="batch size as int (e.g. 16)"),
    param(
        "nbs",
        "int",
        64,
        help="nominal batch size; gradients accumulate over round(nbs / batch) batches per optimizer step",
    ),
    param(
        "param_group",
        "choice",
        "weight",
        choices=("weight", "bias", "bn"),
        help="the optimizer's parameter group to draw (bias warms up from warmup_bias_lr)",
    ),
)


def _member(trainer: str, name: str, aliases: tuple[str, ...], summary: str, source: str, example: str):
    return FrameworkSchedule(
        name=name,
        aliases=aliases,
        params=_PARAMS,
        summary=summary,
        source=source,
        example=example,
        formula=lambda p, base_lr: TrainerLrs(_STEPS[trainer], **_arguments(p)),
        absolute=True,
        steps_of=lambda p: _step_counts(trainer, p)[1],
        length_of=lambda p: ("epochs", _step_counts(trainer, p)[1]),
        events_of=lambda p: [(_step_counts(trainer, p)[0], "warmup end")] if warmup_iterations(trainer, p) else [],
        check=_check,
        framework_code=_code(trainer, framework=True),
        torch_code=_code(trainer, framework=False),
    )


SCHEDULES = (
    _member(
        "ultralytics",
        "BaseTrainer",
        ("yolo", "lf"),
        "Initialize training learning rate scheduler.",
        "ultralytics.engine.trainer.BaseTrainer._setup_scheduler",
        "lrviz plot ultralytics:BaseTrainer --nb 500 --epochs 100 --batch 16 --cos-lr true",
    ),
    _member(
        "yolov5",
        "yolov5",
        ("yolov5_train",),
        "YOLOv5's train.py: LambdaLR(optimizer, lf) stepped at each epoch's end, with a warmup of at least 100 batches",
        "yolov5.train.train",
        "lrviz plot ultralytics:yolov5 --nb 500 --epochs 300 --batch 16",
    ),
)
