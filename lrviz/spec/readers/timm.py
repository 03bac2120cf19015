"""timm's `args.yaml`, the arguments its train.py writes beside each run (sched, epochs, lr, warmup_*, ...).

The schedule is what train.py builds: `create_scheduler_v2(optimizer, **scheduler_kwargs(args),
updates_per_epoch=...)` (lrviz's `timm:` family), stepped with `step_update` after every update
and `step(epoch + 1)` after every epoch, for the `num_epochs` it returns (the cycles, the
cooldown and a warmup prefix included). An update is `grad_accum_steps` batches of the training
loader, which drops its last partial batch, on one of `world_size` processes (a
DistributedSampler's ceil(dataset / world_size) samples each). With `lr: null`, train.py derives
the LR: `lr_base x (batch_size x world_size x grad_accum_steps / lr_base_size)`, square-rooted
for Ada* and LAMB optimizers (`lr_base_scale`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError
from lrviz.spec.readers.base import (
    Reading,
    RunFacts,
    RunSummary,
    check_epoch,
    fact_or,
    missing_fact,
    number,
    positive_int,
)

FRAMEWORK = "timm"
DEFAULTS: dict[str, Any] = {  # scheduler_kwargs' defaults and train.py's
    "sched": "cosine",
    "epochs": 100,
    "decay_epochs": 90,
    "decay_milestones": [90, 180, 270],
    "warmup_epochs": 5,
    "cooldown_epochs": 0,
    "decay_rate": 0.1,
    "min_lr": 0.0,
    "warmup_lr": 1e-5,
    "warmup_prefix": False,
    "lr_noise": None,
    "lr_noise_pct": 0.67,
    "lr_noise_std": 1.0,
    "seed": 42,
    "lr_cycle_mul": 1.0,
    "lr_cycle_decay": 0.1,
    "lr_cycle_limit": 1,
    "lr_k_decay": 1.0,
    "sched_on_updates": False,
    "batch_size": 128,
    "grad_accum_steps": 1,
    "lr": None,
    "lr_base": 0.1,
    "lr_base_size": 256,
    "lr_base_scale": "",
    "opt": "sgd",
}
SCHEDULES = {"cosine": "timm:cosine", "tanh": "timm:tanh", "poly": "timm:poly", "step": "timm:step"}
SCHEDULES |= {"multistep": "timm:multistep", "constant": "timm:step"}


def detect(data: Any, path: str) -> bool:
    """timm's train.py arguments: `sched` with its `lr_base` or `warmup_lr`."""
    return isinstance(data, dict) and "sched" in data and ("lr_base" in data or "warmup_lr" in data)


def _arg(data: dict[str, Any], key: str) -> Any:
    value = data.get(key, DEFAULTS[key])
    return DEFAULTS[key] if value is None and key not in ("lr", "lr_noise") else value


def _updates_per_epoch(data: dict[str, Any], facts: RunFacts) -> tuple[int, int, str, dict[str, Any]]:
    """(updates per epoch, world size, how, facts used), as train.py counts `updates_per_epoch`."""
    world = fact_or(facts, "world_size", 1)
    if facts.steps_per_epoch is not None:
        return facts.steps_per_epoch, world, "--steps-per-epoch", {"world_size": world}
    if facts.dataset_size is None:
        raise missing_fact("dataset_size", "timm's schedule counts epochs", "--dataset-size or --steps-per-epoch")
    batch = facts.batch_size or positive_int(_arg(data, "batch_size"), "batch_size")
    accumulation = facts.grad_accum or positive_int(_arg(data, "grad_accum_steps"), "grad_accum_steps")
    drop_last = fact_or(facts, "drop_last", True)  # create_loader(is_training=True) drops it
    per_process = math.ceil(facts.dataset_size / world)
    loader = per_process // batch if drop_last else math.ceil(per_process / batch)
    updates = (loader + accumulation - 1) // accumulation
    how = f"dataset {facts.dataset_size} / (batch {batch} x {world} processes) = {loader} batches"
    how += f", / {accumulation} accumulated" if accumulation > 1 else ""
    used = {"dataset_size": facts.dataset_size, "batch_size": batch, "world_size": world, "grad_accum": accumulation}
    return check_epoch(updates, how), world, how, used


def _lr(data: dict[str, Any], facts: RunFacts, world: int) -> tuple[float, str]:
    """args.lr, or train.py's LR from lr_base and the global batch."""
    if data.get("lr"):
        return number(data["lr"], "lr"), ""
    batch = facts.batch_size or _arg(data, "batch_size")
    global_batch = batch * world * (facts.grad_accum or _arg(data, "grad_accum_steps"))
    ratio = global_batch / _arg(data, "lr_base_size")
    scale = _arg(data, "lr_base_scale") or (
        "sqrt" if any(o in str(_arg(data, "opt")).lower() for o in ("ada", "lamb")) else "linear"
    )
    lr = _arg(data, "lr_base") * (ratio**0.5 if scale == "sqrt" else ratio)
    return lr, f"; lr {lr:g} = lr_base x {global_batch}/{_arg(data, 'lr_base_size')} ({scale})"


def _params(data: dict[str, Any], updates: int) -> tuple[str, dict[str, Any], float]:
    """The lrviz schedule, its parameters (create_scheduler_v2's), and the run's length in epochs."""
    sched = str(_arg(data, "sched"))
    if sched not in SCHEDULES:
        raise SpecError(f"lrviz reads sched {', '.join(SCHEDULES)} from args.yaml, not {sched!r}", "sched")
    per_update = bool(_arg(data, "sched_on_updates"))
    unit = updates if per_update else 1
    epochs, warmup = _arg(data, "epochs"), _arg(data, "warmup_epochs")
    t_initial, warmup_t, cooldown = epochs * unit, warmup * unit, _arg(data, "cooldown_epochs") * unit
    noise = _arg(data, "lr_noise")
    if noise is not None:
        noise = [n * t_initial for n in noise] if isinstance(noise, list) else noise * t_initial
        noise = noise[0] if isinstance(noise, list) and len(noise) == 1 else noise
    params: dict[str, Any] = {
        "t_initial": t_initial, "lr_min": _arg(data, "min_lr"), "warmup_t": warmup_t,
        "warmup_lr_init": _arg(data, "warmup_lr"), "warmup_prefix": bool(_arg(data, "warmup_prefix")),
        "cycle_mul": _arg(data, "lr_cycle_mul"), "cycle_decay": _arg(data, "lr_cycle_decay"),
        "cycle_limit": _arg(data, "lr_cycle_limit"), "k_decay": _arg(data, "lr_k_decay"),
        "noise_range_t": noise, "noise_pct": _arg(data, "lr_noise_pct"), "noise_std": _arg(data, "lr_noise_std"),
        "noise_seed": _arg(data, "seed"), "t_in_epochs": not per_update, "steps_per_epoch": updates,
        "power": _arg(data, "decay_rate"), "decay_rate": _arg(data, "decay_rate"),
        "decay_t": _arg(data, "decay_epochs") * unit,
    }  # fmt: skip
    if sched == "multistep":
        params["decay_t"] = [m * unit for m in _arg(data, "decay_milestones")]
    if sched == "constant":
        params.update(decay_t=1, decay_rate=1.0)
    if sched in ("cosine", "tanh", "poly"):  # get_cycle_length, plus the cooldown
        cycles, mul = max(1, params["cycle_limit"]), params["cycle_mul"]
        length = t_initial * cycles if mul == 1.0 else int(math.floor(-t_initial * (mul**cycles - 1) / (1 - mul)))
        length = length + warmup_t if params["warmup_prefix"] else length
        run_epochs = (length + cooldown) // updates if per_update else length + cooldown
    else:
        run_epochs = epochs + (warmup if params["warmup_prefix"] else 0)
    return SCHEDULES[sched], params, run_epochs


def read(data: dict[str, Any], path: str, facts: RunFacts) -> Reading:
    """lrviz's spec for timm's args.yaml: train.py's scheduler over its updates."""
    if facts.epochs is not None:
        data = {**data, "epochs": facts.epochs}
    updates, world, how, used = _updates_per_epoch(data, facts)
    name, params, run_epochs = _params(data, updates)
    from lrviz import schedules

    taken = {p.name for p in schedules.lookup(name).params}
    lr, lr_how = _lr(data, facts, world)
    total = int(run_epochs * updates)
    scheduler = {"type": name, **{key: value for key, value in params.items() if key in taken}}
    raw = {"label": Path(path).stem, "lr": lr, "steps": total, "steps_per_epoch": updates, "scheduler": scheduler}
    run = RunSummary(total, updates, run_epochs, f"{how}; {run_epochs:g} epochs{lr_how}", {**used, "lr": lr})
    return Reading(raw, FRAMEWORK, run)
