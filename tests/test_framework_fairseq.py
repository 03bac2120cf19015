"""fairseq:* against fairseq's own LR schedulers.

fairseq 0.12.2 does not build on this project's Python/torch, so its released code (PyPI sdist
``fairseq==0.12.2``: ``fairseq/optim/fairseq_optimizer.py``, ``fairseq/optim/lr_scheduler/
fairseq_lr_scheduler.py`` and the four schedule modules) is loaded by framework_sources, with
stand-ins only for fairseq's argument-parser and config plumbing (``II``, ``FairseqDataclass``,
``register_lr_scheduler``). It is driven as fairseq's Trainer drives it: ``step_update(0)`` when the
scheduler is built, ``step_begin_epoch(1)`` + ``step_update(0)`` at the first epoch, then
``step_update(num_updates)`` after every update.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

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

RELEASE = ("fairseq", "0.12.2")
MODULES = {
    "inverse_sqrt": ("inverse_square_root_schedule", "InverseSquareRootSchedule", "InverseSquareRootLRScheduleConfig"),
    "cosine": ("cosine_lr_scheduler", "CosineLRSchedule", "CosineLRScheduleConfig"),
    "polynomial_decay": ("polynomial_decay_schedule", "PolynomialDecayLRSchedule", "PolynomialDecayLRScheduleConfig"),
    "tri_stage": ("tri_stage_lr_scheduler", "TriStageLRSchedule", "TriStageLRScheduleConfig"),
}


@dataclass
class FairseqDataclass:  # fairseq's config base: only argparse/omegaconf helpers, no scheduling
    pass


@pytest.fixture(scope="module")
def fairseq_schedulers():
    """{name: (scheduler class, config class, FairseqOptimizer)} from fairseq's released files."""
    parser_utils = support_module("fairseq.dataclass.utils", gen_parser_from_dataclass=None)
    optimizer_module = load_module(
        *RELEASE, "fairseq/optim/fairseq_optimizer.py", "fairseq.optim.fairseq_optimizer",
        {"fairseq": support_module("fairseq", utils=support_module("fairseq.utils")), "fairseq.dataclass.utils": parser_utils},
    )  # fmt: skip
    optim = support_module("fairseq.optim", FairseqOptimizer=optimizer_module.FairseqOptimizer)
    base = load_module(
        *RELEASE, "fairseq/optim/lr_scheduler/fairseq_lr_scheduler.py", "fairseq.optim.lr_scheduler.fairseq_lr_scheduler",
        {"fairseq.dataclass.utils": parser_utils, "fairseq.optim": optim},
    )  # fmt: skip
    support = {
        "omegaconf": support_module("omegaconf", II=lambda key: "${" + key + "}"),
        "fairseq.dataclass": support_module("fairseq.dataclass", FairseqDataclass=FairseqDataclass),
        "fairseq.optim.lr_scheduler": support_module(
            "fairseq.optim.lr_scheduler",
            FairseqLRScheduler=base.FairseqLRScheduler,
            register_lr_scheduler=lambda name, dataclass=None: lambda cls: cls,
        ),
    }
    found = {}
    for name, (module_name, cls, config) in MODULES.items():
        path = f"fairseq/optim/lr_scheduler/{module_name}.py"
        module = load_module(*RELEASE, path, f"fairseq.optim.lr_scheduler.{module_name}", support)
        found[name] = (getattr(module, cls), getattr(module, config), optimizer_module.FairseqOptimizer)
    return found


def fairseq_lrs(schedulers, name, params, steps, lr):
    cls, config_cls, fairseq_optimizer = schedulers[name]
    known = {field.name for field in fields(config_cls)}
    config = config_cls(
        **{key: value for key, value in {"max_update": 0, **params, "lr": [lr]}.items() if key in known}
    )

    class Optimizer(fairseq_optimizer):
        def __init__(self):
            super().__init__(cfg=None)
            self._optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=lr)

    optimizer = Optimizer()
    scheduler = cls(config, optimizer)
    scheduler.step_update(0)  # Trainer._build_optimizer
    scheduler.step_begin_epoch(1)  # Trainer.begin_epoch -> lr_step_begin_epoch
    scheduler.step_update(0)
    lrs = []
    for num_updates in range(1, steps + 1):
        lrs.append(optimizer.get_lr())
        optimizer.optimizer.step()
        scheduler.step_update(num_updates)  # Trainer.set_num_updates -> lr_step_update
    return lrs


CASES = [
    ("inverse_sqrt", {}, 12000),
    ("inverse_sqrt", {"warmup_updates": 50, "warmup_init_lr": 1e-7}, 300),
    ("inverse_sqrt", {"warmup_updates": 1}, 20),
    ("cosine", {"max_update": 500}, 520),
    ("cosine", {"warmup_updates": 40, "warmup_init_lr": 1e-6, "min_lr": 1e-5, "lr_period_updates": 100, "lr_shrink": 0.5}, 500),
    ("cosine", {"warmup_updates": 10, "lr_period_updates": 30, "t_mult": 2.0, "min_lr": 1e-6, "max_update": 400}, 400),
    ("cosine", {"lr_period_updates": 17.5, "t_mult": 1.5, "lr_shrink": 0.9}, 300),
    ("polynomial_decay", {"total_num_update": 300}, 310),
    ("polynomial_decay", {"warmup_updates": 30, "total_num_update": 300, "power": 2.0, "end_learning_rate": 1e-6}, 310),
    ("tri_stage", {"warmup_steps": 20, "hold_steps": 30, "decay_steps": 50}, 120),
    ("tri_stage", {"phase_ratio": (0.1, 0.4, 0.5), "max_update": 333, "init_lr_scale": 0.05, "final_lr_scale": 0.02}, 350),
    ("tri_stage", {"decay_steps": 40, "final_lr_scale": 0.5}, 60),
]  # fmt: skip


@pytest.mark.parametrize(("name", "params", "steps"), CASES)
def test_matches_fairseq(fairseq_schedulers, name, params, steps):
    expected = fairseq_lrs(fairseq_schedulers, name, params, steps, lr=5e-4)
    assert_close(lrviz_function_lrs(f"fairseq:{name}", params, steps, lr=5e-4), expected)


@settings(max_examples=40, deadline=None)
@given(
    lr=st.floats(1e-6, 1.0),
    warmup=st.integers(0, 60),
    period=st.floats(1.0, 80.0),
    t_mult=st.sampled_from([1.0, 1.5, 2.0, 3.0]),
    shrink=st.floats(0.1, 1.0),
    low=st.floats(0.0, 0.9),
    init=st.sampled_from([-1.0, 0.0, 1e-7]),
)
def test_cosine_matches_fairseq_at_varied_parameters(fairseq_schedulers, lr, warmup, period, t_mult, shrink, low, init):
    params = {"warmup_updates": warmup, "lr_period_updates": period, "t_mult": t_mult, "lr_shrink": shrink}
    params |= {"min_lr": lr * low, "warmup_init_lr": init}
    steps = warmup + 300
    expected = fairseq_lrs(fairseq_schedulers, "cosine", params, steps, lr)
    assert_close(lrviz_function_lrs("fairseq:cosine", params, steps, lr=lr), expected)


@settings(max_examples=40, deadline=None)
@given(
    lr=st.floats(1e-6, 1.0),
    stages=st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(1, 50)),
    scales=st.tuples(st.floats(0.0, 1.0), st.floats(1e-4, 1.0)),
    warmup=st.integers(1, 60),
    total=st.integers(1, 200),
    power=st.floats(0.1, 4.0),
)
def test_tri_stage_polynomial_and_inverse_sqrt_at_varied_parameters(
    fairseq_schedulers, lr, stages, scales, warmup, total, power
):
    tri = {"warmup_steps": stages[0], "hold_steps": stages[1], "decay_steps": stages[2]}
    tri |= {"init_lr_scale": scales[0], "final_lr_scale": scales[1]}
    poly = {
        "warmup_updates": warmup,
        "total_num_update": total,
        "power": power,
        "end_learning_rate": lr * scales[0] / 2,
    }
    for name, params in (("tri_stage", tri), ("polynomial_decay", poly), ("inverse_sqrt", {"warmup_updates": warmup})):
        expected = fairseq_lrs(fairseq_schedulers, name, params, 220, lr)
        assert_close(lrviz_function_lrs(f"fairseq:{name}", params, 220, lr=lr), expected)


def test_simulation_cli_yaml_and_torch_code_match_fairseq(fairseq_schedulers, cli):
    for name, params, steps in (CASES[1], CASES[5], CASES[8], CASES[10]):
        expected = fairseq_lrs(fairseq_schedulers, name, params, steps, lr=3e-4)
        assert_close(lrviz_lrs(f"fairseq:{name}", params, steps, lr=3e-4), expected)
        assert_close(yaml_lrs(f"fairseq:{name}", params, steps, lr=3e-4), expected)
        values = lookup(f"fairseq:{name}").with_defaults(params)
        assert_close(snippet_lrs(lookup(f"fairseq:{name}").torch_code(values), steps, lr=3e-4), expected)
    params = CASES[10][1]
    expected = fairseq_lrs(fairseq_schedulers, "tri_stage", params, 350, lr=3e-4)
    assert_close(cli_lrs(cli, "fairseq:tri_stage", params, 350, lr=3e-4), expected)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["inverse_sqrt", "--warmup-updates", "0"], "Error: --warmup-updates: must be at least 1, got 0"),
        (["cosine"], "Error: --max-update: Either --max_update or --lr-period-updates must be set"),
        (["tri_stage", "--phase-ratio", "0.3,0.6,0.1", "--max-update", "100"],
         "Error: --phase-ratio: must be three ratios whose float sum is exactly 1 (fairseq asserts sum(phase_ratio) == 1), got 0.3,0.6,0.1"),
        (["tri_stage"], "Error: --decay-steps: gives 0 decay steps: fairseq divides by them"),
        (["polynomial_decay", "--total-num-updates", "10"],
         "Error: --total-num-updates: unknown option for fairseq:polynomial_decay; did you mean '--total-num-update'?"),
    ],
)  # fmt: skip
def test_bad_values_give_one_line_errors(cli, args, error):
    assert export_error(cli, f"fairseq:{args[0]}", *args[1:]) == error
