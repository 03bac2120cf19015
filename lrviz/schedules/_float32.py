"""float32 arithmetic in plain Python, as XLA computes it on CPU, for the optax and Keras families.

optax and Keras (JAX backend) compute schedules in float32. Each helper here takes float32 values
(held in Python floats) and returns the float32 result: for + - * / the float64 result rounded once
to float32 equals the correctly rounded float32 result (53 >= 2 * 24 + 2 bits), so those are
bit-identical to XLA; cos, log and pow are the correctly rounded float64 result rounded to float32,
within one float32 ulp of XLA's own approximations. Like XLA on CPU, results below float32's
smallest normal number are flushed to zero. Pure Python (no numpy scalars): no warnings on
overflow, and fast enough per step.
"""

from __future__ import annotations

import math
import struct

_FLOAT32 = struct.Struct("<f")
_SMALLEST_NORMAL = 1.1754943508222875e-38  # float32's smallest normal number: XLA flushes below it
PI = 3.1415927410125732  # float32(math.pi), as jnp.pi and keras' ops.array(math.pi) become


def f32(x: float) -> float:
    """`x` rounded to float32 (kept in a Python float), subnormals flushed to zero like XLA."""
    try:
        y = _FLOAT32.unpack(_FLOAT32.pack(x))[0]
    except OverflowError:  # rounds beyond float32's largest finite value
        return math.copysign(math.inf, x)
    return math.copysign(0.0, y) if -_SMALLEST_NORMAL < y < _SMALLEST_NORMAL else y


def add(a: float, b: float) -> float:
    """float32 a + b."""
    return f32(a + b)


def sub(a: float, b: float) -> float:
    """float32 a - b."""
    return f32(a - b)


def mul(a: float, b: float) -> float:
    """float32 a * b."""
    return f32(a * b)


def div(a: float, b: float) -> float:
    """float32 a / b, with IEEE results for a zero divisor (XLA never raises)."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return f32(a / b)


def fma(a: float, b: float, c: float) -> float:
    """float32 a * b + c rounded once: XLA fuses a multiply-add when it compiles an expression as a
    whole (a lax.cond branch). The float32 product is exact in float64; the one float64 rounding
    of the sum before float32 can differ from a true fused rounding only in rare ties."""
    return f32(a * b + c)


def cos(x: float) -> float:
    """float32 cos(x)."""
    return f32(math.cos(x)) if math.isfinite(x) else math.nan


def log(x: float) -> float:
    """float32 log(x): -inf at 0, nan below."""
    if x == 0:
        return -math.inf
    if x < 0 or math.isnan(x):
        return math.nan
    return f32(math.log(x))


def pow(x: float, y: float) -> float:  # noqa: A001 - the float32 counterpart of math.pow
    """float32 x ** y (lax.pow): IEEE results where math.pow would raise."""
    try:
        return f32(math.pow(x, y))
    except OverflowError:
        return math.copysign(math.inf, x) if float(y).is_integer() and int(y) % 2 else math.inf
    except ValueError:  # 0 ** negative is inf; a negative base with a fractional power is nan
        return math.inf if x == 0 else math.nan


def integer_pow(x: float, n: int) -> float:
    """float32 x ** n for a Python int n, by lax.integer_pow's square-and-multiply."""
    if n == 0:
        return 1.0
    base, exponent, result = x, abs(n), None
    while True:  # lax.integer_pow's loop: acc starts unset, multiplies in the set bits low to high
        if exponent & 1:
            result = base if result is None else mul(result, base)
        exponent >>= 1
        if not exponent:
            break
        base = mul(base, base)
    return div(1.0, result) if n < 0 else result


def maximum(a: float, b: float) -> float:
    """float32 max, propagating nan like jnp.maximum."""
    return math.nan if math.isnan(a) or math.isnan(b) else max(a, b)


def minimum(a: float, b: float) -> float:
    """float32 min, propagating nan like jnp.minimum."""
    return math.nan if math.isnan(a) or math.isnan(b) else min(a, b)
