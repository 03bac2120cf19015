"""Warmup styles against the formulas of the projects that use them, in every mode, shape and offset."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import torch_lrs
from hypothesis import given, settings
from hypothesis import strategies as st

from lrviz.report.code import pytorch_code
from lrviz.simulation.stepping import simulate
from lrviz.spec.model import spec_from_dict


def _lr(warmup: dict, steps: int = 60, lr: float = 0.5, scheduler: dict | None = None) -> list[float]:
    scheduler = scheduler or {"type": "CosineAnnealingLR", "T_max": 40}
    spec = spec_from_dict({"scheduler": scheduler, "lr": lr, "steps": steps, "warmup": warmup})
    return simulate(spec)[0].lr.tolist()


def test_detectron2_multiply_is_still_the_default():
    # detectron2/solver/lr_scheduler.py _get_warmup_factor_at_iter, method "linear"
    lrs = _lr({"steps": 10, "factor": 0.001})
    cosine = torch_lrs("CosineAnnealingLR", 60, lr=0.5, T_max=40)
    for k in range(60):
        factor = 0.001 * (1 - k / 10) + k / 10 if k < 10 else 1.0
        assert lrs[k] == cosine[k] * factor


def test_timm_replace_adds_up_from_warmup_lr_init_and_keeps_counting():
    # timm/scheduler/cosine_lr.py: lrs = [warmup_lr_init + t * warmup_steps] with
    # warmup_steps = (v - warmup_lr_init) / warmup_t; the cosine counts t from 0 (not shifted).
    lrs = _lr({"steps": 5, "start_lr": 1e-4, "mode": "replace"})
    cosine = torch_lrs("CosineAnnealingLR", 60, lr=0.5, T_max=40)
    for t in range(60):
        expected = 1e-4 + t * ((0.5 - 1e-4) / 5) if t < 5 else cosine[t]
        assert lrs[t] == pytest.approx(expected, rel=1e-12)


def test_huggingface_shift_starts_the_schedule_after_the_warmup():
    # transformers: current_step / max(1, num_warmup_steps), then the decay counts from the warmup's end
    lrs = _lr(
        {"steps": 8, "start_factor": 0, "mode": "shift"},
        scheduler={"type": "LinearLR", "start_factor": 1.0, "end_factor": 0.0, "total_iters": 52},
    )
    linear = torch_lrs("LinearLR", 52, lr=0.5, start_factor=1.0, end_factor=0.0, total_iters=52)
    assert lrs[:8] == [0.5 * (k / 8) for k in range(8)]
    assert lrs[8:] == linear


def test_nanogpt_offset_and_shift():
    # karpathy/nanoGPT train.py get_lr: learning_rate * (it + 1) / (warmup_iters + 1), then the cosine
    # decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    lrs = _lr(
        {"steps": 10, "start_factor": 0, "offset": "(k+1)/(W+1)", "mode": "shift"},
        steps=30,
        lr=6e-4,
        scheduler={"type": "CosineAnnealingLR", "T_max": 20, "eta_min": 6e-5},
    )
    for it in range(10):
        assert lrs[it] == pytest.approx(6e-4 * (it + 1) / (10 + 1), rel=1e-12)
    for it in range(10, 30):
        ratio = (it - 10) / (30 - 10)
        assert lrs[it] == pytest.approx(6e-5 + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (6e-4 - 6e-5), rel=1e-12)


def test_deepspeed_log_warmup():
    # deepspeed/runtime/lr_schedules.py WarmupLR, warmup_type "log":
    # gamma = log(last_batch_iteration + 1) / log(warmup_num_steps); lr = min_lr + (max_lr - min_lr) * gamma
    lrs = _lr(
        {"steps": 20, "start_lr": 1e-5, "shape": "log", "mode": "replace"},
        lr=1e-3,
        scheduler={"type": "ConstantLR", "factor": 1.0, "total_iters": 0},
    )
    for k in range(20):
        gamma = math.log(k + 1) / math.log(20)
        assert lrs[k] == pytest.approx(1e-5 + (1e-3 - 1e-5) * gamma, rel=1e-12)
    assert lrs[20:] == [1e-3] * 40


@pytest.mark.parametrize(
    ("shape", "ramp"),
    [
        ("cosine", lambda p: (1 - math.cos(math.pi * p)) / 2),
        ("1-sqrt", lambda p: 1 - math.sqrt(1 - p)),
        ("linear", lambda p: p),
    ],
)
def test_shapes_rise_by_their_formula(shape, ramp):
    lrs = _lr({"steps": 12, "start_factor": 0.1, "shape": shape, "mode": "replace"}, lr=2.0)
    for k in range(12):
        assert lrs[k] == pytest.approx(0.2 + (2.0 - 0.2) * ramp(k / 12), rel=1e-12)


def test_exponential_shape_grows_geometrically_and_constant_holds():
    lrs = _lr({"steps": 10, "start_factor": 0.01, "shape": "exponential", "mode": "replace"}, lr=1.0)
    assert lrs[:10] == pytest.approx([0.01 * 100 ** (k / 10) for k in range(10)], rel=1e-12)
    held = _lr({"steps": 10, "factor": 0.25, "method": "constant"}, lr=1.0)
    cosine = torch_lrs("CosineAnnealingLR", 60, lr=1.0, T_max=40)
    assert held[:10] == [c * 0.25 for c in cosine[:10]]


@pytest.mark.parametrize(
    ("offset", "progress", "length"),
    [
        ("k/W", lambda k: k / 8, 8),
        ("(k+1)/W", lambda k: (k + 1) / 8, 8),
        ("(k+1)/(W+1)", lambda k: (k + 1) / 9, 8),
        ("k/(W-1)", lambda k: k / 7, 8),
        ("inclusive", lambda k: k / 8, 9),
    ],
)
def test_offsets(offset, progress, length):
    lrs = _lr({"steps": 8, "start_factor": 0, "offset": offset, "mode": "replace"}, lr=1.0)
    cosine = torch_lrs("CosineAnnealingLR", 60, lr=1.0, T_max=40)
    assert lrs[:length] == pytest.approx([progress(k) for k in range(length)], rel=1e-12, abs=0)
    assert lrs[length:] == cosine[length:]


WARMUPS = st.fixed_dictionaries(
    {"steps": st.integers(2, 30)},
    optional={
        "start_factor": st.floats(0.01, 1.0),
        "shape": st.sampled_from(["linear", "cosine", "exponential", "log", "1-sqrt", "constant"]),
        "offset": st.sampled_from(["k/W", "(k+1)/W", "(k+1)/(W+1)", "k/(W-1)", "inclusive"]),
        "mode": st.sampled_from(["multiply", "replace", "shift"]),
    },
)


@settings(max_examples=60, deadline=None)
@given(warmup=WARMUPS, steps=st.integers(1, 80))
def test_code_snippet_reproduces_every_warmup_style(warmup, steps):
    spec = spec_from_dict(
        {
            "scheduler": {"type": "StepLR", "step_size": 7, "gamma": 0.7},
            "steps": steps,
            "warmup": warmup,
            "param_groups": [{"name": "a", "lr": 0.1}, {"name": "b", "lr": 0.03}],
        }
    )
    (curve,) = simulate(spec)
    namespace: dict = {}
    exec(compile(pytorch_code(spec), "<snippet>", "exec"), namespace)  # noqa: S102
    np.testing.assert_allclose(namespace["lrs"], curve.lr, rtol=1e-13, atol=0)


@pytest.mark.parametrize(
    ("warmup", "error"),
    [
        (
            {"steps": 5, "factor": 0, "shape": "exponential"},
            "Error: --warmup-factor: an exponential warmup cannot start at 0 (it grows by a constant ratio)",
        ),
        (
            {"steps": 1, "shape": "log"},
            "Error: --warmup-steps: a log warmup needs at least 2 steps (it divides by log W)",
        ),
        (
            {"steps": 5, "mode": "shfit"},
            "Error: --warmup-mode: expected one of multiply, replace, shift, got 'shfit'; did you mean 'shift'?",
        ),
        (
            {"steps": 5, "offset": "k"},
            "Error: --warmup-offset: expected one of k/W, (k+1)/W, (k+1)/(W+1), k/(W-1), inclusive, got 'k'",
        ),
        ({"steps": 1, "offset": "k/(W-1)"}, "Error: --warmup-offset: the k/(W-1) offset needs at least 2 warmup steps"),
        (
            {"steps": 5, "factor": 0.1, "start_lr": 0.01},
            "Error: --warmup-start-lr: give one of factor and start_lr, not both",
        ),
        ({"mode": "shift"}, "Error: --warmup-mode: warmup needs --warmup-steps"),
    ],
)
def test_bad_warmup_flags(warmup, error, cli):
    names = {
        "steps": "--warmup-steps",
        "factor": "--warmup-factor",
        "shape": "--warmup-shape",
        "offset": "--warmup-offset",
        "mode": "--warmup-mode",
        "start_lr": "--warmup-start-lr",
    }
    flags = [token for key, value in warmup.items() for token in (names[key], str(value))]
    result = cli("plot", "cosine", "--t-max", "20", *flags, "--no-save")
    assert (result.code, result.err) == (2, error + "\n")


def test_yaml_warmup_keys_and_export(cli, tmp_path):
    (tmp_path / "w.yaml").write_text(
        "scheduler: {type: cosine, T_max: 30}\nsteps: 40\n"
        "warmup: {steps: 5, start_factor: 0, shape: cosine, offset: (k+1)/W, mode: shift}\n"
    )
    result = cli("export", "w.yaml")
    assert result.code == 0, result.err
    import json

    record = json.loads(result.out)["curves"][0]
    assert record["warmup"] == {"steps": 5, "factor": 0.0, "method": "cosine", "offset": "(k+1)/W", "mode": "shift"}
    assert record["lr"][4] == pytest.approx(0.1)
    both = tmp_path / "both.yaml"
    both.write_text("scheduler: {type: cosine, T_max: 30}\nwarmup: {steps: 5, shape: cosine, method: linear}\n")
    bad = cli("plot", "both.yaml", "--no-save")
    assert (bad.code, bad.err) == (2, "Error: both.yaml:2: warmup.method: give one of shape and method, not both\n")
