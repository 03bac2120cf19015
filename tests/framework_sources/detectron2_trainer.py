"""How detectron2's trainer steps an LR scheduler (engine/hooks.py LRScheduler.after_step), for the
fvcore and detectron2 cross-checks."""

from __future__ import annotations


def trainer_lrs(scheduler_of, steps, lr=0.1):
    """LR of update k: the trainer records it, steps the optimizer, then the scheduler. The step
    after the last update is not taken: its value is never used (and fvcore may refuse it)."""
    import torch

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=0.9)
    scheduler = scheduler_of(optimizer)
    lrs = []
    for k in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if k < steps - 1:
            scheduler.step()
    return lrs
