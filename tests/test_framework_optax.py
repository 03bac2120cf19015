"""optax:* schedules against optax itself (optax + jax on CPU, the `frameworks` extra).

optax computes in float32, and a training loop runs its update jitted: XLA then compiles the
schedule with its parameters as constants (a division by a constant becomes a multiplication by
its reciprocal; multiply-adds are fused), so the values differ from calling the schedule eagerly.
lrviz follows the jitted update: its values must be those of a jitted optax.sgd step, bit for bit
for nearly all steps (XLA's cos and pow may differ from correctly rounded ones by an ulp) and to
float32 precision for all: within FLOAT32_ULPS float32 epsilons of the schedule's scale.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from framework_checks import (
    assert_float32_close,
    check_example,
    check_one_line_error,
    example_params,
    exported_lrs,
    lrviz_lrs,
    make_scheduler_lrs,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lrviz import schedules

optax = pytest.importorskip("optax")  # in the `frameworks` extra that `test` installs: runs in CI
jax = pytest.importorskip("jax")
jnp = jax.numpy
ROOT = Path(__file__).resolve().parents[1]



def optax_trainer_lrs(schedule, steps: int) -> np.ndarray:
    """The LR of each update of a jitted optax.sgd step, as a training loop runs it (gradient 1)."""
    optimizer = optax.sgd(schedule)
    state = optimizer.init(jnp.zeros((), jnp.float32))
    update = jax.jit(optimizer.update)
    gradient = jnp.ones((), jnp.float32)
    lrs = []
    for _ in range(steps):
        updates, state = update(gradient, state)
        lrs.append(-float(updates))
    return np.array(lrs)


def optax_jitted_lrs(schedule, steps: int) -> np.ndarray:
    """optax's schedule compiled on its own (as inside the update) at int32 counts 0..steps-1."""
    compiled = jax.jit(lambda count: jnp.asarray(schedule(count), jnp.float32))
    return np.array([float(compiled(jnp.int32(count))) for count in range(steps)])


def assert_mostly_identical(ours: np.ndarray, theirs: np.ndarray) -> None:
    """To float32 precision everywhere, and bit-identical for at least 95 % of the steps."""
    assert_float32_close(ours, theirs)
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    assert np.mean(same) >= 0.95, np.flatnonzero(~same)


WCD = {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 10, "decay_steps": 100}
WARMUP = {"type": "linear_schedule", "init_value": 0.0, "end_value": 1e-3, "transition_steps": 20}
COSINE = {"type": "cosine_decay_schedule", "init_value": 1e-3, "decay_steps": 60, "alpha": 0.1}
# three children: an alias, a dict parameter as two lists, a staircase counted from its own boundary
THREE = [{"type": "warmup_cosine_decay", **WCD, "decay_steps": 40, "end_value": 1e-4},
         {"type": "piecewise_constant_schedule", "init_value": 5e-4, "boundaries": [10, 30], "scales": [0.5, 0.2]},
         {"type": "exponential_decay", "init_value": 5e-5, "transition_steps": 7, "decay_rate": 0.8, "staircase": True}]  # fmt: skip
# (lrviz name, lrviz parameters, the same schedule built with optax)
CASES = [
    ("constant_schedule", {"value": 3e-4}, lambda: optax.constant_schedule(3e-4)),
    ("linear_schedule", {"init_value": 1e-3, "end_value": 1e-5, "transition_steps": 100, "transition_begin": 7},
     lambda: optax.linear_schedule(1e-3, 1e-5, 100, 7)),
    ("polynomial_schedule", {"init_value": 1e-3, "end_value": 1e-5, "power": 2.0, "transition_steps": 100},
     lambda: optax.polynomial_schedule(1e-3, 1e-5, 2.0, 100)),
    ("piecewise_constant_schedule", {"init_value": 0.1, "boundaries": (60, 30), "scales": (0.3, 0.1)},
     lambda: optax.piecewise_constant_schedule(0.1, {60: 0.3, 30: 0.1})),
    ("exponential_decay", {"init_value": 1e-3, "transition_steps": 7, "decay_rate": 0.9, "transition_begin": 5,
                           "end_value": 3e-4}, lambda: optax.exponential_decay(1e-3, 7, 0.9, 5, False, 3e-4)),
    ("exponential_decay", {"init_value": 1e-3, "transition_steps": 7, "decay_rate": 1.1, "staircase": True,
                           "end_value": 2e-3}, lambda: optax.exponential_decay(1e-3, 7, 1.1, 0, True, 2e-3)),
    ("cosine_decay_schedule", {"init_value": 1e-3, "decay_steps": 90, "alpha": 0.1, "exponent": 2.5},
     lambda: optax.cosine_decay_schedule(1e-3, 90, 0.1, 2.5)),
    ("cosine_decay_schedule", {"init_value": 1e-3, "decay_steps": 90},
     lambda: optax.cosine_decay_schedule(1e-3, 90)),
    ("piecewise_interpolate_schedule", {"interpolate_type": "cosine", "init_value": 1e-3, "boundaries": (10, 50, 80),
                                        "scales": (3.0, 0.1, 0.5)},
     lambda: optax.piecewise_interpolate_schedule("cosine", 1e-3, {10: 3.0, 50: 0.1, 80: 0.5})),
    ("piecewise_interpolate_schedule", {"interpolate_type": "linear", "init_value": 1e-3, "boundaries": (0, 50),
                                        "scales": (2.0, 0.1)},
     lambda: optax.piecewise_interpolate_schedule("linear", 1e-3, {0: 2.0, 50: 0.1})),
    ("linear_onecycle_schedule", {"transition_steps": 100, "peak_value": 1e-2},
     lambda: optax.linear_onecycle_schedule(100, 1e-2)),
    ("linear_onecycle_schedule", {"transition_steps": 10, "peak_value": 1e-2, "pct_start": 0.5, "pct_final": 0.55},
     lambda: optax.linear_onecycle_schedule(10, 1e-2, 0.5, 0.55)),  # both phases start at 5: a dict key collides
    ("cosine_onecycle_schedule", {"transition_steps": 100, "peak_value": 1e-2, "pct_start": 0.25, "div_factor": 10.0,
                                  "final_div_factor": 100.0},
     lambda: optax.cosine_onecycle_schedule(100, 1e-2, 0.25, 10.0, 100.0)),
    ("warmup_constant_schedule", {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 10},
     lambda: optax.warmup_constant_schedule(0.0, 1e-3, 10)),
    ("warmup_cosine_decay_schedule", WCD, lambda: optax.warmup_cosine_decay_schedule(**WCD)),
    ("warmup_cosine_decay_schedule", {**WCD, "end_value": 1e-5, "exponent": 0.5},
     lambda: optax.warmup_cosine_decay_schedule(**WCD, end_value=1e-5, exponent=0.5)),
    ("warmup_exponential_decay_schedule", {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 10,
                                           "transition_steps": 10, "decay_rate": 0.7, "transition_begin": 5},
     lambda: optax.warmup_exponential_decay_schedule(0.0, 1e-3, 10, 10, 0.7, 5)),
    ("sgdr_schedule", {"init_value": (0.0,), "peak_value": (1e-3, 5e-4), "warmup_steps": (5,),
                       "decay_steps": (30, 50), "end_value": (1e-5, 0.0)},
     lambda: optax.sgdr_schedule([
         {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 5, "decay_steps": 30, "end_value": 1e-5},
         {"init_value": 0.0, "peak_value": 5e-4, "warmup_steps": 5, "decay_steps": 50, "end_value": 0.0}])),
    ("join_schedules", {"schedules": [WARMUP, COSINE], "boundaries": (20,)},
     lambda: optax.join_schedules([optax.linear_schedule(0.0, 1e-3, 20), optax.cosine_decay_schedule(1e-3, 60, 0.1)],
                                  [20])),
    ("join_schedules", {"schedules": THREE, "boundaries": (40, 90)},
     lambda: optax.join_schedules([optax.warmup_cosine_decay_schedule(**{**WCD, "decay_steps": 40}, end_value=1e-4),
                                   optax.piecewise_constant_schedule(5e-4, {10: 0.5, 30: 0.2}),
                                   optax.exponential_decay(5e-5, 7, 0.8, staircase=True)], [40, 90])),
    ("join_schedules", {"schedules": [{"type": "constant_schedule", "value": 1.0},
                                      {"type": "polynomial", "init_value": 2.0, "end_value": 0.5, "power": 1.5,
                                       "transition_steps": 50, "transition_begin": 5}], "boundaries": (0,)},
     lambda: optax.join_schedules([optax.constant_schedule(1.0), optax.polynomial_schedule(2.0, 0.5, 1.5, 50, 5)],
                                  [0])),  # a boundary at 0: the first schedule is never used
]  # fmt: skip


def test_every_optax_schedule_function_is_covered():
    members = {s.name for s in schedules.family("optax").schedules}
    assert members == {name for name, _, _ in CASES}
    functions = {n for n, v in vars(optax.schedules).items() if getattr(v, "__module__", "").startswith("optax.schedules._")}
    assert members >= {n for n in functions if "inject" not in n.lower() and n[0].islower()}


@pytest.mark.parametrize(("name", "params", "make"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_optax_training_loop(name, params, make):
    ours = lrviz_lrs(f"optax:{name}", 130, **params)
    assert_mostly_identical(ours, optax_trainer_lrs(make(), 130))
    assert np.array_equal(ours, ours.astype(np.float32)), "every value is a float32"


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
values = st.floats(1e-6, 10.0)
steps = st.integers(1, 300)


@SETTINGS
@given(init=values, end=values, power=st.floats(0.1, 5.0), transition=steps, begin=st.integers(0, 50))
def test_polynomial_varied(init, end, power, transition, begin):
    ours = lrviz_lrs("optax:polynomial_schedule", 200, init_value=init, end_value=end, power=power,
                     transition_steps=transition, transition_begin=begin)  # fmt: skip
    assert_float32_close(ours, optax_jitted_lrs(optax.polynomial_schedule(init, end, power, transition, begin), 200))


@SETTINGS
@given(init=values, transition=steps, rate=st.floats(0.05, 2.0), begin=st.integers(0, 50), staircase=st.booleans(),
       end=st.none() | values)  # fmt: skip
@example(init=1.0, transition=1, rate=2.0, begin=0, staircase=False, end=None)  # overflows float32 to inf
def test_exponential_decay_varied(init, transition, rate, begin, staircase, end):
    ours = lrviz_lrs("optax:exponential_decay", 200, init_value=init, transition_steps=transition, decay_rate=rate,
                     transition_begin=begin, staircase=staircase, end_value=end)  # fmt: skip
    reference = optax.exponential_decay(init, transition, rate, begin, staircase, end)
    assert_float32_close(ours, optax_jitted_lrs(reference, 200))


@SETTINGS
@given(init=values, peak=values, warmup=st.integers(0, 100), extra=st.integers(1, 300), end=st.floats(0.0, 1.0),
       exponent=st.floats(0.25, 4.0))  # fmt: skip
def test_warmup_cosine_decay_varied(init, peak, warmup, extra, end, exponent):
    params = {"init_value": init, "peak_value": peak, "warmup_steps": warmup, "decay_steps": warmup + extra,
              "end_value": end * peak, "exponent": exponent}  # fmt: skip
    ours = lrviz_lrs("optax:warmup_cosine_decay_schedule", warmup + extra + 20, **params)
    reference = optax.warmup_cosine_decay_schedule(**params)
    assert_float32_close(ours, optax_jitted_lrs(reference, warmup + extra + 20))


table = st.dictionaries(st.integers(0, 200), st.floats(0.0, 4.0), max_size=5)


@SETTINGS
@given(kind=st.sampled_from(["linear", "cosine"]), init=values, pairs=table)
def test_piecewise_schedules_varied(kind, init, pairs):
    boundaries, scales = tuple(pairs), tuple(pairs.values())
    ours = lrviz_lrs("optax:piecewise_interpolate_schedule", 220, interpolate_type=kind, init_value=init,
                     boundaries=boundaries, scales=scales)  # fmt: skip
    assert_float32_close(ours, optax_jitted_lrs(optax.piecewise_interpolate_schedule(kind, init, pairs or None), 220))
    ours = lrviz_lrs("optax:piecewise_constant_schedule", 220, init_value=init, boundaries=boundaries, scales=scales)
    assert_float32_close(ours, optax_jitted_lrs(optax.piecewise_constant_schedule(init, pairs or None), 220))


@SETTINGS
@given(transition=st.integers(1, 300), peak=values, start=st.floats(0.0, 1.0), final=st.floats(0.0, 1.0),
       div=st.floats(1.0, 100.0), final_div=st.floats(1.0, 1e5))  # fmt: skip
def test_onecycles_varied(transition, peak, start, final, div, final_div):
    ours = lrviz_lrs("optax:linear_onecycle_schedule", transition + 10, transition_steps=transition, peak_value=peak,
                     pct_start=start, pct_final=final, div_factor=div, final_div_factor=final_div)  # fmt: skip
    reference = optax.linear_onecycle_schedule(transition, peak, start, final, div, final_div)
    assert_float32_close(ours, optax_jitted_lrs(reference, transition + 10))
    ours = lrviz_lrs("optax:cosine_onecycle_schedule", transition + 10, transition_steps=transition, peak_value=peak,
                     pct_start=start, div_factor=div, final_div_factor=final_div)  # fmt: skip
    reference = optax.cosine_onecycle_schedule(transition, peak, start, div, final_div)
    assert_float32_close(ours, optax_jitted_lrs(reference, transition + 10))


def test_staircase_follows_the_jitted_update_not_eager_calls():
    """47 * float32(1 / 47) < 1: jitted, optax's staircase doubles one count late; lrviz shows that."""
    schedule = optax.exponential_decay(1.0, 47, 2.0, staircase=True)
    assert float(schedule(jnp.int32(47))) == 2.0  # eagerly, 47 / 47 == 1
    trained = optax_trainer_lrs(schedule, 50)
    assert trained[47] == 1.0 and trained[48] == 2.0
    ours = lrviz_lrs("optax:exponential_decay", 50, init_value=1.0, transition_steps=47, decay_rate=2.0, staircase=True)
    assert np.array_equal(ours, trained)


def test_polynomial_nan_of_the_jitted_update_is_shown():
    """1 - 3 * float32(1 / 3) fused is below 0, so jitted optax raises it to 1.5 and gets nan."""
    trained = optax_trainer_lrs(optax.polynomial_schedule(2.0, 1.0, 1.5, 3), 5)
    ours = lrviz_lrs("optax:polynomial_schedule", 5, init_value=2.0, end_value=1.0, power=1.5, transition_steps=3)
    assert np.isnan(trained[3:]).all() and np.array_equal(ours[:3], trained[:3]) and np.isnan(ours[3:]).all()


def test_sequential_lr_of_optax_members_is_join_schedules(cli, tmp_path):
    """A SequentialLR of optax schedules is optax.join_schedules too, value for value."""
    config = tmp_path / "join.yaml"
    config.write_text(
        "scheduler:\n  type: SequentialLR\n  milestones: [20]\n  schedulers:\n"
        "    - {type: 'optax:linear_schedule', init_value: 0.0, end_value: 1.0e-3, transition_steps: 20}\n"
        "    - {type: 'optax:cosine_decay_schedule', init_value: 1.0e-3, decay_steps: 60, alpha: 0.1}\n"
        "steps: 100\n"
    )
    joined = optax.join_schedules(
        [optax.linear_schedule(0.0, 1e-3, 20), optax.cosine_decay_schedule(1e-3, 60, 0.1)], [20]
    )
    sequential = exported_lrs(cli, str(config))
    assert_float32_close(sequential, optax_trainer_lrs(joined, 100))
    assert np.array_equal(sequential, lrviz_lrs("optax:join", 100, schedules=[WARMUP, COSINE], boundaries=(20,)))


JOIN_CONFIG = ROOT / "configs" / "optax_join_schedules.yaml"


def _readme_join_yaml() -> str:
    """The README's YAML example of optax:join_schedules (section "optax and Keras")."""
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    (block,) = [b for b in blocks if "optax:join_schedules" in b]
    return block


@pytest.mark.parametrize("source", ["config", "readme"])
def test_yaml_join_equals_optax_and_runs_its_default_length(cli, tmp_path, source):
    config = JOIN_CONFIG if source == "config" else tmp_path / "join.yaml"
    if source == "readme":
        config.write_text(_readme_join_yaml())
    ours = exported_lrs(cli, str(config))
    assert len(ours) == 1000, "the last boundary (100) plus the cosine's decay_steps (900)"
    joined = optax.join_schedules(
        [optax.linear_schedule(0.0, 1e-3, 100), optax.cosine_decay_schedule(1e-3, 900, 0.01)], [100]
    )
    assert_mostly_identical(ours, optax_trainer_lrs(joined, 1000))


SETTINGS_FEW = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_CHILD_CHOICES = {
    "constant_schedule": (lambda v, n: {"value": v}, lambda v, n: optax.constant_schedule(v)),
    "linear_schedule": (lambda v, n: {"init_value": v, "end_value": v / 3, "transition_steps": n},
                        lambda v, n: optax.linear_schedule(v, v / 3, n)),
    "cosine_decay_schedule": (lambda v, n: {"init_value": v, "decay_steps": n},
                              lambda v, n: optax.cosine_decay_schedule(v, n)),
}  # fmt: skip


@SETTINGS_FEW
@given(children=st.lists(st.tuples(st.sampled_from(sorted(_CHILD_CHOICES)), values, steps), min_size=1, max_size=4),
       gaps=st.lists(st.integers(1, 60), min_size=3, max_size=3), first=st.integers(0, 30))  # fmt: skip
def test_join_varied(children, gaps, first):
    boundaries = [first + sum(gaps[:i]) for i in range(len(children) - 1)]
    ours_children = [{"type": name, **_CHILD_CHOICES[name][0](v, n)} for name, v, n in children]
    theirs = optax.join_schedules([_CHILD_CHOICES[name][1](v, n) for name, v, n in children], boundaries)
    ours = lrviz_lrs("optax:join_schedules", 160, schedules=ours_children, boundaries=tuple(boundaries))
    assert_float32_close(ours, optax_jitted_lrs(theirs, 160))


def test_cli_export_equals_optax(cli):
    result = cli("export", "optax:cosine_onecycle_schedule", "--transition-steps", "80", "--peak-value", "0.01",
                 "--pct-start", "0.2", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    curve = json.loads(result.out)["curves"][0]
    assert curve["steps"] == 80 and curve["base_lr"] == 1.0
    reference = optax_trainer_lrs(optax.cosine_onecycle_schedule(80, 0.01, pct_start=0.2), 80)
    assert_float32_close(np.array(curve["lr"]), reference)


def test_yaml_form_with_optax_dict_as_two_lists(cli, tmp_path):
    config = tmp_path / "piecewise.yaml"
    config.write_text(
        "scheduler: {type: 'optax:piecewise_constant', init_value: 0.1, boundaries: [30, 60], scales: [0.1, 0.5]}\n"
        "steps: 90\n"
    )
    reference = optax_trainer_lrs(optax.piecewise_constant_schedule(0.1, {30: 0.1, 60: 0.5}), 90)
    assert_float32_close(exported_lrs(cli, str(config)), reference)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["optax:cosine_decay_schedule", "--init-value", "1e-3", "--decay-step", "9"],
         "Error: --decay-step: unknown option for optax:cosine_decay_schedule; did you mean '--decay-steps'?"),
        (["optax:cosine_decay_schedule", "--init-value", "1e-3", "--decay-steps", "0"],
         "Error: --decay-steps: must be at least 1, got 0"),
        (["optax:piecewise_constant_schedule", "--init-value", "0.1", "--boundaries", "3,6", "--scales", "0.1"],
         "Error: --scales: needs one scale per boundary: 2 boundaries, 1 scales"),
        (["optax:piecewise_constant_schedule", "--init-value", "0.1", "--boundaries", "3", "--scales", "-1"],
         "Error: --scales: must not be negative (optax raises), got -1"),
        (["optax:linear_schedule", "--init-value", "1", "--end-value", "0", "--transition-steps", "9", "--lr", "0.1"],
         "Error: --lr: optax:linear_schedule takes its learning rates from its own parameters, so lr means nothing "
         "here; leave it out"),
        (["optax:cosine_decay_scedule"],
         "Error: NAME: unknown optax (JAX) schedule 'optax:cosine_decay_scedule'; did you mean 'optax:cosine_decay_schedule'?"),
    ],
)  # fmt: skip
def test_bad_parameter_is_one_line_naming_the_flag(cli, args, error, tmp_path):
    check_one_line_error(cli, ["export", *args, "--format", "json"], error, tmp_path)


_JOIN_YAML = (
    "scheduler:\n  type: optax:join\n  schedules:\n"
    "    - {type: linear_schedule, init_value: 0.0, end_value: 1.0e-3, transition_steps: 100}\n"
    "    - {type: %s, init_value: 1.0e-3, decay_steps: %s}\n"
    "    - {type: constant_schedule, value: 1.0e-5}\n  boundaries: %s\n"
)


@pytest.mark.parametrize(
    ("child", "decay_steps", "boundaries", "error"),
    [
        ("cosine_decay_schedule", "900", "[100]",
         "7: scheduler.boundaries: needs one boundary between each two schedules: 3 schedules, 1 boundaries"),
        ("cosine_decay_schedule", "900", "[100, 100]", "7: scheduler.boundaries: must be strictly increasing steps, "
         "got [100, 100]"),
        ("cosine_decay_schedule", "900", "[-1, 100]", "7: scheduler.boundaries: must not be negative, got -1"),
        ("cosine_decay_schedul", "900", "[100, 1000]",
         "3: scheduler.schedules: entry 2: unknown type 'cosine_decay_schedul'; did you mean 'cosine_decay_schedule'?"),
        ("cosine_decay_schedule", "0", "[100, 1000]",
         "3: scheduler.schedules: entry 2 (cosine_decay_schedule) decay_steps: must be at least 1, got 0"),
        ("cosine_decay_schedule", "many", "[100, 1000]",
         "3: scheduler.schedules: entry 2 (cosine_decay_schedule) decay_steps: expected an integer, got 'many'"),
        ("join", "9", "[100, 1000]", "3: scheduler.schedules: entry 2: unknown type 'join'; a join inside a join: list its "
         "schedules and boundaries in this one"),
    ],
)  # fmt: skip
def test_bad_join_is_one_line_naming_the_entry(cli, tmp_path, child, decay_steps, boundaries, error):
    config = tmp_path / "join.yaml"
    config.write_text(_JOIN_YAML % (child, decay_steps, boundaries))
    result = cli("export", str(config), "--format", "json")
    assert (result.code, result.out, result.err.strip()) == (2, "", f"Error: {config}:{error}")
    assert list(tmp_path.iterdir()) == [config]


def test_sgdr_checks_its_cycle_lists(cli, tmp_path):
    config = tmp_path / "sgdr.yaml"
    config.write_text(
        "scheduler:\n  type: optax:sgdr\n  init_value: 0\n  peak_value: [1, 2]\n  warmup_steps: 1\n"
        "  decay_steps: [5, 6, 7]\n"
    )
    result = cli("export", str(config), "--format", "json")
    assert (result.code, result.err.strip()) == (
        2, f"Error: {config}:4: scheduler.peak_value: needs one value per cycle (3) or a single value for all, got 2")


@pytest.mark.parametrize(("name", "params", "make"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_framework_code_and_torch_code_run_and_match(name, params, make):
    schedule = schedules.lookup(f"optax:{name}")
    full = schedule.with_defaults(params)
    ours = lrviz_lrs(f"optax:{name}", 120, **params)
    assert_mostly_identical(ours, make_scheduler_lrs(schedule.framework_code(full), 120))  # optax's own values
    plain = make_scheduler_lrs(schedule.torch_code(full), 120)  # float64: agrees to float32 precision
    assert_float32_close(ours, plain)
    assert "import optax" not in schedule.torch_code(full) and "jax" not in schedule.torch_code(full)


def test_code_emits_values_as_literals():
    schedule = schedules.lookup("optax:exponential_decay")
    params = schedule.with_defaults({"init_value": math.inf, "transition_steps": 3, "decay_rate": 0.5})
    assert "init_value=float('inf')" in schedule.framework_code(params)
    assert "end_value=None" in schedule.torch_code(params)


@pytest.mark.parametrize("schedule", example_params("optax"), ids=lambda s: s.name)
def test_every_example_runs(cli, schedule, tmp_path):
    check_example(cli, schedule, tmp_path)


def test_events_and_lengths():
    warmup_cosine = schedules.lookup("optax:warmup_cosine_decay_schedule")
    assert warmup_cosine.events(WCD) == [(10, "warmup end")]
    assert warmup_cosine.length(WCD) == ("decay_steps", 100)
    assert warmup_cosine.default_steps(WCD) == 100
    sgdr = schedules.lookup("optax:sgdr_schedule")
    cycles = {"init_value": (0.0,), "peak_value": (1.0,), "warmup_steps": (0,), "decay_steps": (10, 20, 30)}
    assert sgdr.events(cycles) == [(10, "restart"), (30, "restart")]
    assert sgdr.default_steps(cycles) == 60
    join = schedules.lookup("optax:join")
    three = {"schedules": THREE, "boundaries": (40, 90)}
    assert join.events(three) == [(40, "→ piecewise_constant_schedule"), (90, "→ exponential_decay")]
    assert join.length(three) is None  # exponential_decay has no planned end
    assert join.default_steps(three) == 90 + 5 * 7
    two = {"schedules": [WARMUP, COSINE], "boundaries": (20,)}
    assert (join.length(two), join.default_steps(two)) == (("schedules", 80), 80)
