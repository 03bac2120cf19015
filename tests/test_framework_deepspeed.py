"""deepspeed:* against DeepSpeed's own schedulers (the installed library, the `frameworks` extra).

The reference is DeepSpeed's class over a real torch optimizer, stepped as its engine does: the
constructor writes the first LR, and ``lr_scheduler.step()`` follows every optimizer step.
"""

from __future__ import annotations

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

lr_schedules = pytest.importorskip("deepspeed.runtime.lr_schedules")  # in the `frameworks` extra: CI has it


def deepspeed_lrs(cls: str, params, steps: int, lr: float = 0.1) -> list[float]:
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = getattr(lr_schedules, cls)(optimizer, **params)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()  # the engine's _take_model_step
    return lrs


CASES = [
    ("WarmupLR", {}, 2100),
    ("WarmupLR", {"warmup_min_lr": 1e-5, "warmup_max_lr": 3e-3, "warmup_num_steps": 50, "warmup_type": "linear"}, 80),
    ("WarmupLR", {"warmup_num_steps": 1}, 6),  # raised to 2 by DeepSpeed
    ("WarmupDecayLR", {"total_num_steps": 3000}, 3003),
    ("WarmupDecayLR", {"total_num_steps": 100, "warmup_num_steps": 30, "warmup_type": "linear"}, 110),
    ("WarmupDecayLR", {"total_num_steps": 20, "warmup_num_steps": 40, "warmup_min_lr": 1e-4}, 50),
    ("WarmupCosineLR", {"total_num_steps": 3000}, 3003),
    ("WarmupCosineLR", {"total_num_steps": 90, "warmup_num_steps": 10, "warmup_min_ratio": 0.1, "cos_min_ratio": 0.01,
                        "warmup_type": "linear"}, 100),
    ("OneCycle", {"cycle_min_lr": 1e-4, "cycle_max_lr": 1e-2}, 4100),
    ("OneCycle", {"cycle_min_lr": 1e-4, "cycle_max_lr": 1e-3, "cycle_first_step_size": 30, "cycle_second_step_size": 50,
                  "decay_lr_rate": 0.3, "decay_step_size": 7}, 130),
    ("OneCycle", {"cycle_min_lr": 0.0, "cycle_max_lr": 1.0, "cycle_first_step_size": 17, "cycle_first_stair_count": 4,
                  "cycle_second_step_size": 9, "cycle_second_stair_count": 3}, 60),
    ("LRRangeTest", {}, 4100),
    ("LRRangeTest", {"lr_range_test_min_lr": 1e-5, "lr_range_test_step_size": 7, "lr_range_test_step_rate": 2.5,
                     "lr_range_test_staircase": True}, 50),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "params", "steps"), CASES)
def test_matches_deepspeed(cls, params, steps):
    lr = None if lookup(f"deepspeed:{cls}").absolute else 7e-4
    expected = deepspeed_lrs(cls, params, steps, lr=lr or 0.5)
    assert_close(lrviz_function_lrs(f"deepspeed:{cls}", params, steps, lr=lr or 0.5), expected)


@pytest.mark.parametrize("cls", ["WarmupLR", "WarmupCosineLR", "OneCycle"])
def test_simulation_and_torch_code_match_deepspeed(cls):
    params = dict(next(p for c, p, _ in CASES[1:] if c == cls and p))
    steps = 140
    schedule = lookup(f"deepspeed:{cls}")
    lr = None if schedule.absolute else 2e-3
    expected = deepspeed_lrs(cls, params, steps, lr=lr or 1.0)
    assert_close(lrviz_lrs(f"deepspeed:{cls}", params, steps, lr=lr), expected)
    values = schedule.with_defaults(params)
    assert_close(snippet_lrs(schedule.torch_code(values), steps, lr=lr or 0.3), expected)
    assert_close(snippet_lrs(schedule.framework_code(values), steps, lr=lr or 0.3), expected)


@settings(max_examples=40, deadline=None)
@given(
    total=st.integers(1, 300),
    warmup=st.integers(1, 300),
    low=st.floats(0.0, 1.0),
    warmup_type=st.sampled_from(["log", "linear"]),
    cls=st.sampled_from(["WarmupDecayLR", "WarmupCosineLR"]),
)
def test_warmup_schedules_match_deepspeed_at_varied_parameters(total, warmup, low, warmup_type, cls):
    params = {"total_num_steps": total, "warmup_num_steps": warmup, "warmup_type": warmup_type}
    params |= (
        {"warmup_min_lr": low * 1e-3} if cls == "WarmupDecayLR" else {"warmup_min_ratio": low, "cos_min_ratio": low / 3}
    )
    steps = max(total, warmup) + 5
    assert_close(
        lrviz_function_lrs(f"deepspeed:{cls}", params, steps, lr=0.25), deepspeed_lrs(cls, params, steps, 0.25)
    )


@settings(max_examples=40, deadline=None)
@given(
    first=st.integers(1, 60),
    second=st.none() | st.integers(0, 60),
    first_stairs=st.integers(0, 8),
    second_stairs=st.none() | st.integers(0, 8),
    decay_rate=st.floats(0.0, 2.0),
    decay_step=st.integers(0, 20),
)
def test_one_cycle_matches_deepspeed_at_varied_parameters(
    first, second, first_stairs, second_stairs, decay_rate, decay_step
):
    params = {
        "cycle_min_lr": 1e-4,
        "cycle_max_lr": 5e-3,
        "cycle_first_step_size": first,
        "cycle_second_step_size": second,
    }
    params |= {"cycle_first_stair_count": first_stairs, "cycle_second_stair_count": second_stairs}
    params |= {"decay_lr_rate": decay_rate, "decay_step_size": decay_step}
    if second == 0 and (second_stairs or (second_stairs is None and first_stairs)):
        return  # DeepSpeed divides by the empty second half here: ZeroDivisionError
    steps = first + (first if second is None else second) + 30
    assert_close(lrviz_function_lrs("deepspeed:OneCycle", params, steps), deepspeed_lrs("OneCycle", params, steps))


def test_cli_and_yaml_match_deepspeed(cli):
    params = {"total_num_steps": 60, "warmup_num_steps": 10, "warmup_min_ratio": 0.05, "warmup_type": "log"}
    expected = deepspeed_lrs("WarmupCosineLR", params, 70, lr=3e-4)
    assert_close(cli_lrs(cli, "deepspeed:WarmupCosineLR", params, 70, lr=3e-4), expected)
    assert_close(yaml_lrs("deepspeed:WarmupCosineLR", params, 70, lr=3e-4), expected)
    params = {"cycle_min_lr": 1e-4, "cycle_max_lr": 1e-3, "cycle_first_step_size": 20, "decay_lr_rate": 0.2}
    params["decay_step_size"] = 5
    assert_close(cli_lrs(cli, "deepspeed:OneCycle", params, 70), deepspeed_lrs("OneCycle", params, 70))


def test_bad_values_give_one_line_errors(cli):
    result = cli("export", "deepspeed:WarmupDecayLR", "--total-num-steps", "100", "--warmup-num-steps", "0")
    assert (result.code, result.err) == (2, "Error: --warmup-num-steps: must be at least 1, got 0\n")
    result = cli("export", "deepspeed:WarmupLR", "--warmup-type", "exp")
    assert result.code == 2 and result.err.startswith("Error: --warmup-type: ") and result.err.count("\n") == 1
    result = cli("export", "deepspeed:OneCycle", "--cycle-min-lr", "1e-4", "--cycle-max", "1e-3")
    assert (result.code, result.err) == (
        2,
        "Error: --cycle-max: unknown option for deepspeed:OneCycle; did you mean '--cycle-max-lr'?\n",
    )
