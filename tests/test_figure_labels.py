"""What a figure calls its curves (common part to the title, composites shortened, warmup named),
and how it draws them: lines or steps, grey marks with legend entries, momentum in its own style."""

from __future__ import annotations

import json

import pytest

from lrviz.rendering.figure import (
    FINDING_GID,
    HYPERPARAMETER_STYLES,
    MARK_COLOR,
    PALETTE,
    RenderOptions,
    render,
)
from lrviz.rendering.labels import MAX_LABEL_CHARS, figure_labels, scheduler_label, shorten
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens
from lrviz.spec.yamlfile import load_spec_file, spec_from_yaml_text


def _curves(*tokens, **flags):
    return simulate(spec_from_tokens(list(tokens), CurveFlags(**flags)))


def _legend_texts(figure):
    legends = [*figure.legends, *(ax.get_legend() for ax in figure.axes if ax.get_legend() is not None)]
    return [text.get_text() for legend in legends for text in legend.get_texts()]


def test_a_sweep_puts_what_every_curve_shares_in_the_title_and_what_differs_in_the_legend():
    spec = spec_from_yaml_text(
        "steps: 200\nscheduler: {type: CosineAnnealingLR, T_max: 10}\nsweep: {T_max: [50, 100], eta_min: [0]}\n",
        "<test>",
    )
    curves = simulate(spec)
    assert [c.label for c in curves] == ["T_max=50, eta_min=0", "T_max=100, eta_min=0"]  # full labels stay
    names = figure_labels(curves, None)
    assert names.title == "CosineAnnealingLR, eta_min=0"
    assert names.labels == ("T_max=50", "T_max=100")
    figure = render(curves)
    assert figure.axes[0].get_title() == "CosineAnnealingLR, eta_min=0"
    assert [line.get_label() for line in figure.axes[0].lines] == ["T_max=50", "T_max=100"]
    assert figure_labels(curves, "Mine").title == "Mine"  # a given title wins


def test_full_labels_stay_in_the_json_export():
    from lrviz.report.export import to_json

    spec = spec_from_tokens(["cosine", "--t-max", "50,100", "--eta-min", "0,0.01"], CurveFlags(steps="20"))
    exported = json.loads(to_json(simulate(spec)))
    assert "T_max=50, eta_min=0" in json.dumps(exported)
    assert render(simulate(spec)).axes[0].lines[0].get_label() == "T_max=50, eta_min=0"  # nothing shared here


def test_nested_composites_are_shortened():
    spec = spec_from_yaml_text(
        """
steps: 400
scheduler:
  type: SequentialLR
  milestones: [10]
  schedulers:
    - {type: LinearLR, start_factor: 0.01, total_iters: 10}
    - {type: CosineAnnealingLR, T_max: 390}
""",
        "<test>",
    )
    assert scheduler_label(spec.curves[0].scheduler) == "Sequential[LinearLR(10) → Cosine(T_max=390)]"
    figure = render(simulate(spec))
    assert figure.axes[0].get_title() == "Sequential[LinearLR(10) → Cosine(T_max=390)]"


@pytest.mark.parametrize(
    ("config", "label"),
    [
        ("fvcore_composite", "fvcore:CompositeParamScheduler[LinearParamScheduler → CosineParamScheduler]"),
        ("mmengine_param_scheduler", "mmengine:param_scheduler[LinearLR → MultiStepLR]"),
        ("chained", "Chained[ConstantLR(10) × Exp(gamma=0.95)]"),
    ],
)
def test_list_valued_members_are_named_by_their_types(config, label):
    spec = load_spec_file(f"configs/{config}.yaml")
    assert scheduler_label(spec.curves[0].scheduler) == label
    (shown,) = figure_labels(simulate(spec), spec.title).labels
    assert shown == shorten(label) and len(shown) <= MAX_LABEL_CHARS


def test_a_long_list_parameter_is_elided():
    (curve,) = _curves("multistep", "--milestones", "10,20,30,40,50,60", steps="80")
    assert scheduler_label(curve.spec.scheduler) == "MultiStepLR(milestones=[10, 20, 30, …, 60])"


def test_warmup_is_named_in_the_title_or_the_label():
    (curve,) = _curves("multistep", "--milestones", "100,150", steps="200", warmup_steps="10")
    assert render([curve]).axes[0].get_title() == "MultiStepLR(milestones=[100, 150]) + warmup 10"
    sweep = _curves("step", "--step-size", "30", "--gamma", "0.5,0.8", steps="100", warmup_steps="5")
    assert figure_labels(sweep, None).title == "StepLR + warmup 5"
    assert figure_labels(sweep, "Given").labels == ("gamma=0.5 + warmup 5", "gamma=0.8 + warmup 5")


def test_lines_through_values_unless_piecewise_constant_or_asked():
    (cosine,) = _curves("cosine", "--t-max", "150")
    (step,) = _curves("step", "--step-size", "10", steps="40")
    assert render([cosine]).axes[0].lines[0].get_drawstyle() == "default"
    assert render([step]).axes[0].lines[0].get_drawstyle() == "steps-post"
    assert render([cosine], RenderOptions(drawstyle="steps")).axes[0].lines[0].get_drawstyle() == "steps-post"
    assert render([step], RenderOptions(drawstyle="lines")).axes[0].lines[0].get_drawstyle() == "default"


def test_drawstyle_flag_and_its_error(cli, tmp_path):
    assert cli("plot", "cosine", "--t-max", "50", "--drawstyle", "steps", "-o", "s.png", "-q").code == 0
    bad = cli("plot", "cosine", "--t-max", "50", "--drawstyle", "stairs", "-o", "b.png")
    assert bad.code == 2
    assert bad.err == "Error: --drawstyle: expected one of auto, lines, steps, got 'stairs'\n"
    assert not (tmp_path / "b.png").exists()


def test_momentum_has_its_own_colour_dash_legend_entry_and_a_linear_axis_under_log_y():
    curves = _curves("onecycle", "--max-lr", "0.1", "--total-steps", "200")
    figure = render(curves, RenderOptions(log_y=True))
    ax, twin = figure.axes
    assert ax.get_yscale() == "log" and twin.get_yscale() == "linear"
    (momentum,) = twin.lines
    colour, dash = HYPERPARAMETER_STYLES["momentum"]
    assert momentum.get_color() == colour and colour not in PALETTE
    assert momentum.get_linestyle() == "--" and ax.lines[0].get_linestyle() == "-"
    assert "momentum" in _legend_texts(figure)


def test_milestone_marks_are_grey_with_a_legend_entry_and_an_owner_tick():
    curves = _curves("multistep", "--milestones", "30,60;50", "--gamma", "0.5", steps="100")
    figure = render(curves, RenderOptions(mark_milestones=True))
    ax = figure.axes[0]
    (events,) = [c for c in ax.collections if c.get_gid() == "lrviz-events"][:1]
    assert events.get_colors()[0][:3].tolist() == pytest.approx([0x8C / 255] * 3)
    assert max(events.get_linewidths()) < min(line.get_linewidth() for line in ax.lines)
    assert "schedule events" in _legend_texts(figure)
    owners = [c for c in ax.collections if c.get_gid() == "lrviz-mark-owner"]
    # each curve's marks carry a tick in that curve's colour, at its own steps
    assert [o.get_offsets()[:, 0].tolist() for o in owners] == [[30, 60], [50]]
    assert [o.get_facecolor()[0][:3].tolist() for o in owners] == [
        pytest.approx([int(PALETTE[k][i : i + 2], 16) / 255 for i in (1, 3, 5)]) for k in (0, 1)
    ]


def test_finding_marks_say_which_rule_and_whose():
    curves = _curves("cosine", "--t-max", "50,400", steps="400")
    marks = [(50, curves[0].label, "cosine-climbs-after-tmax"), (100, curves[0].label, "cosine-climbs-after-tmax")]
    figure = render(curves, marks=marks)
    ax = figure.axes[0]
    lines = [line for line in ax.lines if line.get_gid() == FINDING_GID]
    assert [line.get_xdata()[0] for line in lines] == [50, 100]
    assert all(line.get_color() == MARK_COLOR and line.get_linestyle() == ":" for line in lines)
    assert "check: cosine-climbs-after-tmax" in _legend_texts(figure)
    (owner,) = [c for c in ax.collections if c.get_gid() == "lrviz-mark-owner"]
    assert owner.get_offsets()[:, 0].tolist() == [50, 100]


def test_a_named_sweep_keeps_its_name_and_says_its_warmup():
    spec = spec_from_yaml_text(
        """
steps: 100
curves:
  - label: gamma sweep
    scheduler: {type: ExponentialLR, gamma: 0.98}
    sweep: {gamma: [0.9, 0.95]}
    warmup: {steps: 10}
  - scheduler: {type: StepLR, step_size: 30}
    label: mine
    warmup: {steps: 10}
""",
        "<test>",
    )
    names = figure_labels(simulate(spec), None)
    assert names.labels == ("gamma sweep: gamma=0.9 + warmup 10", "gamma sweep: gamma=0.95 + warmup 10", "mine")
