"""fastai:* against fastai's own schedule code.

fastai needs torchvision, so it is not installed: its released code (PyPI ``fastai==2.8.12``) is read
by framework_sources: ``sched_*``, ``_Annealer``, ``Sched*``, ``combine_scheds``, ``combined_cos``,
``fit_one_cycle``, ``fit_flat_cos`` and ``fit_sgdr`` from ``fastai/callback/schedule.py``, ``tensor``
from ``fastai/torch_core.py`` and ``TrainEvalCallback``'s ``before_train`` / ``after_batch`` from
``fastai/callback/core.py``. The ``fit_*`` methods run on a Learner stand-in that records the
schedules they hand to ``self.fit``; the fit loop then sets the LR before each batch from
``pct_train`` as ``ParamScheduler.before_batch`` does, with TrainEvalCallback's own counter updates.
"""

from __future__ import annotations

import functools
import math
import numbers
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from framework_sources import definition, release_file
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

RELEASE = ("fastai", "2.8.12")
SCHEDULE_NAMES = ["sched_lin", "sched_cos", "sched_no", "sched_exp", "_Annealer", "SchedLin", "SchedCos", "SchedNo",
                  "SchedExp", "SchedPoly", "combine_scheds", "combined_cos", "fit_one_cycle", "fit_flat_cos", "fit_sgdr"]  # fmt: skip


def store_attr(names, self=None):
    """fastcore's store_attr for `_Annealer.__init__`: the caller's arguments `names` as attributes."""
    caller = sys._getframe(1).f_locals
    for name in names.split(","):
        setattr(caller["self"], name, caller[name])


class ParamScheduler:  # the callback fit_* pass to self.fit: it only carries the schedules here
    def __init__(self, scheds):
        self.scheds = scheds

    def __add__(self, others):
        return [self, *others]


@pytest.fixture(scope="module")
def fastai_code():
    schedule = release_file(*RELEASE, "fastai/callback/schedule.py")
    namespace = {
        "math": math, "np": np, "torch": torch, "functools": functools, "numbers": numbers, "Tensor": torch.Tensor,
        "ndarray": np.ndarray, "store_attr": store_attr, "ParamScheduler": ParamScheduler,
        "L": lambda items=None: [] if items is None else list(items),
    }  # fmt: skip
    exec(definition(release_file(*RELEASE, "fastai/torch_core.py"), "tensor"), namespace)
    for name in SCHEDULE_NAMES:
        exec(definition(schedule, name), namespace)
    core = release_file(*RELEASE, "fastai/callback/core.py")
    for method in ("before_train", "after_batch"):
        exec(definition(core, f"TrainEvalCallback.{method}"), namespace)
    return namespace


def fastai_lrs(code, member, arguments, n_iter, steps, lr=1e-3):
    """Call fastai's `member` on a Learner stand-in, then run the fit loop's LR updates for `steps` batches."""
    fitted = {}
    opt = SimpleNamespace(hypers=[{}])
    opt.set_hyper = lambda key, value: opt.hypers[0].__setitem__(key, value)
    learner = SimpleNamespace(opt=opt, lr=lr, create_opt=None, moms=(0.95, 0.85, 0.95))  # Learner's defaults
    learner.fit = lambda n_epoch, cbs, **kwargs: fitted.update(n_epoch=n_epoch, scheds=cbs[0].scheds)
    if member == "combine_scheds":
        fitted = {"n_epoch": arguments.pop("n_epoch"), "scheds": {"lr": code["combine_scheds"](**arguments)}}
    else:
        code[member](learner, **arguments)
    callback = SimpleNamespace(n_iter=n_iter, n_epoch=fitted["n_epoch"], model=SimpleNamespace(train=lambda: None))
    callback.learn = callback
    callback.train_iter, callback.pct_train = 0, 0.0  # TrainEvalCallback.before_fit's counters
    lrs = []
    for epoch in range(-(-steps // n_iter)):
        callback.epoch = epoch
        code["before_train"](callback)
        for _ in range(n_iter):
            lrs.append(float(np.asarray(fitted["scheds"]["lr"](callback.pct_train)).reshape(-1)[0]))
            code["after_batch"](callback)
    return lrs[:steps]


CASES = [
    ("fit_one_cycle", {"n_epoch": 5}, 40),
    ("fit_one_cycle", {"n_epoch": 3, "lr_max": 3e-3, "div": 10.0, "div_final": 1e4, "pct_start": 0.3}, 17),
    ("fit_flat_cos", {"n_epoch": 4}, 25),
    ("fit_flat_cos", {"n_epoch": 2, "lr": 5e-4, "pct_start": 0.5, "div_final": 100.0}, 33),
    ("fit_sgdr", {"n_cycles": 3, "cycle_len": 1}, 10),
    ("fit_sgdr", {"n_cycles": 2, "cycle_len": 2, "cycle_mult": 3, "lr_max": 1e-2}, 7),
]


@pytest.mark.parametrize(("member", "params", "n_iter"), CASES)
def test_fit_methods_match_fastai(fastai_code, member, params, n_iter):
    steps = lookup(f"fastai:{member}").default_steps({**params, "n_iter": n_iter}) + n_iter
    expected = fastai_lrs(fastai_code, member, dict(params), n_iter, steps, lr=2e-3)
    assert_close(lrviz_function_lrs(f"fastai:{member}", {**params, "n_iter": n_iter}, steps, lr=2e-3), expected)


@pytest.mark.parametrize(
    ("pcts", "scheds"),
    [
        ((0.25, 0.75), "SchedLin(1e-5, 1e-3), SchedCos(1e-3, 1e-7)"),
        ((0.2, 0.3, 0.5), "SchedExp(1e-6, 1e-3), SchedNo(1e-3, 0), SchedPoly(1e-3, 1e-5, 2.0)"),
        ((1.0,), "SchedCos(0.1, 0.001)"),
    ],
)
def test_combine_scheds_matches_fastai(fastai_code, pcts, scheds):
    params = {"pcts": pcts, "scheds": scheds, "n_epoch": 3, "n_iter": 13}
    sched_objects = eval(f"[{scheds}]", dict(fastai_code))  # noqa: S307 - fastai's own Sched* constructors
    expected = fastai_lrs(
        fastai_code, "combine_scheds", {"pcts": list(pcts), "scheds": sched_objects, "n_epoch": 3}, 13, 45
    )
    assert_close(lrviz_function_lrs("fastai:combine_scheds", params, 45), expected)


@settings(max_examples=25, deadline=None)
@given(
    n_epoch=st.integers(1, 6),
    n_iter=st.integers(1, 30),
    pct_start=st.sampled_from([0.1, 0.25, 0.3, 0.5, 0.75, 0.9]),
    div=st.floats(1.0, 100.0),
    lr=st.floats(1e-6, 1.0),
)
def test_one_cycle_and_flat_cos_at_varied_parameters(fastai_code, n_epoch, n_iter, pct_start, div, lr):
    steps = n_epoch * n_iter + 2
    for member, params in (
        ("fit_one_cycle", {"n_epoch": n_epoch, "pct_start": pct_start, "div": div}),
        ("fit_flat_cos", {"n_epoch": n_epoch, "pct_start": pct_start, "div_final": div}),
    ):
        expected = fastai_lrs(fastai_code, member, dict(params), n_iter, steps, lr=lr)
        assert_close(lrviz_function_lrs(f"fastai:{member}", {**params, "n_iter": n_iter}, steps, lr=lr), expected)


def test_simulation_cli_yaml_and_torch_code_match_fastai(fastai_code, cli):
    params = {"n_epoch": 3, "lr_max": 3e-3, "div": 10.0, "div_final": 1e4, "pct_start": 0.3, "n_iter": 17}
    expected = fastai_lrs(fastai_code, "fit_one_cycle", {k: v for k, v in params.items() if k != "n_iter"}, 17, 51)
    assert_close(lrviz_lrs("fastai:fit_one_cycle", params, 51), expected)
    assert_close(cli_lrs(cli, "fastai:fit_one_cycle", params, 51), expected)
    assert_close(yaml_lrs("fastai:fit_one_cycle", params, 51), expected)
    for member, member_params, n_iter in CASES[2:]:
        schedule = lookup(f"fastai:{member}")
        values = schedule.with_defaults({**member_params, "n_iter": n_iter})
        expected = fastai_lrs(fastai_code, member, dict(member_params), n_iter, 20, lr=4e-4)
        assert_close(snippet_lrs(schedule.torch_code(values), 20, lr=4e-4), expected)
    combined = {"pcts": (0.5, 0.5), "scheds": "lin:1e-5:1e-3 exp:1e-3:1e-6", "n_epoch": 2, "n_iter": 9}
    yaml_form = {**combined, "scheds": "SchedLin(1e-5, 1e-3), SchedExp(1e-3, 1e-6)"}
    assert_close(cli_lrs(cli, "fastai:combine_scheds", combined, 18), yaml_lrs("fastai:combine_scheds", yaml_form, 18))
    source = lookup("fastai:combine_scheds").torch_code(lookup("fastai:combine_scheds").with_defaults(combined))
    assert_close(snippet_lrs(source, 18), lrviz_function_lrs("fastai:combine_scheds", combined, 18))


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["fit_sgdr", "--n-cycles", "2", "--cycle-len", "1", "--n-iter", "5", "--cycle-mult", "1"],
         "Error: --cycle-mult: must not be 1: fit_sgdr divides by cycle_mult - 1"),
        (["combine_scheds", "--pcts", "0.5,0.5", "--scheds", "lin:1:2", "--n-epoch", "1", "--n-iter", "5"],
         "Error: --scheds: needs one schedule per pct (2), got 1"),
        (["combine_scheds", "--pcts", "0.3,0.6,0.1", "--scheds", "lin:1:2 cos:2:1 no:1:1", "--n-epoch", "1", "--n-iter", "5"],
         "Error: --pcts: gives pcts [0.3, 0.6, 0.1] whose float sum is not exactly 1 (fastai asserts it)"),
        (["fit_one_cycle", "--n-epoch", "2", "--n-iters", "5"],
         "Error: --n-iters: unknown option for fastai:fit_one_cycle; did you mean '--n-iter'?"),
    ],
)  # fmt: skip
def test_bad_values_give_one_line_errors(cli, args, error):
    assert export_error(cli, f"fastai:{args[0]}", *args[1:]) == error
