"""mmengine:* against the real mmengine, built by its registry and stepped by its ParamSchedulerHook.

The reference is mmengine's own code end to end: ``PARAM_SCHEDULERS.build`` with the runner's
``default_args`` (optimizer, ``epoch_length=len(train_dataloader)``), and the runner's hook calls
after each iteration, after each epoch and after validation (with the metric), on a real SGD.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import types
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrviz
from lrviz import schedules
from lrviz.schedules import base
from lrviz.simulation.stepping import make_optimizer

pytest.importorskip("mmengine")  # in the `frameworks` extra, which `test` installs: never skipped in CI
with warnings.catch_warnings():
    # mmengine's imports call torch APIs torch 2.13 deprecates (torch.jit.script): not ours to fix
    warnings.simplefilter("ignore", DeprecationWarning)
    import mmengine.optim  # noqa: F401 - registers the schedulers
    from mmengine.hooks import ParamSchedulerHook
    from mmengine.optim import OptimWrapper
    from mmengine.registry import PARAM_SCHEDULERS

INF = int(1e9)


def mmengine_values(configs, steps, lr=0.1, epoch_length=1, metric=None, group_lrs=None):
    """(lrs, momenta) of update k: mmengine's schedulers stepped as its runner steps them
    (with `group_lrs`, lrs holds one list per param group)."""
    import torch

    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": group_lr} for group_lr in group_lrs or [lr]]
    optimizer = torch.optim.SGD(groups, lr=(group_lrs or [lr])[0], momentum=0.9)
    optim_wrapper = OptimWrapper(optimizer)
    runner_args = dict(optimizer=optim_wrapper, epoch_length=epoch_length)  # as Runner builds them
    built = [PARAM_SCHEDULERS.build(dict(config), default_args=runner_args) for config in configs]
    runner = types.SimpleNamespace(param_schedulers=built)  # all the hook reads of the runner
    hook = ParamSchedulerHook()
    lrs, momenta = [], []
    for k in range(steps):
        lrs.append([group["lr"] for group in optimizer.param_groups] if group_lrs else optimizer.param_groups[0]["lr"])
        momenta.append(optimizer.param_groups[0]["momentum"])
        optim_wrapper.step()  # what OptimWrapper.update_params does in train_step
        hook.after_train_iter(runner, batch_idx=k % epoch_length)
        if (k + 1) % epoch_length == 0:
            hook.after_train_epoch(runner)
            if metric is not None:
                hook.after_val_epoch(runner, metrics={"loss": metric[k]})
    return lrs, momenta


def assert_agree(ours, theirs):
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


def lrviz_lrs(name, steps, lr=0.1, **params):
    return list(lrviz.simulate(lrviz.spec_for(f"mmengine:{name}", steps=steps, lr=lr, **params))[0].lr)


# (member, its parameters, steps): defaults, windows, by-epoch with and without conversion
CASES = [
    ("ConstantLR", {}, 30),
    ("ConstantLR", {"factor": 0.5, "begin": 2, "end": 7, "epoch_length": 3}, 40),
    ("ConstantLR", {"factor": 0.2, "end": 5, "by_epoch": False}, 10),
    ("CosineAnnealingLR", {"T_max": 20, "by_epoch": False}, 60),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min_ratio": 0.1, "epoch_length": 4}, 100),
    ("CosineAnnealingLR", {"eta_min": 1e-3, "begin": 3, "end": 13, "convert_to_iter_based": True, "epoch_length": 7}, 120),
    ("CosineAnnealingLR", {"T_max": 5, "begin": 2, "end": 30, "by_epoch": False}, 40),
    ("CosineRestartLR", {"periods": [10, 20], "restart_weights": [1.0, 0.5], "eta_min": 0.0, "by_epoch": False}, 40),
    ("CosineRestartLR", {"periods": [3, 5], "restart_weights": [1.0, 0.7], "eta_min_ratio": 0.05, "epoch_length": 5, "convert_to_iter_based": True}, 50),
    ("CosineRestartLR", {"periods": [4, 4], "restart_weights": [0.9, 0.3], "eta_min": 0.01, "begin": 1, "end": 6}, 12),
    ("ExponentialLR", {"gamma": 0.9}, 30),
    ("ExponentialLR", {"gamma": 0.8, "begin": 2, "end": 6, "epoch_length": 5}, 40),
    ("LinearLR", {}, 10),
    ("LinearLR", {"start_factor": 0.001, "by_epoch": False, "begin": 0, "end": 50}, 60),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.5, "end": 4, "epoch_length": 6, "convert_to_iter_based": True}, 30),
    ("MultiStepLR", {"milestones": [8, 11]}, 14),
    ("MultiStepLR", {"milestones": [2, 2, 5], "gamma": 0.5, "epoch_length": 3, "end": 12}, 40),
    ("MultiStepLR", {"milestones": [1, 3], "epoch_length": 4, "convert_to_iter_based": True, "begin": 1}, 30),
    ("OneCycleLR", {"eta_max": 0.01, "total_steps": 50, "by_epoch": False}, 50),
    ("OneCycleLR", {"eta_max": 0.3, "total_steps": 40, "three_phase": True, "anneal_strategy": "linear", "by_epoch": False}, 40),
    ("OneCycleLR", {"eta_max": 0.05, "end": 10, "pct_start": 0.25, "epoch_length": 4}, 40),
    ("OneCycleLR", {"eta_max": 0.05, "total_steps": 6, "div_factor": 10.0, "final_div_factor": 100.0, "epoch_length": 3, "convert_to_iter_based": True}, 18),
    ("PolyLR", {"end": 20, "by_epoch": False}, 25),
    ("PolyLR", {"eta_min": 1e-4, "power": 0.9, "begin": 3, "end": 30, "by_epoch": False}, 40),
    ("PolyLR", {"power": 2.0, "end": 8, "epoch_length": 5, "convert_to_iter_based": True}, 45),
    ("StepLR", {"step_size": 3}, 20),
    ("StepLR", {"step_size": 2, "gamma": 0.5, "epoch_length": 5, "begin": 1, "end": 9}, 60),
    ("StepLR", {"step_size": 2, "gamma": 0.3, "epoch_length": 4, "convert_to_iter_based": True}, 30),
]  # fmt: skip


def _config(name, params):
    """The mmengine config entry of a member's parameters (epoch_length is the runner's)."""
    return {"type": name, **{k: v for k, v in params.items() if k != "epoch_length"}}


@pytest.mark.parametrize(("name", "params", "steps"), CASES, ids=lambda v: str(v)[:40])
def test_each_member_equals_mmengine(name, params, steps):
    expected, _ = mmengine_values([_config(name, params)], steps, epoch_length=params.get("epoch_length", 1))
    assert_agree(lrviz_lrs(name, steps, **params), expected)


def test_linear_lr_ends_at_end_minus_one_as_mmengine_does():
    """The 0.2-7 % trap of the issue: mmengine's LinearLR reaches end_factor at step end - 1."""
    lrs = lrviz_lrs("LinearLR", 6, start_factor=0.5, end=5, by_epoch=False)
    assert lrs[4] == pytest.approx(0.1) and lrs[3] < 0.1
    assert_agree(lrs, mmengine_values([{"type": "LinearLR", "start_factor": 0.5, "end": 5, "by_epoch": False}], 6)[0])


def test_param_groups_each_follow_mmengine():
    """eta_min is absolute, so two groups are not one curve scaled: each is mmengine's own."""
    config = {"type": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.01, "by_epoch": False}
    expected, _ = mmengine_values([config], 15, group_lrs=[0.1, 0.03])
    spec = lrviz.spec_for("mmengine:CosineAnnealingLR", T_max=10, eta_min=0.01, by_epoch=False, steps=15, lr=0.1,
                          param_groups=[{"name": "body"}, {"name": "head", "lr": 0.03}])  # fmt: skip
    assert_agree(lrviz.simulate(spec)[0].group_lr.T, expected)


def test_by_epoch_holds_within_an_epoch_and_conversion_does_not():
    held = lrviz_lrs("ExponentialLR", 12, gamma=0.5, epoch_length=4)
    assert held[:4] == [0.1] * 4 and held[4:8] == [0.05] * 4
    converted = lrviz_lrs("ExponentialLR", 12, gamma=0.5, epoch_length=4, convert_to_iter_based=True)
    assert converted[1] == 0.05


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["CosineAnnealingLR", "LinearLR", "PolyLR", "OneCycleLR"]),
    begin=st.integers(0, 5),
    length=st.integers(2, 40),
    epoch_length=st.integers(1, 4),
    by_epoch=st.booleans(),
    convert=st.booleans(),
    factor=st.floats(0.01, 1.0),
    power=st.floats(0.1, 3.0),
)
def test_random_windows_equal_mmengine(name, begin, length, epoch_length, by_epoch, convert, factor, power):
    params = {"begin": begin, "end": begin + length, "by_epoch": by_epoch, "epoch_length": epoch_length}
    params["convert_to_iter_based"] = convert and by_epoch
    params.update(
        {
            "CosineAnnealingLR": {"eta_min_ratio": factor / 2},
            "LinearLR": {"start_factor": factor, "end_factor": min(1.0, factor * power)},
            "PolyLR": {"power": power, "eta_min": 1e-3 * factor},
            "OneCycleLR": {"eta_max": factor, "pct_start": min(1.0, power / 4)},
        }[name]
    )
    steps = (begin + length) * (epoch_length if by_epoch else 1) + 3
    if name == "OneCycleLR":  # mmengine's OneCycle raises past its last step: stop with the window
        steps -= 3
        problems = schedules.lookup("mmengine:OneCycleLR").problems(params)
        if problems:  # a one-step warmup: mmengine divides by zero, lrviz refuses it
            assert problems[0][0] == "pct_start"
            with pytest.raises(ZeroDivisionError):
                mmengine_values([_config(name, params)], steps, epoch_length=epoch_length)
            return
    expected, _ = mmengine_values([_config(name, params)], steps, epoch_length=epoch_length)
    assert_agree(lrviz_lrs(name, steps, **params), expected)


def test_reduce_on_plateau_equals_mmengine_with_the_metric_at_each_epoch_end():
    rng = np.random.default_rng(0)
    metric = list(np.repeat(np.concatenate([np.linspace(2, 1, 10), 1 + 0.01 * rng.random(30)]), 1))
    params = {"patience": 2, "factor": 0.5, "cooldown": 1, "min_value": 0.01, "epoch_length": 1}
    expected, _ = mmengine_values(
        [{"type": "ReduceOnPlateauLR", **{k: v for k, v in params.items() if k != "epoch_length"}}], 40, metric=metric
    )
    ours = lrviz.simulate(lrviz.spec_for("mmengine:ReduceOnPlateauLR", steps=40, lr=0.1, metric=metric, **params))[0].lr
    assert_agree(ours, expected)
    assert min(ours) < 0.1  # the metric plateaued: the LR was reduced


def test_reduce_on_plateau_over_epochs_of_iterations():
    metric = [3.0 - 0.001 * k if k < 20 else 2.99 for k in range(60)]
    params = {"patience": 1, "rule": "less", "threshold_rule": "abs", "threshold": 0.01}
    expected, _ = mmengine_values([{"type": "ReduceOnPlateauLR", **params}], 60, epoch_length=5, metric=metric)
    ours = lrviz.simulate(
        lrviz.spec_for("mmengine:ReduceOnPlateauLR", steps=60, lr=0.1, metric=metric, epoch_length=5, **params)
    )[0].lr
    assert_agree(ours, expected)


# --------------------------------------------------------------------------- the param_scheduler list

LISTS = [
    # mmdetection's schedule_1x: iteration warmup, then epoch milestones
    ([{"type": "LinearLR", "start_factor": 0.001, "by_epoch": False, "begin": 0, "end": 50},
      {"type": "MultiStepLR", "begin": 0, "end": 12, "by_epoch": True, "milestones": [8, 11], "gamma": 0.1}], 20, 260),
    # two active at once: a warmup over the first part of a cosine (mmpretrain style, converted)
    ([{"type": "LinearLR", "start_factor": 0.01, "by_epoch": True, "end": 3, "convert_to_iter_based": True},
      {"type": "CosineAnnealingLR", "eta_min_ratio": 0.01, "by_epoch": True, "begin": 0, "end": 10, "convert_to_iter_based": True}], 7, 80),
    # mmseg: PolyLR by iteration after a warmup, and a momentum schedule alongside
    ([{"type": "LinearLR", "start_factor": 1e-6, "by_epoch": False, "begin": 0, "end": 15},
      {"type": "PolyLR", "eta_min": 0.0, "power": 1.0, "begin": 15, "end": 60, "by_epoch": False},
      {"type": "CosineAnnealingMomentum", "T_max": 30, "eta_min": 0.85, "by_epoch": False}], 1, 70),
    # overlapping windows that stack: a constant and an exponential, both epoch-based
    ([{"type": "ConstantLR", "factor": 0.5, "end": 4},
      {"type": "ExponentialLR", "gamma": 0.9, "begin": 2, "end": 8},
      {"type": "StepMomentum", "step_size": 2, "gamma": 0.9, "by_epoch": False}], 3, 30),
]  # fmt: skip


def list_values(entries, epoch_length, steps, lr=0.1):
    """lrviz's `mmengine:param_scheduler` built on lrviz's own dummy optimizer, stepped as simulate() does."""
    schedule = schedules.lookup("mmengine:param_scheduler")
    given = {"param_scheduler": base.parse_mapping_list(entries, "param_scheduler"), "epoch_length": epoch_length}
    assert schedule.problems(given) == []
    optimizer = make_optimizer((lr,))
    scheduler = schedule.build(optimizer, given)
    lrs, momenta = [], []
    for _ in range(steps):
        lrs.append(scheduler.get_last_lr()[0])
        momenta.append(optimizer.param_groups[0]["momentum"])
        optimizer.step()
        scheduler.step()
    return lrs, momenta


@pytest.mark.parametrize(
    ("entries", "epoch_length", "steps"), LISTS, ids=["schedule_1x", "overlap", "momentum", "stacked"]
)
def test_param_scheduler_list_equals_mmengine_runner(entries, epoch_length, steps):
    expected_lrs, expected_momenta = mmengine_values(entries, steps, epoch_length=epoch_length)
    lrs, momenta = list_values(entries, epoch_length, steps)
    assert_agree(lrs, expected_lrs)
    assert_agree(momenta, expected_momenta)
    # the same list through the schedule's formula (what lr_function gives)
    formula = schedules.lookup("mmengine:param_scheduler").lr_function(
        {"param_scheduler": base.parse_mapping_list(entries, "x"), "epoch_length": epoch_length}, 0.1
    )
    assert_agree([formula(k) for k in range(steps)], expected_lrs)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"type": "LinerLR"}], "entry 1: unknown type 'LinerLR'; did you mean 'LinearLR'?"),
        ([{"type": "StepLR", "step_size": 2}, {"type": "MultiStepLR", "milestone": [2]}],
         "entry 2 (MultiStepLR): unknown key 'milestone'; did you mean 'milestones'?"),
        ([{"type": "StepLR"}], "entry 1 (StepLR): missing step_size"),
        ([{"type": "LinearLR", "begin": 5, "end": 5}], "entry 1 (LinearLR) end: must be larger than begin (5), got 5"),
        ([{"type": "ReduceOnPlateauLR"}], "entry 1: unknown type 'ReduceOnPlateauLR' (it is stepped with a metric: use mmengine:ReduceOnPlateauLR on its own)"),
        ([], "expected a non-empty list of mappings, each with a type"),
    ],
)  # fmt: skip
def test_param_scheduler_list_problems_name_the_entry(entries, message):
    schedule = schedules.lookup("mmengine:param_scheduler")
    assert schedule.problems({"param_scheduler": entries, "epoch_length": 1}) == [("param_scheduler", message)]


def test_parse_mapping_list_is_hashable_and_refuses_other_shapes():
    from lrviz.errors import SpecError

    parsed = base.parse_mapping_list([{"type": "StepLR", "step_size": 2, "milestones": [1, 2]}], "k")
    hash(parsed)
    assert dict(parsed[0]) == {"type": "StepLR", "step_size": 2, "milestones": (1, 2)}
    for bad, message in [("StepLR", "expected a list of mappings"), ([1], "item 1: expected a mapping, got 1")]:
        with pytest.raises(SpecError) as error:
            base.parse_mapping_list(bad, "k")
        assert (error.value.where, error.value.message) == ("k", message)


# --------------------------------------------------------------------------- CLI, YAML, errors, code


def test_cli_export_json_equals_mmengine(cli):
    result = cli(
        "export",
        "mmengine:MultiStepLR",
        "--milestones",
        "2,4",
        "--gamma",
        "0.5",
        "--epoch-length",
        "3",
        "--steps",
        "20",
        "--lr",
        "0.2",
        "--format",
        "json",
    )
    assert result.code == 0, result.err
    exported = json.loads(result.out)["curves"][0]["lr"]
    expected, _ = mmengine_values(
        [{"type": "MultiStepLR", "milestones": [2, 4], "gamma": 0.5}], 20, lr=0.2, epoch_length=3
    )
    assert_agree(exported, expected)


def test_yaml_form_equals_mmengine(cli, tmp_path):
    (tmp_path / "s.yaml").write_text(
        'scheduler: {type: "mmengine:CosineAnnealingLR", T_max: 8, eta_min_ratio: 0.1, by_epoch: false, begin: 2, end: 10}\n'
        "steps: 14\nlr: 0.05\n"
    )
    result = cli("export", "s.yaml", "--format", "json")
    assert result.code == 0, result.err
    config = {"type": "CosineAnnealingLR", "T_max": 8, "eta_min_ratio": 0.1, "by_epoch": False, "begin": 2, "end": 10}
    assert_agree(json.loads(result.out)["curves"][0]["lr"], mmengine_values([config], 14, lr=0.05)[0])


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--step-sz", "3"], "Error: --step-sz: unknown option for mmengine:StepLR; did you mean '--step-size'?"),
        (["--step-size", "0"], "Error: --step-size: must be at least 1, got 0"),
        (["--step-size", "2", "--begin", "4", "--end", "3"], "Error: --end: must be larger than begin (4), got 3"),
        (["--step-size", "2", "--epoch-length", "0"], "Error: --epoch-length: must be at least 1, got 0"),
        (["--step-size", "2", "--by-epoch", "false", "--convert-to-iter-based", "true"],
         "Error: --convert-to-iter-based: only an epoch-based scheduler (by_epoch true) can be converted"),
    ],
)  # fmt: skip
def test_bad_parameter_is_one_error_line(cli, args, error):
    result = cli("export", "mmengine:StepLR", *args, "--format", "json")
    assert (result.code, result.out, result.err.strip()) == (2, "", error)


def test_one_cycle_keeps_the_optimizer_lr_before_its_window_and_needs_eta_max(cli):
    lrs = lrviz_lrs("OneCycleLR", 8, lr=0.5, eta_max=0.1, begin=3, end=8, by_epoch=False)
    assert lrs[:3] == [0.5] * 3 and lrs[3] == pytest.approx(0.1 / 25)
    no_peak = cli("export", "mmengine:OneCycleLR", "--total-steps", "10")
    assert (no_peak.code, no_peak.err.strip()) == (2, "Error: --eta-max: must be greater than 0, got 0")


@pytest.mark.parametrize("schedule", [s for s in schedules.family("mmengine").schedules if s.example and not s.example.endswith(".yaml")], ids=lambda s: s.name)
def test_every_example_runs(cli, schedule):
    words = shlex.split(schedule.example)
    assert words[:3] == ["lrviz", "plot", schedule.full_name]
    result = cli("export", *words[2:], "--format", "json")
    assert result.code == 0, result.err
    assert len(json.loads(result.out)["curves"][0]["lr"]) > 1


def _run_code(source, steps, lr=0.1, metric=None):
    namespace: dict = {}
    exec(compile(source, "<code>", "exec"), namespace)  # the snippet --code prints, run as a user would
    lrs, _ = _step(namespace["make_scheduler"], steps, lr, metric)
    return lrs


def _step(make_scheduler, steps, lr, metric):
    import torch

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=0.9)
    scheduler = make_scheduler(optimizer)
    lrs, momenta = [], []
    for k in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        momenta.append(optimizer.param_groups[0]["momentum"])
        optimizer.step()
        scheduler.step(metric[k]) if metric is not None else scheduler.step()
    return lrs, momenta


def _imports(source):
    return {line for line in source.splitlines() if line.startswith(("import", "from"))}


@pytest.mark.parametrize(("name", "params", "steps"), CASES[::3], ids=lambda v: str(v)[:40])
def test_framework_code_and_torch_code_match(name, params, steps):
    schedule = schedules.lookup(f"mmengine:{name}")
    full = schedule.with_defaults(params)
    ours = lrviz_lrs(name, steps, **params)
    assert_agree(_run_code(schedule.framework_code(full), steps), ours)
    torch_source = schedule.torch_code(full)
    assert not [line for line in _imports(torch_source) if "mmengine" in line or "lrviz" in line]
    assert_agree(_run_code(torch_source, steps), ours)


@pytest.mark.parametrize(("entries", "epoch_length", "steps"), LISTS, ids=["schedule_1x", "overlap", "momentum", "stacked"])
def test_code_of_a_list_matches_with_its_momentum(entries, epoch_length, steps):
    schedule = schedules.lookup("mmengine:param_scheduler")
    given = {"param_scheduler": base.parse_mapping_list(entries, "x"), "epoch_length": epoch_length}
    expected_lrs, expected_momenta = list_values(entries, epoch_length, steps)
    for source in (schedule.framework_code(schedule.with_defaults(given)), schedule.torch_code(schedule.with_defaults(given))):
        namespace: dict = {}
        exec(compile(source, "<code>", "exec"), namespace)
        lrs, momenta = _step(namespace["make_scheduler"], steps, 0.1, None)
        assert_agree(lrs, expected_lrs)
        assert_agree(momenta, expected_momenta)
    assert schedule.sets_momentum(given) == any(e["type"].endswith("Momentum") for e in entries)


def test_code_of_reduce_on_plateau_is_stepped_with_the_metric():
    metric = [1.0] * 30
    schedule = schedules.lookup("mmengine:ReduceOnPlateauLR")
    full = schedule.with_defaults({"patience": 2, "epoch_length": 2})
    expected, _ = mmengine_values([{"type": "ReduceOnPlateauLR", "patience": 2}], 30, epoch_length=2, metric=metric)
    for source in (schedule.framework_code(full), schedule.torch_code(full)):
        assert_agree(_run_code(source, 30, metric=metric), expected)
    assert min(expected) < 0.1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["StepLR", "MultiStepLR", "ExponentialLR", "ConstantLR", "CosineRestartLR"]),
    begin=st.integers(0, 4),
    length=st.integers(2, 30),
    epoch_length=st.integers(1, 5),
    by_epoch=st.booleans(),
    convert=st.booleans(),
    size=st.integers(1, 6),
    gamma=st.floats(0.05, 0.99),
)
def test_random_step_members_equal_mmengine(name, begin, length, epoch_length, by_epoch, convert, size, gamma):
    params = {"begin": begin, "end": begin + length, "by_epoch": by_epoch, "epoch_length": epoch_length}
    params["convert_to_iter_based"] = convert and by_epoch
    params.update(
        {
            "StepLR": {"step_size": size, "gamma": gamma},
            "MultiStepLR": {"milestones": [size, size + 3, size + 3], "gamma": gamma},
            "ExponentialLR": {"gamma": gamma},
            "ConstantLR": {"factor": gamma},
            "CosineRestartLR": {"periods": [size, size + 2], "restart_weights": [1.0, gamma], "eta_min_ratio": gamma / 10},
        }[name]
    )
    steps = (begin + length + 2) * (epoch_length if by_epoch else 1)
    expected, _ = mmengine_values([_config(name, params)], steps, epoch_length=epoch_length)
    assert_agree(lrviz_lrs(name, steps, **params), expected)


def test_listing_the_families_imports_no_framework_or_torch():
    code = (
        "import sys\nfrom lrviz import schedules\n"
        "names = [n for n in schedules.all_names() if n.split(':')[0] in ('mmengine', 'fvcore', 'detectron2')]\n"
        "print(len(names), sorted({'torch', 'numpy', 'mmengine', 'fvcore'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["24", "[]"]
