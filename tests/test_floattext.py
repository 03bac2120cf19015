"""The fast float formatter writes exactly ``repr``'s text, for every float64 (tests/test_export_stream.py
checks the exports built on it against the whole-document encoders)."""

from __future__ import annotations

import sys

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lrviz.report import floattext

EDGES = [
    0.0,
    -0.0,
    1e-05,
    -1e-05,
    0.0001,
    9.999999999999999e-05,
    0.00010000000000000002,
    1e-07,
    1e-09,
    9.99999999999999e-10,
    1e-10,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    2.225073858507201e-308,
    1e15,
    9999999999999998.0,
    1e16,
    1.0000000000000002e16,
    1.7976931348623157e308,
    0.1,
    0.30000000000000004,
    2.0**53 + 2,
    float("nan"),
    float("inf"),
    float("-inf"),
]


def repr_texts(values: np.ndarray, non_finite: str | None = None) -> list[str]:
    """What the export wrote before: repr of each value, `non_finite` for NaN and ±inf."""
    return [repr(v) if non_finite is None or np.isfinite(v) else non_finite for v in values.tolist()]


def test_orjson_is_installed_and_passes_the_probes():
    assert floattext.fast_formatting()


def test_edge_values_are_written_as_repr_writes_them():
    values = np.array(EDGES)
    assert floattext.float_texts(values) == repr_texts(values)
    assert floattext.float_texts(values, "null") == repr_texts(values, "null")
    assert floattext.json_numbers(values) == ("[" + ",".join(repr_texts(values, "null")) + "]").encode()


def test_orjson_text_below_1e_4_is_rewritten_as_repr_lays_it_out():
    tiny = np.array([1e-05, 3.5e-07, -3.515108200865003e-05, 2e-10, 0.5])
    assert (
        orjson.dumps(tiny, option=orjson.OPT_SERIALIZE_NUMPY) == b"[0.00001,3.5e-7,-0.00003515108200865003,2e-10,0.5]"
    )
    assert floattext.json_numbers(tiny) == b"[1e-05,3.5e-07,-3.515108200865003e-05,2e-10,0.5]"
    assert floattext.float_texts(tiny) == ["1e-05", "3.5e-07", "-3.515108200865003e-05", "2e-10", "0.5"]


def test_a_formatter_that_fails_a_probe_is_not_used(monkeypatch):
    floattext.fast_formatting.cache_clear()
    # orjson's own text, not rewritten below 1e-4: it writes the probe 1e-05 as 0.00001
    monkeypatch.setattr(floattext, "_as_repr", lambda text: text)
    try:
        assert not floattext.fast_formatting()
        values = np.array([0.1, 2.5, 1e16])
        assert floattext.json_numbers(values) is None
        assert floattext.float_texts(values) == ["0.1", "2.5", "1e+16"]
    finally:
        floattext.fast_formatting.cache_clear()


def test_without_orjson_every_value_goes_through_repr(monkeypatch):
    floattext.fast_formatting.cache_clear()
    monkeypatch.setitem(sys.modules, "orjson", None)  # what `import orjson` finds when it is not installed
    try:
        assert not floattext.fast_formatting()
        values = np.array(EDGES)
        assert floattext.float_texts(values, "null") == repr_texts(values, "null")
    finally:
        floattext.fast_formatting.cache_clear()


def test_random_bit_patterns_are_written_as_repr_writes_them():
    generator = np.random.default_rng(17)
    values = generator.integers(0, 2**64, size=200_000, dtype=np.uint64).view(np.float64)
    assert floattext.float_texts(values) == repr_texts(values)
    assert floattext.json_numbers(values) == ("[" + ",".join(repr_texts(values, "null")) + "]").encode()


@pytest.mark.parametrize("exponent", range(-12, 20))
def test_every_decade_is_written_as_repr_writes_it(exponent):
    generator = np.random.default_rng(exponent + 100)
    values = generator.random(2000) * 10.0**exponent
    assert floattext.float_texts(values) == repr_texts(values)
    assert floattext.json_numbers(values) == ("[" + ",".join(repr_texts(values)) + "]").encode()


def test_a_two_dimensional_table_is_rows_of_repr():
    table = np.array([[0.0, 0.25], [1.0, 1e16], [2.0, -3.5], [3.0, 2.5e-05], [4.0, 1e-07]])
    assert floattext.json_numbers(table) == b"[[0.0,0.25],[1.0,1e+16],[2.0,-3.5],[3.0,2.5e-05],[4.0,1e-07]]"


def test_non_float64_arrays_go_through_repr():
    assert floattext.float_texts(np.array([1, 2])) == ["1", "2"]
    assert floattext.float_texts(np.array([0.1], dtype=np.float32)) == [repr(np.float32(0.1).item())]
    assert floattext.json_numbers(np.array([1, 2])) is None


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(0, 60), elements=st.floats(allow_nan=True, allow_infinity=True, width=64)))
def test_any_float_array_is_written_as_repr_writes_it(values):
    assert floattext.float_texts(values) == repr_texts(values)
    assert floattext.float_texts(values, "null") == repr_texts(values, "null")
    numbers = floattext.json_numbers(values)
    assert (numbers is None) == (len(values) == 0)
    if numbers is not None:
        assert numbers == ("[" + ",".join(repr_texts(values, "null")) + "]").encode()
