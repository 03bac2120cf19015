"""timm:* against timm itself: timm's own scheduler classes, stepped as timm's train.py steps them
(``step_update(num_updates)`` after every update, ``step(epoch + 1, metric)`` after every epoch)."""

from __future__ import annotations

import importlib
import json
import types

import pytest
from framework_stepping import (
    assert_example_runs,
    assert_snippets_match,
    lrviz_group_lrs,
    register_timm_without_models,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrviz import schedules

torch = pytest.importorskip("torch")


def load_timm_scheduler() -> types.ModuleType:
    """timm's own ``timm.scheduler`` (see ``framework_stepping.register_timm_without_models``)."""
    if not register_timm_without_models():
        pytest.skip("timm is not installed (it is in the `frameworks` extra: CI installs it)")
    return importlib.import_module("timm.scheduler")


timm_scheduler = load_timm_scheduler()
TIMM = schedules.family("timm")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CLASSES = {
    "cosine": "CosineLRScheduler",
    "tanh": "TanhLRScheduler",
    "poly": "PolyLRScheduler",
    "step": "StepLRScheduler",
    "multistep": "MultiStepLRScheduler",
    "wsd": "WSDLRScheduler",
    "plateau": "PlateauLRScheduler",
}


def timm_lrs(name: str, steps: int, group_lrs: list[float], steps_per_epoch: int = 1, metrics=None, **params):
    """timm's scheduler over a torch SGD, driven by train.py's loop; the LR each update runs at."""
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in group_lrs]
    optimizer = torch.optim.SGD(groups, lr=group_lrs[0])
    cls = getattr(timm_scheduler, CLASSES[name])
    if name == "plateau":
        with pytest.warns(FutureWarning, match="deprecated"):
            scheduler = cls(optimizer, **params)
    else:
        scheduler = cls(optimizer, **params)
    seen: list[list[float]] = [[] for _ in group_lrs]
    num_updates = 0
    for epoch in range(-(-steps // steps_per_epoch)):
        for _ in range(steps_per_epoch):
            if num_updates == steps:
                return seen
            for row, group in zip(seen, optimizer.param_groups, strict=True):
                row.append(group["lr"])
            optimizer.step()
            num_updates += 1
            scheduler.step_update(num_updates=num_updates)
        scheduler.step(epoch + 1, metrics[num_updates - 1] if metrics is not None else None)
    return seen


def assert_same(name: str, steps: int, lr: float = 0.1, group_lrs: list[float] | None = None, **params) -> None:
    """lrviz's timm:NAME equals timm's scheduler, value for value."""
    framework_params = {k: v for k, v in params.items() if k not in ("steps_per_epoch", "metric")}
    if "noise_range_t" in framework_params:
        framework_params["noise_range_t"] = as_timm_range(framework_params["noise_range_t"])
    expected = timm_lrs(
        name, steps, group_lrs or [lr], params.get("steps_per_epoch", 1), params.get("metric"), **framework_params
    )
    assert lrviz_group_lrs(f"timm:{name}", steps, lr=lr, group_lrs=group_lrs, **params) == expected


def as_timm_range(values):
    return values[0] if len(values) == 1 else list(values)


DEFAULTS = {
    "cosine": {"t_initial": 30},
    "tanh": {"t_initial": 30},
    "poly": {"t_initial": 30},
    "step": {"decay_t": 10},
    "multistep": {"decay_t": [10, 20]},
    "wsd": {"t_initial": 40, "decay_t": 8},
}

NON_DEFAULTS = [
    ("cosine", {"t_initial": 10, "warmup_t": 3, "warmup_lr_init": 1e-4, "steps_per_epoch": 7, "lr_min": 1e-3}),
    ("cosine", {"t_initial": 10, "warmup_t": 3, "warmup_prefix": True, "cycle_limit": 3, "cycle_decay": 0.5, "cycle_mul": 2.0}),
    ("cosine", {"t_initial": 50, "warmup_t": 5, "t_in_epochs": False, "k_decay": 2.0, "noise_range_t": [10, 40], "noise_pct": 0.3, "noise_seed": 7}),
    ("cosine", {"t_initial": 20, "cycle_limit": 4, "cycle_mul": 1.5, "noise_range_t": [5], "noise_std": 0.2, "steps_per_epoch": 3}),
    ("tanh", {"t_initial": 15, "warmup_t": 4, "warmup_lr_init": 1e-3, "lb": -5.0, "ub": 4.0, "steps_per_epoch": 4}),
    ("tanh", {"t_initial": 40, "warmup_t": 4, "warmup_prefix": True, "cycle_limit": 3, "cycle_mul": 0.75}),
    ("poly", {"t_initial": 25, "power": 2.0, "k_decay": 0.5, "warmup_t": 2, "lr_min": 1e-4, "cycle_limit": 2}),
    ("step", {"decay_t": 2.4, "decay_rate": 0.97, "warmup_t": 3, "warmup_lr_init": 1e-6, "steps_per_epoch": 5}),
    ("step", {"decay_t": 3, "decay_rate": 0.5, "warmup_t": 2, "warmup_prefix": False, "t_in_epochs": False, "noise_range_t": [4, 12]}),
    ("multistep", {"decay_t": [3, 8, 9], "decay_rate": 0.3, "warmup_t": 2, "warmup_lr_init": 0.01, "steps_per_epoch": 2}),
    ("multistep", {"decay_t": [5, 15], "decay_rate": 0.1, "warmup_t": 3, "warmup_prefix": False, "noise_range_t": [0], "noise_pct": 0.1}),
    ("wsd", {"t_initial": 30, "decay_t": 7.5, "warmup_t": 4, "warmup_lr_init": 1e-4, "lr_min": 1e-3, "steps_per_epoch": 3}),
    ("wsd", {"t_initial": 100, "decay_t": 30, "warmup_t": 10, "stable_fn": "rsqrt", "decay_fn": "linear", "t_in_epochs": False}),
    ("wsd", {"t_initial": 60, "decay_t": 20, "stable_fn": "power", "stable_power": 0.3, "stable_timescale": 5.0, "decay_fn": "exp", "decay_ratio": 0.05, "lr_min": 1e-3}),
    ("wsd", {"t_initial": 50, "decay_t": 50, "decay_fn": "power", "decay_power": 2.0, "noise_range_t": [10, 30]}),
    ("wsd", {"t_initial": 50, "decay_t": 10, "decay_fn": "cosine", "warmup_t": 5}),
]


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_defaults_match_timm(name):
    assert_same(name, 45, lr=0.01, **DEFAULTS[name])


@pytest.mark.parametrize(("name", "params"), NON_DEFAULTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(NON_DEFAULTS)])
def test_non_defaults_match_timm(name, params):
    assert_same(name, 130, lr=0.05, **params)


def test_param_groups_each_warm_up_to_their_own_lr():
    params = {"t_initial": 12, "warmup_t": 3, "warmup_lr_init": 1e-5, "lr_min": 1e-4, "noise_range_t": [6]}
    assert_same("cosine", 20, group_lrs=[0.1, 0.01, 0.3], **params)


@SETTINGS
@given(
    name=st.sampled_from(["cosine", "tanh", "poly"]),
    t_initial=st.integers(1, 40),
    warmup_t=st.integers(0, 8),
    warmup_prefix=st.booleans(),
    cycle_mul=st.sampled_from([1.0, 1.5, 2.0]),
    cycle_decay=st.floats(0.1, 1.0),
    cycle_limit=st.integers(0, 4),
    k_decay=st.floats(0.25, 3.0),
    lr_min=st.floats(0, 1e-3),
    t_in_epochs=st.booleans(),
    steps_per_epoch=st.integers(1, 4),
    noise=st.one_of(st.none(), st.lists(st.integers(0, 60), min_size=1, max_size=2)),
    noise_seed=st.integers(0, 1000),
    noise_pct=st.floats(0.05, 1.0),
    noise_std=st.floats(0.0, 2.0),
)
def test_cycle_schedulers_match_timm(
    name, t_initial, warmup_t, warmup_prefix, cycle_mul, cycle_decay, cycle_limit, k_decay, lr_min, t_in_epochs,
    steps_per_epoch, noise, noise_seed, noise_pct, noise_std,
):  # fmt: skip
    params = dict(t_initial=t_initial, warmup_t=warmup_t, warmup_prefix=warmup_prefix, cycle_mul=cycle_mul)
    params.update(cycle_decay=cycle_decay, cycle_limit=cycle_limit, lr_min=lr_min, t_in_epochs=t_in_epochs)
    params.update(steps_per_epoch=steps_per_epoch, noise_seed=noise_seed, warmup_lr_init=lr_min / 2)
    params.update(noise_pct=noise_pct, noise_std=noise_std)
    if noise is not None:
        params["noise_range_t"] = sorted(noise)
    if name != "tanh":
        params["k_decay"] = k_decay
    assert_same(name, 90, lr=0.02, **params)


@SETTINGS
@given(
    decay_t=st.floats(0.3, 12).map(lambda x: round(x, 2)),
    decay_rate=st.floats(0.05, 1.0),
    warmup_t=st.integers(0, 6),
    warmup_prefix=st.booleans(),
    t_in_epochs=st.booleans(),
    steps_per_epoch=st.integers(1, 5),
)
def test_step_with_fractional_periods_matches_timm(decay_t, decay_rate, warmup_t, warmup_prefix, t_in_epochs, steps_per_epoch):
    params = dict(decay_t=decay_t, decay_rate=decay_rate, warmup_t=warmup_t, warmup_prefix=warmup_prefix)
    params.update(t_in_epochs=t_in_epochs, steps_per_epoch=steps_per_epoch, warmup_lr_init=1e-4)
    assert_same("step", 80, **params)


@SETTINGS
@given(
    milestones=st.lists(st.integers(0, 40), min_size=1, max_size=4).map(sorted),
    decay_rate=st.floats(0.05, 1.0),
    warmup_t=st.integers(0, 6),
    warmup_prefix=st.booleans(),
    steps_per_epoch=st.integers(1, 3),
)
def test_multistep_matches_timm(milestones, decay_rate, warmup_t, warmup_prefix, steps_per_epoch):
    params = dict(decay_t=milestones, decay_rate=decay_rate, warmup_t=warmup_t, warmup_prefix=warmup_prefix)
    assert_same("multistep", 60, steps_per_epoch=steps_per_epoch, **params)


@SETTINGS
@given(
    t_initial=st.integers(1, 60),
    decay_share=st.floats(0.01, 1.0),
    warmup_t=st.integers(0, 8),
    stable_fn=st.sampled_from(["constant", "rsqrt", "power"]),
    timescale=st.one_of(st.none(), st.floats(0.5, 20)),
    stable_power=st.floats(0.1, 2),
    decay_fn=st.sampled_from(["linear", "1-sqrt", "cosine", "power", "exp"]),
    decay_power=st.floats(0.1, 3),
    decay_ratio=st.floats(0.01, 0.99),
    lr_min=st.floats(0, 1e-3),
    t_in_epochs=st.booleans(),
    steps_per_epoch=st.integers(1, 3),
)
def test_wsd_matches_timm(
    t_initial, decay_share, warmup_t, stable_fn, timescale, stable_power, decay_fn, decay_power, decay_ratio, lr_min,
    t_in_epochs, steps_per_epoch,
):  # fmt: skip
    if stable_fn != "constant" and timescale is None and warmup_t == 0:
        timescale = 1.0  # timm refuses a zero timescale (tested as an error below)
    params = dict(t_initial=t_initial, decay_t=round(t_initial * decay_share, 3) or 0.001, warmup_t=warmup_t)
    params.update(stable_fn=stable_fn, stable_power=stable_power, decay_fn=decay_fn, decay_power=decay_power)
    params.update(decay_ratio=decay_ratio, lr_min=lr_min, t_in_epochs=t_in_epochs, steps_per_epoch=steps_per_epoch)
    if timescale is not None:
        params["stable_timescale"] = timescale
    assert_same("wsd", 100, lr=0.01, **params)


PLATEAU_METRIC = [1.0 / (1 + k) if k < 40 else 0.02 + 0.001 * (k % 3) for k in range(120)]


@pytest.mark.parametrize(
    "params",
    [
        {"mode": "min", "patience_t": 3, "decay_rate": 0.5},
        {"mode": "min", "patience_t": 2, "decay_rate": 0.3, "cooldown_t": 2, "warmup_t": 4, "warmup_lr_init": 1e-4, "lr_min": 1e-3},
        {"mode": "min", "patience_t": 2, "noise_range_t": [10], "noise_pct": 0.2, "noise_seed": 3, "steps_per_epoch": 3},
        {"mode": "min", "patience_t": 2, "noise_range_t": [5, 25], "noise_type": "uniform", "threshold": 0.05},
        {"patience_t": 5, "decay_rate": 0.5, "warmup_t": 2},  # mode max on a falling loss: decays every 6 epochs
    ],
)
def test_plateau_follows_the_metric_like_timm(params):
    assert_same("plateau", 120, metric=PLATEAU_METRIC, **params)


def test_shrinking_cycles_fail_where_timm_fails():
    # cycle_mul < 1: the cycles add up to t_initial / (1 - cycle_mul); past that timm's logarithm fails
    with pytest.raises(ValueError, match="math domain error"):
        timm_lrs("cosine", 30, [0.1], t_initial=10, cycle_mul=0.5, cycle_limit=5)
    with pytest.raises(Exception, match="after optimizer step 19: math domain error"):
        lrviz_group_lrs("timm:cosine", 30, t_initial=10, cycle_mul=0.5, cycle_limit=5)
    assert timm_lrs("cosine", 19, [0.1], t_initial=10, cycle_mul=0.5, cycle_limit=5)[0] == lrviz_group_lrs(
        "timm:cosine", 19, t_initial=10, cycle_mul=0.5, cycle_limit=5
    )[0]


def test_plateau_default_seed_is_timms_42():
    params = {"mode": "min", "patience_t": 1, "noise_range_t": [1]}
    expected = timm_lrs("plateau", 30, [0.1], metrics=PLATEAU_METRIC, mode="min", patience_t=1, noise_range_t=1)
    assert lrviz_group_lrs("timm:plateau", 30, metric=PLATEAU_METRIC, **params) == expected


def test_warmup_adds_up_from_warmup_lr_init_and_does_not_shift_the_cosine():
    lrs = lrviz_group_lrs("timm:cosine", 12, lr=0.1, t_initial=10, warmup_t=2, warmup_lr_init=0.0)[0]
    assert lrs[:3] == [0.0, 0.05, timm_lrs("cosine", 3, [0.1], t_initial=10, warmup_t=2)[0][2]]
    assert lrs[2] < 0.1  # epoch 2 is already the cosine at t=2, not its start


def test_export_json_equals_timm(cli):
    args = ["--t-initial", "6", "--warmup-t", "2", "--warmup-lr-init", "1e-6", "--lr-min", "1e-5", "--steps-per-epoch", "5"]
    result = cli("export", "timm:cosine", *args, "--lr", "1e-3", "--format", "json")
    assert result.code == 0, result.err
    (curve,) = json.loads(result.out)["curves"]
    expected = timm_lrs("cosine", 30, [1e-3], 5, t_initial=6, warmup_t=2, warmup_lr_init=1e-6, lr_min=1e-5)
    assert curve["lr"] == expected[0]


def test_yaml_form_equals_timm(cli, tmp_path):
    (tmp_path / "step.yaml").write_text(
        'scheduler: {type: "timm:step", decay_t: 2.4, decay_rate: 0.97, warmup_t: 3, warmup_lr_init: 1.0e-6, steps_per_epoch: 4}\n'
        "lr: 0.016\nsteps: 60\n"
    )
    result = cli("export", "step.yaml", "--format", "json")
    assert result.code == 0, result.err
    expected = timm_lrs("step", 60, [0.016], 4, decay_t=2.4, decay_rate=0.97, warmup_t=3, warmup_lr_init=1e-6)
    assert json.loads(result.out)["curves"][0]["lr"] == expected[0]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["timm:cosine", "--t-initial", "0"], "Error: --t-initial: must be at least 1, got 0"),
        (["timm:cosine", "--t-initial", "10", "--t-in-epoch", "false"], None),
        (["timm:tanh", "--t-initial", "10", "--lb", "3", "--ub", "-1"], "Error: --ub: must be greater than lb (3), got -1"),
        (["timm:cosine", "--t-initial", "10", "--cycle-mul", "0"],
         "Error: --cycle-mul: must be greater than 0 (timm takes a logarithm in base cycle_mul), got 0"),
        (["timm:cosine", "--t-initial", "10", "--noise-range-t", "1,2,3"],
         "Error: --noise-range-t: expected one value (on) or two (on, off), got 3"),
        (["timm:cosine", "--t-initial", "10", "--noise-range-t", "1", "--noise-pct", "0"],
         "Error: --noise-pct: must be greater than 0 (timm redraws until |noise| < noise_pct), got 0"),
        (["timm:multistep", "--decay-t", "30,10"], "Error: --decay-t: milestones must be in increasing order (timm bisects them)"),
        (["timm:step", "--decay-t", "0"], "Error: --decay-t: must be greater than 0, got 0"),
        (["timm:cosine", "--t-initial", "10", "--steps-per-epoch", "0"], "Error: --steps-per-epoch: must be at least 1, got 0"),
        (["timm:wsd", "--t-initial", "10", "--decay-t", "12"], "Error: --decay-t: must be in (0, t_initial] w/ t_initial=10, got 12"),
        (["timm:wsd", "--t-initial", "10", "--decay-t", "2", "--stable-fn", "rsqrt"],
         "Error: --stable-timescale: stable_fn=rsqrt requires a positive stable_timescale, it defaults to warmup_t (0), set it explicitly when there is no warmup"),
        (["timm:wsd", "--t-initial", "10", "--decay-t", "2", "--decay-fn", "sqrt"],
         "Error: --decay-fn: expected one of linear, 1-sqrt, cosine, power, exp, got 'sqrt'; did you mean '1-sqrt'?"),
    ],
)
def test_bad_parameter_is_one_line_naming_the_flag(cli, args, error):
    result = cli("plot", *args, "-o", "out.png")
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    if error is None:  # an unknown flag: the usual error, with a suggestion
        assert result.err.startswith("Error: --t-in-epoch") and "--t-in-epochs" in result.err
    else:
        assert result.err.splitlines() == [error]


@pytest.mark.parametrize("schedule", TIMM.schedules, ids=lambda s: s.name)
def test_example_runs(cli, schedule):
    assert_example_runs(cli, schedule)


CODE_CASES = [(name, DEFAULTS[name]) for name in sorted(DEFAULTS)] + NON_DEFAULTS


@pytest.mark.parametrize(("name", "params"), CODE_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CODE_CASES)])
def test_framework_code_and_torch_code_run_and_match(name, params):
    assert_snippets_match(schedules.lookup(f"timm:{name}"), params, 70, [0.05, 0.2])


def test_plateau_code_snippets_follow_the_metric():
    params = {"mode": "min", "patience_t": 2, "warmup_t": 3, "noise_range_t": [8], "steps_per_epoch": 2}
    assert_snippets_match(schedules.lookup("timm:plateau"), params, 60, [0.1], PLATEAU_METRIC)


def test_endless_cycles_ask_for_steps_instead_of_overflowing(cli):
    result = cli("plot", "timm:cosine", "--t-initial", "10", "--cycle-limit", "2000", "--cycle-mul", "2", "-o", "x.png")
    assert result.code == 2 and len(result.err.splitlines()) == 1
    assert result.err.startswith("Error: --steps: ") and "give steps explicitly" in result.err
    events = schedules.lookup("timm:cosine").events({"t_initial": 10, "cycle_limit": 2000, "cycle_mul": 2.0})
    assert 0 < len(events) <= 100 and all(isinstance(step, int) for step, _ in events)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("cosine", {"t_initial": 0}),
        ("poly", {"t_initial": 5, "lr_min": -1e-3}),
        ("tanh", {"t_initial": 5, "lb": 2.0, "ub": 1.0}),
        ("tanh", {"t_initial": 5, "cycle_limit": -1}),
        ("wsd", {"t_initial": 10, "decay_t": 11}),
        ("wsd", {"t_initial": 10, "decay_t": 5, "decay_ratio": 1.0}),
        ("wsd", {"t_initial": 10, "decay_t": 5, "stable_fn": "power"}),
    ],
)
def test_what_lrviz_refuses_timm_refuses(name, params):
    with pytest.raises((AssertionError, ValueError)):
        timm_lrs(name, 3, [0.1], **params)
    with pytest.raises(Exception, match=r"^scheduler\.\w+: ") as refused:  # names the parameter
        lrviz_group_lrs(f"timm:{name}", 3, **params)
    assert type(refused.value).__name__ == "SpecError"
