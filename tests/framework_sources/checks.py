"""What every family's cross-check test does with lrviz: its values through the API, the CLI and YAML,
and the `--code` snippets executed, to be compared with the framework's own code."""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import yaml


def lrviz_lrs(name: str, params: Mapping[str, Any], steps: int, lr: float | None = None) -> list[float]:
    """lrviz's LRs of `name` for `steps` updates, through the Python API."""
    import lrviz

    extra = {} if lr is None else {"lr": lr}
    (curve,) = lrviz.simulate(lrviz.spec_for(name, steps=steps, **extra, **params))
    return [float(v) for v in curve.lr]


def flags(params: Mapping[str, Any]) -> list[str]:
    """`params` as command-line flags (lists comma-separated, bools as true/false)."""
    args: list[str] = []
    for name, value in params.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            text = ",".join(repr(v) for v in value)
        else:
            text = repr(value) if isinstance(value, float) else str(value)
        args += ["--" + name.lower().replace("_", "-"), text]
    return args


def cli_lrs(cli, name: str, params: Mapping[str, Any], steps: int, lr: float | None = None) -> list[float]:
    """The LRs `lrviz export NAME ... --format json` prints."""
    lr_flag = [] if lr is None else ["--lr", repr(lr)]
    result = cli("export", name, *flags(params), "--steps", str(steps), *lr_flag, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)["curves"][0]["lr"]


def yaml_lrs(name: str, params: Mapping[str, Any], steps: int, lr: float | None = None) -> list[float]:
    """The LRs of the YAML form ``scheduler: {type: "FRAMEWORK:NAME", ...}``."""
    import lrviz
    from lrviz.spec.yamlfile import spec_from_yaml_text

    document = {"steps": steps, "scheduler": {"type": name, **{k: _plain(v) for k, v in params.items()}}}
    if lr is not None:
        document["lr"] = lr
    (curve,) = lrviz.simulate(spec_from_yaml_text(yaml.safe_dump(document), "framework.yaml"))
    return [float(v) for v in curve.lr]


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def snippet_lrs(source: str, steps: int, lr: float = 0.1) -> list[float]:
    """Execute a `--code` snippet and step its ``make_scheduler(optimizer)`` like a training loop."""
    import torch

    namespace: dict[str, Any] = {}
    exec(compile(source, "<snippet>", "exec"), namespace)  # noqa: S102 - the code under test
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = namespace["make_scheduler"](optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


def assert_close(actual: Sequence[float], expected: Sequence[float], rel: float = 1e-12, scale: float = 0.0) -> None:
    """Equal length and every value within `rel` relative, or within `rel * scale` (a reference computed
    more exactly than the framework's floats differs by rounding relative to the schedule's peak)."""
    assert len(actual) == len(expected)
    for k, (a, e) in enumerate(zip(actual, expected, strict=True)):
        assert math.isclose(a, e, rel_tol=rel, abs_tol=rel * scale), f"update {k}: {a!r} != {e!r}"


def lrviz_function_lrs(name: str, params: Mapping[str, Any], steps: int, lr: float = 0.1) -> list[float]:
    """lrviz's formula for `name` evaluated at updates 0..steps-1 (what the simulation steps through)."""
    from lrviz.schedules import lookup

    function = lookup(name).lr_function(params, lr)
    return [float(function(k)) for k in range(steps)]


def run_example(cli, example: str) -> None:
    """Run a schedule's `example` (`lrviz plot ...`), exit code 0."""
    words = shlex.split(example)
    assert words[0] == "lrviz"
    result = cli(*words[1:])
    assert result.code == 0, result.err


def export_error(cli, *args: str) -> str:
    """`lrviz export ARGS`'s error: exit 2 and exactly one stderr line, returned without its newline."""
    result = cli("export", *args)
    assert result.code == 2 and result.err.count("\n") == 1, (result.code, result.err)
    return result.err.rstrip("\n")
