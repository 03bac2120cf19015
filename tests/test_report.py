"""The terminal table: one row per curve, and the LR at the steps where the regime changes."""

from __future__ import annotations

import io

import numpy as np
from rich.console import Console

from lrviz.flags import CurveFlags, spec_from_tokens
from lrviz.report import curve_tables, key_steps
from lrviz.simulation import simulate


def _curve(*tokens, **flags):
    (curve,) = simulate(spec_from_tokens(list(tokens), CurveFlags(**flags)))
    return curve


def test_key_steps_of_step_decay_are_the_decays():
    curve = _curve("step", "--step-size", "30", steps="100")
    assert key_steps(curve.lr) == [0, 30, 60, 90, 99]


def test_key_steps_of_multistep_with_many_milestones_keep_the_first():
    curve = _curve("multistep", "--milestones", "10,20,30,40,50,60,70,80", steps="100")
    assert key_steps(curve.lr) == [0, 10, 20, 30, 40, 50, 99]


def test_key_steps_of_onecycle_include_the_peak():
    curve = _curve("onecycle", "--max-lr", "0.1", "--total-steps", "100")
    assert key_steps(curve.lr) == [0, int(np.argmax(curve.lr)), 99]


def test_key_steps_of_sgdr_are_the_restarts():
    curve = _curve("sgdr", "--t-0", "10", "--t-mult", "2", steps="70")
    assert key_steps(curve.lr) == [0, 10, 30, 69]


def test_key_steps_of_linear_warmup_end_where_the_ramp_ends():
    curve = _curve("linear", "--start-factor", "0.1", "--total-iters", "20", steps="40")
    assert key_steps(curve.lr) == [0, 20, 39]


def test_key_steps_of_a_smooth_curve_show_the_midpoint():
    assert key_steps(_curve("cosine", "--t-max", "100").lr) == [0, 50, 99]
    assert key_steps(_curve("exp", "--gamma", "0.9", steps="400").lr) == [0, 200, 399]


def _render(tables, width):
    console = Console(file=io.StringIO(), width=width, color_system=None)
    for table in tables:
        console.print(table)
    return console.file.getvalue()


def test_table_rows_and_numbers():
    curves = simulate(spec_from_tokens(["step", "--step-size", "30", "--gamma", "0.5,0.8"], CurveFlags(steps="100")))
    text = _render(curve_tables(curves, "StepLR", width=120), 120)
    assert "StepLR" in text
    for needle in ("gamma=0.5", "gamma=0.8", "100 steps", "0.0125", "0.0512", "30: 0.05", "90: 0.0125", "peak (step)"):
        assert needle in text
    lines = text.splitlines()
    row = next(line for line in lines if line.strip().startswith("gamma=0.5"))
    assert row.split()[1:6] == ["0.1", "0.1", "(0)", "0.0125", "0.0125"]


def test_narrow_terminal_moves_key_steps_to_a_second_table_within_80_columns():
    curves = simulate(spec_from_tokens(["exp", "--gamma", "0.9,0.95,0.98"], CurveFlags(steps="400")))
    text = _render(curve_tables(curves, None, width=80), 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "LR at key steps" in text and "399: 5.53e-20" in text
