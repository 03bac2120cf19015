"""DeepSpeed JSON configs: the `scheduler` section (`{"type": "WarmupDecayLR", "params": {...}}`).

The schedule is `deepspeed.runtime.lr_schedules.<type>(optimizer, **params)` (lrviz's `deepspeed:`
family), stepped by the engine after every optimizer step, with `optimizer.params.lr` as the
optimizer's LR. DeepSpeed's batch is `train_batch_size = train_micro_batch_size_per_gpu x
gradient_accumulation_steps x world size`; with `--dataset-size` (and `--epochs`) an epoch is
DeepSpeed's training dataloader on one process (a DistributedSampler's ceil(dataset / world size)
samples in micro-batches, the last partial one kept) divided by the accumulation. `"auto"`
values are filled in by the Hugging Face Trainer's integration, not by DeepSpeed: lrviz asks for
the number.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError
from lrviz.spec.readers.base import Reading, RunFacts, RunSummary, fact_or, missing_fact, positive_int

FRAMEWORK = "deepspeed"
BATCH_KEYS = ("train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps")
# the schedules whose values are the optimizer's LR times a factor (the others set absolute LRs)
USES_OPTIMIZER_LR = ("WarmupCosineLR",)


def detect(data: Any, path: str) -> bool:
    """A DeepSpeed config: a `scheduler` with `params`, or DeepSpeed's batch or ZeRO keys."""
    scheduler = data.get("scheduler") if isinstance(data, dict) else None
    if isinstance(scheduler, dict) and "params" in scheduler:
        return True
    # not gradient_accumulation_steps alone: Hugging Face's TrainingArguments have it too
    own_keys = ("train_batch_size", "train_micro_batch_size_per_gpu", "zero_optimization")
    return isinstance(data, dict) and any(key in data for key in own_keys)


def _no_auto(values: dict[str, Any], where: str) -> None:
    for key, value in values.items():
        if value == "auto":
            raise SpecError(
                "'auto' is filled in by the Hugging Face Trainer, not DeepSpeed: give the number", f"{where}.{key}"
            )


def _micro_batches(data: dict[str, Any], facts: RunFacts, path: str) -> tuple[int, int, int]:
    """(micro batch per process, accumulation, world size): DeepSpeed's batch triangle, the flags first."""
    world = fact_or(facts, "world_size", 1)
    _no_auto({k: data[k] for k in BATCH_KEYS if k in data}, path)
    accumulation = facts.grad_accum or data.get("gradient_accumulation_steps")
    micro = facts.batch_size or data.get("train_micro_batch_size_per_gpu")
    total = data.get("train_batch_size")
    if micro is None and total is not None:
        micro = total // (world * (accumulation or 1))
    if accumulation is None:
        accumulation = total // (world * micro) if total is not None and micro else 1
    if not micro:
        raise missing_fact("batch_size", "the config gives no train_micro_batch_size_per_gpu", "--batch-size")
    return positive_int(micro, f"{path}: train_micro_batch_size_per_gpu"), positive_int(accumulation, path), world


def _run(data: dict[str, Any], params: dict[str, Any], facts: RunFacts, path: str) -> tuple[int | None, RunSummary]:
    """(steps to draw, the run): total_num_steps, or epochs of the dataset when the facts say so."""
    total = params.get("total_num_steps")
    per_epoch, how, used = facts.steps_per_epoch, "", {}
    if facts.dataset_size is not None and per_epoch is None:
        micro, accumulation, world = _micro_batches(data, facts, path)
        batches = math.ceil(math.ceil(facts.dataset_size / world) / micro)
        per_epoch = max(batches // accumulation, 1)
        how = f"dataset {facts.dataset_size} / (micro-batch {micro} x {world} processes) = {batches} batches"
        how += f", / {accumulation} accumulated" if accumulation > 1 else ""
        used = {
            "dataset_size": facts.dataset_size,
            "batch_size": micro,
            "grad_accum": accumulation,
            "world_size": world,
        }
    if facts.epochs is not None:
        if per_epoch is None:
            raise missing_fact(
                "dataset_size", "--epochs needs the steps per epoch", "--dataset-size or --steps-per-epoch"
            )
        total = math.ceil(facts.epochs * per_epoch)
        how += f"; {facts.epochs:g} epochs"
    elif total is not None:
        how += ("; " if how else "") + f"total_num_steps {total}"
    return total, RunSummary(total or 0, per_epoch, facts.epochs, how, used)


def read(data: dict[str, Any], path: str, facts: RunFacts) -> Reading:
    """lrviz's spec for a DeepSpeed config: its scheduler over the engine's optimizer steps."""
    scheduler = data.get("scheduler")
    if not isinstance(scheduler, dict) or "type" not in scheduler:
        raise SpecError("no scheduler section with a type: DeepSpeed then leaves the LR alone", path)
    params = dict(scheduler.get("params") or {})
    params.pop("last_batch_iteration", None)  # resuming: lrviz draws the run from its start
    _no_auto(params, f"{path}: scheduler.params")
    name = str(scheduler["type"])
    raw: dict[str, Any] = {"label": Path(path).stem, "scheduler": {"type": f"deepspeed:{name}", **params}}
    optimizer = (data.get("optimizer") or {}).get("params") or {}
    if name in USES_OPTIMIZER_LR or (name == "WarmupLR" and "warmup_max_lr" not in params):
        if "lr" not in optimizer:
            raise SpecError(f"{name} scales the optimizer's LR: the config has no optimizer.params.lr", path)
        _no_auto(optimizer, f"{path}: optimizer.params")
        raw["lr"] = optimizer["lr"]
    total, run = _run(data, params, facts, path)
    if total is not None:
        raw["steps"] = total  # with --epochs, the run's length: a total_num_steps that disagrees shows
    if run.steps_per_epoch is not None:
        raw["steps_per_epoch"] = run.steps_per_epoch
    return Reading(raw, FRAMEWORK, run)
