"""`lrviz check --resume-at N [--resume-steps M]` against torch (and transformers) checkpointed by hand.

Each reference is a plain loop written out here: step a torch scheduler N times, put both
state_dicts through torch.save/torch.load, load them into fresh objects, continue. The audit must
report exactly what that loop shows (the first differing step and values), and say when they agree.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrviz.check.resume import ResumeRequest, rebuilt_for, resume_findings, resume_run
from lrviz.check.rules import Finding
from lrviz.spec.flags import CurveFlags, spec_from_tokens
from lrviz.spec.yamlfile import load_spec_file


def spec_of(*tokens: str, **flags: str):
    return spec_from_tokens(list(tokens), CurveFlags(**flags))


def audit(*tokens: str, at: int, resume_steps: int | None = None, **flags: str) -> Finding:
    (finding,) = resume_findings(spec_of(*tokens, **flags), ResumeRequest(at, resume_steps))
    return finding


def _optimizer(lr: float = 0.1):
    import torch

    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=0.9)


def checkpointed_by_hand(make_first, make_resumed, at: int, total: int) -> tuple[list[float], str | None]:
    """LRs of steps at..total-1 of a run stopped at `at`, round-tripped through torch.save, resumed."""
    import torch

    optimizer = _optimizer()
    scheduler = make_first(optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(at):
            optimizer.step()
            scheduler.step()
        buffer = io.BytesIO()
        torch.save({"scheduler": scheduler.state_dict(), "optimizer": optimizer.state_dict()}, buffer)
        buffer.seek(0)
        checkpoint = torch.load(buffer, weights_only=False)
        optimizer = _optimizer()
        scheduler = make_resumed(optimizer)
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
        lrs = []
        for k in range(at, total):
            lrs.append(scheduler.get_last_lr()[0])
            optimizer.step()
            if k + 1 < total:
                try:
                    scheduler.step()
                except ValueError as exc:
                    return lrs, str(exc)
    return lrs, None


def uninterrupted(make, total: int) -> list[float]:
    optimizer = _optimizer()
    scheduler = make(optimizer)
    lrs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(total):
            lrs.append(scheduler.get_last_lr()[0])
            optimizer.step()
            scheduler.step()
    return lrs


def fast_forwarded(make_resumed, at: int, total: int) -> list[float]:
    """The fix resume-differs gives: build the new scheduler and step it `at` times instead of loading."""
    return uninterrupted(make_resumed, total)[at:]


def first_difference(resumed: list[float], reference: list[float], at: int) -> int:
    return next(k for k, (a, b) in enumerate(zip(resumed, reference[at:], strict=False), start=at) if a != b)


def cosine(t_max: int):
    from torch.optim.lr_scheduler import CosineAnnealingLR

    return lambda optimizer: CosineAnnealingLR(optimizer, T_max=t_max)


# --------------------------------------------------------------------------- known real cases


def test_same_length_cosine_resumes_exactly():
    found = audit("cosine", "--t-max", "100", at=37)
    assert (found.level, found.rule) == ("info", "resume-agrees")
    assert found.message.endswith("the LR follows an uninterrupted 100-step run at every step from 37 to 99")
    resumed, _ = checkpointed_by_hand(cosine(100), cosine(100), 37, 100)
    assert resumed == uninterrupted(cosine(100), 100)[37:]  # torch agrees: nothing hidden


def test_cosine_with_a_longer_run_keeps_the_checkpoints_t_max():
    found = audit("cosine", "--t-max", "100", at=37, resume_steps=200)
    resumed, _ = checkpointed_by_hand(cosine(100), cosine(200), 37, 200)
    reference = uninterrupted(cosine(200), 200)
    first = first_difference(resumed, reference, 37)
    assert (found.level, found.rule, found.where, found.steps) == ("warning", "resume-differs", "--t-max", (first,))
    assert (
        f"the LR first differs from the uninterrupted run at step {first}: {resumed[0]:.6g} instead of "
        f"{reference[first]:.6g}" in found.message
    )
    assert "the checkpoint restores T_max=100 over the rebuilt 200" in found.message
    # torch's state_dict really carries T_max: past the old end the LR climbs back, as the finding says
    worst = int(np.argmax(np.abs(np.subtract(resumed, reference[37:])))) + 37
    assert f"most at step {worst} ({resumed[worst - 37]:.6g} instead of {reference[worst]:.6g})" in found.message
    assert "do not load the scheduler's state (it puts back T_max=100)" in found.fix
    assert fast_forwarded(cosine(200), 37, 200) == reference[37:]  # the fix it gives works


def test_cosine_t_max_set_after_load_is_not_the_fix():
    """CosineAnnealingLR is recursive after a load: setting T_max afterwards continues from the old LR."""

    def patched(optimizer):
        return _AfterLoad(cosine(200)(optimizer), T_max=200)

    resumed, _ = checkpointed_by_hand(cosine(100), patched, 37, 200)
    assert resumed[1:] != uninterrupted(cosine(200), 200)[38:]


class _AfterLoad:
    """A scheduler whose attributes are set again right after load_state_dict."""

    def __init__(self, scheduler, **attributes):
        self.scheduler, self.attributes = scheduler, attributes

    def load_state_dict(self, state):
        self.scheduler.load_state_dict(state)
        for key, value in self.attributes.items():
            setattr(self.scheduler, key, value)

    def __getattr__(self, name):
        return getattr(self.scheduler, name)


def test_onecycle_with_a_longer_run_raises_at_the_old_total():
    from torch.optim.lr_scheduler import OneCycleLR

    def onecycle(total):
        return lambda optimizer: OneCycleLR(optimizer, max_lr=0.1, total_steps=total)

    found = audit("onecycle", "--max-lr", "0.1", "--total-steps", "100", at=37, resume_steps=200)
    resumed, raised = checkpointed_by_hand(onecycle(100), onecycle(200), 37, 200)
    assert raised == "Tried to step 101 times. The specified number of total steps is 100"
    assert (found.level, found.rule, found.where) == ("warning", "resume-fails", "--total-steps")
    assert found.message.endswith(f"scheduler.step() after optimizer step 100 raises ValueError: {raised}")
    assert "the checkpoint restores total_steps=100 over the rebuilt 200" in found.message
    assert f"{resumed[0]:.6g} instead of" in found.message
    assert fast_forwarded(onecycle(200), 37, 200) == uninterrupted(onecycle(200), 200)[37:]


def test_hf_cosine_with_more_training_steps_jumps_once():
    """transformers#34053's setting: the Trainer's LambdaLR resumed with another num_training_steps.
    torch saves no lambda (a partial's empty __dict__), so the rebuilt lambda is used from the next
    step on; the step at the checkpoint still runs at the old schedule's LR, from the optimizer state."""
    optimization = pytest.importorskip("transformers.optimization")

    def hf(total):
        return lambda optimizer: optimization.get_cosine_schedule_with_warmup(optimizer, 10, total)

    found = audit("hf:cosine", "--num-warmup-steps", "10", "--num-training-steps", "100", at=37, resume_steps=200)
    resumed, _ = checkpointed_by_hand(hf(100), hf(200), 37, 200)
    reference = uninterrupted(hf(200), 200)
    assert resumed[0] != reference[37] and resumed[1:] == reference[38:]
    assert (found.rule, found.steps) == ("resume-differs", (37,))
    assert f"at step 37: {resumed[0]:.6g} instead of {reference[37]:.6g}" in found.message
    assert found.message.endswith("and only there: the run agrees again from step 38")


def test_sequential_rebuilds_its_last_child_and_the_checkpoint_restores_it(tmp_path):
    path = tmp_path / "warm.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            steps: 100
            scheduler:
              type: SequentialLR
              milestones: [10]
              schedulers:
                - {type: LinearLR, start_factor: 0.01, total_iters: 10}
                - {type: CosineAnnealingLR, T_max: 90}
            """
        )
    )
    spec = load_spec_file(str(path))
    rebuilt = rebuilt_for(spec.curves[0], 200)
    assert rebuilt.scheduler.children[1].kwargs == {"T_max": 190}
    assert rebuilt.scheduler.children[0] == spec.curves[0].scheduler.children[0]
    (found,) = resume_findings(spec, ResumeRequest(37, 200))
    assert found.rule == "resume-differs"
    assert found.where == f"{path}:7: scheduler.schedulers[1].T_max"  # the nested key the checkpoint restores
    assert "the checkpoint restores _schedulers[1].T_max=90 over the rebuilt 190" in found.message
    (same,) = resume_findings(spec, ResumeRequest(5, None))  # mid-warmup, same plan
    assert same.rule == "resume-agrees"


def test_lambda_lr_saves_no_function_and_resumes_with_the_rebuilt_one():
    from lrviz.simulation.schedule import Schedule
    from lrviz.simulation.stepping import make_optimizer

    curve = spec_of("lambda", "--lr-lambda", "0.5 ** (epoch // 30)", steps="100").curves[0]
    state = Schedule(curve).build(make_optimizer((0.1,))).state_dict()["scheduler"]
    assert not any(callable(entry) for entry in state["lr_lambdas"])  # torch keeps no function in the state
    run = resume_run(spec_of("lambda", "--lr-lambda", "0.5 ** (epoch // 30)", steps="100").curves[0], ResumeRequest(45))
    assert np.array_equal(run.resumed, run.uninterrupted)
    assert audit("lambda", "--lr-lambda", "0.5 ** (epoch // 30)", at=45, steps="100").rule == "resume-agrees"


@pytest.mark.parametrize(
    ("tokens", "flags"),
    [
        (("exponential", "--gamma", "0.97"), {"warmup_steps": "20", "steps": "60"}),  # chainable under a warmup
        (("multistep", "--milestones", "2,4", "--by-epoch", "--steps-per-epoch", "10"), {"steps": "60"}),
        (("plateau", "--patience", "2"), {"metric": "synthetic:0", "steps": "60"}),
        (("sgdr", "--t-0", "7", "--t-mult", "2"), {"steps": "60"}),
        (("cyclic", "--base-lr", "0.01", "--max-lr", "0.1", "--step-size-up", "9"), {"steps": "60"}),
    ],
)
def test_schedules_with_state_resume_exactly(tokens, flags):
    spec = spec_of(*tokens, **flags)
    for at in (1, 13, 25):  # inside the warmup, mid-epoch, after a plateau's wait
        run = resume_run(spec.curves[0], ResumeRequest(at))
        assert np.array_equal(run.resumed, run.uninterrupted), at
    assert audit(*tokens, at=25, **flags).rule == "resume-agrees"


@pytest.mark.parametrize("config", ["chained.yaml", "param_groups_lambdas.yaml", "warmup_styles.yaml"])
def test_configs_resume_exactly(config):
    """ChainedScheduler, per-group lr_lambdas, every warmup style: resumed at a third of the run."""
    spec = load_spec_file(str(Path(__file__).resolve().parents[1] / "configs" / config))
    for curve in spec.curves:
        run = resume_run(curve, ResumeRequest(curve.steps // 3))
        assert np.array_equal(run.resumed, run.uninterrupted), curve.label


def test_a_metric_driven_run_cannot_outlast_its_metric(cli):
    result = cli("check", "plateau", "--metric", "1,0.9,0.8,0.8,0.8", "--resume-at", "2", "--resume-steps", "9")
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [
        "Error: --resume-steps: ReduceLROnPlateau() is stepped with its metric, which has 5 values: "
        "the resumed run can last at most 5 steps"
    ]


def test_a_plan_that_cannot_run_the_resumed_length_is_bad_input(cli):
    """total_steps 1000 does not span the 800-step run, so it is not rebuilt: even an uninterrupted
    1500-step run raises in torch, and there is nothing to compare with."""
    result = cli(
        "check", "onecycle", "--max-lr", "0.1", "--total-steps", "1000", "--steps", "800",
        "--resume-at", "100", "--resume-steps", "1500",
    )  # fmt: skip
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [
        "Error: --resume-steps: OneCycleLR(max_lr=0.1, total_steps=1000) cannot run 1500 steps even uninterrupted: "
        "scheduler.step() after optimizer step 1000 raises ValueError: Tried to step 1001 times. "
        "The specified number of total steps is 1000"
    ]


def test_a_framework_stand_in_is_not_audited():
    found = audit("mmengine:ReduceOnPlateauLR", "--patience", "3", at=20, metric="synthetic:0", steps="60")
    assert (found.level, found.rule) == ("info", "resume-not-audited")
    assert "lrviz's stand-in MMEngineSchedulers" in found.message


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["step --step-size 7", "exponential --gamma 0.9", "cosine --t-max 23", "linear"]),
    steps=st.integers(2, 60),
    data=st.data(),
)
def test_any_builtin_resumed_at_any_step_agrees(name, steps, data):
    at = data.draw(st.integers(0, steps - 1))
    run = resume_run(spec_of(*name.split(), steps=str(steps)).curves[0], ResumeRequest(at))
    assert np.array_equal(run.resumed, run.uninterrupted)


# --------------------------------------------------------------------------- the command line


def test_cli_exit_codes(cli):
    differs = cli("check", "cosine", "--t-max", "100", "--resume-at", "37", "--resume-steps", "200")
    assert differs.code == 1, differs.err
    assert "[resume-differs]" in differs.out
    agrees = cli("check", "cosine", "--t-max", "100", "--resume-at", "37")
    assert agrees.code == 0 and "[resume-agrees]" in agrees.out and "0 warnings, 1 info" in agrees.out


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--resume-at", "-1"),
            "Error: --resume-at: must be at least 0 (optimizer steps done before the checkpoint), got -1",
        ),
        (("--resume-at", "x"), "Error: --resume-at: expected a whole number of optimizer steps, got 'x'"),
        (
            ("--resume-at", "100"),
            "Error: --resume-at: step 100 is past the end of CosineAnnealingLR(T_max=100)'s 100-step run: "
            "use at most 99 (or resume into a longer run with --resume-steps)",
        ),
        (
            ("--resume-at", "150", "--resume-steps", "200"),
            "Error: --resume-at: step 150 is past the end of CosineAnnealingLR(T_max=100)'s 100-step run: "
            "use at most 100",
        ),
        (
            ("--resume-at", "50", "--resume-steps", "50"),
            "Error: --resume-steps: must be more than the checkpoint's step 50 (it is the resumed run's total), got 50",
        ),
        (
            ("--resume-steps", "200"),
            "Error: --resume-steps: needs --resume-at (the step the run is stopped and resumed at)",
        ),
    ],
)
def test_cli_bad_values(cli, args, line):
    result = cli("check", "cosine", "--t-max", "100", *args)
    assert (result.code, result.err.splitlines(), result.out) == (2, [line], "")


def test_plot_refuses_resume_flags(cli, tmp_path):
    result = cli("plot", "cosine", "--t-max", "100", "--resume-at", "5", "-o", "out.png")
    assert result.code == 2
    assert result.err.splitlines() == [
        "Error: --resume-at: unknown option for CosineAnnealingLR (its flags: --t-max, --eta-min)"
    ]
    assert not (tmp_path / "out.png").exists()


def test_list_rules_names_the_resume_rules(cli):
    listed = cli("check", "--list-rules").out
    for rule in ("resume-differs", "resume-fails", "resume-agrees", "resume-not-audited"):
        assert rule in listed


def test_readme_resume_example_is_the_real_output(cli):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    command = "lrviz check cosine --t-max 100 --resume-at 37 --resume-steps 200"
    block = readme.split(f"$ {command}", 1)[1].split("\n$ ", 1)[0]
    shown = " ".join(block.split("\n", 1)[1].split())
    result = cli(*command.split()[1:])
    assert " ".join(result.out.split()) == shown
