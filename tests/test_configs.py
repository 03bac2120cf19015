"""The shipped configs: each runs, and the classic ones equal their published formulas."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import torch_lrs

from lrviz.simulation.stepping import simulate
from lrviz.spec.yamlfile import load_spec_file

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def _curves(name):
    return simulate(load_spec_file(str(CONFIGS / name)))


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_config_runs_with_finite_values(path):
    curves = simulate(load_spec_file(str(path)))
    assert curves
    for curve in curves:
        assert np.isfinite(curve.group_lr).all()
        assert len(curve.lr) == curve.steps


def test_issue_configs_exist():
    names = {p.stem for p in CONFIGS.glob("*.yaml")}
    assert {
        "exponential_gamma",
        "step_gamma",
        "multistep_milestones",
        "cosine_tmax",
        "four_strategies",
        "linear_decay",
        "cosine_restarts",
        "warmup_multistep",
        "step_decay",
        "exp_decay",
        "plateau",
        "hf_warmup",
        "onecycle_momentum",
    } <= names


def test_multistep_with_duplicated_milestone_decays_twice_like_torch():
    (curve,) = _curves("multistep_milestones.yaml")
    assert curve.lr.tolist() == torch_lrs("MultiStepLR", 400, milestones=[200, 300, 320, 340, 200], gamma=0.8)
    assert curve.lr[200] / curve.lr[199] == pytest.approx(0.64)


def test_detectron2_warmup_multistep():
    (curve,) = _curves("warmup_multistep.yaml")

    def detectron2(it):  # detectron2 WarmupMultiStepLR.get_lr with warmup_method="linear"
        factor = 0.001 * (1 - it / 10) + it / 10 if it < 10 else 1.0
        return 0.01 * factor * 0.1 ** sum(1 for m in (50, 75) if m <= it)

    np.testing.assert_allclose(curve.lr, [detectron2(i) for i in range(100)], rtol=1e-12)


def test_keras_step_decay_and_exp_decay():
    (step,) = _curves("step_decay.yaml")
    np.testing.assert_allclose(step.lr, [0.1 * 0.5 ** math.floor(e / 30) for e in range(150)], rtol=1e-15)
    (exp,) = _curves("exp_decay.yaml")
    np.testing.assert_allclose(exp.lr, [0.1 * math.exp(-0.1 * e) for e in range(60)], rtol=1e-12)


def test_hugging_face_warmup_schedules():
    linear, cosine = _curves("hf_warmup.yaml")

    # transformers.optimization: _get_linear_schedule_with_warmup_lr_lambda and the cosine one
    def hf_linear(step, warmup=50, total=500):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        return max(0.0, float(total - step) / float(max(1, total - warmup)))

    def hf_cosine(step, warmup=50, total=500, cycles=0.5):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        progress = float(step - warmup) / float(max(1, total - warmup))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(cycles) * 2.0 * progress)))

    assert linear.lr.tolist() == torch_lrs("LambdaLR", 500, lr=0.0005, lr_lambda=hf_linear)
    np.testing.assert_allclose(cosine.lr, torch_lrs("LambdaLR", 500, lr=0.0005, lr_lambda=hf_cosine), rtol=1e-12)


def test_shifted_warmup_vs_multiplied_warmup():
    shifted, multiplied = _curves("warmup_cosine_sequential.yaml")
    assert shifted.lr[10] == pytest.approx(0.1)  # the cosine starts at the milestone
    assert multiplied.lr[10] == pytest.approx(torch_lrs("CosineAnnealingLR", 11, T_max=100)[10])


def test_onecycle_config_records_momentum():
    (curve,) = _curves("onecycle_momentum.yaml")
    lrs, moms = torch_lrs("OneCycleLR", 1000, momentum=True, max_lr=0.1, total_steps=1000, pct_start=0.3)
    assert curve.momentum.tolist() == moms and curve.lr.tolist() == lrs
