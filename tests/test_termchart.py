"""The terminal chart: present, within the width, free of ANSI escapes unless colour is asked for."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrviz.report.termchart import MAX_HEIGHT, _thinned, chart_size, format_tick, nice_ticks, render_chart
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens

BRAILLE = range(0x2800, 0x2900)


def _curves(*tokens, **flags):
    return simulate(spec_from_tokens(list(tokens), CurveFlags(**flags)))


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_chart_fits_the_width_and_has_braille_dots(width):
    text = render_chart(_curves("cosine", "--t-max", "100"), width, title="cosine")
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert len(lines) <= MAX_HEIGHT + 2
    assert any(ord(ch) in BRAILLE for ch in text)
    assert "\x1b[" not in text
    assert "learning rate" in text and "step" in text and "cosine" in text


def test_several_curves_have_a_legend_and_distinct_markers_without_colour():
    text = render_chart(_curves("exp", "--gamma", "0.9,0.95", steps="100"), 80)
    assert "gamma=0.9" in text and "gamma=0.95" in text
    assert "•" in text  # the second curve's marker, since there is no colour to tell them apart


def test_colour_only_when_asked():
    curves = _curves("cosine", "--t-max", "50")
    assert "\x1b[" in render_chart(curves, 80, color=True)
    assert "\x1b[" not in render_chart(curves, 80, color=False)


def test_chart_size_follows_the_terminal():
    assert chart_size(80) == (80, 24)
    assert chart_size(200)[0] == 160
    assert chart_size(20)[0] == 40
    assert chart_size(100, rows=20)[1] == 10


def test_long_curves_are_thinned_keeping_jumps():
    values = np.repeat([1.0, 0.1, 0.01], 100_000)
    xs, ys = _thinned(values, 320)
    assert len(xs) < 400
    assert {1.0, 0.1, 0.01} <= set(ys)
    assert xs[0] == 0 and xs[-1] == len(values) - 1


def _frame(text):
    """(lines above the frame, the frame's lines, the lines below it)."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    return lines[:top], lines[top : bottom + 1], lines[bottom + 1 :]


def _x_ticks(text):
    _above, _frame_lines, below = _frame(text)
    return below[0].split()


def _y_ticks(text):
    _above, frame, _below = _frame(text)
    return [line.split("┤")[0].strip() for line in frame if "┤" in line]


def test_log_y_chart():
    text = render_chart(_curves("exp", "--gamma", "0.9", steps="100"), 80, log_y=True)
    above, _frame_lines, _below = _frame(text)
    assert above == ["learning rate (log scale)"]
    assert _y_ticks(text) == ["1", "0.01", "0.0001", "1e-06"]  # whole powers of ten


def test_chart_in_epochs():
    text = render_chart(_curves("cosine", "--t-max", "100"), 80, steps_per_epoch=10)
    assert "epoch (10 steps)" in text
    ticks = [float(tick) for tick in _x_ticks(text)]
    assert ticks[0] == 0 and max(ticks) <= 9.9  # the x ticks run to 99 steps = 9.9 epochs


@pytest.mark.parametrize("steps", ["7", "150", "400", "1000", "12345"])
def test_step_ticks_are_round_whole_numbers_inside_the_run(steps):
    text = render_chart(_curves("cosine", "--t-max", steps, steps=steps), 80)
    ticks = _x_ticks(text)
    assert all(tick.isdigit() for tick in ticks), ticks
    values = [int(tick) for tick in ticks]
    spacing = values[1] - values[0]
    assert all(b - a == spacing for a, b in zip(values, values[1:], strict=False))
    assert values[0] == 0 and values[-1] <= int(steps) - 1
    assert str(spacing).strip("0") in {"1", "2", "25", "5"}  # 1, 2, 2.5 or 5 times a power of ten
    assert _y_ticks(text) == ["0.1", "0.075", "0.05", "0.025", "0"]


def test_y_label_is_above_the_y_axis_and_x_label_below_the_x_axis():
    text = render_chart(_curves("cosine", "--t-max", "100"), 80, title="cosine")
    above, _frame_lines, below = _frame(text)
    assert [line.strip() for line in above] == ["cosine", "learning rate"]
    assert above[1] == "learning rate"  # at the left, over the y tick labels
    assert [" ".join(line.split()) for line in below] == [" ".join(_x_ticks(text)), "step"]


@pytest.mark.parametrize("color", [False, True])
def test_legend_is_below_the_chart_and_covers_no_curve(color):
    curves = _curves("cosine", "--t-max", "50,100,150", "--eta-min", "0,0.001", steps="200")
    text = render_chart(curves, 80, color=color)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    _above, frame, below = _frame(plain)
    labels = [curve.label for curve in curves]
    for label in labels:
        assert not any(label in line for line in frame)
        assert sum(label + "   " in line or line.endswith(label) for line in below) >= 1  # whole, on one line
    legend = below[2:]  # under the x ticks and the x label
    assert all(len(line) <= 80 for line in legend)
    assert " ".join(legend).count("T_max=") == len(labels)
    if color:  # each entry in its curve's colour
        assert text.count("\x1b[38;5;") >= 2 * len(labels)


def test_each_chart_has_a_figure_of_its_own():
    import plotext

    cosine = _curves("cosine", "--t-max", "100")
    first = render_chart(cosine, 80, title="cosine")
    render_chart(_curves("exp", "--gamma", "0.9,0.95", steps="100"), 60, color=True, log_y=True, title="other")
    assert render_chart(cosine, 80, title="cosine") == first
    assert plotext.figure._signals._get_length() == 0  # plotext's global figure is never drawn on


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=1e-6, max_value=1e3),
    st.integers(min_value=2, max_value=10),
    st.booleans(),
)
def test_nice_ticks_are_evenly_spaced_round_numbers_in_range(low, spread, count, whole):
    high = low + spread * max(1.0, abs(low))  # a spread the axis can show, not float dust
    ticks = nice_ticks(low, high, count, whole=whole)
    if len(ticks) < 2:
        return
    spacing = ticks[1] - ticks[0]
    mantissa = spacing / 10 ** math.floor(math.log10(spacing))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))
    assert all(low - 1e-6 * spacing <= t <= high + 1e-6 * spacing for t in ticks)
    if whole:
        assert all(float(t).is_integer() for t in ticks)
    assert all(format_tick(t, spacing) for t in ticks)


def test_format_tick_keeps_the_digits_the_spacing_needs():
    assert [format_tick(t, 0.025) for t in (0, 0.025, 0.05, 0.075, 0.1)] == ["0", "0.025", "0.05", "0.075", "0.1"]
    assert [format_tick(t, 25) for t in (0, 25, 50)] == ["0", "25", "50"]
    assert format_tick(2.5e-5, 2.5e-5) == "2.5e-05"


def test_a_long_legend_does_not_flatten_the_chart():
    gammas = ",".join(f"{0.9 + 0.004 * k:.3f}" for k in range(24))
    few = _frame(render_chart(_curves("exp", "--gamma", "0.9,0.95", steps="100"), 40, height=24))[1]
    _above, many, below = _frame(render_chart(_curves("exp", "--gamma", gammas, steps="100"), 40, height=24))
    assert len(below) - 2 >= 10  # the legend takes many lines under the chart
    assert len(many) >= (2 * 24) // 3 - 3 >= len(few) // 2  # yet the chart keeps most of its height
