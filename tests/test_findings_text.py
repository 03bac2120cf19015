"""Findings grouped for the terminal: one line per rule on stderr, the long form in `lrviz check`."""

from __future__ import annotations

import pytest

from lrviz.check.rules import RULES
from lrviz.pipeline import Request, run
from lrviz.report.findings import FIX, WHAT, group_findings
from lrviz.report.text import hanging
from lrviz.spec.flags import CurveFlags, spec_from_tokens

SWEEP = ["cosine", "--t-max", "50,100", "--eta-min", "0,0.01", "--steps", "400"]
DOC = {item.name: item.doc for item in RULES}["cosine-climbs-after-tmax"].rstrip(".")


def _findings(*tokens):
    steps = tokens[tokens.index("--steps") + 1] if "--steps" in tokens else None
    tokens = tokens[: tokens.index("--steps")] if steps else tokens
    spec = spec_from_tokens(list(tokens), CurveFlags(steps=steps))
    return spec, run(spec, Request(strict=False)).findings


def test_the_findings_stay_one_per_curve_and_the_groups_name_the_curves():
    spec, findings = _findings(*SWEEP)
    assert [f.curve for f in findings] == [curve.label for curve in spec.curves]  # the data: per curve
    (group,) = group_findings(findings, len(spec.curves))
    assert group.curve_names() == "T_max=50, T_max=100"
    assert group.count() == "4 of 4 curves"


def test_curves_are_named_by_label_when_the_labels_do_not_show_the_parameter(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(
        "steps: 400\ncurves:\n"
        "  - {label: short run, scheduler: {type: CosineAnnealingLR, T_max: 50}, sweep: {eta_min: [0, 0.01]}}\n"
        "  - {label: sound, scheduler: {type: CosineAnnealingLR, T_max: 400}}\n"
    )
    spec, findings = _findings(str(path))
    groups = group_findings(findings, len(spec.curves))
    assert len(groups) == 1
    assert groups[0].count() == "2 of 3 curves"
    assert groups[0].curve_names() == "; ".join(dict.fromkeys(f.curve for f in findings))


def test_plot_of_a_sweep_prints_one_short_warning_naming_the_curves(cli):
    result = cli("plot", *SWEEP, "--no-save")
    assert result.code == 0
    (warning,) = result.err.splitlines()
    assert warning == (
        f"Warning: --t-max (4 of 4 curves: T_max=50, T_max=100): {DOC}; "
        "`lrviz check` shows each curve's numbers and the fix [cosine-climbs-after-tmax]"
    )


def test_plot_of_a_sweep_groups_each_rule_apart(cli):
    result = cli("plot", "cosine", "--t-max", "50,100,500", "--steps", "400", "--no-save")
    lines = result.err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Warning: --t-max (2 of 3 curves: T_max=50, T_max=100): ")
    assert lines[0].endswith("[cosine-climbs-after-tmax]")
    # a rule that fires on one curve keeps its full line, numbers and fix included
    assert lines[1].startswith("Warning: --t-max (T_max=500): CosineAnnealingLR is planned for 500 steps")
    assert "; fix: set T_max to the run length (400), or run 500 steps" in lines[1]


@pytest.mark.parametrize("width", ["60", "80", "120"])
def test_check_long_form_hangs_every_continuation_under_its_text(cli, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", width)
    result = cli("check", *SWEEP)
    assert result.code == 1
    lines = result.out.splitlines()
    assert max(len(line) for line in lines) <= int(width)
    heading = lines[: lines.index("  T_max=50, eta_min=0:")]  # wrapped at 60 columns
    assert " ".join(heading).split() == [
        "warning",
        "--t-max",
        "[cosine-climbs-after-tmax]",
        "on",
        "4",
        "of",
        "4",
        "curves:",
        "T_max=50,",
        "T_max=100",
    ]
    assert lines[-1] == "4 warnings, 0 info"
    _spec, findings = _findings(*SWEEP)
    for finding in findings:  # each curve's label, then its message, its words whole and in order
        start = lines.index(f"  {finding.curve}:")
        assert lines[start + 1].startswith(f"    {WHAT}")
        block = [lines[start + 1]]
        for line in lines[start + 2 :]:
            if not line.startswith(" " * (4 + len(WHAT))):
                break
            assert line[4 + len(WHAT)] != " "  # aligned under the text, not deeper
            block.append(line)
        assert " ".join(" ".join(block).split()) == f"{WHAT.strip()} {finding.message}"
    fixes = [i for i, line in enumerate(lines) if line.startswith(f"  {FIX}")]
    assert len(fixes) == 1  # the same fix for every curve: said once
    assert " ".join(" ".join(lines[fixes[0] : -1]).split()) == f"{FIX.strip()} {findings[0].fix}"


def test_check_of_one_curve_keeps_its_order_with_a_hanging_indent(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("check", "cosine", "--t-max", "100", "--steps", "400")
    lines = result.out.splitlines()
    assert lines[0] == "warning --t-max (CosineAnnealingLR(T_max=100)) [cosine-climbs-after-tmax]"
    assert lines[1].startswith(f"  {WHAT}T_max=100 is shorter than the 400-step run")
    continuation = lines[2]
    assert continuation.startswith(" " * (2 + len(WHAT))) and continuation[2 + len(WHAT)] != " "


def test_hanging_never_splits_a_token():
    text = "the LR falls to 3.855e-05 at step 139 in /a/very/long/path/that/does/not/fit/on/one/line.yaml ok"
    lines = hanging(WHAT, text, 40)
    assert [word for line in lines for word in line.split()] == [*WHAT.split(), *text.split()]
    assert all(len(line) <= 40 for line in lines if " " in line.strip())  # only the long path overflows
    assert "/a/very/long/path/that/does/not/fit/on/one/line.yaml" in [line.strip() for line in lines]


def test_readme_grouped_warning_is_the_real_output(cli):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    command = "lrviz plot cosine --t-max 50,100 --eta-min 0,0.01 --steps 400 --no-save"
    shown = readme.split(f"$ {command}\n", 1)[1].split("\n", 1)[0]
    result = cli(*command.split()[1:])
    assert result.err.splitlines() == [shown]


def test_export_prints_the_grouped_warnings_on_stderr_and_only_data_on_stdout(cli):
    import json

    result = cli("export", *SWEEP)
    assert result.code == 0
    assert len(json.loads(result.out)["curves"]) == 4  # stdout stays pure JSON
    (warning,) = result.err.splitlines()
    assert warning.startswith("Warning: --t-max (4 of 4 curves: T_max=50, T_max=100): ")
    quiet = cli("export", *SWEEP, "-q", "-o", "sweep.json")
    assert (quiet.code, quiet.err) == (0, "")


def test_one_rule_at_several_places_is_one_group_naming_each_place(cli, monkeypatch):
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    files = [str(root / "configs" / "hf_warmup.yaml"), str(root / "configs" / "warmup_styles.yaml")]
    spec, findings = _findings(*files)
    zero = [f for f in findings if f.rule == "warmup-starts-at-zero"]
    assert len({f.where for f in zero}) == len(zero) > 1  # per curve, each at its own YAML key
    (group,) = [g for g in group_findings(findings, len(spec.curves)) if g.first.rule == "warmup-starts-at-zero"]
    assert group.place() == f"{len(zero)} places"
    monkeypatch.setenv("COLUMNS", "200")
    lines = cli("check", *files).out.splitlines()
    for finding in zero:  # each curve with its own place in the long form
        assert f"  {finding.curve} ({finding.where}):" in lines
