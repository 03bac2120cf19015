"""The terminal chart: present, within the width, free of ANSI escapes unless colour is asked for."""

from __future__ import annotations

import numpy as np
import pytest

from lrviz.report.termchart import MAX_HEIGHT, _thinned, chart_size, render_chart
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


def test_log_y_chart():
    text = render_chart(_curves("exp", "--gamma", "0.9", steps="100"), 80, log_y=True)
    assert "log10 learning rate" in text


def test_chart_in_epochs():
    text = render_chart(_curves("cosine", "--t-max", "100"), 80, steps_per_epoch=10)
    assert "epoch (10 steps)" in text
    assert "99.0" not in text and "9.9" in text  # the x ticks run to 99 steps = 9.9 epochs
