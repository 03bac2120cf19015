"""The one pipeline: a Spec keeps what torch refuses at run time as data, `run` decides what to do with it."""

from __future__ import annotations

import pytest
import torch

import lrviz
from lrviz.errors import SpecError, SpecProblem
from lrviz.pipeline import Request, load, run
from lrviz.spec.flags import CurveFlags, spec_from_tokens

TOO_LONG = ["onecycle", "--max-lr", "0.1", "--total-steps", "100"]


def test_a_run_longer_than_onecycle_is_a_problem_of_the_spec_not_a_parse_error():
    spec = spec_from_tokens(TOO_LONG, CurveFlags(steps="150"))
    assert spec.problems == (
        SpecProblem(
            "--steps",
            "150 steps is longer than OneCycleLR allows: it was built for 100 steps and torch raises 'Tried to step "
            "101 times' on the scheduler.step() after optimizer step 100; set --total-steps to at least 150 or "
            "--steps to at most 100",
        ),
    )


def test_strict_run_raises_the_first_problem_and_lenient_run_explains_it():
    spec = spec_from_tokens(TOO_LONG, CurveFlags(steps="150"))
    with pytest.raises(SpecError) as raised:
        run(spec)
    assert str(raised.value).startswith("--steps: 150 steps is longer than OneCycleLR allows")
    result = run(spec, Request(strict=False))
    assert [f.rule for f in result.warnings] == ["onecycle-run-too-long"]
    assert len(result.curves[0].lr) == 100  # simulated as far as torch runs it


def test_every_fractional_t_mult_is_a_problem_with_its_key_path(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "steps: 30\ncurves:\n"
        "  - {scheduler: {type: CosineAnnealingWarmRestarts, T_0: 5, T_mult: 1.5}}\n"
        "  - {scheduler: {type: CosineAnnealingWarmRestarts, T_0: 5, T_mult: 2.5}}\n"
    )
    spec = load(str(path))
    assert [(p.where, p.message) for p in spec.problems] == [
        (f"{path}:3: curves[0].scheduler.T_mult", "expected an integer, got 1.5"),
        (f"{path}:4: curves[1].scheduler.T_mult", "expected an integer, got 2.5"),
    ]
    assert {f.rule for f in run(spec, Request(strict=False)).findings} == {"cosine-restarts-fractional-tmult"}


def test_run_gives_torchs_values_and_the_warnings_plot_prints():
    spec = lrviz.spec_for("multistep", milestones=[60, 60, 80], gamma=0.5, steps=100)
    result = run(spec)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[60, 60, 80], gamma=0.5)
    expected = []
    for _ in range(100):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert result.curves[0].lr.tolist() == expected
    assert [f.rule for f in result.warnings] == ["multistep-duplicate-milestones"]
    (warning,) = result.warnings
    assert result.marked_steps == [(step, warning.curve, warning.rule) for step in warning.steps]
    assert run(spec, Request(findings=False)).findings == []


def test_load_takes_a_spec_a_path_or_a_mapping(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("scheduler: {type: cosine, T_max: 10}\n")
    from_path = load(str(path))
    from_mapping = load({"scheduler": {"type": "cosine", "T_max": 10}})
    assert from_path.curves[0].scheduler == from_mapping.curves[0].scheduler
    assert from_path.sources == (str(path),) and from_mapping.sources == ()
    assert load(from_path) is from_path
