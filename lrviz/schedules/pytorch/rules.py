"""Check rules about torch's own schedulers (MultiStepLR's milestones, CosineAnnealingLR's period,
StepLR's step_size, OneCycleLR's length, CosineAnnealingWarmRestarts' T_mult, cycled momentum):
what the torch source knows about its classes, registered in :data:`lrviz.check.rules.RULES`
(this module is imported by :mod:`lrviz.check.rules`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import numpy as np

from lrviz.check.rules import Problem, _every_scheduler, _length_of, _num, _of_type, _scheduler_locator, _where, rule
from lrviz.schedules import pytorch as registry
from lrviz.simulation.stepping import Curve
from lrviz.spec.model import CurveSpec, Locator, SchedulerSpec

# --------------------------------------------------------------------------- MultiStepLR


@rule("multistep-duplicate-milestones", "warning")
def _duplicate_milestones(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """MultiStepLR lists a milestone twice: torch multiplies the LR by gamma once per copy."""
    for scheduler, loc in _of_type(curve, "MultiStepLR"):
        gamma = scheduler.kwargs.get("gamma", 0.1)
        for milestone, count in sorted(Counter(scheduler.kwargs.get("milestones", ())).items()):
            if count < 2:
                continue
            jump = ""
            if values is not None and 0 < milestone < len(values.lr):
                jump = f" ({_num(values.lr[milestone - 1])} -> {_num(values.lr[milestone])})"
            yield Problem(
                _where(loc, "milestones"),
                f"milestone {milestone} is listed {count} times: torch multiplies the LR by "
                f"gamma^{count} = {_num(gamma**count)} at step {milestone}{jump}, not by gamma = {_num(gamma)}",
                f"list each milestone once, unless a drop by gamma^{count} at step {milestone} is intended",
                (milestone,),
            )


@rule("multistep-unsorted-milestones", "info")
def _unsorted_milestones(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """MultiStepLR milestones out of order: torch does not mind, but it often hides a typo."""
    for scheduler, loc in _of_type(curve, "MultiStepLR"):
        milestones = list(scheduler.kwargs.get("milestones", ()))
        if milestones != sorted(milestones):
            shown = ", ".join(map(str, sorted(set(milestones))))
            yield Problem(
                _where(loc, "milestones"),
                f"milestones {', '.join(map(str, milestones))} are not in increasing order "
                "(torch counts them as a set, so the schedule is the same in any order)",
                f"write them in order, {shown}, and check none is a typo",
            )


@rule("multistep-milestone-beyond-run", "warning", needs_values=False)
def _milestones_beyond_run(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """MultiStepLR milestones at or after the run's last step: those decays never happen."""
    for scheduler, loc in _of_type(curve, "MultiStepLR"):
        late = sorted({m for m in scheduler.kwargs.get("milestones", ()) if m >= curve.steps})
        if late:
            shown = ", ".join(map(str, late))
            never = "those decays never happen" if len(late) > 1 else "that decay never happens"
            yield Problem(
                _where(loc, "milestones"),
                f"milestone{'s' if len(late) > 1 else ''} {shown} never reached: the {curve.steps}-step run "
                f"ends at step {curve.steps - 1}, so {never} "
                "(milestones count scheduler.step() calls: epochs or iterations?)",
                f"use milestones below {curve.steps}, or a longer run",
            )


# --------------------------------------------------------------------------- lengths


@rule("cosine-climbs-after-tmax", "warning")
def _cosine_climbs(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """CosineAnnealingLR with T_max shorter than the run: the LR climbs back up after T_max."""
    for scheduler, loc in _of_type(curve, "CosineAnnealingLR"):
        t_max = scheduler.kwargs.get("T_max")
        if values is None or not isinstance(t_max, int) or t_max + 1 >= len(values.lr):
            continue
        after = values.lr[t_max:]
        peak = int(np.argmax(after)) + t_max
        if not values.lr[peak] > values.lr[t_max] * (1 + 1e-9):
            continue  # eta_min equal to the base LR: nothing to climb
        yield Problem(
            _where(loc, "T_max"),
            f"T_max={t_max} is shorter than the {curve.steps}-step run: the LR falls to "
            f"{_num(values.lr[t_max])} at step {t_max}, then climbs back up to {_num(values.lr[peak])} at step {peak} "
            "(torch's cosine is periodic; a classic mix-up of epochs and iterations)",
            f"set T_max to the run length ({curve.steps}) in the unit you step in, "
            "or use CosineAnnealingWarmRestarts if restarts are meant",
            (t_max, peak),
        )


@rule("step-never-decays", "warning", needs_values=False)
def _step_never_decays(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """StepLR whose step_size is at least the run length: the LR never decays."""
    for scheduler, loc in _of_type(curve, "StepLR"):
        step_size = scheduler.kwargs.get("step_size")
        if isinstance(step_size, int) and step_size >= curve.steps:
            yield Problem(
                _where(loc, "step_size"),
                f"step_size={step_size} is at least the {curve.steps}-step run: the first decay would come at "
                f"step {step_size}, so the LR never changes "
                "(step_size counts scheduler.step() calls: epochs or iterations?)",
                f"use a step_size below {curve.steps} (e.g. {max(curve.steps // 3, 1)} for three decays)",
            )


@rule("onecycle-run-too-long", "warning", needs_values=False)
def _onecycle_too_long(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """A run longer than OneCycleLR's total steps: torch raises 'Tried to step N times' mid-run."""
    for scheduler, loc in _of_type(curve, "OneCycleLR"):
        length = _length_of(scheduler)
        if length is None or curve.steps <= length[1]:
            continue
        key, limit = length
        setting = (
            f"set total_steps to {curve.steps}"
            if key == "total_steps"
            else f"set epochs x steps_per_epoch to {curve.steps}"
        )
        yield Problem(
            _where(loc, key),
            f"the {curve.steps}-step run is longer than OneCycleLR's {limit} steps: torch raises "
            f"'Tried to step {limit + 1} times' on the scheduler.step() after optimizer step {limit}",
            f"{setting}, or run at most {limit} steps",
            (limit,),
        )


# --------------------------------------------------------------------------- parameters torch refuses late


def _fractional_t_mult(
    scheduler: SchedulerSpec, loc: Locator | None = None
) -> Iterator[tuple[SchedulerSpec, Locator | None]]:
    for item, item_loc in _every_scheduler(scheduler, loc):
        t_mult = item.kwargs.get("T_mult")
        if item.type == "CosineAnnealingWarmRestarts" and isinstance(t_mult, float):
            yield item, item_loc


@rule("cosine-restarts-fractional-tmult", "warning", needs_values=False)
def _fractional_tmult(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """CosineAnnealingWarmRestarts with a non-integer T_mult: torch refuses to build it."""
    for scheduler, loc in _fractional_t_mult(curve.scheduler, _scheduler_locator(curve)):
        t_mult = scheduler.kwargs["T_mult"]
        yield Problem(
            _where(loc, "T_mult"),
            f"T_mult={t_mult:g}: torch raises 'Expected integer T_mult >= 1, but got {t_mult:g}' "
            "when the scheduler is built, before the first step",
            "use an integer T_mult: 1 keeps every period T_0 long, 2 doubles it after each restart",
        )


@rule("cycles-momentum", "info", needs_values=False)
def _cycles_momentum(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """CyclicLR/OneCycleLR cycle momentum: they need an optimizer with momentum or betas."""
    for scheduler, loc in _every_scheduler(curve.scheduler, _scheduler_locator(curve)):
        params = scheduler.kwargs
        if scheduler.type not in ("CyclicLR", "OneCycleLR") or not params.get("cycle_momentum", True):
            continue
        defaults = registry.catalog()[scheduler.type]
        low = params.get("base_momentum", defaults.param("base_momentum").default)
        high = params.get("max_momentum", defaults.param("max_momentum").default)
        yield Problem(
            _where(loc, "cycle_momentum"),
            f"{scheduler.type} cycles momentum between {_num(low)} and {_num(high)}, inversely to the LR: it "
            "overwrites SGD's momentum (even momentum=0) or Adam's beta1, and torch raises 'optimizer must "
            "support momentum or beta1' for optimizers with neither (e.g. Adagrad, Rprop)",
            "use SGD with momentum or an Adam-family optimizer, or set cycle_momentum to false",
        )
