"""Draw and save a figure in a forked process, which imports matplotlib while this one imports torch.

``import torch`` (~1 s) and ``import matplotlib.figure`` plus drawing (~0.5 s) do not depend on
each other until the values exist. So `FigureWorker` forks before either import: the child
imports matplotlib, says how finely the figure will draw a curve, and lays out a throwaway
figure in the same style (fonts, mathtext, layout code loaded); the parent imports torch,
simulates, and sends the values: of a long curve only the envelope the figure draws (see
:mod:`lrviz.simulation.decimate`), not a copy of every value. The child draws and saves with
:mod:`lrviz.rendering.figure`, exactly the calls a single process makes, while the parent prints its
table. Elsewhere than on Linux, the same calls run in this process.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lrviz.simulation.parallel import can_fork as _can_fork  # one rule for every fork lrviz makes
from lrviz.simulation.parallel import fork_warning_silenced

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from lrviz.rendering.figure import FindingMark, RenderOptions
    from lrviz.simulation.stepping import Curve
    from lrviz.spec.model import CurveSpec, Spec


class FigureWorker:
    """``render(curves, options)`` then ``save_figure(..., output)``, in a child process when possible.

    ``send(curves)``, then ``result()``. Use as a context manager: leaving it before `send` (an
    error while simulating) ends the child without it writing anything.
    """

    def __init__(
        self,
        spec: Spec,
        output: str | Path,
        options: RenderOptions,
        panels: Sequence[tuple[str, int]] | None = None,
        enabled: bool = True,
    ) -> None:
        self.spec = spec
        self.output = output
        self.options = options
        self.panels = panels
        self.enabled = enabled  # False: no figure at all (--no-save); result() is None
        self.pid: int | None = None
        self.curves: list[Curve] = []
        self.marked_steps: list[FindingMark] = []
        self.connection: Connection | None = None
        if enabled and _can_fork():
            self._fork()

    def _fork(self) -> None:
        from multiprocessing import Pipe

        parent_end, child_end = Pipe()
        with fork_warning_silenced():
            pid = os.fork()
        if pid == 0:  # the child: never returns
            parent_end.close()
            _child(child_end, self.spec, self.output, self.options, self.panels)
        child_end.close()
        self.pid, self.connection = pid, parent_end

    def send(self, curves: Sequence[Curve], marked_steps: Sequence[FindingMark] = ()) -> None:
        """Hand `curves` over (and the steps `lrviz check` findings point at, to mark on the figure:
        a step, or (step, curve label, rule)): the child starts drawing while this process goes on."""
        self.curves = list(curves)
        self.marked_steps = [_mark(mark) for mark in marked_steps]
        if self.connection is None:
            return
        try:
            buckets = self.connection.recv()  # how finely the figure draws; None: send every value
            series = [_curve_series(curve, buckets, self.options.drawstyle) for curve in curves]
            layout = [[_describe(values) for values in curve_series] for curve_series in series]
            self.connection.send((layout, self.marked_steps))
            for curve_series in series:
                for values in curve_series:
                    for array in _arrays(values):
                        self.connection.send_bytes(memoryview(np.ascontiguousarray(array)).cast("B"))
        except (OSError, EOFError):  # the child is gone; result() says so
            pass

    def result(self) -> Path | None:
        """The saved figure's path, once it is written; the child's error is raised here, as in-process."""
        if not self.enabled:
            return None
        if self.connection is None:
            return draw_and_save(self.curves, self.output, self.options, self.panels, self.marked_steps)
        try:
            outcome, value = self.connection.recv()
        except (EOFError, OSError):
            outcome, value = "error", RuntimeError("the figure process ended without saving the figure")
        finally:
            self.close()
        if outcome == "error":
            raise value
        return Path(value)

    def close(self) -> None:
        """End the child (if it is still waiting, it exits without writing) and reap it."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.pid is not None:
            os.waitpid(self.pid, 0)
            self.pid = None

    def __enter__(self) -> FigureWorker:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def draw_and_save(
    curves: Sequence[Curve],
    output: str | Path,
    options: RenderOptions,
    panels: Sequence[tuple[str, int]] | None = None,
    marked_steps: Sequence[FindingMark] = (),
) -> Path:
    """The figure `lrviz plot` saves: `curves` drawn with `options`, `marked_steps` marked, saved to `output`."""
    from lrviz.rendering.figure import render_figure, save_figure

    return save_figure(render_figure(curves, options, panels, marked_steps), output)


def _mark(mark: FindingMark) -> FindingMark:
    """A finding's mark with plain types (it crosses the pipe to the figure process)."""
    if isinstance(mark, tuple):
        step, curve, rule = mark
        return int(step), str(curve), str(rule)
    return int(mark)


def _child(
    connection: Connection,
    spec: Spec,
    output: str | Path,
    options: RenderOptions,
    panels: Sequence[tuple[str, int]] | None,
) -> None:
    """Import matplotlib, get ready, wait for the values, draw, save, report; then exit, whatever happens."""
    code = 0
    try:
        connection.send(_buckets(output, options, panels))
        _warm_up(options)  # while the parent simulates, or prints its table
        try:
            layout, marked_steps = connection.recv()
        except EOFError:  # the parent failed before simulating: nothing to draw
            return
        curves = [_received_curve(connection, curve, series) for curve, series in zip(spec.curves, layout, strict=True)]
        try:
            result: tuple[str, Any] = ("ok", str(draw_and_save(curves, output, options, panels, marked_steps)))
        except Exception as exc:  # noqa: BLE001 - handed to the parent, which reports it as usual
            result = ("error", exc if _picklable(exc) else RuntimeError(f"{type(exc).__name__}: {exc}"))
        connection.send(result)
    except BaseException:  # noqa: BLE001 - a child must not run the parent's code after this
        code = 1
    finally:
        os._exit(code)


def _buckets(output: str | Path, options: RenderOptions, panels: Sequence[tuple[str, int]] | None) -> int | None:
    """Import what drawing needs; the buckets a long curve is drawn in (None: the figure needs
    every value, to find events, or the style is bad and drawing will say so in the parent's words)."""
    from lrviz.rendering.figure import figure_buckets

    backend = {".png": "agg", ".svg": "svg", ".pdf": "pdf"}.get(Path(output).suffix.lower())
    if backend:  # the module savefig would import for this format
        importlib.import_module(f"matplotlib.backends.backend_{backend}")
    if options.mark_milestones:  # the events are found in every value
        return None
    try:
        return figure_buckets(options, None if panels is None else len(panels))
    except Exception:  # noqa: BLE001
        return None


def _warm_up(options: RenderOptions) -> None:
    """Load the fonts and layout code the figure will need (see lrviz.rendering.figure.warm_up)."""
    from lrviz.rendering.figure import warm_up

    with contextlib.suppress(Exception):  # a bad style: drawing raises it again, in the parent
        warm_up(options)


def _curve_series(curve: Curve, buckets: int | None, mode: str = "auto") -> list[Any]:
    """The series of `curve` the figure draws, in this order: each param group's LR, the momentum,
    the metric (None when absent); of a long one, only its envelope for `buckets`, made for the
    drawstyle the figure chooses from every value (`mode`: see lrviz.rendering.figure.series_drawstyle)."""
    from lrviz.rendering.figure import series_drawstyle
    from lrviz.simulation.decimate import thinned

    def reduced(values: np.ndarray | None, drawstyle: str | None = None) -> Any:
        if values is None or buckets is None:
            return values
        return thinned(values, buckets, drawstyle or series_drawstyle(values, mode))

    rows = [reduced(row) for row in curve.group_lr]
    return [*rows, reduced(curve.momentum), reduced(curve.metric, "default")]


def _describe(values: Any) -> tuple | None:
    """What the child needs to receive `values`: ("array", length) or ("drawn", fields...)."""
    from lrviz.simulation.decimate import DrawnSeries

    if values is None:
        return None
    if isinstance(values, DrawnSeries):
        return ("drawn", len(values.x), values.drawstyle, values.requested, values.buckets, values.length)
    return ("array", len(values))


def _arrays(values: Any) -> list[np.ndarray]:
    from lrviz.simulation.decimate import DrawnSeries

    if values is None:
        return []
    if isinstance(values, DrawnSeries):
        return [values.x.astype(np.int64, copy=False), values.y]
    return [values]


def _received(connection: Connection, description: tuple | None) -> Any:
    from lrviz.simulation.decimate import DrawnSeries

    if description is None:
        return None
    if description[0] == "array":
        return np.frombuffer(connection.recv_bytes(), dtype=np.float64)
    _, points, drawstyle, requested, buckets, length = description
    x = np.frombuffer(connection.recv_bytes(), dtype=np.int64)
    y = np.frombuffer(connection.recv_bytes(), dtype=np.float64)
    if not len(x) == len(y) == points:
        raise RuntimeError(f"the figure process received {len(x)} and {len(y)} of {points} points")
    return DrawnSeries(x, y, drawstyle, requested, buckets, length)


def _received_curve(connection: Connection, spec: CurveSpec, layout: list[tuple | None]) -> Curve:
    """The Curve the parent sent: its arrays, or of a long curve the points the figure draws."""
    from lrviz.simulation.stepping import Curve

    *rows, momentum, metric = [_received(connection, description) for description in layout]
    arrays = all(isinstance(row, np.ndarray) for row in rows)
    group_lr: Any = (rows[0][np.newaxis] if len(rows) == 1 else np.stack(rows)) if arrays else rows
    return Curve.from_arrays(spec, group_lr, momentum, metric)


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return False
    return True
