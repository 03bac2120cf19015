"""Floats as text, fast: ``repr`` of every value of a numpy array, byte for byte.

``repr`` (the text ``json.dumps`` and ``csv.writer`` write) takes 0.4-0.5 µs a value for the
17-digit values a schedule is made of, a sixth of a scheduler step: at 10M steps that is what
kept ``lrviz export`` above 1.15x the bare torch loop. orjson formats a float64 array in Rust at
about 25 ns a value, with the same shortest round-trip digits and the same layout as ``repr``
from 1e-4 up (positional, then ``1e+16`` and up). Below 1e-4 it lays the same digits out
differently (``0.0000351`` for ``3.51e-05``, ``1e-7`` for ``1e-07``): :func:`_as_repr` moves
them into ``repr``'s layout with numpy over the text's bytes, only in chunks that hold such values.

:func:`fast_formatting` checks the result against ``repr`` on edge values (the switches to
exponents at 1e-4 and 1e16, subnormals, the largest float, ties) before it is first used; when
orjson is missing or its text differs on any of them (another version), every value goes
through ``repr``, so the text never depends on which orjson is installed.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SMALLEST_AS_REPR = 1e-4  # orjson writes exactly repr's text from here up (and for 0)
_ZERO, _NINE, _DOT, _E, _MINUS = b"09.e-"

# Where float formatters disagree: the exponent switches at 1e-4 and 1e16, the subnormal and
# normal extremes, rounding ties; each layout the rewrite below 1e-4 produces.
PROBES = (
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.1,
    0.05,
    0.30000000000000004,
    1e-4,
    -1e-4,
    0.00010000000000000002,
    0.000123456789,
    0.001,
    9.999999999999999e-05,
    1e-05,
    -1e-05,
    3.515108200865003e-05,
    1.0000000000000001e-05,
    9.999999999999999e-06,
    1e-06,
    -2.5e-07,
    1e-09,
    9.99999999999999e-10,
    1e-10,
    1.5e-100,
    5e-324,
    2.2250738585072014e-308,
    123.456,
    1e15,
    999999999999999.9,
    9999999999999998.0,
    1e16,
    -1e16,
    1.2345678901234568e17,
    1e22,
    1e100,
    1.7976931348623157e308,
    2.0**60,
    4.35,
)


def _orjson_bytes(values: np.ndarray) -> bytes:
    import numpy as np
    import orjson

    return orjson.dumps(np.ascontiguousarray(values, dtype=np.float64), option=orjson.OPT_SERIALIZE_NUMPY)


def _as_repr(text: bytes) -> bytes:
    """orjson's text of an array rewritten where it differs from ``repr``'s: below 1e-4.

    ``1e-7`` gets repr's two-digit exponent ``1e-07``; ``0.0000351`` (orjson writes [1e-5, 1e-4)
    positionally) becomes ``3.51e-05``. All with numpy over the bytes: a regular expression's
    per-match replacement costs more than ``repr`` itself.
    """
    import numpy as np

    chars = np.frombuffer(text + b",", dtype=np.uint8)  # a non-digit after the last number
    digit = (chars >= _ZERO) & (chars <= _NINE)
    exponent = np.flatnonzero(chars[:-3] == _E)
    short = exponent[(chars[exponent + 1] == _MINUS) & digit[exponent + 2] & ~digit[exponent + 3]]
    start = np.flatnonzero(chars[:-7] == _ZERO)  # "0.0000" then a digit 1-9, not inside a number
    for offset, char in enumerate(b".0000", start=1):
        start = start[chars[start + offset] == char]
    start = start[(chars[start + 6] > _ZERO) & digit[start + 6]]
    start = start[(start == 0) | ~(digit[start - 1] | (chars[start - 1] == _DOT))]
    if not len(short) and not len(start):
        return text
    non_digit = np.flatnonzero(~digit)
    end = non_digit[np.searchsorted(non_digit, start + 6)]
    point = start[end > start + 7] + 7  # "3.51": a point after the first digit when more follow
    inserted_at = np.concatenate([short + 2, point, np.repeat(end, 4)])
    inserted = np.concatenate(
        [np.full(len(short), _ZERO), np.full(len(point), _DOT), np.tile(np.frombuffer(b"e-05", np.uint8), len(end))]
    ).astype(np.uint8)
    order = np.argsort(inserted_at, kind="stable")  # "e-05" stays in its order
    marked = chars.copy()
    marked[(start[:, np.newaxis] + np.arange(6)).ravel()] = 0  # "0.0000", dropped below: JSON text has no NUL
    rewritten = np.insert(marked, inserted_at[order], inserted[order])
    return rewritten[rewritten != 0][:-1].tobytes()


def _orjson_text(values: np.ndarray) -> bytes:
    text = _orjson_bytes(values)
    return _as_repr(text) if below_fast_range(values).any() else text


@functools.cache
def fast_formatting() -> bool:
    """Whether orjson is installed and its text, as :func:`_as_repr` leaves it, is ``repr``'s for every probe."""
    try:
        import numpy as np
        import orjson  # noqa: F401
    except ImportError:
        return False
    expected = ("[" + ",".join(map(repr, PROBES)) + "]").encode()
    return _orjson_text(np.array(PROBES)) == expected


def below_fast_range(values: np.ndarray) -> np.ndarray:
    """Which values orjson lays out otherwise than ``repr``: nonzero and below 1e-4 in magnitude."""
    import numpy as np

    magnitude = np.abs(values)
    return (magnitude < SMALLEST_AS_REPR) & (magnitude > 0)


def _can_format_fast(values: np.ndarray) -> bool:
    return fast_formatting() and len(values) > 0 and values.dtype.kind == "f" and values.dtype.itemsize == 8


def json_numbers(values: np.ndarray) -> bytes | None:
    """``[v0,v1,...]``, each float as ``repr`` writes it (null for NaN and ±inf), with no spaces;
    None unless orjson can write `values` (a non-empty 1-D or 2-D float64 array)."""
    return _orjson_text(values) if _can_format_fast(values) else None


def float_texts(values: np.ndarray, non_finite: str | None = None) -> list[str]:
    """``repr`` of each float in `values`; `non_finite` (when given) in place of NaN and ±inf."""
    import numpy as np

    numbers = json_numbers(values)
    texts = numbers[1:-1].decode("ascii").split(",") if numbers is not None else list(map(repr, values.tolist()))
    finite = np.isfinite(values)
    if not finite.all():  # rare (an overflowing metric, say): fix those few by index (orjson wrote null)
        for index in np.flatnonzero(~finite).tolist():
            texts[index] = non_finite if non_finite is not None else repr(values[index].item())
    return texts
