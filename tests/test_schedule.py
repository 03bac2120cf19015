"""lrviz.simulation.schedule.Schedule drives a real torch.optim.SGD through exactly the values lrviz.simulate records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import lrviz
from lrviz.errors import SpecError
from lrviz.simulation.schedule import Schedule

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def _train_loop_lrs(curve_spec, groups: int, steps: int) -> np.ndarray:
    """A real SGD over real parameters (with gradients), stepped as a training loop steps it."""
    torch.manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(3)) for _ in range(groups)]
    optimizer = torch.optim.SGD([{"params": [p]} for p in params], lr=123.0, momentum=0.9)
    driver = Schedule(curve_spec).build(optimizer)
    seen = np.empty((groups, steps))
    for k in range(steps):
        seen[:, k] = [group["lr"] for group in optimizer.param_groups]
        assert driver.get_last_lr() == list(seen[:, k])
        optimizer.zero_grad()
        sum((p**2).sum() for p in params).backward()
        optimizer.step()
        driver.step()
    return seen


SPECS = {
    "cosine": lambda: lrviz.spec_for("cosine", T_max=50, steps=60),
    "exponential+warmup": lambda: lrviz.spec_for(
        "exponential", gamma=0.93, steps=40, warmup={"steps": 12, "factor": 0.01}
    ),
    "multistep+constant warmup": lambda: lrviz.spec_for(
        "multistep", milestones=[5, 15], gamma=0.5, steps=30, warmup={"steps": 8, "factor": 0.2, "method": "constant"}
    ),
    "onecycle": lambda: lrviz.spec_for("onecycle", max_lr=0.5, total_steps=40, steps=40),
    "plateau+warmup": lambda: lrviz.spec_for(
        "plateau", patience=2, factor=0.5, metric=[1.0] * 30, steps=30, warmup={"steps": 5}
    ),
    "exponential+replace from start_lr, cosine shape": lambda: lrviz.spec_for(
        "exponential", gamma=0.9, steps=30, warmup={"steps": 7, "start_lr": 1e-4, "shape": "cosine", "mode": "replace"}
    ),
    "cosine+shift from 0, (k+1)/(W+1)": lambda: lrviz.spec_for(
        "cosine", T_max=20, steps=30, warmup={"steps": 10, "start_factor": 0, "offset": "(k+1)/(W+1)", "mode": "shift"}
    ),
    "plateau+shift, inclusive": lambda: lrviz.spec_for(
        "plateau",
        patience=1,
        factor=0.5,
        metric=[1.0] * 30,
        steps=30,
        warmup={"steps": 4, "offset": "inclusive", "mode": "shift"},
    ),
    "multistep by epoch + warmup": lambda: lrviz.spec_for(
        "multistep", milestones=[2, 4], gamma=0.5, steps=57, steps_per_epoch=9, by_epoch=True, warmup={"steps": 12}
    ),
    "plateau by epoch + shift": lambda: lrviz.spec_for(
        "plateau",
        patience=0,
        factor=0.5,
        metric=[1.0] * 40,
        steps=40,
        steps_per_epoch=6,
        by_epoch=True,
        warmup={"steps": 5, "mode": "shift"},
    ),
    "step+multiply from start_lr, log shape": lambda: lrviz.spec_for(
        "step", step_size=5, gamma=0.5, steps=25, warmup={"steps": 6, "start_lr": 0.001, "shape": "log"}
    ),
}


@pytest.mark.parametrize("name", list(SPECS))
def test_sgd_sees_exactly_the_simulated_lr(name):
    spec = SPECS[name]()
    curve = lrviz.simulate(spec)[0]
    seen = _train_loop_lrs(spec.curves[0], 1, curve.steps)
    assert np.array_equal(seen[0], curve.lr), name


@pytest.mark.parametrize("config", ["warmup_cosine_sequential.yaml", "param_groups.yaml", "plateau.yaml"])
def test_sequential_param_groups_and_plateau_files(config):
    spec = lrviz.load_spec(str(CONFIGS / config))
    for curve, curve_spec in zip(lrviz.simulate(spec), spec.curves, strict=True):
        seen = _train_loop_lrs(curve_spec, len(curve_spec.group_lrs), curve.steps)
        assert np.array_equal(seen, curve.group_lr), curve.label


def test_building_twice_on_one_optimizer_starts_from_the_spec_lr():
    spec = lrviz.spec_for("step", step_size=3, gamma=0.1, lr=0.5, steps=10)
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=0.01)
    first = Schedule(spec.curves[0]).build(optimizer)
    for _ in range(5):
        optimizer.step()
        first.step()
    second = Schedule(spec.curves[0]).build(optimizer)  # a stale initial_lr must not leak in
    assert second.get_last_lr() == [0.5]


def test_schedule_properties_and_group_mismatch():
    spec = lrviz.load_spec(str(CONFIGS / "param_groups.yaml"))
    schedule = Schedule.from_spec(spec)
    assert (schedule.steps, schedule.base_lr) == (200, 0.1)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(SpecError, match="the spec has 2 param groups"):
        schedule.build(optimizer)


@pytest.mark.parametrize(
    "spec",
    [
        lambda: lrviz.spec_for("hf:reduce_lr_on_plateau", patience=2, factor=0.5, metric=[1.0] * 30, steps=30),
        lambda: lrviz.spec_for("timm:plateau", mode="min", patience_t=1, decay_rate=0.5, metric=[1.0] * 30, steps=30),
    ],
    ids=["hf", "timm"],
)
def test_framework_plateaus_are_stepped_with_their_metric(spec):
    spec = spec()
    curve = lrviz.simulate(spec)[0]
    seen = _train_loop_lrs(spec.curves[0], 1, curve.steps)
    assert np.array_equal(seen[0], curve.lr)
    assert curve.lr[-1] < curve.lr[0]  # the flat metric did reduce the LR: the metric reached it
