"""`vars:` and arithmetic in numeric fields: evaluated once by the safe evaluator, located in errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def _export(cli, tmp_path, text: str):
    (tmp_path / "s.yaml").write_text(text)
    return cli("export", "s.yaml")


def test_vars_and_arithmetic_equal_the_numbers_written_out(cli, tmp_path):
    with_vars = _export(
        cli,
        tmp_path,
        "vars: {N: 7330, E: 12, T: E*N}\nsteps: T\nlr: 0.02\n"
        "scheduler: {type: MultiStepLR, milestones: [8*N, 11*N], gamma: 0.1}\n"
        "warmup: {steps: 500, start_factor: 1/1000}\nlabel: 8*N\n",
    )
    assert with_vars.code == 0, with_vars.err
    (tmp_path / "plain.yaml").write_text(
        "steps: 87960\nlr: 0.02\nscheduler: {type: MultiStepLR, milestones: [58640, 80630], gamma: 0.1}\n"
        "warmup: {steps: 500, start_factor: 0.001}\nlabel: 8*N\n"
    )
    plain = cli("export", "plain.yaml")
    got, expected = json.loads(with_vars.out)["curves"][0], json.loads(plain.out)["curves"][0]
    assert got["lr"] == expected["lr"]
    assert got["params"] == {"milestones": [58640, 80630], "gamma": 0.1}
    assert got["label"] == "8*N"  # labels are text, never evaluated


def test_lr_lambda_may_name_vars(cli, tmp_path):
    result = _export(
        cli, tmp_path, "vars: {N: 3}\nsteps: 8\nscheduler: {type: LambdaLR, lr_lambda: 0.5 ** (epoch // N)}\n"
    )
    assert result.code == 0, result.err
    record = json.loads(result.out)["curves"][0]
    assert record["params"] == {"lr_lambda": "0.5 ** (epoch // 3)"}
    assert record["lr"] == [0.1 * 0.5 ** (k // 3) for k in range(8)]


def test_arithmetic_in_flags(cli):
    result = cli("export", "linear", "--start-factor", "1/2001", "--total-iters", "2*5", "--steps", "3")
    assert result.code == 0, result.err
    assert json.loads(result.out)["curves"][0]["params"] == {"start_factor": 1 / 2001, "total_iters": 10}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "vars: {N: 10}\nscheduler: {type: cosine, T_max: 2*M}\n",
            "Error: s.yaml:2: scheduler.T_max: unknown name 'M' in '2*M' (vars: N)",
        ),
        (
            "vars: {epoch: 3}\nscheduler: {type: cosine, T_max: 5}\n",
            "Error: s.yaml:1: vars.epoch: 'epoch' is already a name in expressions; choose another",
        ),
        (
            "vars: {N: 1/0}\nscheduler: {type: cosine, T_max: N}\n",
            "Error: s.yaml:1: vars.N: division by zero in expression '1/0'",
        ),
        (
            "vars: [1, 2]\nscheduler: {type: cosine, T_max: 5}\n",
            "Error: s.yaml:1: vars: expected a mapping of names to numbers, e.g. {N: 7330}",
        ),
        (
            "vars: {N: 2.5}\nscheduler: {type: cosine, T_max: N*3}\n",
            "Error: s.yaml:2: scheduler.T_max: expected an integer, got 'N*3'",
        ),
        (
            "scheduler: {type: multistep, milestones: [10, 3*X]}\n",
            "Error: s.yaml:1: scheduler.milestones: expected integer steps, got '3*X' (torch compares milestones with the "
            "integer step count, so a fractional one never fires)",
        ),
    ],
)
def test_arithmetic_errors_name_file_line_and_key(cli, tmp_path, text, error):
    result = _export(cli, tmp_path, text)
    assert (result.code, result.err) == (2, error + "\n")


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 5000), a=st.integers(1, 20), b=st.integers(0, 50))
def test_arithmetic_matches_python_integers(n, a, b):
    from lrviz.spec.model import spec_from_dict

    spec = spec_from_dict({"vars": {"N": n}, "scheduler": {"type": "StepLR", "step_size": f"{a}*N + {b}"}, "steps": 3})
    assert spec.curves[0].scheduler.kwargs["step_size"] == a * n + b
