"""`lrviz plot` draws in a forked process: the same bytes as drawing in-process, and the same errors."""

from __future__ import annotations

import pytest

from lrviz import figure_worker
from lrviz.errors import OutputError
from lrviz.figure import RenderOptions, render, save_figure
from lrviz.flags import CurveFlags, spec_from_tokens
from lrviz.simulation import simulate

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
