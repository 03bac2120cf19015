"""Non-LR schedules: weight decay and momentum, recorded beside a curve's LR (a curve's `series:` key).

Real recipes schedule more than the LR: DINO's weight decay follows a cosine from 0.04 to 0.4,
nanochat warms Muon's momentum up from 0.85 to 0.95, mmengine has momentum and weight-decay
param schedulers. Each entry is any lrviz scheduler (and warmup) stepped over a fresh dummy
optimizer whose "lr" is the entry's `value`: what that optimizer's lr does, step by step, is what
the scheduled hyperparameter does. A momentum series replaces the curve's recorded momentum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from lrviz.errors import SpecError
from lrviz.schedules import pytorch as registry

if TYPE_CHECKING:
    import numpy as np

    from lrviz.spec.model import CurveSpec, Locator, SchedulerSpec, Warmup

PARAMS = ("weight_decay", "momentum")  # the hyperparameters a series can schedule
SERIES_KEYS = ("param", "value", "scheduler", "warmup")


@dataclass(frozen=True)
class SeriesSpec:
    """One scheduled hyperparameter: `scheduler` (and `warmup`) over an optimizer whose lr is `value`."""

    param: str
    value: float
    scheduler: SchedulerSpec
    warmup: Warmup | None = None
    locator: Locator | None = field(default=None, compare=False, repr=False)


def build_series(raw: Any, loc: Locator, lr_scheduler: SchedulerSpec) -> tuple[SeriesSpec, ...]:
    """The SeriesSpecs of a curve's `series:` list (`loc` names that key; `lr_scheduler` is the LR's)."""
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise SpecError(
            "expected a list of {param: weight_decay | momentum, value: ..., scheduler: ...}", loc.where()
        )
    built: list[SeriesSpec] = []
    for index, entry in enumerate(raw):
        series = _build_entry(entry, loc.child(index), lr_scheduler)
        if any(other.param == series.param for other in built):
            raise SpecError(f"{series.param} is scheduled twice", loc.child(index).where("param"))
        built.append(series)
    return tuple(built)


def _build_entry(raw: Any, loc: Locator, lr_scheduler: SchedulerSpec) -> SeriesSpec:
    from lrviz.simulation.stepping import cycles_momentum
    from lrviz.spec.model import _build_warmup, _check_keys, _check_scheduler_values, build_scheduler, parse_float

    if not isinstance(raw, Mapping):
        raise SpecError("expected a mapping with param, value and scheduler", loc.where())
    _check_keys(raw, SERIES_KEYS, loc, "series key")
    for key in ("param", "value", "scheduler"):
        if key not in raw:
            raise SpecError(f"missing key '{key}'", loc.where())
    param = raw["param"]
    if param not in PARAMS:
        hint = registry.suggest(str(param), list(PARAMS)) or f" (expected one of: {', '.join(PARAMS)})"
        raise SpecError(f"unknown param '{param}'{hint}", loc.where("param"))
    if param == "momentum" and cycles_momentum(lr_scheduler):
        raise SpecError(
            f"{lr_scheduler.type} already cycles momentum; leave this series out or set cycle_momentum to false",
            loc.where("param"),
        )
    value = parse_float(raw["value"], loc.where("value"))
    if value < 0:
        raise SpecError(f"must not be negative, got {value:g}", loc.where("value"))
    scheduler, sweeps = build_scheduler(raw["scheduler"], loc.child("scheduler"))
    if sweeps:  # only flags produce sweeps, and no flag fills a series
        raise SpecError("a series cannot be swept", loc.where("scheduler"))
    _check_scheduler_values(scheduler, loc.child("scheduler"))
    warmup = _build_warmup(raw.get("warmup"), loc.child("warmup"))
    return SeriesSpec(param, value, scheduler, warmup, loc)


def series_curve(curve: CurveSpec, series: SeriesSpec) -> CurveSpec:
    """The CurveSpec that simulates `series` over `curve`'s steps: lr is the series' value."""
    return replace(
        curve,
        label=f"{curve.label} [{series.param}]",
        scheduler=series.scheduler,
        lr=series.value,
        warmup=series.warmup,
        param_groups=(),
        metric=None,
        varied=(),
        optimizer="SGD",  # the scheduled value is the dummy's lr; its momentum never shows
        series=(),
        locator=series.locator,
    )


def simulate_series(curve: CurveSpec) -> tuple[tuple[str, np.ndarray], ...]:
    """(param, values) of each of `curve`'s series: the recorded lr of its own dummy optimizer."""
    from lrviz.simulation.stepping import require_finite, simulate_curve

    return tuple(
        (series.param, require_finite(simulate_curve(series_curve(curve, series))).lr) for series in curve.series
    )
