"""The `bound` score: a last-iterate bound of SGD on convex Lipschitz problems, as a function of the schedule.

Theorem 10 of Defazio et al. 2023 ("When, why and how much? Adaptive learning rate scheduling by
refinement", arXiv 2310.07831), as Schaipp et al. 2025 (arXiv 2501.18965) use it to rank LR
schedules, for the schedule's shape η_t = lr_t / base_lr, t = 0..T-1, distance D and gradient bound G:

    t1 = D² / (2 Σ η_t)
    t2 = G² Σ η_t² / (2 Σ η_t)
    t3 = ½ Σ_{k<T-1} (η_k / Σ_{t>k} η_t) · (G² Σ_{t≥k} η_t² / Σ_{t≥k} η_t)

The bound at base LR γ is t1/γ + γ(t2 + t3); its minimum, 2√(t1 (t2 + t3)), is at γ* = √(t1/(t2 + t3)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lrviz.errors import SpecError


@dataclass(frozen=True)
class BoundTerms:
    """The three terms of the bound for a schedule's shape (at base LR 1)."""

    t1: float
    t2: float
    t3: float

    @property
    def best_lr(self) -> float:
        """The base LR that minimises the bound."""
        return math.sqrt(self.t1 / (self.t2 + self.t3))

    @property
    def best_bound(self) -> float:
        """The bound at :attr:`best_lr`."""
        return 2 * math.sqrt(self.t1 * (self.t2 + self.t3))

    def at(self, base_lr: float) -> float:
        """The bound when the shape is scaled by `base_lr`."""
        return self.t1 / base_lr + base_lr * (self.t2 + self.t3)


def bound_terms(shape: np.ndarray, d: float = 1.0, g: float = 1.0) -> BoundTerms:
    """t1, t2, t3 of the refined bound for the LR shape `shape` (η_t, t = 0..T-1)."""
    eta = np.asarray(shape, dtype=np.float64)
    if eta.ndim != 1 or len(eta) < 1:
        raise SpecError("the bound needs at least one step", "steps")
    if not np.isfinite(eta).all() or (eta < 0).any():
        raise SpecError("the bound needs finite, non-negative learning rates", "scheduler")
    total = float(eta.sum())
    if total <= 0:
        raise SpecError("the schedule's learning rates sum to 0: no bound", "scheduler")
    squares = g * g * eta * eta
    t1 = d * d / (2 * total)
    t2 = float(squares.sum()) / (2 * total)
    from_k = np.cumsum(eta[::-1])[::-1]  # Σ_{t≥k} η_t
    squares_from_k = np.cumsum(squares[::-1])[::-1]  # G² Σ_{t≥k} η_t²
    after_k = from_k[:-1] - eta[:-1]  # Σ_{t>k} η_t, k < T-1
    eta_k, from_k, squares_from_k = eta[:-1], from_k[:-1], squares_from_k[:-1]
    if (after_k[eta_k > 0] <= 0).any():
        # η_k > 0 followed by nothing: the bound is infinite (the last step must carry some LR)
        return BoundTerms(t1, t2, math.inf)
    used = eta_k > 0  # a step with η_k = 0 adds nothing (0 · finite)
    t3 = 0.5 * float(np.sum(eta_k[used] / after_k[used] * (squares_from_k[used] / from_k[used])))
    return BoundTerms(t1, t2, t3)
