"""Hugging Face TrainingArguments as JSON or YAML, and the recipe YAMLs of TRL, alignment-handbook, open-r1.

The schedule is what `Trainer.create_scheduler` builds: `get_scheduler(lr_scheduler_type,
num_warmup_steps=args.get_warmup_steps(max_steps), num_training_steps=max_steps,
scheduler_specific_kwargs=lr_scheduler_kwargs)` (lrviz's `hf:` family), with `learning_rate` as
the optimizer's LR. The steps are the Trainer's (`set_initial_training_values`, transformers 5):
`len(train_dataloader)` on one process — batches of `per_device_train_batch_size` (the last one
dropped with `dataloader_drop_last`), shared out over the processes by accelerate with even
batches, so each gets ceil(batches / world_size) — then one update per
`gradient_accumulation_steps` batches, rounded up; `max_steps` when it is positive, else
ceil(num_train_epochs x updates per epoch). Keys that are not about the schedule (model, data,
logging) are ignored.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError
from lrviz.spec.readers.base import Reading, RunFacts, RunSummary, fact_or, missing_fact, number, positive_int

FRAMEWORK = "hf"
# keys only TrainingArguments (and the recipes built on it) have: any one of them says "Hugging Face"
MARKERS = (
    "lr_scheduler_type",
    "learning_rate",
    "per_device_train_batch_size",
    "num_train_epochs",
    "warmup_ratio",
    "output_dir",
)
DEFAULTS: dict[str, Any] = {  # TrainingArguments' defaults (transformers 5.23)
    "learning_rate": 5e-5,
    "lr_scheduler_type": "linear",
    "num_train_epochs": 3.0,
    "max_steps": -1,
    "per_device_train_batch_size": 8,
    "gradient_accumulation_steps": 1,
    "warmup_steps": 0,
    "dataloader_drop_last": False,
}


def detect(data: Any, path: str) -> bool:
    """A mapping with a TrainingArguments key (learning_rate, lr_scheduler_type, ...)."""
    return isinstance(data, dict) and any(key in data for key in MARKERS)


def _where(data: dict[str, Any], key: str, path: str) -> str:
    line = getattr(data, "key_lines", {}).get(key)
    return f"{path}:{line}: {key}" if line else f"{path}: {key}"


def _value(data: dict[str, Any], key: str) -> Any:
    return data.get(key, DEFAULTS[key])


def _kwargs(data: dict[str, Any], path: str) -> dict[str, Any]:
    """lr_scheduler_kwargs: a mapping, or the JSON text of one (TrainingArguments takes both)."""
    kwargs = data.get("lr_scheduler_kwargs") or {}
    if isinstance(kwargs, str):
        try:
            kwargs = json.loads(kwargs)
        except json.JSONDecodeError:
            raise SpecError("expected a mapping or its JSON text", _where(data, "lr_scheduler_kwargs", path)) from None
    if not isinstance(kwargs, dict):
        raise SpecError("expected a mapping", _where(data, "lr_scheduler_kwargs", path))
    return dict(kwargs)


def _updates_per_epoch(data: dict[str, Any], facts: RunFacts, path: str) -> tuple[int, str, dict[str, Any]] | None:
    """Optimizer updates per epoch, how they were counted and the facts used; None without a dataset size."""
    if facts.steps_per_epoch is not None:
        return facts.steps_per_epoch, "--steps-per-epoch", {}
    if facts.dataset_size is None:
        return None
    batch = fact_or(facts, "batch_size", None) or positive_int(
        _value(data, "per_device_train_batch_size"), _where(data, "per_device_train_batch_size", path)
    )
    accumulation = fact_or(facts, "grad_accum", None) or positive_int(
        _value(data, "gradient_accumulation_steps"), _where(data, "gradient_accumulation_steps", path)
    )
    world = fact_or(facts, "world_size", 1)
    drop_last = fact_or(facts, "drop_last", bool(_value(data, "dataloader_drop_last")))
    dataset = facts.dataset_size
    all_batches = dataset // batch if drop_last else math.ceil(dataset / batch)
    per_process = all_batches // world if drop_last else math.ceil(all_batches / world)
    updates = max(math.ceil(per_process / accumulation), 1)
    rounding = "rounded down" if drop_last else "rounded up"
    how = f"dataset {dataset} / (batch {batch} x {world} processes) = {per_process} batches per process, {rounding}"
    if accumulation > 1:
        how += f", / {accumulation} accumulated, rounded up"
    used = {
        "dataset_size": dataset,
        "batch_size": batch,
        "world_size": world,
        "grad_accum": accumulation,
        "drop_last": drop_last,
    }
    return updates, how, used


def _total(data: dict[str, Any], facts: RunFacts, path: str) -> tuple[int, int | None, float | None, str, dict]:
    """(max_steps, updates per epoch or None, epochs or None, how, facts used)."""
    max_steps = int(number(_value(data, "max_steps"), _where(data, "max_steps", path)))
    epochs = (
        facts.epochs
        if facts.epochs is not None
        else number(_value(data, "num_train_epochs"), _where(data, "num_train_epochs", path))
    )
    per_epoch = _updates_per_epoch(data, facts, path)
    if max_steps > 0:
        if per_epoch is None:
            return max_steps, None, None, f"max_steps {max_steps}", {}
        updates, how, used = per_epoch
        return max_steps, updates, None, f"{how}; max_steps {max_steps}", used
    if per_epoch is None:
        raise missing_fact(
            "dataset_size",
            f"the config trains for {epochs:g} epochs (num_train_epochs) and sets no max_steps",
            "--dataset-size (and --batch-size, --world-size, --grad-accum if the config's are not the run's), "
            "or --steps-per-epoch",
        )
    updates, how, used = per_epoch
    total = math.ceil(epochs * updates)
    return total, updates, epochs, f"{how}; {epochs:g} epochs", used


def _warmup(data: dict[str, Any], total: int, path: str) -> tuple[int, str]:
    """TrainingArguments.get_warmup_steps: warmup_steps from 1 on are steps, below 1 a ratio (rounded
    up); transformers 4's warmup_ratio is read as transformers 4 read it (when warmup_steps is 0)."""
    steps = number(_value(data, "warmup_steps"), _where(data, "warmup_steps", path))
    if steps < 0:
        raise SpecError(f"expected 0 or more, got {steps:g}", _where(data, "warmup_steps", path))
    if steps >= 1:
        return int(steps), ""
    if steps == 0 and "warmup_ratio" in data:
        ratio = number(data["warmup_ratio"], _where(data, "warmup_ratio", path))
        return math.ceil(total * ratio), f"; warmup ceil({total} x warmup_ratio {ratio:g})"
    return math.ceil(total * steps), (f"; warmup ceil({total} x {steps:g})" if steps else "")


def read(data: dict[str, Any], path: str, facts: RunFacts) -> Reading:
    """lrviz's spec for TrainingArguments: the Trainer's scheduler over its own count of updates."""
    total, per_epoch, epochs, how, used = _total(data, facts, path)
    warmup, warmup_how = _warmup(data, total, path)
    name = str(_value(data, "lr_scheduler_type"))
    from lrviz import schedules

    schedule = schedules.lookup(f"hf:{name}")
    if schedule is None:
        raise SpecError(
            f"a scheduler lrviz's hf family does not have: {name!r}", _where(data, "lr_scheduler_type", path)
        )
    taken = {p.name for p in schedule.params}
    scheduler: dict[str, Any] = {"type": f"hf:{name}"}
    if "num_warmup_steps" in taken:
        scheduler["num_warmup_steps"] = warmup
    if "num_training_steps" in taken:
        scheduler["num_training_steps"] = total
    scheduler.update(_kwargs(data, path))
    lr = number(_value(data, "learning_rate"), _where(data, "learning_rate", path))
    raw: dict[str, Any] = {"label": Path(path).stem, "lr": lr, "steps": total, "scheduler": scheduler}
    if per_epoch is not None:
        raw["steps_per_epoch"] = per_epoch
    run = RunSummary(total, per_epoch, epochs, how + warmup_how, {**used, "warmup_steps": warmup, "lr": lr})
    return Reading(raw, FRAMEWORK, run)
