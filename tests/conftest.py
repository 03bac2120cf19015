"""Shared fixtures: run the CLI in-process, and step torch schedulers directly as a reference."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from framework_stepping import register_timm_without_models

register_timm_without_models()  # timm.scheduler without timm.models (torchvision): see the function

os.environ.setdefault("COLUMNS", "120")
os.environ.setdefault("NO_COLOR", "1")


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """Run `lrviz ARGS` in-process (in tmp_path); returns exit code, stdout and stderr."""
    from lrviz.cli.app import main

    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def torch_lrs(name: str, steps: int, lr: float = 0.1, momentum: bool = False, **kwargs):
    """The reference: a plain training loop over a torch scheduler, written out in the test."""
    import torch

    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr, momentum=0.9)
    scheduler = getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs)
    lrs, moms = [], []
    for _ in range(steps):
        lrs.append(scheduler.get_last_lr()[0])
        moms.append(optimizer.param_groups[0]["momentum"])
        optimizer.step()
        scheduler.step()
    return (lrs, moms) if momentum else lrs


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
