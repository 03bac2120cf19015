"""An independent reference for detectron2's LR schedules, for the detectron2 and fvcore cross-checks.

detectron2 is not on PyPI, and code from a fetched repository snapshot must not be committed, so
this module is written here from detectron2's documented semantics (its API docs, docstrings and
config reference), in its own structure. The parts detectron2 delegates stay real: the curves come
from the installed fvcore ParamSchedulers, run by a torch ``LRScheduler`` over a real optimizer.

- ``build_lr_scheduler(cfg, optimizer)``: cfg.SOLVER picks an fvcore schedule of the multiplier
  (MultiStep with values GAMMA**k over the STEPS not beyond MAX_ITER, Cosine from 1 to
  BASE_LR_END / BASE_LR, StepWithFixedGamma), puts a warmup in front of it (see
  :func:`with_warmup`) and multiplies each group's initial LR by it (:class:`LRMultiplier`).
- ``WarmupPolyLR`` (projects/DeepLab): base_lr * warmup * (1 - iter / max_iters) ** power, held at
  base_lr * constant_ending once warmup is over and the poly factor falls below it.
"""

from __future__ import annotations

import torch
from fvcore.common import param_scheduler as fvcore
from fvcore.common.config import CfgNode

SOLVER_DEFAULTS = {  # detectron2's documented cfg.SOLVER defaults (the scheduling keys)
    "LR_SCHEDULER_NAME": "WarmupMultiStepLR",
    "MAX_ITER": 40000,
    "BASE_LR": 0.001,
    "BASE_LR_END": 0.0,
    "GAMMA": 0.1,
    "STEPS": (30000,),
    "NUM_DECAYS": 3,
    "WARMUP_FACTOR": 1.0 / 1000,
    "WARMUP_ITERS": 1000,
    "WARMUP_METHOD": "linear",
    "RESCALE_INTERVAL": False,
}


def get_cfg() -> CfgNode:
    """A fresh config holding the default SOLVER keys the LR schedules read."""
    return CfgNode({"SOLVER": dict(SOLVER_DEFAULTS)})


class LRMultiplier(torch.optim.lr_scheduler.LRScheduler):
    """Each group's LR is its initial LR times ``multiplier(iteration / max_iter)``; stepped once
    per iteration, after the optimizer."""

    def __init__(self, optimizer, multiplier, max_iter, last_iter=-1):
        if not isinstance(multiplier, fvcore.ParamScheduler):
            raise ValueError(f"multiplier must be an fvcore ParamScheduler, got {multiplier!r}")
        self.multiplier, self.max_iter = multiplier, max_iter
        super().__init__(optimizer, last_epoch=last_iter)

    def get_lr(self):
        """The initial LRs scaled by the multiplier at the fraction of training done."""
        scale = self.multiplier(self.last_epoch / self.max_iter)
        return [initial * scale for initial in self.base_lrs]


def with_warmup(schedule, factor, length, method="linear", rescale_interval=False):
    """`schedule` preceded by a warmup over the first `length` (a fraction of training): constant at
    factor * schedule(0), or linear from there to where the schedule continues. With
    rescale_interval the schedule is squeezed into what remains (it resumes at schedule(0));
    otherwise it keeps its own timeline (it resumes at schedule(length))."""
    start = factor * schedule(0.0)
    # where the warmup hands over: asked of the schedule whatever the method, as detectron2 does, so a
    # warmup as long as training (length 1.0) fails where fvcore's schedules have no value at 1.0
    handover = schedule(0.0 if rescale_interval else length)
    if method == "constant":
        warmup = fvcore.ConstantParamScheduler(start)
    elif method == "linear":
        warmup = fvcore.LinearParamScheduler(start, handover)
    else:
        raise ValueError(f"unknown warmup method {method!r}")
    return fvcore.CompositeParamScheduler(
        [warmup, schedule],
        interval_scaling=["rescaled", "rescaled" if rescale_interval else "fixed"],
        lengths=[length, 1.0 - length],
    )


def _solver_schedule(solver):
    """The fvcore schedule (before warmup) that cfg.SOLVER.LR_SCHEDULER_NAME names."""
    name = solver.LR_SCHEDULER_NAME
    if name == "WarmupMultiStepLR":
        kept = [step for step in solver.STEPS if step <= solver.MAX_ITER]  # later ones are dropped
        values = [solver.GAMMA**k for k in range(len(kept) + 1)]
        return fvcore.MultiStepParamScheduler(values, num_updates=solver.MAX_ITER, milestones=kept)
    if name == "WarmupCosineLR":
        end = solver.BASE_LR_END / solver.BASE_LR
        if not 0.0 <= end <= 1.0:
            raise ValueError(f"BASE_LR_END / BASE_LR must lie in [0, 1], got {end}")
        return fvcore.CosineParamScheduler(1.0, end)
    if name == "WarmupStepWithFixedGammaLR":
        return fvcore.StepWithFixedGammaParamScheduler(
            base_value=1.0, num_decays=solver.NUM_DECAYS, gamma=solver.GAMMA, num_updates=solver.MAX_ITER
        )
    raise ValueError(f"unknown LR scheduler {name!r}")


def build_lr_scheduler(cfg, optimizer):
    """The scheduler detectron2 builds from cfg.SOLVER for `optimizer`."""
    solver = cfg.SOLVER
    warmup_length = min(solver.WARMUP_ITERS / solver.MAX_ITER, 1.0)
    multiplier = with_warmup(
        _solver_schedule(solver), solver.WARMUP_FACTOR, warmup_length, solver.WARMUP_METHOD, solver.RESCALE_INTERVAL
    )
    return LRMultiplier(optimizer, multiplier, max_iter=solver.MAX_ITER)


def warmup_factor_at(iteration, method, warmup_iters, factor):
    """detectron2's warmup factor: 1 from warmup_iters on; before that `factor` (constant) or the
    straight line from `factor` at 0 to 1 at warmup_iters (linear)."""
    if iteration >= warmup_iters:
        return 1.0
    if method == "constant":
        return factor
    if method == "linear":
        progress = iteration / warmup_iters
        return factor * (1 - progress) + progress
    raise ValueError(f"unknown warmup method {method!r}")


class WarmupPolyLR(torch.optim.lr_scheduler.LRScheduler):
    """DeepLab's poly schedule with detectron2's warmup and an optional constant ending."""

    def __init__(self, optimizer, max_iters, warmup_factor=0.001, warmup_iters=1000, warmup_method="linear",
                 last_epoch=-1, power=0.9, constant_ending=0.0):  # fmt: skip
        self.max_iters, self.power, self.constant_ending = max_iters, power, constant_ending
        self.warmup = (warmup_method, warmup_iters, warmup_factor)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The poly-decayed initial LRs, times the warmup factor, floored by the constant ending."""
        warmup = warmup_factor_at(self.last_epoch, *self.warmup)
        poly = (1.0 - min(self.last_epoch, self.max_iters - 1) / self.max_iters) ** self.power
        if self.constant_ending > 0 and warmup == 1.0 and poly < self.constant_ending:
            return [initial * self.constant_ending for initial in self.base_lrs]
        return [initial * warmup * poly for initial in self.base_lrs]
