"""Where a schedule changes regime: milestones, restarts, the end of warmup, the peak.

Configured steps come from the spec (MultiStepLR's and SequentialLR's milestones, StepLR's
step_size, T_max, total_iters, the warmup's length); what only the run shows comes from the
simulated curve (SGDR's restarts, OneCycleLR's peak, ReduceLROnPlateau's reductions). No schedule
formula is evaluated here. Used to mark figures (`--mark-milestones`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lrviz.schedules import pytorch as registry
from lrviz.spec.model import SchedulerSpec

if TYPE_CHECKING:
    from lrviz.simulation.stepping import Curve

MAX_EVENTS = 64  # per curve; a StepLR with step_size 1 would otherwise draw a line at every step


@dataclass(frozen=True, order=True)
class Event:
    """Step `step` (an optimizer step: lr[step] is the first value of the new regime) and a short label."""

    step: int
    label: str


def _changes(lr: np.ndarray, start: int, stop: int, rising: bool) -> list[int]:
    """Steps k in [start, stop) where lr[k] rose (or fell) from lr[k-1]."""
    first = max(start, 1)
    if stop <= first:
        return []
    now, before = lr[first:stop], lr[first - 1 : stop - 1]
    tolerance = np.maximum(np.abs(before), np.abs(now)) * 1e-12
    moved = now - before > tolerance if rising else before - now > tolerance
    return [first + int(k) for k in np.flatnonzero(moved)]


def _scheduler_events(spec: SchedulerSpec, lr: np.ndarray, start: int, stop: int, warmup_steps: int) -> list[Event]:
    """Events of `spec`, whose own step 0 is the run's step `start`, shown until `stop`."""
    params = spec.kwargs
    events: list[Event] = []
    kind = spec.type
    framework = registry.resolve(kind).framework
    if framework is not None:
        events += [Event(start + step, label) for step, label in framework.events(params)]
    elif kind == "MultiStepLR":
        gamma = params.get("gamma", 0.1)
        events += [Event(start + m, f"×{gamma:g}") for m in sorted(set(params.get("milestones", ())))]
    elif kind == "StepLR":
        size, gamma = params.get("step_size", 0), params.get("gamma", 0.1)
        if size:
            events += [Event(k, f"×{gamma:g}") for k in range(start + size, min(stop, start + size * MAX_EVENTS), size)]
    elif kind == "CosineAnnealingLR" and params.get("T_max"):
        events.append(Event(start + params["T_max"], "T_max"))
    elif kind in ("LinearLR", "ConstantLR", "PolynomialLR"):
        events.append(Event(start + params.get("total_iters", 5), "total_iters"))
    elif kind == "CosineAnnealingWarmRestarts":
        events += [
            Event(k, "restart")
            for k in _changes(lr, max(start, warmup_steps + 1 if warmup_steps else 0), stop, rising=True)
        ]
    elif kind == "OneCycleLR" and stop > start:
        events.append(Event(start + int(np.argmax(lr[start:stop])), "peak"))
    elif kind == "ReduceLROnPlateau":
        events += [Event(k, "reduce") for k in _changes(lr, start, stop, rising=False)]
    elif kind == "SequentialLR":
        milestones = list(params.get("milestones", ()))
        bounds = [start, *(start + m for m in milestones), stop]
        for index, child in enumerate(spec.children):
            child_stop = min(bounds[index + 1], stop)
            events += _scheduler_events(child, lr, bounds[index], child_stop, warmup_steps)
        events += [Event(start + m, f"→ {child.type}") for m, child in zip(milestones, spec.children[1:], strict=False)]
    elif kind == "ChainedScheduler":
        for child in spec.children:
            events += _scheduler_events(child, lr, start, stop, warmup_steps)
    return [e for e in events if start <= e.step < stop and e.step > 0]


def schedule_events(curve: Curve) -> list[Event]:
    """Sorted events of one simulated curve (param group 0), at most one label per step."""
    spec = curve.spec
    warmup_steps = spec.warmup.steps if spec.warmup is not None else 0
    events = _scheduler_events(spec.scheduler, curve.lr, 0, curve.steps, warmup_steps)
    if 0 < warmup_steps < curve.steps:
        events.append(Event(warmup_steps, "warmup end"))
    by_step: dict[int, Event] = {}
    for event in sorted(events):
        by_step.setdefault(event.step, event)
    return sorted(by_step.values())[:MAX_EVENTS]
