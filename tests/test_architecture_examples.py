"""ARCHITECTURE.md's "one new file" examples, run as the new files they say they are."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "ARCHITECTURE.md").read_text()


def _block(first_line: str) -> str:
    for block in re.findall(r"```python\n(.*?)```", TEXT, flags=re.S):
        if block.startswith(first_line):
            return block
    raise AssertionError(f"no example starting {first_line!r}")


def _run_with(tmp_path: Path, package: str, name: str, block: str, code: str) -> str:
    """`code` in a fresh Python where `block` is the module lrviz.<package>.<name> (a copy of the tree)."""
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / f"{name}.py").write_text(block)
    prelude = f"import lrviz.{package} as package\npackage.__path__.append({str(extra)!r})\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_new_schedule_source_is_one_file(tmp_path):
    block = _block("# lrviz/schedules/mylib.py")
    out = _run_with(
        tmp_path,
        "schedules",
        "mylib",
        block,
        "from lrviz.cli.app import main\n"
        "main(['export', 'mylib:inverse_sqrt', '--warmup', '4', '--steps', '9', '--lr', '1'])\n",
    )
    import json

    lrs = json.loads(out)["curves"][0]["lr"]
    assert lrs == [1.0] * 5 + [(4 / k) ** 0.5 for k in range(5, 9)]


def test_a_new_command_is_one_file(tmp_path):
    block = _block("# lrviz/cli/peak.py")
    out = _run_with(
        tmp_path,
        "cli",
        "peak",
        block,
        "from lrviz.cli.app import main\nmain(['peak', 'onecycle', '--max-lr', '0.1', '--total-steps', '100'])\n",
    )
    label, value = out.strip().split(": ")
    assert label == "OneCycleLR(max_lr=0.1, total_steps=100)"
    assert value.startswith("0.1 at step 29")
