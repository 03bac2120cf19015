"""How a candidate is scored: the Score record, and the `bound` and `law` scorers.

A scorer is a small picklable object with ``evaluate(curve, report) -> Score``; `report(step, loss)`
hands an intermediate loss to the search (for pruning) and returns True when the candidate should
stop. Lower scores are better. The `train` scorers live in :mod:`lrviz.search.train`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lrviz.search.bound import bound_terms
from lrviz.search.law import LAW_NOTE, MultiPowerLaw
from lrviz.spec.model import CurveSpec

Report = Callable[[int, float], bool]
"""report(step, loss) -> stop: an intermediate loss, and whether the search prunes the candidate."""

OK, DIVERGED, PRUNED, FAILED = "ok", "diverged", "pruned", "failed"
STATUS_ORDER = {OK: 0, PRUNED: 1, DIVERGED: 2, FAILED: 3}  # how statuses rank: ok first, failed last
LOSS_POINTS = 200  # points of a predicted loss curve kept for the figure
LAW_TERMS = 20_000_000  # terms of the law's sum one candidate's curve may take (about a second)


@dataclass(frozen=True)
class Score:
    """A candidate's score (lower is better) and what it was computed from."""

    value: float | None
    status: str = OK
    best_lr: float | None = None
    loss_steps: tuple[int, ...] = ()
    loss: tuple[float, ...] = ()
    message: str | None = None
    extra: dict[str, float] = field(default_factory=dict)


def warm_simulation() -> None:
    """Import torch and step one scheduler, so the first candidate's seconds are its own."""
    from lrviz.simulation.stepping import simulate_curve
    from lrviz.spec.model import spec_for

    simulate_curve(spec_for("step", step_size=1, steps=2).curves[0])


def _simulated_lr(curve: CurveSpec) -> np.ndarray:
    from lrviz.simulation.stepping import require_finite, simulate_curve

    return require_finite(simulate_curve(curve)).lr


@dataclass(frozen=True)
class BoundScorer:
    """The refined last-iterate bound (:mod:`lrviz.search.bound`) of the candidate's shape."""

    d: float = 1.0
    g: float = 1.0
    fixed_lr: bool = False  # score at the spec's own LR rather than at the best one
    name: str = "bound"
    parallel: bool = False
    note: str | None = None

    def prepare(self) -> None:
        """Start-up before the first candidate."""
        warm_simulation()

    def evaluate(self, curve: CurveSpec, report: Report | None = None) -> Score:
        """The bound at the best base LR (or at the spec's LR with `fixed_lr`)."""
        lr = _simulated_lr(curve)
        terms = bound_terms(lr / curve.lr, self.d, self.g)
        value = terms.at(curve.lr) if self.fixed_lr else terms.best_bound
        return Score(value, best_lr=terms.best_lr, extra={"t1": terms.t1, "t2": terms.t2, "t3": terms.t3})


@dataclass(frozen=True)
class LawScorer:
    """The loss a loss-curve law predicts at the last step."""

    law: MultiPowerLaw
    name: str = "law"
    parallel: bool = False

    @property
    def note(self) -> str:
        return f"{self.law.source}; {LAW_NOTE}"

    def prepare(self) -> None:
        """Start-up before the first candidate."""
        warm_simulation()

    def evaluate(self, curve: CurveSpec, report: Report | None = None) -> Score:
        """The predicted final loss, and the predicted curve at up to LOSS_POINTS steps."""
        lr = _simulated_lr(curve)
        # each point costs one term per LR change: fewer points for a long schedule that changes every step
        changes = int(np.count_nonzero(np.diff(lr))) + 1
        points = max(2, min(len(lr), LOSS_POINTS, LAW_TERMS // changes))
        steps = np.unique(np.linspace(0, len(lr) - 1, points).round().astype(np.intp))
        loss = self.law.predict(lr, steps)
        return Score(float(loss[-1]), loss_steps=tuple(int(s) for s in steps), loss=tuple(float(x) for x in loss))
