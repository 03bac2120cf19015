"""Warmup styles: where the ramp starts, its shape, its offset, and how it meets the schedule.

Real projects warm up differently (DESIGN.md, the spec language issue):

* **start** — a factor of the target (``start_factor``; detectron2's ``warmup_factor``), or an
  absolute LR (``start_lr``; timm's ``warmup_lr_init``). 0 is allowed: Hugging Face starts there.
* **shape** of the ramp from start to target, as a fraction ``s`` of the way: ``linear`` (s = p),
  ``cosine`` ((1 - cos πp) / 2), ``exponential`` (geometric: start · (target/start)^p),
  ``log`` (DeepSpeed's WarmupLR: log(1 + pW) / log W, capped at 1), ``1-sqrt`` (1 - √(1 - p)),
  or ``constant`` (the start value throughout; detectron2's ``constant`` method).
* **offset**: the progress ``p`` at step k of W warmup steps: ``k/W`` (detectron2, Hugging Face),
  ``(k+1)/W``, ``(k+1)/(W+1)`` (nanoGPT), ``k/(W-1)`` (a linspace that reaches the target at W-1),
  or ``inclusive`` (k/W for k ≤ W: W+1 warmup steps).
* **mode** — ``multiply``: the schedule's own value times the warmup factor (detectron2; the
  schedule runs from step 0); ``replace``: the ramp to the base LR replaces the schedule during the
  warmup, which still counts those steps (timm, BERT); ``shift``: the schedule starts after the
  warmup (Hugging Face, nanoGPT), so its step 0 is the run's step W.

Nothing here imports torch: the simulation applies :meth:`Warmup.apply` to the recorded arrays,
and :mod:`lrviz.report.code` writes the same formulas as Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SHAPES = ("linear", "cosine", "exponential", "log", "1-sqrt", "constant")
OFFSETS = ("k/W", "(k+1)/W", "(k+1)/(W+1)", "k/(W-1)", "inclusive")
MODES = ("multiply", "replace", "shift")


@dataclass(frozen=True)
class Warmup:
    """A warmup of `steps` optimizer steps (detectron2's linear multiply from 0.001 by default)."""

    steps: int
    factor: float = 0.001  # start_factor: the ramp starts at factor x target (unless start_lr)
    method: str = "linear"  # the shape (detectron2 calls it the method)
    start_lr: float | None = None  # an absolute start instead of a factor
    offset: str = "k/W"
    mode: str = "multiply"

    @property
    def length(self) -> int:
        """How many steps the warmup covers: `steps`, or one more when `inclusive`."""
        return self.steps + 1 if self.offset == "inclusive" and self.steps > 0 else self.steps

    @property
    def shifts(self) -> int:
        """Steps the schedule starts late by (mode shift), else 0."""
        return self.length if self.mode == "shift" else 0

    def progress(self, k: np.ndarray) -> np.ndarray:
        """p at steps `k` (float64), by the offset."""
        import numpy as np

        w = self.steps
        if self.offset == "(k+1)/W":
            return (k + 1) / w
        if self.offset == "(k+1)/(W+1)":
            return (k + 1) / (w + 1)
        if self.offset == "k/(W-1)":
            return k / (w - 1) if w > 1 else np.ones_like(k, dtype=np.float64)
        return k / w

    def ramp(self, p: np.ndarray) -> np.ndarray:
        """The fraction of the way from start to target at progress `p` (linear, cosine, log, 1-sqrt)."""
        import numpy as np

        if self.method == "cosine":
            return (1 - np.cos(np.pi * p)) / 2
        if self.method == "log":  # the spec refuses a log warmup shorter than 2 steps (log 1 = 0)
            return np.minimum(1.0, np.log1p(p * self.steps) / math.log(self.steps))
        if self.method == "1-sqrt":
            return 1 - np.sqrt(np.maximum(0.0, 1 - p))
        return p

    def factor_at(self, step: int) -> float:
        """detectron2's `_get_warmup_factor_at_iter` (multiply mode with a start factor)."""
        import numpy as np

        if step >= self.length:
            return 1.0
        return float(self._values(np.array([step], dtype=np.float64), np.array([1.0]), self.factor)[0])

    def _values(self, k: np.ndarray, target: np.ndarray, start: float | np.ndarray) -> np.ndarray:
        """The warmed-up values at steps `k` rising from `start` to `target`."""
        import numpy as np

        if self.method == "constant":
            return np.broadcast_to(np.asarray(start, dtype=np.float64), np.broadcast(k, target).shape).copy()
        p = self.progress(k)
        if self.method == "exponential":
            return start * (target / start) ** p
        s = self.ramp(p)
        return start * (1 - s) + target * s  # detectron2's factor * (1 - alpha) + alpha, for target 1

    def warmed(self, k: np.ndarray, scheduled: np.ndarray, base: float) -> np.ndarray:
        """The LRs at warmup steps `k` (each below :attr:`length`) of a param group with base LR
        `base`, whose schedule gives `scheduled` there."""
        import numpy as np

        if self.mode == "multiply":
            if self.start_lr is None:
                return scheduled * self._values(k, np.ones(len(k)), self.factor)
            return self._values(k, scheduled, self.start_lr)
        start = self.start_lr if self.start_lr is not None else self.factor * base
        return self._values(k, np.full(len(k), base), start)

    def apply(self, group_lr: np.ndarray, base_lrs: tuple[float, ...]) -> None:
        """Warm up the first steps of recorded LRs (groups x steps) in place.

        `group_lr` holds the schedule's values, already shifted by :attr:`shifts` in shift mode.
        """
        import numpy as np

        n = min(self.length, group_lr.shape[1])
        if n <= 0:
            return
        k = np.arange(n, dtype=np.float64)
        for row, base in zip(group_lr, base_lrs, strict=True):
            row[:n] = self.warmed(k, row[:n].copy(), base)

    def describe(self) -> str:
        """`warmup 10 (linear from 0.001x, multiply)`: for labels and titles."""
        start = f"{self.start_lr:g}" if self.start_lr is not None else f"{self.factor:g}x"
        offset = "" if self.offset == "k/W" else f", {self.offset}"
        return f"warmup {self.steps} ({self.method} from {start}{offset}, {self.mode})"

    def to_dict(self) -> dict[str, object]:
        """The export record (today's three keys first; the new ones only where they differ)."""
        record: dict[str, object] = {"steps": self.steps, "factor": self.factor, "method": self.method}
        if self.start_lr is not None:
            record["start_lr"] = self.start_lr
        if self.offset != "k/W":
            record["offset"] = self.offset
        if self.mode != "multiply":
            record["mode"] = self.mode
        return record
