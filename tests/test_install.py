"""README's set-up for a machine with or without torch: pip keeps the torch that is installed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _cpu_only_setup() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    return next(block.splitlines() for block in blocks if "download.pytorch.org" in block)


def test_readme_installs_pytorchs_cpu_only_build_as_pytorch_documents_it():
    torch_line, lrviz_line = _cpu_only_setup()
    # https://pytorch.org/get-started/locally/ (Linux, Pip, CPU): PyTorch's own CPU wheel index
    assert torch_line == "pip install torch --index-url https://download.pytorch.org/whl/cpu"
    assert lrviz_line == "pip install -e ."


def test_installing_lrviz_where_torch_is_installed_leaves_torch_alone(tmp_path):
    # README's second line, as pip would run it here (torch is installed): a dry run's report
    _, lrviz_line = _cpu_only_setup()
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", *lrviz_line.split()[:2], "--dry-run", "--quiet", "--report", str(report), "-e", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    installed = {item["metadata"]["name"].lower() for item in json.loads(report.read_text())["install"]}
    assert "torch" not in installed
    assert installed <= {"lrviz"}  # every dependency range is met by what the test environment has
