"""The Spec model: what to simulate, validated and frozen.

Flags (:mod:`lrviz.spec.flags`) and YAML files (:mod:`lrviz.spec.yamlfile`) are both turned into the same
plain structure (dicts, lists, scalars) with a :class:`Locator` that names where each value came
from; :func:`build_spec` validates that structure and returns a :class:`Spec`. Every error names
the flag or the YAML key (with file and line). Never imports torch or matplotlib.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from lrviz.errors import SpecError, SpecProblem
from lrviz.schedules import pytorch as registry
from lrviz.schedules.pytorch import Param, SchedulerInfo
from lrviz.spec.expressions import Expression
from lrviz.spec.floor import Floor
from lrviz.spec.series import SeriesSpec, build_series, series_curve
from lrviz.spec.warmup import MODES as WARMUP_MODES
from lrviz.spec.warmup import OFFSETS as WARMUP_OFFSETS
from lrviz.spec.warmup import SHAPES as WARMUP_SHAPES
from lrviz.spec.warmup import Warmup

DEFAULT_LR = 0.1
# Bounds on the work one command may ask for, checked before any stepping starts: torch steps a
# scheduler at roughly 30k steps a second, so these keep a command under about a minute.
MAX_STEPS = 10_000_000  # per curve: 80 MB per recorded series, about 30 s of stepping
MAX_TOTAL_STEPS = 20_000_000  # over every curve of a command (sweeps, several files)
MAX_CURVES = 200  # per command, after sweeps are expanded
MAX_PARAM_GROUPS = 100  # per curve: each is a line in the figure, a row in the table, a series stepped
# No scheduler parameter means anything beyond this; larger integers would overflow the float
# arithmetic torch and lrviz do with them (a OneCycleLR of 1e200 epochs of 1e200 steps).
MAX_INTEGER = 10**15

# Values torch accepts silently but that make no schedule: (lower bound, inclusive).
_LOWER_BOUNDS: dict[str, tuple[float, bool]] = {
    "step_size": (1, True),
    "T_max": (1, True),
    "T_0": (1, True),
    "T_mult": (1, True),
    "total_iters": (0, True),
    "total_steps": (1, True),
    "epochs": (1, True),
    "steps_per_epoch": (1, True),
    "step_size_up": (1, True),
    "step_size_down": (1, True),
    "gamma": (0, False),
    "eta_min": (0, True),
    "max_lr": (0, False),
    "base_lr": (0, True),
    "factor": (0, True),
    "start_factor": (0, False),
    "end_factor": (0, True),
    "power": (0, True),
    "patience": (0, True),
    "cooldown": (0, True),
    "threshold": (0, True),
    "min_lr": (0, True),
    "eps": (0, True),
    "div_factor": (0, False),
    "final_div_factor": (0, False),
    "base_momentum": (0, True),
    "max_momentum": (0, True),
}
_UNIT_INTERVAL = {"pct_start", "factor", "start_factor", "end_factor"}

# --------------------------------------------------------------------------- where values came from


class Locator:
    """Names the origin of a value in error messages: a flag, or a YAML file, line and key path."""

    def where(self, key: str | int | None = None) -> str:
        raise NotImplementedError

    def child(self, key: str | int) -> Locator:
        raise NotImplementedError


class FlagLocator(Locator):
    """Values from the command line: a key is named by its flag."""

    def __init__(
        self,
        flags: Mapping[str, str] | None = None,
        default: str = "command line",
        children: Mapping[str, FlagLocator] | None = None,
    ) -> None:
        self.flags = dict(flags or {})
        self.default = default
        self.children = dict(children or {})

    def where(self, key: str | int | None = None) -> str:
        if key is None:
            return self.default
        return self.flags.get(str(key), "--" + str(key).lower().replace("_", "-"))

    def child(self, key: str | int) -> Locator:
        return self.children.get(str(key), self)


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class SchedulerSpec:
    """One torch scheduler: its class name, its parameters (torch names), nested schedulers."""

    type: str
    params: tuple[tuple[str, Any], ...] = ()
    children: tuple[SchedulerSpec, ...] = ()

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters: expressions as their text, tuples (per-group values too) as lists,
        nested schedulers as dicts."""
        out: dict[str, Any] = {key: _json_value(value) for key, value in self.params}
        if self.children:
            out["schedulers"] = [{"type": c.type, **c.to_dict()} for c in self.children]
        return out

    def describe(self) -> str:
        """`CosineAnnealingLR(T_max=150)`."""
        inner = ", ".join(f"{k}={_format_value(v)}" for k, v in self.params)
        if self.children:
            kids = ", ".join(c.describe() for c in self.children)
            inner = f"{inner}, [{kids}]" if inner else f"[{kids}]"
        return f"{self.type}({inner})"


@dataclass(frozen=True)
class ParamGroup:
    """One optimizer param group with its own base LR."""

    name: str
    lr: float


@dataclass(frozen=True)
class Metric:
    """The validation metric ReduceLROnPlateau is stepped with, one value per step."""

    values: tuple[float, ...]
    source: str  # "list", "synthetic(seed=0)", "file.csv:val_loss"
    name: str = "metric"
    plot: bool = False


@dataclass(frozen=True)
class CurveSpec:
    """One curve: a scheduler over an optimizer with `lr`, stepped `steps` times."""

    label: str
    scheduler: SchedulerSpec
    lr: float
    steps: int
    warmup: Warmup | None = None
    floor: Floor | None = None  # a minimum the schedule decays to (lifted affinely), before the warmup
    param_groups: tuple[ParamGroup, ...] = ()
    metric: Metric | None = None
    varied: tuple[tuple[str, Any], ...] = ()  # the swept values that distinguish this curve
    source: str | None = None  # the YAML file it came from
    optimizer: str = "SGD"  # the dummy optimizer's class: SGD (momentum 0.9), Adam or AdamW (betas 0.9, 0.999)
    series: tuple[SeriesSpec, ...] = ()  # scheduled weight decay / momentum (lrviz.spec.series)
    # Optimizer steps per epoch (YAML `steps_per_epoch`): the figure's epoch axis, and the unit of a
    # by-epoch scheduler. `by_epoch` (the scheduler mapping's `by_epoch: true`) belongs to the curve,
    # not to SchedulerSpec, because it says how the loop steps the top-level scheduler, not what it is.
    steps_per_epoch: int | None = None
    by_epoch: bool = False  # the scheduler is stepped once per epoch: its value holds within each epoch
    # names this curve's flags or YAML keys, for diagnostics that point at a parameter
    locator: Locator | None = field(default=None, compare=False, repr=False)
    # what torch refuses only when it builds or steps this curve (see `runtime_problems`)
    problems: tuple[SpecProblem, ...] = field(default=(), compare=False)
    # a framework config's run (lrviz.spec.readers.base.RunSummary) and framework, when read from one
    run: Any = field(default=None, compare=False, repr=False)
    framework: str | None = field(default=None, compare=False)

    @property
    def group_lrs(self) -> tuple[float, ...]:
        return tuple(g.lr for g in self.param_groups) or (self.lr,)

    @property
    def group_names(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.param_groups) or ("",)


@dataclass(frozen=True)
class FigureSettings:
    """How a spec asks to be drawn (YAML `style:`); command-line flags override it."""

    style: tuple[str, ...] = ()  # presets and style files, applied left to right
    width: float | None = None  # inches
    height: float | None = None
    dpi: float | None = None
    style_where: str | None = field(default=None, compare=False)  # the flag or YAML key that named the style


@dataclass(frozen=True)
class Spec:
    """Everything one command simulates."""

    curves: tuple[CurveSpec, ...]
    title: str | None = None
    sources: tuple[str, ...] = field(default=())
    figure: FigureSettings = field(default=FigureSettings())
    title_where: str | None = field(default=None, compare=False)  # the flag or YAML key of the title

    @property
    def problems(self) -> tuple[SpecProblem, ...]:
        """What torch would refuse at run time, over every curve (data: `lrviz check` explains them)."""
        return tuple(problem for curve in self.curves for problem in curve.problems)

    def raise_first_problem(self) -> None:
        """Raise the first problem as the SpecError plot and export stop with; nothing if there is none."""
        if self.problems:
            raise self.problems[0].error()


def _json_value(value: Any) -> Any:
    if isinstance(value, Expression):
        return value.text
    if isinstance(value, tuple):
        return [_json_value(item) for item in value]
    return value


def _format_value(value: Any) -> str:
    if isinstance(value, Expression):
        return repr(value.text)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return repr(value)
    return str(value)


# --------------------------------------------------------------------------- coercion


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# The spec's `vars` while it is built: numeric text may be arithmetic on them (lrviz.spec.arithmetic).
_VARS: ContextVar[Mapping[str, float] | None] = ContextVar("lrviz_vars", default=None)


def _arithmetic(text: str, where: str) -> float | None:
    """The value of arithmetic numeric text (`8*N`, `1/2001`) over the spec's vars, else None."""
    from lrviz.spec import arithmetic

    value = arithmetic.number(text, _VARS.get() or {}, where)
    return None if value is None else float(value)


def parse_float(value: Any, where: str, what: str = "a number") -> float:
    """A finite float from a number or numeric text."""
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = _arithmetic(value, where)
            if number is None:
                raise SpecError(f"expected {what}, got {value!r}", where) from None
    elif _is_number(value):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            raise SpecError(f"expected a finite number, got {_show(value)}", where) from None
    else:
        raise SpecError(f"expected {what}, got {_show(value)}", where)
    if not math.isfinite(number):
        raise SpecError(f"expected a finite number, got {value}", where)
    return number


def parse_int(value: Any, where: str, what: str = "an integer") -> int:
    """An int from an integral number or text (`1e3` is 1000; `2.5` is an error), at most MAX_INTEGER."""
    number: int | float | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        with suppress(ValueError):  # not an integer's digits (or more than Python converts): maybe 1e3
            number = int(value.strip())
    if number is None:
        number = parse_float(value, where, what)
        if not number.is_integer():
            raise SpecError(f"expected {what}, got {_show(value)}", where)
    if abs(number) > MAX_INTEGER:
        shown = f"{number:g}" if isinstance(number, float) else _show(number)
        raise SpecError(f"must be at most {MAX_INTEGER:,} in size, got {shown}", where)
    return int(number)


def _parse_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise SpecError(f"expected true or false, got {_show(value)}", where)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        digits = int(abs(value).bit_length() * math.log10(2)) + 1  # str() refuses over 4300 digits
        return f"an integer of about {digits:,} digits"
    return str(value)


def _check_bounds(param: Param, value: float, where: str) -> None:
    if param.framework:  # a framework's own limits are its schedule's `problems`, not torch's
        return
    bound = _LOWER_BOUNDS.get(param.name)
    if bound is not None:
        low, inclusive = bound
        if value < low or (value == low and not inclusive):
            relation = "at least" if inclusive else "greater than"
            raise SpecError(f"must be {relation} {low:g}, got {value:g}", where)
    if param.name in _UNIT_INTERVAL and param.kind == "float" and value > 1:
        raise SpecError(f"must be at most 1, got {value:g}", where)


def coerce(param: Param, value: Any, where: str) -> Any:
    """A raw flag or YAML value as the type torch expects for `param`."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null")):
        if param.optional:
            return None
        raise SpecError("a value is required", where)
    if isinstance(value, (list, tuple)) and takes_group_list(param):
        return _group_list(param, value, where)
    reader = _READERS.get(param.kind)
    if reader is None:
        raise SpecError(f"cannot be given here (kind {param.kind})", where)
    return reader(param, value, where)


def _coerce_int(param: Param, value: Any, where: str) -> int | float:
    if param.name == "T_mult":
        # torch raises "Expected integer T_mult" only when built: a problem of the curve (see
        # `runtime_problems`), so that `lrviz check` can explain it and plot refuses it
        number = parse_float(value, where)
        _check_bounds(param, number, where)
        return int(number) if number.is_integer() else number
    number = parse_int(value, where)
    _check_bounds(param, number, where)
    return number


def _coerce_choice(param: Param, value: Any, where: str) -> str:
    text = str(value).strip()
    if text not in param.choices:
        allowed = ", ".join(param.choices)
        raise SpecError(f"expected one of {allowed}, got {text!r}{registry.suggest(text, list(param.choices))}", where)
    return text


def _coerce_int_list(param: Param, value: Any, where: str) -> tuple[int, ...]:
    items: Sequence[Any]
    if isinstance(value, str):
        items = [item for item in value.replace(";", ",").split(",") if item.strip()]
    elif isinstance(value, (list, tuple)):
        items = value
    elif _is_number(value):
        items = [value]
    else:
        raise SpecError(f"expected a list of integers, got {_show(value)}", where)
    result = []
    for item in items:
        try:
            result.append(parse_int(item, where, "integers"))
        except SpecError as exc:
            if exc.message.startswith("must be at most"):
                raise
            raise SpecError(
                f"expected integer steps, got {_show(item)} "
                "(torch compares milestones with the integer step count, so a fractional one never fires)",
                where,
            ) from None
        if result[-1] < 0:
            raise SpecError(f"must not be negative, got {result[-1]}", where)
    return tuple(result)


def _coerce_mapping_list(param: Param, value: Any, where: str) -> Any:
    from lrviz.schedules.base import parse_mapping_list

    return parse_mapping_list(value, where)


def _coerce_str(param: Param, value: Any, where: str) -> str:
    if isinstance(value, (Mapping, list, tuple)):
        raise SpecError(f"expected text, got {_show(value)}", where)
    return str(value).strip()


def _coerce_expression(param: Param, value: Any, where: str) -> Expression:
    if isinstance(value, Expression):
        return value
    if _is_number(value):
        value = str(value)
    if not isinstance(value, str):
        raise SpecError(f"expected an expression of epoch, got {_show(value)}", where)
    if _VARS.get():
        from lrviz.spec.arithmetic import inline_vars

        value = inline_vars(value, _VARS.get())
    return Expression(value, where)


def _coerce_float(param: Param, value: Any, where: str) -> float:
    try:
        number = parse_float(value, where)
    except SpecError as exc:
        if isinstance(value, str) and any(mark in value for mark in ";[") and takes_group_list(param):
            # a comma is a sweep on the command line, so a value per param group is YAML's alone
            example = f"{param.name}: [0.01, 0.1]"
            raise SpecError(f"{exc.message} (one value per param group is a YAML list: {example})", where) from None
        raise
    _check_bounds(param, number, where)
    return number


# how each kind of parameter is read from a flag's text or a YAML value
_READERS: dict[str, Any] = {
    "int": _coerce_int,
    "float": lambda param, value, where: _coerce_float(param, value, where),
    "bool": lambda param, value, where: _parse_bool(value, where),
    "choice": _coerce_choice,
    "int_list": _coerce_int_list,
    "float_list": lambda param, value, where: _float_list(value, where),
    "mapping_list": _coerce_mapping_list,
    "str": _coerce_str,
    "expression": _coerce_expression,
}


def takes_group_list(param: Param | None) -> bool:
    """Whether torch also takes `param` as a list of values, one per param group: its annotation
    says so (`float | list[float]`: OneCycleLR's max_lr; a list of callables: LambdaLR's lr_lambda)."""
    if param is None or param.framework or param.kind not in ("float", "expression"):
        return False
    return "list[" in param.annotation.replace(" ", "")


def _group_list(param: Param, values: Sequence[Any], where: str) -> tuple[Any, ...]:
    """A YAML list of per-group values, each checked as the single value would be."""
    if not values:
        raise SpecError("expected one value per param group, got an empty list", where)
    nested = next((item for item in values if isinstance(item, (list, tuple, Mapping))), None)
    if nested is not None:
        raise SpecError(f"expected one value per param group, got {_show(nested)} inside the list", where)
    return tuple(coerce(param, item, where) for item in values)


def _float_list(value: Any, where: str) -> tuple[float, ...]:
    if isinstance(value, str):
        items: Sequence[Any] = [item for item in value.replace(";", ",").split(",") if item.strip()]
    elif isinstance(value, (list, tuple)):
        items = value
    elif _is_number(value):
        items = [value]
    else:
        raise SpecError(f"expected a list of numbers, got {_show(value)}", where)
    return tuple(parse_float(item, where, "numbers") for item in items)


# --------------------------------------------------------------------------- building


def _check_keys(mapping: Mapping[str, Any], allowed: Sequence[str], loc: Locator, what: str) -> None:
    for key in mapping:
        if key not in allowed:
            hint = registry.suggest(str(key), list(allowed))
            if not hint:
                hint = f" (expected one of: {', '.join(allowed)})"
            raise SpecError(f"unknown {what} '{key}'{hint}", loc.where(key))


def build_scheduler(raw: Any, loc: Locator) -> tuple[SchedulerSpec, dict[str, list[Any]]]:
    """A SchedulerSpec from `{type: ..., param: value, ...}`, and the values to sweep.

    A flag value that lists alternatives arrives as :class:`Sweep`; those are returned separately
    so the curve can expand them.
    """
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, Mapping):
        raise SpecError(f"expected a mapping with a 'type' key, got {_show(raw)}", loc.where())
    if "type" not in raw:
        raise SpecError("missing key 'type' (a torch scheduler class name or alias)", loc.where())
    info = registry.resolve(raw["type"], loc.where("type"))
    params: dict[str, Any] = {}
    sweeps: dict[str, list[Any]] = {}
    children: tuple[SchedulerSpec, ...] = ()
    names = [p.name for p in info.params]
    for key, value in raw.items():
        if key == "type":
            continue
        param = info.param(key)
        if param is None:
            hint = registry.suggest(str(key), names) or f" (its parameters: {', '.join(names) or 'none'})"
            raise SpecError(f"unknown parameter for {info.name}{hint}", loc.where(key))
        where = loc.where(key)
        if param.kind == "schedulers":
            children = _build_children(value, loc.child(key), info)
        elif isinstance(value, Sweep):
            if not param.sweepable:
                raise SpecError("cannot be swept", where)
            sweeps[key] = [coerce(param, item, where) for item in value.values]
        else:
            params[key] = coerce(param, value, where)
    for param in info.params:
        if param.required and param.name not in params and param.name not in sweeps and param.kind != "schedulers":
            named = param.flag if isinstance(loc, FlagLocator) else param.name
            raise SpecError(
                f"{info.name} needs {named}: {param.help or param.annotation}",
                loc.where(param.name) if isinstance(loc, FlagLocator) else loc.where(),
            )
        if param.kind == "schedulers" and not children:
            raise SpecError(f"{info.name} needs 'schedulers': a list of schedulers", loc.where())
    for key, message in registry.sequence_problems(info.name, params.get("milestones", ()), len(children))[:1]:
        raise SpecError(message, loc.where(key))
    ordered = tuple((p.name, params[p.name]) for p in info.params if p.name in params)
    return SchedulerSpec(info.name, ordered, children), sweeps


def _build_children(value: Any, loc: Locator, parent: SchedulerInfo) -> tuple[SchedulerSpec, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise SpecError("expected a non-empty list of schedulers", loc.where())
    children = []
    for index, item in enumerate(value):
        child, sweeps = build_scheduler(item, loc.child(index))
        if sweeps:
            raise SpecError("sweeps inside nested schedulers are not supported", loc.child(index).where())
        problem = registry.child_problem(parent.name, child.type, bool(child.children))
        if problem is not None:
            raise SpecError(problem, loc.child(index).where("type"))
        children.append(child)
    return tuple(children)


@dataclass(frozen=True)
class Sweep:
    """Alternative values for one parameter, from a flag like `--gamma 0.9,0.95`."""

    values: tuple[Any, ...]


CURVE_KEYS = (
    "label", "scheduler", "sweep", "warmup", "floor", "lr", "steps", "param_groups", "metric", "optimizer", "series",
    "steps_per_epoch",
)  # fmt: skip

# The dummy optimizer's class. With SGD a scheduler that cycles momentum cycles `momentum`; with
# Adam or AdamW it cycles beta1 (`betas[0]`), which lrviz records as the momentum.
OPTIMIZERS = ("SGD", "Adam", "AdamW")


def _build_optimizer(raw: Any, where: str) -> str:
    if raw is None:
        return "SGD"
    names = {name.lower(): name for name in OPTIMIZERS}
    if not isinstance(raw, str) or raw.strip().lower() not in names:
        text = str(raw)
        raise SpecError(
            f"expected one of {', '.join(OPTIMIZERS)}, got {text!r}{registry.suggest(text, list(OPTIMIZERS))}", where
        )
    return names[raw.strip().lower()]


FILE_KEYS = ("title", "lr", "steps", "curves", "style", "vars", "steps_per_epoch")


WARMUP_KEYS = ("steps", "factor", "start_factor", "start_lr", "method", "shape", "offset", "mode")


def _one_of(raw: Mapping[str, Any], keys: tuple[str, str], loc: Locator) -> str | None:
    """The key of `keys` (two spellings of one setting) that `raw` uses; both is an error."""
    given = [key for key in keys if key in raw]
    if len(given) > 1:
        raise SpecError(f"give one of {keys[0]} and {keys[1]}, not both", loc.where(given[1]))
    return given[0] if given else None


def _choice(raw: Mapping[str, Any], key: str | None, choices: tuple[str, ...], default: str, loc: Locator) -> str:
    if key is None:
        return default
    text = str(raw[key]).strip()
    if text not in choices:
        raise SpecError(
            f"expected one of {', '.join(choices)}, got {text!r}{registry.suggest(text, list(choices))}",
            loc.where(key),
        )
    return text


def _build_warmup(raw: Any, loc: Locator) -> Warmup | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise SpecError(
            "expected a mapping with steps and, optionally, start_factor or start_lr, shape, offset and mode",
            loc.where(),
        )
    _check_keys(raw, WARMUP_KEYS, loc, "warmup key")
    if "steps" not in raw:
        raise SpecError("warmup needs 'steps'", loc.where())
    steps = parse_int(raw["steps"], loc.where("steps"))
    if steps < 0:
        raise SpecError(f"must not be negative, got {steps}", loc.where("steps"))
    factor_key = _one_of(raw, ("start_factor", "factor"), loc)
    if factor_key is not None and "start_lr" in raw:
        raise SpecError(f"give one of {factor_key} and start_lr, not both", loc.where("start_lr"))
    factor = parse_float(raw[factor_key], loc.where(factor_key)) if factor_key else 0.001
    if not 0 <= factor <= 1:
        raise SpecError(f"must be between 0 and 1, got {factor:g}", loc.where(factor_key))
    start_lr = None
    if "start_lr" in raw:
        start_lr = parse_float(raw["start_lr"], loc.where("start_lr"))
        if start_lr < 0:
            raise SpecError(f"must not be negative, got {start_lr:g}", loc.where("start_lr"))
    shape_key = _one_of(raw, ("shape", "method"), loc)
    shape = _choice(raw, shape_key, WARMUP_SHAPES, "linear", loc)
    start_is_zero = (start_lr == 0) if start_lr is not None else factor == 0
    if shape == "exponential" and start_is_zero:
        where = loc.where("start_lr" if start_lr is not None else factor_key or shape_key)
        raise SpecError("an exponential warmup cannot start at 0 (it grows by a constant ratio)", where)
    if shape == "log" and steps < 2:
        raise SpecError("a log warmup needs at least 2 steps (it divides by log W)", loc.where("steps"))
    offset = _choice(raw, "offset" if "offset" in raw else None, WARMUP_OFFSETS, "k/W", loc)
    if offset == "k/(W-1)" and steps < 2:
        raise SpecError("the k/(W-1) offset needs at least 2 warmup steps", loc.where("offset"))
    mode = _choice(raw, "mode" if "mode" in raw else None, WARMUP_MODES, "multiply", loc)
    return Warmup(steps, factor, shape, start_lr, offset, mode)


def _build_floor(raw: Any, loc: Locator, info: SchedulerInfo, lrs: Sequence[float]) -> Floor | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise SpecError("expected one of {min_lr: LR} or {ratio: R} (a fraction of the base LR)", loc.where())
    _check_keys(raw, ("min_lr", "ratio"), loc, "floor key")
    if info.framework is not None and info.framework.absolute:
        raise SpecError(f"{info.name} sets its own LRs: give its own minimum parameter instead", loc.where())
    key = next(iter(raw))
    value = parse_float(raw[key], loc.where(key))
    if key == "ratio" and not 0 <= value < 1:
        raise SpecError(f"must be at least 0 and below 1, got {value:g}", loc.where(key))
    if key == "min_lr" and not 0 <= value < min(lrs):
        raise SpecError(f"must be at least 0 and below the base LR ({min(lrs):g}), got {value:g}", loc.where(key))
    return Floor(min_lr=value) if key == "min_lr" else Floor(ratio=value)


def _build_param_groups(raw: Any, lr: float, loc: Locator) -> tuple[ParamGroup, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)) or not raw:
        raise SpecError("expected a non-empty list of param groups", loc.where())
    if len(raw) > MAX_PARAM_GROUPS:
        raise SpecError(f"{len(raw):,} param groups; at most {MAX_PARAM_GROUPS}", loc.where())
    groups = []
    for index, item in enumerate(raw):
        item_loc = loc.child(index)
        if not isinstance(item, Mapping):
            raise SpecError("expected a mapping with name and lr or lr_scale", item_loc.where())
        _check_keys(item, ("name", "lr", "lr_scale"), item_loc, "param group key")
        if "lr" in item and "lr_scale" in item:
            raise SpecError("give lr or lr_scale, not both", item_loc.where("lr_scale"))
        group_lr = lr
        if "lr" in item:
            group_lr = parse_float(item["lr"], item_loc.where("lr"))
        elif "lr_scale" in item:
            group_lr = lr * parse_float(item["lr_scale"], item_loc.where("lr_scale"))
        if group_lr <= 0:
            raise SpecError(f"a param group's LR must be positive, got {group_lr:g}", item_loc.where())
        groups.append(ParamGroup(str(item.get("name", f"group {index}")), group_lr))
    return tuple(groups)


def _positive_lr(value: Any, where: str) -> float:
    lr = parse_float(value, where)
    if lr <= 0:
        raise SpecError(f"must be positive, got {lr:g}", where)
    return lr


def _steps(value: Any, where: str) -> int:
    steps = parse_int(value, where)
    if steps < 1:
        raise SpecError(f"must be at least 1, got {steps}", where)
    if steps > MAX_STEPS:
        raise SpecError(f"must be at most {MAX_STEPS:,} per curve, got {steps:,}", where)
    return steps


def _label_for(varied: Sequence[tuple[str, Any]], base: str | None, scheduler: SchedulerSpec) -> str:
    varying = ", ".join(f"{key}={_format_value(value)}" for key, value in varied)
    if base and varying:
        return f"{base}: {varying}"
    return base or varying or scheduler.describe()


@dataclass(frozen=True)
class _Entry:
    """What every curve of one curve entry shares, read once before the sweep is expanded."""

    base: SchedulerSpec
    info: SchedulerInfo
    loc: Locator
    label: str | None
    explicit_steps: int | None
    steps_where: str
    metric: Metric | None
    per_epoch: int | None
    by_epoch: bool
    group_count: int  # how many values a per-group list (lr_lambda, max_lr, ...) must hold


def build_curves(
    raw: Mapping[str, Any],
    loc: Locator,
    defaults: Mapping[str, Any],
    source: str | None = None,
) -> list[CurveSpec]:
    """The curves one curve entry describes: one, or one per combination of swept values."""
    if not isinstance(raw, Mapping):
        raise SpecError(f"expected a mapping with a 'scheduler' key, got {_show(raw)}", loc.where())
    _check_keys(raw, CURVE_KEYS, loc, "key")
    if "scheduler" not in raw:
        raise SpecError("missing key 'scheduler'", loc.where())
    scheduler_loc = loc.child("scheduler")
    scheduler_raw, by_epoch = _take_by_epoch(raw["scheduler"], scheduler_loc)
    base, flag_sweeps = build_scheduler(scheduler_raw, scheduler_loc)
    info = registry.resolve(base.type)
    lr_values, lr_where = _curve_lrs(raw, defaults, loc, info)
    sweeps, lr_values = _read_sweep(raw, loc, info, flag_sweeps, lr_values)
    sweep_where = (
        loc.where("sweep")
        if "sweep" in raw
        else scheduler_loc.where(next(iter(flag_sweeps)))
        if flag_sweeps
        else lr_where
    )
    combos = _combinations(sweeps, lr_values, sweep_where)
    entry = _read_entry(raw, defaults, loc, base, info, by_epoch, source, lr_values[0])
    shared = {
        "warmup": _build_warmup(raw.get("warmup"), loc.child("warmup")),
        "floor": _build_floor(raw.get("floor"), loc.child("floor"), info, lr_values),
        "series": build_series(raw.get("series"), loc.child("series"), base),
        "optimizer": _build_optimizer(raw.get("optimizer"), loc.where("optimizer")),
    }
    curves = [_curve_of(entry, combo, lr_values[0], raw.get("param_groups"), source, shared) for combo in combos]
    if entry.explicit_steps is None and len(curves) > 1:
        # one x range for a comparison figure, where every curve can run that long
        longest = max(c.steps for c in curves)
        curves = [_with_steps(c, longest) for c in curves]
    length_where = entry.steps_where if entry.explicit_steps is not None else loc.where("steps")
    return [_replace(curve, problems=runtime_problems(curve, length_where)) for curve in curves]


def _curve_lrs(
    raw: Mapping[str, Any], defaults: Mapping[str, Any], loc: Locator, info: SchedulerInfo
) -> tuple[list[float], str]:
    """The entry's base LRs (several: an lr sweep) and where they were given."""
    lr_value = raw.get("lr", defaults.get("lr", DEFAULT_LR))
    lr_where = loc.where("lr") if "lr" in raw else defaults.get("lr_where", loc.where("lr"))
    values = lr_value.values if isinstance(lr_value, Sweep) else [lr_value]
    lr_values = [_positive_lr(v, lr_where) for v in values]
    if info.framework is not None and info.framework.absolute:
        if "lr" in raw or "lr" in defaults:
            raise SpecError(
                f"{info.name} takes its learning rates from its own parameters, so lr means nothing here; leave it out",
                lr_where,
            )
        lr_values = [1.0]  # the formula's value is the LR itself: 1.0 * lr is exact
    return lr_values, lr_where


def _read_sweep(
    raw: Mapping[str, Any],
    loc: Locator,
    info: SchedulerInfo,
    flag_sweeps: Mapping[str, list[Any]],
    lr_values: list[float],
) -> tuple[dict[str, list[Any]], list[float]]:
    """The swept parameters (flag sweeps and the YAML `sweep:` mapping) and the swept LRs."""
    sweeps: dict[str, list[Any]] = dict(flag_sweeps)
    if raw.get("sweep") is None:
        return sweeps, lr_values
    sweep_loc = loc.child("sweep")
    if not isinstance(raw["sweep"], Mapping) or not raw["sweep"]:
        raise SpecError("expected a mapping of parameter name to a list of values", loc.where("sweep"))
    for key, values in raw["sweep"].items():
        where = sweep_loc.where(key)
        param = info.param(key)
        if key != "lr" and param is None:
            names = [p.name for p in info.params if p.sweepable] + ["lr"]
            raise SpecError(f"{info.name} has no parameter '{key}'{registry.suggest(str(key), names)}", where)
        if key != "lr" and not param.sweepable:
            raise SpecError("cannot be swept", where)
        if not isinstance(values, (list, tuple)) or not values:
            raise SpecError("expected a non-empty list of values", where)
        if key == "lr":
            lr_values = [_positive_lr(v, where) for v in values]
        else:
            sweeps[key] = [coerce(param, v, where) for v in values]
    return sweeps, lr_values


def _combinations(
    sweeps: Mapping[str, list[Any]], lr_values: list[float], where: str
) -> list[tuple[tuple[str, Any], ...]]:
    """Every combination of the swept values, ((name, value), ...) each; [()] without a sweep."""
    axes: list[list[tuple[str, Any]]] = [[(key, v) for v in values] for key, values in sweeps.items()]
    if len(lr_values) > 1:
        axes.append([("lr", v) for v in lr_values])
    count = math.prod(len(axis) for axis in axes)  # known before a single combination is built
    if count > MAX_CURVES:
        raise SpecError(f"the sweep makes {count:,} curves; at most {MAX_CURVES}", where)
    return [tuple(c) for c in itertools.product(*axes)] if axes else [()]


def _read_entry(
    raw: Mapping[str, Any],
    defaults: Mapping[str, Any],
    loc: Locator,
    base: SchedulerSpec,
    info: SchedulerInfo,
    by_epoch: bool,
    source: str | None,
    first_lr: float,
) -> _Entry:
    """The label, steps, metric, epochs and param-group count every curve of the entry shares."""
    steps_raw = raw.get("steps", defaults.get("steps"))
    steps_where = loc.where("steps") if "steps" in raw else defaults.get("steps_where", loc.where("steps"))
    label = raw.get("label")
    if label is not None and not isinstance(label, (str, int, float)):
        raise SpecError("expected text", loc.where("label"))
    explicit_steps = None if steps_raw is None else _steps(steps_raw, steps_where)
    metric = None
    if "metric" in raw or info.kind.metric_driven:
        if not info.kind.metric_driven:
            raise SpecError(f"only ReduceLROnPlateau is stepped with a metric, not {info.name}", loc.where("metric"))
        from lrviz.spec.metrics import build_metric

        metric = build_metric(raw.get("metric"), explicit_steps, loc.child("metric"), source)
    per_epoch = _steps_per_epoch(raw, defaults, loc, by_epoch, loc.child("scheduler"))
    group_count = len(_build_param_groups(raw.get("param_groups"), first_lr, loc.child("param_groups"))) or 1
    return _Entry(
        base,
        info,
        loc,
        None if label is None else str(label),
        explicit_steps,
        steps_where,
        metric,
        per_epoch,
        by_epoch,
        group_count,
    )


def _curve_of(
    entry: _Entry,
    combo: tuple[tuple[str, Any], ...],
    first_lr: float,
    groups_raw: Any,
    source: str | None,
    shared: Mapping[str, Any],
) -> CurveSpec:
    """The curve of one combination of swept values."""
    scheduler_loc = entry.loc.child("scheduler")
    curve_lr = dict(combo).get("lr", first_lr)
    params = entry.base.kwargs
    params.update({k: v for k, v in combo if k != "lr"})
    ordered = tuple((p.name, params[p.name]) for p in entry.info.params if p.name in params)
    scheduler = SchedulerSpec(entry.base.type, ordered, entry.base.children)
    _check_group_lists(scheduler, entry.group_count, scheduler_loc)
    _check_scheduler_values(scheduler, scheduler_loc)
    return CurveSpec(
        label=_label_for(combo, entry.label, scheduler),
        scheduler=scheduler,
        lr=curve_lr,
        steps=_curve_steps(entry, scheduler),
        param_groups=_build_param_groups(groups_raw, curve_lr, entry.loc.child("param_groups")),
        metric=entry.metric,
        varied=combo,
        source=source,
        steps_per_epoch=entry.per_epoch,
        by_epoch=entry.by_epoch,
        locator=entry.loc,
        **shared,
    )


def _curve_steps(entry: _Entry, scheduler: SchedulerSpec) -> int:
    """The steps given, else the metric's length, else about one full run of the scheduler."""
    if entry.explicit_steps is not None:
        return entry.explicit_steps
    if entry.metric is not None:
        steps = len(entry.metric.values)
        if steps > MAX_STEPS:
            raise SpecError(
                f"the metric has {steps:,} values, more than the {MAX_STEPS:,} steps allowed per curve; "
                "give steps explicitly",
                entry.loc.where("metric"),
            )
        return steps
    children = [(c.type, c.kwargs) for c in scheduler.children]
    steps = registry.default_steps(scheduler.type, scheduler.kwargs, children)
    if entry.by_epoch and entry.per_epoch:
        steps *= entry.per_epoch  # a by-epoch scheduler's default run is in epochs
    if steps > MAX_STEPS:
        raise SpecError(
            f"{scheduler.describe()} makes a default run of {steps:,} steps, more than the "
            f"{MAX_STEPS:,} allowed per curve; give steps explicitly",
            entry.steps_where,
        )
    return steps


def _take_by_epoch(raw: Any, loc: Locator) -> tuple[Any, bool]:
    """The scheduler mapping without its `by_epoch` key, and that key's value (False when absent)."""
    if not isinstance(raw, Mapping) or "by_epoch" not in raw or _has_parameter(raw.get("type"), "by_epoch"):
        return raw, False  # mmengine's schedulers take by_epoch as a parameter of their own
    by_epoch = _parse_bool(raw["by_epoch"], loc.where("by_epoch"))
    return {k: v for k, v in raw.items() if k != "by_epoch"}, by_epoch


def _has_parameter(scheduler: Any, name: str) -> bool:
    """Whether the scheduler type `scheduler` names (if it names one) has a parameter `name`."""
    try:
        return isinstance(scheduler, str) and registry.resolve(scheduler).param(name) is not None
    except SpecError:
        return False


def _steps_per_epoch(
    raw: Mapping[str, Any], defaults: Mapping[str, Any], loc: Locator, by_epoch: bool, scheduler_loc: Locator
) -> int | None:
    """The curve's `steps_per_epoch` (its own, else the file's); a by-epoch scheduler needs one."""
    value = raw.get("steps_per_epoch", defaults.get("steps_per_epoch"))
    where = loc.where("steps_per_epoch") if "steps_per_epoch" in raw else defaults.get("steps_per_epoch_where")
    if value is None:
        if by_epoch:
            named = "--steps-per-epoch" if isinstance(loc, FlagLocator) else "steps_per_epoch"
            raise SpecError(
                f"a scheduler stepped by epoch needs {named} (optimizer steps per epoch)",
                scheduler_loc.where("by_epoch"),
            )
        return None
    return _steps(value, where or loc.where("steps_per_epoch"))


def _epoch_scale(curve: CurveSpec) -> int:
    """Optimizer steps per scheduler step: steps_per_epoch for a by-epoch scheduler, else 1."""
    return curve.steps_per_epoch if curve.by_epoch and curve.steps_per_epoch else 1


def _replace(curve: CurveSpec, **changes: Any) -> CurveSpec:
    from dataclasses import replace

    return replace(curve, **changes)


def _with_steps(curve: CurveSpec, steps: int) -> CurveSpec:
    limit = registry.total_length(curve.scheduler.type, curve.scheduler.kwargs)
    return _replace(curve, steps=min(steps, limit * _epoch_scale(curve)) if limit else steps)


def _check_scheduler_values(scheduler: SchedulerSpec, loc: Locator) -> None:
    """Refuse values its schedule source says torch (or the framework) would refuse, here and in its children."""
    for name, message in registry.resolve(scheduler.type).problems(scheduler.kwargs)[:1]:
        raise SpecError(message, loc.where(name))
    for index, child in enumerate(scheduler.children):
        _check_scheduler_values(child, loc.child("schedulers").child(index))


def _check_group_lists(scheduler: SchedulerSpec, groups: int, loc: Locator) -> None:
    """Refuse a per-group list (lr_lambda, max_lr, ...) that does not hold one value per param group:
    torch would raise 'Expected N values for ...' when the scheduler is built."""
    info = registry.resolve(scheduler.type)
    for key, value in scheduler.params:
        if not isinstance(value, tuple) or not takes_group_list(info.param(key)) or len(value) == groups:
            continue
        if groups == 1:
            raise SpecError(
                f"a list of {len(value)} values, one per param group, needs param_groups with {len(value)} groups "
                "(without param_groups the optimizer has one); or give a single value for all groups",
                loc.where(key),
            )
        raise SpecError(
            f"{len(value)} value{'s' if len(value) != 1 else ''} for {groups} param groups: give one per group, "
            "in the order of param_groups, "
            "or a single value for all groups",
            loc.where(key),
        )
    for index, child in enumerate(scheduler.children):
        _check_group_lists(child, groups, loc.child("schedulers").child(index))


def length_problem(curve: CurveSpec, where: str) -> SpecProblem | None:
    """A run longer than a fixed-length scheduler (OneCycleLR) allows: torch raises on the step after."""
    limit = registry.total_length(curve.scheduler.type, curve.scheduler.kwargs)
    if limit is not None and curve.by_epoch:
        limit *= _epoch_scale(curve)  # a by-epoch scheduler steps once per epoch
    if limit is None or curve.steps <= limit:
        return None
    return SpecProblem(
        where,
        f"{curve.steps} steps is longer than {curve.scheduler.type} allows: it was built for "
        f"{limit} steps and torch raises 'Tried to step {limit + 1} times' on the scheduler.step() "
        f"after optimizer step {limit}; set --total-steps to at least {curve.steps} or --steps to at most {limit}",
    )


def runtime_problems(curve: CurveSpec, length_where: str) -> tuple[SpecProblem, ...]:
    """What torch refuses only when it builds or steps `curve`: a fractional T_mult, a run (or a
    series' run) longer than OneCycleLR was built for. Kept as data on the curve: `plot` and
    `export` refuse the first (:meth:`Spec.raise_first_problem`), `lrviz check` explains them."""
    problems = [
        SpecProblem(where, f"expected an integer, got {shown}")
        for where, shown in _fractional_t_mults(
            curve.scheduler, curve.locator.child("scheduler") if curve.locator else None
        )
    ]
    lengths = [(curve, length_where)] + [
        (series_curve(curve, series), series.locator.where("scheduler")) for series in curve.series
    ]
    problems += [p for p in (length_problem(c, where) for c, where in lengths) if p is not None]
    return tuple(problems)


def _fractional_t_mults(scheduler: SchedulerSpec, loc: Locator | None) -> Iterator[tuple[str, str]]:
    """(where, value as given) of each non-integer T_mult in `scheduler` and its children."""
    t_mult = scheduler.kwargs.get("T_mult")
    if isinstance(t_mult, float):
        where = loc.where("T_mult") if loc is not None else "T_mult"
        yield where, f"'{t_mult:g}'" if isinstance(loc, FlagLocator) else f"{t_mult:g}"
    for index, child in enumerate(scheduler.children):
        yield from _fractional_t_mults(child, None if loc is None else loc.child("schedulers").child(index))


def build_spec(raw: Any, loc: Locator, source: str | None = None, single_curve_ok: bool = True) -> Spec:
    """A Spec from a flags or YAML structure: `curves:` or one curve's keys at the top level."""
    if not isinstance(raw, Mapping):
        raise SpecError(f"expected a mapping of keys (title, lr, steps, curves, ...), got {_show(raw)}", loc.where())
    token = _VARS.set(_read_vars(raw, loc))
    try:
        return _build_spec(raw, loc, source, single_curve_ok)
    finally:
        _VARS.reset(token)


def _build_spec(raw: Mapping[str, Any], loc: Locator, source: str | None, single_curve_ok: bool) -> Spec:
    if "curves" in raw:
        _check_keys(raw, FILE_KEYS, loc, "key")
        entries = raw["curves"]
        if not isinstance(entries, (list, tuple)):
            raise SpecError("expected a list of curves", loc.where("curves"))
        if not entries:
            raise SpecError("the list of curves is empty", loc.where("curves"))
        curve_locs = [loc.child("curves").child(i) for i in range(len(entries))]
    else:
        if not single_curve_ok:
            raise SpecError("missing key 'curves'", loc.where())
        _check_keys(raw, tuple(dict.fromkeys(FILE_KEYS + CURVE_KEYS)), loc, "key")
        if "scheduler" not in raw:
            raise SpecError("missing key 'scheduler' (or 'curves' for several curves)", loc.where())
        entries = [{k: v for k, v in raw.items() if k in CURVE_KEYS and k not in ("lr", "steps", "steps_per_epoch")}]
        curve_locs = [loc]
    defaults: dict[str, Any] = {}
    if "lr" in raw:
        defaults["lr"] = raw["lr"]
        defaults["lr_where"] = loc.where("lr")
    if "steps" in raw:
        _steps(raw["steps"], loc.where("steps"))
        defaults["steps"] = raw["steps"]
        defaults["steps_where"] = loc.where("steps")
    if "steps_per_epoch" in raw:
        defaults["steps_per_epoch"] = raw["steps_per_epoch"]
        defaults["steps_per_epoch_where"] = loc.where("steps_per_epoch")
    title = raw.get("title")
    if title is not None and not isinstance(title, (str, int, float)):
        raise SpecError("expected text", loc.where("title"))
    figure = build_figure_settings(raw.get("style"), loc.child("style"), source) if "style" in raw else FigureSettings()
    curves: list[CurveSpec] = []
    for entry, curve_loc in zip(entries, curve_locs, strict=True):
        curves.extend(build_curves(entry, curve_loc, defaults, source))
        if len(curves) > MAX_CURVES:
            raise SpecError(f"more than {MAX_CURVES} curves", loc.where("curves"))
    _check_total_steps(curves, loc.where("steps") if "steps" in raw else loc.where())
    title_where = None if title is None else loc.where("title")
    return Spec(tuple(curves), None if title is None else str(title), (source,) if source else (), figure, title_where)


def _read_vars(raw: Mapping[str, Any], loc: Locator) -> Mapping[str, float]:
    """The file's `vars: {N: 7330}`, for arithmetic in its numeric fields."""
    from lrviz.spec import arithmetic

    return arithmetic.read_vars(raw["vars"], loc.where("vars"), loc.child("vars")) if "vars" in raw else {}


def _check_total_steps(curves: Sequence[CurveSpec], where: str | None) -> None:
    """Refuse more than MAX_TOTAL_STEPS steps over `curves`; a step of each param group counts."""
    total = sum(curve.steps * len(curve.group_lrs) for curve in curves)
    if total <= MAX_TOTAL_STEPS:
        return
    longest = max(c.steps for c in curves)
    lines = sum(len(curve.group_lrs) for curve in curves)
    if lines == len(curves):
        raise SpecError(
            f"{len(curves)} curves of up to {longest:,} steps make {total:,} steps in all; "
            f"at most {MAX_TOTAL_STEPS:,} per command (fewer steps or fewer curves)",
            where,
        )
    raise SpecError(
        f"{lines:,} param groups (in {len(curves)} curve{'s' if len(curves) != 1 else ''}) of up to {longest:,} "
        f"steps make {total:,} steps in all; at most {MAX_TOTAL_STEPS:,} per command "
        "(fewer steps, curves or param groups)",
        where,
    )


def merge_specs(specs: Sequence[Spec]) -> Spec:
    """One Spec holding every curve of several (e.g. several YAML files)."""
    curves = tuple(itertools.chain.from_iterable(s.curves for s in specs))
    if len(curves) > MAX_CURVES:
        raise SpecError(f"{len(curves)} curves in all; at most {MAX_CURVES}")
    _check_total_steps(curves, ", ".join(itertools.chain.from_iterable(s.sources for s in specs)) or None)
    titles = [(s.title, s.title_where) for s in specs if s.title]
    title, title_where = titles[0] if len(specs) == 1 and titles else (None, None)
    sources = tuple(itertools.chain.from_iterable(s.sources for s in specs))
    # several files on one figure: the first file that asks for a style sets it
    figure = next((s.figure for s in specs if s.figure != FigureSettings()), FigureSettings())
    return Spec(curves, title, sources, figure, title_where)


def iter_schedulers(scheduler: SchedulerSpec) -> Iterator[SchedulerSpec]:
    """The scheduler and every nested one, depth first."""
    yield scheduler
    for child in scheduler.children:
        yield from iter_schedulers(child)


# --------------------------------------------------------------------------- figure settings

FIGURE_KEYS = ("use", "width", "height", "dpi")
MIN_INCHES = 1.0  # smaller, and constrained layout has no room left for the axes
MAX_INCHES = 100.0
MIN_DPI = 10.0  # lower, and text has no size in pixels (FreeType refuses it)
MAX_DPI = 2400.0
MAX_PIXELS = 20_000  # per side of a raster figure


def _positive_size(value: Any, where: str, limits: tuple[float, float], unit: str) -> float:
    number = parse_float(value, where)
    low, limit = limits
    if number <= 0:
        raise SpecError(f"must be positive, got {number:g}", where)
    if number < low:
        raise SpecError(f"must be at least {low:g} {unit}, got {number:g}", where)
    if number > limit:
        raise SpecError(f"must be at most {limit:g} {unit}, got {number:g}", where)
    return number


def _figure_settings(
    style: Any, width: Any, height: Any, dpi: Any, loc: Locator, source: str | None, base: FigureSettings
) -> FigureSettings:
    from lrviz.rendering.styles import check_styles

    names, style_where = base.style, base.style_where
    if style is not None:
        if not isinstance(style, (str, list, tuple)):
            raise SpecError(f"expected a style name, file or list of them, got {_show(style)}", loc.where("use"))
        names, style_where = check_styles(style, loc.where("use"), source), loc.where("use")
    inch_range, dpi_range = (MIN_INCHES, MAX_INCHES), (MIN_DPI, MAX_DPI)
    sizes = {
        "width": base.width if width is None else _positive_size(width, loc.where("width"), inch_range, "inches"),
        "height": base.height if height is None else _positive_size(height, loc.where("height"), inch_range, "inches"),
        "dpi": base.dpi if dpi is None else _positive_size(dpi, loc.where("dpi"), dpi_range, "dots per inch"),
    }
    resolution = sizes["dpi"]
    if resolution is not None:
        for key in ("width", "height"):
            inches = sizes[key]
            if inches is not None and inches * resolution > MAX_PIXELS:
                raise SpecError(
                    f"{inches:g} in at {resolution:g} dpi is {inches * resolution:,.0f} pixels; at most {MAX_PIXELS:,}",
                    loc.where("dpi" if dpi is not None else key),
                )
    return FigureSettings(names, sizes["width"], sizes["height"], sizes["dpi"], style_where)


def build_figure_settings(raw: Any, loc: Locator, source: str | None = None) -> FigureSettings:
    """The YAML `style:` key: a preset or style file, a list of them, or {use, width, height, dpi}."""
    if isinstance(raw, Mapping):
        _check_keys(raw, FIGURE_KEYS, loc, "style key")
        return _figure_settings(
            raw.get("use"), raw.get("width"), raw.get("height"), raw.get("dpi"), loc, source, FigureSettings()
        )
    if raw is None:
        raise SpecError("expected a style name, file, list of them, or {use, width, height, dpi}", loc.where())
    return _figure_settings(raw, None, None, None, _SameWhere(loc), source, FigureSettings())


class _SameWhere(Locator):
    """`style: paper`: every setting is named by the `style` key itself."""

    def __init__(self, loc: Locator) -> None:
        self.loc = loc

    def where(self, key: str | int | None = None) -> str:
        return self.loc.where()

    def child(self, key: str | int) -> Locator:
        return self


def figure_settings_from_flags(
    base: FigureSettings,
    style: str | None = None,
    width: str | None = None,
    height: str | None = None,
    dpi: str | None = None,
) -> FigureSettings:
    """`--style/--width/--height/--dpi` over a spec's own settings (flags win)."""
    loc = FlagLocator({"use": "--style", "width": "--width", "height": "--height", "dpi": "--dpi"}, "--style")
    return _figure_settings(style, width, height, dpi, loc, None, base)


# --------------------------------------------------------------------------- from Python


class KeywordLocator(Locator):
    """Values from Python arguments: errors name `T_max`, `warmup.steps`, `curves[0].lr`.

    With `flatten`, a scheduler's parameters are named alone (`T_max`, as passed to spec_for)
    rather than `scheduler.T_max`.
    """

    def __init__(self, path: tuple[str | int, ...] = (), flatten: bool = False, default: str = "spec") -> None:
        self.path = path
        self.flatten = flatten
        self.default = default

    def where(self, key: str | int | None = None) -> str:
        keys = self.path if key is None else (*self.path, key)
        text = ""
        for part in keys:
            text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
        return text or self.default

    def child(self, key: str | int) -> Locator:
        if self.flatten and key == "scheduler" and not self.path:
            return self
        return KeywordLocator((*self.path, key), self.flatten, self.default)


def spec_from_dict(raw: Mapping[str, Any], source: str | None = None) -> Spec:
    """A Spec from a dict shaped like a YAML spec file (`{"scheduler": {...}}` or `{"curves": [...]}`)."""
    return build_spec(raw, KeywordLocator(), source)


def spec_for(scheduler: str, **kwargs: Any) -> Spec:
    """One curve (or a sweep) from Python: ``spec_for("cosine", T_max=150, steps=400)``.

    Keyword arguments are the scheduler's torch parameters plus the curve's keys of a YAML spec
    (lr, steps, label, warmup, sweep, param_groups, metric, optimizer) and the file's title and style;
    ``warmup=10`` is short for ``warmup={"steps": 10}``. Validated like flags and YAML: a bad
    value raises SpecError naming the argument.
    """
    raw: dict[str, Any] = {}
    params: dict[str, Any] = {"type": scheduler}
    for key, value in kwargs.items():
        if key in CURVE_KEYS or key in FILE_KEYS:
            raw[key] = value
        else:
            params[key] = value
    if isinstance(raw.get("warmup"), int) and not isinstance(raw.get("warmup"), bool):
        raw["warmup"] = {"steps": raw["warmup"]}
    raw["scheduler"] = params
    return build_spec(raw, KeywordLocator(flatten=True, default=f"spec_for({scheduler!r})"))
