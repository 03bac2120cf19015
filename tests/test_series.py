"""A curve's `series:`: weight decay and momentum scheduled by real torch schedulers, recorded beside the LR."""

from __future__ import annotations

import csv
import io
import json
import runpy

import numpy as np
import pytest
from conftest import torch_lrs

from lrviz.rendering.figure import OTHER_HYPERPARAMETER_STYLE, RenderOptions, render
from lrviz.report.code import pytorch_code
from lrviz.report.export import to_csv, to_json
from lrviz.simulation.stepping import simulate
from lrviz.spec.yamlfile import spec_from_yaml_text

DINO = """\
lr: 0.0005
steps: 100
scheduler: {type: CosineAnnealingLR, T_max: 100}
series:
  - param: weight_decay
    value: 0.04
    scheduler: {type: CosineAnnealingLR, T_max: 100, eta_min: 0.4}
"""

# nanochat's Muon momentum warmup: from 0.85 to 0.95 over the first 300 steps
NANOCHAT = """\
lr: 0.02
steps: 400
scheduler: {type: LambdaLR, lr_lambda: "1 - max(0, step - 300) / 100"}
series:
  - param: momentum
    value: 0.95
    scheduler: {type: LambdaLR, lr_lambda: "1 - 0.1 / 0.95 * (1 - min(step / 300, 1))"}
"""


def _nanochat_momentum(step: int) -> float:
    frac = min(step / 300, 1)
    return (1 - frac) * 0.85 + frac * 0.95


def test_weight_decay_series_is_torch_cosine_stepped_on_an_optimizer_with_lr_value():
    (curve,) = simulate(spec_from_yaml_text(DINO, "dino.yaml"))
    ((param, values),) = curve.series
    assert param == "weight_decay"
    assert values.tolist() == torch_lrs("CosineAnnealingLR", 100, lr=0.04, T_max=100, eta_min=0.4)
    assert values[0] == 0.04 and values[-1] == pytest.approx(0.4, rel=1e-3)
    assert curve.lr.tolist() == torch_lrs("CosineAnnealingLR", 100, lr=0.0005, T_max=100)
    assert curve.momentum is None


def test_series_with_a_warmup_and_a_framework_schedule():
    text = DINO.replace("eta_min: 0.4}", "eta_min: 0.4}\n    warmup: {steps: 10, start_factor: 0.5}")
    (curve,) = simulate(spec_from_yaml_text(text, "w.yaml"))
    reference = torch_lrs("CosineAnnealingLR", 100, lr=0.04, T_max=100, eta_min=0.4)
    ramp = [0.5 + 0.5 * k / 10 for k in range(10)] + [1.0] * 90
    np.testing.assert_allclose(dict(curve.series)["weight_decay"], np.multiply(reference, ramp), rtol=1e-12)


def test_momentum_series_is_the_recorded_and_exported_momentum():
    (curve,) = simulate(spec_from_yaml_text(NANOCHAT, "nanochat.yaml"))
    expected = [_nanochat_momentum(k) for k in range(400)]
    np.testing.assert_allclose(curve.momentum, expected, rtol=1e-12)
    assert curve.momentum[0] == pytest.approx(0.85) and curve.momentum[-1] == pytest.approx(0.95)
    record = json.loads(to_json([curve]))["curves"][0]
    assert record["momentum"] == curve.momentum.tolist() == record["series"]["momentum"]


def test_json_and_csv_export_the_series():
    curves = simulate(spec_from_yaml_text(DINO.replace("lr: 0.0005", "label: dino\nlr: 0.0005"), "d.yaml"))
    (record,) = json.loads(to_json(curves))["curves"]
    assert record["series"] == {"weight_decay": curves[0].series[0][1].tolist()}
    assert record["momentum"] is None
    rows = list(csv.reader(io.StringIO(to_csv(curves))))
    assert rows[0] == ["step", "dino", "dino [weight_decay]"]
    assert [float(row[2]) for row in rows[1:]] == curves[0].series[0][1].tolist()
    plain = json.loads(to_json(simulate(spec_from_yaml_text("scheduler: {type: cosine, T_max: 5}\n", "p.yaml"))))
    assert "series" not in plain["curves"][0]  # the field appears only when a curve has series


@pytest.mark.parametrize("layout", ["axis", "panel"])
def test_figure_draws_the_series_like_momentum(layout):
    curves = simulate(spec_from_yaml_text(DINO, "dino.yaml"))
    figure = render(curves, RenderOptions(momentum_layout=layout))
    ax, other = figure.axes
    (line,) = other.lines
    assert line.get_ydata().tolist() == curves[0].series[0][1].tolist()
    assert line.get_label() == "weight_decay"  # one curve: the series' own name, in its own colour and dash
    assert (line.get_color(), line.get_linestyle()) == OTHER_HYPERPARAMETER_STYLE
    assert other.get_ylabel() == "weight_decay"
    assert len(ax.lines) == 1  # the LR


def test_figure_draws_momentum_and_weight_decay_together():
    text = NANOCHAT + "  - param: weight_decay\n    value: 0.1\n    scheduler: {type: LinearLR, start_factor: 1, end_factor: 0, total_iters: 400}\n"
    curves = simulate(spec_from_yaml_text(text, "n.yaml"))
    _, twin = render(curves).axes
    assert [line.get_label() for line in twin.lines] == ["momentum", "weight_decay"]
    np.testing.assert_allclose(twin.lines[1].get_ydata(), [0.1 * (1 - k / 400) for k in range(400)], rtol=1e-9)
    assert twin.get_ylabel() == "momentum / weight_decay"


def test_code_emits_the_series_and_runs(tmp_path):
    text = NANOCHAT + "  - param: weight_decay\n    value: 0.04\n    scheduler: {type: cosine, T_max: 400, eta_min: 0.4}\n"
    spec = spec_from_yaml_text(text, "n.yaml")
    (curve,) = simulate(spec)
    script = tmp_path / "snippet.py"
    script.write_text(pytorch_code(spec))
    namespace = runpy.run_path(str(script))
    assert namespace["lrs"] == curve.lr.tolist()
    assert namespace["momentums"] == curve.momentum.tolist()
    assert namespace["weight_decays"] == dict(curve.series)["weight_decay"].tolist()


def test_series_follows_each_curve_of_a_sweep():
    text = DINO.replace("T_max: 100}\nseries", "T_max: 100}\nsweep: {T_max: [50, 100]}\nseries")
    first, second = simulate(spec_from_yaml_text(text, "s.yaml"))
    assert first.series[0][1].tolist() == second.series[0][1].tolist()
    assert first.lr.tolist() != second.lr.tolist()


ERRORS = [
    (
        "  - param: weight_decy\n    value: 0.1\n    scheduler: {type: cosine, T_max: 10}\n",
        "Error: e.yaml:4: series[0].param: unknown param 'weight_decy'; did you mean 'weight_decay'?",
    ),
    (
        "  - param: lr\n    value: 0.1\n    scheduler: {type: cosine, T_max: 10}\n",
        "Error: e.yaml:4: series[0].param: unknown param 'lr' (expected one of: weight_decay, momentum)",
    ),
    (
        "  - param: momentum\n    value: -1\n    scheduler: {type: cosine, T_max: 10}\n",
        "Error: e.yaml:5: series[0].value: must not be negative, got -1",
    ),
    (
        "  - param: momentum\n    value: 0.9\n    scheduler: {type: cosine, T_mx: 10}\n",
        "Error: e.yaml:6: series[0].scheduler.T_mx: unknown parameter for CosineAnnealingLR; did you mean 'T_max'?",
    ),
    (
        "  - param: momentum\n    value: 0.9\n",
        "Error: e.yaml:4: series[0]: missing key 'scheduler'",
    ),
    (
        "  - param: momentum\n    value: 0.9\n    shceduler: {type: cosine, T_max: 10}\n",
        "Error: e.yaml:6: series[0].shceduler: unknown series key 'shceduler'; did you mean 'scheduler'?",
    ),
    (
        "  - param: momentum\n    value: 0.9\n    scheduler: {type: onecycle, max_lr: 1, total_steps: 5}\n",
        "Error: e.yaml:6: series[0].scheduler: 10 steps is longer than OneCycleLR allows: it was built "
        "for 5 steps and torch raises 'Tried to step 6 times' on the scheduler.step() after optimizer step 5; "
        "set --total-steps to at least 10 or --steps to at most 5",
    ),
]


@pytest.mark.parametrize(("series", "error"), ERRORS, ids=[e for _, e in ERRORS])
def test_bad_series_is_one_error_line(cli, tmp_path, series, error):
    (tmp_path / "e.yaml").write_text("steps: 10\nscheduler: {type: cosine, T_max: 10}\nseries:\n" + series)
    result = cli("export", "e.yaml")
    assert (result.code, result.err, result.out) == (2, error + "\n", "")


def test_momentum_series_with_a_scheduler_that_cycles_momentum_is_an_error(cli, tmp_path):
    (tmp_path / "o.yaml").write_text(
        "scheduler: {type: OneCycleLR, max_lr: 0.1, total_steps: 100}\n"
        "series:\n  - param: momentum\n    value: 0.95\n    scheduler: {type: cosine, T_max: 100}\n"
    )
    result = cli("plot", "o.yaml", "-o", "o.png")
    assert result.code == 2
    assert result.err == (
        "Error: o.yaml:3: series[0].param: OneCycleLR already cycles momentum; leave this series out or set "
        "cycle_momentum to false\n"
    )
    assert not (tmp_path / "o.png").exists()
    ok = (tmp_path / "o.yaml").read_text().replace("total_steps: 100}", "total_steps: 100, cycle_momentum: false}")
    (tmp_path / "o.yaml").write_text(ok)
    assert cli("export", "o.yaml").code == 0


def test_dino_config_is_dinos_cosine_scheduler():
    """configs/weight_decay_schedule.yaml against DINO's utils.cosine_scheduler, written out here."""
    from pathlib import Path

    def cosine_scheduler(base: float, final: float, epochs: int, warmup_epochs: int = 0) -> np.ndarray:
        warmup = np.linspace(0, base, warmup_epochs)
        iters = np.arange(epochs - warmup_epochs)
        schedule = final + 0.5 * (base - final) * (1 + np.cos(np.pi * iters / len(iters)))
        return np.concatenate((warmup, schedule))

    config = Path(__file__).resolve().parents[1] / "configs" / "weight_decay_schedule.yaml"
    (curve,) = simulate(str(config))
    np.testing.assert_allclose(dict(curve.series)["weight_decay"], cosine_scheduler(0.04, 0.4, 100), rtol=1e-9)
    np.testing.assert_allclose(curve.lr, cosine_scheduler(0.0005, 1e-6, 100, 10), rtol=1e-9, atol=1e-15)
