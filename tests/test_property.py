"""Property: any spec, valid or not, either exports torch's exact values or fails with one `Error:` line.

Hypothesis draws schedulers with parameter values that are mostly sound and sometimes junk
(NaN, negatives, text, fractions for integers, misspelled names), as flags and as YAML files.
Every run must end in exit 0 with finite values equal to a torch scheduler stepped directly
here, or in exit 2 with exactly one `Error:` line: never a traceback, never exit 70.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os

import pytest
import torch
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lrviz.cli.app import main
from lrviz.spec.expressions import Expression

# per test; small step counts keep each example to a few milliseconds. Set the variable for a deeper run.
EXAMPLES = int(os.environ.get("LRVIZ_PROPERTY_EXAMPLES", "700"))

# lr_lambda expressions, with the Python function the reference loop hands to torch
EXPRESSIONS = {
    "0.95 ** epoch": lambda epoch: 0.95**epoch,
    "0.5 ** (epoch // 10)": lambda epoch: 0.5 ** (epoch // 10),
    "min(1, (epoch + 1) / 10)": lambda epoch: min(1, (epoch + 1) / 10),
    "1 / (epoch + 1)": lambda epoch: 1 / (epoch + 1),
    "0.99": lambda epoch: 0.99,
}
HOSTILE_EXPRESSIONS = ["__import__('os')", "epoch.__class__", "9 ** 9 ** 9", "1 / epoch", "[1][0]", "x" * 1001, ""]

JUNK = st.sampled_from(
    ["nan", "inf", "-inf", "-1", "0", "-0.5", "1.5", "abc", "", "1e400", "1e-320", "None", "true", "10,20", " 3 "]
)


def _float(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


PARAMS: dict[str, dict[str, st.SearchStrategy]] = {
    "StepLR": {"step_size": _ints(1, 40), "gamma": _float(0.01, 1)},
    "MultiStepLR": {"milestones": st.lists(_ints(0, 60), min_size=1, max_size=4), "gamma": _float(0.01, 1)},
    "ExponentialLR": {"gamma": _float(0.5, 1)},
    "CosineAnnealingLR": {"T_max": _ints(1, 60), "eta_min": _float(0, 0.05)},
    "LinearLR": {"start_factor": _float(0.01, 1), "end_factor": _float(0, 1), "total_iters": _ints(0, 40)},
    "ConstantLR": {"factor": _float(0.01, 1), "total_iters": _ints(0, 40)},
    "PolynomialLR": {"total_iters": _ints(0, 40), "power": _float(0, 3)},
    "CosineAnnealingWarmRestarts": {"T_0": _ints(1, 30), "T_mult": _ints(1, 3), "eta_min": _float(0, 0.05)},
    "CyclicLR": {
        "base_lr": _float(0.001, 0.05),
        "max_lr": _float(0.05, 0.2),
        "step_size_up": _ints(1, 20),
        "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
    },
    "OneCycleLR": {
        "max_lr": _float(0.01, 1),
        "total_steps": _ints(1, 80),
        "pct_start": _float(0, 1),
        "anneal_strategy": st.sampled_from(["cos", "linear"]),
        "three_phase": st.booleans(),
    },
    "ReduceLROnPlateau": {
        "mode": st.sampled_from(["min", "max"]),
        "factor": _float(0.01, 0.99),
        "patience": _ints(0, 5),
        "cooldown": _ints(0, 3),
        "min_lr": _float(0, 0.01),
    },
    "LambdaLR": {"lr_lambda": st.sampled_from(sorted(EXPRESSIONS))},
    "MultiplicativeLR": {"lr_lambda": st.sampled_from(sorted(EXPRESSIONS))},
}
REQUIRED = {
    "StepLR": ["step_size"],
    "MultiStepLR": ["milestones"],
    "ExponentialLR": ["gamma"],
    "CosineAnnealingLR": ["T_max"],
    "CosineAnnealingWarmRestarts": ["T_0"],
    "CyclicLR": ["base_lr", "max_lr"],
    "OneCycleLR": ["max_lr", "total_steps"],
    "LambdaLR": ["lr_lambda"],
    "MultiplicativeLR": ["lr_lambda"],
}


def _chance(probability: float) -> st.SearchStrategy[bool]:
    """True with about `probability` (st.floats favours its bounds, which would skew the mix)."""
    percent = round(probability * 100)
    return st.sampled_from([False] * (100 - percent) + [True] * percent)


def _flag_text(value: object) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


@st.composite
def scheduler_params(draw: st.DrawFn, name: str, junk_rate: float) -> dict[str, object]:
    """Some of `name`'s parameters (the required ones usually), each sound or, sometimes, junk."""
    params: dict[str, object] = {}
    for key, strategy in PARAMS[name].items():
        if key not in REQUIRED.get(name, []) and not draw(st.booleans()):
            continue
        if key in REQUIRED.get(name, []) and draw(_chance(junk_rate / 4)):
            continue  # a required parameter left out
        if draw(_chance(junk_rate)):
            params[key] = draw(st.one_of(JUNK, st.sampled_from(HOSTILE_EXPRESSIONS)))
        else:
            params[key] = draw(strategy)
    if draw(_chance(junk_rate / 4)):
        params[draw(st.sampled_from(["gama", "t_max", "step", "milestone", "T-max"]))] = "1"
    return params


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _torch_scheduler(optimizer: torch.optim.Optimizer, name: str, params: dict) -> object:
    kwargs = {k: v for k, v in params.items() if k != "schedulers"}
    if "lr_lambda" in kwargs:
        text = kwargs["lr_lambda"]
        # junk that happens to be a valid expression ('-1', '1 / epoch'): lrviz's safe evaluator
        kwargs["lr_lambda"] = EXPRESSIONS.get(text) or Expression(text)
    if name == "SequentialLR":
        children = [_torch_scheduler(optimizer, c["type"], c) for c in params["schedulers"]]
        return torch.optim.lr_scheduler.SequentialLR(optimizer, children, **kwargs)
    kwargs.pop("type", None)
    return getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs)


def _warmup_factor(warmup: dict, step: int) -> float:
    """detectron2's _get_warmup_factor_at_iter, written out."""
    if step >= warmup["steps"]:
        return 1.0
    if warmup["method"] == "constant":
        return warmup["factor"]
    alpha = step / warmup["steps"]
    return warmup["factor"] * (1 - alpha) + alpha


def _reference(curve: dict) -> list[float]:
    """A plain training loop over the torch scheduler the exported curve names."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=curve["base_lr"], momentum=0.9)
    scheduler = _torch_scheduler(optimizer, curve["scheduler"], curve["params"])
    metric = curve["metric"]["values"] if "metric" in curve else None
    lrs = []
    for k in range(curve["steps"]):
        lrs.append(scheduler.get_last_lr()[0])
        optimizer.step()
        if metric is not None:
            scheduler.step(metric[k])
        else:
            scheduler.step()
    if "warmup" in curve:
        lrs = [lr * _warmup_factor(curve["warmup"], k) for k, lr in enumerate(lrs)]
    return lrs


def _assert_contract(code: int, out: str, err: str) -> None:
    event(f"exit {code}")  # --hypothesis-show-statistics: how many examples pass and fail
    assert "Traceback" not in err
    if code == 0:
        data = json.loads(out)
        assert data["curves"]
        for curve in data["curves"]:
            assert len(curve["lr"]) == curve["steps"]
            assert all(math.isfinite(v) for v in curve["lr"])
            assert curve["lr"] == _reference(curve), curve["label"]
    else:
        assert code == 2, err
        assert len(err.splitlines()) == 1 and err.startswith("Error: ") and err.endswith("\n"), err


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    name=st.sampled_from(sorted(PARAMS)),
    data=st.data(),
    steps=st.one_of(_ints(1, 60), JUNK, st.none()),
    lr=st.one_of(st.none(), _float(1e-4, 1).map(repr), JUNK),
)
def test_flags_export_torchs_values_or_one_error_line(name, data, steps, lr):
    params = data.draw(scheduler_params(name, junk_rate=0.15))
    if name == "ExponentialLR" and "gamma" in params and data.draw(st.booleans()):
        params["gamma"] = f"{params['gamma']},0.9"  # a sweep
    args = ["export", name]
    for key, value in params.items():
        args += ["--" + key.lower().replace("_", "-"), _flag_text(value)]
    if steps is not None:
        args += ["--steps", str(steps)]
    if lr is not None:
        args += ["--lr", lr]
    if name == "ReduceLROnPlateau" and data.draw(_chance(0.9)):
        metric = data.draw(st.lists(_float(0, 2), min_size=1, max_size=70))
        args += ["--metric", ",".join(map(repr, metric))]
    if data.draw(_chance(0.25)):
        args += ["--warmup-steps", data.draw(st.one_of(_ints(0, 30).map(str), JUNK))]
        if data.draw(st.booleans()):
            args += ["--warmup-factor", data.draw(st.one_of(_float(0, 1).map(repr), JUNK))]
        if data.draw(st.booleans()):
            args += ["--warmup-method", data.draw(st.sampled_from(["linear", "constant", "linar"]))]
    _assert_contract(*_run(*args))


@st.composite
def yaml_scheduler(draw: st.DrawFn, junk_rate: float, nested: bool = True) -> dict[str, object]:
    if nested and draw(_chance(0.2)):
        first = draw(st.sampled_from(["LinearLR", "ConstantLR", "ExponentialLR"]))
        second = draw(st.sampled_from(["CosineAnnealingLR", "ExponentialLR", "StepLR"]))
        return {
            "type": "SequentialLR",
            "milestones": [draw(st.one_of(_ints(0, 30), JUNK))],
            "schedulers": [
                {"type": first, **draw(scheduler_params(first, junk_rate))},
                {"type": second, **draw(scheduler_params(second, junk_rate))},
            ],
        }
    name = draw(st.sampled_from(sorted(PARAMS)))
    return {"type": name, **draw(scheduler_params(name, junk_rate))}


YAML_JUNK = st.one_of(JUNK, st.none(), st.booleans(), st.lists(_ints(0, 5), max_size=2), st.just({"a": 1}))


@SETTINGS
@given(data=st.data())
def test_yaml_export_torchs_values_or_one_error_line(tmp_path_factory, data):
    directory = tmp_path_factory.mktemp("yaml", numbered=True)
    curves = [{"scheduler": data.draw(yaml_scheduler(junk_rate=0.05))} for _ in range(data.draw(st.integers(1, 3)))]
    spec: dict[str, object] = {"curves": curves} if len(curves) > 1 or data.draw(st.booleans()) else curves[0]
    if data.draw(st.booleans()):
        spec["steps"] = data.draw(st.one_of(_ints(1, 60), _ints(1, 60), _ints(1, 60), YAML_JUNK))
    if data.draw(_chance(0.3)):
        spec["lr"] = data.draw(st.one_of(_float(1e-4, 1), _float(1e-4, 1), _float(1e-4, 1), YAML_JUNK))
    if data.draw(_chance(0.05)):
        spec[data.draw(st.sampled_from(["step", "curve", "title", "schedulers"]))] = 1
    path = directory / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    _assert_contract(*_run("export", str(path)))


@SETTINGS
@given(text=st.text(max_size=200))
def test_arbitrary_text_as_yaml_never_crashes(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("text", numbered=True) / "spec.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, out, err = _run("export", str(path))
    _assert_contract(code, out, err)


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(name=st.sampled_from(sorted(PARAMS)), data=st.data(), steps=st.one_of(_ints(1, 60), JUNK))
def test_check_exits_0_1_or_2_with_one_error_line(tmp_path_factory, name, data, steps):
    if data.draw(st.booleans()):
        params = data.draw(scheduler_params(name, junk_rate=0.15))
        args = ["check", name, "--steps", str(steps)]
        for key, value in params.items():
            args += ["--" + key.lower().replace("_", "-"), _flag_text(value)]
    else:
        path = tmp_path_factory.mktemp("check", numbered=True) / "spec.yaml"
        spec = {"steps": steps, "scheduler": data.draw(yaml_scheduler(junk_rate=0.05))}
        path.write_text(yaml.safe_dump(spec, sort_keys=False))
        args = ["check", str(path)]
    code, out, err = _run(*args)
    assert "Traceback" not in err
    assert code in (0, 1, 2), err
    if code == 2:
        assert len(err.splitlines()) == 1 and err.startswith("Error: "), err
    else:
        assert err == ""
        assert out.strip().endswith(("info", "checked"))


@pytest.fixture(autouse=True)
def _chdir(tmp_path, monkeypatch):
    # a command that wrongly wrote a file would write it here, not into the worktree
    monkeypatch.chdir(tmp_path)
