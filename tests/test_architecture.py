"""The shape ARCHITECTURE.md describes, checked: where scheduler knowledge lives, what the layers import,
how long a function may grow."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lrviz"
VENDORED = {PACKAGE / "schedules" / "_hf_greedy.py"}  # transformers' GreedyLR, copied verbatim
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p not in VENDORED)


def _torch_scheduler_names() -> set[str]:
    from torch.optim import lr_scheduler

    return {
        name
        for name in dir(lr_scheduler)
        if isinstance(getattr(lr_scheduler, name), type)
        and issubclass(getattr(lr_scheduler, name), (lr_scheduler.LRScheduler, lr_scheduler.ReduceLROnPlateau))
    }


def test_no_function_is_longer_than_sixty_lines():
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_torch_scheduler_names_appear_only_in_the_schedule_sources():
    # the torch source (lrviz/schedules/pytorch/) and the framework families, whose own classes
    # often share torch's names (mmengine's CosineAnnealingLR), are where schedulers are known
    names = _torch_scheduler_names()
    assert {"StepLR", "OneCycleLR", "SequentialLR", "ReduceLROnPlateau"} <= names
    found = []
    for path in _modules():
        if path.is_relative_to(PACKAGE / "schedules"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value}")
    assert found == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_command_line_imports_typer(path):
    if path.is_relative_to(PACKAGE / "cli"):
        return
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"typer", "click"}


def test_the_spec_layer_imports_neither_torch_nor_matplotlib():
    code = (
        "import sys\n"
        "import lrviz.spec.model, lrviz.spec.flags, lrviz.spec.yamlfile, lrviz.spec.flagtable, lrviz.pipeline\n"
        "from lrviz.spec.flags import CurveFlags, spec_from_tokens\n"
        "spec_from_tokens(['cosine', '--t-max', '10'], CurveFlags())\n"
        "print(sorted(m for m in ('torch', 'matplotlib') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"
