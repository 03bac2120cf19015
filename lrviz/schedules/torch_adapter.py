"""`FrameworkLR`: a torch LR scheduler whose values come from a framework's formula.

Imported only when a framework schedule is built, so that listing schedules never imports torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch.optim.lr_scheduler import LRScheduler

LrFunction = Callable[[int], float]


class FrameworkLR(LRScheduler):
    """An ``LRScheduler`` whose LR for update k is ``lr_of(base_lr)(k)`` for each param group.

    Like ``LambdaLR``, but the formula returns the LR itself, so absolute schedules (optax, Keras)
    are exact instead of a product ``base_lr * (lr / base_lr)`` that rounds.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, lr_of: Callable[[float], LrFunction], name: str = "") -> None:
        self._lr_of = lr_of
        self._functions: list[LrFunction] | None = None
        self.name = name
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:  # type: ignore[override]
        if self._functions is None:
            self._functions = [self._lr_of(base_lr) for base_lr in self.base_lrs]
        k = self.last_epoch
        return [float(function(k)) for function in self._functions]

    def state_dict(self) -> dict[str, Any]:
        """torch's state minus the formula (functions do not serialise), like LambdaLR's."""
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_lr_of", "_functions")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
