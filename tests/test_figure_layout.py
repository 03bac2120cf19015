"""Layout that cannot fail: after drawing, every text is inside the canvas, no legend covers a line
or a mark, and the axes keep at least 35 % of the canvas, for every config, style and canvas."""

from __future__ import annotations

import dataclasses
import functools
import shlex
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrviz.rendering.figure import RenderOptions, render, render_panels
from lrviz.rendering.layout import MIN_AXES_SHARE, drawn_texts, layout_problems
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens
from lrviz.spec.yamlfile import load_spec_file

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))
STYLES = [None, "paper", "slides", "dark", "paper,dark"]


def _config_curves(path: Path):
    spec = load_spec_file(str(path))
    return spec, simulate(spec)


@pytest.mark.parametrize("style", [None, "paper,dark"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.stem)
def test_every_config_lays_out_cleanly(config, style):
    spec, curves = _config_curves(config)
    figure = render(curves, RenderOptions(title=spec.title, style=style, mark_milestones=True))
    assert layout_problems(figure) == []


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(
    "name", ["four_strategies", "warmup_styles", "frameworks_warmup_cosine", "onecycle_momentum", "plateau"]
)
def test_crowded_configs_in_every_style(name, style):
    spec, curves = _config_curves(ROOT / "configs" / f"{name}.yaml")
    variants = [RenderOptions(title=spec.title, style=style, annotate_final=True, log_y=True)]
    if style and "paper" in style:  # the paper canvas, fixed with the flags too
        variants.append(RenderOptions(title=spec.title, style=style, width=3.3, height=2.2, mark_milestones=True))
    for options in variants:
        assert layout_problems(render(curves, options)) == [], options


README_PLOTS = [
    "cosine --t-max 150",
    "onecycle --max-lr 0.1 --total-steps 1000 --log-y",
    "step --step-size 30 --gamma 0.5,0.65,0.8 --steps 200",
    "multistep --milestones 50,75;30,60,90 --steps 100",
    "cosine --t-max 50,100 --eta-min 0,0.01 --steps 200",
    "multistep --milestones 100,150 --steps 200 --warmup-steps 10",
    "lambda --lr-lambda 0.95**epoch --steps 100",
]


def _flag_curves(command: str):
    tokens = shlex.split(command)
    steps = tokens.index("--steps") if "--steps" in tokens else None
    flags = {}
    if steps is not None:
        flags["steps"] = tokens[steps + 1]
        tokens = tokens[:steps] + tokens[steps + 2 :]
    if "--warmup-steps" in tokens:
        index = tokens.index("--warmup-steps")
        flags["warmup_steps"] = tokens[index + 1]
        tokens = tokens[:index] + tokens[index + 2 :]
    log_y = "--log-y" in tokens
    tokens = [t for t in tokens if t != "--log-y"]
    return simulate(spec_from_tokens(tokens, CurveFlags(**flags))), log_y


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("command", README_PLOTS)
def test_readme_plots_lay_out_cleanly(command, style):
    curves, log_y = _flag_curves(command)
    options = RenderOptions(style=style, log_y=log_y, mark_milestones=True, annotate_final=True, steps_per_epoch=50)
    assert layout_problems(render(curves, options)) == []


def test_compare_of_every_config_is_clean_overlaid_and_in_panels():
    groups = [(spec.title or "", curves) for spec, curves in map(_config_curves, CONFIGS)]
    every = [curve for _, curves in groups for curve in curves]
    assert layout_problems(render(every)) == []
    assert layout_problems(render_panels(groups)) == []


@functools.cache
def _sweep():
    """16 real ExponentialLR curves and a StepLR one, to relabel at will."""
    gammas = ",".join(f"{0.9 + k / 200:g}" for k in range(16))
    curves = simulate(spec_from_tokens(["exp", "--gamma", gammas], CurveFlags(steps="120")))
    return curves + simulate(spec_from_tokens(["step", "--step-size", "30"], CurveFlags(steps="120")))


def _relabelled(curves, labels):
    return [
        dataclasses.replace(curve, spec=dataclasses.replace(curve.spec, label=label, varied=()))
        for curve, label in zip(curves, labels, strict=False)
    ]


LABEL_TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters="$\\"),
    min_size=1,
    max_size=90,
).filter(lambda text: text.strip())


@settings(max_examples=25, deadline=None)
@given(
    labels=st.lists(LABEL_TEXT, min_size=1, max_size=17),
    title=st.none() | LABEL_TEXT,
    style=st.sampled_from(STYLES),
    canvas=st.sampled_from([None, (3.5, 2.5), (3.3, 2.0), (7.0, 3.0), (5.0, 5.0)]),
    log_y=st.booleans(),
)
def test_any_labels_title_style_and_canvas_lay_out_cleanly(labels, title, style, canvas, log_y):
    curves = _relabelled(_sweep(), labels)
    if style == "slides" and canvas is not None and canvas[0] < 5:
        canvas = (canvas[0] * 2, canvas[1] * 2)  # 16-18 pt text is for a slide, not a one-column canvas
    width, height = canvas or (None, None)
    options = RenderOptions(title=title, style=style, width=width, height=height, log_y=log_y)
    assert layout_problems(render(curves, options)) == []


def test_a_free_corner_keeps_the_legend_inside_and_off_the_lines():
    curves, _ = _flag_curves("exp --gamma 0.9,0.95,0.98 --steps 100")
    figure = render(curves)
    (ax,) = figure.axes
    legend = ax.get_legend()
    assert legend is not None and not figure.legends  # decaying curves leave the upper right free
    assert legend._loc == 1  # upper right
    assert layout_problems(figure) == []


def test_a_full_axes_sends_the_legend_outside_and_keeps_the_axes_big():
    spec, curves = _config_curves(ROOT / "configs" / "cosine_restarts.yaml")  # restarts fill every corner
    figure = render(curves, RenderOptions(title=spec.title))
    (ax,) = figure.axes
    assert ax.get_legend() is None and len(figure.legends) == 1
    legend_box = figure.legends[0].get_window_extent()
    assert legend_box.x0 >= ax.bbox.x1 or legend_box.y1 <= ax.bbox.y0  # right of or below the axes
    position = ax.get_position()
    assert position.width * position.height >= MIN_AXES_SHARE


def test_a_long_title_wraps_and_the_offset_text_joins_the_y_label():
    curves, _ = _flag_curves("exp --gamma 0.95 --steps 100")
    title = "A very long title that says everything about this schedule and then some more words " * 2
    small = [dataclasses.replace(c, lr=c.lr * 1e-4, group_lr=c.group_lr * 1e-4) for c in curves]
    figure = render(small, RenderOptions(title=title, style="paper"))
    (ax,) = figure.axes
    assert "\n" in ax.get_title()
    assert ax.get_ylabel().startswith(r"learning rate ($\times\mathdefault{10^{")  # ×10⁻⁵ beside its name
    assert not ax.yaxis.get_offset_text().get_visible()
    assert layout_problems(figure) == []
    texts = [t.get_text() for t in drawn_texts(figure)]
    assert ax.get_title() in texts


def test_many_curves_past_the_canvas_are_elided_not_clipped():
    sweep = _sweep()
    labels = [f"a rather long legend label number {k} for this curve" for k in range(len(sweep))]
    figure = render(_relabelled(sweep, labels), RenderOptions(width=3.3, height=2.0, style="paper"))
    assert layout_problems(figure) == []
    (legend,) = figure.legends
    shown = [text.get_text() for text in legend.get_texts()]
    assert any(text.startswith("… ") and text.endswith(" more") for text in shown)
    assert shown[0] == labels[0] and shown[-1] == labels[-1]  # the first and the last stay
