"""What torch refuses in a scheduler's values, said before anything is built: the torch source's
validation (a framework schedule's is its ``FrameworkSchedule.check``).

Each check returns ``(parameter, message)`` pairs; the spec reader turns them into errors that
name the flag or YAML key of that parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Problems = list[tuple[str, str]]


def _one_cycle(params: Mapping[str, Any]) -> Problems:
    from lrviz.schedules.pytorch import total_length

    total = total_length("OneCycleLR", dict(params))
    if total is None:
        return [("total_steps", "OneCycleLR needs total_steps (--total-steps), or both epochs and steps_per_epoch")]
    pct_start = params.get("pct_start", 0.3)
    # the phase ends torch's OneCycleLR.__init__ computes, in the same float arithmetic
    if params.get("three_phase", False):
        ends = [float(pct_start * total) - 1, float(2 * pct_start * total) - 2, total - 1]
    else:
        ends = [float(pct_start * total) - 1, total - 1]
    starts = [0, *ends[:-1]]
    if any(end == start for start, end in zip(starts, ends, strict=True)):
        message = (
            f"pct_start={pct_start:g} with {total} total steps leaves a phase of OneCycleLR zero steps long, "
            "and torch divides by a phase's length; choose another pct_start"
        )
        return [("pct_start", message)]
    return []


def _cyclic(params: Mapping[str, Any]) -> Problems:
    """A CyclicLR max_lr below its base_lr, per param group where either is a list."""
    if "base_lr" not in params or "max_lr" not in params:
        return []
    base_lr, max_lr = params["base_lr"], params["max_lr"]
    count = max(len(v) if isinstance(v, tuple) else 1 for v in (base_lr, max_lr))
    lows = base_lr if isinstance(base_lr, tuple) else (base_lr,) * count
    highs = max_lr if isinstance(max_lr, tuple) else (max_lr,) * count
    for index, (low, high) in enumerate(zip(lows, highs, strict=True)):
        if high < low:
            group = f" for param group {index}" if count > 1 else ""
            return [("max_lr", f"max_lr ({high:g}) is below base_lr ({low:g}){group}")]
    return []


def _multi_step(params: Mapping[str, Any]) -> Problems:
    if params.get("milestones") == ():
        return [("milestones", "expected at least one milestone (integer steps)")]
    return []


def _constant(params: Mapping[str, Any]) -> Problems:
    if params.get("factor") == 0:
        return [("factor", "must be greater than 0 for ConstantLR (torch divides by it at total_iters)")]
    return []


def _plateau(params: Mapping[str, Any]) -> Problems:
    if params.get("factor", 0) >= 1:
        return [("factor", f"must be less than 1 (torch: 'Factor should be < 1.0'), got {params['factor']:g}")]
    return []


CHECKS: dict[str, Callable[[Mapping[str, Any]], Problems]] = {
    "OneCycleLR": _one_cycle,
    "CyclicLR": _cyclic,
    "MultiStepLR": _multi_step,
    "ConstantLR": _constant,
    "ReduceLROnPlateau": _plateau,
}


def problems(name: str, params: Mapping[str, Any]) -> Problems:
    """What torch would refuse in the values of scheduler `name`."""
    check = CHECKS.get(name)
    return check(params) if check is not None else []


def sequence_problems(name: str, milestones: Sequence[int], children: int) -> Problems:
    """SequentialLR's milestones against its schedulers: one fewer, strictly increasing."""
    if name != "SequentialLR":
        return []
    if len(milestones) != children - 1:
        message = (
            f"SequentialLR needs one milestone fewer than schedulers: {children} schedulers, "
            f"{len(milestones)} milestones"
        )
        return [("milestones", message)]
    if list(milestones) != sorted(set(milestones)):
        return [("milestones", "SequentialLR milestones must be strictly increasing")]
    return []


def child_problem(parent: str, child: str, child_is_composite: bool) -> str | None:
    """Why torch's composite `parent` cannot hold the scheduler `child`, or None."""
    if parent == "SequentialLR" and child_is_composite:
        return (
            f"SequentialLR cannot contain {child}: torch restarts each child with step(0) at its milestone, "
            "which composite schedulers do not support (put the SequentialLR inside a ChainedScheduler instead)"
        )
    if child == "ReduceLROnPlateau":
        return f"{parent} cannot contain ReduceLROnPlateau (torch requires LRScheduler)"
    return None
