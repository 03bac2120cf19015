"""fvcore:* against the real fvcore ParamSchedulers, run by an LRMultiplier written from detectron2's
documented semantics (tests/framework_sources/detectron2_reference.py) and stepped as detectron2's
trainer steps it."""

from __future__ import annotations

import json
import re
import shlex

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrviz
from lrviz import schedules
from lrviz.schedules import base

fvcore_schedulers = pytest.importorskip("fvcore.common.param_scheduler")  # `frameworks` extra: installed in CI
from framework_sources import detectron2_reference as reference  # noqa: E402 - needs fvcore
from framework_sources.detectron2_trainer import trainer_lrs  # noqa: E402


def fvcore_lrs(type_name, kwargs, max_iter, steps=None, lr=0.1):
    multiplier = _fvcore_object(type_name, kwargs)
    return trainer_lrs(lambda opt: reference.LRMultiplier(opt, multiplier, max_iter=max_iter), steps or max_iter, lr)


def _fvcore_object(type_name, kwargs):
    kwargs = dict(kwargs)
    if type_name == "CompositeParamScheduler":
        kwargs["schedulers"] = [_fvcore_object(c["type"], {k: v for k, v in c.items() if k != "type"}) for c in kwargs["schedulers"]]
        kwargs["interval_scaling"] = kwargs["interval_scaling"].split(",")
    return getattr(fvcore_schedulers, type_name)(**kwargs)


def lrviz_lrs(type_name, params, steps, lr=0.1):
    return list(lrviz.simulate(lrviz.spec_for(f"fvcore:{type_name}", steps=steps, lr=lr, **params))[0].lr)


def assert_agree(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float), rtol=1e-12, atol=0)


CASES = [
    ("ConstantParamScheduler", {"value": 0.5}, 20),
    ("CosineParamScheduler", {"start_value": 1.0, "end_value": 0.01}, 50),
    ("CosineParamScheduler", {"start_value": 0.001, "end_value": 1.0}, 7),
    ("ExponentialParamScheduler", {"start_value": 2.0, "decay": 0.02}, 40),
    ("LinearParamScheduler", {"start_value": 0.0001, "end_value": 1.0}, 33),
    ("MultiStepParamScheduler", {"values": [1, 0.1, 0.01], "milestones": [30, 60], "num_updates": 90}, 90),
    ("MultiStepParamScheduler", {"values": [1, 0.1, 0.01], "num_updates": 90}, 45),
    ("MultiStepParamScheduler", {"values": [1, 0.1, 0.01], "milestones": [3, 6, 9]}, 100),
    ("PolynomialDecayParamScheduler", {"base_value": 1.0, "power": 0.9}, 64),
    ("StepParamScheduler", {"num_updates": 120, "values": [1, 0.1, 0.01, 0.001]}, 120),
    ("StepParamScheduler", {"num_updates": 7, "values": [1, 0.5, 0.25]}, 13),
    ("StepWithFixedGammaParamScheduler", {"base_value": 1.0, "num_decays": 3, "gamma": 0.1, "num_updates": 120}, 100),
]

COMPOSITES = [
    ([{"type": "ConstantParamScheduler", "value": 0.42}, {"type": "CosineParamScheduler", "start_value": 0.42, "end_value": 1e-4}],
     [0.3, 0.7], "rescaled,rescaled", 100),
    ([{"type": "LinearParamScheduler", "start_value": 0.001, "end_value": 1.0}, {"type": "CosineParamScheduler", "start_value": 1.0, "end_value": 0.0}],
     [0.1, 0.9], "rescaled,fixed", 37),
    ([{"type": "LinearParamScheduler", "start_value": 0.1, "end_value": 1.0}, {"type": "StepParamScheduler", "num_updates": 4, "values": [1.0, 0.5]},
      {"type": "ExponentialParamScheduler", "start_value": 0.5, "decay": 0.1}], [0.2, 0.3, 0.5], "fixed,rescaled,fixed", 50),
]  # fmt: skip


@pytest.mark.parametrize(("type_name", "kwargs", "max_iter"), CASES, ids=lambda v: str(v)[:40])
def test_each_member_equals_fvcore_through_lr_multiplier(type_name, kwargs, max_iter):
    assert_agree(lrviz_lrs(type_name, {**kwargs, "max_iter": max_iter}, max_iter), fvcore_lrs(type_name, kwargs, max_iter))


@pytest.mark.parametrize(("children", "lengths", "scaling", "max_iter"), COMPOSITES, ids=["warmup", "fixed", "three"])
def test_composite_equals_fvcore(children, lengths, scaling, max_iter):
    kwargs = {"schedulers": children, "lengths": lengths, "interval_scaling": scaling}
    expected = fvcore_lrs("CompositeParamScheduler", kwargs, max_iter)
    schedule = schedules.lookup("fvcore:CompositeParamScheduler")
    given = {**kwargs, "schedulers": base.parse_mapping_list(children, "schedulers"), "max_iter": max_iter}
    assert schedule.problems(given) == []
    function = schedule.lr_function(given, 0.1)
    assert_agree([function(k) for k in range(max_iter)], expected)
    for source in (schedule.framework_code(schedule.with_defaults(given)), schedule.torch_code(schedule.with_defaults(given))):
        assert_agree(_run(source, max_iter), expected)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    type_name=st.sampled_from(["CosineParamScheduler", "LinearParamScheduler", "ExponentialParamScheduler", "PolynomialDecayParamScheduler"]),
    a=st.floats(1e-4, 10.0),
    b=st.floats(1e-4, 1.0),
    max_iter=st.integers(1, 500),
    lr=st.floats(1e-6, 1.0),
)
def test_random_continuous_schedules_equal_fvcore(type_name, a, b, max_iter, lr):
    names = {"CosineParamScheduler": ("start_value", "end_value"), "LinearParamScheduler": ("start_value", "end_value"),
             "ExponentialParamScheduler": ("start_value", "decay"), "PolynomialDecayParamScheduler": ("base_value", "power")}[type_name]  # fmt: skip
    kwargs = dict(zip(names, (a, b), strict=True))
    assert_agree(lrviz_lrs(type_name, {**kwargs, "max_iter": max_iter}, max_iter, lr), fvcore_lrs(type_name, kwargs, max_iter, lr=lr))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.floats(1e-3, 1.0), min_size=1, max_size=6), num_updates=st.integers(6, 300), max_iter=st.integers(1, 400))
def test_random_step_schedules_equal_fvcore(values, num_updates, max_iter):
    for type_name, kwargs in [("StepParamScheduler", {"num_updates": num_updates, "values": values}),
                              ("MultiStepParamScheduler", {"values": values, "num_updates": num_updates})]:  # fmt: skip
        try:
            _fvcore_object(type_name, kwargs)
        except ValueError as refusal:  # fvcore refuses it: so does lrviz, naming a parameter
            with pytest.raises(lrviz.SpecError, match=re.escape(str(refusal))):
                lrviz_lrs(type_name, {**kwargs, "max_iter": max_iter}, max_iter)
            continue
        assert_agree(lrviz_lrs(type_name, {**kwargs, "max_iter": max_iter}, max_iter), fvcore_lrs(type_name, kwargs, max_iter))


def test_the_step_after_the_last_update_is_not_an_error():
    """fvcore's StepParamScheduler has no value at where = 1 (iteration max_iter): lrviz's run of
    max_iter updates must not fail on the scheduler.step() after the last one."""
    lrs = lrviz_lrs("StepParamScheduler", {"num_updates": 4, "values": [1.0, 0.5], "max_iter": 8}, 8)
    assert lrs == [0.1] * 4 + [0.05] * 4


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--start-valu", "1", "--end-value", "0", "--max-iter", "10"], "Error: --start-valu: unknown option for fvcore:CosineParamScheduler; did you mean '--start-value'?"),
        (["--start-value", "1", "--end-value", "0", "--max-iter", "0"], "Error: --max-iter: must be at least 1, got 0"),
        (["--start-value", "1", "--end-value", "0"], "Error: --max-iter: fvcore:CosineParamScheduler needs --max-iter: The total number of training iterations."),
    ],
)  # fmt: skip
def test_bad_parameter_is_one_error_line(cli, args, error):
    result = cli("export", "fvcore:CosineParamScheduler", *args, "--format", "json")
    assert (result.code, result.out, result.err.strip()) == (2, "", error)


def test_fvcore_refusals_name_the_parameter(cli):
    result = cli("export", "fvcore:MultiStepParamScheduler", "--values", "1,0.1", "--milestones", "50", "--num-updates", "40", "--max-iter", "10")
    assert result.code == 2
    assert result.err.strip() == "Error: --milestones: fvcore refuses it: Milestone must be smaller than total number of updates: num_updates=40, milestone=50"


def test_cli_export_json_equals_fvcore(cli):
    result = cli("export", "fvcore:StepWithFixedGammaParamScheduler", "--base-value", "1", "--num-decays", "2", "--gamma", "0.5", "--num-updates", "30", "--max-iter", "30", "--lr", "0.3", "--format", "json")
    assert result.code == 0, result.err
    expected = fvcore_lrs("StepWithFixedGammaParamScheduler", {"base_value": 1.0, "num_decays": 2, "gamma": 0.5, "num_updates": 30}, 30, lr=0.3)
    assert_agree(json.loads(result.out)["curves"][0]["lr"], expected)


def test_yaml_form_equals_fvcore(cli, tmp_path):
    (tmp_path / "s.yaml").write_text('scheduler: {type: "fvcore:PolynomialDecayParamScheduler", base_value: 1.0, power: 2, max_iter: 40}\nlr: 0.5\n')
    result = cli("export", "s.yaml", "--format", "json")
    assert result.code == 0, result.err
    assert_agree(json.loads(result.out)["curves"][0]["lr"], fvcore_lrs("PolynomialDecayParamScheduler", {"base_value": 1.0, "power": 2}, 40, lr=0.5))


@pytest.mark.parametrize("schedule", [s for s in schedules.family("fvcore").schedules if s.example and not s.example.endswith(".yaml")], ids=lambda s: s.name)
def test_every_example_runs(cli, schedule):
    words = shlex.split(schedule.example)
    assert words[:3] == ["lrviz", "plot", schedule.full_name]
    result = cli("export", *words[2:], "--format", "json")
    assert result.code == 0, result.err


def _run(source, steps, lr=0.1):
    namespace: dict = {}
    exec(compile(source, "<code>", "exec"), namespace)  # what --code prints, run as a user would
    return trainer_lrs(namespace["make_scheduler"], steps, lr)


@pytest.mark.parametrize(("type_name", "kwargs", "max_iter"), CASES, ids=lambda v: str(v)[:40])
def test_framework_code_and_torch_code_match(type_name, kwargs, max_iter):
    schedule = schedules.lookup(f"fvcore:{type_name}")
    params = schedule.with_defaults({**kwargs, "max_iter": max_iter})
    ours = lrviz_lrs(type_name, {**kwargs, "max_iter": max_iter}, max_iter)
    imports = [line for line in schedule.torch_code(params).splitlines() if line.startswith(("import", "from"))]
    assert sorted(imports) == ["import bisect", "import math", "import torch"]
    assert_agree(_run(schedule.framework_code(params), max_iter), ours)
    assert_agree(_run(schedule.torch_code(params), max_iter), ours)
