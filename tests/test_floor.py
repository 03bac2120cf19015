"""floor: {min_lr | ratio}: a decay to 0 lifted onto a minimum, against the formulas of the recipes that use it."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lrviz
from lrviz.report.code import pytorch_code
from lrviz.simulation.schedule import Schedule


def test_polynomial_with_min_lr_is_mmseg_polylr(cli):
    # mmseg / mmengine PolyLR: (base_lr - eta_min) * (1 - iter / max_iters) ** power + eta_min
    result = cli(
        "export",
        "poly",
        "--total-iters",
        "80",
        "--power",
        "0.9",
        "--steps",
        "100",
        "--lr",
        "0.01",
        "--floor-lr",
        "1e-4",
    )
    assert result.code == 0, result.err
    record = json.loads(result.out)["curves"][0]
    expected = [(0.01 - 1e-4) * (1 - min(k, 80) / 80) ** 0.9 + 1e-4 for k in range(100)]
    np.testing.assert_allclose(record["lr"], expected, rtol=1e-13)
    assert record["floor"] == {"min_lr": 1e-4}


def test_linear_with_a_ratio_floor_is_megatron_linear_decay():
    # Megatron-LM's linear decay: min_lr + coeff * (max_lr - min_lr), coeff = 1 - step / decay_steps
    spec = lrviz.spec_for(
        "linear", start_factor=1.0, end_factor=0.0, total_iters=50, steps=60, lr=3e-4, floor={"ratio": 0.1}
    )
    (curve,) = lrviz.simulate(spec)
    expected = [3e-5 + (1 - min(k, 50) / 50) * (3e-4 - 3e-5) for k in range(60)]
    np.testing.assert_allclose(curve.lr, expected, rtol=1e-12)


def test_floor_is_per_group_and_before_the_warmup():
    spec = lrviz.spec_for(
        "cosine",
        T_max=40,
        steps=50,
        floor={"ratio": 0.1},
        warmup={"steps": 5},
        param_groups=[{"name": "body", "lr": 0.1}, {"name": "head", "lr": 1.0}],
    )
    (curve,) = lrviz.simulate(spec)
    torch_like = lrviz.simulate(
        lrviz.spec_for(
            "cosine",
            T_max=40,
            steps=50,
            warmup={"steps": 5},
            param_groups=[{"name": "body", "lr": 0.1}, {"name": "head", "lr": 1.0}],
        )
    )
    factors = [0.001 * (1 - k / 5) + k / 5 if k < 5 else 1.0 for k in range(50)]
    for row, plain, base in zip(curve.group_lr, torch_like[0].group_lr, (0.1, 1.0), strict=True):
        unwarmed = plain / factors
        np.testing.assert_allclose(row, (0.1 * base + unwarmed * 0.9) * factors, rtol=1e-12)


def test_code_and_schedule_driver_reproduce_the_floor():
    import torch

    spec = lrviz.spec_for(
        "poly",
        total_iters=30,
        power=2.0,
        steps=40,
        floor={"min_lr": 0.001},
        warmup={"steps": 4, "mode": "replace", "start_factor": 0},
    )
    (curve,) = lrviz.simulate(spec)
    namespace: dict = {}
    exec(compile(pytorch_code(spec), "<snippet>", "exec"), namespace)  # noqa: S102
    np.testing.assert_allclose(namespace["lrs"], curve.lr, rtol=1e-15, atol=0)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=7.0)
    driver = Schedule(spec.curves[0]).build(optimizer)
    seen = []
    for _ in range(40):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        driver.step()
    assert seen == curve.lr.tolist()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--floor-ratio", "1.5"], "Error: --floor-ratio: must be at least 0 and below 1, got 1.5"),
        (["--floor-lr", "0.5"], "Error: --floor-lr: must be at least 0 and below the base LR (0.1), got 0.5"),
        (
            ["--floor-lr", "0.01", "--floor-ratio", "0.1"],
            "Error: --floor-lr: expected one of {min_lr: LR} or {ratio: R} (a fraction of the base LR)",
        ),
    ],
)
def test_bad_floors(cli, args, error):
    result = cli("plot", "poly", "--total-iters", "10", *args, "--no-save")
    assert (result.code, result.err) == (2, error + "\n")


def test_absolute_framework_schedules_refuse_a_floor(cli, tmp_path):
    (tmp_path / "f.yaml").write_text(
        'scheduler: {type: "optax:cosine_decay_schedule", init_value: 0.001, decay_steps: 100}\nfloor: {min_lr: 0.0001}\n'
    )
    result = cli("plot", "f.yaml", "--no-save")
    assert result.code == 2
    assert result.err == (
        "Error: f.yaml:2: floor: optax:cosine_decay_schedule sets its own LRs: give its own minimum parameter instead\n"
    )
