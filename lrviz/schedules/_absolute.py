"""What the optax and Keras families share: absolute float32 schedules, and their `--code` sources.

Both kinds of source define ``make_scheduler(optimizer)`` returning a ``LambdaLR`` whose values are
the schedule's absolute LRs (the optimizer's LR is set to 1.0, which LambdaLR multiplies by): one
over the framework's own call, one over the framework's functions rewritten in plain Python
(float64) under the framework's names, so the same call works in both. Every user value is
emitted as a Python literal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from lrviz.schedules.base import FrameworkSchedule, LrFunction

Schedule = Callable[[int], float]  # the framework's step count -> its float32 value
Arguments = Callable[[Mapping[str, Any]], dict[str, Any]]

_ABSOLUTE = """\
    for group in optimizer.param_groups:  # {what} are the LRs themselves: LambdaLR multiplies them by 1.0
        group["lr"] = group["initial_lr"] = 1.0
"""


def literal(value: Any) -> str:
    """`value` as Python source that evaluates to it (non-finite floats included)."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "(" + "".join(f"{literal(v)}, " for v in value).rstrip(" ") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"no literal for {type(value).__name__}")


def call(function: str, arguments: Mapping[str, Any]) -> str:
    """`function(name=literal, ...)`."""
    return f"{function}(" + ", ".join(f"{name}={literal(value)}" for name, value in arguments.items()) + ")"


def absolute_source(imports: str, schedule: str, value: str, note: str = "") -> str:
    """A make_scheduler: `schedule = ...`, the LR set to 1.0, and a LambdaLR whose factor is `value`."""
    return (
        f"{imports}\n\n\ndef make_scheduler(optimizer):\n"
        f"    schedule = {schedule}\n" + _ABSOLUTE.format(what="the schedule's values") + note
        + f"    return torch.optim.lr_scheduler.LambdaLR(optimizer, {value})\n"
    )


def plain_source(
    function: str, arguments: Mapping[str, Any], plain: Mapping[str, str], depends: Mapping[str, tuple[str, ...]]
) -> str:
    """A make_scheduler over the framework's `function` rewritten in plain Python (float64): `plain`
    holds each function's source, `depends` the functions each one calls."""
    return plain_expression_source([function], call(function, arguments), plain, depends)


def plain_expression_source(
    functions: list[str], expression: str, plain: Mapping[str, str], depends: Mapping[str, tuple[str, ...]]
) -> str:
    """A make_scheduler whose schedule is `expression`, over the plain-Python `functions` it calls
    (and the functions those call): a composite such as a join of several schedules."""
    needed: list[str] = []
    for function in functions:
        _collect(function, needed, depends)
    definitions = "\n\n\n".join(plain[name].strip() for name in needed)
    return absolute_source("import math\n\nimport torch\n\n\n" + definitions, expression, "schedule")


def _collect(name: str, needed: list[str], depends: Mapping[str, tuple[str, ...]]) -> None:
    for dependency in depends.get(name, ()):
        _collect(dependency, needed, depends)
    if name not in needed:
        needed.append(name)


def absolute_member(
    name: str,
    params: tuple,
    make: Callable[[Mapping[str, Any]], Schedule],
    arguments: Arguments,
    framework_source: Callable[[str, Mapping[str, Any]], str],
    plain_source_of: Callable[[str, Mapping[str, Any]], str],
    **fields: Any,
) -> FrameworkSchedule:
    """A float32 schedule of absolute LRs: `make(params)` is the framework's value at each step;
    `--code` is `framework_source(name, arguments(params))`, `--code torch` `plain_source_of(...)`."""

    def formula(params: Mapping[str, Any], base_lr: float) -> LrFunction:
        return make(params)  # the value is the LR itself: the dummy optimizer's LR (1.0) is unused

    return FrameworkSchedule(
        name=name,
        params=params,
        formula=formula,
        absolute=True,
        float32=True,
        framework_code=lambda p: framework_source(name, arguments(p)),
        torch_code=lambda p: plain_source_of(name, arguments(p)),
        **fields,
    )
