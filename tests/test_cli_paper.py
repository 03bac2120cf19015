"""`lrviz plot` for papers and terminals: figure flags, --code, --term, --quiet, colour, completion."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])m")


def _png_size(path):
    from PIL import Image

    with Image.open(path) as image:
        return image.size


def test_width_height_dpi_flags_give_the_exact_canvas(cli, tmp_path):
    result = cli("plot", "cosine", "--t-max", "50", "--width", "3.5", "--height", "2.5", "--dpi", "300", "-o", "c.png")
    assert result.code == 0, result.err
    assert _png_size(tmp_path / "c.png") == (1050, 750)


def test_style_paper_flag_and_yaml_style_key(cli, tmp_path):
    assert cli("plot", "cosine", "--t-max", "50", "--style", "paper", "-o", "p.png").code == 0
    assert _png_size(tmp_path / "p.png") == (1050, 750)
    (tmp_path / "s.yaml").write_text("style: {use: slides, dpi: 100}\nscheduler: {type: cosine, T_max: 50}\n")
    assert cli("plot", "s.yaml", "-o", "s.png").code == 0
    assert _png_size(tmp_path / "s.png") == (800, 450)
    # flags win over the file
    assert cli("plot", "s.yaml", "--width", "4", "--dpi", "50", "-o", "t.png").code == 0
    assert _png_size(tmp_path / "t.png") == (200, 225)


def test_same_command_twice_writes_identical_files(cli, tmp_path):
    for suffix in (".svg", ".pdf", ".png"):
        args = ["plot", "multistep", "--milestones", "30,60", "--style", "paper", "--mark-milestones"]
        assert cli(*args, "-o", f"a{suffix}").code == 0
        assert cli(*args, "-o", f"b{suffix}").code == 0
        assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes(), suffix


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--dpi", "0"], "Error: --dpi: must be positive, got 0"),
        (["--dpi", "abc"], "Error: --dpi: expected a number, got 'abc'"),
        (["--width", "-2"], "Error: --width: must be positive, got -2"),
        (["--width", "50", "--dpi", "1000"], "Error: --dpi: 50 in at 1000 dpi is 50,000 pixels; at most 20,000"),
        (
            ["--style", "papr"],
            "Error: --style: unknown style 'papr'; did you mean 'paper'? (use paper, slides, dark, or a .mplstyle file)",
        ),
        (["--style", "nope.mplstyle"], "Error: --style: no such style file 'nope.mplstyle'"),
        (["--momentum", "side"], "Error: --momentum: expected one of axis, panel, off, got 'side'"),
        (["--x-unit", "epoch"], "Error: --x-unit: an x axis in epochs needs --steps-per-epoch"),
        (["--steps-per-epoch", "0"], "Error: --steps-per-epoch: must be at least 1, got 0"),
        (["--steps-per-epoch", "1.5"], "Error: --steps-per-epoch: expected an integer, got '1.5'"),
    ],
)
def test_bad_figure_flags_are_one_error_line_and_exit_2(cli, tmp_path, args, line):
    result = cli("plot", "cosine", "--t-max", "10", *args)
    assert result.code == 2
    assert result.err.splitlines() == [line]
    assert result.out == ""
    assert list(tmp_path.iterdir()) == []


def test_no_save_with_an_output_is_a_contradiction(cli, tmp_path):
    result = cli("plot", "cosine", "--t-max", "50", "--no-save", "-o", "c.png")
    assert result.code == 2
    assert result.err == "Error: --no-save: writes no figure, so it cannot be combined with -o/--output\n"
    assert list(tmp_path.iterdir()) == []


def test_help_imports_neither_torch_nor_matplotlib_nor_plotext(tmp_path):
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lrviz", "plot", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and "--style" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert not {"torch", "matplotlib", "plotext"} & imported


def test_quiet_prints_nothing_and_still_writes(cli, tmp_path):
    result = cli("plot", "cosine", "--t-max", "50", "--quiet", "-o", "q.svg")
    assert (result.code, result.out, result.err) == (0, "", "")
    assert (tmp_path / "q.svg").stat().st_size > 0
    exported = cli("export", "cosine", "--t-max", "50", "-q", "-o", "q.json")
    assert (exported.code, exported.out, exported.err) == (0, "", "")


def test_no_save_writes_no_file(cli, tmp_path):
    result = cli("plot", "cosine", "--t-max", "50", "--no-save")
    assert result.code == 0, result.err
    assert "CosineAnnealingLR(T_max=50)" in result.out
    assert result.err == ""
    assert list(tmp_path.iterdir()) == []


def test_table_on_stdout_message_on_stderr(cli):
    result = cli("plot", "cosine", "--t-max", "50")
    assert "wrote cosine.png" in result.err and "wrote" not in result.out
    assert "50 steps" in result.out and "50 steps" not in result.err


def test_term_chart_above_the_table_within_the_width(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("plot", "exp", "--gamma", "0.9,0.95", "--steps", "100", "--term", "--no-save")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert max(len(line) for line in lines) <= 80
    chart_end = next(i for i, line in enumerate(lines) if "learning rate" in line)
    table_start = next(i for i, line in enumerate(lines) if "peak (step)" in line)
    assert chart_end < table_start
    assert any(0x2800 <= ord(ch) < 0x2900 for ch in result.out)  # braille dots
    assert "\x1b[" not in result.out + result.err


def test_no_chart_by_default_in_a_pipe(cli):
    result = cli("plot", "cosine", "--t-max", "50", "--no-save")
    assert not any(0x2800 <= ord(ch) < 0x2900 for ch in result.out)


def test_chart_by_default_on_a_terminal_and_colour_unless_no_color(cli, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich treats stdout as a terminal
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = cli("plot", "cosine", "--t-max", "50", "--no-save")
    assert any(0x2800 <= ord(ch) < 0x2900 for ch in coloured.out)
    assert "\x1b[" in coloured.out
    monkeypatch.setenv("NO_COLOR", "1")
    plain = cli("plot", "cosine", "--t-max", "50", "--no-save")
    lines = plain.out.splitlines()
    chart = "\n".join(lines[: next(i for i, line in enumerate(lines) if line.strip() == "step") + 1])
    assert any(0x2800 <= ord(ch) < 0x2900 for ch in chart)
    assert "\x1b[" not in chart
    assert not COLOUR.search(plain.out)  # NO_COLOR: rich may still embolden, never colour
    no_term = cli("plot", "cosine", "--t-max", "50", "--no-save", "--no-term").out
    assert not any(0x2800 <= ord(ch) < 0x2900 for ch in no_term)


def _env():
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_pipe_output_has_no_escapes_even_without_no_color(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "lrviz", "plot", "cosine", "--t-max", "40", "--term", "-o", "c.png"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout and "\x1b[" not in done.stderr
    assert any(0x2800 <= ord(ch) < 0x2900 for ch in done.stdout)
    assert done.stderr == "wrote c.png\n"


def test_code_prints_a_snippet_that_gives_the_exported_values(cli):
    args = ["multistep", "--milestones", "20,40", "--gamma", "0.5", "--warmup-steps", "5", "--steps", "60"]
    result = cli("plot", *args, "--code", "--no-save")
    assert result.code == 0, result.err
    assert result.err == ""
    namespace: dict = {}
    exec(compile(result.out, "snippet.py", "exec"), namespace)  # noqa: S102 - the code under test
    exported = json.loads(cli("export", *args).out)
    assert namespace["lrs"] == exported["curves"][0]["lr"]


def test_code_for_a_yaml_sweep_has_one_block_per_curve(cli, tmp_path):
    (tmp_path / "s.yaml").write_text("steps: 30\nscheduler: {type: exp, gamma: 0.9}\nsweep: {gamma: [0.8, 0.9]}\n")
    result = cli("plot", "s.yaml", "--code", "--no-save")
    namespace: dict = {}
    exec(compile(result.out, "snippet.py", "exec"), namespace)  # noqa: S102
    exported = json.loads(cli("export", "s.yaml").out)
    assert [namespace["lrs_1"], namespace["lrs_2"]] == [c["lr"] for c in exported["curves"]]


def test_figure_flags_on_compare(cli, tmp_path):
    (tmp_path / "a.yaml").write_text("scheduler: {type: cosine, T_max: 50}\n")
    result = cli("compare", "a.yaml", "a.yaml", "--style", "paper", "--dpi", "100", "-o", "c.png", "--quiet")
    assert result.code == 0, result.err
    assert _png_size(tmp_path / "c.png") == (350, 250)


def test_completion_of_names_and_yaml_files(tmp_path, monkeypatch):
    from lrviz.cli.completion import complete_spec_file, complete_target

    monkeypatch.chdir(tmp_path)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "cos.yaml").write_text("")
    (tmp_path / "cosine_run.yml").write_text("")
    (tmp_path / "cosmos.txt").write_text("")
    assert complete_target("cos") == ["cosine", "cosine-restarts", "cosine_run.yml"]
    assert complete_target("Cos") == ["CosineAnnealingLR", "CosineAnnealingWarmRestarts"]
    assert complete_target("COSINE-") == ["cosine-restarts"]
    assert complete_target("configs/") == ["configs/cos.yaml"]
    assert complete_spec_file("c") == ["configs/", "cosine_run.yml"]


def test_shell_completion_runs_without_importing_torch(tmp_path):
    env = {**_env(), "_LRVIZ_COMPLETE": "complete_bash", "COMP_WORDS": "lrviz plot sgd", "COMP_CWORD": "2"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lrviz"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert "sgdr" in done.stdout.split()
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "torch" not in imported and "matplotlib" not in imported and "plotext" not in imported
