"""The streamed JSON and CSV exports are, byte for byte, what the whole-document encoders wrote.

The references below are the export code before streaming: ``json.dumps(indent=2)`` of the
record (non-finite floats as null) and ``csv.writer`` row by row. The streamed writer must give
the same bytes for every kind of curve, at every chunk boundary, for any float.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lrviz
from lrviz.report import export, floattext
from lrviz.simulation.stepping import Curve, simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens
from lrviz.spec.yamlfile import load_spec_file

ROOT = Path(__file__).resolve().parents[1]


def _finite_or_none(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    return value


def reference_json(curves) -> str:
    document = {
        "lrviz_version": lrviz.__version__,
        "torch_version": str(torch.__version__),
        "curves": [curve.to_dict() for curve in curves],
    }
    return json.dumps(_finite_or_none(document), indent=2, allow_nan=False) + "\n"


def reference_csv(curves) -> str:
    columns = export.csv_columns(curves)
    length = max((len(values) for _, values in columns), default=0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["step", *(header for header, _ in columns)])
    for step in range(length):
        writer.writerow([step, *(repr(float(values[step])) if step < len(values) else "" for _, values in columns)])
    return buffer.getvalue()


CASES = {
    "cosine": (["cosine", "--t-max", "150"], CurveFlags()),
    "sweep of lengths": (["step", "--step-size", "3", "--gamma", "0.5,0.9"], CurveFlags(steps="20")),
    "momentum and warmup": (
        ["onecycle", "--max-lr", "0.1", "--total-steps", "60"],
        CurveFlags(warmup_steps="5", label='odd, "quoted" label'),
    ),
    "metric": (["plateau", "--patience", "2"], CurveFlags(steps="40", metric="synthetic:3")),
}


def _curves(case: str):
    if case.endswith(".yaml"):
        return simulate(load_spec_file(str(ROOT / "configs" / case)))
    tokens, flags = CASES[case]
    return simulate(spec_from_tokens(tokens, flags))


def _different_lengths():
    # a shorter curve leaves its CSV cells empty past its end
    short = simulate(spec_from_tokens(["exp", "--gamma", "0.9"], CurveFlags(steps="7")))
    long = simulate(spec_from_tokens(["exp", "--gamma", "0.8"], CurveFlags(steps="19")))
    return short + long


@pytest.fixture(params=["orjson", "repr"])
def formatter(request, monkeypatch):
    """Both ways floats are formatted: orjson (where it writes repr's text), and repr alone (no orjson)."""
    if request.param == "repr":
        monkeypatch.setattr(floattext, "fast_formatting", lambda: False)
    else:
        assert floattext.fast_formatting()
    return request.param


@pytest.mark.parametrize("chunk", [export.CHUNK, 1, 7])
@pytest.mark.parametrize("case", [*CASES, "param_groups.yaml", "plateau.yaml", "chained.yaml"])
def test_streamed_exports_are_the_bytes_of_the_whole_document_encoders(case, chunk, formatter, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", chunk)
    curves = _curves(case)
    assert export.export_text(curves, "json") == reference_json(curves)
    assert export.export_text(curves, "csv") == reference_csv(curves)


@pytest.mark.parametrize("chunk", [export.CHUNK, 3])
def test_csv_of_curves_of_different_lengths(chunk, formatter, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", chunk)
    curves = _different_lengths()
    text = export.to_csv(curves)
    assert text == reference_csv(curves)
    assert text.splitlines()[8].startswith("7,,")  # the 7-step curve's cell past its end is empty


# any float, and runs of a schedule's kind of values (so that whole chunks take the fast path)
SCHEDULE_VALUES = st.floats(1e-4, 10.0) | st.floats(1e-9, 1e-4) | st.sampled_from([0.0, 1e-05, 1e16, float("nan")])


@settings(max_examples=120, deadline=None)
@given(
    values=arrays(np.float64, st.integers(0, 40), elements=st.floats(allow_nan=True, allow_infinity=True))
    | arrays(np.float64, st.integers(1, 40), elements=SCHEDULE_VALUES),
    chunk=st.integers(1, 9),
)
def test_any_float_is_written_as_json_and_csv_wrote_it(values, chunk):
    spec = spec_from_tokens(["exp", "--gamma", "0.9"], CurveFlags(steps=str(max(len(values), 1))))
    curve = Curve.from_arrays(spec.curves[0], values[np.newaxis, :], momentum=values[::-1].copy())
    original = export.CHUNK
    export.CHUNK = chunk
    try:
        json_text, csv_text = export.to_json([curve]), export.to_csv([curve])
    finally:
        export.CHUNK = original
    assert json_text == reference_json([curve])
    assert csv_text == reference_csv([curve])
    if np.isfinite(values).all():  # round trip: the same floats, exactly
        assert json.loads(json_text)["curves"][0]["lr"] == values.tolist()


def test_cli_export_to_a_file_and_to_stdout_are_the_streamed_bytes(cli):
    tokens = ["onecycle", "--max-lr", "0.1", "--total-steps", "300"]
    curves = simulate(spec_from_tokens(tokens, CurveFlags()))
    for fmt, reference in (("json", reference_json), ("csv", reference_csv)):
        written = cli("export", *tokens, "-o", f"out.{fmt}")
        assert written.code == 0, written.err
        with open(f"out.{fmt}", "rb") as file:
            assert file.read() == reference(curves).encode()
        printed = cli("export", *tokens, "--format", fmt)
        assert printed.code == 0, printed.err
        assert printed.out == reference(curves)
