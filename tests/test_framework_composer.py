"""composer:* against MosaicML Composer's own schedulers.

Composer (``mosaicml``) pulls torchvision and torchmetrics, so it is not installed: its released code
(PyPI ``mosaicml==0.32.1``: ``composer/optim/scheduler.py``, ``composer/core/time.py``,
``composer/core/serializable.py``, ``composer/utils/string_enum.py``) is loaded by framework_sources.
Each scheduler is compiled with Composer's own ``compile_composer_scheduler`` over a State stand-in
holding what a scheduler reads (``timestamp``, ``max_duration``, ``dataloader_len``, ``optimizers``),
and stepped as the Trainer does: ``timestamp.to_next_batch()`` then ``scheduler.step()`` after each
batch, ``timestamp.to_next_epoch()`` after each epoch.
"""

from __future__ import annotations

import sys
import warnings
from types import SimpleNamespace

import pytest
import torch
from framework_sources import load_module, support_module
from framework_sources.checks import (
    assert_close,
    cli_lrs,
    export_error,
    lrviz_function_lrs,
    lrviz_lrs,
    snippet_lrs,
    yaml_lrs,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from lrviz.schedules import lookup

RELEASE = ("mosaicml", "0.32.1")


@pytest.fixture(scope="module")
def composer():
    """(scheduler module, time module) from Composer's release."""
    string_enum = load_module(*RELEASE, "composer/utils/string_enum.py", "composer.utils.string_enum")
    serializable = load_module(*RELEASE, "composer/core/serializable.py", "composer.core.serializable")
    time = load_module(
        *RELEASE, "composer/core/time.py", "composer.core.time",
        {"composer.core.serializable": serializable, "composer.utils": support_module("composer.utils", StringEnum=string_enum.StringEnum)},
    )  # fmt: skip
    core = support_module(
        "composer.core", State=object, Time=time.Time, TimeUnit=time.TimeUnit, Timestamp=time.Timestamp
    )
    scheduler = load_module(
        *RELEASE, "composer/optim/scheduler.py", "composer.optim.scheduler", {"composer.core": core}
    )
    return scheduler, time, core


def composer_lrs(composer, cls, arguments, max_duration, dataloader_len, steps, lr=0.1):
    scheduler_module, time, _ = composer
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    state = SimpleNamespace(
        optimizers=[optimizer],
        max_duration=time.Time.from_timestring(max_duration),
        dataloader_len=dataloader_len,
        timestamp=time.Timestamp(),
    )
    lrs = []
    with warnings.catch_warnings():  # composer warns of a warmup that rounds to 0 batches, then runs without one
        warnings.filterwarnings("ignore", message="The warmup duration is 0")
        compiled = scheduler_module.compile_composer_scheduler(getattr(scheduler_module, cls)(**arguments), state)
        for k in range(steps):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            state.timestamp = state.timestamp.to_next_batch()
            compiled.step()
            if dataloader_len and (k + 1) % dataloader_len == 0:
                state.timestamp = state.timestamp.to_next_epoch()
    return lrs


def arguments_of(params):
    """lrviz's parameters as Composer's constructor arguments (milestones: a list)."""
    arguments = {k: v for k, v in params.items() if k not in ("max_duration", "dataloader_len")}
    if "milestones" in arguments:
        arguments["milestones"] = arguments["milestones"].split()
    return arguments


CASES = [
    ("StepScheduler", {"step_size": "3ep", "gamma": 0.5, "max_duration": "10ep", "dataloader_len": 7}),
    ("StepScheduler", {"step_size": "0.3dur", "max_duration": "100ba"}),
    ("MultiStepScheduler", {"milestones": "30ba 2ep 0.8dur", "gamma": 0.3, "max_duration": "5ep", "dataloader_len": 20}),
    ("ConstantScheduler", {"alpha": 0.3, "t_max": "0.4dur", "max_duration": "50ba"}),
    ("ConstantScheduler", {"max_duration": "3ep", "dataloader_len": 9}),
    ("LinearScheduler", {"alpha_i": 0.8, "alpha_f": 0.05, "t_max": "2ep", "max_duration": "3ep", "dataloader_len": 11}),
    ("LinearScheduler", {"max_duration": "77ba"}),
    ("ExponentialScheduler", {"gamma": 0.9, "max_duration": "6ep", "dataloader_len": 13}),
    ("ExponentialScheduler", {"gamma": 0.5, "decay_period": "7ba", "max_duration": "40ba"}),
    ("CosineAnnealingScheduler", {"alpha_f": 0.01, "max_duration": "4ep", "dataloader_len": 25}),
    ("CosineAnnealingScheduler", {"t_max": "0.6dur", "max_duration": "90ba"}),
    ("CosineAnnealingWarmRestartsScheduler", {"t_0": "2ep", "t_mult": 2.0, "alpha_f": 0.1, "max_duration": "14ep", "dataloader_len": 5}),
    ("CosineAnnealingWarmRestartsScheduler", {"t_0": "7ba", "t_mult": 1.5, "max_duration": "100ba"}),
    ("PolynomialScheduler", {"power": 2.0, "max_duration": "120ba"}),
    ("PolynomialScheduler", {"power": 0.5, "t_max": "0.5dur", "alpha_f": 0.2, "max_duration": "2ep", "dataloader_len": 30}),
    ("MultiStepWithWarmupScheduler", {"t_warmup": "10ba", "milestones": "50ba 80ba", "max_duration": "100ba"}),
    ("ConstantWithWarmupScheduler", {"t_warmup": "0.1dur", "alpha": 0.5, "max_duration": "2ep", "dataloader_len": 40}),
    ("LinearWithWarmupScheduler", {"t_warmup": "15ba", "alpha_i": 0.9, "alpha_f": 0.1, "max_duration": "100ba"}),
    ("LinearWithWarmupScheduler", {"t_warmup": "1ep", "t_max": "1.2dur", "max_duration": "3ep", "dataloader_len": 10}),
    ("CosineAnnealingWithWarmupScheduler", {"t_warmup": "0.05dur", "alpha_f": 0.01, "max_duration": "10ep", "dataloader_len": 12}),
    ("PolynomialWithWarmupScheduler", {"t_warmup": "20ba", "power": 3.0, "alpha_f": 0.02, "max_duration": "150ba"}),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_matches_composer(composer, cls, params):
    steps = lookup(f"composer:{cls}").default_steps(params) + 5
    expected = composer_lrs(
        composer, cls, arguments_of(params), params["max_duration"], params.get("dataloader_len"), steps
    )
    assert_close(lrviz_function_lrs(f"composer:{cls}", params, steps), expected)


@settings(max_examples=30, deadline=None)
@given(
    loader=st.integers(1, 30),
    epochs=st.integers(1, 8),
    warmup=st.floats(0.01, 0.9),
    power=st.floats(0.2, 4.0),
    alpha_f=st.floats(0.0, 1.0),
    cls=st.sampled_from(
        ["CosineAnnealingWithWarmupScheduler", "PolynomialWithWarmupScheduler", "LinearWithWarmupScheduler"]
    ),
)
def test_warmup_schedulers_at_varied_parameters(composer, loader, epochs, warmup, power, alpha_f, cls):
    params = {"t_warmup": f"{warmup}dur", "alpha_f": alpha_f, "max_duration": f"{epochs}ep", "dataloader_len": loader}
    if cls == "PolynomialWithWarmupScheduler":
        params["power"] = power
    if lookup(f"composer:{cls}").problems(params):
        return
    steps = loader * epochs + 3
    expected = composer_lrs(composer, cls, arguments_of(params), params["max_duration"], loader, steps, lr=0.7)
    assert_close(lrviz_function_lrs(f"composer:{cls}", params, steps, lr=0.7), expected)


def test_simulation_cli_yaml_and_both_snippets_match_composer(composer, cli, monkeypatch):
    cls, params = CASES[11]
    steps = 75
    expected = composer_lrs(
        composer, cls, arguments_of(params), params["max_duration"], params["dataloader_len"], steps, lr=3e-3
    )
    assert_close(lrviz_lrs(f"composer:{cls}", params, steps, lr=3e-3), expected)
    assert_close(cli_lrs(cli, f"composer:{cls}", params, steps, lr=3e-3), expected)
    assert_close(yaml_lrs(f"composer:{cls}", params, steps, lr=3e-3), expected)
    scheduler_module, _, core = composer
    monkeypatch.setitem(sys.modules, "composer.core", core)
    monkeypatch.setitem(sys.modules, "composer.optim.scheduler", scheduler_module)
    monkeypatch.setitem(sys.modules, "composer", support_module("composer"))
    monkeypatch.setitem(sys.modules, "composer.optim", support_module("composer.optim"))
    for cls, params in (CASES[2], CASES[11], CASES[16]):
        values = lookup(f"composer:{cls}").with_defaults(params)
        expected = composer_lrs(
            composer, cls, arguments_of(params), params["max_duration"], params.get("dataloader_len"), 80, lr=3e-3
        )
        assert_close(snippet_lrs(lookup(f"composer:{cls}").torch_code(values), 80, lr=3e-3), expected)
        assert_close(snippet_lrs(lookup(f"composer:{cls}").framework_code(values), 80, lr=3e-3), expected)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["CosineAnnealingScheduler", "--max-duration", "10"], "Error: --max-duration: expected a time like 10ep, 100ba or 0.1dur, got '10'"),
        (["CosineAnnealingScheduler", "--max-duration", "10ep"], "Error: --dataloader-len: is needed to turn epochs into batches"),
        (["StepScheduler", "--step-size", "1.5ep", "--max-duration", "10ba"], "Error: --step-size: '1.5ep': ep needs a whole number"),
        (["LinearWithWarmupScheduler", "--t-warmup", "10ba", "--t-max", "50ba", "--max-duration", "100ba"],
         "Error: --t-max: is 50 batches, shorter than max_duration (100): composer raises"),
        (["PolynomialScheduler", "--powr", "2", "--max-duration", "100ba"],
         "Error: --powr: unknown option for composer:PolynomialScheduler; did you mean '--power'?"),
    ],
)  # fmt: skip
def test_bad_values_give_one_line_errors(cli, args, error):
    assert export_error(cli, f"composer:{args[0]}", *args[1:]) == error
