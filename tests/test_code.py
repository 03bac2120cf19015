"""`--code`: the printed PyTorch snippet runs, and gives exactly the values lrviz plots."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lrviz.report.code import lambda_source, pytorch_code
from lrviz.simulation.stepping import simulate
from lrviz.spec.expressions import Expression
from lrviz.spec.flags import CurveFlags, spec_from_tokens
from lrviz.spec.yamlfile import spec_from_yaml_text

FLAG_CASES = [
    (["onecycle", "--max-lr", "0.01", "--total-steps", "80"], {"optimizer": "adamw"}),
    (["cosine", "--t-max", "150"], {"steps": "200"}),
    (["multistep", "--milestones", "30,60", "--gamma", "0.5"], {"warmup_steps": "10", "warmup_factor": "0.01"}),
    (["step", "--step-size", "7"], {"warmup_steps": "5", "warmup_method": "constant", "steps": "40"}),
    (["lambda", "--lr-lambda", "0.5 ** (epoch // 30) * cos(pi * step / 400) + min(x, 3) / 1e3"], {"steps": "90"}),
    (["multiplicative", "--lr-lambda", "0.95 if epoch < 20 else exp(-0.01)"], {"steps": "50"}),
    (["onecycle", "--max-lr", "0.3", "--total-steps", "120"], {}),
    (["cyclic", "--base-lr", "0.001", "--max-lr", "0.1", "--step-size-up", "10", "--mode", "triangular2"], {}),
    (["sgdr", "--t-0", "10", "--t-mult", "2", "--eta-min", "0.001"], {"lr": "0.05"}),
    (["plateau", "--patience", "3", "--factor", "0.5"], {"metric": "synthetic:3", "steps": "120"}),
    (["exp", "--gamma", "0.9,0.95"], {"steps": "30"}),
]

YAML_CASES = [
    """
steps: 120
scheduler:
  type: SequentialLR
  milestones: [10]
  schedulers:
    - {type: LinearLR, start_factor: 0.01, total_iters: 10}
    - {type: CosineAnnealingLR, T_max: 110}
warmup: {steps: 5, factor: 0.1}
""",
    """
steps: 60
scheduler:
  type: ChainedScheduler
  schedulers:
    - {type: ConstantLR, factor: 0.5, total_iters: 5}
    - {type: ExponentialLR, gamma: 0.97}
param_groups: [{name: backbone}, {name: head, lr_scale: 10}]
""",
    """
curves:
  - scheduler: {type: plateau, patience: 2, mode: max}
    metric: [0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3]
  - scheduler: {type: poly, total_iters: 8, power: 2.0}
    steps: 12
""",
]


def _run_snippet(code: str) -> dict:
    namespace: dict = {"__name__": "__lrviz_snippet__"}
    exec(compile(code, "<lrviz --code>", "exec"), namespace)  # noqa: S102 - the code under test
    return namespace


def _check(spec):
    curves = simulate(spec)
    namespace = _run_snippet(pytorch_code(spec))
    if len(curves) == 1:
        assert namespace["lrs"] == curves[0].lr.tolist()
    else:
        for index, curve in enumerate(curves, start=1):
            assert namespace[f"lrs_{index}"] == curve.lr.tolist(), curve.label


@pytest.mark.parametrize(("tokens", "flags"), FLAG_CASES, ids=[" ".join(t[:1] + t[1:3]) for t, _ in FLAG_CASES])
def test_snippet_gives_lrviz_values_for_flag_specs(tokens, flags):
    _check(spec_from_tokens(tokens, CurveFlags(**flags)))


@pytest.mark.parametrize("text", YAML_CASES, ids=["sequential+warmup", "chained+groups", "plateau-list+poly"])
def test_snippet_gives_lrviz_values_for_yaml_specs(text):
    _check(spec_from_yaml_text(text, "spec.yaml"))


def test_snippet_is_a_standalone_script(tmp_path):
    spec = spec_from_tokens(["lambda", "--lr-lambda", "exp(-0.05 * epoch)"], CurveFlags(steps="20", warmup_steps="4"))
    script = tmp_path / "schedule.py"
    script.write_text(pytorch_code(spec) + "print(repr(lrs))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert eval(done.stdout) == simulate(spec)[0].lr.tolist()  # noqa: S307 - a list of floats we printed


def test_snippet_reads_like_torch_code():
    spec = spec_from_tokens(["cosine", "--t-max", "150"], CurveFlags())
    code = pytorch_code(spec)
    assert "lr_scheduler.CosineAnnealingLR(optimizer, T_max=150)" in code
    assert "import math" not in code
    assert "import lrviz" not in code and "from lrviz" not in code  # plain torch
    assert "optimizer.step()\n    scheduler.step()" in code


@pytest.mark.parametrize(
    ("text", "source", "uses_math"),
    [
        ("0.5 ** (epoch // 30)", "lambda epoch: 0.5 ** (epoch // 30)", False),
        ("cos(pi * step / 10)", "lambda epoch: math.cos(math.pi * epoch / 10)", True),
        ("max(0.1, 1 - x / 100)", "lambda epoch: max(0.1, 1 - epoch / 100)", False),
        ("pow(0.9, floor(epoch / 3))", "lambda epoch: math.pow(0.9, math.floor(epoch / 3))", True),
    ],
)
def test_expressions_become_python_lambdas(text, source, uses_math):
    assert lambda_source(Expression(text)) == (source, uses_math)
