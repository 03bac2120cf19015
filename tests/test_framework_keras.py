"""keras:* schedules against Keras 3 itself, on the JAX backend (the `frameworks` extra).

Keras computes in the dtype of initial_learning_rate, float32; lrviz repeats its operations in
float32, so the values are mostly bit-identical. Where Keras takes a log or a power of a float
(CosineDecayRestarts with t_mul != 1), XLA's float32 approximations may differ from correctly
rounded ones by an ulp, so agreement is checked to float32 precision: within FLOAT32_ULPS float32
epsilons of the schedule's scale.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from framework_checks import (
    EPS32,
    FLOAT32_ULPS,
    assert_float32_close,
    check_example,
    check_one_line_error,
    example_params,
    exported_lrs,
    lrviz_lrs,
    make_scheduler_lrs,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrviz import schedules

os.environ["KERAS_BACKEND"] = "jax"  # before keras is imported: its backend is chosen then
keras = pytest.importorskip("keras")  # in the `frameworks` extra that `test` installs: runs in CI
jax = pytest.importorskip("jax")

KS = keras.optimizers.schedules


def test_keras_runs_on_jax():
    assert keras.backend.backend() == "jax"


def keras_optimizer_lrs(schedule, steps: int) -> np.ndarray:
    """The LR each update of a Keras SGD optimizer applies (gradient 1 on a variable reset to 0)."""
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    variable = keras.Variable(np.zeros((), "float32"))
    gradient = np.ones((), "float32")
    lrs = []
    for _ in range(steps):
        optimizer.apply([gradient], [variable])
        lrs.append(0.0 - float(np.asarray(variable)))
        variable.assign(np.zeros((), "float32"))
    return np.array(lrs)


def keras_lrs(schedule, steps: int) -> np.ndarray:
    """The schedule called at each step count, as the optimizer calls it with `iterations`.

    One call per step: a vectorised call (jax.vmap) is compiled differently and rounds differently.
    """
    return np.array([float(np.asarray(schedule(np.int32(step)))) for step in range(steps)])


CASES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.9},
     lambda: KS.ExponentialDecay(0.1, 7, 0.9)),
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.9, "staircase": True},
     lambda: KS.ExponentialDecay(0.1, 7, 0.9, staircase=True)),
    ("PiecewiseConstantDecay", {"boundaries": (10, 20), "values": (1.0, 0.5, 0.1)},
     lambda: KS.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 30},
     lambda: KS.PolynomialDecay(0.1, 30)),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 30, "end_learning_rate": 0.01, "power": 0.5,
                         "cycle": True}, lambda: KS.PolynomialDecay(0.1, 30, 0.01, 0.5, cycle=True)),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
     lambda: KS.InverseTimeDecay(0.1, 10, 0.5)),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True},
     lambda: KS.InverseTimeDecay(0.1, 10, 0.5, staircase=True)),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 50, "alpha": 0.1},
     lambda: KS.CosineDecay(0.1, 50, 0.1)),
    ("CosineDecay", {"initial_learning_rate": 1e-5, "decay_steps": 50, "warmup_target": 1e-3, "warmup_steps": 10,
                     "alpha": 0.05}, lambda: KS.CosineDecay(1e-5, 50, 0.05, warmup_target=1e-3, warmup_steps=10)),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10},
     lambda: KS.CosineDecayRestarts(0.1, 10)),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 1.0, "m_mul": 0.5,
                             "alpha": 0.1}, lambda: KS.CosineDecayRestarts(0.1, 10, 1.0, 0.5, 0.1)),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 7, "t_mul": 1.5, "m_mul": 0.9},
     lambda: KS.CosineDecayRestarts(0.1, 7, 1.5, 0.9)),
]  # fmt: skip
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def test_every_keras_schedule_class_is_covered():
    members = {s.name for s in schedules.family("keras").schedules}
    classes = {n for n, v in vars(KS).items() if isinstance(v, type) and issubclass(v, KS.LearningRateSchedule)}
    assert members == {name for name, _, _ in CASES} == classes - {"LearningRateSchedule"}


@pytest.mark.parametrize(("name", "params", "make"), CASES, ids=IDS)
def test_matches_keras_optimizer_and_schedule(name, params, make):
    ours = lrviz_lrs(f"keras:{name}", 60, **params)
    assert_float32_close(ours, keras_lrs(make(), 60))
    assert_float32_close(ours[:25], keras_optimizer_lrs(make(), 25))
    assert np.array_equal(ours, ours.astype(np.float32)), "every value is a float32"


@pytest.mark.parametrize(("name", "params", "make"), CASES[:-1], ids=IDS[:-1])
def test_bit_identical_where_keras_uses_no_log(name, params, make):
    """Without CosineDecayRestarts' log (t_mul != 1), every float32 operation is repeated exactly,
    the multiply-adds XLA fuses inside ops.cond included."""
    assert np.array_equal(lrviz_lrs(f"keras:{name}", 60, **params), keras_lrs(make(), 60))


SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
lrs = st.floats(1e-6, 10.0)


@SETTINGS
@given(init=lrs, steps=st.integers(1, 60), rate=st.floats(0.01, 3.0), staircase=st.booleans())
def test_exponential_and_inverse_time_varied(init, steps, rate, staircase):
    kwargs = {"initial_learning_rate": init, "decay_steps": steps, "decay_rate": rate, "staircase": staircase}
    assert_float32_close(lrviz_lrs("keras:ExponentialDecay", 80, **kwargs), keras_lrs(KS.ExponentialDecay(**kwargs), 80))
    assert_float32_close(lrviz_lrs("keras:InverseTimeDecay", 80, **kwargs), keras_lrs(KS.InverseTimeDecay(**kwargs), 80))


@SETTINGS
@given(init=lrs, end=st.floats(0.0, 1e-3), steps=st.integers(1, 50), power=st.floats(0.1, 4.0), cycle=st.booleans())
def test_polynomial_varied(init, end, steps, power, cycle):
    kwargs = {"initial_learning_rate": init, "decay_steps": steps, "end_learning_rate": end, "power": power,
              "cycle": cycle}  # fmt: skip
    assert_float32_close(lrviz_lrs("keras:PolynomialDecay", 120, **kwargs), keras_lrs(KS.PolynomialDecay(**kwargs), 120))


@SETTINGS
@given(init=lrs, steps=st.integers(1, 60), alpha=st.floats(0.0, 1.0), target=st.none() | lrs,
       warmup=st.integers(0, 30))  # fmt: skip
def test_cosine_varied(init, steps, alpha, target, warmup):  # steps up to 60, warmup up to 30: 100 steps cover both
    kwargs = {"initial_learning_rate": init, "decay_steps": steps, "alpha": alpha, "warmup_target": target,
              "warmup_steps": warmup}  # fmt: skip
    assert_float32_close(lrviz_lrs("keras:CosineDecay", 100, **kwargs), keras_lrs(KS.CosineDecay(**kwargs), 100))


@settings(SETTINGS, max_examples=6)  # each call of this schedule compiles its ops.cond: slow
@given(init=lrs, first=st.integers(1, 15), t_mul=st.floats(0.5, 3.0), m_mul=st.floats(0.1, 1.0),
       alpha=st.floats(0.0, 0.5))  # fmt: skip
def test_restarts_varied(init, first, t_mul, m_mul, alpha):
    kwargs = {"initial_learning_rate": init, "first_decay_steps": first, "t_mul": t_mul, "m_mul": m_mul,
              "alpha": alpha}  # fmt: skip
    ours = lrviz_lrs("keras:CosineDecayRestarts", 60, **kwargs)
    theirs = keras_lrs(KS.CosineDecayRestarts(**kwargs), 60)
    # a log one ulp apart can put a step into the next cycle: at most the restart steps themselves differ
    differ = np.abs(ours - theirs) > FLOAT32_ULPS * EPS32 * np.max(np.abs(theirs))
    assert differ.sum() <= 3, (np.flatnonzero(differ), ours[differ], theirs[differ])


def test_cli_export_equals_keras(cli):
    result = cli("export", "keras:CosineDecayRestarts", "--initial-learning-rate", "0.1", "--first-decay-steps", "20",
                 "--m-mul", "0.5", "--steps", "100", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    curve = json.loads(result.out)["curves"][0]
    assert curve["steps"] == 100 and curve["base_lr"] == 1.0
    assert np.array_equal(curve["lr"], keras_lrs(KS.CosineDecayRestarts(0.1, 20, m_mul=0.5), 100))


def test_yaml_form(cli, tmp_path):
    config = tmp_path / "keras.yaml"
    config.write_text(
        "scheduler: {type: 'keras:PiecewiseConstantDecay', boundaries: [10, 20], values: [0.1, 0.05, 0.01]}\n"
        "steps: 30\n"
    )
    theirs = keras_lrs(KS.PiecewiseConstantDecay([10, 20], [0.1, 0.05, 0.01]), 30)
    assert np.array_equal(exported_lrs(cli, str(config)), theirs)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["keras:ExponentialDecay", "--initial-learning-rate", "0.1", "--decay-step", "9", "--decay-rate", "0.5"],
         "Error: --decay-step: unknown option for keras:ExponentialDecay; did you mean '--decay-steps'?"),
        (["keras:ExponentialDecay", "--initial-learning-rate", "0.1", "--decay-steps", "0", "--decay-rate", "0.5"],
         "Error: --decay-steps: must be at least 1 (Keras raises), got 0"),
        (["keras:PiecewiseConstantDecay", "--boundaries", "10,20", "--values", "1,2"],
         "Error: --values: needs one more value than boundaries: 2 boundaries, 2 values"),
        (["keras:PiecewiseConstantDecay", "--boundaries", "20,10", "--values", "1,2,3"],
         "Error: --boundaries: must be strictly increasing"),
        (["keras:CosineDecay", "--initial-learning-rate", "0.1", "--decay-steps", "9", "--lr", "0.1"],
         "Error: --lr: keras:CosineDecay takes its learning rates from its own parameters, so lr means nothing here; "
         "leave it out"),
        (["keras:CosineDecayRestart"],
         "Error: NAME: unknown Keras 3 (keras.optimizers.schedules) schedule 'keras:CosineDecayRestart'; "
         "did you mean 'keras:CosineDecayRestarts'?"),
    ],
)  # fmt: skip
def test_bad_parameter_is_one_line_naming_the_flag(cli, args, error, tmp_path):
    check_one_line_error(cli, ["export", *args, "--format", "json"], error, tmp_path)


@pytest.mark.parametrize(("name", "params", "make"), CASES, ids=IDS)
def test_framework_code_and_torch_code_run_and_match(name, params, make):
    schedule = schedules.lookup(f"keras:{name}")
    full = schedule.with_defaults(params)
    ours = lrviz_lrs(f"keras:{name}", 60, **params)
    assert_float32_close(ours, make_scheduler_lrs(schedule.framework_code(full), 60))  # Keras' own values
    assert_float32_close(ours, make_scheduler_lrs(schedule.torch_code(full), 60))  # plain float64 math
    assert "keras" not in schedule.torch_code(full)


@pytest.mark.parametrize("schedule", example_params("keras"), ids=lambda s: s.name)
def test_every_example_runs(cli, schedule, tmp_path):
    check_example(cli, schedule, tmp_path)


def test_events_and_lengths():
    restarts = schedules.lookup("keras:CosineDecayRestarts")
    given = {"initial_learning_rate": 0.1, "first_decay_steps": 10}
    assert restarts.events(given) == [(10, "restart"), (30, "restart"), (70, "restart")]
    assert restarts.default_steps(given) == 70
    cosine = schedules.lookup("keras:CosineDecay")
    warm = {"initial_learning_rate": 0.0, "decay_steps": 90, "warmup_target": 1e-3, "warmup_steps": 10}
    assert cosine.events(warm) == [(10, "warmup end")] and cosine.length(warm) == ("decay_steps", 100)
