"""Per-group schedules: a list of lr_lambdas and per-group max_lr / base_lr / momentum lists, as torch takes them.

Every value is compared, exactly, with torch's LambdaLR / MultiplicativeLR / OneCycleLR / CyclicLR
built directly with Python lists over an optimizer with the same param groups and stepped in a
plain training loop.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrviz.errors import SpecError
from lrviz.report.code import pytorch_code
from lrviz.simulation.stepping import simulate
from lrviz.spec.expressions import Expression
from lrviz.spec.model import spec_from_dict
from lrviz.spec.yamlfile import load_spec_file, spec_from_yaml_text

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def torch_group_lrs(name: str, group_lrs: list[float], steps: int, **kwargs) -> tuple[list[list[float]], list[float]]:
    """The reference: torch's scheduler over an SGD with these param groups, stepped `steps` times;
    each group's LR per step and group 0's momentum per step."""
    import torch

    optimizer = sgd(group_lrs)
    return step_groups(optimizer, getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs), steps)


def sgd(group_lrs: list[float] | tuple[float, ...]):
    """A plain torch SGD (momentum 0.9) with one one-element parameter per group."""
    import torch

    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in group_lrs]
    return torch.optim.SGD(groups, lr=group_lrs[0], momentum=0.9)


def step_groups(optimizer, scheduler, steps: int) -> tuple[list[list[float]], list[float]]:
    """A plain training loop: each group's LR per step and group 0's momentum per step."""
    rows: list[list[float]] = [[] for _ in optimizer.param_groups]
    momentum = []
    for _ in range(steps):
        for row, value in zip(rows, scheduler.get_last_lr(), strict=True):
            row.append(value)
        momentum.append(optimizer.param_groups[0]["momentum"])
        optimizer.step()
        scheduler.step()
    return rows, momentum


def _curve(text: str):
    (curve,) = simulate(spec_from_yaml_text(text, "spec.yaml"), workers=1)
    return curve


TWO_GROUPS = "param_groups: [{name: bias, lr_scale: 10}, {name: weights}]\n"


@pytest.mark.parametrize("name", ["LambdaLR", "MultiplicativeLR"])
def test_one_lr_lambda_per_group_matches_torch(name):
    curve = _curve(
        f"lr: 0.1\nsteps: 120\nscheduler:\n  type: {name}\n"
        '  lr_lambda: ["0.5 ** (epoch // 30)", "0.95 ** epoch if epoch < 60 else 0.99"]\n' + TWO_GROUPS
    )
    expected, _ = torch_group_lrs(
        name,
        [1.0, 0.1],
        120,
        lr_lambda=[lambda epoch: 0.5 ** (epoch // 30), lambda epoch: 0.95**epoch if epoch < 60 else 0.99],
    )
    assert curve.group_lr.tolist() == expected
    assert expected[0] != [row / 0.1 for row in expected[1]]  # the groups really follow different lambdas


def test_a_single_lr_lambda_still_applies_to_every_group():
    curve = _curve('lr: 0.1\nsteps: 50\nscheduler: {type: LambdaLR, lr_lambda: "0.9 ** epoch"}\n' + TWO_GROUPS)
    expected, _ = torch_group_lrs("LambdaLR", [1.0, 0.1], 50, lr_lambda=lambda epoch: 0.9**epoch)
    assert curve.group_lr.tolist() == expected


def test_onecycle_max_lr_and_momentum_per_group_match_torch():
    curve = _curve(
        "steps: 200\nscheduler:\n  type: OneCycleLR\n  total_steps: 200\n  max_lr: [0.004, 0.04]\n"
        "  base_momentum: [0.8, 0.85]\n  max_momentum: [0.9, 0.95]\n" + TWO_GROUPS
    )
    expected, momentum = torch_group_lrs(
        "OneCycleLR",
        [1.0, 0.1],
        200,
        max_lr=[0.004, 0.04],
        total_steps=200,
        base_momentum=[0.8, 0.85],
        max_momentum=[0.9, 0.95],
    )
    assert curve.group_lr.tolist() == expected
    assert curve.momentum.tolist() == momentum
    assert max(expected[0]) == 0.004 and max(expected[1]) == 0.04


@pytest.mark.parametrize(
    ("base_lr", "max_lr", "base_yaml", "max_yaml"),
    [
        ([0.001, 0.0001], [0.1, 0.01], "[0.001, 0.0001]", "[0.1, 0.01]"),
        (0.0001, [0.1, 0.01], "0.0001", "[0.1, 0.01]"),  # a single value still applies to every group
    ],
)
def test_cyclic_base_lr_and_max_lr_per_group_match_torch(base_lr, max_lr, base_yaml, max_yaml):
    curve = _curve(
        f"steps: 150\nscheduler: {{type: CyclicLR, base_lr: {base_yaml}, max_lr: {max_yaml}, step_size_up: 20, "
        "mode: triangular2}\n" + TWO_GROUPS
    )
    expected, momentum = torch_group_lrs(
        "CyclicLR", [1.0, 0.1], 150, base_lr=base_lr, max_lr=max_lr, step_size_up=20, mode="triangular2"
    )
    assert curve.group_lr.tolist() == expected
    assert curve.momentum.tolist() == momentum


def test_lambda_lists_inside_sequential_lr_match_torch():
    import torch

    curve = _curve(
        "lr: 0.1\nsteps: 60\nscheduler:\n  type: SequentialLR\n  milestones: [10]\n  schedulers:\n"
        '    - {type: LambdaLR, lr_lambda: ["(epoch + 1) / 10", "1.0"]}\n'
        "    - {type: ExponentialLR, gamma: 0.95}\n" + TWO_GROUPS
    )
    optimizer = sgd([1.0, 0.1])
    first = torch.optim.lr_scheduler.LambdaLR(optimizer, [lambda epoch: (epoch + 1) / 10, lambda epoch: 1.0])
    second = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.95)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [first, second], milestones=[10])
    assert curve.group_lr.tolist() == step_groups(optimizer, scheduler, 60)[0]


@settings(max_examples=15, deadline=None)
@given(
    max_lrs=st.lists(st.floats(1e-5, 10.0), min_size=1, max_size=4),
    total=st.integers(20, 120),
    pct_start=st.sampled_from([0.1, 0.25, 0.3, 0.5]),
)
def test_onecycle_any_per_group_max_lr_matches_torch(max_lrs, total, pct_start):
    groups = [{"name": f"g{i}"} for i in range(len(max_lrs))]
    spec = spec_from_dict(
        {
            "steps": total,
            "scheduler": {"type": "OneCycleLR", "max_lr": max_lrs, "total_steps": total, "pct_start": pct_start},
            "param_groups": groups,
        }
    )
    (curve,) = simulate(spec, workers=1)
    expected, _ = torch_group_lrs(
        "OneCycleLR", [0.1] * len(max_lrs), total, max_lr=max_lrs, total_steps=total, pct_start=pct_start
    )
    assert curve.group_lr.tolist() == expected


def test_spec_keeps_lists_as_tuples_and_stays_hashable():
    spec = spec_from_yaml_text(
        'steps: 40\nscheduler: {type: LambdaLR, lr_lambda: ["0.9 ** epoch", "1 - epoch / 80"]}\n' + TWO_GROUPS,
        "spec.yaml",
    )
    params = spec.curves[0].scheduler.kwargs
    assert params["lr_lambda"] == (Expression("0.9 ** epoch"), Expression("1 - epoch / 80"))
    assert isinstance(hash(spec), int)
    assert spec.curves[0].label == "LambdaLR(lr_lambda=['0.9 ** epoch', '1 - epoch / 80'])"
    assert spec.curves[0].scheduler.to_dict() == {"lr_lambda": ["0.9 ** epoch", "1 - epoch / 80"]}


def test_sweeps_of_scalars_and_of_per_group_lists():
    spec = spec_from_yaml_text(
        "steps: 100\nscheduler: {type: OneCycleLR, total_steps: 100, max_lr: [0.01, 0.1]}\n"
        "sweep: {pct_start: [0.25, 0.4]}\n" + TWO_GROUPS,
        "spec.yaml",
    )
    assert [c.label for c in spec.curves] == ["pct_start=0.25", "pct_start=0.4"]
    assert {c.scheduler.kwargs["max_lr"] for c in spec.curves} == {(0.01, 0.1)}
    swept = spec_from_yaml_text(
        "steps: 100\nscheduler: {type: OneCycleLR, total_steps: 100, max_lr: 0.1}\n"
        "sweep: {max_lr: [[0.01, 0.1], 0.05]}\n" + TWO_GROUPS,
        "spec.yaml",
    )
    assert [c.label for c in swept.curves] == ["max_lr=[0.01, 0.1]", "max_lr=0.05"]
    curves = simulate(swept, workers=1)
    assert [max(row) for row in curves[0].group_lr.tolist()] == [0.01, 0.1]
    assert [max(row) for row in curves[1].group_lr.tolist()] == [0.05, 0.05]


def test_code_snippet_builds_per_group_lists_that_give_lrvizs_values():
    text = (
        "lr: 0.1\nsteps: 90\ncurves:\n"
        '  - scheduler: {type: LambdaLR, lr_lambda: ["0.5 ** (epoch // 30)", "cos(pi * epoch / 180)"]}\n'
        "    param_groups: [{name: bias, lr_scale: 10}, {name: weights}]\n"
        "  - scheduler: {type: OneCycleLR, max_lr: [0.01, 0.1], total_steps: 90, base_momentum: [0.8, 0.85]}\n"
        "    param_groups: [{name: body}, {name: head}]\n"
    )
    spec = spec_from_yaml_text(text, "spec.yaml")
    code = pytorch_code(spec)
    assert "lr_lambda=[lambda epoch: 0.5 ** (epoch // 30), lambda epoch: math.cos(math.pi * epoch / 180)]" in code
    assert "max_lr=[0.01, 0.1]" in code and "base_momentum=[0.8, 0.85]" in code
    namespace: dict = {"__name__": "__lrviz_snippet__"}
    exec(compile(code, "<lrviz --code>", "exec"), namespace)  # noqa: S102 - the code under test
    for index, curve in enumerate(simulate(spec, workers=1), start=1):
        assert namespace[f"lrs_{index}"] == curve.lr.tolist()
        # every group, not only group 0's: the snippet's make_scheduler over a fresh optimizer
        optimizer = sgd(curve.spec.group_lrs)
        rows, _ = step_groups(optimizer, namespace[f"make_scheduler_{index}"](optimizer), curve.steps)
        assert rows == curve.group_lr.tolist()


def test_export_json_has_the_lists_and_a_row_per_group(cli, tmp_path):
    (tmp_path / "spec.yaml").write_text(
        "steps: 60\nscheduler: {type: CyclicLR, base_lr: [0.001, 0.0001], max_lr: [0.1, 0.01], step_size_up: 15}\n"
        + TWO_GROUPS
    )
    result = cli("export", "spec.yaml", "-o", "out.json")
    assert result.code == 0, result.err
    (record,) = json.loads((tmp_path / "out.json").read_text())["curves"]
    assert record["params"]["base_lr"] == [0.001, 0.0001]
    assert record["params"]["max_lr"] == [0.1, 0.01]
    expected, _ = torch_group_lrs("CyclicLR", [1.0, 0.1], 60, base_lr=[0.001, 0.0001], max_lr=[0.1, 0.01], step_size_up=15)
    assert [row["name"] for row in record["param_groups"]] == ["bias", "weights"]
    assert [row["lr"] for row in record["param_groups"]] == expected
    assert record["lr"] == expected[0]


LAMBDAS = '["0.5 ** (epoch // 30)", "0.95 ** epoch"]'

ERRORS = [
    (
        f"steps: 50\nscheduler:\n  type: LambdaLR\n  lr_lambda: {LAMBDAS}\n",
        "Error: spec.yaml:4: scheduler.lr_lambda: a list of 2 values, one per param group, needs param_groups "
        "with 2 groups (without param_groups the optimizer has one); or give a single value for all groups",
    ),
    (
        "steps: 50\nscheduler:\n  type: OneCycleLR\n  total_steps: 50\n  max_lr: [0.01, 0.1, 1.0]\n" + TWO_GROUPS,
        "Error: spec.yaml:5: scheduler.max_lr: 3 values for 2 param groups: give one per group, in the order "
        "of param_groups, or a single value for all groups",
    ),
    (
        "steps: 50\ncurves:\n  - scheduler:\n      type: SequentialLR\n      milestones: [10]\n      schedulers:\n"
        '        - {type: LambdaLR, lr_lambda: ["1.0"]}\n        - {type: ExponentialLR, gamma: 0.9}\n'
        "    " + TWO_GROUPS,
        "Error: spec.yaml:7: curves[0].scheduler.schedulers[0].lr_lambda: 1 value for 2 param groups: give one "
        "per group, in the order of param_groups, or a single value for all groups",
    ),
    (
        "steps: 50\nscheduler: {type: OneCycleLR, total_steps: 50, max_lr: []}\n" + TWO_GROUPS,
        "Error: spec.yaml:2: scheduler.max_lr: expected one value per param group, got an empty list",
    ),
    (
        "steps: 50\nscheduler: {type: OneCycleLR, total_steps: 50, max_lr: [0.1, [0.2]]}\n" + TWO_GROUPS,
        "Error: spec.yaml:2: scheduler.max_lr: expected one value per param group, got a list inside the list",
    ),
    (
        "steps: 50\nscheduler: {type: OneCycleLR, total_steps: 50, max_lr: [0.1, -1]}\n" + TWO_GROUPS,
        "Error: spec.yaml:2: scheduler.max_lr: must be greater than 0, got -1",
    ),
    (
        'steps: 50\nscheduler: {type: LambdaLR, lr_lambda: ["0.9 ** epoch", "import os"]}\n' + TWO_GROUPS,
        "Error: spec.yaml:2: scheduler.lr_lambda: syntax error (invalid syntax) in expression 'import os'",
    ),
    (
        "steps: 50\nscheduler: {type: CyclicLR, base_lr: [0.01, 0.001], max_lr: [0.1, 0.0001]}\n" + TWO_GROUPS,
        "Error: spec.yaml:2: scheduler.max_lr: max_lr (0.0001) is below base_lr (0.001) for param group 1",
    ),
    (  # torch's annotation of CyclicLR's momentum is a float: lrviz takes what the annotation says
        "steps: 50\nscheduler: {type: CyclicLR, base_lr: 0.01, max_lr: 0.1, base_momentum: [0.8, 0.85]}\n"
        + TWO_GROUPS,
        "Error: spec.yaml:2: scheduler.base_momentum: expected a number, got a list",
    ),
    (
        "steps: 50\nscheduler: {type: ExponentialLR, gamma: [0.9, 0.95]}\n" + TWO_GROUPS,
        "Error: spec.yaml:2: scheduler.gamma: expected a number, got a list",
    ),
]


@pytest.mark.parametrize(("text", "error"), ERRORS)
def test_bad_per_group_lists_exit_2_with_one_line(cli, tmp_path, text, error):
    (tmp_path / "spec.yaml").write_text(text)
    result = cli("plot", "spec.yaml", "-o", "out.png")
    assert (result.code, result.err.strip(), result.out) == (2, error, "")
    assert not (tmp_path / "out.png").exists()


def test_per_group_values_are_yaml_only_and_the_flag_error_says_so(cli, tmp_path):
    result = cli("plot", "onecycle", "--max-lr", "0.01;0.1", "--total-steps", "100", "-o", "out.png")
    assert (result.code, result.err.strip()) == (
        2,
        "Error: --max-lr: expected a number, got '0.01;0.1' (one value per param group is a YAML list: "
        "max_lr: [0.01, 0.1])",
    )
    assert not (tmp_path / "out.png").exists()


def test_python_api_takes_lists_and_names_the_argument():
    spec = spec_from_dict(
        {
            "scheduler": {"type": "lambda", "lr_lambda": ["0.9 ** epoch", "1.0"]},
            "steps": 5,
            "param_groups": [{"name": "a"}, {"name": "b"}],
        }
    )
    (curve,) = simulate(spec, workers=1)
    assert curve.group_lr.tolist() == [[0.1 * 0.9**k for k in range(5)], [0.1] * 5]
    assert all(math.isfinite(v) for v in curve.lr)
    with pytest.raises(SpecError) as raised:
        spec_from_dict({"scheduler": {"type": "lambda", "lr_lambda": ["1.0", "1.0", "1.0"]}, "steps": 5})
    assert raised.value.where == "scheduler.lr_lambda"


def test_yolo_config_is_ultralytics_bias_warmup():
    """configs/param_groups_lambdas.yaml against ultralytics' BaseTrainer: np.interp warmup per
    iteration (group 0, the biases, from warmup_bias_lr; the others from 0), then LambdaLR's lf per epoch."""
    (curve,) = simulate(load_spec_file(str(CONFIGS / "param_groups_lambdas.yaml")), workers=1)
    lr0, lrf, warmup_bias_lr, epochs, per_epoch, warmup_iterations = 0.01, 0.01, 0.1, 30, 100, 300

    def lf(epoch: int) -> float:
        return max(1 - epoch / epochs, 0) * (1.0 - lrf) + lrf

    expected = []
    for j in range(2):
        row = []
        for ni in range(epochs * per_epoch):
            epoch = ni // per_epoch
            if ni <= warmup_iterations:
                start = warmup_bias_lr if j == 0 else 0.0
                row.append(float(np.interp(ni, [0, warmup_iterations], [start, lr0 * lf(epoch)])))
            else:
                row.append(lr0 * lf(epoch))
        expected.append(row)
    assert curve.group_names == ("bias", "weights")
    for ours, theirs in zip(curve.group_lr.tolist(), expected, strict=True):
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)


def test_readme_excerpt_is_the_shipped_config():
    import re
    import textwrap

    import yaml

    readme = (CONFIGS.parent / "README.md").read_text(encoding="utf-8")
    (excerpt,) = [
        block for block in re.findall(r"```yaml\n(.*?)```", readme, flags=re.S) if "lr_lambda:   #" in block
    ]
    shown = yaml.safe_load(textwrap.dedent(excerpt))
    config = yaml.safe_load((CONFIGS / "param_groups_lambdas.yaml").read_text(encoding="utf-8"))
    assert shown == {key: config[key] for key in ("scheduler", "param_groups")}
