"""The result of a search: every candidate with its score, ranked best first."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrviz.search.scores import OK, STATUS_ORDER
from lrviz.spec.model import CurveSpec

if TYPE_CHECKING:
    from lrviz.simulation.stepping import Curve


@dataclass(frozen=True)
class CandidateResult:
    """One scored candidate."""

    curve: CurveSpec
    score: float | None
    status: str = OK  # ok | pruned | diverged | failed
    best_lr: float | None = None
    varied: tuple[tuple[str, Any], ...] = ()
    seconds: float = 0.0
    loss_steps: tuple[int, ...] = ()
    loss: tuple[float, ...] = ()
    message: str | None = None
    rank: int = 0

    @property
    def label(self) -> str:
        return self.curve.label

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of DESIGN.md: label, scheduler, params, base_lr, score, best_lr, rank (and more)."""
        record: dict[str, Any] = {
            "label": self.curve.label,
            "scheduler": self.curve.scheduler.type,
            "params": self.curve.scheduler.to_dict(),
            "base_lr": self.curve.lr,
            "score": _finite(self.score),
            "best_lr": _finite(self.best_lr),
            "rank": self.rank,
            "status": self.status,
            "steps": self.curve.steps,
            "varied": {key: _plain(value) for key, value in self.varied},
        }
        if self.curve.warmup is not None:
            warmup = self.curve.warmup
            record["warmup"] = {"steps": warmup.steps, "factor": warmup.factor, "method": warmup.method}
        if self.message:
            record["message"] = self.message
        return record


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def rank_candidates(candidates: list[CandidateResult]) -> tuple[CandidateResult, ...]:
    """Best first: scored candidates by score, then pruned, diverged and failed ones; ties keep their order."""
    from dataclasses import replace

    def key(item: tuple[int, CandidateResult]) -> tuple[int, float, int]:
        index, candidate = item
        value = candidate.score if candidate.score is not None and math.isfinite(candidate.score) else math.inf
        return (STATUS_ORDER.get(candidate.status, len(STATUS_ORDER)), value, index)

    ordered = [candidate for _, candidate in sorted(enumerate(candidates), key=key)]
    return tuple(replace(candidate, rank=rank) for rank, candidate in enumerate(ordered, start=1))


@dataclass(frozen=True)
class SearchResult:
    """What `lrviz.search` returns: the ranked candidates and how they were scored."""

    score: str  # bound | law | train
    candidates: tuple[CandidateResult, ...]  # ranked, best first
    sampler: str
    seed: int
    note: str | None = None
    title: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # the score's settings (D, G, law, ...)

    @property
    def best(self) -> CandidateResult | None:
        """The best candidate (None when no candidate could be scored)."""
        first = self.candidates[0] if self.candidates else None
        return first if first is not None and first.status == OK else None

    def to_dict(self) -> dict[str, Any]:
        """`{"score", "candidates", "best", ...}` as DESIGN.md's `lrviz search --format json` prints it."""
        import torch  # noqa: F401 - the version goes into the record, as in `lrviz export`

        from lrviz import __version__

        best = self.best
        return {
            "lrviz_version": __version__,
            "torch_version": torch.__version__,
            "score": self.score,
            "sampler": self.sampler,
            "seed": self.seed,
            "details": self.details,
            "note": self.note,
            "candidates": [candidate.to_dict() for candidate in self.candidates],
            "best": None if best is None else best.to_dict(),
        }

    def curves(self) -> list[Curve]:
        """Every candidate's simulated LR curve, in rank order (for the figure)."""
        from lrviz.simulation.stepping import simulate_curve

        return [simulate_curve(candidate.curve) for candidate in self.candidates]
