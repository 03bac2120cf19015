"""Figures: the plotted data read back from the Figure, the style, and deterministic files."""

from __future__ import annotations

import numpy as np
from conftest import torch_lrs

from lrviz.rendering.figure import PALETTE, RenderOptions, render, save_figure
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens


def _curves(*tokens, **flags):
    return simulate(spec_from_tokens(list(tokens), CurveFlags(**flags)))


def test_plotted_lines_are_the_simulated_values():
    figure = render(_curves("exp", "--gamma", "0.9,0.95,0.98", steps="400"))
    (ax,) = figure.axes
    assert [line.get_label() for line in ax.lines] == ["gamma=0.9", "gamma=0.95", "gamma=0.98"]
    for line, gamma in zip(ax.lines, (0.9, 0.95, 0.98), strict=True):
        assert line.get_ydata().tolist() == torch_lrs("ExponentialLR", 400, gamma=gamma)
        assert line.get_xdata().tolist() == list(range(400))
        assert line.get_drawstyle() == "default"  # a value every step: a line through the values
    assert [line.get_color().lower() for line in ax.lines] == [c.lower() for c in PALETTE[:3]]
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "learning rate"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["gamma=0.9", "gamma=0.95", "gamma=0.98"]
    assert ax.xaxis._major_tick_kw.get("gridOn", True)


def test_single_curve_has_title_and_no_legend():
    figure = render(_curves("cosine", "--t-max", "150"))
    (ax,) = figure.axes
    assert ax.get_legend() is None
    assert ax.get_title() == "CosineAnnealingLR(T_max=150)"


def test_log_y_and_momentum_axis():
    figure = render(_curves("onecycle", "--max-lr", "0.1", "--total-steps", "100"), RenderOptions(log_y=True))
    ax, twin = figure.axes
    assert ax.get_yscale() == "log"
    _, moms = torch_lrs("OneCycleLR", 100, momentum=True, max_lr=0.1, total_steps=100)
    assert twin.lines[0].get_ydata().tolist() == moms
    assert twin.get_ylabel() == "momentum"


def test_many_curves_cycle_colours_then_linestyles():
    figure = render(_curves("exp", "--gamma", ",".join(str(0.5 + i / 40) for i in range(10)), steps="10"))
    styles = {(line.get_color(), line.get_linestyle()) for line in figure.axes[0].lines}
    assert len(styles) == 10


def test_saved_svg_and_pdf_are_byte_identical_across_runs(tmp_path):
    for suffix in (".svg", ".pdf", ".png"):
        first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        save_figure(render(_curves("cosine", "--t-max", "50")), first)
        save_figure(render(_curves("cosine", "--t-max", "50")), second)
        assert first.read_bytes() == second.read_bytes(), suffix


def test_png_pixels_show_the_curve(tmp_path):
    from PIL import Image

    path = save_figure(render(_curves("step", "--step-size", "10", steps="40")), tmp_path / "s.png")
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    blue = np.array([0x00, 0x72, 0xB2])
    assert (np.abs(pixels.astype(int) - blue).sum(axis=1) < 40).sum() > 200  # the line is drawn
