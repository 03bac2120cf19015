"""The `law` score: the loss curve a published law predicts from the LR schedule.

The Multi-Power Law of Luo et al. 2025 ("A Multi-Power Law for Loss Curve Prediction Across
Learning Rate Schedules", arXiv 2503.12811), for the LRs η_0..η_{T-1} and S(t) = Σ_{τ≤t} η_τ:

    L(t) = L0 + A·S(t)^(−α) + B·Σ_{k=1..t} (η_k − η_{k−1})·(1 − (1 + C·η_k^(−γ)·(S(t) − S(k−1)))^(−β))

The authors fitted the seven constants on 24,000-step runs of 25M, 100M and 400M-parameter
language models with peak LR 3e-4; the law is only as good as its fit, and far from those runs
(other models, other LR ranges) its numbers mean little. ``fit_law`` fits the constants to one's own
loss curves with scipy instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lrviz.errors import SpecError

PARAMETER_NAMES = ("L0", "A", "alpha", "B", "C", "beta", "gamma")


@dataclass(frozen=True)
class MultiPowerLaw:
    """The seven constants [L0, A, α, B, C, β, γ] and where they came from."""

    L0: float
    A: float
    alpha: float
    B: float
    C: float
    beta: float
    gamma: float
    source: str = ""

    @property
    def constants(self) -> tuple[float, ...]:
        return (self.L0, self.A, self.alpha, self.B, self.C, self.beta, self.gamma)

    def predict(self, lr: np.ndarray, at: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """L(t) for every t in `at` (default: every step) of the LR schedule `lr`."""
        return predict_loss(self.constants, lr, at)


PUBLISHED_LAWS = {
    "mpl-25m": MultiPowerLaw(
        3.04045406,
        0.52468604,
        0.50786857,
        363.78751622,
        2.06560812,
        0.58279013,
        0.64142257,
        "Multi-Power Law, 25M model (Luo et al. 2025, arXiv 2503.12811)",
    ),
    "mpl-100m": MultiPowerLaw(
        2.6514477,
        0.60115152,
        0.45295811,
        437.9464276,
        2.13245612,
        0.59785199,
        0.65523644,
        "Multi-Power Law, 100M model (Luo et al. 2025, arXiv 2503.12811)",
    ),
    "mpl-400m": MultiPowerLaw(
        2.37474466,
        0.65421216,
        0.42878731,
        523.42464371,
        2.02462735,
        0.59350493,
        0.63472457,
        "Multi-Power Law, 400M model (Luo et al. 2025, arXiv 2503.12811)",
    ),
}
LAW_NOTE = (
    "the law is only as good as its fit: the published constants come from 24,000-step language-model "
    "runs at peak LR 3e-4; fit it to your own losses with --law-fit"
)


def published_law(name: str, where: str = "--law") -> MultiPowerLaw:
    """One of :data:`PUBLISHED_LAWS` by name (case-insensitive)."""
    from lrviz.schedules import pytorch as registry

    key = name.strip().lower()
    if key not in PUBLISHED_LAWS:
        hint = registry.suggest(key, list(PUBLISHED_LAWS))
        raise SpecError(f"unknown law {name!r}{hint} (expected one of {', '.join(PUBLISHED_LAWS)})", where)
    return PUBLISHED_LAWS[key]


def predict_loss(
    constants: Sequence[float], lr: np.ndarray, at: Sequence[int] | np.ndarray | None = None
) -> np.ndarray:
    """The Multi-Power Law's L(t) at the steps `at` for the LRs `lr` (see the module's formula)."""
    l0, a, alpha, b, c, beta, gamma = (float(x) for x in constants)
    eta = np.asarray(lr, dtype=np.float64)
    if eta.ndim != 1 or not len(eta):
        raise SpecError("the law needs at least one step", "steps")
    if not np.isfinite(eta).all() or (eta < 0).any():
        raise SpecError("the Multi-Power Law needs finite, non-negative learning rates", "scheduler")
    steps = np.arange(len(eta)) if at is None else np.asarray(at, dtype=np.intp)
    cumulative = np.cumsum(eta)  # S(t)
    if cumulative[-1] <= 0:
        raise SpecError("the learning rates sum to 0: the law predicts nothing", "scheduler")
    with np.errstate(divide="ignore", invalid="ignore"):
        # S(t) = 0 (a warmup from exactly 0) predicts an infinite loss there, as the formula says
        loss = l0 + a * cumulative[steps] ** (-alpha)
        # only steps where the LR changes add to the sum: a few for step schedules, every step for cosine
        changed = np.flatnonzero(np.diff(eta)) + 1  # k >= 1 with η_k != η_{k-1}
        if len(changed):
            jumps = eta[changed] - eta[changed - 1]
            # η_k = 0: C·η_k^(−γ)·(S(t) − S(k−1)) is infinite once S(t) > S(k−1), so the bracket is 1
            scale = np.where(eta[changed] > 0, c * eta[changed] ** (-gamma), np.inf)
            loss += b * _drops(cumulative, steps, changed, jumps, scale, beta)
    return loss


def _drops(
    cumulative: np.ndarray, steps: np.ndarray, changed: np.ndarray, jumps: np.ndarray, scale: np.ndarray, beta: float
) -> np.ndarray:
    """Σ_k (η_k − η_{k−1})·(1 − (1 + C·η_k^(−γ)·(S(t) − S(k−1)))^(−β)) for each t of `steps`, over the
    LR changes k, in blocks of at most _BLOCK elements (bounded memory for any length)."""
    total = np.zeros(len(steps))
    columns = min(len(changed), _BLOCK)
    rows = max(1, _BLOCK // columns)
    before = cumulative[changed - 1]  # S(k-1)
    for first_row in range(0, len(steps), rows):
        chunk = steps[first_row : first_row + rows]
        for first in range(0, len(changed), columns):
            block = slice(first, first + columns)
            since = cumulative[chunk, None] - before[None, block]  # S(t) - S(k-1)
            # 0 where k > t, and where nothing has accumulated since k: those brackets are 1 - 1 = 0
            valid = (changed[None, block] <= chunk[:, None]) & (since > 0)
            x = np.where(valid, scale[None, block] * np.where(valid, since, 0.0), 0.0)
            total[first_row : first_row + rows] += (jumps[None, block] * (1 - (1 + x) ** (-beta))).sum(axis=1)
    return total


_BLOCK = 1 << 18  # elements per block of the (steps x changes) array: a few MB whatever the length


def fit_law(runs: Sequence[tuple[np.ndarray, np.ndarray]], where: str = "--law-fit") -> MultiPowerLaw:
    """The Multi-Power Law fitted (scipy least squares, from the 400M constants) to (lr, loss) runs."""
    from scipy.optimize import least_squares

    start = np.array(PUBLISHED_LAWS["mpl-400m"].constants)
    samples = [(lr, loss, _fit_steps(len(lr))) for lr, loss in runs]

    def residuals(log_constants: np.ndarray) -> np.ndarray:
        constants = np.exp(log_constants)
        parts = [predict_loss(constants, lr, at) - loss[at] for lr, loss, at in samples]
        return np.concatenate(parts)

    # in logs: every constant is positive, and they span five orders of magnitude
    solution = least_squares(residuals, np.log(start), method="trf", x_scale="jac", max_nfev=400)
    if not np.isfinite(solution.x).all():
        raise SpecError("the Multi-Power Law could not be fitted to these losses", where)
    constants = np.exp(solution.x)
    total = sum(len(lr) for lr, _ in runs)
    return MultiPowerLaw(*constants, source=f"Multi-Power Law fitted to {len(runs)} run(s), {total} steps")


def _fit_steps(count: int, most: int = 200) -> np.ndarray:
    """At most `most` steps spread over a run (every step would make the fit slow, not better)."""
    return np.unique(np.linspace(0, count - 1, min(count, most)).round().astype(np.intp))


def read_loss_runs(path: str, where: str = "--law-fit") -> list[tuple[np.ndarray, np.ndarray]]:
    """(lr, loss) runs from a CSV with `lr` and `loss` columns, one row per step, and an optional
    `run` column that separates several runs (rows of a run in step order)."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read {path!r}: {getattr(exc, 'strerror', None) or exc}", where) from None
    if not rows:
        raise SpecError(f"{path!r} is empty", where)
    header = [cell.strip().lower() for cell in rows[0]]
    for column in ("lr", "loss"):
        if column not in header:
            raise SpecError(f"no {column!r} column (its columns: {', '.join(header) or 'none'})", f"{path}:1")
    runs: dict[str, tuple[list[float], list[float]]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, row, strict=False))
        run = cells.get("run", "").strip()
        values = [_positive(cells.get(column, ""), f"{path}:{line}: {column}") for column in ("lr", "loss")]
        runs.setdefault(run, ([], []))
        runs[run][0].append(values[0])
        runs[run][1].append(values[1])
    if not runs or any(len(lr) < 8 for lr, _ in runs.values()):
        raise SpecError("each run needs at least 8 rows (steps) to fit 7 constants", where)
    return [(np.array(lr), np.array(loss)) for lr, loss in runs.values()]


def _positive(text: str, where: str) -> float:
    from lrviz.spec.model import parse_float

    value = parse_float(text, where)
    if value <= 0:
        raise SpecError(f"must be positive, got {text.strip()}", where)
    return value
