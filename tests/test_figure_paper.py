"""Figures for papers: exact canvas, styles, byte-identical re-renders, axes that tell the story."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import torch_lrs

from lrviz.errors import SpecError
from lrviz.rendering.figure import RenderOptions, render, save_figure
from lrviz.rendering.styles import DARK_PALETTE
from lrviz.schedules.pytorch.events import Event, schedule_events
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens
from lrviz.spec.yamlfile import spec_from_yaml_text


def _curves(*tokens, **flags):
    return simulate(spec_from_tokens(list(tokens), CurveFlags(**flags)))


@pytest.mark.parametrize("style", [None, "paper", "slides", "dark"])
def test_width_height_dpi_give_exactly_that_canvas(tmp_path, style):
    from PIL import Image

    figure = render(_curves("cosine", "--t-max", "50"), RenderOptions(style=style, width=3.5, height=2.5, dpi=300))
    path = save_figure(figure, tmp_path / "f.png")
    with Image.open(path) as image:
        assert image.size == (1050, 750)


def test_paper_preset_is_a_one_column_serif_figure(tmp_path):
    from PIL import Image

    figure = render(_curves("cosine", "--t-max", "50"), RenderOptions(style="paper"))
    assert tuple(figure.get_size_inches()) == (3.5, 2.5)
    ax = figure.axes[0]
    label = ax.xaxis.label
    assert label.get_fontfamily() == ["serif"]
    assert 8 <= label.get_fontsize() <= 9
    assert all(8 <= tick.get_fontsize() <= 9 for tick in ax.get_xticklabels())
    with Image.open(save_figure(figure, tmp_path / "p.png")) as image:
        assert image.size == (1050, 750)  # the preset's 300 dpi


def test_dark_preset_draws_light_curves_on_dark_background():
    figure = render(_curves("exp", "--gamma", "0.9,0.95", steps="20"), RenderOptions(style="dark"))
    ax = figure.axes[0]
    assert [line.get_color() for line in ax.lines] == list(DARK_PALETTE[:2])
    assert figure.get_facecolor()[:3] == pytest.approx((0x1E / 255,) * 3)


def test_style_file_is_applied_and_its_colour_cycle_used(tmp_path):
    style = tmp_path / "mine.mplstyle"
    style.write_text("font.size: 7\naxes.prop_cycle: cycler('color', ['123456', '654321'])\nlines.linewidth: 3\n")
    figure = render(_curves("exp", "--gamma", "0.9,0.95", steps="20"), RenderOptions(style=str(style)))
    ax = figure.axes[0]
    assert [line.get_color() for line in ax.lines] == ["#123456", "#654321"]
    assert ax.lines[0].get_linewidth() == 3
    assert ax.get_xticklabels()[0].get_fontsize() == 7


def test_bad_style_file_is_one_error_naming_the_flag(tmp_path):
    style = tmp_path / "bad.mplstyle"
    style.write_text("lines.linewidht: 3\n")
    with pytest.raises(SpecError, match=r"^--style: in style file .*lines.linewidht"):
        render(_curves("cosine", "--t-max", "5"), RenderOptions(style=str(style)))


@pytest.mark.parametrize("style", [None, "paper", "slides", "dark"])
@pytest.mark.parametrize("suffix", [".svg", ".pdf", ".png"])
def test_re_renders_are_byte_identical_for_every_style(tmp_path, style, suffix):
    def draw(name):
        curves = _curves("onecycle", "--max-lr", "0.1", "--total-steps", "100")
        options = RenderOptions(style=style, mark_milestones=True, annotate_final=True, steps_per_epoch=10)
        return save_figure(render(curves, options), tmp_path / f"{name}{suffix}").read_bytes()

    assert draw("a") == draw("b")


def test_svg_has_no_date_and_pdf_no_creation_date(tmp_path):
    curves = _curves("cosine", "--t-max", "20")
    svg = save_figure(render(curves, RenderOptions(style="paper")), tmp_path / "a.svg").read_bytes()
    pdf = save_figure(render(curves, RenderOptions(style="paper")), tmp_path / "a.pdf").read_bytes()
    assert b"<dc:date>" not in svg
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf


def test_steps_per_epoch_adds_an_epoch_axis_on_top():
    figure = render(_curves("cosine", "--t-max", "100"), RenderOptions(steps_per_epoch=10))
    ax = figure.axes[0]
    assert ax.get_xlabel() == "step"
    (top,) = ax.child_axes
    assert top.get_xlabel() == "epoch (10 steps)"
    assert ax.lines[0].get_xdata().tolist() == list(range(100))


def test_x_unit_epoch_plots_epochs_with_steps_on_top():
    figure = render(_curves("cosine", "--t-max", "100"), RenderOptions(steps_per_epoch=10, x_unit="epoch"))
    ax = figure.axes[0]
    assert ax.get_xlabel() == "epoch"
    assert ax.lines[0].get_xdata().tolist() == pytest.approx([k / 10 for k in range(100)])
    assert ax.lines[0].get_ydata().tolist() == torch_lrs("CosineAnnealingLR", 100, T_max=100)
    assert ax.child_axes[0].get_xlabel() == "step"


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        (RenderOptions(x_unit="epoch"), "x_unit"),
        (RenderOptions(x_unit="hours"), "x_unit"),
        (RenderOptions(momentum_layout="side"), "momentum_layout"),
        (RenderOptions(steps_per_epoch=0), "steps_per_epoch"),
    ],
)
def test_bad_render_options_name_their_key(options, flag):
    with pytest.raises(SpecError) as error:
        render(_curves("cosine", "--t-max", "5"), options)
    assert error.value.where == flag


def test_momentum_panel_puts_momentum_below():
    curves = _curves("onecycle", "--max-lr", "0.1", "--total-steps", "100")
    figure = render(curves, RenderOptions(momentum_layout="panel"))
    top, bottom = figure.axes
    _, moms = torch_lrs("OneCycleLR", 100, momentum=True, max_lr=0.1, total_steps=100)
    assert bottom.get_ylabel() == "momentum" and bottom.lines[0].get_ydata().tolist() == moms
    assert len(top.lines) == 1 and top.get_ylabel() == "learning rate"
    assert bottom.get_position().y1 <= top.get_position().y0
    assert len(render(curves, RenderOptions(momentum_layout="off")).axes) == 1


def test_momentum_panel_in_a_given_axes_falls_back_to_a_secondary_axis():
    from matplotlib.figure import Figure

    figure = Figure()
    ax = figure.add_subplot()
    render(_curves("onecycle", "--max-lr", "0.1", "--total-steps", "50"), RenderOptions(momentum_layout="panel"), ax=ax)
    assert [a.get_ylabel() for a in figure.axes] == ["learning rate", "momentum"]


def _event_xs(ax):
    segments = [c for c in ax.collections if c.get_gid() == "lrviz-events"]
    return sorted(float(seg[0][0]) for c in segments for seg in c.get_segments())


def test_mark_milestones_multistep_and_warmup():
    curves = _curves("multistep", "--milestones", "30,60", "--gamma", "0.5", steps="100", warmup_steps="10")
    assert schedule_events(curves[0]) == [Event(10, "warmup end"), Event(30, "×0.5"), Event(60, "×0.5")]
    ax = render(curves, RenderOptions(mark_milestones=True)).axes[0]
    assert _event_xs(ax) == [10, 30, 60]
    assert [t.get_text().strip() for t in ax.texts if t.get_gid() == "lrviz-event-label"] == [
        "warmup end",
        "×0.5",
        "×0.5",
    ]
    assert len(ax.lines) == 1  # the marks are not lines: ax.lines stays the curves


def test_mark_milestones_steplr_and_sgdr_restarts_and_onecycle_peak():
    (step,) = _curves("step", "--step-size", "25", steps="100")
    assert [e.step for e in schedule_events(step)] == [25, 50, 75]
    (sgdr,) = _curves("sgdr", "--t-0", "10", "--t-mult", "2", steps="100")
    assert [e for e in schedule_events(sgdr)] == [Event(10, "restart"), Event(30, "restart"), Event(70, "restart")]
    # restarts come from the curve: each is where torch's LR jumps back up
    assert all(sgdr.lr[e.step] > sgdr.lr[e.step - 1] for e in schedule_events(sgdr))
    (onecycle,) = _curves("onecycle", "--max-lr", "0.1", "--total-steps", "100")
    (peak,) = schedule_events(onecycle)
    assert peak.label == "peak" and onecycle.lr[peak.step] == onecycle.lr.max()


def test_mark_milestones_sequential_switches_and_nested_milestones():
    spec = spec_from_yaml_text(
        """
steps: 100
scheduler:
  type: SequentialLR
  milestones: [10]
  schedulers:
    - {type: LinearLR, start_factor: 0.1, total_iters: 10}
    - {type: MultiStepLR, milestones: [40], gamma: 0.5}
""",
        "seq.yaml",
    )
    (curve,) = simulate(spec)
    events = schedule_events(curve)
    assert events == [Event(10, "→ MultiStepLR"), Event(50, "×0.5")]
    assert curve.lr[50] == pytest.approx(curve.lr[49] * 0.5)  # the nested milestone is where torch decays


def test_annotate_final_writes_the_last_lr():
    curves = _curves("exp", "--gamma", "0.9,0.95", steps="50")
    ax = render(curves, RenderOptions(annotate_final=True)).axes[0]
    notes = [t for t in ax.texts if t.get_gid() == "lrviz-final"]
    assert [n.get_text() for n in notes] == [f"{curves[0].lr[-1]:.4g}", f"{curves[1].lr[-1]:.4g}"]
    assert notes[0].xy == (49, curves[0].lr[-1])


def test_yaml_style_key_sets_the_figure(tmp_path):
    spec = spec_from_yaml_text(
        "style: {use: [paper, dark], width: 3, height: 2, dpi: 200}\nscheduler: {type: cosine, T_max: 10}\n",
        str(tmp_path / "s.yaml"),
    )
    assert spec.figure.style == ("paper", "dark")
    assert (spec.figure.width, spec.figure.height, spec.figure.dpi) == (3.0, 2.0, 200.0)
    assert spec_from_yaml_text("style: slides\nscheduler: {type: cosine, T_max: 10}\n", "t.yaml").figure.style == (
        "slides",
    )


def test_yaml_style_file_is_relative_to_the_spec(tmp_path):
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "a.mplstyle").write_text("font.size: 7\n")
    spec = spec_from_yaml_text(
        "style: styles/a.mplstyle\nscheduler: {type: cosine, T_max: 10}\n", str(tmp_path / "s.yaml")
    )
    assert spec.figure.style == (str(tmp_path / "styles" / "a.mplstyle"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("style: papr\n", "s.yaml:1: style: unknown style 'papr'; did you mean 'paper'?"),
        ("style: {use: paper, widht: 3}\n", "s.yaml:1: style.widht: unknown style key 'widht'; did you mean 'width'?"),
        ("style: {dpi: 0}\n", "s.yaml:1: style.dpi: must be positive, got 0"),
        ("style: missing.mplstyle\n", "s.yaml:1: style: no such style file 'missing.mplstyle'"),
    ],
)
def test_yaml_style_errors_name_file_line_and_key(text, message):
    with pytest.raises(SpecError) as error:
        spec_from_yaml_text(text + "scheduler: {type: cosine, T_max: 10}\n", "s.yaml")
    assert str(error.value).startswith(message)


def test_plot_api_draws_into_a_given_axes():
    from matplotlib.figure import Figure

    import lrviz

    figure = Figure()
    ax = figure.add_subplot()
    curves = lrviz.simulate(spec_from_tokens(["cosine", "--t-max", "20"], CurveFlags()))
    assert lrviz.plot(curves, ax=ax) is figure
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), curves[0].lr)
