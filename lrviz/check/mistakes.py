"""Check rules for the classic unit mistakes: epochs for iterations, warmups past the run's end.

The bugs people file are in what a config does not say: a scheduler stepped once per epoch whose
length was written in iterations, or the reverse (mmpose#2645: a LinearLR warmup by iteration beside
a MultiStepLR whose milestones count epochs), a warmup longer than the run, a Hugging Face
warmup_ratio taken of another total than the run's. Each rule registers in :data:`lrviz.check.rules.RULES`
(this module is imported by :mod:`lrviz.check.rules`); every number comes from the spec.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from lrviz.check.rules import Problem, _every_scheduler, _length_of, _scheduler_locator, _where, rule
from lrviz.schedules import pytorch as registry
from lrviz.simulation.stepping import Curve
from lrviz.spec.model import CurveSpec, Locator, SchedulerSpec


def _torch_schedulers(curve: CurveSpec) -> Iterator[tuple[SchedulerSpec, Locator | None]]:
    """Every torch built-in scheduler of the curve (framework schedules keep their own units).
    A scheduler with a steps_per_epoch of its own (OneCycleLR) is left out: its parameters say their unit."""
    for scheduler, loc in _every_scheduler(curve.scheduler, _scheduler_locator(curve)):
        info = registry.resolve(scheduler.type)
        if info.framework is None and info.param("steps_per_epoch") is None:
            yield scheduler, loc


def _lengths(scheduler: SchedulerSpec) -> Iterator[tuple[str, int]]:
    """(parameter, value) of the parameters of `scheduler` that count its steps, milestones as their largest."""
    length = _length_of(scheduler)
    if length is not None:
        yield length
    key = registry.STEP_COUNT_PARAMS.get(scheduler.type)
    if key is not None and isinstance(scheduler.kwargs.get(key), int):
        yield key, scheduler.kwargs[key]
    if scheduler.kwargs.get("milestones"):  # MultiStepLR's decays, SequentialLR's switches
        yield "milestones", max(scheduler.kwargs["milestones"])


def _warms_up(scheduler: SchedulerSpec) -> bool:
    """A warmup, often a few iterations long on purpose, so an epoch-sized length says nothing about its unit."""
    return registry.warms_up(scheduler.type, scheduler.kwargs)


def _epochs(curve: CurveSpec) -> int:
    """The epochs a by-epoch scheduler is stepped in (after a shift-mode warmup)."""
    shift = curve.warmup.shifts if curve.warmup is not None else 0
    return -(-max(curve.steps - shift, 0) // curve.steps_per_epoch) if curve.steps_per_epoch else 0


@rule("by-epoch-length-beyond-epochs", "warning", needs_values=False)
def _by_epoch_length_in_iterations(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """A scheduler stepped once per epoch whose T_max, total_iters, step_size or milestones exceed the run's epochs."""
    if not curve.by_epoch or not curve.steps_per_epoch:
        return
    epochs = _epochs(curve)
    for scheduler, loc in _torch_schedulers(curve):
        for key, value in _lengths(scheduler):
            if value <= epochs:
                continue
            shown = f"{key}={value}"
            if key == "milestones":
                late = sorted({m for m in scheduler.kwargs["milestones"] if m > epochs})
                shown = f"milestone{'s' if len(late) > 1 else ''} {', '.join(map(str, late))}"
            # nearer the run's iterations than its epochs (geometric middle): written in iterations
            looks = value >= math.sqrt(epochs * curve.steps)
            verb = "count" if shown.startswith("milestones") else "counts"
            yield Problem(
                _where(loc, key),
                f"{shown} {verb} epochs ({scheduler.type} is stepped once per epoch, by_epoch, every "
                f"{curve.steps_per_epoch} optimizer steps), but the {curve.steps}-step run has only {epochs} epochs"
                + (": it looks like a number of iterations" if looks else ": that part of the schedule never happens"),
                f"give {key} in epochs (at most {epochs}), or step the scheduler per iteration (without by_epoch)",
            )


def _per_iteration(curve: CurveSpec) -> bool:
    return not curve.by_epoch and bool(curve.steps_per_epoch) and curve.steps_per_epoch > 1


@rule("per-iteration-length-in-epochs", "warning", needs_values=False)
def _length_in_epochs(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """A scheduler stepped per iteration whose T_max, total_iters or step_size fits in the run's epoch count."""
    if not _per_iteration(curve):
        return
    per_epoch = curve.steps_per_epoch or 1
    for scheduler, loc in _torch_schedulers(curve):
        if _warms_up(scheduler):
            continue
        for key, value in _lengths(scheduler):
            if key == "milestones" or not 0 < value * per_epoch <= curve.steps:
                continue
            yield Problem(
                _where(loc, key),
                f"{key}={value} counts scheduler.step() calls, here iterations ({scheduler.type} is stepped after "
                f"every optimizer step, {per_epoch} per epoch): it spans {100 * value / curve.steps:.2g}% of the "
                f"{curve.steps}-step run, while {value} epochs would be {value * per_epoch} steps",
                f"give {key} in iterations ({key}={value * per_epoch} for {value} epochs), or step the scheduler "
                f"once per epoch (by_epoch, steps_per_epoch {per_epoch})",
            )


@rule("per-iteration-milestones-in-epochs", "warning", needs_values=False)
def _milestones_in_epochs(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """Milestones of a scheduler stepped per iteration that all fall within the run's epoch count."""
    if not _per_iteration(curve):
        return
    per_epoch = curve.steps_per_epoch or 1
    for scheduler, loc in _torch_schedulers(curve):
        milestones = sorted(scheduler.kwargs.get("milestones", ()))
        if not milestones or milestones[-1] * per_epoch > curve.steps or milestones[-1] <= 0:
            continue
        listed = ", ".join(map(str, milestones))
        scaled = ", ".join(str(m * per_epoch) for m in milestones)
        yield Problem(
            _where(loc, "milestones"),
            f"milestones {listed} count scheduler.step() calls, here iterations ({scheduler.type} is stepped after "
            f"every optimizer step, {per_epoch} per epoch): all of them come by step {milestones[-1]}, in the first "
            f"{100 * milestones[-1] / curve.steps:.2g}% of the {curve.steps}-step run "
            f"(as epochs they would be steps {scaled})",
            f"give the milestones in iterations ({scaled}), or step the scheduler once per epoch (by_epoch)",
            tuple(milestones),
        )


@rule("warmup-longer-than-run", "warning", needs_values=False)
def _warmup_too_long(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """A warmup (lrviz's, or a framework schedule's) that ends at or after the run's last step."""
    if curve.warmup is not None and curve.warmup.length >= curve.steps:
        loc = curve.locator.child("warmup") if curve.locator is not None else None
        yield Problem(
            _where(loc, "steps"),
            f"the warmup lasts {curve.warmup.length} steps, the run {curve.steps}: the LR never reaches the "
            "schedule's values",
            f"shorten the warmup (a few percent of the run, e.g. {max(curve.steps // 20, 1)} steps) or run longer",
        )
    framework = registry.resolve(curve.scheduler.type).framework
    if framework is None:
        return
    ends = [step for step, label in framework.events(curve.scheduler.kwargs) if label == "warmup end"]
    if ends and ends[0] >= curve.steps:
        key = next((name for name in curve.scheduler.kwargs if "warmup" in name), None)
        yield Problem(
            _where(_scheduler_locator(curve), key),
            f"{curve.scheduler.type}'s warmup ends at step {ends[0]}, after the {curve.steps}-step run: the LR "
            "never reaches its peak",
            "shorten the warmup or run longer",
        )


@rule("warmup-ratio-of-another-total", "warning", needs_values=False)
def _warmup_ratio_total(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """A warmup_ratio taken of a num_training_steps that is not the run's length (the Trainer's max_steps mix-up)."""
    scheduler = curve.scheduler
    framework = registry.resolve(scheduler.type).framework
    params = scheduler.kwargs
    ratio, total = params.get("warmup_ratio"), params.get("num_training_steps")
    if framework is None or ratio is None or total is None or total == curve.steps:
        return
    warmup, intended = math.ceil(total * ratio), math.ceil(curve.steps * ratio)
    if warmup == intended:
        return
    yield Problem(
        _where(_scheduler_locator(curve), "warmup_ratio"),
        f"warmup_ratio={ratio:g} is a fraction of num_training_steps={total} (the Trainer's max_steps, or its "
        f"epochs x steps), not of the {curve.steps}-step run: the warmup lasts {warmup} steps "
        + (f"({100 * warmup / curve.steps:.3g}% of the run)" if warmup < curve.steps else "(longer than the run)")
        + f" instead of {intended}",
        f"set num_training_steps to the run's optimizer steps ({curve.steps}), or give num_warmup_steps={intended}",
        (min(warmup, curve.steps - 1),),
    )


def _processes_and_accumulation(curve: CurveSpec) -> tuple[int, int]:
    """The run's world size and gradient accumulation, from a framework config's run facts (1, 1 otherwise)."""
    facts = curve.run.facts if curve.run is not None else {}
    return int(facts.get("world_size") or 1), int(facts.get("grad_accum") or 1)


@rule("length-assumes-one-process", "warning", needs_values=False)
def _length_of_one_process(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """A schedule length counted for one process without accumulation, in a run with more of either."""
    world, accumulation = _processes_and_accumulation(curve)
    factor = world * accumulation
    length = _length_of(curve.scheduler)
    if factor == 1 or length is None or curve.steps < 1:
        return
    key, planned = length
    given = curve.scheduler.kwargs.get(key, planned)  # as the config writes it (planned may count one more)
    single = curve.steps * factor  # the run's optimizer steps on one process without accumulation
    if abs(planned - single) > max(factor, 0.02 * single):
        return
    why = " x ".join(
        part
        for part, n in ((f"{world} processes", world), (f"{accumulation} accumulated batches", accumulation))
        if n > 1
    )
    reached = f"; the LR is {values.lr[-1]:.4g} at the last step" if values is not None and len(values.lr) else ""
    yield Problem(
        _where(_scheduler_locator(curve), key),
        f"{key}={given} is the run's length on one process without accumulation ({curve.steps} optimizer steps x "
        f"{why} = {single}): this run has {curve.steps} optimizer steps, so the schedule gets through "
        f"{100 * curve.steps / planned:.3g}% of its course{reached}",
        f"set {key} to the optimizer steps of the run ({curve.steps}): divide the per-sample count by the "
        "processes and the accumulation, as the trainer steps the scheduler once per optimizer step",
        (curve.steps - 1,),
    )
