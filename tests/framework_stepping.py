"""Helpers shared by the framework cross-check tests: lrviz's values, and the values of `--code` snippets.

The framework side of each comparison (the real library, stepped as its trainer steps it) is
written out in each test file; these only read lrviz and run the snippets lrviz generates.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any


def register_timm_without_models() -> bool:
    """Make ``import timm.scheduler`` load the installed timm's scheduler files without running
    ``timm/__init__.py``; False when timm is not installed.

    timm's package __init__ imports timm.models, hence torchvision, and the PyPI torchvision wheel
    does not load beside the CPU build of torch ("operator torchvision::nms does not exist").
    ``timm.scheduler`` itself imports only torch and numpy, so ``timm`` is registered as the
    installed package's module with its __init__ left unexecuted: the scheduler code is timm's own
    files, unchanged, and ``from timm.scheduler import ...`` in `--code` snippets works too.
    """
    if "timm" in sys.modules:
        return True
    spec = importlib.util.find_spec("timm")  # finds the package without importing it
    if spec is None:
        return False
    sys.modules["timm"] = importlib.util.module_from_spec(spec)  # __path__ and __spec__, not executed
    return True


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


def assert_example_runs(cli: Any, schedule: Any) -> None:
    """The schedule's `example` (shown by `lrviz show`) is a `lrviz plot` of it that succeeds."""
    import shlex

    command = shlex.split(schedule.example)
    assert command[:3] == ["lrviz", "plot", schedule.full_name]
    result = cli(*command[1:], "-o", "example.png")
    assert result.code == 0, result.err


def assert_snippets_match(
    schedule: Any, params: dict[str, Any], steps: int, group_lrs: list[float], metrics: list[float] | None = None
) -> None:
    """framework_code and torch_code both run and give lrviz's values; torch_code imports no framework."""
    import re
    import warnings

    from lrviz import schedules

    full = schedule.with_defaults(params)
    metric = metrics[:steps] if metrics is not None else None
    expected = lrviz_group_lrs(schedule.full_name, steps, group_lrs=group_lrs, metric=metric, **params)
    framework_source, torch_source = schedule.framework_code(full), schedule.torch_code(full)
    imports_framework = re.compile(rf"^\s*(import|from) {schedules.family(schedule.framework).package}\b", re.M)
    assert imports_framework.search(framework_source) and not imports_framework.search(torch_source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # timm's plateau says it is deprecated
        assert snippet_group_lrs(framework_source, group_lrs, steps, metrics) == expected
    assert snippet_group_lrs(torch_source, group_lrs, steps, metrics) == expected
