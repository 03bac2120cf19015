"""detectron2 YAML configs: the `SOLVER` section, with `_BASE_` files merged and detectron2's defaults.

detectron2 (through fvcore's CfgNode) loads the `_BASE_` file first and merges the file's keys
over it, mapping into mapping; a text value such as `STEPS: (60000, 80000)` is read as the Python
literal it spells (yacs' `literal_eval`, which runs nothing). The schedule is what
`build_lr_scheduler` makes of `SOLVER` (lrviz's `detectron2:` family), stepped once per iteration
for `MAX_ITER` iterations; `IMS_PER_BATCH` is the batch of all processes together. With
`--world-size` and a `REFERENCE_WORLD_SIZE`, the solver is rescaled as
`DefaultTrainer.auto_scale_workers` does.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError
from lrviz.spec.readers.base import Reading, RunFacts, RunSummary, number, positive_int

FRAMEWORK = "detectron2"
MAX_BASE_DEPTH = 16
SOLVER_DEFAULTS: dict[str, Any] = {  # detectron2/config/defaults.py, the keys the schedule reads
    "LR_SCHEDULER_NAME": "WarmupMultiStepLR",
    "MAX_ITER": 40000,
    "BASE_LR": 0.001,
    "BASE_LR_END": 0.0,
    "GAMMA": 0.1,
    "STEPS": (30000,),
    "NUM_DECAYS": 3,
    "WARMUP_FACTOR": 1.0 / 1000,
    "WARMUP_ITERS": 1000,
    "WARMUP_METHOD": "linear",
    "RESCALE_INTERVAL": False,
    "IMS_PER_BATCH": 16,
    "REFERENCE_WORLD_SIZE": 0,
    "BIAS_LR_FACTOR": 1.0,
}
# SOLVER keys of detectron2's defaults that do not change the LR schedule
OTHER_SOLVER_KEYS = frozenset(
    {
        "MOMENTUM",
        "NESTEROV",
        "WEIGHT_DECAY",
        "WEIGHT_DECAY_NORM",
        "WEIGHT_DECAY_BIAS",
        "CHECKPOINT_PERIOD",
        "CLIP_GRADIENTS",
        "AMP",
        "OPTIMIZER",
    }
)
# the schedule's parameters (lrviz's detectron2 family) and the SOLVER key of each
PARAMETERS = {
    "max_iter": "MAX_ITER",
    "steps": "STEPS",
    "gamma": "GAMMA",
    "base_lr_end": "BASE_LR_END",
    "num_decays": "NUM_DECAYS",
    "warmup_factor": "WARMUP_FACTOR",
    "warmup_iters": "WARMUP_ITERS",
    "warmup_method": "WARMUP_METHOD",
    "rescale_interval": "RESCALE_INTERVAL",
}


def detect(data: Any, path: str) -> bool:
    """A mapping with a SOLVER section or a _BASE_ file, in detectron2's upper-case keys."""
    return isinstance(data, dict) and ("SOLVER" in data or "_BASE_" in data)


def _decoded(value: Any) -> Any:
    """yacs' `_decode_cfg_value`: text that spells a Python literal is that literal."""
    if not isinstance(value, str):
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return value


def _merged(child: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in child.items():
        both = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = _merged(value, merged[key]) if both else value
    return merged


def load_with_bases(data: dict[str, Any], path: str, depth: int = 0) -> dict[str, Any]:
    """fvcore's `CfgNode.load_yaml_with_base`: the `_BASE_` file (relative to this one) under this file's keys."""
    from lrviz.spec.yamlfile import load_yaml_text, read_spec_text

    if "_BASE_" not in data:
        return data
    base = data["_BASE_"]
    where = f"{path}:{getattr(data, 'key_lines', {}).get('_BASE_', 1)}: _BASE_"
    if not isinstance(base, str):
        raise SpecError("expected a file name", where)
    if depth >= MAX_BASE_DEPTH:
        raise SpecError(f"_BASE_ files nested more than {MAX_BASE_DEPTH} deep", where)
    file = Path(base) if base.startswith("/") else Path(path).parent / base
    if not file.is_file():
        raise SpecError(f"no such _BASE_ file: {file}", where)
    base_data = load_yaml_text(read_spec_text(str(file)), str(file))
    if not isinstance(base_data, dict):
        raise SpecError("expected a mapping of config keys", str(file))
    own = {key: value for key, value in data.items() if key != "_BASE_"}
    return _merged(own, load_with_bases(base_data, str(file), depth + 1))


def _solver(config: dict[str, Any], path: str) -> dict[str, Any]:
    section = config.get("SOLVER", {})
    if not isinstance(section, dict):
        raise SpecError("expected a mapping", f"{path}: SOLVER")
    solver = dict(SOLVER_DEFAULTS)
    for key, value in section.items():
        if key not in SOLVER_DEFAULTS and key not in OTHER_SOLVER_KEYS:
            raise SpecError(
                "a SOLVER key lrviz does not know: it may change the schedule, so lrviz will not guess",
                f"{path}: SOLVER.{key}",
            )
        solver[key] = _decoded(value)
    return solver


def _rescaled(solver: dict[str, Any], world: int) -> tuple[dict[str, Any], str]:
    """DefaultTrainer.auto_scale_workers: batch, LR, iterations and steps scaled to `world` processes."""
    reference = int(solver["REFERENCE_WORLD_SIZE"])
    if reference in (0, world):
        return solver, ""
    scale = world / reference
    scaled = dict(solver)
    scaled["IMS_PER_BATCH"] = int(round(solver["IMS_PER_BATCH"] * scale))
    scaled["BASE_LR"] = solver["BASE_LR"] * scale
    scaled["MAX_ITER"] = int(round(solver["MAX_ITER"] / scale))
    scaled["WARMUP_ITERS"] = int(round(solver["WARMUP_ITERS"] / scale))
    scaled["STEPS"] = tuple(int(round(step / scale)) for step in solver["STEPS"])
    return scaled, f"; rescaled from REFERENCE_WORLD_SIZE {reference} to {world} processes"


def _refuse_unused(facts: RunFacts) -> None:
    if facts.grad_accum not in (None, 1):
        raise SpecError("detectron2's trainer does not accumulate gradients: leave it out", "--grad-accum")
    if facts.epochs is not None:
        raise SpecError("detectron2 counts iterations (SOLVER.MAX_ITER), not epochs", "--epochs")
    if facts.batch_size is not None:
        raise SpecError("detectron2's batch is SOLVER.IMS_PER_BATCH, of all processes together", "--batch-size")


def read(data: dict[str, Any], path: str, facts: RunFacts) -> Reading:
    """lrviz's spec for a detectron2 config: `build_lr_scheduler` of its SOLVER over MAX_ITER iterations."""
    _refuse_unused(facts)
    solver = _solver(load_with_bases(data, path), path)
    solver, rescaled = _rescaled(solver, facts.world_size or 1)
    name = solver["LR_SCHEDULER_NAME"]
    from lrviz import schedules

    schedule = schedules.lookup(f"detectron2:{name}")
    if schedule is None or name == "WarmupPolyLR":
        raise SpecError(f"a scheduler lrviz's detectron2 family does not build: {name!r}", f"{path}: SOLVER")
    taken = {p.name for p in schedule.params}
    params = {param: _plain(solver[key]) for param, key in PARAMETERS.items() if param in taken}
    if "base_lr_end" in params:
        params["base_lr_end"] = number(params["base_lr_end"], f"{path}: SOLVER.BASE_LR_END")
    total = positive_int(solver["MAX_ITER"], f"{path}: SOLVER.MAX_ITER")
    batch = positive_int(solver["IMS_PER_BATCH"], f"{path}: SOLVER.IMS_PER_BATCH")
    how = f"SOLVER.MAX_ITER {total}, IMS_PER_BATCH {batch} images per iteration{rescaled}"
    if facts.dataset_size is not None:
        how += f"; {total * batch / facts.dataset_size:.4g} epochs of {facts.dataset_size} images"
    raw: dict[str, Any] = {
        "label": Path(path).stem,
        "lr": number(solver["BASE_LR"], f"{path}: SOLVER.BASE_LR"),
        "steps": total,
        "scheduler": {"type": f"detectron2:{name}", **params},
    }
    if facts.steps_per_epoch is not None:
        raw["steps_per_epoch"] = facts.steps_per_epoch
    bias_factor = number(solver.get("BIAS_LR_FACTOR", 1.0), f"{path}: SOLVER.BIAS_LR_FACTOR")
    if bias_factor != 1.0:  # get_default_optimizer_params: biases train at BASE_LR * BIAS_LR_FACTOR
        raw["param_groups"] = [{"name": "weights"}, {"name": "biases", "lr_scale": bias_factor}]
    used = {"ims_per_batch": batch, "world_size": facts.world_size or 1, "lr": raw["lr"]}
    return Reading(raw, FRAMEWORK, RunSummary(total, facts.steps_per_epoch, None, how, used))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
