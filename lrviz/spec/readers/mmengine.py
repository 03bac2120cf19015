"""OpenMMLab (mmengine) Python configs: mmdetection, mmpretrain, mmsegmentation, mmpose ...

Read with `ast` (lrviz.spec.readers._pyconfig), never executed, `_base_` files merged as mmengine does.
The schedule is the config's `param_scheduler` list, run as mmengine's Runner runs it: a missing
`end` becomes the loop's `max_epochs` (by-epoch schedulers) or `max_iters`, the LR is
`optim_wrapper.optimizer.lr` (scaled by `auto_scale_lr` when it is enabled), and an epoch is
`len(train_dataloader)` on one process: DefaultSampler gives each of `world_size` processes
ceil(dataset / world_size) samples, batched by `train_dataloader.batch_size`.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError
from lrviz.spec.readers._pyconfig import PyConfig, read_pyconfig
from lrviz.spec.readers.base import (
    Reading,
    RunFacts,
    RunSummary,
    batches,
    check_epoch,
    fact_or,
    missing_fact,
    positive_int,
)

FRAMEWORK = "mmengine"
ADAM_OPTIMIZERS = {"Adam": "Adam", "AdamW": "AdamW"}  # whose beta1 momentum schedulers set


def detect(data: Any, path: str) -> bool:
    """Every Python config is an OpenMMLab config: that is the only kind of .py lrviz reads."""
    return isinstance(data, ast.Module)


def _where(config: PyConfig, key: str, path: str) -> str:
    return f"{config.lines.get(key, path)}: {key}"


def _mapping(config: PyConfig, key: str, path: str) -> dict[str, Any]:
    value = config.values.get(key, {})
    if not isinstance(value, dict):
        raise SpecError(f"expected dict(...), got {value!r}", _where(config, key, path))
    return value


def _schedulers(config: PyConfig, path: str) -> list[dict[str, Any]]:
    if "param_scheduler" not in config.values:
        raise SpecError("no param_scheduler in the config or its _base_ files: nothing to plot", path)
    value = config.values["param_scheduler"]
    entries = [value] if isinstance(value, dict) else value
    if not isinstance(entries, (list, tuple)) or not all(isinstance(e, dict) for e in entries) or not entries:
        raise SpecError("expected dict(...) or a list of them", _where(config, "param_scheduler", path))
    return [_plain(entry) for entry in entries]


def _plain(value: Any) -> Any:
    """Tuples as lists, as lrviz's YAML mappings hold them."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _loop(config: PyConfig, path: str) -> tuple[bool, int]:
    """(epoch-based, its length in epochs or iterations), as Runner.build_train_loop chooses the loop."""
    train_cfg = _mapping(config, "train_cfg", path)
    where = _where(config, "train_cfg", path)
    kind = str(train_cfg.get("type", "")).rpartition(".")[2]
    epoch_based = kind == "EpochBasedTrainLoop" or (not kind and bool(train_cfg.get("by_epoch", True)))
    if kind == "IterBasedTrainLoop" or (not epoch_based and "max_iters" in train_cfg):
        if "max_iters" not in train_cfg:
            raise SpecError("an iteration-based loop without max_iters", where)
        return False, positive_int(train_cfg["max_iters"], f"{where}.max_iters")
    if "max_epochs" not in train_cfg:
        raise SpecError("no train_cfg with max_epochs or max_iters: lrviz cannot tell how long the run is", where)
    return True, positive_int(train_cfg["max_epochs"], f"{where}.max_epochs")


def _optimizer(config: PyConfig, path: str) -> tuple[dict[str, Any], str]:
    """The optimizer's dict (optim_wrapper.optimizer, or a pre-mmengine `optimizer`) and its file:line key."""
    wrapper = _mapping(config, "optim_wrapper", path)
    if isinstance(wrapper.get("optimizer"), dict):
        return wrapper["optimizer"], _where(config, "optim_wrapper", path) + ".optimizer"
    optimizer = _mapping(config, "optimizer", path)
    if optimizer:
        return optimizer, _where(config, "optimizer", path)
    raise SpecError("no optim_wrapper.optimizer with an lr in the config or its _base_ files", path)


def _batch_size(config: PyConfig, facts: RunFacts, path: str) -> int:
    if facts.batch_size is not None:
        return facts.batch_size
    loader = _mapping(config, "train_dataloader", path)
    if "batch_size" not in loader:
        raise missing_fact("batch_size", "the config has no train_dataloader.batch_size", "--batch-size (per process)")
    return positive_int(loader["batch_size"], _where(config, "train_dataloader", path) + ".batch_size")


def _epoch_length(config: PyConfig, facts: RunFacts, path: str, why: str) -> tuple[int, str, dict[str, Any]]:
    """Iterations per epoch, how they were counted, and the facts used."""
    if facts.steps_per_epoch is not None:
        return facts.steps_per_epoch, "--steps-per-epoch", {}
    if facts.dataset_size is None:
        raise missing_fact(
            "dataset_size", f"{why}; lrviz needs the iterations per epoch", "--dataset-size, or --steps-per-epoch"
        )
    batch = _batch_size(config, facts, path)
    world = fact_or(facts, "world_size", 1)
    loader = _mapping(config, "train_dataloader", path)
    batch_sampler = loader.get("batch_sampler") if isinstance(loader.get("batch_sampler"), dict) else {}
    drop_last = fact_or(facts, "drop_last", bool(loader.get("drop_last", batch_sampler.get("drop_last", False))))
    per_process = math.ceil(facts.dataset_size / world)  # DefaultSampler (round_up or not, on rank 0)
    length = batches(per_process, batch, drop_last)
    shares = f"ceil({facts.dataset_size} / {world} processes) = {per_process} per process, " if world > 1 else ""
    how = f"{shares}{per_process} / batch {batch}, {'dropping' if drop_last else 'keeping'} the last partial batch"
    used = {"dataset_size": facts.dataset_size, "batch_size": batch, "world_size": world, "drop_last": drop_last}
    return check_epoch(length, how), how, used


def _scaled_lr(config: PyConfig, lr: float, facts: RunFacts, path: str) -> tuple[float, str]:
    """The LR after `auto_scale_lr` (when enabled): lr * world_size * batch_size / base_batch_size."""
    scaling = _mapping(config, "auto_scale_lr", path)
    if not scaling.get("enable", False):
        return lr, ""
    base = positive_int(scaling.get("base_batch_size"), _where(config, "auto_scale_lr", path) + ".base_batch_size")
    real = fact_or(facts, "world_size", 1) * _batch_size(config, facts, path)
    return lr * real / base, f"; lr x {real}/{base} (auto_scale_lr)"


def _fill_ends(entries: list[dict[str, Any]], max_epochs: int, max_iters: int) -> None:
    """What Runner._build_param_scheduler does: a missing `end` is the loop's length in the scheduler's unit."""
    for entry in entries:
        entry.setdefault("end", max_epochs if entry.get("by_epoch", True) else max_iters)


def read(data: ast.Module, path: str, facts: RunFacts) -> Reading:
    """lrviz's spec for an OpenMMLab config: its param_scheduler run over the train loop."""
    config = read_pyconfig(data, path)
    entries = _schedulers(config, path)
    epoch_based, length = _loop(config, path)
    optimizer, optimizer_where = _optimizer(config, path)
    if "lr" not in optimizer:
        raise SpecError("the optimizer has no lr", optimizer_where)
    lr = optimizer["lr"]
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or lr <= 0:
        raise SpecError(f"expected a positive number, got {lr!r}", optimizer_where + ".lr")
    lr, scaled = _scaled_lr(config, float(lr), facts, path)
    if facts.epochs is not None:
        if not epoch_based:
            raise SpecError(f"the config's loop counts iterations (max_iters={length}), not epochs", "--epochs")
        length = positive_int(facts.epochs, "--epochs", "a whole number of epochs")
    by_epoch = [i for i, e in enumerate(entries) if e.get("by_epoch", True) and not e.get("convert_to_iter_based")]
    if not epoch_based and by_epoch:
        raise SpecError(
            "by_epoch=True (mmengine's default) in an iteration-based loop: IterBasedTrainLoop never steps it; "
            "set by_epoch=False",
            f"{_where(config, 'param_scheduler', path)}[{by_epoch[0]}]",
        )
    used: dict[str, Any] = {}
    if epoch_based:
        why = f"the config trains for {length} epochs (train_cfg.max_epochs)"
        epoch_length, how, used = _epoch_length(config, facts, path, why)
        total, summary = length * epoch_length, f"{how}; {length} epochs"
    else:
        epoch_length, total, summary = facts.steps_per_epoch, length, f"train_cfg.max_iters {length}"
    _fill_ends(entries, length if epoch_based else 1, total)
    if fact_or(facts, "grad_accum", 1) > 1:
        summary += "; mmengine steps the schedulers every iteration, accumulating gradients or not"
    raw: dict[str, Any] = {
        "label": Path(path).stem,
        "lr": lr,
        "steps": total,
        "scheduler": {
            "type": "mmengine:param_scheduler",
            "epoch_length": epoch_length or 1,
            "param_scheduler": entries,
        },
    }
    if epoch_length is not None:
        raw["steps_per_epoch"] = epoch_length
    if optimizer.get("type") in ADAM_OPTIMIZERS:
        raw["optimizer"] = ADAM_OPTIMIZERS[optimizer["type"]]
    epochs = length if epoch_based else None
    run = RunSummary(total, epoch_length, epochs, summary + scaled, {**used, "lr": lr})
    return Reading(raw, FRAMEWORK, run, dict(config.lines))
