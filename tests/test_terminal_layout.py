"""The terminal at 80 columns and in pipes: `show` lays parameters out as rows, `plot`'s tables
keep every label and number whole, each on one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lrviz.schedules import pytorch as registry

ROOT = Path(__file__).resolve().parents[1]


def _show(cli, monkeypatch, name, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    result = cli("show", name)
    assert result.code == 0, result.err
    return result.out.splitlines()


def _parameters_section(lines, info):
    start = lines.index(f"{info.name} parameters")
    return lines[start + 1 : lines.index("Example:")]


@pytest.mark.parametrize("name", ["onecycle", "cyclic", "hf:cosine", "timm:cosine"])
def test_show_at_80_columns_lays_each_parameter_out_as_rows(cli, monkeypatch, name):
    info = registry.resolve(name, "NAME")
    lines = _show(cli, monkeypatch, name, 80)
    assert max(len(line.rstrip()) for line in lines) <= 80
    section = [line for line in _parameters_section(lines, info) if line.strip()]
    heads = [line for line in section if line.startswith("  --") or line.startswith("  (YAML only)")]
    assert len(heads) == len(info.params)
    for param, head in zip(info.params, heads, strict=True):
        assert head.split()[:2] == [param.flag, param.name] or head.strip().startswith("(YAML only)")
        default = param.default_text()
        assert head.endswith("required" if default == "required" else f"default {default}")
        # the description below it, indented, its words whole and in order
        index = section.index(head)
        following = section[index + 1 :]
        described = []
        for line in following:
            if not line.startswith("      "):
                break
            described.append(line)
        assert " ".join(" ".join(described).split()) == " ".join(param.help.split())


def test_show_onecycle_is_short_at_80_and_a_table_at_120(cli, monkeypatch):
    narrow = _show(cli, monkeypatch, "onecycle", 80)
    assert len(narrow) < 100  # 164 lines with a 12-character description column
    assert not any("┃" in line or "│" in line for line in narrow)
    wide = _show(cli, monkeypatch, "onecycle", 120)
    header = next(line for line in wide if "description" in line)
    assert [cell.strip() for cell in header.strip("┃ ").split("┃")] == [
        "flag",
        "torch name",
        "type",
        "default",
        "description",
    ]
    assert max(len(line.rstrip()) for line in wide) <= 120
    # the description column is wide enough that no word of a description is split
    words = {word for param in registry.resolve("onecycle", "NAME").params for word in param.help.split()}
    text = "\n".join(wide)
    assert all(word in text for word in words)


def test_plot_in_a_pipe_at_80_columns_keeps_every_token_whole(tmp_path):
    """The real command in a pipe (not a terminal), as `lrviz plot ... | less` runs it."""
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    tokens = ["cosine", "--t-max", "50,100", "--eta-min", "0,0.01", "--steps", "400", "--no-save"]
    result = subprocess.run(
        [sys.executable, "-m", "lrviz", "plot", *tokens], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].strip() == "400 steps"
    for label in ("T_max=50, eta_min=0", "T_max=50, eta_min=0.01", "T_max=100, eta_min=0", "T_max=100, eta_min=0.01"):
        assert sum(line.strip().startswith(label + " ") for line in lines) == 2  # summary and key steps
    for key in ("0: 0.1", "50: 0.01", "250: 0.01", "399: 0.09991", "399: 0.09998"):
        assert any(key in line for line in lines), key
    assert not any(line.strip() == "400 steps" for line in lines[1:])  # no sub-line looks like a row
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("Warning: --t-max (4 of 4 curves: T_max=50, T_max=100): ")


@pytest.mark.parametrize("columns", [80, 120, 160])
def test_list_never_splits_a_parameter_with_its_default(cli, monkeypatch, columns):
    from lrviz import schedules
    from lrviz.cli.catalog import _parameter_summary

    monkeypatch.setenv("COLUMNS", str(columns))
    result = cli("list")
    assert result.code == 0
    lines = result.out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= columns
    infos = [*registry.catalog().values()]
    infos += [registry.framework_info(s) for family in schedules.families() for s in family.schedules]
    for info in infos:
        for token in _parameter_summary(info).split(", "):
            if token:
                assert any(token in line for line in lines), (info.name, token)
