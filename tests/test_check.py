"""`lrviz check`: one test per rule (it fires, with torch's numbers), silence on sound schedules."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from conftest import torch_lrs

from lrviz.check.rules import RULES, Finding
from lrviz.pipeline import Request, run
from lrviz.spec.flags import CurveFlags, spec_from_tokens

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


CURVE_FLAGS = {"--steps": "steps", "--warmup-steps": "warmup_steps", "--warmup-factor": "warmup_factor"}


def findings(*tokens: str, **flags: str) -> list[Finding]:
    """What `lrviz check TOKENS` finds (curve flags such as --steps may be among the tokens)."""
    rest = list(tokens)
    for flag, attr in CURVE_FLAGS.items():
        if flag in rest:
            index = rest.index(flag)
            flags[attr] = rest[index + 1]
            del rest[index : index + 2]
    spec = spec_from_tokens(rest, CurveFlags(**flags))
    return run(spec, Request(strict=False)).findings


def only(found: list[Finding], rule: str) -> Finding:
    matching = [f for f in found if f.rule == rule]
    assert len(matching) == 1, found
    return matching[0]


def yaml_findings(tmp_path: Path, text: str) -> list[Finding]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text))
    return findings(str(path))


def test_every_rule_has_a_unique_name_a_level_and_a_doc():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    for item in RULES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", item.name)
        assert item.level in ("warning", "info")
        assert item.doc and "\n" not in item.doc


# --------------------------------------------------------------------------- each rule fires


def test_duplicate_milestone_states_the_real_factor():
    found = only(findings("multistep", "--milestones", "30,30,60", "--gamma", "0.5"), "multistep-duplicate-milestones")
    lrs = torch_lrs("MultiStepLR", 31, milestones=[30, 30, 60], gamma=0.5)
    assert lrs[30] == pytest.approx(lrs[29] * 0.25)  # torch really applies gamma twice
    assert found.level == "warning"
    assert found.where == "--milestones"
    assert found.message == (
        "milestone 30 is listed 2 times: torch multiplies the LR by gamma^2 = 0.25 at step 30 "
        "(0.1 -> 0.025), not by gamma = 0.5"
    )
    assert found.steps == (30,)


def test_unsorted_milestones_are_info():
    found = only(findings("multistep", "--milestones", "60,30", "--steps", "80"), "multistep-unsorted-milestones")
    assert found.level == "info"
    assert "milestones 60, 30 are not in increasing order" in found.message
    assert "write them in order, 30, 60" in found.fix


def test_milestone_beyond_the_run():
    found = only(findings("multistep", "--milestones", "30,500", steps="400"), "multistep-milestone-beyond-run")
    assert found.message.startswith("milestone 500 never reached: the 400-step run ends at step 399")
    assert found.fix == "use milestones below 400, or a longer run"


def test_cosine_climbs_after_tmax_with_step_and_value_from_torch():
    found = only(findings("cosine", "--t-max", "100", steps="400"), "cosine-climbs-after-tmax")
    lrs = torch_lrs("CosineAnnealingLR", 400, T_max=100)
    assert max(lrs[100:]) == lrs[200]
    assert found.message.startswith(
        f"T_max=100 is shorter than the 400-step run: the LR falls to 0 at step 100, then climbs back up to "
        f"{lrs[200]:.4g} at step 200"
    )
    assert "epochs and iterations" in found.message
    assert found.where == "--t-max"
    assert found.steps == (100, 200)


def test_step_size_at_least_the_run_never_decays():
    found = only(findings("step", "--step-size", "500", steps="400"), "step-never-decays")
    assert "step_size=500 is at least the 400-step run" in found.message
    assert found.where == "--step-size"
    # the more specific rule explains the flat curve: constant-throughout stays silent
    assert [f.rule for f in findings("step", "--step-size", "500", steps="400")] == ["step-never-decays"]


def test_onecycle_run_too_long_predicts_torchs_error():
    import torch

    found = only(findings("onecycle", "--max-lr", "0.1", "--total-steps", "100", steps="150"), "onecycle-run-too-long")
    assert found.message == (
        "the 150-step run is longer than OneCycleLR's 100 steps: torch raises 'Tried to step 101 times' "
        "on the scheduler.step() after optimizer step 100"
    )
    assert found.where == "--total-steps"
    assert found.fix == "set total_steps to 150, or run at most 100 steps"
    # the prediction is what torch does
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=100)
    for _ in range(100):
        optimizer.step()
        scheduler.step()
    optimizer.step()
    with pytest.raises(ValueError, match="Tried to step 101 times"):
        scheduler.step()


def test_onecycle_epochs_name_the_parameter_to_change(tmp_path):
    found = yaml_findings(
        tmp_path,
        """\
        steps: 60
        scheduler: {type: OneCycleLR, max_lr: 0.1, epochs: 5, steps_per_epoch: 10}
        """,
    )
    assert only(found, "onecycle-run-too-long").where == f"{tmp_path / 'spec.yaml'}:2: scheduler.epochs"


def test_run_shorter_than_onecycle():
    found = only(
        findings("onecycle", "--max-lr", "0.1", "--total-steps", "100", steps="50"), "run-shorter-than-schedule"
    )
    last = torch_lrs("OneCycleLR", 50, max_lr=0.1, total_steps=100)[-1]
    assert found.message == (
        f"OneCycleLR is planned for 100 steps (total_steps) but the run stops after 50: the LR is still "
        f"{last:.4g} at the last step, its schedule unfinished"
    )
    assert found.fix == "set total_steps to the run length (50), or run 100 steps"


SEQUENTIAL = """\
steps: 100
scheduler:
  type: SequentialLR
  milestones: [{milestone}]
  schedulers:
    - {{type: LinearLR, start_factor: 0.01, total_iters: 10}}
    - {{type: CosineAnnealingLR, T_max: {tail}}}
"""


def test_sequential_milestone_cuts_the_warmup_short(tmp_path):
    found = only(yaml_findings(tmp_path, SEQUENTIAL.format(milestone=5, tail=95)), "sequential-length-mismatch")
    assert found.where == f"{tmp_path / 'spec.yaml'}:6: scheduler.schedulers[0].total_iters"
    assert found.message.startswith(
        "schedulers[0] (LinearLR, total_iters=10) is cut off after 5 of its 10 steps by milestone 5: "
        "the LR jumps from 0.0406 to 0.1 at step 5"
    )
    assert found.fix == "set milestone 5 to 10, or its total_iters to 5"


def test_sequential_milestone_leaves_the_warmup_idle(tmp_path):
    found = only(yaml_findings(tmp_path, SEQUENTIAL.format(milestone=20, tail=80)), "sequential-length-mismatch")
    assert found.message == (
        "schedulers[0] (LinearLR, total_iters=10) finishes at step 10 but runs until milestone 20: "
        "then holds at LR 0.1 for 10 steps"
    )


def test_sequential_last_child_compared_with_the_rest_of_the_run(tmp_path):
    found = only(yaml_findings(tmp_path, SEQUENTIAL.format(milestone=10, tail=50)), "sequential-length-mismatch")
    assert found.where.endswith("scheduler.schedulers[1].T_max")
    assert found.fix == "set its T_max to 90 (the steps after the last milestone)"


def test_sequential_milestone_zero(tmp_path):
    found = only(yaml_findings(tmp_path, SEQUENTIAL.format(milestone=0, tail=100)), "sequential-milestone-unreachable")
    assert found.message == (
        "milestone 0 hands over to schedulers[1] (CosineAnnealingLR) before the first step: "
        "schedulers[0] (LinearLR) never runs"
    )
    assert found.where == f"{tmp_path / 'spec.yaml'}:4: scheduler.milestones"


def test_lambda_warmup_starting_at_zero():
    found = only(findings("lambda", "--lr-lambda", "min(1, epoch / 10)", steps="50"), "warmup-starts-at-zero")
    assert torch_lrs("LambdaLR", 1, lr_lambda=lambda e: min(1, e / 10))[0] == 0
    assert found.message.startswith("the LR is 0 for the first optimizer step (step 0)")
    assert found.where == "--lr-lambda"
    assert found.steps == (0,)


def test_detectron_warmup_factor_zero_names_the_flag():
    found = only(findings("cosine", "--t-max", "100", warmup_steps="10", warmup_factor="0"), "warmup-starts-at-zero")
    assert found.where == "--warmup-factor"


def test_negative_lr():
    found = only(findings("lambda", "--lr-lambda", "1 - epoch / 10", steps="20"), "lr-negative")
    assert found.message.startswith("the LR is negative from step 11 (-0.01; 9 of 20 steps)")
    assert found.steps == (11,)


def test_lr_overflowing_to_inf():
    found = only(findings("exp", "--gamma", "10", steps="400"), "lr-not-finite")
    lrs = torch_lrs("ExponentialLR", 400, gamma=10)
    first = next(k for k, v in enumerate(lrs) if v == float("inf"))
    assert found.message == f"the LR is inf from step {first} ({400 - first} of 400 steps are not finite)"


def test_minimum_long_before_the_end():
    found = only(findings("multistep", "--milestones", "30,60", steps="400"), "minimum-long-before-end")
    assert (
        found.message
        == "the LR reaches its minimum 0.001 at step 60 and stays there for the last 340 of 400 steps (85%)"
    )
    assert found.steps == (60,)


def test_constant_throughout():
    found = only(findings("exp", "--gamma", "1", steps="50"), "constant-throughout")
    assert found.message == "the LR is 0.1 at every one of the 50 steps: the scheduler changes nothing"


def test_fractional_t_mult_is_a_finding_in_check_but_an_error_elsewhere(cli):
    found = only(findings("sgdr", "--t-0", "10", "--t-mult", "1.5"), "cosine-restarts-fractional-tmult")
    assert found.message.startswith("T_mult=1.5: torch raises 'Expected integer T_mult >= 1, but got 1.5'")
    assert found.where == "--t-mult"
    result = cli("export", "sgdr", "--t-0", "10", "--t-mult", "1.5")
    assert (result.code, result.err) == (2, "Error: --t-mult: expected an integer, got '1.5'\n")


def test_cycling_momentum_is_info():
    found = only(findings("cyclic", "--base-lr", "0.01", "--max-lr", "0.1", "--step-size-up", "10"), "cycles-momentum")
    assert found.level == "info"
    assert "between 0.8 and 0.9" in found.message
    assert "set cycle_momentum to false" in found.fix
    quiet = findings(
        "cyclic", "--base-lr", "0.01", "--max-lr", "0.1", "--step-size-up", "10", "--cycle-momentum", "false"
    )
    assert not [f for f in quiet if f.rule == "cycles-momentum"]


# --------------------------------------------------------------------------- silence on sound schedules


@pytest.mark.parametrize(
    "tokens",
    [
        ["cosine", "--t-max", "150"],
        ["cosine", "--t-max", "400", "--steps", "400"],
        ["step", "--step-size", "30", "--gamma", "0.5", "--steps", "120"],
        ["multistep", "--milestones", "30,60,90", "--gamma", "0.5"],
        ["multistep", "--milestones", "200,300,320,340", "--gamma", "0.8", "--steps", "400"],
        ["exponential", "--gamma", "0.9,0.95,0.98", "--steps", "100"],
        ["linear", "--start-factor", "1", "--end-factor", "0.01", "--total-iters", "100"],
        ["linear", "--start-factor", "0.01", "--total-iters", "10", "--steps", "100"],
        ["poly", "--total-iters", "100", "--power", "2"],
        ["constant", "--factor", "0.5", "--total-iters", "20", "--steps", "40"],
        ["sgdr", "--t-0", "20", "--t-mult", "2"],
        ["onecycle", "--max-lr", "0.1", "--total-steps", "1000", "--cycle-momentum", "false"],
        ["lambda", "--lr-lambda", "0.5 ** (epoch // 30)", "--steps", "120"],
        ["lambda", "--lr-lambda", "min(1, (epoch + 1) / 10)", "--steps", "120"],
        ["cosine", "--t-max", "100", "--warmup-steps", "10"],
    ],
    ids=" ".join,
)
def test_sound_schedules_have_no_findings(tokens):
    assert findings(*tokens) == []


def test_sound_yaml_warmup_then_cosine_has_no_findings(tmp_path):
    assert yaml_findings(tmp_path, SEQUENTIAL.format(milestone=10, tail=90)) == []


# --------------------------------------------------------------------------- the command


def test_check_exit_1_on_warnings_with_the_list(cli):
    result = cli("check", "cosine", "--t-max", "100", "--steps", "400")
    assert result.code == 1
    out = " ".join(result.out.split())
    assert out.startswith("warning --t-max (CosineAnnealingLR(T_max=100)) [cosine-climbs-after-tmax]")
    assert "what happens: T_max=100 is shorter than the 400-step run" in out
    assert "how to fix: set T_max to the run length (400)" in out
    assert out.endswith("1 warning, 0 info")
    assert result.err == ""


def test_check_exit_0_when_sound_or_only_info(cli):
    sound = cli("check", "cosine", "--t-max", "150")
    assert (sound.code, sound.out) == (0, "no findings: 1 curve checked\n")
    info = cli("check", "onecycle", "--max-lr", "0.1", "--total-steps", "100")
    assert info.code == 0
    assert "info --cycle-momentum" in info.out and "0 warnings, 1 info" in info.out


def test_check_still_exits_2_on_bad_input(cli):
    result = cli("check", "cosine", "--t-mx", "5")
    assert (result.code, result.err) == (
        2,
        "Error: --t-mx: unknown option for CosineAnnealingLR; did you mean '--t-max'?\n",
    )


def test_list_rules_lists_every_rule_with_its_doc(cli):
    result = cli("check", "--list-rules")
    assert result.code == 0
    lines = result.out.splitlines()
    from lrviz.check.resume import RESUME_RULES  # the rules of `check --resume-at`, listed after the others

    rules = [(item.name, item.level, item.doc) for item in RULES] + list(RESUME_RULES)
    assert len(lines) == len(rules)
    for line, (name, level, doc) in zip(lines, rules, strict=True):
        assert line.split()[:2] == [name, level]
        assert line.endswith(doc)


def test_every_rule_is_documented_in_the_readme(cli):
    section = README.split("## Diagnostics: `lrviz check`", 1)[1].split("\n## ", 1)[0]
    listed = [line.split()[0] for line in cli("check", "--list-rules").out.splitlines()]
    documented = re.findall(r"^\| `([a-z0-9-]+)` \|", section, flags=re.M)
    assert documented == listed  # every rule, in --list-rules order, and no stale ones


def test_plot_prints_the_warnings_above_the_table(cli, tmp_path):
    result = cli("plot", "cosine", "--t-max", "100", "--steps", "400", "-o", "c.png")
    assert result.code == 0
    warning, wrote = result.err.splitlines()
    assert warning.startswith(
        "Warning: --t-max (CosineAnnealingLR(T_max=100)): T_max=100 is shorter than the 400-step run"
    )
    assert warning.endswith("[cosine-climbs-after-tmax]")
    assert wrote == "wrote c.png"
    assert (tmp_path / "c.png").exists()


def test_plot_of_a_sound_schedule_prints_no_warning(cli):
    result = cli("plot", "onecycle", "--max-lr", "0.1", "--total-steps", "100", "-o", "c.png")
    assert result.err == "wrote c.png\n"  # info findings stay in `lrviz check`


def test_plot_still_refuses_a_run_longer_than_onecycle(cli):
    result = cli("plot", "onecycle", "--max-lr", "0.1", "--total-steps", "100", "--steps", "150")
    assert result.code == 2
    assert result.err.startswith("Error: --steps: 150 steps is longer than OneCycleLR allows")


def test_readme_check_example_is_the_real_output(cli):
    block = README.split("$ lrviz check multistep", 1)[1].split("\n$ ", 1)[0]
    shown = " ".join(block.split("\n", 1)[1].split())
    result = cli("check", "multistep", "--milestones", "60,60,80", "--gamma", "0.5", "--steps", "100")
    assert " ".join(result.out.split()) == shown


def test_plot_marks_the_steps_findings_point_at(cli, tmp_path):
    marked = cli("plot", "multistep", "--milestones", "60,60,80", "--gamma", "0.5", "--steps", "100", "-o", "m.svg")
    assert marked.code == 0
    assert (tmp_path / "m.svg").read_text().count('id="lrviz-finding"') == 1
    sound = cli("plot", "cosine", "--t-max", "150", "-o", "c.svg")
    assert sound.code == 0
    assert "lrviz-finding" not in (tmp_path / "c.svg").read_text()


def test_mark_steps_draws_one_dotted_line_per_step():
    from lrviz.rendering.figure import FINDING_GID, mark_steps, render
    from lrviz.simulation.stepping import simulate

    spec = spec_from_tokens(["cosine", "--t-max", "100"], CurveFlags(steps="400"))
    figure = render(simulate(spec))
    mark_steps(figure, [100, 200, 100])
    marks = [line for line in figure.axes[0].get_lines() if line.get_gid() == FINDING_GID]
    assert [line.get_xdata()[0] for line in marks] == [100, 200]
    assert all(line.get_linestyle() == ":" for line in marks)


def test_nested_fractional_t_mult_names_its_yaml_key(tmp_path):
    found = yaml_findings(
        tmp_path,
        """\
        steps: 30
        scheduler:
          type: SequentialLR
          milestones: [10]
          schedulers:
            - {type: LinearLR, start_factor: 0.1, total_iters: 10}
            - {type: CosineAnnealingWarmRestarts, T_0: 5, T_mult: 1.5}
        """,
    )
    assert [f.rule for f in found] == ["cosine-restarts-fractional-tmult"]  # nothing simulated, nothing else
    assert found[0].where == f"{tmp_path / 'spec.yaml'}:7: scheduler.schedulers[1].T_mult"
