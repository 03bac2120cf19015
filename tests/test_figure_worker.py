"""`lrviz plot` draws in a forked process: the same bytes as drawing in-process, and the same errors."""

from __future__ import annotations

import numpy as np
import pytest

from lrviz.errors import OutputError
from lrviz.rendering import worker as figure_worker
from lrviz.rendering.figure import RenderOptions, render, save_figure
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens

TOKENS = ["onecycle", "--max-lr", "0.1,0.2", "--total-steps", "300"]


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
@pytest.mark.parametrize("fork", [True, False], ids=["forked", "in-process"])
def test_plot_writes_the_bytes_render_and_save_figure_write(cli, tmp_path, monkeypatch, suffix, fork):
    if not fork:
        monkeypatch.setattr(figure_worker, "_can_fork", lambda: False)
    result = cli("plot", *TOKENS, "--log-y", "-o", f"cli{suffix}")
    assert result.code == 0, result.err
    spec = spec_from_tokens(TOKENS, CurveFlags())
    expected = save_figure(render(simulate(spec), RenderOptions(log_y=True)), tmp_path / f"direct{suffix}")
    assert (tmp_path / f"cli{suffix}").read_bytes() == expected.read_bytes()


def test_an_error_while_saving_is_raised_in_the_parent(tmp_path):
    spec = spec_from_tokens(["exp", "--gamma", "0.9"], CurveFlags(steps="10"))
    curves = simulate(spec)
    (tmp_path / "gone").mkdir()
    with figure_worker.FigureWorker(spec, tmp_path / "gone" / "x.png", RenderOptions()) as worker:
        (tmp_path / "gone").rmdir()  # the directory disappears while the child waits
        worker.send(curves)
        with pytest.raises(OutputError, match="cannot write"):
            worker.result()
    assert not (tmp_path / "gone").exists()


def test_leaving_before_sending_writes_nothing(tmp_path):
    spec = spec_from_tokens(["exp", "--gamma", "0.9"], CurveFlags(steps="10"))
    with figure_worker.FigureWorker(spec, tmp_path / "x.png", RenderOptions()):
        pass
    assert list(tmp_path.iterdir()) == []


LONG_CASES = {
    "momentum": ["onecycle", "--max-lr", "0.1", "--total-steps", "30000"],
    "step edges, two curves": ["step", "--step-size", "997", "--gamma", "0.5,0.9", "--steps", "25000"],
    "metric": ["plateau", "--patience", "300", "--steps", "20000", "--metric", "synthetic:1"],
}


@pytest.mark.parametrize(
    "extra", [[], ["--annotate-final"], ["--mark-milestones"], ["--width", "3", "--dpi", "300", "--momentum", "panel"]]
)
@pytest.mark.parametrize("case", list(LONG_CASES))
def test_long_curves_sent_as_envelopes_draw_the_bytes_of_the_full_curves(cli, tmp_path, monkeypatch, case, extra):
    args = ["plot", *LONG_CASES[case], *extra, "-o", "forked.svg"]
    forked = cli(*args)
    assert forked.code == 0, forked.err
    monkeypatch.setattr(figure_worker, "_can_fork", lambda: False)
    args[-1] = "in-process.svg"
    assert cli(*args).code == 0
    assert (tmp_path / "forked.svg").read_bytes() == (tmp_path / "in-process.svg").read_bytes()


def test_a_long_curve_is_sent_as_the_points_the_figure_draws():
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    from lrviz.rendering.figure import STYLE, figure_buckets, series_drawstyle
    from lrviz.simulation.decimate import DrawnSeries, drawn_points

    spec = spec_from_tokens(LONG_CASES["momentum"], CurveFlags())
    (curve,) = simulate(spec)
    buckets = figure_buckets(RenderOptions())
    lr, momentum, metric = figure_worker._curve_series(curve, buckets)
    assert isinstance(lr, DrawnSeries) and isinstance(momentum, DrawnSeries) and metric is None
    assert len(lr.x) < len(curve.lr) / 2 and len(lr) == len(curve.lr) and lr[-1] == curve.lr[-1]
    with rc_context(STYLE):  # the figure render() makes, and the points it draws of every value
        ax = Figure(figsize=STYLE["figure.figsize"]).add_subplot()
        for sent, full in ((lr, curve.lr), (momentum, curve.momentum)):
            assert sent.requested == series_drawstyle(full) == "default"  # a smooth cycle: a line
            x, y, drawstyle = drawn_points(ax, full, series_drawstyle(full))
            assert (sent.x.tolist(), sent.y.tolist(), sent.drawstyle) == (x.tolist(), y.tolist(), drawstyle)
            assert drawn_points(ax, sent, series_drawstyle(sent))[0] is sent.x
    short = simulate(spec_from_tokens(TOKENS, CurveFlags()))[0]
    assert all(series is None or isinstance(series, np.ndarray) for series in figure_worker._curve_series(short, buckets))
    # a figure of another size is a bug, never silent
    with pytest.raises(ValueError, match="thinned for"), rc_context(STYLE):
        drawn_points(Figure(figsize=(3, 2)).add_subplot(), lr, "default")


def test_compare_panels_of_long_curves_draw_the_same_bytes(cli, tmp_path, monkeypatch):
    for name, gamma in (("a", "0.5"), ("b", "0.8")):
        (tmp_path / f"{name}.yaml").write_text(
            f"steps: 20000\nscheduler: {{type: StepLR, step_size: 1999, gamma: {gamma}}}\n"
        )
    assert cli("compare", "a.yaml", "b.yaml", "--grid", "-o", "forked.png").code == 0
    monkeypatch.setattr(figure_worker, "_can_fork", lambda: False)
    assert cli("compare", "a.yaml", "b.yaml", "--grid", "-o", "in-process.png").code == 0
    assert (tmp_path / "forked.png").read_bytes() == (tmp_path / "in-process.png").read_bytes()
