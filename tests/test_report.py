"""The terminal table, and its key steps: the vectorised search finds exactly what the step-by-step rule finds."""
# ruff: noqa: SIM114 - the reference keeps the rule's four cases apart, as first written

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from lrviz.report.tables import MAX_KEY_STEPS, curve_rows, curve_tables, key_steps
from lrviz.report.text import pack_entries, shorten_middle
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens


def key_steps_step_by_step(lr, limit=MAX_KEY_STEPS):
    """The rule written as a loop over the steps (lrviz's first implementation), the reference."""
    n = len(lr)
    if n == 0:
        return []
    if n == 1:
        return [0]
    diffs = np.diff(lr)
    finite = np.abs(lr[np.isfinite(lr)])
    scale = float(finite.max()) if finite.size else 1.0
    tolerance = np.maximum(np.maximum(np.abs(lr[:-1]), np.abs(lr[1:])) * 1e-12, scale * 1e-300)
    signs = np.where(np.abs(diffs) <= tolerance, 0, np.where(np.isnan(diffs), 1, np.sign(diffs))).astype(int)
    events = []

    def against(i):  # one step against a trend that resumes right after
        if not 0 < i < len(signs) - 1:
            return False
        return signs[i] != 0 and signs[i - 1] != 0 and signs[i] != signs[i - 1] and signs[i + 1] == signs[i - 1]

    def restart(i):  # the first of a zigzag of such steps
        return against(i) and not against(i - 1)

    for i, sign in enumerate(signs):
        previous = signs[i - 1] if i > 0 else 0
        following = signs[i + 1] if i + 1 < len(signs) else 0
        if sign != 0 and previous == 0 and following == 0:
            events.append(i + 1)
        elif sign != 0 and previous != 0 and sign != previous:
            if restart(i):
                events.append(i + 1)
            elif not restart(i - 1):
                events.append(i)
        elif sign == 0 and previous != 0 and i > 0 and not (i >= 2 and signs[i - 2] == 0):
            events.append(i)
        elif sign != 0 and previous == 0 and following != 0 and i > 0:
            events.append(i)
    points = [0]
    for event in events:
        if 0 < event < n - 1 and event not in points:
            points.append(event)
    if len(points) == 1 and n > 2:
        points.append(n // 2)
    if len(points) + 1 > limit:
        points = points[: limit - 1]
    points.append(n - 1)
    return sorted(set(points))


# values from a few levels, so flats, jumps, ramps and turns all occur
levels = st.lists(st.sampled_from([0.0, 0.1, 0.1, 0.1, 0.05, 0.2, 1e-3]), min_size=0, max_size=60)


@settings(max_examples=400, deadline=None)
@given(levels, st.integers(min_value=2, max_value=12))
def test_key_steps_match_the_step_by_step_rule(values, limit):
    lr = np.array(values, dtype=np.float64)
    assert key_steps(lr, limit) == key_steps_step_by_step(lr, limit)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), max_size=40))
def test_key_steps_match_on_arbitrary_values(values):
    lr = np.array(values, dtype=np.float64)
    assert key_steps(lr) == key_steps_step_by_step(lr)


def test_key_steps_of_long_schedules_match_across_chunks():
    t = np.arange(300_000)
    for lr in (0.1 * 0.5 ** (t // 70_001), 0.05 * (1 + np.cos(np.pi * (t % 65_536) / 65_536))):
        assert key_steps(lr) == key_steps_step_by_step(lr)


@settings(max_examples=300, deadline=None)
@given(levels, st.integers(min_value=2, max_value=12), st.integers(min_value=1, max_value=7))
def test_key_steps_match_across_chunk_boundaries(values, limit, chunk):
    from lrviz.report import tables as report

    lr = np.array(values, dtype=np.float64)
    saved = report.SIGN_CHUNK
    report.SIGN_CHUNK = chunk  # tiny chunks: every boundary case occurs
    try:
        assert key_steps(lr, limit) == key_steps_step_by_step(lr, limit)
    finally:
        report.SIGN_CHUNK = saved


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


LONG_SEQUENTIAL = """\
lr: 0.1
steps: 400
curves:
  - scheduler:
      type: SequentialLR
      milestones: [10]
      schedulers:
        - {type: LinearLR, start_factor: 0.01, total_iters: 10}
        - {type: CosineAnnealingLR, T_max: 390}
  - scheduler: {type: LambdaLR, lr_lambda: "0.5 ** (epoch // 30) * min(1, (epoch + 1) / 10)"}
  - scheduler: {type: ExponentialLR, gamma: 0.99}
  - {scheduler: {type: StepLR, step_size: 7, gamma: 0.9}, steps: 120}
"""

TABLE_CASES = {
    "sweep": (["cosine", "--t-max", "50,100", "--eta-min", "0,0.01"], "400"),
    "exp sweep": (["exp", "--gamma", "0.99,0.999,0.9999"], "400"),
    "many key steps": (["multistep", "--milestones", "10,20,30,40,50,60,70,80", "--gamma", "0.97"], "1000000"),
    "cyclic": (["cyclic", "--base-lr", "0.0001", "--max-lr", "0.1", "--step-size-up", "13"], "400"),
}


def _table_curves(case, tmp_path):
    if case == "yaml":
        path = tmp_path / "long.yaml"
        path.write_text(LONG_SEQUENTIAL)
        return simulate(spec_from_tokens([str(path)], CurveFlags()))
    tokens, steps = TABLE_CASES[case]
    return simulate(spec_from_tokens(tokens, CurveFlags(steps=steps)))


def _whole_on_a_line(token, lines):
    return any(token in line for line in lines)


def _label_on_one_line(label, lines):
    """The label whole, or shortened in the middle: its start, `…`, its end, on one line."""
    if _whole_on_a_line(label, lines):
        return True
    for line in lines:
        for cell in line.split("   "):  # cells are at least 3 spaces apart
            cell = cell.strip()
            if "…" in cell:
                head, tail = cell.split("…", 1)
                if head and label.startswith(head) and label.endswith(tail) and len(cell) < len(label):
                    return True
    return False


@pytest.mark.parametrize("width", [60, 80, 100, 120, 160])
@pytest.mark.parametrize("case", [*TABLE_CASES, "yaml"])
def test_no_label_or_number_is_split_across_lines(case, width, tmp_path):
    curves = _table_curves(case, tmp_path)
    text = _render(curve_tables(curves, "A title", width=width), width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    rows = curve_rows(curves)
    assert len(rows) == sum(len(curve.group_names) for curve in curves)
    for row in rows:
        assert _label_on_one_line(row.label, lines), row.label
        for number in (row.numbers["start"], row.numbers["peak (step)"], row.numbers["final"]):
            assert _whole_on_a_line(number, lines), number
        for key in row.keys:  # "step: LR" never split between the step and its LR
            assert _whole_on_a_line(key, lines), key


@pytest.mark.parametrize("width", [80, 120])
def test_each_curve_is_one_line_of_the_summary_and_the_length_is_in_the_title(width):
    curves = simulate(spec_from_tokens(["cosine", "--t-max", "50,100", "--eta-min", "0,0.01"], CurveFlags(steps="400")))
    summary = _render(curve_tables(curves, "Cosine", width=width)[:1], width)
    lines = [line for line in summary.splitlines() if line.strip()]
    assert lines[0].strip() == "Cosine · 400 steps"
    body = lines[3:]  # title, header, rule
    labels = [curve.label for curve in curves]
    firsts = [line for line in body if line.split("  ")[0].strip() in labels]
    assert [line.split("  ")[0].strip() for line in firsts] == labels
    assert not any(line.strip().endswith("steps") for line in body)  # no "400 steps" sub-lines
    if width < 100:
        assert body == firsts  # one line per curve
    else:  # the key steps make a row several lines; a blank line separates the rows
        assert "key steps (step: LR)" in summary


def test_curves_of_different_lengths_get_a_steps_column(tmp_path):
    curves = _table_curves("yaml", tmp_path)
    text = _render(curve_tables(curves, None, width=80)[:1], 80)
    header = next(line for line in text.splitlines() if "start" in line)
    assert header.split()[:3] == ["curve", "steps", "start"]
    stepped = next(line for line in text.splitlines() if line.strip().startswith("StepLR"))
    assert " 120 " in stepped


def test_key_steps_table_packs_entries_within_the_width():
    curves = simulate(
        spec_from_tokens(
            ["multistep", "--milestones", "10,20,30,40,50,60", "--gamma", "0.97"], CurveFlags(steps="100000")
        )
    )
    text = _render(curve_tables(curves, None, width=60)[-1:], 60)
    lines = text.splitlines()
    keys = curve_rows(curves)[0].keys
    assert all(_whole_on_a_line(key, lines) for key in keys)
    assert sum(any(key in line for key in keys) for line in lines) >= 2  # wrapped between entries
    assert max(len(line) for line in lines) <= 60


def test_shorten_middle_keeps_both_ends():
    assert shorten_middle("ExponentialLR(gamma=0.99)", 100) == "ExponentialLR(gamma=0.99)"
    short = shorten_middle("SequentialLR(LinearLR(start_factor=0.01), CosineAnnealingLR(T_max=390))", 20)
    assert len(short) <= 20 and short.startswith("Sequential") and short.endswith("=390))") and "…" in short


@given(
    st.lists(
        st.tuples(st.sampled_from(["gamma", "T_max", "eta_min", "lr"]), st.floats(0, 1000).map(lambda v: f"{v:.4g}")),
        min_size=1,
        max_size=4,
    ),
    st.integers(min_value=2, max_value=40),
)
def test_shortened_labels_show_no_number_in_part(parts, limit):
    label = ", ".join(f"{name}={value}" for name, value in parts)
    short = shorten_middle(label, limit)
    assert len(short) <= limit
    numbers = set(re.findall(r"[0-9.]+", label))
    assert set(re.findall(r"[0-9.]+", short)) <= numbers  # `gamma=0.99` never shows as `gamma=0.`


@given(st.lists(st.text(alphabet="ab: .0123456789", min_size=1, max_size=15), max_size=20), st.integers(1, 60))
def test_pack_entries_never_splits_an_entry(entries, width):
    lines = pack_entries(entries, width)
    assert "   ".join(lines) == "   ".join(entries)  # all entries, in order, nothing cut
    for line in lines:
        assert len(line) <= width or line in entries  # only an entry wider than the line overflows


_BASE = None


def _base_curve():
    global _BASE  # one real simulated curve; hypothesis varies its label and values
    if _BASE is None:
        (_BASE,) = simulate(spec_from_tokens(["exp", "--gamma", "0.9"], CurveFlags(steps="50")))
    return _BASE


LABEL_TEXT = st.text(alphabet="abcxyzLR_=,.()[] 0123456789-", min_size=1, max_size=90).map(
    lambda s: " ".join(s.split())
)
LABEL_TEXT = LABEL_TEXT.filter(bool)
VALUES = st.lists(
    st.sampled_from([0.0, 0.1, 1e-7, 3.333e-5, 12345.678, -0.002, 1e-300, 0.1, 0.05]), min_size=50, max_size=50
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(LABEL_TEXT, VALUES), min_size=1, max_size=6), st.sampled_from([60, 80, 100, 132]))
def test_any_labels_and_values_keep_every_token_whole(curves, width):
    import dataclasses

    base = _base_curve()
    made = []
    for label, values in curves:
        spec = dataclasses.replace(base.spec, label=label)
        made.append(dataclasses.replace(base, spec=spec, lr=np.array(values), group_lr=np.array([values])))
    text = _render(curve_tables(made, None, width=width), width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    for row in curve_rows(made):
        assert _label_on_one_line(row.label, lines), row.label
        for key in row.keys:
            assert _whole_on_a_line(key, lines), key
        assert _whole_on_a_line(row.numbers["peak (step)"], lines)
