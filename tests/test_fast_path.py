"""The fast dummy optimizer gives exactly the values of a plain torch.optim.SGD, for every scheduler."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as L

from lrviz.simulation.stepping import make_optimizer, simulate, total_steps
from lrviz.spec.yamlfile import spec_from_yaml_text

PLATEAU_METRIC = [1.0] * 5 + [0.5] * 40 + [0.7, 0.2] * 20 + [0.2] * 15


def _lambda(epoch):
    return 0.5 ** (epoch // 30)


def _multiplicative(epoch):
    return 0.97


# (id, lrviz scheduler spec, the same scheduler built on a plain optimizer, steps)
SCHEDULERS = [
    ("StepLR", {"type": "StepLR", "step_size": 30, "gamma": 0.65}, lambda o: L.StepLR(o, 30, 0.65), 200),
    (
        "MultiStepLR",
        {"type": "MultiStepLR", "milestones": [20, 20, 70], "gamma": 0.3},
        lambda o: L.MultiStepLR(o, [20, 20, 70], 0.3),
        100,
    ),
    ("ConstantLR", {"type": "ConstantLR", "factor": 0.5, "total_iters": 20}, lambda o: L.ConstantLR(o, 0.5, 20), 40),
    (
        "LinearLR",
        {"type": "LinearLR", "start_factor": 0.01, "end_factor": 1.0, "total_iters": 50},
        lambda o: L.LinearLR(o, start_factor=0.01, end_factor=1.0, total_iters=50),
        80,
    ),
    ("ExponentialLR", {"type": "ExponentialLR", "gamma": 0.97}, lambda o: L.ExponentialLR(o, 0.97), 150),
    (
        "PolynomialLR",
        {"type": "PolynomialLR", "total_iters": 100, "power": 2.0},
        lambda o: L.PolynomialLR(o, total_iters=100, power=2.0),
        120,
    ),
    (
        "CosineAnnealingLR",
        {"type": "CosineAnnealingLR", "T_max": 50, "eta_min": 0.001},
        lambda o: L.CosineAnnealingLR(o, T_max=50, eta_min=0.001),
        230,
    ),
    (
        "CosineAnnealingWarmRestarts",
        {"type": "CosineAnnealingWarmRestarts", "T_0": 20, "T_mult": 2},
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0=20, T_mult=2),
        140,
    ),
    (
        "CyclicLR",
        {"type": "CyclicLR", "base_lr": 0.001, "max_lr": 0.1, "step_size_up": 50, "mode": "triangular2"},
        lambda o: L.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=50, mode="triangular2"),
        400,
    ),
    (
        "OneCycleLR",
        {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 500},
        lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=500),
        500,
    ),
    (
        "OneCycleLR-three-phase-linear",
        {"type": "OneCycleLR", "max_lr": 0.5, "total_steps": 300, "three_phase": True, "anneal_strategy": "linear"},
        lambda o: L.OneCycleLR(o, max_lr=0.5, total_steps=300, three_phase=True, anneal_strategy="linear"),
        300,
    ),
    (
        "LambdaLR",
        {"type": "LambdaLR", "lr_lambda": "0.5 ** (epoch // 30)"},
        lambda o: L.LambdaLR(o, _lambda),
        100,
    ),
    (
        "MultiplicativeLR",
        {"type": "MultiplicativeLR", "lr_lambda": "0.97"},
        lambda o: L.MultiplicativeLR(o, _multiplicative),
        100,
    ),
    (
        "SequentialLR",
        {
            "type": "SequentialLR",
            "milestones": [10],
            "schedulers": [
                {"type": "LinearLR", "start_factor": 0.01, "total_iters": 10},
                {"type": "CosineAnnealingLR", "T_max": 190},
            ],
        },
        lambda o: L.SequentialLR(
            o, [L.LinearLR(o, start_factor=0.01, total_iters=10), L.CosineAnnealingLR(o, T_max=190)], milestones=[10]
        ),
        200,
    ),
    (
        "ChainedScheduler",
        {
            "type": "ChainedScheduler",
            "schedulers": [
                {"type": "ConstantLR", "factor": 0.1, "total_iters": 2},
                {"type": "ExponentialLR", "gamma": 0.9},
            ],
        },
        lambda o: L.ChainedScheduler([L.ConstantLR(o, factor=0.1, total_iters=2), L.ExponentialLR(o, gamma=0.9)], o),
        60,
    ),
    (
        "ReduceLROnPlateau",
        {"type": "ReduceLROnPlateau", "patience": 3, "factor": 0.5},
        lambda o: L.ReduceLROnPlateau(o, patience=3, factor=0.5),
        len(PLATEAU_METRIC),
    ),
]


def _plain_sgd(group_lrs):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in group_lrs]
    return torch.optim.SGD(groups, lr=group_lrs[0], momentum=0.9)


def plain_loop(build, steps, group_lrs=(0.1,), metric=None):
    """The reference: torch.optim.SGD(momentum=0.9), the scheduler, a training loop written out here."""
    optimizer = _plain_sgd(group_lrs)
    scheduler = build(optimizer)
    lrs, moms = [], []
    for k in range(steps):
        lrs.append([group["lr"] for group in optimizer.param_groups])
        moms.append(optimizer.param_groups[0]["momentum"])
        optimizer.step()
        if metric is None:
            scheduler.step()
        else:
            scheduler.step(metric[k])
    return np.array(lrs).T, moms


def _spec(scheduler, steps, group_lrs=None, metric=None):
    document = {"lr": 0.1, "steps": steps, "scheduler": scheduler}
    if group_lrs:
        document["param_groups"] = [{"name": f"g{i}", "lr": lr} for i, lr in enumerate(group_lrs)]
    if metric is not None:
        document["metric"] = metric
    return spec_from_yaml_text(json.dumps(document), "fast.yaml")


def _metric_for(name):
    return PLATEAU_METRIC if name == "ReduceLROnPlateau" else None


@pytest.mark.parametrize(("name", "scheduler", "build", "steps"), SCHEDULERS, ids=[c[0] for c in SCHEDULERS])
def test_every_scheduler_gives_exactly_the_values_of_plain_sgd(name, scheduler, build, steps):
    metric = _metric_for(name)
    (curve,) = simulate(_spec(scheduler, steps, metric=metric))
    lrs, moms = plain_loop(build, steps, metric=metric)
    assert curve.lr.tolist() == lrs[0].tolist()  # exactly (==), not approximately
    if curve.momentum is not None:
        assert curve.momentum.tolist() == moms
    assert (curve.momentum is not None) == name.startswith(("CyclicLR", "OneCycleLR"))


@pytest.mark.parametrize(("name", "scheduler", "build", "steps"), SCHEDULERS, ids=[c[0] for c in SCHEDULERS])
def test_every_scheduler_with_two_param_groups(name, scheduler, build, steps):
    # several groups take the general recording loop
    metric = _metric_for(name)
    (curve,) = simulate(_spec(scheduler, steps, group_lrs=(0.01, 0.1), metric=metric))
    lrs, moms = plain_loop(build, steps, group_lrs=(0.01, 0.1), metric=metric)
    assert curve.group_lr.tolist() == lrs.tolist()
    if curve.momentum is not None:
        assert curve.momentum.tolist() == moms


def test_dummy_optimizer_is_a_real_sgd_with_sgds_param_groups():
    dummy, plain = make_optimizer((0.1, 0.01)), _plain_sgd((0.1, 0.01))
    assert isinstance(dummy, torch.optim.SGD) and isinstance(dummy, torch.optim.Optimizer)
    assert dummy.defaults == plain.defaults
    for ours, theirs in zip(dummy.param_groups, plain.param_groups, strict=True):
        assert {k: v for k, v in ours.items() if k != "params"} == {k: v for k, v in theirs.items() if k != "params"}


def test_simulating_never_imports_torchs_compiler_stack_nor_warns():
    code = (
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "from lrviz.spec.flags import CurveFlags, spec_from_tokens\n"
        "from lrviz.simulation.stepping import simulate\n"
        "simulate(spec_from_tokens(['onecycle', '--max-lr', '0.1', '--total-steps', '50'], CurveFlags()))\n"
        "print('torch._dynamo' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_progress_reports_every_step_once():
    spec = _spec({"type": "ExponentialLR", "gamma": 0.9999}, 40_000)
    seen = []
    simulate(spec, progress=seen.append)
    assert sum(seen) == total_steps(spec) == 40_000
    assert len(seen) > 1  # in chunks, so a bar moves


def test_parallel_sweep_gives_exactly_the_serial_values():
    text = (
        "lr: 0.1\nsteps: 30000\ncurves:\n"
        "  - scheduler: {type: OneCycleLR, max_lr: 0.1, total_steps: 30000}\n"
        "  - scheduler: {type: CosineAnnealingLR, T_max: 1000}\n"
        "    sweep: {T_max: [1000, 7000]}\n"
        "  - scheduler: {type: LambdaLR, lr_lambda: '0.5 ** (epoch // 3000)'}\n"
        "    param_groups: [{name: a, lr_scale: 0.1}, {name: b}]\n"
    )
    spec = spec_from_yaml_text(text, "sweep.yaml")
    serial = simulate(spec, workers=1)
    seen = []
    parallel = simulate(spec, workers=2, progress=seen.append)
    assert sum(seen) == total_steps(spec)
    assert [c.label for c in parallel] == [c.label for c in serial]
    for ours, theirs in zip(parallel, serial, strict=True):
        assert ours.spec is theirs.spec
        assert ours.group_lr.tolist() == theirs.group_lr.tolist()
        assert ours.lr.tolist() == theirs.lr.tolist()
        assert (ours.momentum is None) == (theirs.momentum is None)
        if ours.momentum is not None:
            assert ours.momentum.tolist() == theirs.momentum.tolist()


def test_parallel_sweep_reports_torchs_error_like_a_serial_one():
    from lrviz.errors import LrvizError

    text = (
        "steps: 20\ncurves:\n"
        "  - scheduler: {type: ExponentialLR, gamma: 0.9}\n"
        "  - scheduler: {type: LambdaLR, lr_lambda: '1 / (10 - epoch)'}\n"
    )
    spec = spec_from_yaml_text(text, "bad.yaml")
    with pytest.raises(LrvizError) as serial:
        simulate(spec, workers=1)
    with pytest.raises(LrvizError) as parallel:
        simulate(spec, workers=2)
    assert str(parallel.value) == str(serial.value)


def test_sweeps_fork_only_when_there_is_work_and_an_idle_core(monkeypatch):
    from lrviz.simulation import parallel
    from lrviz.spec.flags import CurveFlags, spec_from_tokens

    long_sweep = spec_from_tokens(["cosine", "--t-max", "1000,2000,3000"], CurveFlags(steps="200000"))
    short_sweep = spec_from_tokens(["cosine", "--t-max", "1000,2000,3000"], CurveFlags(steps="1000"))
    one_curve = spec_from_tokens(["cosine", "--t-max", "1000"], CurveFlags(steps="900000"))
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert parallel.worker_count(long_sweep) == (2 if parallel.can_fork() else 1)
    assert parallel.worker_count(short_sweep) == 1
    assert parallel.worker_count(one_curve) == 1
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (2.5, 2.5, 2.5))  # others keep both cores busy
    assert parallel.worker_count(long_sweep) == 1
