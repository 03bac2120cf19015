"""Keras 3: the ``keras.optimizers.schedules`` classes, in float32 as Keras computes them.

Keras schedules return the learning rate itself (absolute: ``--lr`` is refused). Each ``__call__``
casts its parameters to the dtype of ``initial_learning_rate`` (float32) and the step count to it;
the formulas below repeat those operations in float32 (:mod:`lrviz.schedules._float32`). lr[k] is
what the optimizer uses at update k, whose ``iterations`` is k, applied step by step (eagerly;
inside ``ops.cond`` XLA fuses multiply-adds, and so do the formulas). A ``fit`` step compiled with
``jax.jit`` rounds some values differently, by a few float32 ulps. The ``name`` argument only
names the operation, so it is not a parameter here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from lrviz.schedules import _absolute as code
from lrviz.schedules import _float32 as f
from lrviz.schedules._absolute import Schedule, absolute_member
from lrviz.schedules.base import FrameworkSchedule, param

FRAMEWORK = "keras"
TITLE = "Keras 3 (keras.optimizers.schedules)"
PACKAGE = "keras"

def _floor(x: float) -> float:
    return float(math.floor(x)) if math.isfinite(x) else x


def _decay_fraction(p: Mapping[str, Any]) -> Callable[[int], float]:
    """step / decay_steps in float32, floored when staircase (ExponentialDecay, InverseTimeDecay)."""
    steps = f.f32(p["decay_steps"])

    def fraction(step: int) -> float:
        value = f.div(f.f32(step), steps)
        return _floor(value) if p["staircase"] else value

    return fraction


def _exponential(p: Mapping[str, Any]) -> Schedule:
    init, rate, fraction = f.f32(p["initial_learning_rate"]), f.f32(p["decay_rate"]), _decay_fraction(p)
    return lambda step: f.mul(init, f.pow(rate, fraction(step)))


def _piecewise(p: Mapping[str, Any]) -> Schedule:
    boundaries, values = p["boundaries"], [f.f32(v) for v in p["values"]]

    def schedule(step: int) -> float:
        # the sum of indicator * value over the intervals: exactly one indicator is 1
        if step <= boundaries[0]:
            return values[0]
        if step > boundaries[-1]:
            return values[-1]
        intervals = zip(boundaries, boundaries[1:], values[1:], strict=False)
        return next(value for low, high, value in intervals if low < step <= high)

    return schedule


def _polynomial(p: Mapping[str, Any]) -> Schedule:
    init, end, power = f.f32(p["initial_learning_rate"]), f.f32(p["end_learning_rate"]), f.f32(p["power"])
    steps = f.f32(p["decay_steps"])

    def schedule(step: int) -> float:
        now, period = f.f32(step), steps
        if p["cycle"]:  # the first multiple of decay_steps above the step (1 at step 0)
            period = f.mul(period, 1.0 if now == 0 else _ceil(f.div(now, steps)))
        else:
            now = f.minimum(now, period)
        fraction = f.div(now, period)
        return f.add(f.mul(f.sub(init, end), f.pow(f.sub(1.0, fraction), power)), end)

    return schedule


def _ceil(x: float) -> float:
    return float(math.ceil(x)) if math.isfinite(x) else x


def _inverse_time(p: Mapping[str, Any]) -> Schedule:
    init, rate, fraction = f.f32(p["initial_learning_rate"]), f.f32(p["decay_rate"]), _decay_fraction(p)
    return lambda step: f.div(init, f.add(1.0, f.mul(rate, fraction(step))))


def _cosine_of(fraction: float, alpha: float, fused: bool = False) -> float:
    """Keras' 0.5 * (1 + cos(pi * fraction)), then (1 - alpha) * that + alpha, alpha a Python float
    (one fused multiply-add where XLA compiles it inside ops.cond)."""
    cosine = f.mul(0.5, f.add(1.0, f.cos(f.mul(f.PI, fraction))))
    if fused:
        return f.fma(f.f32(1 - alpha), cosine, f.f32(alpha))
    return f.add(f.mul(f.f32(1 - alpha), cosine), f.f32(alpha))


def _cosine(p: Mapping[str, Any]) -> Schedule:
    init, steps, alpha = f.f32(p["initial_learning_rate"]), f.f32(p["decay_steps"]), p["alpha"]
    target = p["warmup_target"]
    if target is None:
        return lambda step: f.mul(init, _cosine_of(f.div(f.minimum(f.f32(step), steps), steps), alpha))
    target, warmup = f.f32(target), f.f32(p["warmup_steps"])
    last = f.add(steps, warmup)

    def schedule(step: int) -> float:
        # both branches run compiled inside ops.cond, where XLA fuses a * b + c
        now = f.minimum(f.f32(step), last)
        if now < warmup:
            return f.fma(f.sub(target, init), f.div(now, warmup), init)
        return f.mul(target, _cosine_of(f.div(f.sub(now, warmup), steps), alpha, fused=True))

    return schedule


def _restarts(p: Mapping[str, Any]) -> Schedule:
    init, first = f.f32(p["initial_learning_rate"]), f.f32(p["first_decay_steps"])
    alpha, t_mul, m_mul = f.f32(p["alpha"]), f.f32(p["t_mul"]), f.f32(p["m_mul"])

    def schedule(step: int) -> float:
        fraction = f.div(f.f32(step), first)
        if t_mul == 1.0:
            restart = _floor(fraction)
            fraction = f.sub(fraction, restart)
        else:  # the geometric series of cycle lengths, solved for the cycle (compiled in ops.cond: fused)
            grown = f.fma(-fraction, f.sub(1.0, t_mul), 1.0)
            restart = _floor(f.div(f.log(grown), f.log(t_mul)))
            done = f.div(f.sub(1.0, f.pow(t_mul, restart)), f.sub(1.0, t_mul))
            fraction = f.div(f.sub(fraction, done), f.pow(t_mul, restart))
        cosine = f.mul(f.mul(0.5, f.pow(m_mul, restart)), f.add(1.0, f.cos(f.mul(f.PI, fraction))))
        return f.mul(init, f.add(f.mul(f.sub(1.0, alpha), cosine), alpha))

    return schedule


# --------------------------------------------------------------------------- code for --code

_PLAIN = {
    "ExponentialDecay": '''
def ExponentialDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False):
    def schedule(step):
        p = step / decay_steps
        if staircase:
            p = math.floor(p)
        return initial_learning_rate * decay_rate**p

    return schedule
''',
    "PiecewiseConstantDecay": '''
def PiecewiseConstantDecay(boundaries, values):
    def schedule(step):
        # a boundary belongs to the interval before it
        return values[sum(1 for boundary in boundaries if step > boundary)]

    return schedule
''',
    "PolynomialDecay": '''
def PolynomialDecay(initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False):
    def schedule(step):
        steps = decay_steps
        if cycle:
            steps = decay_steps * (1.0 if step == 0 else math.ceil(step / decay_steps))
        else:
            step = min(step, decay_steps)
        return (initial_learning_rate - end_learning_rate) * (1 - step / steps) ** power + end_learning_rate

    return schedule
''',
    "InverseTimeDecay": '''
def InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False):
    def schedule(step):
        p = step / decay_steps
        if staircase:
            p = math.floor(p)
        return initial_learning_rate / (1 + decay_rate * p)

    return schedule
''',
    "CosineDecay": '''
def CosineDecay(initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    def decay(step, decay_from_lr):
        cosine_decayed = 0.5 * (1.0 + math.cos(math.pi * step / decay_steps))
        return decay_from_lr * ((1 - alpha) * cosine_decayed + alpha)

    def schedule(step):
        if warmup_target is None:
            return decay(min(step, decay_steps), initial_learning_rate)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            return (warmup_target - initial_learning_rate) * (step / warmup_steps) + initial_learning_rate
        return decay(step - warmup_steps, warmup_target)

    return schedule
''',
    "CosineDecayRestarts": '''
def CosineDecayRestarts(initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
    def schedule(step):
        fraction = step / first_decay_steps
        if t_mul == 1.0:
            i_restart = math.floor(fraction)
            fraction -= i_restart
        else:
            i_restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            sum_r = (1.0 - t_mul**i_restart) / (1.0 - t_mul)
            fraction = (fraction - sum_r) / t_mul**i_restart
        cosine_decayed = 0.5 * m_mul**i_restart * (1.0 + math.cos(math.pi * fraction))
        return initial_learning_rate * ((1 - alpha) * cosine_decayed + alpha)

    return schedule
''',
}


def _keras_source(name: str, arguments: Mapping[str, Any]) -> str:
    """A make_scheduler over Keras' own schedule object (JAX backend unless one is chosen)."""
    return code.absolute_source(
        'import os\n\nos.environ.setdefault("KERAS_BACKEND", "jax")\n\n'
        "import keras  # noqa: E402\nimport torch  # noqa: E402",
        code.call("keras.optimizers.schedules." + name, arguments),
        "lambda step: float(schedule(step))",
        "    # Keras computes in the dtype of initial_learning_rate: float32\n",
    )


# --------------------------------------------------------------------------- the members

_INITIAL = param("initial_learning_rate", "float", help="A Python float. The initial learning rate")
_DECAY_STEPS = param("decay_steps", "int", help="A Python integer. Must be positive. See the decay computation above")
_DECAY_RATE = param("decay_rate", "float", help="A Python float. The decay rate")
_STAIRCASE = param("staircase", "bool", False, help="Boolean. If True decay the learning rate at discrete intervals")
_ALPHA = param("alpha", "float", 0.0, help="A Python float. Minimum learning rate value for decay as a fraction of "
               "warmup_target or, if warmup_target is None, initial_learning_rate")  # fmt: skip


def _positive(name: str):
    return lambda p: [(name, f"must be at least 1 (Keras raises), got {p[name]}")] if p[name] < 1 else []


def _piecewise_check(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    boundaries, values = p["boundaries"], p["values"]
    if not boundaries:
        return [("boundaries", "needs at least one boundary")]
    if len(values) != len(boundaries) + 1:
        return [("values", f"needs one more value than boundaries: {len(boundaries)} boundaries, {len(values)} values")]
    if any(b >= c for b, c in zip(boundaries, boundaries[1:], strict=False)):
        return [("boundaries", "must be strictly increasing")]
    return []


def _member(name: str, params: tuple, summary: str, make, example: str, snake: str, **hooks: Any) -> FrameworkSchedule:
    """One Keras schedule class: absolute, float32, its own class as --code, aliased in snake case."""
    names = [p.name for p in params]
    return absolute_member(
        name,
        params,
        make,
        lambda p: {key: p[key] for key in names},
        _keras_source,
        lambda function, arguments: code.plain_source(function, arguments, _PLAIN, {}),
        summary=summary,
        source=f"keras.optimizers.schedules.{name}",
        aliases=(snake,),
        example=example,
        **hooks,
    )


_OPEN_ENDED = {"steps_of": lambda p: 10 * p["decay_steps"], "check": _positive("decay_steps")}  # decays forever

SCHEDULES = (
    _member(
        "ExponentialDecay",
        (_INITIAL, _DECAY_STEPS, _DECAY_RATE, _STAIRCASE),
        "A LearningRateSchedule that uses an exponential decay schedule",
        _exponential,
        "lrviz plot keras:ExponentialDecay --initial-learning-rate 0.1 --decay-steps 100 --decay-rate 0.96",
        "exponential_decay",
        **_OPEN_ENDED,
    ),
    _member(
        "PiecewiseConstantDecay",
        (param("boundaries", "int_list", help="A list of Python numbers with strictly increasing entries, and with "
               "all elements having the same type as the optimizer step"),
         param("values", "float_list", help="A list of Python numbers that specifies the values for the intervals "
               "defined by boundaries")),  # fmt: skip
        "A LearningRateSchedule that uses a piecewise constant decay schedule",
        _piecewise,
        "lrviz plot keras:PiecewiseConstantDecay --boundaries 100,200 --values 1.0,0.5,0.1",
        "piecewise_constant_decay",
        steps_of=lambda p: max(p["boundaries"], default=0) + max(max(p["boundaries"], default=0) // 4, 10),
        events_of=lambda p: [(b + 1, f"{v:g}") for b, v in zip(p["boundaries"], p["values"][1:], strict=False)],
        check=_piecewise_check,
    ),
    _member(
        "PolynomialDecay",
        (_INITIAL, _DECAY_STEPS,
         param("end_learning_rate", "float", 0.0001, help="A Python float. The minimal end learning rate"),
         param("power", "float", 1.0, help="A Python float. The power of the polynomial"),
         param("cycle", "bool", False, help="A boolean, whether it should cycle beyond decay_steps")),  # fmt: skip
        "A LearningRateSchedule that uses a polynomial decay schedule",
        _polynomial,
        "lrviz plot keras:PolynomialDecay --initial-learning-rate 0.1 --decay-steps 100 --power 0.5 --cycle true "
        "--steps 300",
        "polynomial_decay",
        steps_of=lambda p: p["decay_steps"],
        length_of=lambda p: None if p["cycle"] else ("decay_steps", p["decay_steps"]),
        events_of=lambda p: [] if p["cycle"] else [(p["decay_steps"], "decay end")],
        check=_positive("decay_steps"),
    ),
    _member(
        "InverseTimeDecay",
        (_INITIAL, param("decay_steps", "int", help="How often to apply decay"),
         param("decay_rate", "float", help="A Python number. The decay rate"),
         param("staircase", "bool", False, help="Whether to apply decay in a discrete staircase, as opposed to "
               "continuous, fashion")),  # fmt: skip
        "A LearningRateSchedule that uses an inverse time decay schedule",
        _inverse_time,
        "lrviz plot keras:InverseTimeDecay --initial-learning-rate 0.1 --decay-steps 10 --decay-rate 0.5",
        "inverse_time_decay",
        **_OPEN_ENDED,
    ),
    _member(
        "CosineDecay",
        (_INITIAL, param("decay_steps", "int", help="A Python int. Number of steps to decay over"), _ALPHA,
         param("warmup_target", "float", None, optional=True, help="A Python float. The target learning rate for "
               "our warmup phase"),
         param("warmup_steps", "int", 0, help="A Python int. Number of steps to warmup over")),  # fmt: skip
        "A LearningRateSchedule that uses a cosine decay with optional warmup",
        _cosine,
        "lrviz plot keras:CosineDecay --initial-learning-rate 0 --warmup-target 1e-3 --warmup-steps 100 "
        "--decay-steps 900",
        "cosine_decay",
        steps_of=lambda p: p["decay_steps"] + (p["warmup_steps"] if p["warmup_target"] is not None else 0),
        length_of=lambda p: ("decay_steps", p["decay_steps"] + (p["warmup_steps"] if p["warmup_target"] is not None
                                                                else 0)),  # fmt: skip
        events_of=lambda p: [(p["warmup_steps"], "warmup end")]
        if p["warmup_target"] is not None and p["warmup_steps"] > 0
        else [],
        check=lambda p: _positive("decay_steps")(p)
        + ([("warmup_steps", f"must not be negative, got {p['warmup_steps']}")] if p["warmup_steps"] < 0 else []),
    ),
    _member(
        "CosineDecayRestarts",
        (_INITIAL, param("first_decay_steps", "int", help="A Python integer. Number of steps to decay over"),
         param("t_mul", "float", 2.0, help="A Python float. Used to derive the number of iterations in the i-th "
               "period"),
         param("m_mul", "float", 1.0, help="A Python float. Used to derive the initial learning rate of the i-th "
               "period"),
         param("alpha", "float", 0.0, help="A Python float. Minimum learning rate value as a fraction of the "
               "initial_learning_rate")),  # fmt: skip
        "A LearningRateSchedule that uses a cosine decay schedule with restarts",
        _restarts,
        "lrviz plot keras:CosineDecayRestarts --initial-learning-rate 0.1 --first-decay-steps 100 --m-mul 0.5",
        "cosine_decay_restarts",
        steps_of=lambda p: _restart_steps(p),
        events_of=lambda p: [(step, "restart") for step in _restart_points(p)],
        check=lambda p: _positive("first_decay_steps")(p)
        + ([("t_mul", f"must be positive, got {p['t_mul']:g}")] if p["t_mul"] <= 0 else []),
    ),
)


def _restart_points(p: Mapping[str, Any], cycles: int = 3) -> list[int]:
    """The steps where the first `cycles` periods end (t_mul times longer each)."""
    points, start, length = [], 0.0, float(p["first_decay_steps"])
    for _ in range(cycles):
        start += length
        length *= p["t_mul"]
        points.append(math.ceil(start))
    return points


def _restart_steps(p: Mapping[str, Any]) -> int:
    return min(_restart_points(p)[-1], 100 * p["first_decay_steps"]) if p["t_mul"] > 0 else p["first_decay_steps"]
