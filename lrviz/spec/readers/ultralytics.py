"""Ultralytics YOLO `default.yaml` and hyperparameter files: lr0, lrf, cos_lr, warmup_*, epochs, batch, nbs.

The schedule is lrviz's `ultralytics:BaseTrainer` (BaseTrainer's LambdaLR and its per-batch
warmup, counted in optimizer steps), drawn for two of its param groups: the weights, which warm
up from 0, and the biases, which warm down from `warmup_bias_lr`. The batches per epoch are
BaseTrainer's `len(self.train_loader)`: each of the `world_size` processes loads batches of
`batch // world_size` from its ceil(dataset / world_size) images, the last partial batch kept.
`optimizer: auto` (the default) chooses for itself, as `build_optimizer` does: over 10,000
iterations it trains at lr0 0.01 with no bias warmup; below, its AdamW LR depends on the number of
classes, which the config does not hold, so lrviz asks for the optimizer and lr0 instead.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError
from lrviz.spec.readers.base import Reading, RunFacts, RunSummary, fact_or, missing_fact, number, positive_int

FRAMEWORK = "ultralytics"
DEFAULTS: dict[str, Any] = {  # ultralytics/cfg/default.yaml (8.4)
    "epochs": 100,
    "batch": 16,
    "lr0": 0.01,
    "lrf": 0.01,
    "cos_lr": False,
    "warmup_epochs": 3.0,
    "warmup_bias_lr": 0.1,
    "nbs": 64,
    "optimizer": "auto",
}


def detect(data: Any, path: str) -> bool:
    """A mapping with YOLO's `lr0` and `lrf`."""
    return isinstance(data, dict) and "lr0" in data and "lrf" in data


def _where(data: dict[str, Any], key: str, path: str) -> str:
    line = getattr(data, "key_lines", {}).get(key)
    return f"{path}:{line}: {key}" if line else f"{path}: {key}"


def _batches(data: dict[str, Any], facts: RunFacts, path: str) -> tuple[int, int, str, dict[str, Any]]:
    """(total batch, batches per epoch nb, how, facts used)."""
    batch = facts.batch_size if facts.batch_size is not None else data.get("batch", DEFAULTS["batch"])
    if isinstance(batch, (int, float)) and not isinstance(batch, bool) and batch < 1:
        raise missing_fact(
            "batch_size", "batch -1 (or a fraction) is AutoBatch, which sizes it to the GPU", "--batch-size"
        )
    batch = positive_int(batch, _where(data, "batch", path) if facts.batch_size is None else "--batch-size")
    if facts.steps_per_epoch is not None:
        return batch, facts.steps_per_epoch, "--steps-per-epoch batches", {"batch": batch}
    if facts.dataset_size is None:
        raise missing_fact(
            "dataset_size",
            "the config trains in epochs of the dataset's batches",
            "--dataset-size, or --steps-per-epoch",
        )
    world = fact_or(facts, "world_size", 1)
    per_process = math.ceil(facts.dataset_size / world)
    per_device = max(batch // world, 1)
    nb = math.ceil(per_process / per_device)
    how = f"dataset {facts.dataset_size} / (batch {per_device} x {world} processes) = {nb} batches per epoch"
    return batch, nb, how, {"dataset_size": facts.dataset_size, "batch": batch, "world_size": world}


def _auto_optimizer(data: dict[str, Any], params: dict[str, Any], dataset: int | None, path: str) -> tuple:
    """(lr0, warmup_bias_lr, note) after `optimizer: auto`, as build_optimizer chooses."""
    if str(data.get("optimizer", DEFAULTS["optimizer"])) != "auto":
        return params["lr0"], params["warmup_bias_lr"], ""
    if dataset is None:
        raise missing_fact(
            "dataset_size", "optimizer auto chooses the LR from the dataset's size", "--dataset-size, or set optimizer"
        )
    iterations = math.ceil(dataset / max(params["batch"], params["nbs"])) * params["epochs"]
    if iterations > 10000:
        return 0.01, 0.0, f"; optimizer auto: {iterations} iterations > 10000, so lr0 0.01 and no bias warmup"
    raise SpecError(
        f"optimizer auto picks AdamW for {iterations} iterations, with an lr0 from the dataset's number of "
        "classes; set optimizer and lr0 in the config",
        _where(data, "optimizer", path),
    )


def read(data: dict[str, Any], path: str, facts: RunFacts) -> Reading:
    """lrviz's spec for an Ultralytics config: BaseTrainer's schedule for the weights and the biases."""
    if facts.grad_accum is not None:
        raise SpecError("Ultralytics accumulates round(nbs / batch) batches itself: set nbs instead", "--grad-accum")
    params = {key: data.get(key, default) for key, default in DEFAULTS.items() if key != "optimizer"}
    epochs = facts.epochs if facts.epochs is not None else params["epochs"]
    params["epochs"] = positive_int(epochs, "--epochs" if facts.epochs is not None else _where(data, "epochs", path))
    batch, nb, how, used = _batches(data, facts, path)
    for key in ("lr0", "lrf", "warmup_epochs", "warmup_bias_lr"):
        params[key] = number(params[key], _where(data, key, path))
    params.update(batch=batch, nb=nb)
    params["lr0"], params["warmup_bias_lr"], note = _auto_optimizer(data, params, facts.dataset_size, path)
    curves = [
        {"label": f"{Path(path).stem} [{group}]", "scheduler": {"type": "ultralytics:BaseTrainer", **params}}
        for group in ("weight", "bias")
    ]
    for curve, group in zip(curves, ("weight", "bias"), strict=True):
        curve["scheduler"]["param_group"] = group
    from lrviz import schedules

    total = schedules.lookup("ultralytics:BaseTrainer").default_steps({**params, "param_group": "weight"})
    how += f", accumulating round({params['nbs']} / {batch}) of them per optimizer step; {params['epochs']} epochs"
    run = RunSummary(total, None, params["epochs"], how + note, {**used, "batches_per_epoch": nb})
    return Reading({"curves": curves}, FRAMEWORK, run)
