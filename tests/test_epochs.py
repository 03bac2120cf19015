"""Epochs and iterations (issue 12 item 2): `steps_per_epoch` and a scheduler stepped `by_epoch`.

The reference is a torch scheduler stepped once per epoch by a loop written out here: its value
at epoch e is the LR of optimizer steps e*N .. e*N+N-1.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import lrviz
from lrviz.cli.options import PlotView
from lrviz.errors import SpecError
from lrviz.rendering.figure import render
from lrviz.report.code import pytorch_code
from lrviz.simulation.schedule import Schedule
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens
from lrviz.spec.yamlfile import spec_from_yaml_text


def torch_by_epoch(name: str, steps: int, per_epoch: int, lr: float = 0.1, metric=None, **kwargs) -> list[float]:
    """A training loop of `steps` optimizer steps whose scheduler.step() comes at each epoch's end."""
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr, momentum=0.9)
    scheduler = getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs)
    lrs = []
    for step in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if (step + 1) % per_epoch == 0:
            scheduler.step(metric[step]) if metric is not None else scheduler.step()
    return lrs


PLATEAU_METRIC = [1.0 / (1 + k // 7) if k < 40 else 0.2 for k in range(90)]

CASES = {
    "multistep in epochs": (
        {"type": "MultiStepLR", "milestones": [8, 11], "gamma": 0.1},
        "MultiStepLR",
        {"milestones": [8, 11], "gamma": 0.1},
        13,
        120,
    ),
    "cosine T_max in epochs": ({"type": "cosine", "T_max": 12}, "CosineAnnealingLR", {"T_max": 12}, 7, 90),
    "step": ({"type": "step", "step_size": 3, "gamma": 0.5}, "StepLR", {"step_size": 3, "gamma": 0.5}, 10, 95),
}


@pytest.mark.parametrize("name", list(CASES))
def test_by_epoch_values_are_torch_stepped_once_per_epoch(name):
    scheduler, torch_name, kwargs, per_epoch, steps = CASES[name]
    spec = lrviz.spec_for(scheduler.pop("type"), **scheduler, by_epoch=True, steps_per_epoch=per_epoch, steps=steps)
    curve = simulate(spec)[0]
    assert curve.lr.tolist() == torch_by_epoch(torch_name, steps, per_epoch, **kwargs)
    # the value holds within each epoch
    epochs = curve.lr[: steps // per_epoch * per_epoch].reshape(-1, per_epoch)
    assert (epochs == epochs[:, :1]).all()


def test_plateau_by_epoch_takes_the_last_metric_of_each_epoch():
    per_epoch, steps = 9, 90
    spec = lrviz.spec_for(
        "plateau", patience=1, factor=0.5, metric=PLATEAU_METRIC, steps=steps, steps_per_epoch=per_epoch, by_epoch=True
    )
    curve = simulate(spec)[0]
    expected = torch_by_epoch("ReduceLROnPlateau", steps, per_epoch, metric=PLATEAU_METRIC, patience=1, factor=0.5)
    assert curve.lr.tolist() == expected
    assert len(set(expected)) > 2  # the metric plateaus, so the LR is really reduced


def test_warmup_counts_optimizer_steps_on_a_by_epoch_scheduler():
    text = "steps_per_epoch: 10\nsteps: 130\nwarmup: {steps: 25, factor: 0.001}\n"
    text += "scheduler: {type: MultiStepLR, milestones: [8, 11], by_epoch: true}\n"
    curve = simulate(spec_from_yaml_text(text, "e.yaml"))[0]
    plain = torch_by_epoch("MultiStepLR", 130, 10, milestones=[8, 11])
    factors = [0.001 * (1 - k / 25) + k / 25 if k < 25 else 1.0 for k in range(130)]
    np.testing.assert_allclose(curve.lr, np.array(plain) * factors, rtol=1e-15, atol=0)
    assert curve.lr[80] == pytest.approx(0.01) and curve.lr[79] == pytest.approx(0.1)


def test_default_run_of_a_by_epoch_scheduler_is_its_default_in_epochs():
    plain = lrviz.spec_for("cosine", T_max=12).curves[0]
    by_epoch = lrviz.spec_for("cosine", T_max=12, by_epoch=True, steps_per_epoch=50).curves[0]
    assert by_epoch.steps == plain.steps * 50


def test_yaml_file_level_and_curve_level_steps_per_epoch():
    text = """
steps_per_epoch: 20
steps: 100
curves:
  - scheduler: {type: step, step_size: 2, by_epoch: true}
  - scheduler: {type: step, step_size: 2, by_epoch: true}
    steps_per_epoch: 5
  - scheduler: {type: step, step_size: 2}
"""
    spec = spec_from_yaml_text(text, "e.yaml")
    assert [(c.steps_per_epoch, c.by_epoch) for c in spec.curves] == [(20, True), (5, True), (20, False)]
    first, second, third = simulate(spec)
    assert first.lr.tolist() == torch_by_epoch("StepLR", 100, 20, step_size=2)
    assert second.lr.tolist() == torch_by_epoch("StepLR", 100, 5, step_size=2)
    assert third.lr.tolist() == torch_by_epoch("StepLR", 100, 1, step_size=2)  # stepped every step


def test_flags_match_yaml():
    flags = spec_from_tokens(
        ["multistep", "--milestones", "8,11", "--by-epoch", "--steps-per-epoch", "10"], CurveFlags()
    )
    text = "steps_per_epoch: 10\nscheduler: {type: multistep, milestones: [8, 11], by_epoch: true}\n"
    yaml = spec_from_yaml_text(text, "e.yaml")
    assert flags.curves[0].by_epoch and flags.curves[0].steps_per_epoch == 10
    assert simulate(flags)[0].lr.tolist() == simulate(yaml)[0].lr.tolist()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["step", "--step-size", "2", "--by-epoch"],
            "Error: --by-epoch: a scheduler stepped by epoch needs --steps-per-epoch (optimizer steps per epoch)",
        ),
        (
            ["step", "--step-size", "2", "--by-epoch", "--steps-per-epoch", "0"],
            "Error: --steps-per-epoch: must be at least 1, got 0",
        ),
        (
            ["step", "--step-size", "2", "--by-epoch", "--steps-per-epoch", "-3"],
            "Error: --steps-per-epoch: must be at least 1, got -3",
        ),
    ],
)
def test_bad_flags_are_one_error_line(cli, tmp_path, args, line):
    result = cli("export", *args)
    assert result.code == 2
    assert result.err.splitlines() == [line]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "scheduler: {type: step, step_size: 2, by_epoch: true}\n",
            "Error: e.yaml:1: scheduler.by_epoch: a scheduler stepped by epoch needs steps_per_epoch "
            "(optimizer steps per epoch)",
        ),
        (
            "steps_per_epoch: 0\nscheduler: {type: step, step_size: 2, by_epoch: true}\n",
            "Error: e.yaml:1: steps_per_epoch: must be at least 1, got 0",
        ),
        (
            "steps_per_epoch: 10\nscheduler: {type: step, step_size: 2, by_epoch: maybe}\n",
            "Error: e.yaml:2: scheduler.by_epoch: expected true or false, got 'maybe'",
        ),
    ],
)
def test_bad_yaml_is_one_error_line(cli, tmp_path, text, line):
    (tmp_path / "e.yaml").write_text(text)
    result = cli("export", "e.yaml")
    assert result.code == 2
    assert result.err.splitlines() == [line]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.yaml"]


def test_by_epoch_from_python_needs_steps_per_epoch():
    with pytest.raises(SpecError, match="needs steps_per_epoch"):
        lrviz.spec_for("step", step_size=2, by_epoch=True)


def test_export_records_steps_per_epoch_and_by_epoch(cli):
    result = cli("export", "step", "--step-size", "2", "--by-epoch", "--steps-per-epoch", "4", "--steps", "20")
    assert result.code == 0, result.err
    (record,) = json.loads(result.out)["curves"]
    assert record["steps_per_epoch"] == 4 and record["by_epoch"] is True
    assert record["lr"] == torch_by_epoch("StepLR", 20, 4, step_size=2)
    plain = json.loads(cli("export", "step", "--step-size", "2", "--steps", "20").out)["curves"][0]
    assert "steps_per_epoch" not in plain and "by_epoch" not in plain


@pytest.mark.parametrize(
    "text",
    [
        "steps_per_epoch: 10\nsteps: 130\nwarmup: {steps: 25}\nscheduler: {type: multistep, milestones: [8, 11], "
        "by_epoch: true}\n",
        "steps_per_epoch: 6\nsteps: 60\nwarmup: {steps: 8, mode: shift}\nscheduler: {type: cosine, T_max: 8, "
        "by_epoch: true}\n",
        "steps_per_epoch: 9\nsteps: 90\nmetric: [" + ", ".join(map(str, PLATEAU_METRIC)) + "]\n"
        "scheduler: {type: plateau, patience: 1, factor: 0.5, by_epoch: true}\n",
    ],
    ids=["multistep+warmup", "cosine+shift warmup", "plateau"],
)
def test_code_snippet_steps_at_epoch_ends_and_gives_lrviz_values(text):
    spec = spec_from_yaml_text(text, "e.yaml")
    code = pytorch_code(spec)
    assert "% " + str(spec.curves[0].steps_per_epoch) + " == 0" in code
    namespace: dict = {"__name__": "__lrviz_snippet__"}
    exec(compile(code, "<lrviz --code>", "exec"), namespace)  # noqa: S102 - the code under test
    assert namespace["lrs"] == simulate(spec)[0].lr.tolist()


def test_schedule_driver_steps_a_real_sgd_by_epoch():
    spec = lrviz.spec_for(
        "multistep", milestones=[3, 5], steps=70, steps_per_epoch=10, by_epoch=True, warmup={"steps": 15}
    )
    param = torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.SGD([param], lr=5.0, momentum=0.9)
    driver = Schedule(spec.curves[0]).build(optimizer)
    seen = []
    for _ in range(70):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.zero_grad()
        (param**2).sum().backward()
        optimizer.step()
        driver.step()
    assert seen == simulate(spec)[0].lr.tolist()


@pytest.mark.parametrize("source", ["yaml", "flags"])
def test_the_figure_epoch_axis_follows_the_spec(source):
    if source == "yaml":
        spec = spec_from_yaml_text("steps_per_epoch: 25\nscheduler: {type: cosine, T_max: 4, by_epoch: true}\n", "e")
    else:
        spec = spec_from_tokens(["cosine", "--t-max", "4", "--by-epoch", "--steps-per-epoch", "25"], CurveFlags())
    figure = render(simulate(spec), PlotView().render_options(spec, False))
    (top,) = figure.axes[0].child_axes
    assert top.get_xlabel() == "epoch (25 steps)"
    # --epoch-axis still wins for the figure
    figure = render(
        simulate(spec), PlotView(steps_per_epoch="50", epoch_axis_flag="--epoch-axis").render_options(spec, False)
    )
    (top,) = figure.axes[0].child_axes
    assert top.get_xlabel() == "epoch (50 steps)"


def test_cli_plot_steps_per_epoch_is_the_axis_and_the_curve_unit(cli, tmp_path):
    result = cli("plot", "step", "--step-size", "2", "--by-epoch", "--steps-per-epoch", "5", "-o", "s.png")
    assert result.code == 0, result.err
    assert (tmp_path / "s.png").stat().st_size > 0


def test_onecycle_keeps_its_own_steps_per_epoch(cli):
    result = cli("export", "onecycle", "--max-lr", "1", "--epochs", "2", "--steps-per-epoch", "10")
    assert result.code == 0, result.err
    (record,) = json.loads(result.out)["curves"]
    assert record["params"]["steps_per_epoch"] == 10 and "by_epoch" not in record and "steps_per_epoch" not in record


def test_mmengine_schedulers_keep_their_own_by_epoch_parameter():
    flags = spec_from_tokens(
        ["mmengine:LinearLR", "--start-factor", "0.001", "--by-epoch", "false", "--end", "50"], CurveFlags()
    )
    text = "scheduler: {type: mmengine:LinearLR, start_factor: 0.001, by_epoch: false, end: 50}\n"
    for spec in (flags, spec_from_yaml_text(text, "e.yaml")):
        (curve,) = spec.curves
        assert not curve.by_epoch and curve.scheduler.kwargs["by_epoch"] is False
