"""Every example in README.md runs as written; CI installs and tests exactly as README says."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def console_examples() -> list[tuple[str, int]]:
    """`$ lrviz ...` lines of ```console blocks, with the exit code a `# exit N` comment states."""
    examples = []
    for block in _blocks("console"):
        for line in (raw.strip() for raw in block.splitlines()):
            if line.startswith("$ lrviz "):
                command, _, comment = line[2:].partition("   # ")
                match = re.search(r"exit (\d+)", comment)
                examples.append((command.strip(), int(match.group(1)) if match else 0))
    return examples


@pytest.fixture
def project_dir(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    # the real framework configs "Your framework's config" reads (and configs/ run files name)
    shutil.copytree(ROOT / "tests" / "data" / "configs", tmp_path / "tests" / "data" / "configs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme_has_examples_of_every_command():
    commands = {shlex.split(c)[1] for c, _ in console_examples()}
    assert {"plot", "export", "list", "show", "compare", "check", "gallery", "search"} <= commands


@pytest.mark.parametrize(("command", "code"), console_examples(), ids=[c for c, _ in console_examples()])
def test_console_example_runs(command, code, cli, project_dir):
    shutil.copytree(ROOT / "configs", Path.cwd() / "configs", dirs_exist_ok=True)
    shutil.copytree(ROOT / "examples", Path.cwd() / "examples", dirs_exist_ok=True)
    result = cli(*shlex.split(command)[1:])
    assert result.code == code, result.err
    output = re.search(r"-o (\S+)", command)
    if output and code == 0:
        assert (Path.cwd() / output.group(1)).stat().st_size > 0


def test_python_examples_run(project_dir):
    for block in _blocks("python"):
        exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - our own README's code


def test_setup_commands_are_what_ci_runs():
    bash = [line for block in _blocks("bash") for line in block.splitlines() if line.strip()]
    install_and_run, install_and_test = bash[0], bash[1]
    assert install_and_run == "pip install -c constraints.txt -e . && lrviz plot cosine --t-max 150"
    install, test = install_and_test.split(" && ")
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert install in ci
    assert test in ci


def test_readme_error_example_is_the_real_error(cli):
    result = cli("plot", "cosin", "--t-max", "150")
    assert result.err.strip() in README
