"""MosaicML Composer (``composer.optim.scheduler``): its stateless schedulers, with ``10ep`` / ``100ba`` /
``0.1dur`` time strings.

Composer compiles a scheduler into ``LambdaLR(optimizer, lambda _: scheduler(state))`` (an LR
multiplier: ``--lr`` is the optimizer's LR) and steps it after every batch, once the timestamp has
moved to the next batch, so update k uses the scheduler at ``timestamp.batch == k``. Every time
string becomes batches as ``_convert_time`` converts it: ``Nep`` is N x ``dataloader_len`` batches,
``Xdur`` is X of ``max_duration`` (``10ep`` or ``1000ba``). ``scale_schedule_ratio`` is taken as 1.0;
sample, token and wall-clock units are refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from lrviz.schedules._recipe_code import call, framework_source, lambda_source
from lrviz.schedules.base import FrameworkSchedule, LrFunction, at_least, multiplier, param

FRAMEWORK = "composer"
TITLE = "MosaicML Composer"
PACKAGE = "composer"

_TIME = re.compile(r"^(.+)(ep|ba|dur)$", re.IGNORECASE)


def parse_time(text: str) -> tuple[float, str]:
    """Time.from_timestring for ep / ba / dur: (value, unit); ep and ba values must be integers."""
    match = _TIME.match(str(text).strip())
    if not match:
        raise ValueError(f"expected a time like 10ep, 100ba or 0.1dur, got {text!r}")
    try:
        value = float(match.group(1))
    except ValueError:
        raise ValueError(f"expected a time like 10ep, 100ba or 0.1dur, got {text!r}") from None
    unit = match.group(2).lower()
    if unit != "dur":
        if int(value) != value:
            raise ValueError(f"{text!r}: {unit} needs a whole number")
        return int(value), unit
    return value, unit


def batches(text: str, max_duration: str, dataloader_len: int | None) -> int:
    """_convert_time(time, state) in batches (ssr 1.0)."""
    value, unit = parse_time(text)
    if unit == "dur":
        total, total_unit = parse_time(max_duration)
        if total_unit == "ep":
            return int(value * int(dataloader_len) * total)
        return int(value * total)
    if unit == "ep":
        value = value * int(dataloader_len)
    return int(value * 1.0)


def cosine_anneal(x, min_y=0.0, max_y=1.0):
    """composer's _cosine_anneal: half a cosine from max_y to min_y over x in [0, 1]."""
    x = min(max(x, 0.0), 1.0)
    return min_y + (max_y - min_y) * (1 + math.cos(x * math.pi)) / 2


def step_factor(k, step_size, gamma):
    """StepScheduler at batch k (step_size in batches)."""
    return gamma ** int(k / step_size)


def multi_step_factor(k, milestones, gamma):
    """MultiStepScheduler at batch k (milestones in batches)."""
    factor = 1.0
    for milestone in milestones:
        if k >= milestone:
            factor *= gamma
    return factor


def constant_factor(k, alpha, t_max):
    """ConstantScheduler at batch k."""
    return alpha if k < t_max else 1.0


def linear_factor(k, alpha_i, alpha_f, t_max):
    """LinearScheduler at batch k."""
    frac_of_total = min(1.0, k / t_max)
    return alpha_i + frac_of_total * (alpha_f - alpha_i)


def exponential_factor(k, gamma, decay_period):
    """ExponentialScheduler at batch k."""
    return gamma ** float(k / decay_period)


def cosine_factor(k, t_max, alpha_f):
    """CosineAnnealingScheduler at batch k."""
    return cosine_anneal(x=k / t_max, min_y=alpha_f)


def warm_restarts_factor(k, t_0, t_mult, alpha_f):
    """CosineAnnealingWarmRestartsScheduler at batch k (intervals grow by int(t_mult * length))."""
    current_interval_len = t_0
    current_interval_end = t_0
    while current_interval_end <= k:
        current_interval_len = int(t_mult * current_interval_len)
        current_interval_end += current_interval_len
    current_interval_start = current_interval_end - current_interval_len
    return cosine_anneal(x=(k - current_interval_start) / current_interval_len, min_y=alpha_f)


def polynomial_factor(k, power, t_max, alpha_f):
    """PolynomialScheduler at batch k."""
    frac_of_total = min(1.0, k / t_max)
    coeff = (1 - frac_of_total) ** power
    return alpha_f + coeff * (1.0 - alpha_f)


def after_warmup(k, t_warmup, t_max):
    """The *WithWarmup schedulers' fraction of (t_warmup, t_max) done at batch k."""
    frac_of_total = (k - t_warmup) / (t_max - t_warmup) if t_max > t_warmup else 0.0
    return min(1.0, frac_of_total)


def multi_step_with_warmup_factor(k, t_warmup, milestones, gamma):
    """MultiStepWithWarmupScheduler at batch k."""
    if k < t_warmup:
        return linear_factor(k, 0.0, 1.0, t_warmup)
    return multi_step_factor(k, milestones, gamma)


def linear_with_warmup_factor(k, t_warmup, alpha_i, alpha_f, t_max):
    """LinearWithWarmupScheduler (and ConstantWithWarmupScheduler: alpha_i = alpha_f) at batch k."""
    if k < t_warmup:
        return linear_factor(k, 0.0, alpha_i, t_warmup)
    return alpha_i + after_warmup(k, t_warmup, t_max) * (alpha_f - alpha_i)


def cosine_with_warmup_factor(k, t_warmup, t_max, alpha_f):
    """CosineAnnealingWithWarmupScheduler at batch k."""
    if k < t_warmup:
        return linear_factor(k, 0.0, 1.0, t_warmup)
    return cosine_anneal(x=after_warmup(k, t_warmup, t_max), min_y=alpha_f)


def polynomial_with_warmup_factor(k, t_warmup, power, t_max, alpha_f):
    """PolynomialWithWarmupScheduler at batch k."""
    if k < t_warmup:
        return linear_factor(k, 0.0, 1.0, t_warmup)
    coeff = (1 - after_warmup(k, t_warmup, t_max)) ** power
    return alpha_f + coeff * (1.0 - alpha_f)


_HELPERS = (cosine_anneal, linear_factor, multi_step_factor, after_warmup)
_MAX_DURATION = param(
    "max_duration", "str", help="The maximum duration to train (the Trainer's max_duration: 10ep, 1000ba)"
)
_LOADER = param(
    "dataloader_len", "int", None, optional=True, help="batches per epoch, for ep and dur times (len(train_dataloader))"
)
_TIMES = ("step_size", "t_max", "decay_period", "t_0", "t_warmup")


def _factor_arguments(params: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The factor function's arguments: time strings in batches, milestones as a list of batches."""
    convert = partial(batches, max_duration=params["max_duration"], dataloader_len=params["dataloader_len"])
    arguments = {}
    for name in names:
        if name in _TIMES:
            arguments[name] = convert(params[name])
        elif name == "milestones":
            arguments[name] = [convert(word) for word in params["milestones"].split()]
        else:
            arguments[name] = params[name]
    return arguments


def _time_texts(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    texts = [(name, params[name]) for name in (*_TIMES, "max_duration") if name in params]
    return texts + [("milestones", word) for word in str(params.get("milestones") or "").split()]


def _time_problems(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Time strings composer could not read or convert to batches here."""
    units = []
    for name, text in _time_texts(params):
        try:
            units.append(parse_time(text)[1])
        except ValueError as exc:
            return [(name, str(exc))]
    if parse_time(params["max_duration"])[1] == "dur":
        return [("max_duration", "must be in ep or ba")]
    if "ep" in units and params["dataloader_len"] is None:
        return [("dataloader_len", "is needed to turn epochs into batches")]
    return at_least(1, "dataloader_len")(params)


def _check(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], list[tuple[str, str]]]:
    def check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems = _time_problems(params)
        if problems:
            return problems
        converted = _factor_arguments(params, names)
        for name in ("step_size", "t_max", "decay_period", "t_0"):
            if name in names and converted[name] < 1:
                problems.append((name, f"is {converted[name]} batches: must be at least 1 (composer divides by it)"))
        if "t_mult" in names and params["t_mult"] < 1:
            problems.append(("t_mult", f"must be at least 1, got {params['t_mult']} (intervals shrink to 0)"))
        if "t_warmup" in names and "t_max" in names and converted["t_max"] < _total(params):
            message = f"is {converted['t_max']} batches, shorter than max_duration ({_total(params)}): composer raises"
            problems.append(("t_max", message))
        return problems

    return check


def _total(params: Mapping[str, Any]) -> int:
    return batches("1dur", params["max_duration"], params["dataloader_len"])


def _framework_code(cls: str, own: tuple, params: Mapping[str, Any]) -> str:
    """Composer's own scheduler object, evaluated as the Trainer evaluates it after batch k."""
    arguments = {p.name: params[p.name] for p in own}
    if "milestones" in arguments:
        arguments["milestones"] = params["milestones"].split()
    loader = params["dataloader_len"]
    return framework_source(
        "from types import SimpleNamespace\n\nimport torch\nfrom composer.core import Time, Timestamp\n"
        f"from composer.optim.scheduler import {cls}",
        f"    scheduler = {call(cls, arguments)}\n"
        "    # the parts of the Trainer's State a scheduler reads; the Trainer steps it after each batch\n"
        f"    state = SimpleNamespace(max_duration=Time.from_timestring({params['max_duration']!r}), "
        f"dataloader_len={loader!r}, timestamp=Timestamp())\n"
        "\n"
        "    def lr_lambda(step):\n"
        "        state.timestamp = Timestamp(batch=step)\n"
        "        return scheduler(state)\n"
        "\n"
        "    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)\n",
    )


_T_MAX = param("t_max", "str", "1dur", help="The duration of this scheduler.")
_ALPHA_F = param("alpha_f", "float", 0.0, help="Learning rate multiplier to decay to.")
_GAMMA = param("gamma", "float", 0.1, help="Gamma.")
_MILESTONES = param(
    "milestones", "str", help="Times at which the learning rate should change (space-separated: 30ep 60ep)."
)
_T_WARMUP = param("t_warmup", "str", help="Warmup time.")


def _member(
    cls: str, function: Callable[..., float], own: tuple, summary: str, example: str, fixed: Mapping[str, str] = {}
) -> FrameworkSchedule:
    """A composer scheduler: its own parameters plus the run's max_duration and dataloader_len; `fixed` maps a
    factor argument to the parameter that feeds it (ConstantWithWarmup's alpha_i and alpha_f are its alpha)."""
    names = tuple(p.name for p in own)

    def arguments(params: Mapping[str, Any]) -> dict[str, Any]:
        values = _factor_arguments(params, names)
        return {
            **{k: v for k, v in values.items() if k not in fixed.values()},
            **{k: values[v] for k, v in fixed.items()},
        }

    def factor(params: Mapping[str, Any]) -> LrFunction:
        return partial(function, **arguments(params))

    helpers = tuple(h for h in _HELPERS if h is not function)
    return FrameworkSchedule(
        name=cls,
        params=(*own, _MAX_DURATION, _LOADER),
        summary=summary,
        source=f"composer.optim.scheduler.{cls}",
        example=example,
        formula=multiplier(factor),
        steps_of=_total,
        length_of=lambda p: ("max_duration", _total(p)),
        events_of=lambda p: [(arguments(p)["t_warmup"], "warmup end")] if "t_warmup" in names else [],
        check=_check(names),
        framework_code=lambda p: _framework_code(cls, own, p),
        torch_code=lambda p: lambda_source((*helpers, function), function.__name__, arguments(p), absolute=False),
    )


SCHEDULES = (
    _member(
        "StepScheduler",
        step_factor,
        (param("step_size", "str", help="Time between changes to the learning rate."), _GAMMA),
        "Decays the learning rate discretely at fixed intervals.",
        "lrviz plot composer:StepScheduler --step-size 3ep --gamma 0.5 --max-duration 10ep --dataloader-len 100",
    ),
    _member(
        "MultiStepScheduler",
        multi_step_factor,
        (_MILESTONES, _GAMMA),
        "Decays the learning rate discretely at fixed milestones.",
        "lrviz plot composer:MultiStepScheduler --milestones '30ep 60ep' --max-duration 90ep --dataloader-len 50",
    ),
    _member(
        "ConstantScheduler",
        constant_factor,
        (
            param("alpha", "float", 1.0, help="Learning rate multiplier to maintain while this scheduler is active."),
            _T_MAX,
        ),
        "Maintains a fixed learning rate.",
        "lrviz plot composer:ConstantScheduler --alpha 0.5 --t-max 0.5dur --max-duration 1000ba",
    ),
    _member(
        "LinearScheduler",
        linear_factor,
        (
            param("alpha_i", "float", 1.0, help="Initial learning rate multiplier."),
            param("alpha_f", "float", 0.0, help="Final learning rate multiplier."),
            _T_MAX,
        ),
        "Adjusts the learning rate linearly.",
        "lrviz plot composer:LinearScheduler --alpha-f 0.1 --max-duration 1000ba",
    ),
    _member(
        "ExponentialScheduler",
        exponential_factor,
        (
            param("gamma", "float", help="Multiplicative decay factor."),
            param("decay_period", "str", "1ep", help="Decay period."),
        ),
        "Decays the learning rate exponentially.",
        "lrviz plot composer:ExponentialScheduler --gamma 0.9 --max-duration 20ep --dataloader-len 50",
    ),
    _member(
        "CosineAnnealingScheduler",
        cosine_factor,
        (_T_MAX, _ALPHA_F),
        "Decays the learning rate according to the decreasing part of a cosine curve.",
        "lrviz plot composer:CosineAnnealingScheduler --alpha-f 0.01 --max-duration 10ep --dataloader-len 100",
    ),
    _member(
        "CosineAnnealingWarmRestartsScheduler",
        warm_restarts_factor,
        (
            param("t_0", "str", help="The period of the first cycle."),
            param("t_mult", "float", 1.0, help="The multiplier for the duration of successive cycles."),
            _ALPHA_F,
        ),
        "Cyclically decays the learning rate according to the decreasing part of a cosine curve.",
        "lrviz plot composer:CosineAnnealingWarmRestartsScheduler --t-0 2ep --t-mult 2 --max-duration 14ep "
        "--dataloader-len 50",
    ),
    _member(
        "PolynomialScheduler",
        polynomial_factor,
        (
            param("power", "float", help="The exponent to be used for the proportionality relationship."),
            _T_MAX,
            _ALPHA_F,
        ),
        "Sets the learning rate to be proportional to a power of the fraction of training time left.",
        "lrviz plot composer:PolynomialScheduler --power 2 --max-duration 1000ba",
    ),
    _member(
        "MultiStepWithWarmupScheduler",
        multi_step_with_warmup_factor,
        (_T_WARMUP, _MILESTONES, _GAMMA),
        "Decays the learning rate discretely at fixed milestones, with an initial warmup.",
        "lrviz plot composer:MultiStepWithWarmupScheduler --t-warmup 100ba --milestones '1000ba 1500ba' "
        "--max-duration 2000ba",
    ),
    _member(
        "ConstantWithWarmupScheduler",
        linear_with_warmup_factor,
        (
            _T_WARMUP,
            param("alpha", "float", 1.0, help="Learning rate multiplier to maintain while this scheduler is active."),
            _T_MAX,
        ),
        "Maintains a fixed learning rate, with an initial warmup.",
        "lrviz plot composer:ConstantWithWarmupScheduler --t-warmup 0.1dur --max-duration 1000ba",
        fixed={"alpha_i": "alpha", "alpha_f": "alpha"},
    ),
    _member(
        "LinearWithWarmupScheduler",
        linear_with_warmup_factor,
        (
            _T_WARMUP,
            param("alpha_i", "float", 1.0, help="Initial learning rate multiplier."),
            param("alpha_f", "float", 0.0, help="Final learning rate multiplier."),
            _T_MAX,
        ),
        "Adjusts the learning rate linearly, with an initial warmup.",
        "lrviz plot composer:LinearWithWarmupScheduler --t-warmup 100ba --max-duration 1000ba --lr 1e-3",
    ),
    _member(
        "CosineAnnealingWithWarmupScheduler",
        cosine_with_warmup_factor,
        (_T_WARMUP, _T_MAX, _ALPHA_F),
        "Decays the learning rate according to the decreasing part of a cosine curve, with an initial warmup.",
        "lrviz plot composer:CosineAnnealingWithWarmupScheduler --t-warmup 0.05dur --max-duration 10ep "
        "--dataloader-len 100",
    ),
    _member(
        "PolynomialWithWarmupScheduler",
        polynomial_with_warmup_factor,
        (
            _T_WARMUP,
            param("power", "float", 2.0, help="The exponent to be used for the proportionality relationship."),
            _T_MAX,
            _ALPHA_F,
        ),
        "Decays the learning rate according to a power of the fraction of training time left, with an initial warmup.",
        "lrviz plot composer:PolynomialWithWarmupScheduler --t-warmup 100ba --max-duration 1000ba",
    ),
)
