"""Long curves are drawn from their envelope: bounded files, every feature kept, the same pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.testing.compare import compare_images
from PIL import Image

import lrviz.rendering.figure
from lrviz.rendering.figure import render, save_figure
from lrviz.simulation import decimate
from lrviz.simulation.stepping import Curve, simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens

MILLION = 1_000_000


def _spiky(n):
    """Restarts, a one-step spike, a three-step dip and step edges: what a reader must see."""
    t = np.arange(n)
    lr = 0.05 * (1 + np.cos(np.pi * (t % (n // 10)) / (n // 10)))
    lr[n // 8 + 1] = 0.3
    lr[n // 2 : n // 2 + 3] = 0.0
    lr[int(n * 0.7) :] *= 0.5 ** (t[int(n * 0.7) :] // (n // 17))
    return lr


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=-1, max_value=1, allow_nan=False), min_size=1, max_size=400),
    st.integers(min_value=1, max_value=30),
)
def test_envelope_keeps_first_last_and_every_runs_extremes(values, buckets):
    values = np.array(values)
    index = decimate.envelope_indices(values, buckets)
    assert index[0] == 0 and index[-1] == len(values) - 1
    assert (np.diff(index) > 0).all()
    assert len(index) <= max(len(values), decimate.POINTS_PER_BUCKET * (buckets + 1))
    if len(index) < len(values):
        size = -(-len(values) // buckets)
        for start in range(0, len(values), size):
            run = values[start : start + size]
            inside = values[index[(index >= start) & (index < start + size)]]
            assert inside.min() == run.min() and inside.max() == run.max()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.1, 0.05, 0.3, 1e-4]), min_size=2, max_size=300),
    st.integers(min_value=1, max_value=20),
)
def test_staircase_envelope_covers_each_runs_values_and_keeps_every_edge(values, buckets):
    values = np.array(values)
    n = len(values)
    x, y = decimate.staircase_envelope(values, buckets)
    assert (x[0], y[0]) == (0, values[0]) and (x[-1], y[-1]) == (n - 1, values[-1])
    assert (np.diff(x) >= 0).all()
    assert set(y) <= set(values)
    size = -(-n // buckets)
    for start in range(0, n, size):
        run = values[start : start + size]
        inside = y[(x >= start) & (x <= min(start + size, n - 1))]
        assert inside.min() <= run.min() and inside.max() >= run.max()
    # a jump between runs is drawn at the step where it happens, as a vertical edge
    for k in range(size, n, size):
        if values[k] != values[k - 1]:
            at = np.flatnonzero(x == k)
            assert {values[k - 1], values[k]} <= set(y[at])


def test_short_curves_are_drawn_point_by_point():
    figure = render(simulate(spec_from_tokens(["cosine", "--t-max", "7000"], CurveFlags())))
    (line,) = figure.axes[0].lines
    assert line.get_drawstyle() == "default" and len(line.get_xdata()) == 7000  # smooth: a line through every value


def test_a_long_curve_is_drawn_from_a_bounded_number_of_points_with_its_spike():
    lr = _spiky(MILLION)
    spec = spec_from_tokens(["exp", "--gamma", "0.9"], CurveFlags(steps=str(MILLION))).curves[0]
    figure = render([Curve(spec=spec, lr=lr, group_lr=lr[None, :])])
    (line,) = figure.axes[0].lines
    from matplotlib import rc_context

    with rc_context(lrviz.rendering.figure.STYLE):  # the resolution render() drew for
        buckets = decimate.bucket_count(figure.axes[0])
    assert len(line.get_xdata()) <= 6 * buckets < MILLION / 40
    assert line.get_ydata().max() == 0.3 and line.get_ydata().min() == 0.0
    assert line.get_xdata()[0] == 0 and line.get_xdata()[-1] == MILLION - 1


def _full_resolution(monkeypatch):
    monkeypatch.setattr(
        lrviz.rendering.figure,
        "drawn_points",
        lambda ax, values, drawstyle="default": (np.arange(len(values)), values, drawstyle),
    )


def _png(figure):
    """The figure as save_figure rasterizes it, in memory."""
    from matplotlib import rc_context

    buffer = io.BytesIO()
    with rc_context(lrviz.rendering.figure.STYLE):
        figure.savefig(buffer, format="png", dpi=150, metadata=lrviz.rendering.figure.SAVE_METADATA[".png"])
    return buffer.getvalue()


@pytest.fixture(scope="module")
def onecycle_million():
    spec = spec_from_tokens(["onecycle", "--max-lr", "0.1", "--total-steps", str(MILLION)], CurveFlags())
    return simulate(spec)


def _same_pixels(tmp_path, full, reduced, tol):
    (tmp_path / "full.png").write_bytes(full)
    (tmp_path / "reduced.png").write_bytes(reduced)
    with Image.open(tmp_path / "full.png") as a, Image.open(tmp_path / "reduced.png") as b:
        assert a.size == b.size
    assert compare_images(str(tmp_path / "full.png"), str(tmp_path / "reduced.png"), tol=tol) is None


def test_million_step_onecycle_svg_is_small_and_looks_like_the_full_render(onecycle_million, tmp_path, monkeypatch):
    path = save_figure(render(onecycle_million), tmp_path / "big.svg")
    assert path.stat().st_size <= 500 * 1024
    reduced = _png(render(onecycle_million))
    _full_resolution(monkeypatch)
    full = _png(render(onecycle_million))
    # RMS over the 0-255 channels; what differs is antialiasing and the dotted momentum line's
    # dash phase, by a fraction of a pixel
    _same_pixels(tmp_path, full, reduced, tol=2.0)


@pytest.mark.parametrize("n", [50_000, 300_001])
def test_spikes_dips_restarts_and_step_edges_render_the_same(n, tmp_path, monkeypatch):
    lr = _spiky(n)
    spec = spec_from_tokens(["exp", "--gamma", "0.9"], CurveFlags(steps=str(n))).curves[0]
    curves = [Curve(spec=spec, lr=lr, group_lr=lr[None, :])]
    reduced = _png(render(curves))
    _full_resolution(monkeypatch)
    full = _png(render(curves))
    _same_pixels(tmp_path, full, reduced, tol=1.0)


def test_exports_keep_every_value(onecycle_million):
    (curve,) = onecycle_million
    record = curve.to_dict()
    assert len(record["lr"]) == MILLION and len(record["momentum"]) == MILLION
