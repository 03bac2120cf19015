"""lrviz's values are torch's values: every scheduler against a torch loop written in the test."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import torch_lrs

from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens
from lrviz.spec.yamlfile import spec_from_yaml_text

# (CLI tokens, torch class, torch kwargs, steps)
CASES = [
    (["step", "--step-size", "30", "--gamma", "0.65"], "StepLR", {"step_size": 30, "gamma": 0.65}, 200),
    (
        ["multistep", "--milestones", "200,300,320,340", "--gamma", "0.8"],
        "MultiStepLR",
        {"milestones": [200, 300, 320, 340], "gamma": 0.8},
        400,
    ),
    (["multistep", "--milestones", "20,20,40"], "MultiStepLR", {"milestones": [20, 20, 40]}, 60),
    (["constant", "--factor", "0.5", "--total-iters", "20"], "ConstantLR", {"factor": 0.5, "total_iters": 20}, 40),
    (
        ["linear", "--start-factor", "1", "--end-factor", "0.01", "--total-iters", "100"],
        "LinearLR",
        {"start_factor": 1.0, "end_factor": 0.01, "total_iters": 100},
        150,
    ),
    (["exp", "--gamma", "0.95"], "ExponentialLR", {"gamma": 0.95}, 100),
    (["poly", "--total-iters", "100", "--power", "2"], "PolynomialLR", {"total_iters": 100, "power": 2.0}, 120),
    (["cosine", "--t-max", "150"], "CosineAnnealingLR", {"T_max": 150}, 150),
    (["cosine", "--t-max", "50", "--eta-min", "0.001"], "CosineAnnealingLR", {"T_max": 50, "eta_min": 0.001}, 200),
    (["sgdr", "--t-0", "20", "--t-mult", "2"], "CosineAnnealingWarmRestarts", {"T_0": 20, "T_mult": 2}, 140),
    (
        ["cyclic", "--base-lr", "0.001", "--max-lr", "0.1", "--step-size-up", "50", "--mode", "triangular2"],
        "CyclicLR",
        {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 50, "mode": "triangular2"},
        400,
    ),
    (
        ["onecycle", "--max-lr", "0.1", "--total-steps", "1000"],
        "OneCycleLR",
        {"max_lr": 0.1, "total_steps": 1000},
        1000,
    ),
    (
        [
            "OneCycleLR",
            "--max-lr",
            "0.5",
            "--epochs",
            "10",
            "--steps-per-epoch",
            "30",
            "--three-phase",
            "true",
            "--anneal-strategy",
            "linear",
        ],
        "OneCycleLR",
        {"max_lr": 0.5, "epochs": 10, "steps_per_epoch": 30, "three_phase": True, "anneal_strategy": "linear"},
        300,
    ),
]


def _spec(tokens, **flags):
    return spec_from_tokens(tokens, CurveFlags(**flags))


@pytest.mark.parametrize(("tokens", "name", "kwargs", "steps"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_every_scheduler_matches_torch(tokens, name, kwargs, steps):
    (curve,) = simulate(_spec(tokens, steps=str(steps)))
    expected = torch_lrs(name, steps, **kwargs)
    assert curve.lr.tolist() == expected  # exactly: the same torch code ran
    assert curve.steps == steps == len(curve.lr)


def test_default_steps_is_one_full_schedule():
    assert _spec(["cosine", "--t-max", "150"]).curves[0].steps == 150
    assert _spec(["onecycle", "--max-lr", "0.1", "--total-steps", "777"]).curves[0].steps == 777
    assert _spec(["step", "--step-size", "30"]).curves[0].steps == 120
    assert _spec(["sgdr", "--t-0", "10", "--t-mult", "2"]).curves[0].steps == 70


def test_momentum_is_recorded_for_schedulers_that_cycle_it():
    (curve,) = simulate(_spec(["onecycle", "--max-lr", "0.1", "--total-steps", "100"]))
    lrs, moms = torch_lrs("OneCycleLR", 100, momentum=True, max_lr=0.1, total_steps=100)
    assert curve.momentum.tolist() == moms
    assert curve.lr.tolist() == lrs
    (plain,) = simulate(_spec(["cosine", "--t-max", "10"]))
    assert plain.momentum is None


def test_sweep_is_cartesian_product_in_given_order():
    spec = _spec(["step", "--step-size", "10,20", "--gamma", "0.5,0.9"], steps="50")
    labels = [c.label for c in spec.curves]
    assert labels == [
        "step_size=10, gamma=0.5",
        "step_size=10, gamma=0.9",
        "step_size=20, gamma=0.5",
        "step_size=20, gamma=0.9",
    ]
    for curve in simulate(spec):
        kwargs = curve.spec.scheduler.kwargs
        assert curve.lr.tolist() == torch_lrs("StepLR", 50, **kwargs)


def test_list_parameter_sweep_uses_semicolons():
    spec = _spec(["multistep", "--milestones", "50,75;30,60,90"], steps="100")
    assert [c.scheduler.kwargs["milestones"] for c in spec.curves] == [(50, 75), (30, 60, 90)]
    assert [c.label for c in spec.curves] == ["milestones=[50, 75]", "milestones=[30, 60, 90]"]
    for curve in simulate(spec):
        assert curve.lr.tolist() == torch_lrs(
            "MultiStepLR", 100, milestones=list(curve.spec.scheduler.kwargs["milestones"])
        )


def test_lr_sweep_and_default_steps_shared_across_a_sweep():
    spec = _spec(["cosine", "--t-max", "50,100,150"], lr="0.1,0.01")
    assert len(spec.curves) == 6
    assert {c.steps for c in spec.curves} == {150}
    assert [c.lr for c in spec.curves[:2]] == [0.1, 0.01]


def test_each_curve_gets_a_fresh_optimizer():
    # Sharing one optimizer leaks initial_lr between schedulers; every curve must start at its own LR.
    curves = simulate(_spec(["exp", "--gamma", "0.5,0.9"], steps="5", lr="0.3"))
    assert [c.lr[0] for c in curves] == [0.3, 0.3]


YAML_COMPOSED = """
lr: 0.1
steps: 400
curves:
  - label: warmup then cosine
    scheduler:
      type: SequentialLR
      milestones: [10]
      schedulers:
        - {type: LinearLR, start_factor: 0.01, total_iters: 10}
        - {type: CosineAnnealingLR, T_max: 390}
  - label: chained
    scheduler:
      type: ChainedScheduler
      schedulers:
        - {type: ConstantLR, factor: 0.1, total_iters: 2}
        - {type: ExponentialLR, gamma: 0.9}
"""


def test_sequential_and_chained_match_torch():
    sequential, chained = simulate(spec_from_yaml_text(YAML_COMPOSED, "c.yaml"))
    from torch.optim import lr_scheduler as L

    def reference(build):
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
        scheduler = build(optimizer)
        out = []
        for _ in range(400):
            out.append(scheduler.get_last_lr()[0])
            optimizer.step()
            scheduler.step()
        return out

    assert sequential.lr.tolist() == reference(
        lambda o: L.SequentialLR(
            o, [L.LinearLR(o, start_factor=0.01, total_iters=10), L.CosineAnnealingLR(o, T_max=390)], milestones=[10]
        )
    )
    assert chained.lr.tolist() == reference(
        lambda o: L.ChainedScheduler(
            [L.ConstantLR(o, factor=0.1, total_iters=2), L.ExponentialLR(o, gamma=0.9)], optimizer=o
        )
    )


def test_warmup_follows_detectron2_warmup_multistep():
    spec = spec_from_yaml_text(
        "lr: 0.01\nsteps: 100\nscheduler: {type: MultiStepLR, milestones: [50, 75], gamma: 0.1}\n"
        "warmup: {steps: 10, factor: 0.001, method: linear}\n",
        "w.yaml",
    )
    (curve,) = simulate(spec)

    # detectron2 WarmupMultiStepLR.get_lr, written out
    def detectron2(it):
        alpha = it / 10
        factor = 0.001 * (1 - alpha) + alpha if it < 10 else 1.0
        return 0.01 * factor * 0.1 ** sum(1 for m in (50, 75) if m <= it)

    np.testing.assert_allclose(curve.lr, [detectron2(i) for i in range(100)], rtol=1e-12)


def test_lambda_expression_matches_python_lambda():
    (curve,) = simulate(_spec(["lambda", "--lr-lambda", "0.5 ** (epoch // 30)"], steps="100"))
    assert curve.lr.tolist() == torch_lrs("LambdaLR", 100, lr_lambda=lambda epoch: 0.5 ** (epoch // 30))


def test_plateau_is_stepped_with_the_metric():
    metric = [1.0] * 5 + [0.5] * 30
    text = "steps: 35\nscheduler: {type: plateau, patience: 3, factor: 0.5}\nmetric: " + json.dumps(metric) + "\n"
    (curve,) = simulate(spec_from_yaml_text(text, "p.yaml"))
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=3, factor=0.5)
    expected = []
    for value in metric:
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step(value)
    assert curve.lr.tolist() == expected
    assert min(expected) < 0.1  # the flat metric did trigger reductions


def test_param_groups_have_their_own_base_lr():
    text = (
        "lr: 0.1\nsteps: 30\nscheduler: {type: StepLR, step_size: 10, gamma: 0.5}\n"
        "param_groups: [{name: backbone, lr_scale: 0.1}, {name: head}]\n"
    )
    (curve,) = simulate(spec_from_yaml_text(text, "g.yaml"))
    assert curve.group_names == ("backbone", "head")
    np.testing.assert_allclose(curve.group_lr[0], np.array(torch_lrs("StepLR", 30, lr=0.01, step_size=10, gamma=0.5)))
    assert curve.group_lr[1].tolist() == torch_lrs("StepLR", 30, lr=0.1, step_size=10, gamma=0.5)


def _adam_reference(optimizer_class, build, steps):
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = optimizer_class([param], lr=0.1)
    scheduler = build(optimizer)
    lrs, beta1 = [], []
    for _ in range(steps):
        lrs.append(scheduler.get_last_lr()[0])
        beta1.append(optimizer.param_groups[0]["betas"][0])
        optimizer.step()
        scheduler.step()
    return lrs, beta1


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_optimizers_cycle_beta1_which_is_recorded_as_momentum(name):
    (curve,) = simulate(_spec(["onecycle", "--max-lr", "0.1", "--total-steps", "100"], optimizer=name.lower()))
    optimizer_class = getattr(torch.optim, name)
    lrs, beta1 = _adam_reference(
        optimizer_class, lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=100), 100
    )
    assert curve.spec.optimizer == name
    assert curve.lr.tolist() == lrs
    assert curve.momentum.tolist() == beta1
    assert min(beta1) == 0.85 and max(beta1) == 0.95  # OneCycleLR's base/max momentum, applied to beta1
    assert curve.to_dict()["optimizer"] == name


def test_cyclic_with_adam_from_yaml():
    text = "steps: 60\noptimizer: Adam\nscheduler: {type: cyclic, base_lr: 0.001, max_lr: 0.1, step_size_up: 10}\n"
    (curve,) = simulate(spec_from_yaml_text(text, "a.yaml"))
    lrs, beta1 = _adam_reference(
        torch.optim.Adam,
        lambda o: torch.optim.lr_scheduler.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=10),
        60,
    )
    assert curve.lr.tolist() == lrs and curve.momentum.tolist() == beta1


def test_default_optimizer_is_sgd_and_a_bad_one_is_named():
    from lrviz.errors import SpecError

    assert _spec(["cosine", "--t-max", "5"]).curves[0].optimizer == "SGD"
    with pytest.raises(SpecError) as info:
        _spec(["cosine", "--t-max", "5"], optimizer="adan")
    assert str(info.value) == "--optimizer: expected one of SGD, Adam, AdamW, got 'adan'; did you mean 'Adam'?"


def test_lambda_that_stops_at_the_run_is_not_evaluated_past_it(cli):
    # sqrt(1 - epoch/N) is undefined at epoch N+1 and beyond; the run's last scheduler.step()
    # evaluates epoch N, whose value no optimizer step uses: it must not become an error.
    import math

    result = cli("export", "lambda", "--lr-lambda", "sqrt(1 - epoch/10)", "--steps", "11")
    assert result.code == 0, result.err
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: math.sqrt(1 - epoch / 10))
    expected = []
    for step in range(11):
        expected.append(scheduler.get_last_lr()[0])
        optimizer.step()
        if step < 10:  # torch's own loop would raise on the 11th step() too
            scheduler.step()
    assert json.loads(result.out)["curves"][0]["lr"] == expected
    too_long = cli("export", "lambda", "--lr-lambda", "sqrt(1 - epoch/10)", "--steps", "13")
    assert too_long.code == 2
    assert too_long.err == (
        "Error: --lr-lambda: cannot evaluate at epoch 11 (math domain error) in expression 'sqrt(1 - epoch/10)'\n"
    )
