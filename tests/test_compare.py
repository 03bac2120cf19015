"""`lrviz compare`: every curve of every file, overlaid or one panel per file."""

from __future__ import annotations

import shutil
from pathlib import Path

from lrviz.rendering.figure import render, render_panels
from lrviz.simulation.stepping import simulate
from lrviz.spec.yamlfile import load_spec_file

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def test_overlay_has_every_curve_of_every_file():
    curves = simulate(load_spec_file(str(CONFIGS / "cosine_tmax.yaml"))) + simulate(
        load_spec_file(str(CONFIGS / "exponential_gamma.yaml"))
    )
    (ax,) = render(curves).axes
    assert [line.get_label() for line in ax.lines] == [c.label for c in curves]
    for line, curve in zip(ax.lines, curves, strict=True):
        assert line.get_ydata().tolist() == curve.lr.tolist()


def test_grid_has_one_panel_per_file_shared_axes_and_distinct_colours():
    first = simulate(load_spec_file(str(CONFIGS / "cosine_tmax.yaml")))  # 400 steps
    second = simulate(load_spec_file(str(CONFIGS / "step_gamma.yaml")))  # 200 steps
    figure = render_panels([("a", first), ("b", second)])
    left, right = figure.axes
    assert [ax.get_title() for ax in (left, right)] == ["a", "b"]
    # lengths differ: each panel spans its own steps (a shared x would leave half of one empty)
    assert not left.get_shared_x_axes().joined(left, right) and left.get_shared_y_axes().joined(left, right)
    assert right.get_xlim()[1] < 220 < left.get_xlim()[1]
    assert [line.get_ydata().tolist() for line in right.lines] == [c.lr.tolist() for c in second]
    colours = [line.get_color() for ax in (left, right) for line in ax.lines]
    assert len(set(colours)) == len(colours) == 6


def test_compare_cli_overlay_and_grid(cli, tmp_path):
    shutil.copytree(CONFIGS, tmp_path / "configs")
    result = cli("compare", "configs/cosine_tmax.yaml", "configs/exponential_gamma.yaml", "-o", "all.svg")
    assert result.code == 0, result.err
    assert (tmp_path / "all.svg").read_bytes().count(b'<g id="line2d_') >= 6
    for label in ("T_max=100", "T_max=400", "gamma=0.9", "gamma=0.98"):
        assert label in result.out
    grid = cli("compare", "configs/cosine_tmax.yaml", "configs/exponential_gamma.yaml", "--grid", "-o", "panels.png")
    assert grid.code == 0, grid.err and (tmp_path / "panels.png").stat().st_size > 0


def test_compare_rejects_names_and_flags(cli):
    assert cli("compare", "cosine").err == (
        "Error: cosine: expected a YAML spec file (.yaml); to plot a scheduler by name use `lrviz plot`\n"
    )
    assert cli("compare", "a.yaml", "--gamma", "3").err.startswith("Error: --gamma: unknown option for compare")


def test_grid_shares_x_when_lengths_agree_or_when_asked():
    from lrviz.rendering.figure import RenderOptions

    cosine = simulate(load_spec_file(str(CONFIGS / "cosine_tmax.yaml")))  # 400 steps
    strategies = simulate(load_spec_file(str(CONFIGS / "four_strategies.yaml")))  # 400 steps
    step = simulate(load_spec_file(str(CONFIGS / "step_gamma.yaml")))  # 200 steps
    left, right = render_panels([("a", cosine), ("b", strategies)]).axes
    assert left.get_shared_x_axes().joined(left, right)
    left, right = render_panels([("a", cosine), ("b", step)], RenderOptions(sharex=True)).axes
    assert left.get_shared_x_axes().joined(left, right)
    left, right = render_panels([("a", cosine), ("b", strategies)], RenderOptions(sharex=False)).axes
    assert not left.get_shared_x_axes().joined(left, right)


def test_compare_cli_sharex_flags_and_automatic_panels(cli, tmp_path):
    from lrviz.rendering.layout import PANEL_THRESHOLD, compare_panels

    shutil.copytree(CONFIGS, tmp_path / "configs")
    for flag in ("--sharex", "--no-sharex"):
        result = cli("compare", "configs/cosine_tmax.yaml", "configs/step_gamma.yaml", "--grid", flag, "-o", "g.png")
        assert result.code == 0, result.err
    specs = [load_spec_file(str(path)) for path in sorted(CONFIGS.glob("*.yaml"))]
    assert sum(len(spec.curves) for spec in specs) > PANEL_THRESHOLD
    panels = compare_panels(specs, False, [spec.title for spec in specs])
    assert panels == [(spec.title, len(spec.curves)) for spec in specs]
    assert compare_panels(specs[:2], False, ["a", "b"]) is None  # few curves: one axes
    assert compare_panels(specs[:2], True, ["a", "b"]) == [("a", len(specs[0].curves)), ("b", len(specs[1].curves))]
