"""What the framework cross-check tests share: lrviz's values, float32 agreement, generated code, examples."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml

from lrviz import schedules

ROOT = Path(__file__).resolve().parents[1]
FLOAT32_ULPS = 4
EPS32 = float(np.finfo(np.float32).eps)


def lrviz_lrs(full_name: str, steps: int, **given) -> np.ndarray:
    """lrviz's torch scheduler for `full_name` (FRAMEWORK:NAME), built on a dummy optimizer and stepped."""
    import torch

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = schedules.lookup(full_name).build(optimizer, given)
    lrs = []
    for _ in range(steps):
        lrs.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return np.array(lrs)


def assert_float32_close(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Agreement to float32 precision: within FLOAT32_ULPS float32 epsilons of the schedule's scale,
    and nan or inf exactly where the framework gives them (optax's jitted polynomial can give nan,
    a growing exponential overflows float32)."""
    finite = np.isfinite(theirs)
    assert np.array_equal(ours[~finite], theirs[~finite], equal_nan=True), np.flatnonzero(~finite)
    ours, theirs = ours[finite], theirs[finite]
    if not theirs.size:
        return
    scale = max(float(np.max(np.abs(theirs))), np.finfo(np.float32).tiny)
    worst = float(np.max(np.abs(ours - theirs)))
    assert worst <= FLOAT32_ULPS * EPS32 * scale, (worst / (EPS32 * scale), ours, theirs)


def make_scheduler_lrs(source: str, steps: int) -> np.ndarray:
    """Exec a `--code` source, build its make_scheduler over a fresh optimizer, step it."""
    import torch

    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102 - lrviz's own generated code
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5)
    scheduler = namespace["make_scheduler"](optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(lrs)


def exported_lrs(cli, *args: str) -> np.ndarray:
    """`lrviz export ARGS --format json`'s first curve, which must succeed."""
    result = cli("export", *args, "--format", "json")
    assert result.code == 0, result.err
    return np.array(json.loads(result.out)["curves"][0]["lr"])


def check_one_line_error(cli, args: list[str], error: str, tmp_path) -> None:
    """`lrviz ARGS` exits 2 with exactly `error` on stderr, prints nothing and writes no file."""
    result = cli(*args)
    assert (result.code, result.err.strip()) == (2, error)
    assert result.out == "" and list(tmp_path.iterdir()) == []


def check_example(cli, schedule, tmp_path) -> None:
    """The schedule's `example` draws a figure, and every flag (or YAML key) in it reaches the schedule."""
    words = schedule.example.split()
    if words[2].endswith(".yaml"):  # a YAML-only member (a list of mappings): its config under configs/
        words[2] = str(ROOT / words[2])
        scheduler = yaml.safe_load(Path(words[2]).read_text())["scheduler"]
        assert scheduler.pop("type") == schedule.full_name
        given = set(scheduler)
    else:
        assert words[:3] == ["lrviz", "plot", schedule.full_name]
        given = {word[2:].replace("-", "_") for word in words if word.startswith("--") and word != "--steps"}
    result = cli(*words[1:], "-o", str(tmp_path / "figure.png"))
    assert result.code == 0, result.err
    assert (tmp_path / "figure.png").stat().st_size > 0
    exported = cli("export", *words[2:], "--format", "json")
    assert exported.code == 0, exported.err
    assert given <= set(json.loads(exported.out)["curves"][0]["params"]), "every flag reached the schedule"


def example_params(prefix: str) -> list:
    """The family's schedules, for parametrize (a scheduler's own --warmup-steps reaches it)."""
    return list(schedules.family(prefix).schedules)
