"""megatron:OptimizerParamScheduler against Megatron-Core's own class (installed: the `frameworks` extra).

The reference is ``OptimizerParamScheduler`` over a real torch optimizer, driven as Megatron-LM's
trainer drives it: the constructor's ``step(0)``, then ``step(increment=global_batch_size)`` after
each update.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest
import torch
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

NAME = "megatron:OptimizerParamScheduler"
DEFAULTS = {"init_lr": 0.0, "min_lr": 0.0, "lr_warmup_steps": 0, "lr_decay_style": "linear", "wsd_decay_steps": None}
DEFAULTS["lr_wsd_decay_style"] = "exponential"


@pytest.fixture(scope="module")
def scheduler_class():
    with warnings.catch_warnings():  # "Transformer Engine and Apex are not installed": not about schedules
        warnings.simplefilter("ignore")
        module = pytest.importorskip("megatron.core.optimizer_param_scheduler")  # the `frameworks` extra: CI has it
    return module.OptimizerParamScheduler


def megatron_lrs(cls, params, steps):
    arguments = {**DEFAULTS, **params}
    increment = arguments.pop("increment", 1)
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=123.0)
    scheduler = cls(optimizer, **arguments, start_wd=0.0, end_wd=0.0, wd_incr_steps=1, wd_incr_style="constant")
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step(increment=increment)
    return lrs


CASES = [
    {"max_lr": 3e-4, "lr_decay_steps": 1000},
    {"max_lr": 3e-4, "min_lr": 3e-5, "lr_warmup_steps": 100, "lr_decay_steps": 1000, "lr_decay_style": "cosine"},
    {"max_lr": 1e-3, "init_lr": 1e-5, "lr_warmup_steps": 10, "lr_decay_steps": 200, "lr_decay_style": "constant"},
    {"max_lr": 1e-3, "min_lr": 1e-5, "lr_warmup_steps": 30, "lr_decay_steps": 300, "lr_decay_style": "inverse-square-root"},
    {"max_lr": 1e-3, "min_lr": 1e-5, "lr_decay_steps": 300, "lr_decay_style": "inverse-square-root"},
    {"max_lr": 6e-4, "min_lr": 6e-5, "lr_warmup_steps": 512 * 20, "lr_decay_steps": 512 * 400, "increment": 512},
    *(
        {"max_lr": 2e-4, "min_lr": 1e-6, "lr_warmup_steps": 20, "lr_decay_steps": 400, "lr_decay_style": "WSD",
         "wsd_decay_steps": 80, "lr_wsd_decay_style": style}
        for style in ("exponential", "linear", "cosine", "minus_sqrt")
    ),
]  # fmt: skip


@pytest.mark.parametrize("params", CASES)
def test_matches_megatron(scheduler_class, params):
    steps = lookup(NAME).default_steps(params) + 20
    assert_close(lrviz_function_lrs(NAME, params, steps), megatron_lrs(scheduler_class, params, steps))


@settings(max_examples=50, deadline=None)
@given(
    max_lr=st.floats(1e-6, 1.0),
    fractions=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    warmup=st.integers(0, 100),
    decay_span=st.integers(1, 300),
    style=st.sampled_from(["constant", "linear", "cosine", "inverse-square-root", "WSD"]),
    wsd=st.tuples(st.floats(0.01, 1.0), st.sampled_from(["exponential", "linear", "cosine", "minus_sqrt"])),
    increment=st.sampled_from([1, 3, 8]),
)
def test_matches_megatron_at_varied_parameters(
    scheduler_class, max_lr, fractions, warmup, decay_span, style, wsd, increment
):
    decay = warmup + decay_span
    params = {"max_lr": max_lr, "min_lr": max_lr * fractions[0], "init_lr": max_lr * fractions[1]}
    params |= {"lr_warmup_steps": warmup, "lr_decay_steps": decay, "lr_decay_style": style, "increment": increment}
    params |= {"wsd_decay_steps": max(1, round(decay * wsd[0])), "lr_wsd_decay_style": wsd[1]}
    steps = decay // increment + 10
    assert_close(lrviz_function_lrs(NAME, params, steps), megatron_lrs(scheduler_class, params, steps))


def test_simulation_cli_yaml_and_both_snippets_match_megatron(scheduler_class, cli):
    params = CASES[1]
    expected = megatron_lrs(scheduler_class, params, 1010)
    assert_close(lrviz_lrs(NAME, params, 1010), expected)
    assert_close(cli_lrs(cli, NAME, params, 1010), expected)
    assert_close(yaml_lrs(NAME, params, 1010), expected)
    values = lookup(NAME).with_defaults({**CASES[5]})
    expected = megatron_lrs(scheduler_class, CASES[5], 420)
    assert_close(snippet_lrs(lookup(NAME).torch_code(values), 420), expected)
    assert_close(snippet_lrs(lookup(NAME).framework_code(values), 420), expected)  # it silences megatron's CPU warning


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--max-lr", "1e-3", "--lr-decay-steps", "100", "--lr-warmup-steps", "100"],
         "Error: --lr-warmup-steps: must be below lr_decay_steps (100)"),
        (["--max-lr", "1e-3", "--lr-decay-steps", "100", "--lr-decay-style", "WSD"],
         "Error: --wsd-decay-steps: is required by lr_decay_style WSD"),
        (["--max-lr", "1e-3", "--lr-decay-steps", "100", "--min-lr", "0.01"],
         "Error: --max-lr: must be at least min_lr (0.01)"),
        (["--max-lr", "1e-3", "--lr-decay-steps", "100", "--init-lr", "0.01"],
         "Error: --init-lr: must be at most max_lr (0.001)"),
        (["--max-lr", "1e-3", "--lr-decay-step", "100"],
         "Error: --lr-decay-step: unknown option for megatron:OptimizerParamScheduler; did you mean '--lr-decay-steps'?"),
        (["--max-lr", "1e-3", "--lr-decay-steps", "100", "--lr", "0.1"], None),
    ],
)  # fmt: skip
def test_bad_values_give_one_line_errors(cli, args, error):
    result = cli("export", NAME, *args)
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err == f"{error}\n" if error else result.err.startswith("Error: --lr: ")


def test_framework_snippet_imports_megatron_cleanly_with_warnings_as_errors():
    values = lookup(NAME).with_defaults({"max_lr": 1e-3, "lr_decay_steps": 10})
    script = lookup(NAME).framework_code(values) + (
        "import torch\n"
        "optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)\n"
        "scheduler = make_scheduler(optimizer)\n"
        "scheduler.step()\n"
        "print(optimizer.param_groups[0]['lr'])\n"
    )
    result = subprocess.run([sys.executable, "-W", "error", "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == 1e-3 * 9 / 10  # linear decay from max_lr to 0 over 10 steps: update 1
