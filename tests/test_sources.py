"""Framework schedule sources (`FRAMEWORK:NAME`) through every part of lrviz, for every registered member.

The values of each family are cross-checked against the framework itself in
tests/test_framework_<prefix>.py; this file checks what every member must do the same way: its
example runs, `show` and `list` describe it, `--code` and `--code-torch` snippets run and give
lrviz's values, events fall inside the run, and names resolve or get suggestions.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np
import pytest

from lrviz import schedules
from lrviz.report.code import pytorch_code
from lrviz.schedules import pytorch as registry
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = [s for family in schedules.families() for s in family.schedules]
IDS = [s.full_name for s in MEMBERS]


def _example_tokens(schedule) -> list[str]:
    words = shlex.split(schedule.example)
    assert words[:2] == ["lrviz", "plot"], schedule.example
    return words[2:]


def _example_spec(schedule):
    """The example's Spec, built as `lrviz plot` builds it (curve flags apart from scheduler flags)."""
    tokens, curve_flags = [], CurveFlags()
    words = iter(_example_tokens(schedule))
    for word in words:
        if word in ("--lr", "--steps", "--metric"):
            setattr(curve_flags, word[2:], next(words))
        elif word.endswith(".yaml"):
            tokens.append(str(ROOT / word))  # a YAML-only member's example is a config file
        else:
            tokens.append(word)
    return spec_from_tokens(tokens, curve_flags)


def test_every_family_member_is_found_by_its_name_in_any_case():
    assert MEMBERS, "no framework family registered"
    for schedule in MEMBERS:
        assert registry.resolve(schedule.full_name).framework == schedule
        assert registry.resolve(schedule.full_name.upper()).framework == schedule


@pytest.mark.parametrize("schedule", MEMBERS, ids=IDS)
def test_member_declares_what_lrviz_shows(schedule):
    assert schedule.summary and schedule.source and schedule.example, schedule.full_name
    target = schedule.example.split()[2]
    if target.endswith(".yaml"):
        text = (ROOT / target).read_text()
        assert f'type: "{schedule.full_name}"' in text, f"{target} does not use {schedule.full_name}"
    else:
        assert target.lower() == schedule.full_name.lower()
    names = [p.name for p in schedule.params]
    assert len(names) == len(set(names))
    assert all(p.kind in ("int", "float", "bool", "int_list", "float_list", "choice", "str", "mapping_list") for p in schedule.params)


@pytest.mark.parametrize("schedule", MEMBERS, ids=IDS)
def test_member_example_plots_and_show_describes_it(schedule, cli):
    tokens = [str(ROOT / t) if t.endswith(".yaml") else t for t in _example_tokens(schedule)]
    result = cli("plot", *tokens, "-o", "example.png", "-q")
    assert result.code == 0, result.err
    shown = cli("show", schedule.full_name)
    assert shown.code == 0, shown.err
    assert schedule.source in shown.out
    assert ("--lr is not used" in shown.out) == schedule.absolute
    for param in schedule.params:
        assert param.flag in shown.out


@pytest.mark.parametrize("schedule", MEMBERS, ids=IDS)
@pytest.mark.filterwarnings("ignore:`torch.jit:DeprecationWarning")  # mmengine's import uses torch.jit
def test_member_code_snippets_run_and_give_lrviz_values(schedule):
    if schedule.metric_driven:
        pytest.skip("stepped with a metric: covered by its family's tests")
    spec = _example_spec(schedule)
    (curve,) = simulate(spec)
    for plain_torch in (False, True):
        if not plain_torch and schedule.framework_code is None:
            continue
        namespace: dict = {}
        exec(compile(pytorch_code(spec, plain_torch=plain_torch), "<snippet>", "exec"), namespace)  # noqa: S102
        if schedule.float32:  # float32 arithmetic: agreement to float32 precision of the schedule's scale
            np.testing.assert_allclose(namespace["lrs"], curve.lr, rtol=0, atol=4e-7 * np.max(np.abs(curve.lr)))
        else:
            np.testing.assert_allclose(namespace["lrs"], curve.lr, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("schedule", MEMBERS, ids=IDS)
def test_member_events_fall_inside_their_schedule(schedule):
    if schedule.metric_driven:
        pytest.skip("stepped with a metric: its regime changes come from the run")
    spec = _example_spec(schedule)
    curve = spec.curves[0]
    for step, label in schedule.events(curve.scheduler.kwargs):
        assert isinstance(step, int) and step >= 0 and label


def test_list_groups_every_family(cli):
    result = cli("list")
    assert result.code == 0
    for family in schedules.families():
        assert f"{family.prefix}: {family.title}" in result.out
        for schedule in family.schedules:
            assert schedule.full_name in result.out


def test_unknown_member_suggests_the_close_one(cli):
    result = cli("plot", "hf:lin", "--num-warmup-steps", "3")
    assert result.code == 2
    assert result.err == "Error: NAME: unknown Hugging Face transformers schedule 'hf:lin'; did you mean 'hf:linear'?\n"


def test_unknown_framework_lists_the_known_ones(cli):
    result = cli("plot", "nosuch:cosine")
    known = ", ".join(f.prefix for f in schedules.families())
    assert result.err == f"Error: NAME: unknown framework 'nosuch' in 'nosuch:cosine' (known: {known})\n"
    assert result.code == 2


def test_bad_framework_value_names_its_flag(cli):
    result = cli("plot", "hf:linear", "--num-warmup-steps", "-3", "--num-training-steps", "10")
    assert (result.code, result.err) == (2, "Error: --num-warmup-steps: must be at least 0, got -3\n")


def test_unknown_framework_parameter_gets_a_suggestion(cli):
    result = cli("plot", "hf:linear", "--num-warmup-step", "3", "--num-training-steps", "10")
    assert result.code == 2
    assert result.err == "Error: --num-warmup-step: unknown option for hf:linear; did you mean '--num-warmup-steps'?\n"


def test_yaml_form_equals_flag_form(cli, tmp_path):
    (tmp_path / "hf.yaml").write_text(
        'scheduler: {type: "hf:linear", num_warmup_steps: 5, num_training_steps: 50}\nlr: 0.003\n'
    )
    from_yaml = cli("export", "hf.yaml")
    from_flags = cli("export", "hf:linear", "--num-warmup-steps", "5", "--num-training-steps", "50", "--lr", "0.003")
    assert from_yaml.code == from_flags.code == 0
    import json

    assert json.loads(from_yaml.out)["curves"][0]["lr"] == json.loads(from_flags.out)["curves"][0]["lr"]


def test_check_flags_a_run_past_the_planned_length(cli):
    result = cli("check", "hf:linear", "--num-warmup-steps", "2", "--num-training-steps", "10", "--steps", "15")
    assert result.code == 1
    assert "[run-longer-than-schedule]" in result.out
    assert "transformers documents its warmup as rising from 0" in result.out


def test_default_figure_name_has_no_colon(cli, tmp_path):
    result = cli("plot", "hf:linear", "--num-warmup-steps", "2", "--num-training-steps", "10", "-q")
    assert result.code == 0, result.err
    assert (tmp_path / "hf-linear.png").is_file()


def test_completion_knows_framework_names():
    from lrviz.cli.completion import complete_target

    assert "hf:linear" in complete_target("hf:")


def test_a_name_of_several_words_suggests_the_framework_schedules_that_have_them(cli):
    result = cli("plot", "warmup-cosine")
    assert result.code == 2
    assert result.err.startswith("Error: NAME: unknown scheduler 'warmup-cosine'; did you mean 'cosine', or one of ")
    for name in ("'optax:warmup_cosine_decay_schedule'", "'detectron2:WarmupCosineLR'", "'hf:cosine_warmup_with_min_lr'"):
        assert name in result.err
    single = cli("plot", "cosin", "--t-max", "5")  # a typo of one word keeps the short answer
    assert single.err == "Error: NAME: unknown scheduler 'cosin'; did you mean 'cosine'? (`lrviz list` shows them all)\n"
