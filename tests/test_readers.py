"""Framework config files read by lrviz (lrviz.spec.readers), compared value for value with the frameworks.

The configs in tests/data/configs are real, unmodified public files (tests/data/configs/README.md
names each source and licence). Each is plotted through the CLI over stated run facts and compared
with the framework's own code reading the same file: mmengine's `Config.fromfile` and its
schedulers stepped as its runner steps them; fvcore's `CfgNode.load_yaml_with_base` (what
detectron2's config loading is) and detectron2's solver (tests/framework_sources).
"""

from __future__ import annotations

import json
import math
import types
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_framework_ultralytics import trainer_code, ultralytics_lrs  # noqa: F401 - BaseTrainer's own code, a fixture

DATA = Path(__file__).resolve().parent / "data" / "configs"
FASTER_RCNN_MMDET = DATA / "mmdet" / "faster_rcnn" / "faster-rcnn_r50_fpn_1x_coco.py"
SCHEDULE_1X = DATA / "mmdet" / "_base_" / "schedules" / "schedule_1x.py"
FASTER_RCNN_D2 = DATA / "detectron2" / "COCO-Detection" / "faster_rcnn_R_50_FPN_3x.yaml"
BASE_RCNN_D2 = DATA / "detectron2" / "Base-RCNN-FPN.yaml"


def exported(cli, *args: str) -> dict:
    result = cli("export", *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)["curves"][0]


def assert_agree(ours, theirs) -> None:
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------- mmengine


def mmengine_run(config_file: Path, epoch_length: int) -> list[float]:
    """The LR of every iteration: mmengine reads the config itself, builds its param_scheduler and
    steps it as Runner + ParamSchedulerHook do over max_epochs epochs of `epoch_length` iterations."""
    pytest.importorskip("mmengine")
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import mmengine.optim  # noqa: F401 - registers the schedulers
        from mmengine import Config
        from mmengine.hooks import ParamSchedulerHook
        from mmengine.optim import OptimWrapper
        from mmengine.registry import PARAM_SCHEDULERS

    cfg = Config.fromfile(str(config_file))  # mmengine's own reading (it executes the file: ours, trusted)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=cfg.optim_wrapper.optimizer.lr, momentum=0.9)
    wrapper = OptimWrapper(optimizer)
    max_epochs = cfg.train_cfg.max_epochs
    built = []
    for entry in cfg.param_scheduler:
        entry = dict(entry)
        entry.setdefault("end", max_epochs if entry.get("by_epoch", True) else max_epochs * epoch_length)
        built.append(PARAM_SCHEDULERS.build(entry, default_args={"optimizer": wrapper, "epoch_length": epoch_length}))
    runner = types.SimpleNamespace(param_schedulers=built)
    hook = ParamSchedulerHook()
    lrs = []
    for k in range(max_epochs * epoch_length):
        lrs.append(optimizer.param_groups[0]["lr"])
        wrapper.step()
        hook.after_train_iter(runner, batch_idx=k % epoch_length)
        if (k + 1) % epoch_length == 0:
            hook.after_train_epoch(runner)
    return lrs


@pytest.mark.parametrize("config_file", [FASTER_RCNN_MMDET, SCHEDULE_1X], ids=["inherits", "schedule_1x"])
def test_mmdetection_config_equals_mmengine(cli, config_file):
    record = exported(cli, str(config_file), "--steps-per-epoch", "60")
    assert_agree(record["lr"], mmengine_run(config_file, 60))
    assert record["source"] == {"file": str(config_file), "framework": "mmengine"}
    assert record["run"]["steps_per_epoch"] == 60 and record["run"]["total_steps"] == 720
    assert record["steps_per_epoch"] == 60  # the figure's epoch axis


@pytest.mark.parametrize(
    ("dataset", "world", "batch", "drop_last"),
    [(1000, 4, None, False), (1001, 3, 5, True), (117266, 8, None, False), (7, 1, 2, False)],
)
def test_mmengine_epoch_is_one_process_dataloader(cli, dataset, world, batch, drop_last):
    """An epoch is len(DataLoader) on rank 0 under a distributed sampler, as torch counts it."""
    from torch.utils.data import DataLoader, DistributedSampler

    args = ["--dataset-size", str(dataset), "--world-size", str(world)]
    args += (["--batch-size", str(batch)] if batch else []) + (["--drop-last"] if drop_last else [])
    record = exported(cli, str(FASTER_RCNN_MMDET), *args)
    sampler = DistributedSampler(range(dataset), num_replicas=world, rank=0, shuffle=False)
    loader = DataLoader(range(dataset), batch_size=batch or 2, sampler=sampler, drop_last=drop_last)  # config: 2
    assert record["run"]["steps_per_epoch"] == len(loader)
    assert record["steps"] == 12 * len(loader) == len(record["lr"])


def test_mmdetection_1x_is_7330_iterations_an_epoch_on_8_gpus(cli):
    """mmdetection's logs: 7330 iterations per epoch for COCO train2017 (117266 images) at 2 x 8."""
    result = cli("plot", str(FASTER_RCNN_MMDET), "--dataset-size", "117266", "--world-size", "8", "--no-save")
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    assert "optimizer steps: 7,330 per epoch, 87,960 in total" in text


def test_missing_fact_names_the_flag(cli, tmp_path):
    result = cli("plot", str(FASTER_RCNN_MMDET), "-o", "x.png")
    assert result.code == 2 and result.out == ""
    assert result.err.strip() == (
        "Error: --dataset-size: the config trains for 12 epochs (train_cfg.max_epochs); "
        "lrviz needs the iterations per epoch; add --dataset-size, or --steps-per-epoch"
    )
    assert list(tmp_path.iterdir()) == []


CODE = [
    ("import os\nos.system('touch {marker}')\n", 1, "an import is code"),
    ("lr = 0.1\nx = open('{marker}', 'w')\n", 2, "a call of open() is code"),
    ("x = __import__('os').system('touch {marker}')\n", 1, "a call is code"),
    ("f = lambda: open('{marker}', 'w')\n", 1, "a lambda is code"),
    ("a = dict(b=[open('{marker}', 'w') for _ in range(1)])\n", 1, "a comprehension is code"),
    ("param_scheduler = []\nprint(open('{marker}', 'w'))\n", 2, "a call of print() is code"),
    ("import pathlib\n", 1, "an import is code"),
    ("x = ().__class__\n", 1, "an attribute is code"),
]


@pytest.mark.parametrize(("source", "line", "what"), CODE, ids=[c[2] + str(i) for i, c in enumerate(CODE)])
def test_config_with_code_is_refused_and_never_runs(cli, tmp_path, source, line, what):
    marker = tmp_path / "marker"
    config = tmp_path / "config.py"
    config.write_text(source.format(marker=marker))
    result = cli("plot", "config.py", "--steps-per-epoch", "10", "-o", "out.png")
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"Error: config.py:{line}: {what}; lrviz reads configs without running them")
    assert len(result.err.strip().splitlines()) == 1
    assert not marker.exists() and not (tmp_path / "out.png").exists()


def test_base_files_merge_as_mmengine_does(cli, tmp_path):
    """A child's dict merges into its base's, `_delete_=True` replaces it, lists are replaced."""
    (tmp_path / "base.py").write_text(
        "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=10)\n"
        "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9))\n"
        "param_scheduler = [dict(type='StepLR', step_size=3, gamma=0.5)]\n"
    )
    (tmp_path / "child.py").write_text(
        "_base_ = './base.py'\nepochs = 4\n"
        "train_cfg = dict(max_epochs=epochs * 2)\n"
        "optim_wrapper = dict(optimizer=dict(_delete_=True, type='AdamW', lr=2e-3 / 2))\n"
        "param_scheduler = [dict(type='MultiStepLR', milestones=[epochs, epochs + 2])]\n"
    )
    record = exported(cli, "child.py", "--steps-per-epoch", "5")
    assert record["steps"] == 40 and record["base_lr"] == 1e-3 and record["optimizer"] == "AdamW"
    expected = [1e-3 * 0.1 ** ((k // 5 >= 4) + (k // 5 >= 6)) for k in range(40)]
    assert_agree(record["lr"], expected)


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.integers(-50, 50) | st.floats(-1e3, 1e3, allow_nan=False),
        lambda inner: st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        max_leaves=8,
    ).map(str)
)
def test_arithmetic_in_a_config_is_python_arithmetic(tmp_path_factory, expression):
    """The ast reader's arithmetic equals Python's on the same text (and never runs the file)."""
    from lrviz.spec.readers._pyconfig import parse_module, read_pyconfig

    text = f"x = {expression}\ny = dict(z=x, w=[x, -x])\n"
    config = read_pyconfig(parse_module(text, "c.py"), "c.py")
    expected = eval(expression)  # noqa: S307 - the test's own generated arithmetic
    assert config.values["x"] == expected and config.values["y"] == {"z": expected, "w": [expected, -expected]}


def test_run_facts_are_refused_for_a_scheduler_name(cli):
    result = cli("plot", "cosine", "--t-max", "10", "--dataset-size", "100", "--no-save")
    assert (result.code, result.err.strip()) == (
        2,
        "Error: --dataset-size: is a run fact for a framework's config file, not a scheduler's parameter",
    )


# --------------------------------------------------------------------------- detectron2


def detectron2_lrs(config_file: Path, world_size: int = 1) -> list[float]:
    """fvcore's CfgNode reads the file with its _BASE_ (detectron2's config loading), detectron2's
    SOLVER defaults under it; the LR of iteration k is BASE_LR * multiplier(k / MAX_ITER)."""
    pytest.importorskip("fvcore")
    import torch
    from framework_sources.detectron2_reference import build_lr_scheduler, get_cfg
    from fvcore.common.config import CfgNode

    loaded = CfgNode.load_yaml_with_base(str(config_file), allow_unsafe=False)
    cfg = get_cfg()
    cfg.merge_from_other_cfg(CfgNode({"SOLVER": {k: v for k, v in loaded["SOLVER"].items() if k in cfg.SOLVER}}))
    lr = cfg.SOLVER.BASE_LR
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = build_lr_scheduler(cfg, optimizer)
    return [lr * scheduler.multiplier(k / cfg.SOLVER.MAX_ITER) for k in range(cfg.SOLVER.MAX_ITER)]


@pytest.mark.parametrize("config_file", [FASTER_RCNN_D2, BASE_RCNN_D2], ids=["inherits", "base"])
def test_detectron2_config_equals_detectron2(cli, config_file):
    record = exported(cli, str(config_file))
    assert_agree(record["lr"], detectron2_lrs(config_file))
    assert record["source"]["framework"] == "detectron2"
    assert record["run"]["total_steps"] == len(record["lr"])


def test_detectron2_reference_world_size_rescales_the_solver(cli, tmp_path):
    """auto_scale_workers: 16 images on 8 GPUs (REFERENCE_WORLD_SIZE 8) run on 4 GPUs is 8 images,
    half the LR, twice the iterations and steps."""
    (tmp_path / "scaled.yaml").write_text(
        f'_BASE_: "{BASE_RCNN_D2}"\nSOLVER:\n  REFERENCE_WORLD_SIZE: 8\n  MAX_ITER: 900\n  STEPS: (600, 800)\n'
    )
    record = exported(cli, "scaled.yaml", "--world-size", "4")
    assert record["base_lr"] == 0.01 and record["steps"] == 1800
    assert record["params"]["steps"] == [1200, 1600] and record["run"]["ims_per_batch"] == 8


def test_detectron2_unknown_solver_key_is_an_error(cli, tmp_path):
    (tmp_path / "odd.yaml").write_text("SOLVER:\n  BASE_LR: 0.1\n  LR_WARMUP: 5\n")
    result = cli("plot", "odd.yaml", "--no-save")
    assert result.code == 2
    assert result.err.strip() == (
        "Error: odd.yaml: SOLVER.LR_WARMUP: a SOLVER key lrviz does not know: "
        "it may change the schedule, so lrviz will not guess"
    )


def test_lrviz_specs_still_load_and_refuse_run_facts(cli):
    config = Path(__file__).resolve().parents[1] / "configs" / "epochs_multistep.yaml"
    assert cli("export", str(config), "--format", "json").code == 0
    result = cli("plot", str(config), "--world-size", "2", "--no-save")
    assert result.code == 2
    assert result.err.strip() == (
        "Error: --world-size: run facts are for a framework's config; an lrviz spec says steps_per_epoch itself"
    )


# --------------------------------------------------------------------------- Hugging Face

ZEPHYR_SFT = DATA / "alignment-handbook" / "recipes" / "zephyr-7b-beta" / "sft" / "config_full.yaml"


def trainer_max_steps(args: dict, dataset: int, world: int) -> int:
    """transformers 5's Trainer.set_initial_training_values, written out: len(train_dataloader) on
    one process (torch's DataLoader over the dataset, shared out by accelerate's even batches),
    updates per epoch rounded up over the accumulation, then max_steps or epochs x updates."""
    from torch.utils.data import DataLoader

    loader = DataLoader(range(dataset), batch_size=args["per_device_train_batch_size"], drop_last=False)
    len_dataloader = math.ceil(len(loader) / world)  # BatchSamplerShard.__len__ with even_batches
    accumulation = args.get("gradient_accumulation_steps", 1)
    per_epoch = max(len_dataloader // accumulation + int(len_dataloader % accumulation > 0), 1)
    return args["max_steps"] if args.get("max_steps", -1) > 0 else math.ceil(args["num_train_epochs"] * per_epoch)


def transformers_trainer_lrs(args: dict, max_steps: int) -> list[float]:
    """transformers' own get_scheduler as Trainer.create_scheduler calls it, stepped like the Trainer."""
    from types import SimpleNamespace

    import torch

    optimization = pytest.importorskip("transformers.optimization")
    from transformers.training_args import TrainingArguments

    if "warmup_ratio" in args:  # transformers 4's key, as transformers 4 reads it
        warmup = math.ceil(max_steps * args["warmup_ratio"])
    else:
        warmup = TrainingArguments.get_warmup_steps(
            SimpleNamespace(warmup_steps=args.get("warmup_steps", 0)), max_steps
        )
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=float(args["learning_rate"]))
    scheduler = optimization.get_scheduler(
        args["lr_scheduler_type"],
        optimizer,
        num_warmup_steps=warmup,
        num_training_steps=max_steps,
        scheduler_specific_kwargs=args.get("lr_scheduler_kwargs") or {},
    )
    lrs = []
    for _ in range(max_steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


@pytest.mark.parametrize(("dataset", "world"), [(20786, 8), (1000, 1), (999, 3)])
def test_hf_recipe_equals_the_trainer(cli, dataset, world):
    import yaml

    args = yaml.safe_load(ZEPHYR_SFT.read_text())
    record = exported(cli, str(ZEPHYR_SFT), "--dataset-size", str(dataset), "--world-size", str(world))
    max_steps = trainer_max_steps(args, dataset, world)
    assert record["steps"] == max_steps and record["run"]["total_steps"] == max_steps
    assert_agree(record["lr"], transformers_trainer_lrs(args, max_steps))
    assert record["source"]["framework"] == "hf"


HF_ARGS = [
    {"learning_rate": 3e-4, "lr_scheduler_type": "cosine_with_min_lr", "lr_scheduler_kwargs": {"min_lr_rate": 0.1},
     "warmup_steps": 0.07, "num_train_epochs": 2.5, "per_device_train_batch_size": 4, "gradient_accumulation_steps": 3},
    {"learning_rate": 1e-5, "lr_scheduler_type": "linear", "warmup_steps": 10, "max_steps": 120,
     "per_device_train_batch_size": 8, "num_train_epochs": 3},
    {"learning_rate": 5e-5, "lr_scheduler_type": "constant_with_warmup", "warmup_steps": 0.5, "num_train_epochs": 1,
     "per_device_train_batch_size": 2, "gradient_accumulation_steps": 8},
]  # fmt: skip


@pytest.mark.parametrize("args", HF_ARGS, ids=[a["lr_scheduler_type"] for a in HF_ARGS])
def test_training_arguments_json_equals_the_trainer(cli, tmp_path, args):
    (tmp_path / "training_args.json").write_text(json.dumps({"output_dir": "out", **args}, indent=2))
    record = exported(cli, "training_args.json", "--dataset-size", "1234", "--world-size", "2")
    max_steps = trainer_max_steps(args, 1234, 2)
    assert record["steps"] == max_steps
    assert_agree(record["lr"], transformers_trainer_lrs(args, max_steps))


def test_hf_flags_override_the_config(cli):
    """--batch-size and --grad-accum are the run's, not the recipe's: 4 x 4 on 2 processes."""
    record = exported(cli, str(ZEPHYR_SFT), "--dataset-size", "1000", "--world-size", "2", "--batch-size", "4",
                      "--grad-accum", "4")  # fmt: skip
    assert record["run"]["steps_per_epoch"] == math.ceil(math.ceil(1000 / 4 / 2) / 4) == 32


# --------------------------------------------------------------------------- Ultralytics


@pytest.fixture(scope="module")
def ultralytics_default_yaml(tmp_path_factory):
    """ultralytics' own cfg/default.yaml from its registry release (read, never copied into the repository)."""
    from framework_sources import release_file
    from test_framework_ultralytics import RELEASE

    path = tmp_path_factory.mktemp("ultralytics") / "default.yaml"
    path.write_text(release_file(*RELEASE, "ultralytics/cfg/default.yaml"))
    return path


def test_ultralytics_default_yaml_equals_its_trainer(cli, ultralytics_default_yaml, trainer_code):  # noqa: F811
    """COCO on one GPU for 6 epochs: 7,393 batches of 16 an epoch, `optimizer: auto` takes lr0 0.01 and
    no bias warmup (11,094 iterations > 10,000); each group equals BaseTrainer's own code."""
    result = cli(
        "export", str(ultralytics_default_yaml), "--dataset-size", "118287", "--epochs", "6", "--format", "json"
    )
    assert result.code == 0, result.err
    weights, biases = json.loads(result.out)["curves"]
    assert weights["run"]["batches_per_epoch"] == math.ceil(118287 / 16) == 7393
    params = {"nb": 7393, "epochs": 6, "batch": 16, "lr0": 0.01, "warmup_bias_lr": 0.0}
    for record, group in ((weights, "weight"), (biases, "bias")):
        expected = ultralytics_lrs(trainer_code, {**params, "param_group": group}, 10**9, epochs=6)
        np.testing.assert_allclose(record["lr"], expected, rtol=1e-12, atol=0)


def test_ultralytics_auto_optimizer_below_10000_iterations_asks_for_lr0(cli, ultralytics_default_yaml):
    result = cli("plot", str(ultralytics_default_yaml), "--dataset-size", "1000", "--no-save")
    assert result.code == 2
    assert result.err.strip().endswith(
        "default.yaml:27: optimizer: optimizer auto picks AdamW for 1600 iterations, with an lr0 from the "
        "dataset's number of classes; set optimizer and lr0 in the config"
    )


# --------------------------------------------------------------------------- DeepSpeed

DS_CIFAR = DATA / "DeepSpeedExamples" / "cifar" / "ds_config.json"


@pytest.mark.parametrize(("dataset", "world", "epochs"), [(50000, 1, 1), (5000, 2, 3)])
def test_deepspeed_config_equals_deepspeed(cli, dataset, world, epochs):
    """cifar's ds_config.json (WarmupLR, train_batch_size 4) over CIFAR-10: DeepSpeed's own scheduler,
    stepped by the engine after each optimizer step, for the engine's steps per epoch."""
    import torch

    lr_schedules = pytest.importorskip("deepspeed.runtime.lr_schedules")
    config = json.loads(DS_CIFAR.read_text())
    record = exported(cli, str(DS_CIFAR), "--dataset-size", str(dataset), "--world-size", str(world),
                      "--epochs", str(epochs))  # fmt: skip
    micro = config["train_batch_size"] // world  # train_batch_size = micro x accumulation (1) x world
    per_epoch = len(torch.utils.data.DataLoader(range(math.ceil(dataset / world)), batch_size=micro))
    assert record["run"]["steps_per_epoch"] == per_epoch and record["steps"] == epochs * per_epoch
    optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=config["optimizer"]["params"]["lr"])
    scheduler = getattr(lr_schedules, config["scheduler"]["type"])(optimizer, **config["scheduler"]["params"])
    expected = []
    for _ in range(record["steps"]):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert_agree(record["lr"], expected)
    assert record["source"]["framework"] == "deepspeed"


def test_deepspeed_auto_values_ask_for_numbers(cli, tmp_path):
    config = {"scheduler": {"type": "WarmupDecayLR", "params": {"total_num_steps": "auto", "warmup_num_steps": 10}}}
    (tmp_path / "ds.json").write_text(json.dumps(config))
    result = cli("plot", "ds.json", "--no-save")
    assert (result.code, result.err.strip()) == (
        2,
        "Error: ds.json: scheduler.params.total_num_steps: "
        "'auto' is filled in by the Hugging Face Trainer, not DeepSpeed: give the number",
    )


# --------------------------------------------------------------------------- timm

TIMM_ARGS = [  # what train.py writes to args.yaml (the schedule's keys; the rest are ignored)
    {"sched": "cosine", "epochs": 12, "warmup_epochs": 2, "warmup_lr": 1e-6, "min_lr": 1e-5, "lr": None,
     "lr_base": 0.1, "lr_base_size": 256, "lr_base_scale": "", "opt": "lamb", "batch_size": 64,
     "grad_accum_steps": 2, "cooldown_epochs": 1, "lr_cycle_limit": 1, "model": "resnet50", "data_dir": "/data"},
    {"sched": "step", "epochs": 9, "decay_epochs": 2.4, "decay_rate": 0.97, "warmup_epochs": 3, "warmup_lr": 1e-6,
     "lr": 0.016, "batch_size": 32, "sched_on_updates": True, "warmup_prefix": True},
    {"sched": "multistep", "epochs": 8, "decay_milestones": [3, 6], "decay_rate": 0.5, "warmup_epochs": 1,
     "warmup_lr": 1e-4, "lr": 0.05, "batch_size": 50},
]  # fmt: skip


@pytest.mark.parametrize("args", TIMM_ARGS, ids=[a["sched"] for a in TIMM_ARGS])
def test_timm_args_yaml_equals_train_py(cli, tmp_path, args):
    """timm's own scheduler_kwargs and create_scheduler_v2 over the args, stepped as train.py steps them."""
    import importlib
    from types import SimpleNamespace

    import torch
    import yaml
    from framework_stepping import register_timm_without_models

    if not register_timm_without_models():
        pytest.skip("timm is not installed")
    factory = importlib.import_module("timm.scheduler.scheduler_factory")
    (tmp_path / "args.yaml").write_text(yaml.safe_dump(args))
    record = exported(cli, "args.yaml", "--dataset-size", "5000", "--world-size", "2")
    world, accumulation = 2, args.get("grad_accum_steps", 1)
    loader = math.ceil(5000 / world) // args["batch_size"]  # the training loader drops its last batch
    updates = (loader + accumulation - 1) // accumulation
    lr = args["lr"] or 0.1 * (args["batch_size"] * world * accumulation / 256) ** 0.5  # lamb: sqrt scaling
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    cfg = SimpleNamespace(**{k: v for k, v in args.items() if v is not None or k != "lr"})
    scheduler, num_epochs = factory.create_scheduler_v2(
        optimizer, **factory.scheduler_kwargs(cfg), updates_per_epoch=updates
    )
    expected, num_updates = [], 0
    for epoch in range(num_epochs):
        for _ in range(updates):
            expected.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            num_updates += 1
            scheduler.step_update(num_updates=num_updates)
        scheduler.step(epoch + 1)
    assert record["run"]["steps_per_epoch"] == updates and record["base_lr"] == pytest.approx(lr, rel=1e-15)
    assert_agree(record["lr"], expected)


# --------------------------------------------------------------------------- run files and --from


def test_run_file_reads_the_config_with_its_facts(cli):
    """configs/mmdet_faster_rcnn_1x.yaml (the gallery's figure): the facts in `run:`, the config beside."""
    run_file = Path(__file__).resolve().parents[1] / "configs" / "mmdet_faster_rcnn_1x.yaml"
    record = exported(cli, str(run_file))
    assert record["run"]["steps_per_epoch"] == 7330 and record["steps"] == 87960
    assert record["source"]["file"].endswith("faster-rcnn_r50_fpn_1x_coco.py")
    flagged = exported(cli, str(run_file), "--world-size", "4")  # a flag wins over the file's fact
    assert flagged["run"]["steps_per_epoch"] == math.ceil(117266 / 4 / 2)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("config: x.py\nrun: {dataset: 5}\n", "run.yaml:2: run: unknown run fact 'dataset' (facts: dataset_size,"),
        ("config: x.py\nruns: {}\n", "run.yaml:2: runs: unknown key 'runs' (a run file has config, run, from, title)"),
        ("config: x.py\nrun: {world_size: 0}\n", "run.yaml:2: run.world_size: expected a positive integer, got 0"),
    ],
)
def test_run_file_mistakes_are_one_line_errors(cli, tmp_path, text, error):
    (tmp_path / "x.py").write_text("param_scheduler = []\n")
    (tmp_path / "run.yaml").write_text(text)
    result = cli("plot", "run.yaml", "--no-save")
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert result.err.startswith(f"Error: {error}")


def test_from_names_the_reader(cli, tmp_path):
    """`--from hf` reads a file with none of the marker keys as TrainingArguments (their defaults)."""
    (tmp_path / "args.yaml").write_text("seed: 1\n")
    record = exported(cli, "args.yaml", "--from", "hf", "--dataset-size", "80")
    assert record["source"]["framework"] == "hf" and record["base_lr"] == 5e-5  # TrainingArguments' default
    assert record["steps"] == 30 and record["scheduler"] == "hf:linear"  # 3 epochs of 80 / 8
    result = cli("plot", "args.yaml", "--from", "keras", "--no-save")
    assert result.code == 2
    assert result.err.strip().startswith("Error: --from: no reader for 'keras' (lrviz reads deepspeed, detectron2,")


@settings(max_examples=40, deadline=None)
@given(
    dataset=st.integers(1, 100_000),
    world=st.integers(1, 64),
    batch=st.integers(1, 64),
    drop_last=st.booleans(),
)
def test_mmengine_epoch_length_is_torch_dataloader_length(dataset, world, batch, drop_last):
    """Over widely varying runs, an mmengine epoch is rank 0's len(DataLoader) under torch's DistributedSampler."""
    from torch.utils.data import DataLoader, DistributedSampler

    from lrviz.errors import SpecError
    from lrviz.spec.readers import config_spec
    from lrviz.spec.readers.base import RunFacts

    facts = RunFacts(dataset_size=dataset, world_size=world, batch_size=batch, drop_last=drop_last, epochs=1)
    sampler = DistributedSampler(range(dataset), num_replicas=world, rank=0, shuffle=False)
    loader = DataLoader(range(dataset), batch_size=batch, sampler=sampler, drop_last=drop_last)
    if len(loader) == 0:  # every batch dropped: refused, naming the flag
        with pytest.raises(SpecError, match="an epoch of no iterations") as error:
            config_spec(SCHEDULE_1X.read_text(), str(SCHEDULE_1X), facts)
        assert error.value.where == "--dataset-size"
        return
    spec = config_spec(SCHEDULE_1X.read_text(), str(SCHEDULE_1X), facts)
    assert spec.curves[0].steps_per_epoch == len(loader) == spec.curves[0].run.total_steps


def test_python_api_reads_a_config_with_facts():
    import lrviz

    spec = lrviz.read_config(str(FASTER_RCNN_MMDET), dataset_size=117266, world_size=8)
    assert spec.curves[0].steps_per_epoch == 7330 and spec.curves[0].framework == "mmengine"
    with pytest.raises(lrviz.SpecError, match="not a run fact") as error:
        lrviz.read_config(str(FASTER_RCNN_MMDET), datasetsize=5)
    assert error.value.where == "datasetsize"


@pytest.mark.parametrize(
    ("name", "text", "framework", "error"),
    [
        ("c.py", "lr = 1\n", "hf", "Error: --from: c.py is not hf's kind of config: a JSON or YAML mapping"),
        ("c.yaml", "lr0: 1\n", "mmengine", "Error: --from: c.yaml is not mmengine's kind of config: a .py file"),
        (
            "c.yaml",
            "- 1\n",
            "detectron2",
            "Error: --from: c.yaml is not detectron2's kind of config: a JSON or YAML mapping",
        ),
        ("run.yaml", "config: gone.py\n", None, "Error: run.yaml:1: config: no such file: gone.py"),
    ],
)
def test_a_file_of_the_wrong_kind_is_one_error_line(cli, tmp_path, name, text, framework, error):
    (tmp_path / name).write_text(text)
    result = cli("plot", name, *(["--from", framework] if framework else []), "-o", "x.png")
    assert (result.code, result.err.strip(), result.out) == (2, error, "")
    assert not (tmp_path / "x.png").exists()


@settings(max_examples=40, deadline=None)
@given(
    dataset=st.integers(1, 200_000),
    world=st.integers(1, 16),
    batch=st.integers(1, 64),
    accumulation=st.integers(1, 16),
    epochs=st.floats(0.1, 5.0),
    warmup=st.one_of(st.floats(0.0, 0.99), st.integers(1, 500)),
)
def test_hf_steps_are_the_trainers_over_varied_runs(dataset, world, batch, accumulation, epochs, warmup):
    """max_steps and the warmup as transformers' Trainer counts them (its get_warmup_steps, called here)."""
    from types import SimpleNamespace

    from transformers.training_args import TrainingArguments

    from lrviz.spec.readers import hf
    from lrviz.spec.readers.base import RunFacts

    args = {"learning_rate": 1e-4, "num_train_epochs": epochs, "per_device_train_batch_size": batch,
            "gradient_accumulation_steps": accumulation, "warmup_steps": warmup}  # fmt: skip
    reading = hf.read(args, "args.json", RunFacts(dataset_size=dataset, world_size=world))
    max_steps = trainer_max_steps(args, dataset, world)
    assert reading.raw["steps"] == max_steps
    expected_warmup = TrainingArguments.get_warmup_steps(SimpleNamespace(warmup_steps=warmup), max_steps)
    assert reading.raw["scheduler"]["num_warmup_steps"] == expected_warmup
