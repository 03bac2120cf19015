"""The command line: plot, export, list, show; exit codes and the one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import torch_lrs
from test_simulation import CASES

import lrviz


def test_export_json_contract(cli):
    result = cli("export", "cosine", "--t-max", "150", "--steps", "400")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["lrviz_version"] == lrviz.__version__
    assert data["torch_version"] == torch.__version__
    (curve,) = data["curves"]
    assert curve["scheduler"] == "CosineAnnealingLR"
    assert curve["params"] == {"T_max": 150}
    assert curve["base_lr"] == 0.1
    assert curve["steps"] == 400
    assert curve["momentum"] is None
    assert curve["label"] == "CosineAnnealingLR(T_max=150)"
    assert curve["lr"] == torch_lrs("CosineAnnealingLR", 400, T_max=150)


def test_export_csv_has_step_column_and_one_column_per_curve(cli):
    result = cli("export", "step", "--step-size", "30", "--gamma", "0.65,0.9", "--steps", "200", "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["step", "gamma=0.65", "gamma=0.9"]
    assert len(rows) == 201
    assert [int(r[0]) for r in rows[1:]] == list(range(200))
    assert [float(r[1]) for r in rows[1:]] == torch_lrs("StepLR", 200, step_size=30, gamma=0.65)
    assert [float(r[2]) for r in rows[1:]] == torch_lrs("StepLR", 200, step_size=30, gamma=0.9)


def test_export_to_file_takes_format_from_suffix(cli, tmp_path):
    result = cli("export", "exp", "--gamma", "0.9", "-o", "out.csv")
    assert result.code == 0, result.err
    assert result.out == ""
    assert (tmp_path / "out.csv").read_text().startswith("step,ExponentialLR(gamma=0.9)\n")
    assert "wrote out.csv" in result.err


def test_export_onecycle_includes_momentum(cli):
    data = json.loads(cli("export", "onecycle", "--max-lr", "0.1", "--total-steps", "50").out)
    lrs, moms = torch_lrs("OneCycleLR", 50, momentum=True, max_lr=0.1, total_steps=50)
    assert data["curves"][0]["momentum"] == moms
    assert data["curves"][0]["lr"] == lrs


def test_plot_writes_default_png_and_prints_path_and_table(cli, tmp_path):
    result = cli("plot", "cosine", "--t-max", "150")
    assert result.code == 0, result.err
    assert (tmp_path / "cosine.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "wrote cosine.png" in result.err
    assert "CosineAnnealingLR(T_max=150)" in result.out
    assert "150 steps" in result.out
    assert "75: 0.05" in result.out  # the midpoint of a half cosine


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_plot_formats_from_suffix(cli, tmp_path, suffix):
    result = cli("plot", "exponential", "--gamma", "0.9,0.95,0.98", "--steps", "400", "-o", f"exp{suffix}")
    assert result.code == 0, result.err
    data = (tmp_path / f"exp{suffix}").read_bytes()
    if suffix == ".png":
        from PIL import Image

        with Image.open(tmp_path / "exp.png") as image:
            assert image.format == "PNG" and image.size[0] > 500
    elif suffix == ".svg":
        import xml.etree.ElementTree as ET

        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
        assert b"gamma=0.95" in data or b"gamma" in data
    else:
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-32:]


def test_list_shows_every_scheduler_with_aliases_and_defaults(cli):
    result = cli("list")
    assert result.code == 0
    for name in [
        "StepLR",
        "MultiStepLR",
        "ConstantLR",
        "LinearLR",
        "ExponentialLR",
        "PolynomialLR",
        "CosineAnnealingLR",
        "CosineAnnealingWarmRestarts",
        "CyclicLR",
        "OneCycleLR",
        "LambdaLR",
        "MultiplicativeLR",
        "SequentialLR",
        "ChainedScheduler",
        "ReduceLROnPlateau",
    ]:
        assert name in result.out
    assert "sgdr" in result.out and "cosine-restarts" in result.out
    assert "T_max*" in result.out and "eta_min=0.0" in result.out


def test_show_onecycle(cli):
    result = cli("show", "onecycle")
    assert result.code == 0
    assert result.out.startswith("OneCycleLR")
    assert "--total-steps" in result.out and "--pct-start" in result.out
    assert "0.3" in result.out  # pct_start default, read from torch
    assert "lrviz plot onecycle --max-lr 0.1 --total-steps 1000" in result.out
    assert "1cycle" in result.out  # torch's own documentation


def test_plot_name_help_lists_the_schedulers_parameters(cli):
    result = cli("plot", "cosine", "--help")
    assert result.code == 0
    assert "--t-max" in result.out and "--eta-min" in result.out
    assert "Maximum number of iterations" in result.out  # torch's docstring
    assert "--steps" in result.out and "--output" in result.out


@pytest.mark.parametrize(("tokens", "name", "kwargs", "steps"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_export_of_every_scheduler_equals_torch(cli, tokens, name, kwargs, steps):
    result = cli("export", *tokens, "--steps", str(steps))
    assert result.code == 0, result.err
    assert json.loads(result.out)["curves"][0]["lr"] == torch_lrs(name, steps, **kwargs)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["plot", "cosin", "--t-max", "5"],
            "Error: NAME: unknown scheduler 'cosin'; did you mean 'cosine'? (`lrviz list` shows them all)",
        ),
        (
            ["plot", "cosine", "--t-mx", "5"],
            "Error: --t-mx: unknown option for CosineAnnealingLR; did you mean '--t-max'?",
        ),
        (["plot", "cosine"], "Error: --t-max: CosineAnnealingLR needs --t-max: Maximum number of iterations"),
        (["plot", "cosine", "--t-max", "abc"], "Error: --t-max: expected an integer, got 'abc'"),
        (["plot", "cosine", "--t-max", "1.5"], "Error: --t-max: expected an integer, got '1.5'"),
        (["plot", "cosine", "--t-max", "10", "--steps", "0"], "Error: --steps: must be at least 1, got 0"),
        (["plot", "cosine", "--t-max", "10", "--lr", "nan"], "Error: --lr: expected a finite number, got nan"),
        (
            ["plot", "cosine", "--t-max", "10", "-o", "x.gif"],
            "Error: --output: unsupported output format '.gif' in 'x.gif'; use one of .png, .svg, .pdf",
        ),
        (["export", "cosine", "--t-max", "10", "--format", "xml"], "Error: --format: expected json or csv, got 'xml'"),
        (
            ["plot", "cyclic", "--base-lr", "0.1", "--max-lr", "1", "--mode", "triangle"],
            "Error: --mode: expected one of triangular, triangular2, exp_range, got 'triangle'; did you mean 'triangular'?",
        ),
        (
            ["plot", "onecycle", "--max-lr", "0.1", "--total-steps", "100", "--steps", "101"],
            "Error: --steps: 101 steps is longer than OneCycleLR allows: it was built for 100 steps and torch raises "
            "'Tried to step 101 times' on the scheduler.step() after optimizer step 100; set --total-steps to at least 101 "
            "or --steps to at most 100",
        ),
        (
            ["plot", "multistep", "--milestones", "10,20.5"],
            "Error: --milestones: expected integer steps, got '20.5' (torch compares milestones with the integer step "
            "count, so a fractional one never fires)",
        ),
        (["plot", "sequential"], "Error: SequentialLR flags: SequentialLR needs 'schedulers': a list of schedulers"),
        (["plott", "cosine"], None),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(cli, tmp_path, args, line):
    result = cli(*args)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("Error: ")
    if line is not None:
        assert lines[0] == line
    assert "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_failed_plot_leaves_existing_file_untouched(cli, tmp_path):
    target = tmp_path / "keep.png"
    target.write_bytes(b"precious")
    result = cli("plot", "onecycle", "--max-lr", "0.1", "--total-steps", "10", "--steps", "20", "-o", "keep.png")
    assert result.code == 2
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png"]


def test_unknown_command_suggests(cli):
    result = cli("plott")
    assert result.code == 2
    assert result.err.startswith("Error: ") and "plott" in result.err


def test_no_arguments_prints_help(cli):
    result = cli()
    assert result.code == 0
    assert "plot" in result.out and "export" in result.out


def _entry_point() -> list[str]:
    script = Path(sys.executable).parent / "lrviz"
    return [str(script)] if script.exists() else [sys.executable, "-m", "lrviz"]


def test_real_entry_point_in_a_subprocess(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [*_entry_point(), "export", "exp", "--gamma", "0.5", "--steps", "3", "--format", "csv"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "step,ExponentialLR(gamma=0.5)\n0,0.1\n1,0.05\n2,0.025\n"
    bad = subprocess.run(
        [sys.executable, "-m", "lrviz", "plot", "nope"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("Error: NAME: unknown scheduler 'nope'")
    assert "\x1b[" not in bad.stderr  # no colour codes in a pipe
    table = subprocess.run(
        [*_entry_point(), "plot", "step", "--step-size", "5", "--steps", "12", "-o", "s.svg"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "TERM": "xterm-256color"},
        timeout=120,
        check=False,
    )
    assert table.returncode == 0, table.stderr
    assert "5: 0.01" in table.stdout and "\x1b[" not in table.stdout
    assert table.stderr == "wrote s.svg\n"


def test_internal_error_exits_70_without_traceback(cli, monkeypatch):
    import lrviz.simulation.stepping

    def broken(spec, **options):
        raise RuntimeError("boom")

    monkeypatch.setattr(lrviz.simulation.stepping, "simulate", broken)
    result = cli("export", "exp", "--gamma", "0.5")
    assert result.code == 70
    assert result.err == (
        "Error: internal error (a bug in lrviz, please report it): RuntimeError: boom "
        "(run again with --debug for the traceback)\n"
    )
    debug = cli("export", "exp", "--gamma", "0.5", "--debug")
    assert debug.code == 70 and "Traceback" in debug.err


class _Terminal:
    """A stream that says it is a terminal, and keeps what is written to it."""

    def __init__(self):
        self.text = io.StringIO()

    def isatty(self):
        return True

    def write(self, text):
        return self.text.write(text)

    def flush(self):
        pass


def test_progress_bar_only_for_long_simulations_on_a_terminal():
    from lrviz.cli.progress import PROGRESS_MIN_STEPS, simulation_progress
    from lrviz.simulation.stepping import simulate
    from lrviz.spec.flags import CurveFlags, spec_from_tokens

    long_spec = spec_from_tokens(["exp", "--gamma", "0.99999"], CurveFlags(steps=str(PROGRESS_MIN_STEPS)))
    short_spec = spec_from_tokens(["exp", "--gamma", "0.9"], CurveFlags(steps="1000"))
    with simulation_progress(long_spec, io.StringIO()) as progress:  # a pipe: silent
        assert progress is None
    terminal = _Terminal()
    with simulation_progress(short_spec, terminal) as progress:  # done in a blink: no bar
        assert progress is None
    with simulation_progress(long_spec, terminal) as progress:
        assert progress is not None
        simulate(long_spec, progress=progress)
    assert "simulating" in terminal.text.getvalue()
    assert f"{PROGRESS_MIN_STEPS}/{PROGRESS_MIN_STEPS}" in terminal.text.getvalue()


def test_version_names_lrviz_and_torch(cli):
    from importlib import metadata

    from lrviz import __version__

    for flag in ("--version", "-V"):
        result = cli(flag)
        assert (result.code, result.out) == (0, f"lrviz {__version__} (torch {metadata.version('torch')})\n")


def test_steps_per_epoch_goes_to_a_scheduler_that_has_it(cli):
    result = cli("export", "onecycle", "--max-lr", "0.1", "--epochs", "10", "--steps-per-epoch", "100")
    assert result.code == 0, result.err
    lr = json.loads(result.out)["curves"][0]["lr"]
    assert lr == torch_lrs("OneCycleLR", 1000, max_lr=0.1, epochs=10, steps_per_epoch=100)
    plotted = cli("plot", "onecycle", "--max-lr", "0.1", "--epochs", "10", "--steps-per-epoch", "100", "--no-save", "-q")
    assert plotted.code == 0, plotted.err


def test_epoch_axis_and_steps_per_epoch_are_one_figure_setting(cli):
    both = cli("plot", "cosine", "--t-max", "100", "--epoch-axis", "10", "--steps-per-epoch", "5", "--no-save")
    assert (both.code, both.err) == (
        2,
        "Error: --steps-per-epoch: given twice (--epoch-axis and --steps-per-epoch set the same axis)\n",
    )
    bad = cli("plot", "cosine", "--t-max", "100", "--epoch-axis", "0", "--no-save")
    assert (bad.code, bad.err) == (2, "Error: --epoch-axis: must be at least 1, got 0\n")


@pytest.mark.parametrize("command", ["plot", "export", "check"])
def test_help_lists_every_curve_flag_read_from_the_tokens(cli, command):
    from lrviz.spec.flags import BOOLEAN_TOKEN_FLAGS, TOKEN_FLAGS

    result = cli(command, "--help")
    assert result.code == 0
    for flag in [*TOKEN_FLAGS, *BOOLEAN_TOKEN_FLAGS]:
        assert flag in result.out, flag
