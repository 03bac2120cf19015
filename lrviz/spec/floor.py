"""A floor under a decay that ends at 0: ``floor: {min_lr: 1e-4}`` or ``floor: {ratio: 0.01}``.

Many recipes decay to a minimum instead of to 0 (mmseg's PolyLR ``eta_min``, Hugging Face's
``min_lr``, torchtitan's ``lr_min``, Megatron's ``min_lr``): the LR is ``m + (base - m) * f`` where
``f`` is the schedule's factor (its LR over the base LR) and ``m`` the floor. lrviz writes that as
an affine map of the schedule's own value, ``m + lr * (1 - m / base)``, per param group (``m`` is
``min_lr``, or ``ratio`` times the group's base LR), so PolynomialLR and LinearLR to 0 get a floor
without a hand-written lambda. Applied to the schedule's values before any warmup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Floor:
    """The minimum a schedule decays to: an absolute `min_lr`, or `ratio` of each group's base LR."""

    min_lr: float | None = None
    ratio: float | None = None

    def minimum(self, base: float) -> float:
        """The floor of a param group whose base LR is `base`."""
        return self.min_lr if self.min_lr is not None else float(self.ratio or 0.0) * base

    def lifted(self, lr: np.ndarray | float, base: float) -> np.ndarray | float:
        """`lr` (the schedule's values for a group with base LR `base`) on the floor: m + lr * (1 - m / base)."""
        m = self.minimum(base)
        return m + lr * (1 - m / base)

    def apply(self, group_lr: np.ndarray, base_lrs: tuple[float, ...]) -> None:
        """Lift recorded LRs (groups x steps) onto the floor, in place."""
        for row, base in zip(group_lr, base_lrs, strict=True):
            row[:] = self.lifted(row, base)

    def describe(self) -> str:
        """`floor 0.0001` or `floor 1% of the base LR`."""
        return f"floor {self.min_lr:g}" if self.min_lr is not None else f"floor {self.ratio:g}x base LR"

    def to_dict(self) -> dict[str, float]:
        """The export record: the key that was given."""
        return {"min_lr": self.min_lr} if self.min_lr is not None else {"ratio": float(self.ratio or 0.0)}
