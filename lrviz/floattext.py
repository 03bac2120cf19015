"""Floats as text, fast: ``repr`` of every value of a numpy array, byte for byte.

``repr`` (the text ``json.dumps`` and ``csv.writer`` write) takes 0.4-0.5 µs a value for the
17-digit values a schedule is made of, a sixth of a scheduler step: at 10M steps that is what
kept ``lrviz export`` above 1.15x the bare torch loop. orjson formats a float64 array in Rust at
about 25 ns a value, with the same shortest round-trip digits and the same layout as ``repr``
from 1e-4 up (positional, then ``1e+16`` and up); below 1e-4 it lays the digits out differently
(``0.00001`` for ``1e-05``, ``1e-7`` for ``1e-07``), so those few values go through ``repr``.

:func:`fast_formatting` checks orjson against ``repr`` on edge values (subnormals' neighbours at
1e-4, the switch to exponents at 1e16, the largest float, ties) before it is first used; when
orjson is missing or writes any of them differently (another version), every value goes
through ``repr``, so the text never depends on which orjson is installed.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SMALLEST_AS_REPR = 1e-4  # orjson writes exactly repr's text from here up (and for 0)

# Where float formatters disagree: the exponent switch at 1e16, the extremes, rounding ties.
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


@functools.cache
def fast_formatting() -> bool:
    """Whether orjson is installed and writes every probe value exactly as ``repr`` does."""
    try:
        import numpy as np
        import orjson  # noqa: F401
    except ImportError:
        return False
    expected = ("[" + ",".join(map(repr, PROBES)) + "]").encode()
    return _orjson_bytes(np.array(PROBES)) == expected


def below_fast_range(values: np.ndarray) -> np.ndarray:
    """Which values orjson does not write as ``repr`` does: nonzero and below 1e-4 in magnitude."""
    import numpy as np

    magnitude = np.abs(values)
    return (magnitude < SMALLEST_AS_REPR) & (magnitude > 0)


def _can_format_fast(values: np.ndarray) -> bool:
    return fast_formatting() and len(values) > 0 and values.dtype.kind == "f" and values.dtype.itemsize == 8


def json_numbers(values: np.ndarray) -> bytes | None:
    """``[v0,v1,...]``, each float as ``repr`` writes it (null for NaN and ±inf), with no spaces;
    None unless orjson can write all of `values` (a 1-D or 2-D float64 array)."""
    if not _can_format_fast(values) or below_fast_range(values).any():
        return None
    return _orjson_bytes(values)


def float_texts(values: np.ndarray, non_finite: str | None = None) -> list[str]:
    """``repr`` of each float in `values`; `non_finite` (when given) in place of NaN and ±inf."""
    import numpy as np

    if _can_format_fast(values):
        texts = _orjson_bytes(values)[1:-1].decode("ascii").split(",")
        # the few orjson lays out differently (tiny values), and NaN/±inf (orjson's null)
        redo = below_fast_range(values) | ~np.isfinite(values)
        for index in np.flatnonzero(redo).tolist():
            texts[index] = repr(values[index].item())
    else:
        texts = list(map(repr, values.tolist()))
    if non_finite is not None:
        finite = np.isfinite(values)
        if not finite.all():  # rare (an overflowing metric, say): fix those few by index
            for index in np.flatnonzero(~finite).tolist():
                texts[index] = non_finite
    return texts
