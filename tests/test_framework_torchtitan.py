"""torchtitan:linear_warmup_stable_decay against torchtitan's own LRSchedulersContainer.

torchtitan needs a newer torch than this project pins, so it is not installed: its released code
(PyPI ``torchtitan==0.3.0``, ``torchtitan/components/optimizer/lr_scheduler.py`` and
``torchtitan/config/configurable.py``) is loaded by framework_sources and driven as torchtitan's
trainer drives it: ``config.lr_scheduler.build(optimizers=..., training_steps=training.steps)``,
then ``optimizers.step(); lr_schedulers.step()`` per training step.
"""

from __future__ import annotations

import logging
import sys

import pytest
import torch
from framework_sources import load_module, support_module
from framework_sources.checks import (
    assert_close,
    cli_lrs,
    lrviz_function_lrs,
    lrviz_lrs,
    snippet_lrs,
    yaml_lrs,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from lrviz.schedules import lookup

RELEASE = ("torchtitan", "0.3.0")
NAME = "torchtitan:linear_warmup_stable_decay"
CONFIG_KEYS = ("warmup_steps", "total_steps", "decay_ratio", "decay_type", "min_lr_factor")


@pytest.fixture(scope="module")
def torchtitan_scheduler():
    """torchtitan's own lr_scheduler module (its logging and optimizer container are not scheduling code)."""
    observability = support_module("torchtitan.observability", structured_logger=support_module("sl"))
    configurable = load_module(
        *RELEASE,
        "torchtitan/config/configurable.py",
        "torchtitan.config.configurable",
        {"torchtitan.observability": observability},
    )
    support = {
        "torchtitan.config": support_module("torchtitan.config", Configurable=configurable.Configurable),
        "torchtitan.tools.logging": support_module("torchtitan.tools.logging", logger=logging.getLogger("torchtitan")),
        "torchtitan.components.optimizer.optimizer": support_module("optimizer", OptimizersContainer=list),
    }
    return load_module(
        *RELEASE,
        "torchtitan/components/optimizer/lr_scheduler.py",
        "torchtitan.components.optimizer.lr_scheduler",
        support,
    )


def torchtitan_lrs(module, params, steps, lr=0.1):
    """The trainer's loop: build from the config and training.steps, step after each optimizer step."""
    config = module.LRSchedulersContainer.Config(**{k: params[k] for k in CONFIG_KEYS if k in params})
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    schedulers = config.build(optimizers=[optimizer], training_steps=params.get("training_steps", 10000))
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedulers.step()
    return lrs


def test_defaults_match_torchtitan(torchtitan_scheduler):
    assert_close(lrviz_lrs(NAME, {}, 10001, lr=8e-4), torchtitan_lrs(torchtitan_scheduler, {}, 10001, lr=8e-4))


@pytest.mark.parametrize("decay_type", ["linear", "sqrt", "cosine"])
def test_wsd_with_min_lr_factor_matches_torchtitan(torchtitan_scheduler, decay_type):
    params = {"training_steps": 300, "warmup_steps": 20, "decay_ratio": 0.3, "decay_type": decay_type}
    params["min_lr_factor"] = 0.1
    assert_close(lrviz_lrs(NAME, params, 310, lr=3e-4), torchtitan_lrs(torchtitan_scheduler, params, 310, lr=3e-4))


@settings(max_examples=60, deadline=None)
@given(
    training_steps=st.integers(1, 400),
    warmup_steps=st.integers(0, 450),
    total_steps=st.none() | st.integers(1, 400),
    decay_ratio=st.none() | st.floats(0.0, 1.5),
    decay_type=st.sampled_from(["linear", "sqrt", "cosine"]),
    min_lr_factor=st.floats(0.0, 1.0),
    lr=st.floats(1e-6, 1.0),
)
def test_matches_torchtitan_at_varied_parameters(
    torchtitan_scheduler, training_steps, warmup_steps, total_steps, decay_ratio, decay_type, min_lr_factor, lr
):
    params = {"training_steps": training_steps, "warmup_steps": warmup_steps, "total_steps": total_steps}
    params |= {"decay_ratio": decay_ratio, "decay_type": decay_type, "min_lr_factor": min_lr_factor}
    spec = lookup(NAME)
    if spec.problems(params):
        return  # torchtitan would fail its own assertion: lrviz refuses these (tested below)
    steps = (params["total_steps"] or params["training_steps"]) + 1  # the virtual last step included
    expected = torchtitan_lrs(torchtitan_scheduler, params, steps, lr=lr)
    assert_close(lrviz_function_lrs(NAME, params, steps, lr=lr), expected)


def test_cli_yaml_and_both_code_snippets_match_torchtitan(torchtitan_scheduler, cli, monkeypatch):
    params = {"training_steps": 120, "warmup_steps": 10, "decay_ratio": 0.25, "decay_type": "cosine"}
    params["min_lr_factor"] = 0.05
    expected = torchtitan_lrs(torchtitan_scheduler, params, 125, lr=2e-3)
    assert_close(yaml_lrs(NAME, params, 125, lr=2e-3), expected)
    values = lookup(NAME).with_defaults(params)
    assert_close(snippet_lrs(lookup(NAME).torch_code(values), 125, lr=2e-3), expected)
    monkeypatch.setitem(sys.modules, "torchtitan.components.optimizer.lr_scheduler", torchtitan_scheduler)
    assert_close(snippet_lrs(lookup(NAME).framework_code(values), 125, lr=2e-3), expected)


def test_cli_export_matches_torchtitan(torchtitan_scheduler, cli):
    params = {"training_steps": 400, "total_steps": 380, "decay_ratio": 0.3, "decay_type": "sqrt"}
    expected = torchtitan_lrs(torchtitan_scheduler, params, 400, lr=2e-3)
    assert_close(cli_lrs(cli, NAME, params, 400, lr=2e-3), expected)


def test_cli_warmup_steps_reaches_torchtitan(torchtitan_scheduler, cli):
    params = {"training_steps": 120, "warmup_steps": 10}
    assert_close(cli_lrs(cli, NAME, params, 121), torchtitan_lrs(torchtitan_scheduler, params, 121))


def test_zero_decay_steps_and_bad_values_give_one_line_errors(cli):
    result = cli("export", NAME, "--training-steps", "100", "--decay-ratio", "0.001")
    assert (result.code, result.err) == (
        2,
        "Error: --decay-ratio: leaves 0 decay steps: torchtitan fails an assertion after the stable phase\n",
    )
    result = cli("export", NAME, "--decay-type", "exp")
    assert result.code == 2 and result.err.startswith("Error: --decay-type: ") and result.err.count("\n") == 1
    result = cli("export", NAME, "--min-lr", "0.1")
    assert (result.code, result.err) == (
        2,
        "Error: --min-lr: unknown option for torchtitan:linear_warmup_stable_decay; did you mean '--min-lr-factor'?\n",
    )
