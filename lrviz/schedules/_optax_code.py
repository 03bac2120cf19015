"""`--code` for the optax family: optax's own call, and optax's functions in plain Python."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lrviz.schedules._absolute import absolute_source, call, literal, plain_expression_source, plain_source


def optax_source(function: str, arguments: Mapping[str, Any]) -> str:
    """A make_scheduler over optax's own schedule, compiled as in a jitted update, at its int32 count."""
    return _jitted_source(call("optax." + function, arguments))


def optax_plain_source(function: str, arguments: Mapping[str, Any]) -> str:
    """A make_scheduler over optax's function rewritten in plain Python (float64, no JAX)."""
    return plain_source(function, arguments, PLAIN, DEPENDS)


def join_call(prefix: str, arguments: Mapping[str, Any]) -> str:
    """`join_schedules(schedules=[child(...), ...], boundaries=[...])`, each function `prefix`ed:
    `arguments["schedules"]` holds each child's (function, its arguments)."""
    children = ", ".join(call(prefix + function, child) for function, child in arguments["schedules"])
    return f"{prefix}join_schedules(schedules=[{children}], boundaries={literal(list(arguments['boundaries']))})"


def optax_join_source(function: str, arguments: Mapping[str, Any]) -> str:
    """optax.join_schedules over its children's optax calls, jitted as in a training step."""
    return _jitted_source(join_call("optax.", arguments))


def optax_join_plain_source(function: str, arguments: Mapping[str, Any]) -> str:
    """join_schedules and its children's functions in plain Python (float64, no JAX)."""
    functions = [function, *(child for child, _ in arguments["schedules"])]
    return plain_expression_source(functions, join_call("", arguments), PLAIN, DEPENDS)


def _jitted_source(schedule: str) -> str:
    return absolute_source(
        "import jax\nimport jax.numpy as jnp\nimport optax\nimport torch",
        f"jax.jit({schedule})",
        "lambda step: float(jnp.float32(schedule(jnp.int32(step))))",
        "    # optax counts updates in int32 and applies the value in float32 (the parameters' dtype);\n"
        "    # jitted, as in a training step, where XLA rounds a little differently than eagerly\n",
    )


DEPENDS = {
    "linear_schedule": ("polynomial_schedule",),
    "warmup_constant_schedule": ("linear_schedule",),
    "warmup_cosine_decay_schedule": ("linear_schedule", "cosine_decay_schedule", "join_schedules"),
    "warmup_exponential_decay_schedule": ("linear_schedule", "exponential_decay", "join_schedules"),
    "sgdr_schedule": ("warmup_cosine_decay_schedule",),
    "linear_onecycle_schedule": ("piecewise_interpolate_schedule",),
    "cosine_onecycle_schedule": ("piecewise_interpolate_schedule",),
}

# optax's functions (optax/schedules/_schedule.py, _join.py) in plain Python, line for line
PLAIN = {
    "constant_schedule": '''
def constant_schedule(value):
    return lambda count: value
''',
    "polynomial_schedule": '''
def polynomial_schedule(init_value, end_value, power, transition_steps, transition_begin=0):
    if transition_steps <= 0:
        return lambda count: init_value
    transition_begin = max(transition_begin, 0)

    def schedule(count):
        count = min(max(count - transition_begin, 0), transition_steps)
        frac = 1 - count / transition_steps
        return (init_value - end_value) * frac**power + end_value

    return schedule
''',
    "linear_schedule": '''
def linear_schedule(init_value, end_value, transition_steps, transition_begin=0):
    return polynomial_schedule(init_value, end_value, 1, transition_steps, transition_begin)
''',
    "piecewise_constant_schedule": '''
def piecewise_constant_schedule(init_value, boundaries_and_scales=None):
    def schedule(count):
        value = init_value
        for threshold, scale in sorted((boundaries_and_scales or {}).items()):
            if count >= threshold:
                value *= scale
        return value

    return schedule
''',
    "exponential_decay": '''
def exponential_decay(init_value, transition_steps, decay_rate, transition_begin=0, staircase=False, end_value=None):
    if transition_steps <= 0 or decay_rate == 0:
        return lambda count: init_value
    transition_begin = max(transition_begin, 0)

    def schedule(count):
        decreased_count = count - transition_begin
        p = decreased_count / transition_steps
        if staircase:
            p = math.floor(p)
        value = init_value if decreased_count <= 0 else init_value * decay_rate**p
        if end_value is not None:
            value = max(value, end_value) if decay_rate < 1.0 else min(value, end_value)
        return value

    return schedule
''',
    "cosine_decay_schedule": '''
def cosine_decay_schedule(init_value, decay_steps, alpha=0.0, exponent=1.0):
    def schedule(count):
        count = min(count, decay_steps)
        cosine_decay = 0.5 * (1 + math.cos(math.pi * count / decay_steps))
        return init_value * ((1 - alpha) * cosine_decay**exponent + alpha)

    return schedule
''',
    "piecewise_interpolate_schedule": '''
def piecewise_interpolate_schedule(interpolate_type, init_value, boundaries_and_scales=None):
    pairs = sorted((boundaries_and_scales or {}).items())
    bounds = [0] + [boundary for boundary, _ in pairs]
    values = [init_value]
    for _, scale in pairs:
        values.append(values[-1] * scale)

    def schedule(count):
        if count >= bounds[-1]:
            return values[-1]
        i = next(j for j in range(len(bounds) - 1) if bounds[j] <= count < bounds[j + 1])
        pct = (count - bounds[i]) / max(bounds[i + 1] - bounds[i], 1)
        start, end = values[i], values[i + 1]
        if interpolate_type == "linear":
            return (end - start) * pct + start
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    return schedule
''',
    "linear_onecycle_schedule": '''
def linear_onecycle_schedule(
    transition_steps, peak_value, pct_start=0.3, pct_final=0.85, div_factor=25.0, final_div_factor=1e4
):
    return piecewise_interpolate_schedule(
        "linear",
        peak_value / div_factor,
        {
            int(pct_start * transition_steps): div_factor,
            int(pct_final * transition_steps): 1.0 / div_factor,
            transition_steps: 1.0 / final_div_factor,
        },
    )
''',
    "cosine_onecycle_schedule": '''
def cosine_onecycle_schedule(transition_steps, peak_value, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    return piecewise_interpolate_schedule(
        "cosine",
        peak_value / div_factor,
        {int(pct_start * transition_steps): div_factor, int(transition_steps): 1.0 / (div_factor * final_div_factor)},
    )
''',
    "warmup_constant_schedule": '''
def warmup_constant_schedule(init_value, peak_value, warmup_steps):
    return linear_schedule(init_value, peak_value, warmup_steps)
''',
    "join_schedules": '''
def join_schedules(schedules, boundaries):
    def schedule(step):
        output = schedules[0](step)
        for boundary, later in zip(boundaries, schedules[1:]):
            if step >= boundary:
                output = later(step - boundary)
        return output

    return schedule
''',
    "warmup_cosine_decay_schedule": '''
def warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps, decay_steps, end_value=0.0, exponent=1.0):
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    return join_schedules(
        [
            linear_schedule(init_value, peak_value, warmup_steps),
            cosine_decay_schedule(peak_value, decay_steps - warmup_steps, alpha, exponent),
        ],
        [warmup_steps],
    )
''',
    "warmup_exponential_decay_schedule": '''
def warmup_exponential_decay_schedule(
    init_value,
    peak_value,
    warmup_steps,
    transition_steps,
    decay_rate,
    transition_begin=0,
    staircase=False,
    end_value=None,
):
    return join_schedules(
        [
            linear_schedule(init_value, peak_value, warmup_steps),
            exponential_decay(peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value),
        ],
        [warmup_steps],
    )
''',
    "sgdr_schedule": '''
def sgdr_schedule(cosine_kwargs):
    boundaries, schedules, step = [], [], 0
    for kwargs in cosine_kwargs:
        schedules.append(warmup_cosine_decay_schedule(**kwargs))
        step += kwargs["decay_steps"]
        boundaries.append(step)
    return join_schedules(schedules, boundaries[:-1])
''',
}
