"""What every config reader shares: the run facts, the reading it hands back, the step arithmetic.

A reader module (one per framework, in this package) defines

- ``FRAMEWORK``: the family prefix of its schedules (``"mmengine"``), which ``--from`` names;
- ``detect(data, path) -> bool``: whether the loaded file (a mapping, or an ``ast.Module`` for a
  ``.py`` config) is that framework's config, judged by its content;
- ``read(data, path, facts) -> Reading``: lrviz's own spec mapping (the YAML format of README:
  ``scheduler: {type: "mmengine:param_scheduler", ...}``, ``lr``, ``steps``, ...) and the run it
  describes, with optimizer steps counted as that framework's trainer counts them.

Nothing here imports torch or the frameworks; a config is never executed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lrviz.errors import SpecError

# fact -> the flag that gives it (the YAML `run:` key is the fact's own name)
FACT_FLAGS: dict[str, str] = {
    "dataset_size": "--dataset-size",
    "batch_size": "--batch-size",
    "world_size": "--world-size",
    "grad_accum": "--grad-accum",
    "drop_last": "--drop-last",
    "epochs": "--epochs",
    "steps_per_epoch": "--steps-per-epoch",
}


@dataclass(frozen=True)
class RunFacts:
    """What a config does not say about the run; every fact is optional (None: not given)."""

    dataset_size: int | None = None  # training examples
    batch_size: int | None = None  # per device (per process)
    world_size: int | None = None  # processes (GPUs)
    grad_accum: int | None = None  # batches per optimizer step
    drop_last: bool | None = None  # whether the last, partial batch of an epoch is dropped
    epochs: float | None = None
    steps_per_epoch: int | None = None  # optimizer steps (iterations) per epoch, when known directly

    def given(self) -> dict[str, Any]:
        """The facts that were given, by name."""
        return {name: getattr(self, name) for name in FACT_FLAGS if getattr(self, name) is not None}


@dataclass(frozen=True)
class RunSummary:
    """The run a config describes: optimizer steps per epoch and in total, and how they were counted."""

    total_steps: int
    steps_per_epoch: int | None = None
    epochs: float | None = None
    how: str = ""  # "dataset 60000 / (batch 8 x 8 processes), rounded up"
    facts: dict[str, Any] = field(default_factory=dict)  # the values used, config and flags alike

    def text(self) -> str:
        """One line for under the table."""
        counted = f" ({self.how})" if self.how else ""
        if self.steps_per_epoch is None:
            return f"optimizer steps: {self.total_steps:,} in total{counted}"
        return f"optimizer steps: {self.steps_per_epoch:,} per epoch, {self.total_steps:,} in total{counted}"

    def to_dict(self) -> dict[str, Any]:
        """The export's `"run"` record."""
        record: dict[str, Any] = dict(self.facts)
        record["steps_per_epoch"] = self.steps_per_epoch
        record["total_steps"] = self.total_steps
        if self.epochs is not None:
            record["epochs"] = self.epochs
        return record


@dataclass(frozen=True)
class Reading:
    """What a reader makes of a config: lrviz's spec mapping, and the run."""

    raw: dict[str, Any]
    framework: str
    run: RunSummary
    origins: dict[str, str] = field(default_factory=dict)  # config key -> "file:line", for errors


def missing_fact(fact: str, why: str, alternatives: str) -> SpecError:
    """The error for a run fact the schedule needs: names the flag to add."""
    return SpecError(f"{why}; add {alternatives}", FACT_FLAGS[fact])


def fact_or(facts: RunFacts, name: str, default: Any) -> Any:
    """The fact `name`, or `default` when it was not given."""
    value = getattr(facts, name)
    return default if value is None else value


def batches(samples: int, batch_size: int, drop_last: bool) -> int:
    """len(DataLoader) over `samples` examples: a partial last batch counts unless dropped."""
    return samples // batch_size if drop_last else math.ceil(samples / batch_size)


def check_epoch(length: int, how: str) -> int:
    """`length` iterations per epoch, unless there are none (every batch dropped): an error on the flag."""
    if length < 1:
        raise SpecError(f"an epoch of no iterations ({how}): the dataset is smaller than a batch", "--dataset-size")
    return length


def processes_text(batch_size: int, world_size: int) -> str:
    """`batch 8 x 8 processes` (or `batch 8` on one process)."""
    return f"batch {batch_size} x {world_size} processes" if world_size > 1 else f"batch {batch_size}"


def positive_int(value: Any, where: str, what: str = "a positive integer") -> int:
    """`value` as an int >= 1 (a config's `12`, or `12.0`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 1:
        raise SpecError(f"expected {what}, got {value!r}", where)
    return int(value)


def number(value: Any, where: str, what: str = "a number") -> float:
    """`value` as a float (YAML gives `3e-4` as text: PyYAML reads it so)."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"expected {what}, got {value!r}", where)
    return float(value)


def facts_from_flags(values: dict[str, Any], where: dict[str, str] | None = None) -> RunFacts:
    """RunFacts from the run flags' text (`--dataset-size 60000`, `--drop-last`, ...) or a YAML `run:`
    mapping's values; errors name `where[fact]` (the flag by default)."""
    from lrviz.spec.model import parse_float, parse_int

    where = {**FACT_FLAGS, "keep_last": "--no-drop-last", **(where or {})}
    if "drop_last" in values and "keep_last" in values:
        raise SpecError("cannot be combined with --drop-last", where["keep_last"])
    counts = {}
    for name in ("dataset_size", "batch_size", "world_size", "grad_accum", "steps_per_epoch"):
        if name in values:
            count = parse_int(values[name], where[name], "a positive integer")
            if count < 1:
                raise SpecError(f"expected a positive integer, got {count}", where[name])
            counts[name] = count
    epochs = None
    if "epochs" in values:
        epochs = parse_float(values["epochs"], where["epochs"], "a number of epochs")
        if not 0 < epochs <= 1e9:
            raise SpecError(f"expected a positive number of epochs, got {values['epochs']}", where["epochs"])
    drop_last = None
    if "drop_last" in values:
        drop_last = True if values["drop_last"] == "true" else values["drop_last"]  # a flag's text, or YAML's bool
        if not isinstance(drop_last, bool):
            raise SpecError(f"expected true or false, got {drop_last!r}", where["drop_last"])
    elif "keep_last" in values:
        drop_last = False
    return RunFacts(**counts, drop_last=drop_last, epochs=epochs)
