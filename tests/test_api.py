"""The Python API: `import lrviz` stays light; spec_for/simulate/plot/to_dict use the CLI's engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import torch_lrs

import lrviz

ROOT = Path(__file__).resolve().parents[1]


def test_import_lrviz_does_not_import_torch_or_matplotlib():
    code = "import sys, lrviz; lrviz.spec_for('cosine', T_max=5); print(sorted({'torch', 'matplotlib'} & set(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_spec_for_simulate_plot_to_dict():
    spec = lrviz.spec_for("cosine", T_max=150, steps=400)
    (curve,) = lrviz.simulate(spec)
    assert curve.lr.tolist() == torch_lrs("CosineAnnealingLR", 400, T_max=150)
    record = curve.to_dict()
    assert record["scheduler"] == "CosineAnnealingLR" and record["params"] == {"T_max": 150}
    assert record["lr"] == curve.lr.tolist()
    figure = lrviz.plot([curve])
    np.testing.assert_array_equal(figure.axes[0].lines[0].get_ydata(), curve.lr)


def test_spec_for_takes_curve_keys_and_warmup_shorthand():
    spec = lrviz.spec_for("multistep", milestones=[30, 60], gamma=0.5, lr=0.2, steps=90, warmup=5, title="t")
    (curve,) = spec.curves
    assert (curve.lr, curve.steps, curve.warmup.steps, spec.title) == (0.2, 90, 5, "t")
    sweep = lrviz.spec_for("exp", gamma=0.9, sweep={"gamma": [0.8, 0.9]}, steps=10)
    assert [c.label for c in sweep.curves] == ["gamma=0.8", "gamma=0.9"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"T_max": 0}, "T_max: must be at least 1, got 0"),
        ({"T_mx": 3}, "T_mx: unknown parameter for CosineAnnealingLR; did you mean 'T_max'?"),
        ({"T_max": 5, "warmup": {"steps": "x"}}, "warmup.steps: expected an integer, got 'x'"),
        ({"T_max": 5, "style": "papr"}, "style: unknown style 'papr'; did you mean 'paper'?"),
    ],
)
def test_spec_for_errors_name_the_argument(kwargs, message):
    with pytest.raises(lrviz.SpecError) as error:
        lrviz.spec_for("cosine", **kwargs)
    assert str(error.value).startswith(message)


def test_spec_from_dict_is_the_yaml_shape():
    spec = lrviz.spec_from_dict({"steps": 20, "curves": [{"scheduler": {"type": "step", "step_size": 5}}]})
    assert lrviz.simulate(spec)[0].lr.tolist() == torch_lrs("StepLR", 20, step_size=5)
    with pytest.raises(lrviz.SpecError, match=r"^curves\[0\]\.scheduler\.step_size: expected an integer"):
        lrviz.spec_from_dict({"curves": [{"scheduler": {"type": "step", "step_size": "a"}}]})


def test_simulate_and_plot_take_a_yaml_path(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("steps: 30\nscheduler: {type: exp, gamma: 0.9}\n")
    assert len(lrviz.simulate(str(path))[0].lr) == 30
    figure = lrviz.plot(str(path), log_y=True)
    assert figure.axes[0].get_yscale() == "log"


def test_plot_a_spec_uses_its_style_and_title():
    spec = lrviz.spec_for("cosine", T_max=20, title="warm", style={"use": "paper", "width": 3.0})
    figure = lrviz.plot(spec)
    assert tuple(figure.get_size_inches()) == (3.0, 2.5)
    assert figure.axes[0].get_title() == "warm"
    assert tuple(lrviz.plot(spec, width=4.0).get_size_inches()) == (4.0, 2.5)


def test_plot_into_an_existing_axes_and_save(tmp_path):
    from matplotlib.figure import Figure

    figure = Figure()
    left, right = figure.subplots(1, 2)
    curves = lrviz.simulate(lrviz.spec_for("step", step_size=10, steps=40))
    assert lrviz.plot(curves, ax=right) is figure
    assert len(left.lines) == 0 and right.lines[0].get_ydata().tolist() == curves[0].lr.tolist()
    first = lrviz.save_figure(figure, tmp_path / "a.svg").read_bytes()
    assert first == lrviz.save_figure(figure, tmp_path / "b.svg").read_bytes()


def test_pytorch_code_from_python():
    spec = lrviz.spec_for("cosine", T_max=10)
    namespace: dict = {}
    exec(lrviz.pytorch_code(spec), namespace)  # noqa: S102 - the code under test
    assert namespace["lrs"] == lrviz.simulate(spec)[0].lr.tolist()
