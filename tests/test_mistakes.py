"""The unit-mistake rules of lrviz/check/mistakes.py: each fires with the spec's numbers, and stays silent
on the sound version of the same schedule (the values torch gives are checked where a rule claims them)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from conftest import torch_lrs
from hypothesis import given, settings
from hypothesis import strategies as st

from lrviz.check.rules import Finding
from lrviz.pipeline import Request, run
from lrviz.simulation.stepping import simulate_curve
from lrviz.spec.flags import CurveFlags, spec_from_tokens
from lrviz.spec.yamlfile import load_spec_file

ROOT = Path(__file__).resolve().parents[1]
UNIT_RULES = (
    "by-epoch-length-beyond-epochs",
    "per-iteration-length-in-epochs",
    "per-iteration-milestones-in-epochs",
    "warmup-longer-than-run",
    "warmup-ratio-of-another-total",
)


def findings(*tokens: str, **flags: str) -> list[Finding]:
    spec = spec_from_tokens(list(tokens), CurveFlags(**flags))
    return run(spec, Request(strict=False)).findings


def fired(found: list[Finding], rule: str) -> list[Finding]:
    return [f for f in found if f.rule == rule]


def unit_rules(found: list[Finding]) -> list[str]:
    return [f.rule for f in found if f.rule in UNIT_RULES]


# --------------------------------------------------------------------------- by epoch, length in iterations


def test_by_epoch_milestones_written_in_iterations():
    found = findings(
        "multistep", "--milestones", "8000,11000", "--by-epoch", "--steps-per-epoch", "1000", steps="12000"
    )
    (finding,) = fired(found, "by-epoch-length-beyond-epochs")
    assert finding.where == "--milestones"
    assert finding.message == (
        "milestones 8000, 11000 count epochs (MultiStepLR is stepped once per epoch, by_epoch, every 1000 optimizer "
        "steps), but the 12000-step run has only 12 epochs: it looks like a number of iterations"
    )
    assert (
        finding.fix == "give milestones in epochs (at most 12), or step the scheduler per iteration (without by_epoch)"
    )
    # what torch does with it: stepped 12 times, the LR never decays
    assert set(torch_lrs("MultiStepLR", 12, milestones=[8000, 11000])) == {0.1}


def test_by_epoch_t_max_longer_than_the_epochs_never_finishes():
    (finding,) = fired(
        findings("cosine", "--t-max", "30", "--by-epoch", "--steps-per-epoch", "100", steps="1200"),
        "by-epoch-length-beyond-epochs",
    )
    assert finding.message.startswith("T_max=30 counts epochs")
    assert finding.message.endswith("only 12 epochs: that part of the schedule never happens")


def test_by_epoch_lengths_in_epochs_are_sound():
    assert not unit_rules(
        findings("multistep", "--milestones", "8,11", "--by-epoch", "--steps-per-epoch", "100", steps="1200")
    )
    assert not unit_rules(findings("cosine", "--t-max", "12", "--by-epoch", "--steps-per-epoch", "100", steps="1200"))


# --------------------------------------------------------------------------- per iteration, lengths in epochs


def test_per_iteration_t_max_in_epochs():
    found = findings("cosine", "--t-max", "12", "--steps-per-epoch", "1000", steps="12000")
    (finding,) = fired(found, "per-iteration-length-in-epochs")
    assert finding.where == "--t-max"
    assert finding.message == (
        "T_max=12 counts scheduler.step() calls, here iterations (CosineAnnealingLR is stepped after every optimizer "
        "step, 1000 per epoch): it spans 0.1% of the 12000-step run, while 12 epochs would be 12000 steps"
    )
    assert "T_max=12000 for 12 epochs" in finding.fix
    curve = simulate_curve(diagnose_spec("cosine", "--t-max", "12000", steps="12000"))
    assert curve.lr[-1] < 1e-8  # the fix it gives ends the cosine at the run's end


def diagnose_spec(*tokens: str, **flags: str):
    return spec_from_tokens(list(tokens), CurveFlags(**flags)).curves[0]


def test_per_iteration_step_size_in_epochs():
    (finding,) = fired(
        findings("step", "--step-size", "30", "--steps-per-epoch", "100", steps="9000"),
        "per-iteration-length-in-epochs",
    )
    assert finding.where == "--step-size"
    assert "step_size=3000 for 30 epochs" in finding.fix


def test_a_short_warmup_in_iterations_is_not_a_unit_mistake():
    found = findings("linear", "--start-factor", "0.01", "--total-iters", "5", "--steps-per-epoch", "100", steps="1200")
    assert not unit_rules(found)


def test_without_steps_per_epoch_no_unit_is_known():
    assert not unit_rules(findings("cosine", "--t-max", "12", steps="12000"))


def test_mmpose_2645_milestones_in_epochs_beside_a_warmup_in_iterations(tmp_path):
    shutil.copy(ROOT / "examples" / "epoch_milestones.yaml", tmp_path / "e.yaml")
    spec = load_spec_file(str(tmp_path / "e.yaml"))
    found = run(spec, Request(strict=False)).findings
    assert unit_rules(found) == ["per-iteration-milestones-in-epochs"]  # the warmup's 500 iterations are fine
    (finding,) = fired(found, "per-iteration-milestones-in-epochs")
    assert finding.where.endswith("e.yaml:12: scheduler.schedulers[1].milestones")
    assert "all of them come by step 200, in the first 0.95% of the 21000-step run" in finding.message
    assert (
        finding.fix
        == "give the milestones in iterations (17000, 20000), or step the scheduler once per epoch (by_epoch)"
    )
    lr = simulate_curve(spec.curves[0]).lr  # torch: both decays right after the warmup, as it says
    assert lr[500 + 170] == pytest.approx(lr[500] * 0.1) and lr[500 + 200] == pytest.approx(lr[500] * 0.01)


def test_cli_example_of_the_readme(cli):
    shutil.copytree(ROOT / "examples", Path.cwd() / "examples")
    result = cli("check", "examples/epoch_milestones.yaml")
    assert result.code == 1
    assert "[per-iteration-milestones-in-epochs]" in result.out


@settings(max_examples=40, deadline=None)
@given(epochs=st.integers(2, 50), per_epoch=st.integers(2, 200), data=st.data())
def test_milestones_fire_exactly_when_they_fit_in_the_epoch_count(epochs, per_epoch, data):
    steps = epochs * per_epoch
    milestones = sorted(data.draw(st.sets(st.integers(1, steps - 1), min_size=1, max_size=3)))
    found = findings(
        "multistep", "--milestones", ",".join(map(str, milestones)), "--steps-per-epoch", str(per_epoch),
        steps=str(steps),
    )  # fmt: skip
    assert bool(fired(found, "per-iteration-milestones-in-epochs")) == (milestones[-1] <= epochs)


# --------------------------------------------------------------------------- warmups


def test_lrviz_warmup_longer_than_the_run():
    (finding,) = fired(findings("cosine", "--t-max", "100", warmup_steps="150", steps="100"), "warmup-longer-than-run")
    assert finding.where == "--warmup-steps"
    assert finding.message == "the warmup lasts 150 steps, the run 100: the LR never reaches the schedule's values"
    assert not fired(findings("cosine", "--t-max", "100", warmup_steps="10", steps="100"), "warmup-longer-than-run")


def test_framework_warmup_longer_than_the_run():
    found = findings("hf:cosine", "--num-warmup-steps", "500", "--num-training-steps", "400")
    (finding,) = fired(found, "warmup-longer-than-run")
    assert finding.where == "--num-warmup-steps"
    assert finding.message.startswith("hf:cosine's warmup ends at step 500, after the 400-step run")
    curve = simulate_curve(diagnose_spec("hf:cosine", "--num-warmup-steps", "500", "--num-training-steps", "400"))
    assert curve.lr.max() < 0.1  # the peak (--lr 0.1) is never reached


def test_warmup_ratio_of_another_total():
    found = findings("hf:cosine", "--warmup-ratio", "0.1", "--num-training-steps", "20000", steps="2000")
    (finding,) = fired(found, "warmup-ratio-of-another-total")
    assert finding.where == "--warmup-ratio"
    assert finding.message == (
        "warmup_ratio=0.1 is a fraction of num_training_steps=20000 (the Trainer's max_steps, or its epochs x steps), "
        "not of the 2000-step run: the warmup lasts 2000 steps (longer than the run) instead of 200"
    )
    assert finding.fix == "set num_training_steps to the run's optimizer steps (2000), or give num_warmup_steps=200"
    shorter = fired(
        findings("hf:constant_with_warmup", "--warmup-ratio", "0.05", "--num-training-steps", "4000", steps="8000"),
        "warmup-ratio-of-another-total",
    )
    assert "the warmup lasts 200 steps (2.5% of the run) instead of 400" in shorter[0].message
    assert math.ceil(4000 * 0.05) == 200


def test_warmup_ratio_of_the_run_is_sound():
    found = findings("hf:cosine", "--warmup-ratio", "0.1", "--num-training-steps", "2000", steps="2000")
    assert not unit_rules(found)


DEEPSPEED = """{"train_micro_batch_size_per_gpu": 32, "gradient_accumulation_steps": %d,
 "optimizer": {"type": "Adam", "params": {"lr": 0.001}},
 "scheduler": {"type": "WarmupDecayLR",
               "params": {"warmup_num_steps": 10, "total_num_steps": %d, "warmup_max_lr": 0.001}}}"""


def test_a_length_counted_on_one_process_is_found_from_the_run_facts(cli, tmp_path):
    # 32000 samples, micro-batch 32, 8 processes: 125 optimizer steps; 1000 is the count on one GPU
    (tmp_path / "ds.json").write_text(DEEPSPEED % (1, 1000))
    result = cli("check", "ds.json", "--dataset-size", "32000", "--epochs", "1", "--world-size", "8")
    assert result.code == 1
    text = " ".join(result.out.split())
    assert "[length-assumes-one-process]" in text
    assert (
        "total_num_steps=1000 is the run's length on one process without accumulation (125 optimizer steps x "
        "8 processes = 1000): this run has 125 optimizer steps" in text
    )
    # the LR it names is the one DeepSpeed's own scheduler gives at the run's last step
    import json

    exported = json.loads(cli("export", "ds.json", "--dataset-size", "32000", "--epochs", "1", "--world-size", "8").out)
    last = exported["curves"][0]["lr"][-1]
    assert f"the LR is {last:.4g} at the last step" in text


def test_accumulation_counts_like_processes_and_a_matching_length_is_silent(cli, tmp_path):
    (tmp_path / "ds.json").write_text(DEEPSPEED % (4, 500))  # 125 x 4 accumulated = 500: counted per micro-batch
    facts = ("--dataset-size", "16000", "--epochs", "1")
    found = cli("check", "ds.json", *facts)
    assert "4 accumulated batches" in " ".join(found.out.split())
    (tmp_path / "ds.json").write_text(DEEPSPEED % (4, 125))  # the run's own optimizer steps: nothing to say
    assert "length-assumes-one-process" not in cli("check", "ds.json", *facts).out
