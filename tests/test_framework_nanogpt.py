"""nanogpt:get_lr against nanoGPT's schedule.

nanoGPT (github.com/karpathy/nanoGPT, train.py, get_lr; checked at commit
3adf61e154c3fe3fca428ad6bc3818b27a3b8291) is a script with no release on a package registry, so no
copy of its code is committed here; the reference below evaluates its documented formula in
50-digit arithmetic, independently of lrviz's float code: warmup ``learning_rate * (it + 1) /
(warmup_iters + 1)`` for ``it < warmup_iters``, ``min_lr`` for ``it > lr_decay_iters``, else
``min_lr + 0.5 * (1 + cos(pi * (it - warmup_iters) / (lr_decay_iters - warmup_iters))) *
(learning_rate - min_lr)``; the loop uses ``get_lr(iter_num)`` for update ``iter_num`` and runs
``max_iters + 1`` updates.
"""

from __future__ import annotations

import mpmath
from framework_sources.checks import (
    assert_close,
    cli_lrs,
    lrviz_function_lrs,
    lrviz_lrs,
    snippet_lrs,
    yaml_lrs,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from lrviz.schedules import lookup

DEFAULTS = {"learning_rate": 6e-4, "warmup_iters": 2000, "lr_decay_iters": 600000, "min_lr": 6e-5}


def reference(it: int, learning_rate: float, warmup_iters: int, lr_decay_iters: int, min_lr: float) -> float:
    with mpmath.workdps(50):
        lr, low = mpmath.mpf(learning_rate), mpmath.mpf(min_lr)
        if it < warmup_iters:
            return float(lr * (it + 1) / (warmup_iters + 1))
        if it > lr_decay_iters:
            return float(low)
        ratio = mpmath.mpf(it - warmup_iters) / (lr_decay_iters - warmup_iters)
        return float(low + (1 + mpmath.cos(mpmath.pi * ratio)) / 2 * (lr - low))


def test_defaults_match_nanogpt_over_warmup_and_into_the_cosine():
    lrs = lrviz_lrs("nanogpt:get_lr", {}, steps=2100)
    assert_close(lrs, [reference(k, **DEFAULTS) for k in range(2100)], scale=6e-4)
    assert lrs[0] == 6e-4 / 2001  # nanoGPT's warmup starts above zero


def test_defaults_far_into_the_run_and_past_lr_decay_iters():
    function = lookup("nanogpt:get_lr").lr_function({}, 1.0)
    for k in (2000, 123_456, 300_000, 599_999, 600_000, 600_001, 700_000):
        assert_close([function(k)], [reference(k, **DEFAULTS)], scale=6e-4)
    assert lookup("nanogpt:get_lr").default_steps({}) == 600_001  # iter_num 0..max_iters


@settings(max_examples=30, deadline=None)
@given(
    learning_rate=st.floats(1e-6, 10.0),
    min_fraction=st.floats(0.0, 1.0),
    warmup_iters=st.integers(0, 300),
    decay_span=st.integers(1, 3000),
    extra=st.integers(0, 50),
)
def test_matches_nanogpt_at_varied_parameters(learning_rate, min_fraction, warmup_iters, decay_span, extra):
    params = {
        "learning_rate": learning_rate,
        "min_lr": learning_rate * min_fraction,
        "warmup_iters": warmup_iters,
        "lr_decay_iters": warmup_iters + decay_span,
    }
    steps = warmup_iters + decay_span + extra + 2
    expected = [reference(k, **params) for k in range(steps)]
    assert_close(lrviz_function_lrs("nanogpt:get_lr", params, steps), expected, scale=learning_rate)


def test_lr_decay_iters_below_warmup_goes_straight_to_min_lr():
    params = {"warmup_iters": 10, "lr_decay_iters": 5, "max_iters": 20}
    lrs = lrviz_lrs("nanogpt:get_lr", params, 21)
    assert lrs[9] == 6e-4 * 10 / 11 and lrs[10:] == [6e-5] * 11


def test_decay_lr_false_is_constant_learning_rate():
    assert lrviz_lrs("nanogpt:get_lr", {"decay_lr": False, "learning_rate": 1e-3}, 7) == [1e-3] * 7


def test_cli_yaml_and_torch_code_agree_with_nanogpt(cli):
    params = {"learning_rate": 3e-4, "warmup_iters": 7, "lr_decay_iters": 40, "min_lr": 1e-5, "max_iters": 45}
    expected = [reference(k, **{k2: v for k2, v in params.items() if k2 != "max_iters"}) for k in range(46)]
    assert_close(cli_lrs(cli, "nanogpt:get_lr", params, 46), expected, scale=3e-4)
    assert_close(yaml_lrs("nanogpt:get_lr", params, 46), expected, scale=3e-4)
    source = lookup("nanogpt:get_lr").torch_code(lookup("nanogpt:get_lr").with_defaults(params))
    assert_close(snippet_lrs(source, 46, lr=0.5), expected, scale=3e-4)


def test_lr_is_refused_and_bad_values_name_the_flag(cli):
    result = cli("export", "nanogpt:get_lr", "--lr", "0.1", "--format", "csv")
    assert result.code == 2 and result.err.count("\n") == 1 and result.err.startswith("Error: --lr: ")
    result = cli("export", "nanogpt:get_lr", "--warmup-iters", "5", "--lr-decay-iters", "5")
    assert (result.code, result.err) == (
        2,
        "Error: --lr-decay-iters: must differ from warmup_iters (5): get_lr divides by their difference\n",
    )
    result = cli("export", "nanogpt:get_lr", "--warmup-iter", "5")
    assert (result.code, result.err) == (
        2,
        "Error: --warmup-iter: unknown option for nanogpt:get_lr; did you mean '--warmup-iters'?\n",
    )
