"""Resume audit: does a schedule saved mid-run and loaded into a fresh one go on as if never stopped?

``lrviz check SPEC --resume-at N [--resume-steps M]`` drives the real scheduler (warmup, by-epoch
stepping, metrics and Hugging Face's LambdaLR included, through :class:`lrviz.simulation.schedule.ScheduleDriver`) for N
optimizer steps, saves the scheduler's and the optimizer's ``state_dict()`` through ``torch.save``
into memory and back with ``torch.load``, as a real checkpoint does, builds a fresh optimizer and
scheduler (for M steps when the run's length changes: every length parameter that ran to the old
end is rebuilt to end at M), loads both states, continues, and compares with an uninterrupted run
of the rebuilt schedule. What torch's ``state_dict`` drops or restores (a lambda is not saved;
``T_max`` and OneCycleLR's ``total_steps`` are, over the rebuilt values) shows in the values.
A framework schedule that lrviz builds with a stand-in class of its own (mmengine's runner, timm's
train.py loop, optax's formulas) is reported as not audited: its checkpoint is not the framework's.
Nothing here prints: the findings go through :class:`lrviz.check.rules.Finding`.
"""

from __future__ import annotations

import dataclasses
import io
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lrviz.check.rules import Finding, Level
from lrviz.errors import ScheduleError, SpecError
from lrviz.schedules import pytorch as registry
from lrviz.spec.model import MAX_STEPS, CurveSpec, SchedulerSpec, Spec, parse_int

if TYPE_CHECKING:
    from lrviz.simulation.schedule import ScheduleDriver

# rule name, level, what it reports (`check --list-rules` and README's rules table)
RESUME_RULES: tuple[tuple[str, Level, str], ...] = (
    ("resume-differs", "warning", "With --resume-at: the resumed schedule departs from an uninterrupted run"),
    ("resume-fails", "warning", "With --resume-at: saving, loading or continuing the checkpoint raises"),
    ("resume-agrees", "info", "With --resume-at: the resumed schedule follows the uninterrupted run exactly"),
    ("resume-not-audited", "info", "With --resume-at: a framework schedule lrviz builds with a stand-in class"),
)
# State that records progress, not the plan: it is meant to come from the checkpoint.
_PROGRESS_KEYS = {"last_epoch", "base_lrs", "lr_lambdas"}


@dataclass(frozen=True)
class ResumeRequest:
    """Where a run stops (`resume_at`, optimizer steps done) and how long the resumed run lasts
    (`resume_steps`; None: the spec's own length)."""

    resume_at: int
    resume_steps: int | None = None


def parse_request(
    resume_at: str | int, resume_steps: str | int | None, names: Mapping[str, str] | None = None
) -> ResumeRequest:
    """The request from text or numbers; SpecError at `names[key]` (default: the key) for a bad one."""
    names = names or {}
    at_where, steps_where = names.get("resume_at", "resume_at"), names.get("resume_steps", "resume_steps")
    at = parse_int(resume_at, at_where, "a whole number of optimizer steps")
    if at < 0:
        raise SpecError(f"must be at least 0 (optimizer steps done before the checkpoint), got {at}", at_where)
    steps = None
    if resume_steps is not None:
        steps = parse_int(resume_steps, steps_where, "a whole number of optimizer steps")
        if steps <= at:
            raise SpecError(
                f"must be more than the checkpoint's step {at} (it is the resumed run's total), got {steps}",
                steps_where,
            )
        if steps > MAX_STEPS:
            raise SpecError(f"must be at most {MAX_STEPS:,} per curve, got {steps:,}", steps_where)
    return ResumeRequest(at, steps)


def validate_request(spec: Spec, request: ResumeRequest, names: Mapping[str, str] | None = None) -> None:
    """Refuse a checkpoint step past the end of a curve's run, or a resumed run longer than a
    metric-driven curve's metric (SpecError at `names[key]`, default: the key)."""
    names = names or {}
    at_where, steps_where = names.get("resume_at", "resume_at"), names.get("resume_steps", "resume_steps")
    for curve in spec.curves:
        total = request.resume_steps or curve.steps
        if request.resume_at > curve.steps or request.resume_at >= total:
            limit = curve.steps if request.resume_steps else curve.steps - 1
            longer = "" if request.resume_steps else f" (or resume into a longer run with {steps_where})"
            raise SpecError(
                f"step {request.resume_at} is past the end of {curve.label}'s {curve.steps}-step run: "
                f"use at most {limit}{longer}",
                at_where,
            )
        metric = curve.metric
        if (
            metric is not None
            and registry.resolve(curve.scheduler.type).kind.metric_driven
            and total > len(metric.values)
        ):
            raise SpecError(
                f"{curve.label} is stepped with its metric, which has {len(metric.values)} values: "
                f"the resumed run can last at most {len(metric.values)} steps",
                steps_where,
            )


# --------------------------------------------------------------------------- the schedule rebuilt for M steps


def scheduler_steps(curve: CurveSpec, steps: int) -> int:
    """How many scheduler.step() calls a run of `steps` optimizer steps makes (after a shift-mode
    warmup, once per epoch for a by-epoch scheduler)."""
    shift = curve.warmup.shifts if curve.warmup is not None else 0
    stepped = max(steps - shift, 0)
    if curve.by_epoch and curve.steps_per_epoch:
        return -(-stepped // curve.steps_per_epoch)
    return stepped


def rebuilt_for(curve: CurveSpec, steps: int) -> CurveSpec:
    """`curve` planned for `steps` optimizer steps: each length parameter that ran to the old run's
    end (T_max, total_iters, total_steps, num_training_steps, a SequentialLR's last child) ends at
    the new one; other parameters stay as they are."""
    if steps == curve.steps:
        return curve
    old_end, new_end = scheduler_steps(curve, curve.steps), scheduler_steps(curve, steps)
    scheduler = _rebuilt(curve.scheduler, old_end, new_end)
    return dataclasses.replace(curve, steps=steps, scheduler=scheduler)


def _rebuilt(scheduler: SchedulerSpec, old_end: int, new_end: int) -> SchedulerSpec:
    params = dict(scheduler.params)
    children = scheduler.children
    kind = registry.resolve(scheduler.type).kind
    if kind.composite and not kind.chained and children:  # SequentialLR: the last child runs to the end
        last = max(params.get("milestones", ()) or (0,))
        tail = _rebuilt(children[-1], old_end - last, new_end - last)
        children = (*children[:-1], tail)
    elif kind.chained:
        children = tuple(_rebuilt(child, old_end, new_end) for child in children)
    key = _length_key(scheduler)
    if key == "epochs" and registry.total_length(scheduler.type, params) == old_end:
        params = {k: v for k, v in params.items() if k not in ("epochs", "steps_per_epoch")}
        params["total_steps"] = new_end
    elif key is not None and params.get(key) == old_end:
        params[key] = new_end
    return dataclasses.replace(scheduler, params=tuple(params.items()), children=children)


def _length_key(scheduler: SchedulerSpec) -> str | None:
    """The parameter that sets how long `scheduler` runs, as `check` reads it."""
    from lrviz.check.rules import _length_of

    length = _length_of(scheduler)
    return None if length is None else length[0]


# --------------------------------------------------------------------------- driving the runs


@dataclass(frozen=True)
class ResumeRun:
    """The LRs of a run resumed from a checkpoint beside those of an uninterrupted one."""

    curve: CurveSpec  # the schedule the resumed run continues with (rebuilt for its length)
    resume_at: int
    resumed: np.ndarray  # (groups, steps) up to where it stopped (or failed)
    uninterrupted: np.ndarray  # (groups, steps)
    restored: tuple[tuple[str, Any, Any], ...] = ()  # (state key, checkpoint's value, rebuilt value) that differ
    failure: str | None = None  # what torch raised, and at which step


def resume_run(curve: CurveSpec, request: ResumeRequest, where: str = "resume_steps") -> ResumeRun:
    """Run `curve` to `request.resume_at`, checkpoint, resume into a fresh schedule and continue;
    beside it, the rebuilt schedule run without a stop (ScheduleError at `where` if that fails)."""
    import torch

    steps = request.resume_steps or curve.steps
    continued = rebuilt_for(curve, steps)
    uninterrupted, failure = _drive(_build(continued), 0, steps)
    if failure is not None:  # nothing to compare with: the rebuilt plan itself cannot run that long
        raise ScheduleError(f"{curve.label} cannot run {steps} steps even uninterrupted: {failure}", where)
    resumed = np.full_like(uninterrupted, np.nan)
    first = _build(curve)
    resumed[:, : request.resume_at], failure = _drive(first, 0, request.resume_at, to_checkpoint=True)
    if failure is not None:
        return ResumeRun(continued, request.resume_at, resumed, uninterrupted, failure=failure)
    buffer = io.BytesIO()
    try:
        torch.save({"scheduler": first.state_dict(), "optimizer": first.optimizer.state_dict()}, buffer)
    except Exception as exc:  # pickling a lambda or a local function: what any checkpoint would hit
        failure = f"saving the checkpoint raises {_one_line(exc)}"
        return ResumeRun(continued, request.resume_at, resumed, uninterrupted, failure=failure)
    buffer.seek(0)
    # weights_only=False: torch.load's default refuses a scheduler state holding a callable object
    checkpoint = torch.load(buffer, weights_only=False)
    second = _build(continued)
    # the plan a rebuilt scheduler starts with and the checkpoint carries over it (T_max, total_steps)
    restored = tuple(_plan_changes(second.scheduler.state_dict(), _build(curve).scheduler.state_dict()))
    try:
        second.optimizer.load_state_dict(checkpoint["optimizer"])
        second.load_state_dict(checkpoint["scheduler"])
    except Exception as exc:
        return ResumeRun(
            continued, request.resume_at, resumed, uninterrupted, restored, f"load_state_dict raises {_one_line(exc)}"
        )
    values, failure = _drive(second, request.resume_at, steps)
    resumed[:, request.resume_at :] = values
    return ResumeRun(continued, request.resume_at, resumed, uninterrupted, restored, failure)


def _build(curve: CurveSpec) -> ScheduleDriver:
    from lrviz.simulation.schedule import Schedule
    from lrviz.simulation.stepping import make_optimizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Schedule(curve).build(make_optimizer(curve.group_lrs, curve.optimizer))


def _drive(driver: ScheduleDriver, start: int, stop: int, to_checkpoint: bool = False) -> tuple[np.ndarray, str | None]:
    """The LRs of optimizer steps start..stop-1 (NaN from a step where torch raised), and what it raised.

    The scheduler.step() after the last optimizer step computes a value no update of this run
    uses, so it is left out (as in the simulation), except before a checkpoint (`to_checkpoint`).
    """
    values = np.full((len(driver.optimizer.param_groups), stop - start), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's order checks: the dummy optimizer steps once per step here
        for k in range(start, stop):
            values[:, k - start] = driver.get_last_lr()
            driver.optimizer.step()
            if k + 1 == stop and not to_checkpoint:
                break
            try:
                driver.step()
            except Exception as exc:  # torch raising mid-run is the finding (OneCycleLR past total_steps)
                return values, f"scheduler.step() after optimizer step {k} raises {_one_line(exc)}"
    return values, None


def _plan_changes(rebuilt: Any, saved: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(key, saved value, rebuilt value) where two freshly built schedulers' states differ: their
    plan (T_max, total_steps, ...), which loading a checkpoint restores over the rebuilt one; not
    the progress (last_epoch, _last_lr). Nested schedulers' states too."""
    if isinstance(rebuilt, Mapping) and isinstance(saved, Mapping):
        for key in rebuilt.keys() & saved.keys():
            name = str(key)
            if name.startswith("_") and name != "_schedulers" or name in _PROGRESS_KEYS:
                continue
            yield from _plan_changes(rebuilt[key], saved[key], f"{path}.{name}" if path else name)
    elif isinstance(rebuilt, list) and isinstance(saved, list) and all(isinstance(i, Mapping) for i in rebuilt):
        for index, (new, old) in enumerate(zip(rebuilt, saved, strict=False)):
            yield from _plan_changes(new, old, f"{path}[{index}]")
    elif _differs(rebuilt, saved):
        yield path, saved, rebuilt


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(a != b)
    except Exception:  # tensors, arrays: compare their values
        return not np.array_equal(np.asarray(a), np.asarray(b))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


# --------------------------------------------------------------------------- findings


def stand_in(curve: CurveSpec) -> str | None:
    """The class of lrviz's own stand-in when `curve`'s scheduler (or a nested one) is not a torch
    class: its checkpoint is lrviz's, not the framework's own scheduler's, so it is not audited."""
    driver = _build(curve)
    pending = [driver.scheduler]
    while pending:
        scheduler = pending.pop()
        if not type(scheduler).__module__.startswith("torch."):
            return type(scheduler).__name__
        pending.extend(getattr(scheduler, "_schedulers", ()))
    return None


def resume_findings(spec: Spec, request: ResumeRequest, names: Mapping[str, str] | None = None) -> list[Finding]:
    """One finding per curve: the resumed run agrees with an uninterrupted one, departs from it
    (where first, by how much), or fails (what torch raised). A plan that cannot run the resumed
    length at all is a ScheduleError at `names["resume_steps"]`."""
    where = (names or {}).get("resume_steps", "resume_steps")
    findings = []
    for curve in spec.curves:
        replica = stand_in(curve)
        if replica is not None:
            findings.append(_not_audited(curve, replica))
            continue
        findings.append(_finding(curve, resume_run(curve, request, where)))
    return findings


def _not_audited(curve: CurveSpec, replica: str) -> Finding:
    return Finding(
        "info",
        "resume-not-audited",
        curve.label,
        _scheduler_where(curve, None),
        f"{curve.scheduler.type} is built by lrviz's stand-in {replica}, not by the framework's own scheduler "
        "class, so its state_dict() says nothing about the framework's checkpoints",
        "audit the resume in the framework's own training loop (save, load, compare the LRs)",
    )


def _finding(curve: CurveSpec, run: ResumeRun) -> Finding:
    at, total = run.resume_at, run.uninterrupted.shape[1]
    setup = (
        f"stopped after {at} optimizer steps, saved (scheduler and optimizer state_dict through torch.save and "
        f"torch.load) and resumed into a fresh schedule" + (f" for {total} steps" if total != curve.steps else "")
    )
    differing = _differing_steps(run)
    where = _scheduler_where(curve, run.restored[0][0] if run.restored else None)
    if run.failure is None and not differing.size:
        message = f"{setup}: the LR follows an uninterrupted {total}-step run at every step from {at} to {total - 1}"
        return Finding("info", "resume-agrees", curve.label, where, message, "nothing to fix")
    parts = [setup]
    if differing.size:
        parts.append(_difference(run, differing))
    if run.restored:
        parts.append(
            "the checkpoint restores "
            + ", ".join(f"{key}={_show(old)} over the rebuilt {_show(new)}" for key, old, new in run.restored)
        )
    if run.failure is not None:
        parts.append(run.failure)
    rule = "resume-fails" if run.failure is not None else "resume-differs"
    steps = tuple(int(k) for k in differing[:1])
    return Finding(
        "warning", rule, curve.label, where, "; ".join(parts), _fix(run, differing, total != curve.steps), steps
    )


def _differing_steps(run: ResumeRun) -> np.ndarray:
    """Steps from the checkpoint on where the resumed LR is not the uninterrupted one (a NaN after a failure is)."""
    resumed, reference = run.resumed[:, run.resume_at :], run.uninterrupted[:, run.resume_at :]
    same = np.isclose(resumed, reference, rtol=1e-12, atol=0.0) | (np.isnan(resumed) & np.isnan(reference))
    ran = ~np.isnan(resumed).all(axis=0)  # a failed run's missing values are the failure, not a difference
    return np.flatnonzero(~same.all(axis=0) & ran) + run.resume_at


def _difference(run: ResumeRun, differing: np.ndarray) -> str:
    first = int(differing[0])
    got, expected = float(run.resumed[0, first]), float(run.uninterrupted[0, first])
    change = got - expected
    relative = f", {change / expected:+.1%}" if expected else ""
    text = (
        f"the LR first differs from the uninterrupted run at step {first}: {_show(got)} instead of "
        f"{_show(expected)} ({change:+.4g}{relative})"
    )
    ran = int((~np.isnan(run.resumed[:, run.resume_at :]).all(axis=0)).sum())
    at_end = run.resume_at + ran  # the first step the resumed run did not reach
    if differing.size == 1:
        return text + (f", and only there: the run agrees again from step {first + 1}" if first + 1 < at_end else "")
    gaps = np.abs(run.resumed - run.uninterrupted)[0, differing]
    worst = int(differing[int(np.argmax(gaps))])
    return text + (
        f"; {differing.size} of the {ran} resumed steps differ, most at step {worst} "
        f"({_show(float(run.resumed[0, worst]))} instead of {_show(float(run.uninterrupted[0, worst]))})"
    )


def _fix(run: ResumeRun, differing: np.ndarray, length_changed: bool) -> str:
    if length_changed and differing.size:
        # Setting T_max or total_steps after loading is not enough: OneCycleLR keeps phases derived
        # from it, and CosineAnnealingLR's recursive form goes on from the checkpoint's LR.
        kept = ", ".join(f"{key}={_show(old)}" for key, old, _ in run.restored)
        return (
            "when the plan changes, do not load the scheduler's state"
            + (f" (it puts back {kept})" if kept else "")
            + f": load the optimizer's, build the scheduler for {run.uninterrupted.shape[1]} steps and call its "
            f"step() {run.resume_at} times; the LR then jumps to the new plan at step {run.resume_at}"
        )
    if run.failure is not None and not differing.size:
        return "keep what the scheduler's state_dict() holds picklable (functions are not), or rebuild it on resume"
    return (
        "rebuild the resumed scheduler with the same functions and lengths as the first run: "
        "torch's state_dict() does not save functions (lr_lambda) and restores the lengths it holds"
    )


def _scheduler_where(curve: CurveSpec, key: str | None) -> str:
    """The flag or YAML location of a state key: `T_max`, or a nested one (`_schedulers[1].T_max`)."""
    loc = None if curve.locator is None else curve.locator.child("scheduler")
    if key is None or loc is None:
        return key or "scheduler" if loc is None else loc.where()
    *nesting, name = key.split(".")
    for part in nesting:
        match = re.fullmatch(r"_schedulers\[(\d+)\]", part)
        if match is None:
            return loc.where()
        loc = loc.child("schedulers").child(int(match.group(1)))
    return loc.where(name)


def _show(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)
