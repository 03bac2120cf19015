"""optax: every schedule function of ``optax.schedules``, in float32 as optax computes it with JAX.

optax schedules return the learning rate itself, so these are absolute schedules (``--lr`` is
refused). The formulas follow optax's functions operation for operation in float32 (see
:mod:`lrviz.schedules._float32`): Python-float arithmetic between parameters stays float64 as in
optax, and everything that meets the int32 step count is float32. lr[k] is the value optax's
``scale_by_learning_rate`` applies at update k (its int32 ``count`` is k), cast to float32.

That update runs compiled (``jax.jit``), and XLA compiles the schedule with its parameters as
constants: a division by a constant becomes a multiplication by its float32 reciprocal, constant
factors are multiplied together first, and a multiply followed by an add is one fused
multiply-add. The formulas do the same, so they give the values a training loop gets (which can
differ visibly from calling the schedule eagerly: ``exponential_decay(1.0, 47, 2.0, staircase=True)``
doubles at count 48 in a jitted update, not at 47, because 47 * float32(1/47) < 1).

A ``{step: scale}`` dict parameter (``boundaries_and_scales``) is given as two lists,
``boundaries`` and ``scales``; ``sgdr_schedule``'s list of dicts as one list per dict key
(``decay_steps``, ``peak_value``, ...), one entry per cycle, a single entry serving every cycle.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from lrviz.schedules import _float32 as f
from lrviz.schedules import _optax_code as code
from lrviz.schedules._absolute import Schedule, absolute_member
from lrviz.schedules.base import FrameworkSchedule, param, typed_entries

FRAMEWORK = "optax"
TITLE = "optax (JAX)"
PACKAGE = "optax"

# --------------------------------------------------------------------------- optax's functions, float32


def _polynomial(init_value: float, end_value: float, power: float | int, transition_steps: int, begin: int = 0):
    """optax.polynomial_schedule."""
    if transition_steps <= 0:
        return lambda count: f.f32(init_value)
    begin = max(begin, 0)
    scale, end = f.f32(init_value - end_value), f.f32(end_value)  # Python floats: float64, then cast

    reciprocal = f.div(1.0, f.f32(transition_steps))

    def schedule(count: int) -> float:
        clipped = min(max(count - begin, 0), transition_steps)
        frac = f.fma(-f.f32(clipped), reciprocal, 1.0)  # 1 - count / transition_steps, compiled
        # a Python int power is lax.integer_pow (linear_schedule's power=1), a float one lax.pow
        powered = f.integer_pow(frac, power) if isinstance(power, int) else f.pow(frac, f.f32(power))
        return f.fma(powered, scale, end)

    return schedule


def _piecewise_constant(init_value: float, table: Mapping[int, float] | None) -> Schedule:
    """optax.piecewise_constant_schedule: v * indicator + (1 - indicator) * scale * v per boundary."""
    steps = sorted(table.items()) if table is not None else []

    def schedule(count: int) -> float:
        value = f.f32(init_value)
        for threshold, scale in steps:
            indicator = 1.0 if threshold - count > 0 else 0.0
            jumped = f.mul(f.mul(f.sub(1.0, indicator), f.f32(scale)), value)
            value = f.add(f.mul(value, indicator), jumped)
        return value

    return schedule


def _exponential(
    init_value: float,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """optax.exponential_decay."""
    if transition_steps <= 0 or decay_rate == 0:
        return lambda count: f.f32(init_value)
    begin = max(transition_begin, 0)
    clip = f.maximum if decay_rate < 1.0 else f.minimum
    reciprocal = f.div(1.0, f.f32(transition_steps))

    def schedule(count: int) -> float:
        decreased = count - begin
        p = f.mul(f.f32(decreased), reciprocal)  # decreased / transition_steps, compiled
        if staircase:
            p = float(math.floor(p)) if math.isfinite(p) else p
        decayed = f.mul(f.f32(init_value), f.pow(f.f32(decay_rate), p))  # jnp.where: both sides are computed
        value = f.f32(init_value) if decreased <= 0 else decayed
        return clip(value, f.f32(end_value)) if end_value is not None else value

    return schedule


def _cosine_decay(init_value: float, decay_steps: int, alpha: float = 0.0, exponent: float = 1.0) -> Schedule:
    """optax.cosine_decay_schedule."""
    steps = f.f32(float(decay_steps))
    angle = f.mul(f.PI, f.div(1.0, steps))  # pi * count / decay_steps, compiled: count * (pi * (1 / steps))

    def schedule(count: int) -> float:
        clipped = f.minimum(f.f32(count), steps)
        cosine = f.mul(0.5, f.add(1.0, f.cos(f.mul(clipped, angle))))
        decayed = f.fma(f.pow(cosine, f.f32(exponent)), f.f32(1 - alpha), f.f32(alpha))
        return f.mul(f.f32(init_value), decayed)

    return schedule


def _cumprod(values: list[float]) -> list[float]:
    """jnp.cumprod: XLA's reduce-window product, each prefix multiplied left to right."""
    products = [values[0]]
    for value in values[1:]:
        products.append(f.mul(products[-1], value))
    return products


def _interpolate(kind: str, start: float, end: float, offset: float, reciprocal: float) -> float:
    """optax's _linear_interpolate / _cosine_interpolate at pct = offset / size, compiled."""
    if kind == "linear":  # (end - start) * (offset * (1 / size)) + start, constants first
        return f.fma(offset, f.mul(f.sub(end, start), reciprocal), start)
    half = f.div(f.sub(start, end), 2.0)
    angle = f.mul(f.mul(offset, reciprocal), f.PI)
    return f.fma(half, f.add(f.cos(angle), 1.0), end)


def _piecewise_interpolate(kind: str, init_value: float, table: Mapping[int, float] | None) -> Schedule:
    """optax.piecewise_interpolate_schedule: interpolate between the running products of the scales."""
    pairs = sorted(table.items()) if table else []
    bounds = [0] + [b for b, _ in pairs]
    values = _cumprod([f.f32(init_value)] + [f.f32(s) for _, s in pairs])

    def schedule(count: int) -> float:
        result = 0.0
        for i in range(len(bounds) - 1):  # at most one interval holds count: the dot product adds zeros
            if bounds[i] <= count < bounds[i + 1]:
                reciprocal = f.div(1.0, f.f32(max(bounds[i + 1] - bounds[i], 1)))
                result = _interpolate(kind, values[i], values[i + 1], f.f32(count - bounds[i]), reciprocal)
        return f.add(result, values[-1] if bounds[-1] <= count else 0.0)

    return schedule


def _join(schedules: list[Schedule], boundaries: list[int]) -> Schedule:
    """optax.join_schedules: each schedule counts from its own boundary."""

    def schedule(count: int) -> float:
        value = schedules[0](count)
        for boundary, later in zip(boundaries, schedules[1:], strict=False):
            if count >= boundary:
                value = later(count - boundary)
        return value

    return schedule


def _warmup_cosine(init_value, peak_value, warmup_steps, decay_steps, end_value=0.0, exponent=1.0) -> Schedule:
    """optax.warmup_cosine_decay_schedule."""
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    warmup = _polynomial(init_value, peak_value, 1, warmup_steps)
    return _join([warmup, _cosine_decay(peak_value, decay_steps - warmup_steps, alpha, exponent)], [warmup_steps])


def _onecycle_table(p: Mapping[str, Any], linear: bool) -> dict[int, float]:
    """The {step: scale} dict linear_onecycle_schedule / cosine_onecycle_schedule build (keys may collide)."""
    steps, div = p["transition_steps"], p["div_factor"]
    if linear:
        return {
            int(p["pct_start"] * steps): div,
            int(p["pct_final"] * steps): 1.0 / div,
            steps: 1.0 / p["final_div_factor"],
        }
    return {int(p["pct_start"] * steps): div, int(steps): 1.0 / (div * p["final_div_factor"])}


def table_of(p: Mapping[str, Any]) -> dict[int, float]:
    """`boundaries_and_scales` from lrviz's two lists."""
    return dict(zip(p["boundaries"], p["scales"], strict=False))


def cycles_of(p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """sgdr_schedule's `cosine_kwargs` from lrviz's per-key lists (a single entry serves every cycle)."""
    count = max(len(p[key]) for key in SGDR_KEYS)
    return [{key: p[key][i] if len(p[key]) > 1 else p[key][0] for key in SGDR_KEYS} for i in range(count)]


def _sgdr(p: Mapping[str, Any]) -> Schedule:
    schedules, boundaries, step = [], [], 0
    for kwargs in cycles_of(p):
        schedules.append(_warmup_cosine(**kwargs))
        step += kwargs["decay_steps"]
        boundaries.append(step)
    return _join(schedules, boundaries[:-1])


# --------------------------------------------------------------------------- lrviz's view of them


_INIT = param("init_value", "float", help="Initial value for the scalar to be annealed")
_END = param("end_value", "float", help="End value of the scalar to be annealed")
_TRANSITION = param("transition_steps", "int", help="Number of steps over which annealing takes place")
_BEGIN = param("transition_begin", "int", 0, help="After how many steps to start annealing")
_PEAK = param("peak_value", "float", help="Peak value for scalar to be annealed at end of warmup")
_WARMUP = param("warmup_steps", "int", help="Positive integer, the length of the linear warmup")
_DECAY_STEPS = param("decay_steps", "int", help="Positive integer, the total length of the schedule")
_EXPONENT = param("exponent", "float", 1.0, help="The default decay is 0.5 * (1 + cos(pi t/T)), where t is the "
                  "current timestep and T is decay_steps; the exponent modifies this to be its power")  # fmt: skip
_BOUNDARIES = param("boundaries", "int_list", help="The steps of boundaries_and_scales: Dictionary of {step: scale} "
                    "where scale is multiplied into the schedule value at the given step")  # fmt: skip
_SCALES = param("scales", "float_list", help="The scales of boundaries_and_scales, one per boundary: "
                "multiplied into the schedule value at that step; all must be non-negative")  # fmt: skip
_DECAY_RATE = param("decay_rate", "float", help="must not be zero. The decay rate")
_STAIRCASE = param("staircase", "bool", False, help="if True, decay the values at discrete intervals")
_CLIP_END = param("end_value", "float", None, optional=True, help="the value at which the exponential decay stops")
_ONECYCLE_STEPS = param("transition_steps", "int", help="Number of steps over which annealing takes place")
_ONECYCLE_PEAK = param("peak_value", "float", help="Maximum value attained by schedule at pct_start percent of the "
                       "cycle (in number of steps)")  # fmt: skip
_PCT_START = param("pct_start", "float", 0.3, help="The percentage of the cycle (in number of steps) spent "
                   "increasing the learning rate")  # fmt: skip
_DIV = param("div_factor", "float", 25.0, help="Determines the initial value via init_value = peak_value / div_factor")
_FINAL_DIV = param("final_div_factor", "float", 1e4, help="Determines the final value via final_value = init_value "
                   "/ final_div_factor")  # fmt: skip

SGDR_KEYS = ("init_value", "peak_value", "warmup_steps", "decay_steps", "end_value", "exponent")
_SGDR_PARAMS = (
    param("init_value", "float_list", help="Each cycle's init_value (cosine_kwargs[i]['init_value']): its start"),
    param("peak_value", "float_list", help="Each cycle's peak_value: its value at the end of its warmup"),
    param("warmup_steps", "int_list", help="Each cycle's warmup_steps: the length of its linear warmup"),
    param("decay_steps", "int_list", help="Each cycle's decay_steps: how long the cycle lasts, warmup included"),
    param("end_value", "float_list", (0.0,), help="Each cycle's end_value: its value at its end"),
    param("exponent", "float_list", (1.0,), help="Each cycle's exponent of the cosine decay"),
)


# each member's optax keyword arguments from lrviz's parameter values (a join's --code calls its children)
_ARGUMENTS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {}


def _member(
    name: str,
    params: tuple,
    summary: str,
    make: Callable[[Mapping[str, Any]], Schedule],
    example: str,
    arguments: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
    **hooks: Any,
) -> FrameworkSchedule:
    """One optax schedule: absolute, float32, its optax call as --code, aliased without `_schedule`."""
    names = [p.name for p in params]
    _ARGUMENTS[name] = arguments or (lambda p: {key: p[key] for key in names})
    return absolute_member(
        name,
        params,
        make,
        _ARGUMENTS[name],
        hooks.pop("framework_source", code.optax_source),
        hooks.pop("plain_source", code.optax_plain_source),
        summary=summary,
        source=f"optax.{name}",
        aliases=hooks.pop("aliases", (name.removesuffix("_schedule"),) if name.endswith("_schedule") else ()),
        example=example,
        **hooks,
    )


def _checks(*checks: Callable[[Mapping[str, Any]], list[tuple[str, str]]]):
    """A `check` running each of `checks` in turn."""
    return lambda p: [problem for check in checks for problem in check(p)]


def _positive(*names: str):
    """Steps optax needs positive (it raises, or the schedule holds its first value forever)."""
    return lambda p: [(n, f"must be at least 1, got {p[n]}") for n in names if p[n] is not None and p[n] < 1]


def _not_negative(*names: str):
    return lambda p: [(n, f"must not be negative, got {p[n]}") for n in names if p[n] is not None and p[n] < 0]


def _nonzero(*names: str):
    return lambda p: [(n, "must not be zero") for n in names if p[n] == 0]


def _table_check(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    """boundaries and scales: one scale per distinct boundary, none negative (optax raises)."""
    boundaries, scales = p["boundaries"], p["scales"]
    if len(boundaries) != len(scales):
        return [("scales", f"needs one scale per boundary: {len(boundaries)} boundaries, {len(scales)} scales")]
    if len(set(boundaries)) != len(boundaries):
        return [("boundaries", "must be distinct steps (they are the keys of boundaries_and_scales)")]
    negative = [s for s in scales if s < 0]
    return [("scales", f"must not be negative (optax raises), got {negative[0]:g}")] if negative else []


def _warmup_cosine_check(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    if p["decay_steps"] <= p["warmup_steps"]:
        return [("decay_steps", f"must exceed warmup_steps ({p['warmup_steps']}): it includes the warmup, "
                 f"got {p['decay_steps']}")]  # fmt: skip
    return []


def _sgdr_check(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    count = max(len(p[key]) for key in SGDR_KEYS)
    for key in SGDR_KEYS:
        if len(p[key]) not in (1, count):
            return [(key, f"needs one value per cycle ({count}) or a single value for all, got {len(p[key])}")]
    for cycle in cycles_of(p):
        problems = _warmup_cosine_check(cycle)
        if problems:
            return problems
    return []


def _onecycle_events(p: Mapping[str, Any]) -> list[tuple[int, str]]:
    return [(int(p["pct_start"] * p["transition_steps"]), "peak"), (p["transition_steps"], "end")]


def _polynomial_events(p: Mapping[str, Any]) -> list[tuple[int, str]]:
    begin = max(p["transition_begin"], 0)
    return ([(begin, "transition begin")] if begin else []) + [(begin + p["transition_steps"], "transition end")]


def _table_events(p: Mapping[str, Any]) -> list[tuple[int, str]]:
    return [(b, f"x{s:g}") for b, s in sorted(table_of(p).items())]


def _warmup_events(p: Mapping[str, Any]) -> list[tuple[int, str]]:
    return [(p["warmup_steps"], "warmup end")] if p["warmup_steps"] > 0 else []


def _sgdr_events(p: Mapping[str, Any]) -> list[tuple[int, str]]:
    events, step = [], 0
    for cycle in cycles_of(p)[:-1]:
        step += cycle["decay_steps"]
        events.append((step, "restart"))
    return events


def _table_steps(p: Mapping[str, Any]) -> int | None:
    last = max(p["boundaries"], default=0)
    return last + max(last // 4, 10) if last else None


def _exponential_args(p: Mapping[str, Any]) -> tuple:
    return (p["transition_steps"], p["decay_rate"], p["transition_begin"], p["staircase"], p["end_value"])


def _onecycle(kind: str) -> Callable[[Mapping[str, Any]], Schedule]:
    """linear_onecycle_schedule / cosine_onecycle_schedule: a piecewise interpolation from peak / div."""
    linear = kind == "linear"
    return lambda p: _piecewise_interpolate(kind, p["peak_value"] / p["div_factor"], _onecycle_table(p, linear))


_ONECYCLE_HOOKS = {
    "steps_of": lambda p: p["transition_steps"],
    "length_of": lambda p: ("transition_steps", p["transition_steps"]),
    "events_of": _onecycle_events,
    "check": _checks(_positive("transition_steps"), _nonzero("div_factor", "final_div_factor")),
}
_EXPONENTIAL_PARAMS = (_TRANSITION, _DECAY_RATE, _BEGIN, _STAIRCASE, _CLIP_END)
_POLYNOMIAL_HOOKS = {
    "steps_of": lambda p: max(p["transition_begin"], 0) + p["transition_steps"],
    "length_of": lambda p: ("transition_steps", max(p["transition_begin"], 0) + p["transition_steps"]),
    "events_of": _polynomial_events,
    "check": _checks(_positive("transition_steps"), _not_negative("transition_begin")),
}

_FUNCTIONS = (
    _member(
        "constant_schedule",
        (param("value", "float", help="value to be held constant throughout"),),
        "Constructs a constant schedule",
        lambda p: lambda count: f.f32(p["value"]),
        "lrviz plot optax:constant_schedule --value 1e-3 --steps 100",
    ),
    _member(
        "linear_schedule",
        (_INIT, _END, _TRANSITION, _BEGIN),
        "Schedule with linear transition from init_value to end_value",
        lambda p: _polynomial(p["init_value"], p["end_value"], 1, p["transition_steps"], p["transition_begin"]),
        "lrviz plot optax:linear_schedule --init-value 1e-3 --end-value 1e-5 --transition-steps 1000",
        **_POLYNOMIAL_HOOKS,
    ),
    _member(
        "polynomial_schedule",
        (_INIT, _END, param("power", "float", help="the power of the polynomial used to transition from init to end"),
         _TRANSITION, _BEGIN),  # fmt: skip
        "Constructs a schedule with polynomial transition from init to end value",
        lambda p: _polynomial(*(p[key] for key in ("init_value", "end_value", "power", "transition_steps",
                                                   "transition_begin"))),  # fmt: skip
        "lrviz plot optax:polynomial_schedule --init-value 1e-3 --end-value 1e-5 --power 2 --transition-steps 1000",
        **_POLYNOMIAL_HOOKS,
    ),
    _member(
        "piecewise_constant_schedule",
        (param("init_value", "float", help="The starting value of the schedule"), _BOUNDARIES, _SCALES),
        "Piecewise constant schedule with scaled jumps at specific boundaries",
        lambda p: _piecewise_constant(p["init_value"], table_of(p)),
        "lrviz plot optax:piecewise_constant_schedule --init-value 0.1 --boundaries 300,600 --scales 0.1,0.1",
        arguments=lambda p: {"init_value": p["init_value"], "boundaries_and_scales": table_of(p)},
        steps_of=_table_steps,
        events_of=_table_events,
        check=_table_check,
    ),
    _member(
        "exponential_decay",
        (param("init_value", "float", help="the initial learning rate"), *_EXPONENTIAL_PARAMS),
        "Constructs a schedule with either continuous or discrete exponential decay",
        lambda p: _exponential(p["init_value"], *_exponential_args(p)),
        "lrviz plot optax:exponential_decay --init-value 1e-3 --transition-steps 100 --decay-rate 0.5 --staircase true",
        steps_of=lambda p: max(p["transition_begin"], 0) + 5 * p["transition_steps"],
        events_of=lambda p: [(p["transition_begin"], "decay begin")] if p["transition_begin"] > 0 else [],
        check=_checks(_positive("transition_steps"), _nonzero("decay_rate"), _not_negative("transition_begin")),
    ),
    _member(
        "cosine_decay_schedule",
        (param("init_value", "float", help="An initial value for the learning rate"),
         param("decay_steps", "int", help="Positive integer - the number of steps for which to apply the decay for"),
         param("alpha", "float", 0.0, help="The minimum value of the multiplier used to adjust the learning rate"),
         _EXPONENT),  # fmt: skip
        "Returns a function which implements cosine learning rate decay",
        lambda p: _cosine_decay(p["init_value"], p["decay_steps"], p["alpha"], p["exponent"]),
        "lrviz plot optax:cosine_decay_schedule --init-value 1e-3 --decay-steps 1000 --alpha 0.1",
        steps_of=lambda p: p["decay_steps"],
        length_of=lambda p: ("decay_steps", p["decay_steps"]),
        events_of=lambda p: [(p["decay_steps"], "decay end")],
        check=_positive("decay_steps"),
    ),
    _member(
        "piecewise_interpolate_schedule",
        (param("interpolate_type", "choice", help="Either 'linear' or 'cosine', specifying the interpolation "
               "method used between boundary segments", choices=("linear", "cosine")),
         param("init_value", "float", help="Starting value for the schedule"), _BOUNDARIES, _SCALES),  # fmt: skip
        "Piecewise interpolated schedule with linear or cosine transitions",
        lambda p: _piecewise_interpolate(p["interpolate_type"], p["init_value"], table_of(p)),
        "lrviz plot optax:piecewise_interpolate_schedule --interpolate-type cosine --init-value 1e-3 "
        "--boundaries 100,1000 --scales 1,0.01",
        arguments=lambda p: {"interpolate_type": p["interpolate_type"], "init_value": p["init_value"],
                             "boundaries_and_scales": table_of(p)},  # fmt: skip
        steps_of=_table_steps,
        events_of=_table_events,
        check=_table_check,
    ),
    _member(
        "linear_onecycle_schedule",
        (_ONECYCLE_STEPS, _ONECYCLE_PEAK, _PCT_START,
         param("pct_final", "float", 0.85, help="The percentage of the cycle (in number of steps) spent increasing "
               "to peak_value then decreasing back to init_value"), _DIV, _FINAL_DIV),  # fmt: skip
        "Returns a learning rate with three linear phases",
        _onecycle("linear"),
        "lrviz plot optax:linear_onecycle_schedule --transition-steps 1000 --peak-value 1e-2",
        **_ONECYCLE_HOOKS,
    ),
    _member(
        "cosine_onecycle_schedule",
        (_ONECYCLE_STEPS, _ONECYCLE_PEAK, _PCT_START, _DIV, _FINAL_DIV),
        "Returns a function which implements the onecycle learning rate schedule",
        _onecycle("cosine"),
        "lrviz plot optax:cosine_onecycle_schedule --transition-steps 1000 --peak-value 1e-2",
        **_ONECYCLE_HOOKS,
    ),
    _member(
        "warmup_constant_schedule",
        (_INIT, _PEAK, _WARMUP),
        "Linear warmup followed by constant schedule i.e no decay",
        lambda p: _polynomial(p["init_value"], p["peak_value"], 1, p["warmup_steps"]),
        "lrviz plot optax:warmup_constant_schedule --init-value 0 --peak-value 1e-3 --warmup-steps 100",
        steps_of=lambda p: max(2 * p["warmup_steps"], 10),
        events_of=_warmup_events,
        check=_not_negative("warmup_steps"),
    ),
    _member(
        "warmup_cosine_decay_schedule",
        (_INIT, _PEAK, _WARMUP, _DECAY_STEPS, param("end_value", "float", 0.0, help=_END.help), _EXPONENT),
        "Linear warmup followed by cosine decay",
        lambda p: _warmup_cosine(**{key: p[key] for key in SGDR_KEYS}),
        "lrviz plot optax:warmup_cosine_decay_schedule --init-value 0 --peak-value 1e-3 --warmup-steps 100 "
        "--decay-steps 1000",
        steps_of=lambda p: p["decay_steps"],
        length_of=lambda p: ("decay_steps", p["decay_steps"]),
        events_of=_warmup_events,
        check=_checks(_not_negative("warmup_steps"), _warmup_cosine_check),
    ),
    _member(
        "warmup_exponential_decay_schedule",
        (_INIT, _PEAK, _WARMUP, *_EXPONENTIAL_PARAMS),
        "Linear warmup followed by exponential decay",
        lambda p: _join(
            [_polynomial(p["init_value"], p["peak_value"], 1, p["warmup_steps"]),
             _exponential(p["peak_value"], *_exponential_args(p))], [p["warmup_steps"]]),  # fmt: skip
        "lrviz plot optax:warmup_exponential_decay_schedule --init-value 0 --peak-value 1e-3 --warmup-steps 100 "
        "--transition-steps 100 --decay-rate 0.7",
        steps_of=lambda p: p["warmup_steps"] + max(p["transition_begin"], 0) + 5 * p["transition_steps"],
        events_of=_warmup_events,
        check=_checks(_not_negative("warmup_steps", "transition_begin"), _positive("transition_steps"),
                      _nonzero("decay_rate")),  # fmt: skip
    ),
    _member(
        "sgdr_schedule",
        _SGDR_PARAMS,
        "SGD with warm restarts",
        _sgdr,
        "lrviz plot optax:sgdr_schedule --init-value 0 --peak-value 1e-3,5e-4,2.5e-4 --warmup-steps 10 "
        "--decay-steps 100,200,400",
        arguments=lambda p: {"cosine_kwargs": cycles_of(p)},
        steps_of=lambda p: sum(cycle["decay_steps"] for cycle in cycles_of(p)),
        length_of=lambda p: ("decay_steps", sum(cycle["decay_steps"] for cycle in cycles_of(p))),
        events_of=_sgdr_events,
        check=_sgdr_check,
    ),
)


# --------------------------------------------------------------------------- join_schedules over the members

# a join's children: every member, by its name or alias (`warmup_cosine_decay`)
_CHILDREN = {name: member for member in _FUNCTIONS for name in (member.name, *member.aliases)}
_CHILD_PARAMS = {name: member.params for name, member in _CHILDREN.items()}
_CHILD_HINTS = {
    "join_schedules": "; a join inside a join: list its schedules and boundaries in this one",
    "join": "; a join inside a join: list its schedules and boundaries in this one",
}


def join_children(p: Mapping[str, Any]) -> list[tuple[FrameworkSchedule, dict[str, Any]]]:
    """Each entry of `schedules` as (its optax member, its parameters with the member's defaults).
    Raises ValueError naming the entry (1-based) for an unknown type or key, or a bad value."""
    entries = typed_entries(p["schedules"], _CHILD_PARAMS, _CHILD_HINTS)
    return [(_CHILDREN[entry.pop("type")], entry) for entry in entries]


def _join_make(p: Mapping[str, Any]) -> Schedule:
    """optax.join_schedules of the children's own float32 schedules."""
    children = [member.lr_function(given, 1.0) for member, given in join_children(p)]
    return _join(children, list(p["boundaries"]))


def _join_arguments(p: Mapping[str, Any]) -> dict[str, Any]:
    """join_schedules' arguments, each child as (its optax function, its optax arguments)."""
    children = [(member.name, _ARGUMENTS[member.name](member.with_defaults(given))) for member, given in
                join_children(p)]  # fmt: skip
    return {"schedules": children, "boundaries": list(p["boundaries"])}


def _join_check(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The children's own parameters (entry by entry), then one boundary between each two of them."""
    try:
        children = join_children(p)
    except ValueError as exc:
        return [("schedules", str(exc))]
    for index, (member, given) in enumerate(children, start=1):
        for name, message in member.problems(given)[:1]:
            return [("schedules", f"entry {index} ({member.name}) {name}: {message}")]
    boundaries = list(p["boundaries"])
    if len(boundaries) != len(children) - 1:
        return [("boundaries", f"needs one boundary between each two schedules: {len(children)} schedules, "
                 f"{len(boundaries)} boundaries")]  # fmt: skip
    if any(later <= earlier for earlier, later in zip(boundaries, boundaries[1:], strict=False)):
        return [("boundaries", f"must be strictly increasing steps, got {boundaries}")]
    return []


def _join_steps(p: Mapping[str, Any]) -> int | None:
    """The last boundary, then the last schedule's own run length."""
    member, given = join_children(p)[-1]
    return max(p["boundaries"], default=0) + member.default_steps(given)


def _join_length(p: Mapping[str, Any]) -> tuple[str, int] | None:
    """The last boundary plus the last schedule's planned length, when it has one."""
    member, given = join_children(p)[-1]
    length = member.length(given)
    return ("schedules", max(p["boundaries"], default=0) + length[1]) if length else None


def _join_events(p: Mapping[str, Any]) -> list[tuple[int, str]]:
    later = [member for member, _ in join_children(p)[1:]]
    return [(boundary, f"→ {member.name}") for boundary, member in zip(p["boundaries"], later, strict=False)]


_JOIN = _member(
    "join_schedules",
    (param("schedules", "mapping_list", help="A list of schedules (mappings with a `type`, an optax schedule "
           "function, and its own parameters)"),
     param("boundaries", "int_list", help="A list of integers (of length one less than schedules) that "
           "indicate when to transition between schedules")),  # fmt: skip
    "Sequentially apply multiple schedules",
    _join_make,
    "lrviz plot configs/optax_join_schedules.yaml",
    arguments=_join_arguments,
    aliases=("join",),
    framework_source=code.optax_join_source,
    plain_source=code.optax_join_plain_source,
    steps_of=_join_steps,
    length_of=_join_length,
    events_of=_join_events,
    check=_join_check,
)
SCHEDULES = (*_FUNCTIONS, _JOIN)
