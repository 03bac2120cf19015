"""Diagnostics: the well-known ways an LR schedule goes wrong, found before a run burns its budget.

Each rule is a small function registered in :data:`RULES` with a name, a level and a one-line
doc (its docstring's first line). A rule looks at one :class:`~lrviz.spec.model.CurveSpec` and the
values torch gave for it (a :class:`~lrviz.simulation.stepping.Curve`) and reports what happens and how
to fix it. Every number a rule quotes comes from the spec or from the simulated curve, never
from a re-derived formula. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from lrviz.schedules import pytorch as registry
from lrviz.simulation.stepping import Curve, simulate_curve
from lrviz.spec.model import CurveSpec, Locator, SchedulerSpec, Spec

Level = Literal["warning", "info"]

# A schedule "reaches its minimum long before the end" when it sits there for more than this
# share of the run: a StepLR over four periods (25 % at the bottom) or a LinearLR decay over half
# the run are deliberate; more than half the budget at the floor rarely is.
IDLE_TAIL_SHARE = 0.5
# Schedulers whose length is a parameter: the run and the parameter should agree.


@dataclass(frozen=True)
class Finding:
    """One diagnostic: what happens, where it comes from, and how to fix it."""

    level: Level
    rule: str
    curve: str  # the curve's label
    where: str  # the flag (--t-max) or YAML location (file:line: curves[0].scheduler.T_max)
    message: str  # what happens
    fix: str  # how to fix it
    steps: tuple[int, ...] = ()  # the steps it is about, to mark on a figure

    def line(self) -> str:
        """The finding on one line, as `plot` and `compare` print it."""
        return f"{self.where} ({self.curve}): {self.message}; fix: {self.fix} [{self.rule}]"


@dataclass(frozen=True)
class Problem:
    """What a rule reports; :func:`check` adds the rule's name, level and the curve's label."""

    where: str
    message: str
    fix: str
    steps: tuple[int, ...] = ()


RuleCheck = Callable[[CurveSpec, "Curve | None"], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    """A named diagnostic: `check(curve_spec, curve)` yields its problems."""

    name: str
    level: Level
    doc: str
    check: RuleCheck
    needs_values: bool  # skipped for a curve torch cannot simulate (check reports why instead)
    only_if_unexplained: bool  # skipped when another warning already explains the curve


RULES: list[Rule] = []


def rule(
    name: str, level: Level, *, needs_values: bool = True, only_if_unexplained: bool = False
) -> Callable[[RuleCheck], RuleCheck]:
    """Register a rule; its docstring's first line is its `--list-rules` doc."""

    def register(func: RuleCheck) -> RuleCheck:
        doc = (func.__doc__ or "").strip().splitlines()[0]
        RULES.append(Rule(name, level, doc, func, needs_values, only_if_unexplained))
        return func

    return register


# --------------------------------------------------------------------------- helpers


def _num(value: float | tuple[float, ...]) -> str:
    if isinstance(value, tuple):  # one value per param group
        return "[" + ", ".join(_num(item) for item in value) + "]"
    return f"{value:.4g}"


def _where(loc: Locator | None, key: str | int | None = None) -> str:
    if loc is None:
        return str(key) if key is not None else "scheduler"
    return loc.where(key)


def _scheduler_locator(curve: CurveSpec) -> Locator | None:
    return None if curve.locator is None else curve.locator.child("scheduler")


def _child_locator(loc: Locator | None, index: int) -> Locator | None:
    return None if loc is None else loc.child("schedulers").child(index)


def _full_run_schedulers(curve: CurveSpec) -> list[tuple[SchedulerSpec, Locator | None]]:
    """The schedulers that count the run's steps from 0: the scheduler, or a ChainedScheduler's children."""
    top = curve.scheduler
    if registry.resolve(top.type).kind.chained:
        return [(child, _child_locator(_scheduler_locator(curve), i)) for i, child in enumerate(top.children)]
    return [(top, _scheduler_locator(curve))]


def _every_scheduler(scheduler: SchedulerSpec, loc: Locator | None) -> Iterator[tuple[SchedulerSpec, Locator | None]]:
    """The scheduler and every nested one, depth first, each with its locator."""
    yield scheduler, loc
    for index, child in enumerate(scheduler.children):
        yield from _every_scheduler(child, _child_locator(loc, index))


def _of_type(curve: CurveSpec, name: str) -> Iterator[tuple[SchedulerSpec, Locator | None]]:
    return ((s, loc) for s, loc in _full_run_schedulers(curve) if s.type == name)


def _length_of(scheduler: SchedulerSpec) -> tuple[str, int] | None:
    """(parameter, steps) for a scheduler whose length is a parameter, else None."""
    params = scheduler.kwargs
    framework = registry.resolve(scheduler.type).framework
    if framework is not None:
        return framework.length(params)
    return registry.length_of(scheduler.type, params)


def _flat_from(values: np.ndarray) -> int:
    """The first step from which `values` no longer change (to ~12 digits)."""
    last = values[-1]
    changed = ~np.isclose(values, last, rtol=1e-12, atol=0.0)
    indices = np.flatnonzero(changed)
    return int(indices[-1]) + 1 if indices.size else 0


@rule("run-shorter-than-schedule", "warning")
def _run_shorter(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """A fixed-length schedule (OneCycleLR, T_max, total_iters) longer than the run: it never finishes."""
    for scheduler, loc in _full_run_schedulers(curve):
        length = _length_of(scheduler)
        if values is None or length is None or length[1] <= curve.steps:
            continue
        key, planned = length
        yield Problem(
            _where(loc, key),
            f"{scheduler.type} is planned for {planned} steps ({key}) but the run stops after {curve.steps}: "
            f"the LR is still {_num(values.lr[-1])} at the last step, its schedule unfinished",
            f"set {'epochs x steps_per_epoch' if key == 'epochs' else key} to the run length ({curve.steps}), "
            f"or run {planned} steps",
            (curve.steps - 1,),
        )


@rule("run-longer-than-schedule", "warning")
def _run_longer(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """A framework schedule whose planned length (num_training_steps, decay_steps...) ends before the run does."""
    top = curve.scheduler
    framework = registry.resolve(top.type).framework
    length = framework.length(top.kwargs) if framework is not None else None
    if values is None or length is None or length[1] >= curve.steps:
        return
    key, planned = length
    yield Problem(
        _where(_scheduler_locator(curve), key),
        f"{top.type} is planned for {planned} steps ({key}) but the run lasts {curve.steps}: from step {planned} "
        f"on the LR is what the formula gives past its end ({_num(values.lr[planned])} at step {planned})",
        f"set {key} to the run's optimizer steps ({curve.steps}), or stop the run at {planned}",
        (planned,),
    )


# --------------------------------------------------------------------------- SequentialLR


def _sequential(curve: CurveSpec) -> tuple[SchedulerSpec, Locator | None] | None:
    top = curve.scheduler
    kind = registry.resolve(top.type).kind
    return (top, _scheduler_locator(curve)) if kind.composite and not kind.chained else None


@rule("sequential-milestone-unreachable", "warning", needs_values=False)
def _sequential_unreachable(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """SequentialLR milestone 0 (the first scheduler never runs) or beyond the run (a later one never runs)."""
    found = _sequential(curve)
    if found is None:
        return
    scheduler, loc = found
    milestones = scheduler.kwargs.get("milestones", ())
    for index, milestone in enumerate(milestones):
        child = scheduler.children[index + 1].type if index + 1 < len(scheduler.children) else "?"
        if milestone == 0:
            yield Problem(
                _where(loc, "milestones"),
                f"milestone 0 hands over to schedulers[{index + 1}] ({child}) before the first step: "
                f"schedulers[{index}] ({scheduler.children[index].type}) never runs",
                f"remove schedulers[{index}] and its milestone, or give it a positive milestone (its length)",
                (0,),
            )
        elif milestone >= curve.steps:
            yield Problem(
                _where(loc, "milestones"),
                f"milestone {milestone} is beyond the {curve.steps}-step run: "
                f"schedulers[{index + 1}] ({child}) never runs",
                f"use milestones below {curve.steps}, or a longer run",
            )


@rule("sequential-length-mismatch", "warning")
def _sequential_mismatch(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """SequentialLR milestones that cut a child schedule short or leave it idle past its length."""
    found = _sequential(curve)
    if found is None or values is None:
        return
    scheduler, loc = found
    milestones = list(scheduler.kwargs.get("milestones", ()))
    starts = [0, *milestones]
    ends = [*milestones, curve.steps]
    for index, child in enumerate(scheduler.children):
        length = _length_of(child)
        start, end = starts[index], ends[index]
        if length is None or start >= min(end, curve.steps) or (index == len(milestones) and start >= curve.steps):
            continue
        key, planned = length
        segment = end - start
        last = index == len(milestones)
        fixed = registry.total_length(child.type, child.kwargs) is not None  # OneCycleLR: built for its length
        if planned == segment or (last and fixed and planned > segment):
            continue  # a final fixed-length child cut by the run's end is run-shorter-than-schedule's business
        child_loc = _child_locator(loc, index)
        name = f"schedulers[{index}] ({child.type}, {key}={planned})"
        bound = f"milestone {end}" if not last else f"the end of the run (step {curve.steps})"
        if planned > segment:
            happens = f"{name} is cut off after {segment} of its {planned} steps by {bound}"
            if not last and end < len(values.lr):
                happens += f": the LR jumps from {_num(values.lr[end - 1])} to {_num(values.lr[end])} at step {end}"
            mark: tuple[int, ...] = (end,) if end < curve.steps else ()
        else:
            finished = start + planned
            rest = values.lr[finished:end]
            if not rest.size:
                continue  # the run ends first: sequential-milestone-unreachable says so
            if np.isclose(rest, rest[0], rtol=1e-12, atol=0.0).all():
                after = f"then holds at LR {_num(rest[0])} for {len(rest)} steps"
            else:
                after = f"then goes on past its plan for {len(rest)} steps (LR {_num(rest[0])} to {_num(rest[-1])})"
            happens = f"{name} finishes at step {finished} but runs until {bound}: {after}"
            mark = (finished,)
        if last:
            fix = f"set its {key} to {segment} (the steps after the last milestone)"
        else:
            fix = f"set milestone {end} to {start + planned}, or its {key} to {segment}"
        yield Problem(_where(child_loc, key), happens, fix, mark)


# --------------------------------------------------------------------------- values


@rule("warmup-starts-at-zero", "warning")
def _starts_at_zero(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """The LR is exactly 0 at the first step: that optimizer step is wasted."""
    if values is None or not len(values.lr) or values.lr[0] != 0:
        return
    positive = np.flatnonzero(values.lr > 0)
    if not positive.size:
        return  # zero throughout: constant-throughout says so
    wasted = int(positive[0])
    where = _where(_scheduler_locator(curve), None)
    if curve.warmup is not None and curve.warmup.factor == 0 and curve.locator is not None:
        where = curve.locator.child("warmup").where("factor")
    elif registry.resolve(curve.scheduler.type).param("lr_lambda") is not None:
        where = _where(_scheduler_locator(curve), "lr_lambda")
    which = (
        "the first optimizer step (step 0)" if wasted == 1 else f"the first {wasted} optimizer steps (0-{wasted - 1})"
    )
    framework = registry.resolve(curve.scheduler.type).framework
    documented = f" ({framework.zero_start})" if framework is not None and framework.zero_start else ""
    yield Problem(
        where,
        f"the LR is 0 for {which}{documented}: an update with LR 0 changes nothing, so that compute is wasted",
        "start the warmup above 0: a start_factor or warmup factor like 0.001, or (epoch + 1) / N in an lr_lambda"
        if framework is None
        else "accept it (the framework's training loop does the same), or shorten the warmup",
        tuple(range(wasted)),
    )


@rule("lr-not-finite", "warning")
def _not_finite(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """The LR is inf or NaN somewhere: the first such step ruins the weights."""
    if values is None:
        return
    bad = np.flatnonzero(~np.isfinite(values.group_lr).all(axis=0))
    if bad.size:
        first = int(bad[0])
        value = values.group_lr[:, first][~np.isfinite(values.group_lr[:, first])][0]
        yield Problem(
            _where(_scheduler_locator(curve), None),
            f"the LR is {value} from step {first} ({bad.size} of {curve.steps} steps are not finite)",
            "keep the schedule bounded: a gamma at most 1, or an lr_lambda that stays finite",
            (first,),
        )


@rule("lr-negative", "warning")
def _negative(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """The LR is negative somewhere: the optimizer then climbs the loss instead of descending it."""
    if values is None:
        return
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero((values.group_lr < 0).any(axis=0))
    if bad.size:
        first = int(bad[0])
        yield Problem(
            _where(_scheduler_locator(curve), None),
            f"the LR is negative from step {first} ({_num(values.group_lr[:, first].min())}; "
            f"{bad.size} of {curve.steps} steps): torch applies it as is, so those steps ascend the loss",
            "clamp the schedule at 0, e.g. max(0, 1 - epoch / N) in an lr_lambda, or shorten the decay",
            (first,),
        )


@rule("minimum-long-before-end", "warning")
def _minimum_early(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """The LR reaches its final minimum early and stays there for more than half the run."""
    if values is None or len(values.lr) < 2 or not np.isfinite(values.lr).all():
        return
    reached = _flat_from(values.lr)
    tail = len(values.lr) - reached
    if reached == 0 or values.lr[-1] >= values.lr[:reached].min() or tail <= IDLE_TAIL_SHARE * len(values.lr):
        return
    yield Problem(
        _where(_scheduler_locator(curve), None),
        f"the LR reaches its minimum {_num(values.lr[-1])} at step {reached} and stays there for the last "
        f"{tail} of {len(values.lr)} steps ({100 * tail // len(values.lr)}%)",
        "stretch the schedule over the run (later milestones, a larger step_size, T_max or total_iters), "
        "or shorten the run",
        (reached,),
    )


@rule("constant-throughout", "warning", only_if_unexplained=True)
def _constant(curve: CurveSpec, values: Curve | None) -> Iterator[Problem]:
    """The LR never changes over the whole run: the scheduler does nothing."""
    if values is None or values.group_lr.shape[1] < 2:
        return
    rows = values.group_lr
    if np.isclose(rows, rows[:, :1], rtol=1e-12, atol=0.0).all():
        yield Problem(
            _where(_scheduler_locator(curve), None),
            f"the LR is {_num(values.lr[0])} at every one of the {curve.steps} steps: the scheduler changes nothing",
            "check the factor (a gamma or factor of 1 changes nothing) and that its lengths fit the run",
        )


# --------------------------------------------------------------------------- running the rules


def simulate_for_check(curve: CurveSpec) -> Curve | None:
    """The values torch gives for `curve`, as far as torch can run it; None if torch cannot build it.

    A run longer than OneCycleLR allows is simulated up to OneCycleLR's last step (the rest would
    raise); a fractional T_mult is refused by torch's constructor. Rules explain both.
    """
    if any(isinstance(s.kwargs.get("T_mult"), float) for s, _ in _every_scheduler(curve.scheduler, None)):
        return None  # torch refuses a fractional T_mult when it builds the scheduler
    limit = registry.total_length(curve.scheduler.type, curve.scheduler.kwargs)
    if limit is not None and curve.steps > limit:
        curve = replace(curve, steps=limit)
    return simulate_curve(curve)


def check(spec: Spec, curves: Sequence[Curve | None]) -> list[Finding]:
    """Every finding of every rule, for each curve of `spec` and its simulated values (or None)."""
    findings: list[Finding] = []
    for curve_spec, values in zip(spec.curves, curves, strict=True):
        explained = False
        # a rule that speaks only when nothing else explained the curve goes last, whichever module registered it
        for item in sorted(RULES, key=lambda r: r.only_if_unexplained):
            if (item.needs_values and values is None) or (item.only_if_unexplained and explained):
                continue
            for problem in item.check(curve_spec, values):
                findings.append(
                    Finding(
                        item.level,
                        item.name,
                        curve_spec.label,
                        problem.where,
                        problem.message,
                        problem.fix,
                        problem.steps,
                    )
                )
                explained = explained or item.level == "warning"
    return findings


# The rules for the classic unit mistakes (epochs for iterations, warmups past the end) live in
# their own module; importing it registers them, after the rules above.
import lrviz.check.mistakes  # noqa: E402, F401
import lrviz.schedules.pytorch.rules  # noqa: E402, F401 - the rules about torch's own schedulers
