"""YAML specs: the DESIGN.md format, composition, warmup, metrics, and errors with file and line."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from conftest import torch_lrs
from torch.optim import lr_scheduler as L

from lrviz.errors import SpecError
from lrviz.simulation.stepping import simulate
from lrviz.spec.metrics import synthetic_loss
from lrviz.spec.yamlfile import spec_from_yaml_text

DESIGN_EXAMPLE = """
title: Exponential decay
lr: 0.1
steps: 400
curves:
  - label: gamma sweep
    scheduler: {type: ExponentialLR, gamma: 0.98}
    sweep: {gamma: [0.9, 0.95, 0.98]}
    warmup: {steps: 10, factor: 0.001, method: linear}
  - scheduler:
      type: SequentialLR
      milestones: [10]
      schedulers:
        - {type: LinearLR, start_factor: 0.01, total_iters: 10}
        - {type: CosineAnnealingLR, T_max: 390}
  - scheduler: {type: LambdaLR, lr_lambda: "0.5 ** (epoch // 30)"}
"""


def test_design_md_example_parses_as_documented():
    spec = spec_from_yaml_text(DESIGN_EXAMPLE, "design.yaml")
    assert spec.title == "Exponential decay"
    assert [c.label for c in spec.curves] == [
        "gamma sweep: gamma=0.9",
        "gamma sweep: gamma=0.95",
        "gamma sweep: gamma=0.98",
        "SequentialLR(milestones=[10], [LinearLR(start_factor=0.01, total_iters=10), CosineAnnealingLR(T_max=390)])",
        "LambdaLR(lr_lambda='0.5 ** (epoch // 30)')",
    ]
    assert all(c.steps == 400 and c.lr == 0.1 for c in spec.curves)
    curves = simulate(spec)
    for curve, gamma in zip(curves[:3], (0.9, 0.95, 0.98), strict=True):
        plain = np.array(torch_lrs("ExponentialLR", 400, gamma=gamma))
        factors = np.array([0.001 * (1 - k / 10) + k / 10 if k < 10 else 1.0 for k in range(400)])
        np.testing.assert_allclose(curve.lr, plain * factors, rtol=1e-12)
    assert curves[4].lr.tolist() == torch_lrs("LambdaLR", 400, lr_lambda=lambda e: 0.5 ** (e // 30))


def test_curve_overrides_file_defaults_and_aliases_work():
    text = "lr: 0.1\nsteps: 50\ncurves:\n  - {scheduler: {type: exp, gamma: 0.9}, lr: 0.5, steps: 20, label: mine}\n  - {scheduler: {type: cosine, T_max: 50}}\n"
    first, second = spec_from_yaml_text(text, "o.yaml").curves
    assert (first.lr, first.steps, first.label, first.scheduler.type) == (0.5, 20, "mine", "ExponentialLR")
    assert (second.lr, second.steps, second.scheduler.type) == (0.1, 50, "CosineAnnealingLR")


def test_numbers_written_as_yaml_strings_are_accepted():
    # PyYAML reads 1e-3 (no dot) as a string; a user means the number.
    (curve,) = spec_from_yaml_text("lr: 1e-3\nscheduler: {type: cosine, T_max: 1e2, eta_min: 1e-5}\n", "n.yaml").curves
    assert curve.lr == 0.001 and curve.scheduler.kwargs == {"T_max": 100, "eta_min": 1e-05}


def _reference(build, steps, lr=0.1):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=0.9)
    scheduler = build(optimizer)
    values = []
    for _ in range(steps):
        values.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return values


def test_nested_composition_matches_torch():
    text = """
steps: 120
scheduler:
  type: ChainedScheduler
  schedulers:
    - type: SequentialLR
      milestones: [20]
      schedulers:
        - {type: LinearLR, start_factor: 0.1, total_iters: 20}
        - {type: StepLR, step_size: 30, gamma: 0.5}
    - {type: ExponentialLR, gamma: 0.99}
"""
    (curve,) = simulate(spec_from_yaml_text(text, "nested.yaml"))

    def build(o):
        warm = L.LinearLR(o, start_factor=0.1, total_iters=20)
        sequence = L.SequentialLR(o, [warm, L.StepLR(o, step_size=30, gamma=0.5)], milestones=[20])
        return L.ChainedScheduler([sequence, L.ExponentialLR(o, gamma=0.99)], optimizer=o)

    assert curve.lr.tolist() == _reference(build, 120)


def test_sequential_cannot_contain_a_composite():
    text = (
        "scheduler:\n  type: SequentialLR\n  milestones: [5]\n  schedulers:\n    - {type: constant}\n"
        "    - {type: ChainedScheduler, schedulers: [{type: exp, gamma: 0.9}]}\n"
    )
    with pytest.raises(
        SpecError, match=r"x.yaml:6: scheduler.schedulers\[1\].type: SequentialLR cannot contain ChainedScheduler"
    ):
        spec_from_yaml_text(text, "x.yaml")


def test_constant_warmup_method():
    text = (
        "lr: 0.1\nsteps: 20\nscheduler: {type: cosine, T_max: 20}\nwarmup: {steps: 5, factor: 0.25, method: constant}\n"
    )
    (curve,) = simulate(spec_from_yaml_text(text, "c.yaml"))
    plain = torch_lrs("CosineAnnealingLR", 20, T_max=20)
    np.testing.assert_allclose(curve.lr[:5], np.array(plain[:5]) * 0.25, rtol=1e-12)
    assert curve.lr[5:].tolist() == plain[5:]


def test_multiplicative_from_yaml_and_flags_agree(cli):
    text = 'steps: 40\nscheduler: {type: multiplicative, lr_lambda: "0.95 if epoch < 20 else 0.99"}\n'
    (curve,) = simulate(spec_from_yaml_text(text, "m.yaml"))
    assert curve.lr.tolist() == torch_lrs("MultiplicativeLR", 40, lr_lambda=lambda e: 0.95 if e < 20 else 0.99)
    out = cli("export", "multiplicative", "--lr-lambda", "0.95 if epoch < 20 else 0.99", "--steps", "40")
    assert json.loads(out.out)["curves"][0]["lr"] == curve.lr.tolist()
    assert json.loads(out.out)["curves"][0]["params"] == {"lr_lambda": "0.95 if epoch < 20 else 0.99"}


def test_plateau_metric_from_csv_column(tmp_path):
    (tmp_path / "val.csv").write_text(
        "epoch,val_loss\n" + "".join(f"{i},{1 / (1 + i) if i < 15 else 0.1}\n" for i in range(40))
    )
    text = "steps: 40\nscheduler: {type: plateau, patience: 2}\nmetric: {csv: val.csv, column: val_loss, plot: true}\n"
    (curve,) = simulate(spec_from_yaml_text(text, str(tmp_path / "p.yaml")))
    values = [1 / (1 + i) if i < 15 else 0.1 for i in range(40)]
    assert curve.metric.tolist() == values
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    scheduler = L.ReduceLROnPlateau(optimizer, patience=2)
    expected = []
    for value in values:
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step(value)
    assert curve.lr.tolist() == expected


def test_plateau_synthetic_metric_is_seeded_and_documented():
    first = synthetic_loss(200, seed=3)
    assert first == synthetic_loss(200, seed=3) != synthetic_loss(200, seed=4)
    rng = np.random.default_rng(3)
    t = np.arange(200.0)
    documented = 0.2 + 1.5 * np.exp(-6 * t / 200) + 0.3 * (t < 100) + 0.02 * rng.standard_normal(200)
    np.testing.assert_array_equal(np.array(first), documented)
    (curve,) = simulate(spec_from_yaml_text("scheduler: {type: plateau}\n", "s.yaml"))
    assert curve.steps == 100 and len(curve.metric) == 100  # default length, synthetic loss


def test_plateau_metric_list_sets_the_default_length():
    (curve,) = spec_from_yaml_text("scheduler: {type: plateau}\nmetric: [3, 2, 1, 1, 1]\n", "l.yaml").curves
    assert curve.steps == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "steps: 400\ncurves:\n  - scheduler: {type: ExponentialLR, gamm: 0.98}\n",
            "x.yaml:3: curves[0].scheduler.gamm: unknown parameter for ExponentialLR; did you mean 'gamma'?",
        ),
        ("curves: []\n", "x.yaml:1: curves: the list of curves is empty"),
        ("", "x.yaml: the file is empty: expected a mapping with 'scheduler' or 'curves'"),
        ("- 1\n- 2\n", "x.yaml:1: expected a mapping of keys (title, lr, steps, curves, ...), got a list"),
        (
            "scheduler: {type: cosine, T_max: 10}\nstepz: 5\n",
            "x.yaml:2: stepz: unknown key 'stepz'; did you mean 'steps'?",
        ),
        ("a: [1,\n", "x.yaml:2: malformed YAML: expected the node content, but found '<stream end>'"),
        (
            "!!python/object/apply:os.system ['echo hi']\n",
            "x.yaml:1: unsupported YAML (could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'): lrviz reads plain YAML only",
        ),
        ("scheduler: {type: cosine, T_max: 5}\nscheduler: {type: step}\n", "x.yaml:2: duplicate key 'scheduler'"),
        (
            "curves:\n  - scheduler: {type: cosine, T_max: 10}\n    sweep: {T_maxx: [1, 2]}\n",
            "x.yaml:3: curves[0].sweep.T_maxx: CosineAnnealingLR has no parameter 'T_maxx'; did you mean 'T_max'?",
        ),
        (
            "scheduler: {type: lambda, lr_lambda: \"__import__('os')\"}\n",
            "x.yaml:1: scheduler.lr_lambda: unknown function '__import__' (allowed: abs, acos, asin, atan, ceil, cos, cosh, "
            "exp, float, floor, int, log, log10, log2, max, min, pow, round, sin, sinh, sqrt, tan, tanh) in expression "
            "\"__import__('os')\"",
        ),
        (
            "scheduler:\n  type: SequentialLR\n  milestones: [10, 20]\n  schedulers:\n    - {type: constant}\n    - {type: exp, gamma: 0.9}\n",
            "x.yaml:3: scheduler.milestones: SequentialLR needs one milestone fewer than schedulers: 2 schedulers, 2 milestones",
        ),
        (
            "scheduler: {type: cosine, T_max: 10}\nwarmup: {steps: 5, method: quadratic}\n",
            "x.yaml:2: warmup.method: expected one of linear, cosine, exponential, log, 1-sqrt, constant, got 'quadratic'",
        ),
        (
            "scheduler: {type: plateau}\nmetric: {csv: missing.csv, column: loss}\n",
            "x.yaml:2: metric.csv: cannot read metric file missing.csv: No such file or directory",
        ),
        (
            "scheduler: {type: cosine, T_max: 10}\nmetric: [1, 2]\n",
            "x.yaml:2: metric: only ReduceLROnPlateau is stepped with a metric, not CosineAnnealingLR",
        ),
    ],
)
def test_yaml_errors_name_file_line_and_key(text, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError) as info:
        spec_from_yaml_text(text, "x.yaml")
    assert str(info.value) == message


def test_yaml_file_errors_through_the_cli(cli, tmp_path):
    (tmp_path / "bad.yaml").write_text("scheduler:\n  type: cosine\n  T_max: -3\n")
    result = cli("plot", "bad.yaml")
    assert result.code == 2
    assert result.err == "Error: bad.yaml:3: scheduler.T_max: must be at least 1, got -3\n"
    assert cli("plot", "missing.yaml").err == "Error: missing.yaml: no such file\n"
    assert cli("plot", "bad.yaml", "--t-max", "3").err.startswith("Error: --t-max: scheduler flags cannot be combined")
    assert not any(p.suffix == ".png" for p in tmp_path.iterdir())


def test_synthetic_loss_is_finite():
    assert all(math.isfinite(v) for v in synthetic_loss(10_000))
