"""hf:* against transformers itself: every SchedulerType lrviz offers, built by transformers'
``get_scheduler`` as the Trainer calls it and stepped like the Trainer (LR read before each update)."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest
from framework_stepping import assert_example_runs, assert_snippets_match, lrviz_group_lrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrviz import schedules

optimization = pytest.importorskip("transformers.optimization")  # in the `frameworks` extra: CI installs it
torch = pytest.importorskip("torch")

HF = schedules.family("hf")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TRAINING_KEYS = ("num_warmup_steps", "num_training_steps")


def trainer_warmup_steps(ratio: float, num_training_steps: int) -> int:
    """The Trainer's own rounding: TrainingArguments.get_warmup_steps (transformers 5 reads a ratio
    from warmup_steps below 1), called on a stand-in for the arguments object."""
    from transformers.training_args import TrainingArguments

    return TrainingArguments.get_warmup_steps(SimpleNamespace(warmup_steps=ratio), num_training_steps)


def transformers_lrs(name: str, steps: int, group_lrs: list[float], metrics=None, **params) -> list[list[float]]:
    """transformers' get_scheduler(name, ...) over a torch SGD, stepped `steps` times like the Trainer."""
    if params.get("warmup_ratio") is not None:
        params["num_warmup_steps"] = trainer_warmup_steps(params.pop("warmup_ratio"), params["num_training_steps"])
    params.pop("warmup_ratio", None)
    trainer_args = {key: params.pop(key) for key in TRAINING_KEYS if key in params}
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in group_lrs]
    optimizer = torch.optim.SGD(groups, lr=group_lrs[0])
    scheduler = optimization.get_scheduler(name, optimizer, **trainer_args, scheduler_specific_kwargs=params)
    seen: list[list[float]] = [[] for _ in group_lrs]
    for k in range(steps):
        for row, group in zip(seen, optimizer.param_groups, strict=True):
            row.append(group["lr"])
        optimizer.step()
        scheduler.step(metrics[k]) if metrics is not None else scheduler.step()
    return seen


def assert_same(name: str, steps: int, lr: float = 0.1, group_lrs: list[float] | None = None, **params) -> None:
    """lrviz's hf:NAME equals transformers' NAME, value for value (both are LambdaLRs over the same lambda)."""
    expected = transformers_lrs(name, steps, group_lrs or [lr], **dict(params))
    assert lrviz_group_lrs(f"hf:{name}", steps, lr=lr, group_lrs=group_lrs, **params) == expected


DEFAULTS = {
    "linear": {"num_warmup_steps": 10, "num_training_steps": 100},
    "cosine": {"num_warmup_steps": 10, "num_training_steps": 100},
    "cosine_with_restarts": {"num_warmup_steps": 10, "num_training_steps": 100},
    "polynomial": {"num_warmup_steps": 10, "num_training_steps": 100},
    "constant": {},
    "constant_with_warmup": {"num_warmup_steps": 10},
    "inverse_sqrt": {"num_warmup_steps": 10},
    "cosine_with_min_lr": {"num_warmup_steps": 10, "num_training_steps": 100, "min_lr_rate": 0.1},
    "cosine_warmup_with_min_lr": {"num_warmup_steps": 10, "num_training_steps": 100, "min_lr": 1e-3},
    "warmup_stable_decay": {"num_warmup_steps": 10, "num_decay_steps": 20, "num_training_steps": 100},
}

NON_DEFAULTS = [
    ("linear", {"num_warmup_steps": 0, "num_training_steps": 37}),
    ("linear", {"warmup_ratio": 0.07, "num_training_steps": 100}),  # ceil(7.000000000000001) = 8 steps
    ("cosine", {"num_warmup_steps": 3, "num_training_steps": 50, "num_cycles": 1.5}),
    ("cosine", {"warmup_ratio": 0.1, "num_training_steps": 333}),
    ("cosine_with_restarts", {"num_warmup_steps": 5, "num_training_steps": 120, "num_cycles": 4}),
    ("polynomial", {"num_warmup_steps": 7, "num_training_steps": 90, "lr_end": 1e-4, "power": 2.5}),
    ("polynomial", {"warmup_ratio": 0.03, "num_training_steps": 1000, "lr_end": 0.0, "power": 0.5}),
    ("constant_with_warmup", {"num_warmup_steps": 0}),
    ("constant_with_warmup", {"warmup_ratio": 0.07, "num_training_steps": 100}),
    ("inverse_sqrt", {"warmup_ratio": 0.15, "num_training_steps": 300}),
    ("inverse_sqrt", {"num_warmup_steps": 0}),
    ("inverse_sqrt", {"num_warmup_steps": 20, "timescale": 7}),
    ("cosine_with_min_lr", {"num_warmup_steps": 4, "num_training_steps": 80, "num_cycles": 1.0, "min_lr": 2e-3}),
    ("cosine_with_min_lr", {"warmup_ratio": 0.06, "num_training_steps": 250, "min_lr_rate": 0.05}),
    ("cosine_warmup_with_min_lr", {"num_warmup_steps": 9, "num_training_steps": 60, "min_lr_rate": 0.2}),
    ("cosine_warmup_with_min_lr", {"num_warmup_steps": 9, "num_training_steps": 60, "min_lr_rate": 0.0, "warmup_lr_rate": 0.3}),
    ("warmup_stable_decay", {"num_warmup_steps": 10, "num_stable_steps": 30, "num_decay_steps": 20}),
    ("warmup_stable_decay", {"warmup_ratio": 0.1, "num_training_steps": 200, "num_decay_steps": 50, "warmup_type": "1-sqrt", "decay_type": "linear", "min_lr_ratio": 0.1}),
    ("warmup_stable_decay", {"num_warmup_steps": 10, "num_training_steps": 80, "num_decay_steps": 30, "warmup_type": "cosine", "decay_type": "1-sqrt"}),
    ("warmup_stable_decay", {"num_warmup_steps": 5, "num_stable_steps": 5, "num_decay_steps": 40, "decay_type": "cosine", "num_cycles": 1.25, "min_lr_ratio": 0.3}),
]


def test_every_scheduler_type_is_a_member():
    assert {s.name for s in HF.schedules} == {t.value for t in optimization.SchedulerType}


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_defaults_match_transformers(name):
    params = DEFAULTS[name]
    assert_same(name, params.get("num_training_steps", 60) + 15, lr=3e-4, **params)  # runs past the end


@pytest.mark.parametrize(("name", "params"), NON_DEFAULTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(NON_DEFAULTS)])
def test_non_defaults_match_transformers(name, params):
    assert_same(name, params.get("num_training_steps", 60) + 10, lr=0.05, **params)


@pytest.mark.parametrize("name", ["polynomial", "cosine_with_min_lr", "linear"])
def test_param_groups_use_the_optimizer_default_lr_like_transformers(name):
    # polynomial and min_lr divide by optimizer.defaults["lr"] (group 0's here), not by each group's LR
    params = {**DEFAULTS[name], "min_lr": 1e-3} if name == "cosine_with_min_lr" else DEFAULTS[name]
    params = {k: v for k, v in params.items() if k != "min_lr_rate"}
    assert_same(name, 110, group_lrs=[0.1, 0.02, 0.5], **params)


@SETTINGS
@given(
    name=st.sampled_from(["linear", "cosine", "cosine_with_restarts", "polynomial", "cosine_with_min_lr"]),
    warmup=st.integers(0, 60),
    training=st.integers(1, 300),
    ratio=st.one_of(st.none(), st.floats(0, 0.99)),
    cycles=st.integers(1, 5),
    rate=st.floats(0, 1),
    power=st.floats(0.1, 4),
    lr=st.floats(1e-6, 1.0),
)
def test_warmup_decay_members_match_transformers(name, warmup, training, ratio, cycles, rate, power, lr):
    params = {"num_training_steps": training}
    params.update({"warmup_ratio": ratio} if ratio is not None else {"num_warmup_steps": warmup})
    if name == "cosine_with_restarts":
        params["num_cycles"] = cycles
    if name == "cosine_with_min_lr":
        params["min_lr_rate"] = rate
    if name == "polynomial":
        params.update(power=power, lr_end=lr * rate * 0.5)
        warmup_used = params.get("num_warmup_steps", math.ceil(training * (ratio or 0)))
        if training <= warmup_used:
            return  # refused by lrviz (transformers divides by zero): tested below
    assert_same(name, training + 20, lr=lr, **params)


@SETTINGS
@given(
    warmup=st.integers(0, 40),
    stable=st.integers(0, 80),
    decay=st.integers(0, 80),
    warmup_type=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    decay_type=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    min_lr_ratio=st.floats(0, 1),
    cycles=st.floats(0.25, 2),
    by_total=st.booleans(),
)
def test_warmup_stable_decay_matches_transformers(warmup, stable, decay, warmup_type, decay_type, min_lr_ratio, cycles, by_total):
    params = dict(num_warmup_steps=warmup, num_decay_steps=decay, warmup_type=warmup_type)
    params.update(decay_type=decay_type, min_lr_ratio=min_lr_ratio, num_cycles=cycles)
    params.update({"num_training_steps": warmup + stable + decay} if by_total else {"num_stable_steps": stable})
    assert_same("warmup_stable_decay", warmup + stable + decay + 10, **params)


@SETTINGS
@given(warmup=st.integers(0, 50), timescale=st.one_of(st.none(), st.integers(1, 500)), lr=st.floats(1e-5, 1))
def test_inverse_sqrt_matches_transformers(warmup, timescale, lr):
    params = {"num_warmup_steps": warmup} | ({"timescale": timescale} if timescale is not None else {})
    assert_same("inverse_sqrt", 150, lr=lr, **params)


def test_reduce_lr_on_plateau_follows_the_metric_like_transformers():
    metrics = [1.0 / (1 + k) if k < 20 else 0.05 for k in range(80)]
    params = {"patience": 3, "factor": 0.5, "threshold": 0.01, "cooldown": 2, "min_lr": 0.004}
    expected = transformers_lrs("reduce_lr_on_plateau", 80, [0.1], metrics=metrics, **dict(params))
    assert lrviz_group_lrs("hf:reduce_lr_on_plateau", 80, metric=metrics, **params) == expected
    assert min(expected[0]) == 0.004  # the metric really drove it


@SETTINGS
@given(
    metrics=st.lists(st.floats(0, 2), min_size=80, max_size=80),
    mode=st.sampled_from(["min", "max"]),
    factor=st.floats(0.3, 0.99),
    patience=st.integers(0, 6),
    threshold_mode=st.sampled_from(["rel", "abs"]),
    cooldown=st.integers(0, 3),
    warmup=st.integers(0, 3),
    smooth=st.booleans(),
    window_size=st.integers(1, 10),
    reset_start=st.integers(1, 20),
)
def test_greedy_follows_the_metric_like_transformers(
    metrics, mode, factor, patience, threshold_mode, cooldown, warmup, smooth, window_size, reset_start
):
    params = dict(mode=mode, factor=factor, patience=patience, threshold_mode=threshold_mode, cooldown=cooldown)
    params.update(warmup=warmup, smooth=smooth, window_size=window_size, reset_start=reset_start, min_lr=0.05)
    params.update(max_lr=0.2, threshold=0.01)
    expected = transformers_lrs("greedy", 80, [0.1], metrics=metrics, **dict(params))
    assert lrviz_group_lrs("hf:greedy", 80, metric=metrics, **params) == expected


@pytest.mark.parametrize(("ratio", "total", "steps"), [(0.07, 100, 8), (0.07, 10000, 701), (0.1, 1000, 100), (0.0, 50, 0)])
def test_warmup_ratio_rounds_up_as_the_trainer_does(ratio, total, steps):
    from lrviz.schedules.hf import warmup_steps

    assert trainer_warmup_steps(ratio, total) == steps
    assert warmup_steps({"warmup_ratio": ratio, "num_training_steps": total, "num_warmup_steps": None}) == steps


def test_export_json_equals_transformers(cli):
    result = cli("export", "hf:cosine", "--warmup-ratio", "0.07", "--num-training-steps", "100", "--lr", "3e-4", "--format", "json")
    assert result.code == 0, result.err
    (curve,) = json.loads(result.out)["curves"]
    assert curve["lr"] == transformers_lrs("cosine", 100, [3e-4], warmup_ratio=0.07, num_training_steps=100)[0]
    assert curve["lr"][8] == 3e-4 and curve["lr"][7] < 3e-4  # 8 warmup steps, not 7


def test_yaml_form_equals_transformers(cli, tmp_path):
    (tmp_path / "wsd.yaml").write_text(
        'scheduler: {type: "hf:warmup_stable_decay", num_warmup_steps: 100, num_stable_steps: 700, num_decay_steps: 200}\n'
        "lr: 0.001\nsteps: 1000\n"
    )
    result = cli("export", "wsd.yaml", "--format", "json")
    assert result.code == 0, result.err
    expected = transformers_lrs("warmup_stable_decay", 1000, [0.001], num_warmup_steps=100, num_stable_steps=700, num_decay_steps=200)
    assert json.loads(result.out)["curves"][0]["lr"] == expected[0]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["hf:warmup_stable_decay", "--num-warmup-steps", "1", "--num-decay-steps", "2", "--num-stable-steps", "3", "--decay-type", "cosin"],
         "Error: --decay-type: expected one of linear, cosine, 1-sqrt, got 'cosin'; did you mean 'cosine'?"),
        (["hf:cosine", "--num-training-steps", "100"],
         "Error: --num-warmup-steps: required, or give warmup_ratio instead (a fraction of num_training_steps)"),
        (["hf:cosine", "--num-training-steps", "100", "--num-warmup-steps", "5", "--warmup-ratio", "0.1"],
         "Error: --warmup-ratio: give either num_warmup_steps or warmup_ratio, not both"),
        (["hf:linear", "--num-training-steps", "100", "--warmup-ratio", "1.5"],
         "Error: --warmup-ratio: must be in [0, 1) (a larger value is a number of steps), got 1.5"),
        (["hf:cosine_with_min_lr", "--num-warmup-steps", "1", "--num-training-steps", "10"],
         "Error: --min-lr: One of min_lr or min_lr_rate should be set"),
        (["hf:polynomial", "--num-warmup-steps", "10", "--num-training-steps", "10"],
         "Error: --num-training-steps: must be greater than the warmup (polynomial divides by their difference)"),
        (["hf:warmup_stable_decay", "--num-warmup-steps", "10", "--num-decay-steps", "20", "--num-training-steps", "25"],
         "Error: --num-training-steps: is shorter than num_warmup_steps + num_decay_steps: no stable phase is left"),
        (["hf:reduce_lr_on_plateau", "--factor", "1.5"], "Error: --factor: Factor should be < 1.0"),
        (["hf:greedy", "--factor", "0"], "Error: --factor: must be greater than 0 (GreedyLR divides by it), got 0"),
        (["hf:constant_with_warmup", "--warmup-ratio", "0.1"],
         "Error: --warmup-ratio: needs num_training_steps: the ratio is a fraction of it"),
    ],
)
def test_bad_parameter_is_one_line_naming_the_flag(cli, args, error):
    result = cli("plot", *args, "-o", "out.png")
    assert (result.code, result.err.splitlines()) == (2, [error])


def test_unknown_member_suggests_the_name(cli):
    result = cli("plot", "hf:cosin", "-o", "out.png")
    assert result.code == 2 and "hf:cosine" in result.err and len(result.err.splitlines()) == 1


@pytest.mark.parametrize("schedule", HF.schedules, ids=lambda s: s.name)
def test_example_runs(cli, schedule):
    assert_example_runs(cli, schedule)


CODE_CASES = [(name, DEFAULTS[name]) for name in sorted(DEFAULTS)] + NON_DEFAULTS


@pytest.mark.parametrize(("name", "params"), CODE_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CODE_CASES)])
def test_framework_code_and_torch_code_run_and_match(name, params):
    steps = params.get("num_training_steps", 60) + 10
    assert_snippets_match(schedules.lookup(f"hf:{name}"), params, steps, [0.05, 0.2])


@pytest.mark.parametrize("name", ["reduce_lr_on_plateau", "greedy"])
def test_metric_driven_code_snippets_follow_the_metric(name):
    metrics = [1.0] * 30 + [1.0 / k for k in range(1, 31)]
    moved = lrviz_group_lrs(f"hf:{name}", 60, metric=metrics, patience=2, factor=0.5)[0]
    assert len(set(moved)) > 2  # it moved, both ways for greedy
    assert_snippets_match(schedules.lookup(f"hf:{name}"), {"patience": 2, "factor": 0.5}, 60, [0.1], metrics)


def test_user_values_are_emitted_as_literals():
    schedule = schedules.lookup("hf:warmup_stable_decay")
    params = schedule.with_defaults({"num_warmup_steps": 1, "num_stable_steps": 2, "num_decay_steps": 3, "warmup_type": "1-sqrt"})
    assert "'1-sqrt'" in schedule.framework_code(params)
    assert "warmup_type='1-sqrt'" in schedule.torch_code(params)


@pytest.mark.parametrize(
    ("name", "args", "params"),
    [
        ("polynomial", ["--lr-end", "0.5"], {"lr_end": 0.5}),
        ("cosine_with_min_lr", ["--min-lr", "1e-3", "--min-lr-rate", "0.1"], {"min_lr": 1e-3, "min_lr_rate": 0.1}),
        ("cosine_with_min_lr", [], {}),
    ],
)
def test_what_lrviz_refuses_transformers_refuses(cli, name, args, params):
    base = {"num_warmup_steps": 1, "num_training_steps": 10}
    with pytest.raises(ValueError):
        transformers_lrs(name, 3, [0.1], **base, **params)
    result = cli("plot", f"hf:{name}", "--num-warmup-steps", "1", "--num-training-steps", "10", *args, "-o", "x.png")
    assert result.code == 2 and len(result.err.splitlines()) == 1 and result.err.startswith("Error: ")
