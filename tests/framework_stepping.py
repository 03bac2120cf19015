"""Helpers shared by the framework cross-check tests: lrviz's values, and the values of `--code` snippets.

The framework side of each comparison (the real library, stepped as its trainer steps it) is
written out in each test file; these only read lrviz and run the snippets lrviz generates.
"""

from __future__ import annotations

from typing import Any


def lrviz_group_lrs(
    name: str,
    steps: int,
    lr: float | None = 0.1,
    group_lrs: list[float] | None = None,
    metric: list[float] | None = None,
    **params: Any,
) -> list[list[float]]:
    """lrviz's LR per param group for `steps` updates of schedule `name`, from a YAML-shaped spec
    (not spec_for, whose keywords `warmup`, `lr`... are the curve's, where a framework has its own)."""
    import lrviz

    raw: dict[str, Any] = {"scheduler": {"type": name, **params}, "steps": steps}
    if lr is not None:
        raw["lr"] = lr
    if group_lrs is not None:
        raw["param_groups"] = [{"name": f"g{i}", "lr": value} for i, value in enumerate(group_lrs)]
    if metric is not None:
        raw["metric"] = metric
    (curve,) = lrviz.simulate(lrviz.spec_from_dict(raw))
    return [row.tolist() for row in curve.group_lr]


def snippet_group_lrs(
    source: str, group_lrs: list[float], steps: int, metrics: list[float] | None = None
) -> list[list[float]]:
    """Exec a `--code` snippet, build `make_scheduler` over a plain torch SGD and record each group's LR
    before every step (stepped with `metrics[k]` when given)."""
    import torch

    namespace: dict[str, Any] = {}
    exec(compile(source, "<snippet>", "exec"), namespace)
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": value} for value in group_lrs]
    optimizer = torch.optim.SGD(groups, lr=group_lrs[0])
    scheduler = namespace["make_scheduler"](optimizer)
    seen: list[list[float]] = [[] for _ in group_lrs]
    for k in range(steps):
        for row, group in zip(seen, optimizer.param_groups, strict=True):
            row.append(group["lr"])
        optimizer.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[k])
    return seen
