"""ultralytics:BaseTrainer against Ultralytics' own trainer code.

ultralytics needs torchvision and OpenCV, so it is not installed: its released code (PyPI
``ultralytics==8.4.190``) is read by framework_sources, and the real ``one_cycle``
(``ultralytics/utils/torch_utils.py``), ``BaseTrainer._setup_scheduler``,
``BaseTrainer._get_warmup_iterations`` and the warmup block of ``BaseTrainer._do_train``
(``ultralytics/engine/trainer.py``) run inside the loop structure of ``_do_train``:
``scheduler.step()`` at each epoch's start, the warmup block per batch, and an optimizer step
whenever ``ni - last_opt_step >= self.accumulate``, over three param groups tagged as
``build_optimizer`` tags them.
"""

from __future__ import annotations

import math
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from framework_sources import block, definition, release_file
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

RELEASE = ("ultralytics", "8.4.190")
NAME = "ultralytics:BaseTrainer"
DEFAULTS = {"lr0": 0.01, "lrf": 0.01, "epochs": 100, "cos_lr": False, "warmup_epochs": 3.0, "warmup_bias_lr": 0.1}
DEFAULTS |= {"batch": 16, "nbs": 64, "param_group": "weight"}


@pytest.fixture(scope="module")
def trainer_code():
    trainer = release_file(*RELEASE, "ultralytics/engine/trainer.py")
    namespace = {"math": math, "np": np, "optim": torch.optim}
    exec(definition(release_file(*RELEASE, "ultralytics/utils/torch_utils.py"), "one_cycle"), namespace)
    exec(definition(trainer, "BaseTrainer._setup_scheduler"), namespace)
    exec(definition(trainer, "BaseTrainer._get_warmup_iterations"), namespace)
    warmup = compile(block(trainer, "BaseTrainer._do_train", "nw and ni <= nw"), "trainer.py (warmup)", "exec")
    return namespace, warmup


def ultralytics_lrs(trainer_code, params, steps, epochs=None):
    """The LR of each of the first `steps` optimizer steps (or those of the first `epochs`), group `param_group`."""
    namespace, warmup = trainer_code
    p = {**DEFAULTS, **params}
    args = SimpleNamespace(**p, momentum=0.937, warmup_momentum=0.8)
    groups = [
        {"params": [torch.nn.Parameter(torch.zeros(1))], "param_group": name} for name in ("bias", "weight", "bn")
    ]  # build_optimizer's order
    optimizer = torch.optim.SGD(groups, lr=p["lr0"], momentum=0.937, nesterov=True)
    trainer = SimpleNamespace(args=args, epochs=p["epochs"], optimizer=optimizer, batch_size=p["batch"])
    namespace["_setup_scheduler"](trainer)
    nw = namespace["_get_warmup_iterations"](trainer, p["nb"])
    trainer.accumulate = max(round(args.nbs / trainer.batch_size), 1)  # _setup_train
    trainer.accumulate = min(trainer.accumulate, p["nb"] * trainer.epochs)
    acc0, last_opt_step, epoch, lrs = trainer.accumulate, -1, 0, []
    group = next(g for g in optimizer.param_groups if g["param_group"] == p["param_group"])
    while len(lrs) < steps and (epochs is None or epoch < epochs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # as _do_train: the step before optimizer.step() is deliberate
            trainer.scheduler.step()
        for i in range(p["nb"]):
            ni = i + p["nb"] * epoch
            exec(warmup, namespace, {"self": trainer, "ni": ni, "nw": nw, "acc0": acc0, "epoch": epoch})
            if ni - last_opt_step >= trainer.accumulate:
                lrs.append(group["lr"])
                optimizer.step()
                last_opt_step = ni
        epoch += 1
    return lrs[:steps]


CASES = [
    {"nb": 100},
    {"nb": 100, "cos_lr": True},
    {"nb": 37, "epochs": 20, "batch": 8, "warmup_epochs": 1.5, "param_group": "bias"},
    {"nb": 37, "epochs": 20, "batch": 64, "warmup_epochs": 0.0, "cos_lr": True, "lrf": 0.1},
    {"nb": 5, "epochs": 3, "batch": 32, "warmup_epochs": 5.0, "param_group": "bn", "lr0": 1e-3},
    {"nb": 3, "epochs": 1, "batch": 1},
]


@pytest.mark.parametrize("params", CASES)
def test_matches_ultralytics_trainer(trainer_code, params):
    steps = lookup(NAME).default_steps(params) + 7
    assert_close(lrviz_function_lrs(NAME, params, steps), ultralytics_lrs(trainer_code, params, steps))


@settings(max_examples=30, deadline=None)
@given(
    nb=st.integers(1, 40),
    epochs=st.integers(1, 12),
    batch=st.integers(1, 100),
    nbs=st.integers(1, 128),
    warmup_epochs=st.floats(0.0, 6.0),
    cos_lr=st.booleans(),
    lrf=st.floats(0.0, 1.0),
    group=st.sampled_from(["weight", "bias", "bn"]),
)
def test_matches_ultralytics_at_varied_parameters(
    trainer_code, yolov5_code, nb, epochs, batch, nbs, warmup_epochs, cos_lr, lrf, group
):
    params = {"nb": nb, "epochs": epochs, "batch": batch, "nbs": nbs, "warmup_epochs": warmup_epochs}
    params |= {"cos_lr": cos_lr, "lrf": lrf, "param_group": group}
    steps = lookup(NAME).default_steps(params) + 3
    assert_close(lrviz_function_lrs(NAME, params, steps), ultralytics_lrs(trainer_code, params, steps))
    steps = lookup("ultralytics:yolov5").default_steps(params) + 3
    assert_close(lrviz_function_lrs("ultralytics:yolov5", params, steps), yolov5_lrs(yolov5_code, params, steps))


def test_simulation_cli_yaml_and_snippets_match_ultralytics(trainer_code, cli, monkeypatch):
    params = CASES[2]
    steps = lookup(NAME).default_steps(params)
    expected = ultralytics_lrs(trainer_code, params, steps)
    assert_close(lrviz_lrs(NAME, params, steps), expected)
    assert_close(cli_lrs(cli, NAME, params, steps), expected)
    assert_close(yaml_lrs(NAME, params, steps), expected)
    assert_close(snippet_lrs(lookup(NAME).torch_code(lookup(NAME).with_defaults(params)), steps), expected)
    cosine = CASES[3]
    utils = SimpleNamespace(one_cycle=trainer_code[0]["one_cycle"])
    monkeypatch.setitem(sys.modules, "ultralytics", SimpleNamespace(utils=utils))
    monkeypatch.setitem(sys.modules, "ultralytics.utils", utils)
    monkeypatch.setitem(sys.modules, "ultralytics.utils.torch_utils", utils)
    source = lookup(NAME).framework_code(lookup(NAME).with_defaults(cosine))
    assert "one_cycle(1, 0.1, 20)" in source
    steps = lookup(NAME).default_steps(cosine)
    assert_close(snippet_lrs(source, steps), ultralytics_lrs(trainer_code, cosine, steps))


def test_schedule_length_is_the_trainers_optimizer_steps(trainer_code):
    for params in CASES:
        run = ultralytics_lrs(trainer_code, params, 10**9, epochs={**DEFAULTS, **params}["epochs"])
        assert lookup(NAME).default_steps(params) == len(run)
        assert lookup(NAME).length(params) == ("epochs", len(run))


YOLOV5 = ("yolov5", "7.0.14")  # the registry's packaging of ultralytics/yolov5's train.py


@pytest.fixture(scope="module")
def yolov5_code():
    """YOLOv5's one_cycle (utils/general.py) and, from train.py's train(): the lf choice, nw, and the warmup block."""
    train = release_file(*YOLOV5, "yolov5/train.py")
    namespace = {"math": math, "np": np}
    exec(definition(release_file(*YOLOV5, "yolov5/utils/general.py"), "one_cycle"), namespace)
    parts = [block(train, "train", test) for test in ("opt.cos_lr", "nw", "ni <= nw")]
    return namespace, *(
        compile(part, f"train.py ({test})", "exec") for part, test in zip(parts, ("lf", "nw", "warmup"), strict=True)
    )


def yolov5_lrs(yolov5_code, params, steps, epochs=None):
    """The LR of each optimizer step of train.py's loop, for the group `param_group` (0: bias, as smart_optimizer)."""
    namespace, lf_code, nw_code, warmup = yolov5_code
    p = {**DEFAULTS, **params}
    hyp = {key: p[key] for key in ("lr0", "lrf", "warmup_epochs", "warmup_bias_lr")} | {"momentum": 0.937}
    hyp["warmup_momentum"] = 0.8
    scope = {**namespace, "opt": SimpleNamespace(cos_lr=p["cos_lr"]), "hyp": hyp, "epochs": p["epochs"], "nb": p["nb"]}
    exec(lf_code, scope)  # one dict: lf's lambda reads epochs and hyp from train()'s scope
    exec(nw_code, scope)
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "name": name} for name in ("bias", "weight", "bn")]
    optimizer = torch.optim.SGD(groups, lr=p["lr0"], momentum=0.937, nesterov=True)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=scope["lf"])
    scheduler.last_epoch = -1  # train.py: start_epoch - 1, "do not move"
    group = next(g for g in optimizer.param_groups if g["name"] == p["param_group"])
    scope |= {"optimizer": optimizer, "nbs": p["nbs"], "batch_size": p["batch"]}
    scope["accumulate"], last_opt_step, epoch, lrs = max(round(p["nbs"] / p["batch"]), 1), -1, 0, []
    while len(lrs) < steps and (epochs is None or epoch < epochs):
        for i in range(p["nb"]):
            scope |= {"ni": i + p["nb"] * epoch, "epoch": epoch}
            exec(warmup, scope)
            if scope["ni"] - last_opt_step >= scope["accumulate"]:
                lrs.append(float(group["lr"]))
                optimizer.step()
                last_opt_step = scope["ni"]
        scheduler.step()  # at the epoch's end
        epoch += 1
    return lrs[:steps]


YOLOV5_CASES = [
    {"nb": 60},
    {"nb": 60, "cos_lr": True, "epochs": 30},
    {"nb": 7, "epochs": 40, "batch": 24, "warmup_epochs": 2.0, "param_group": "bias"},
    {"nb": 300, "epochs": 5, "batch": 64, "warmup_epochs": 0.5, "cos_lr": True, "lrf": 0.2, "param_group": "bn"},
]


@pytest.mark.parametrize("params", YOLOV5_CASES)
def test_yolov5_matches_its_train_py(yolov5_code, params):
    run = yolov5_lrs(yolov5_code, params, 10**9, epochs={**DEFAULTS, **params}["epochs"])
    assert lookup("ultralytics:yolov5").default_steps(params) == len(run)
    steps = len(run) + 5
    assert_close(lrviz_function_lrs("ultralytics:yolov5", params, steps), yolov5_lrs(yolov5_code, params, steps))


def test_yolov5_snippets_match_its_train_py(yolov5_code, monkeypatch):
    params = YOLOV5_CASES[1]
    expected = yolov5_lrs(yolov5_code, params, 400)
    values = lookup("ultralytics:yolov5").with_defaults(params)
    assert_close(snippet_lrs(lookup("ultralytics:yolov5").torch_code(values), 400), expected)
    general = SimpleNamespace(one_cycle=yolov5_code[0]["one_cycle"])
    monkeypatch.setitem(sys.modules, "yolov5", SimpleNamespace(utils=SimpleNamespace(general=general)))
    monkeypatch.setitem(sys.modules, "yolov5.utils", SimpleNamespace(general=general))
    monkeypatch.setitem(sys.modules, "yolov5.utils.general", general)
    source = lookup("ultralytics:yolov5").framework_code(values)
    assert "from yolov5.utils.general import one_cycle" in source
    assert_close(snippet_lrs(source, 400), expected)


def test_bad_values_give_one_line_errors(cli):
    result = cli("export", NAME, "--nb", "0")
    assert (result.code, result.err) == (2, "Error: --nb: must be at least 1, got 0\n")
    result = cli("export", NAME, "--nb", "10", "--lr", "0.1")
    assert result.code == 2 and result.err.startswith("Error: --lr: ") and result.err.count("\n") == 1
    result = cli("export", NAME, "--nb", "10", "--cos", "true")
    assert (result.code, result.err) == (
        2,
        "Error: --cos: unknown option for ultralytics:BaseTrainer; did you mean '--cos-lr'?\n",
    )
