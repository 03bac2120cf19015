"""The table's key steps: the vectorised search finds exactly what the step-by-step rule finds."""
# ruff: noqa: SIM114 - the reference keeps the rule's four cases apart, as first written

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lrviz.report import MAX_KEY_STEPS, key_steps


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
    signs = np.where(np.abs(diffs) <= tolerance, 0, np.sign(diffs)).astype(int)
    events = []
    for i, sign in enumerate(signs):
        previous = signs[i - 1] if i > 0 else 0
        following = signs[i + 1] if i + 1 < len(signs) else 0
        if sign != 0 and previous == 0 and following == 0:
            events.append(i + 1)
        elif sign != 0 and previous != 0 and sign != previous:
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
    from lrviz import report

    lr = np.array(values, dtype=np.float64)
    saved = report.SIGN_CHUNK
    report.SIGN_CHUNK = chunk  # tiny chunks: every boundary case occurs
    try:
        assert key_steps(lr, limit) == key_steps_step_by_step(lr, limit)
    finally:
        report.SIGN_CHUNK = saved
