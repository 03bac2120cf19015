"""Option values pass without pydantic (lrviz.cli.coercion), and nothing a user sees changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer._coercion
import typer.core
from typer.models import OptionInfo

from lrviz.cli import coercion

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "NO_COLOR": "1"}
TYPERS_OWN = "import lrviz.cli.coercion as c; c.install = lambda: None; "

CASES = [
    ["--help"],
    ["plot", "--help"],
    ["plot", "cosine", "--help"],
    ["compare", "--help"],
    ["gallery", "--help"],
    ["plot", "cosin", "--t-max", "150"],
    ["nope"],
    ["plot", "cosine", "--t-max"],
    ["export", "exp", "-g", "0.5"],
    ["export", "--format"],
    ["export", "exp", "--gamma", "0.5", "--steps", "3", "--format", "xml"],
    ["export", "exp", "--gamma", "0.5,0.6", "--steps", "4", "--format", "csv", "--label", "x"],
    ["plot", "cosine", "--t-max", "20", "--no-save", "--log-y", "--term", "--width", "3"],
    ["plot", "cosine", "--t-max", "20", "--no-term", "--quiet", "--quiet", "--no-save"],
    ["check", "--list-rules"],
    ["list", "extra"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(a) for a in CASES])
def test_help_errors_and_output_are_typers_own(cli, monkeypatch, args):
    plain = cli(*args)
    monkeypatch.setattr(coercion, "install", lambda: None)
    monkeypatch.setattr(typer.core, "build_runtime_param", typer._coercion.build_runtime_param)
    typers = cli(*args)
    assert (plain.code, plain.out, plain.err) == (typers.code, typers.out, typers.err)


def _run(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env or ENV, timeout=300, check=False
    )


def test_a_command_does_not_import_pydantic():
    done = _run(
        "import sys; from lrviz.cli.app import main; "
        "code = main(['export', 'exp', '--gamma', '0.5', '--steps', '3', '--format', 'csv']); "
        "print(code, 'pydantic' in sys.modules)"
    )
    assert done.stdout.splitlines()[-1] == "0 False", done.stderr


@pytest.mark.parametrize(("words", "cword"), [("lrviz pl", "1"), ("lrviz plot cosine --t", "3")])
def test_completion_is_typers_own(words, cword):
    env = {**ENV, "_LRVIZ_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword}
    entry = "from lrviz.cli.app import run; run()"
    plain, typers = _run(entry, env), _run(TYPERS_OWN + entry, env)
    assert plain.stdout and (plain.returncode, plain.stdout, plain.stderr) == (
        typers.returncode,
        typers.stdout,
        typers.stderr,
    )


def test_other_values_go_to_typers_adapter():
    coercion.install()
    for annotation, value, expected in ((str, b"caf\xc3\xa9", "café"), (bool, "yes", True), (list[str], ("a", 1), ["a", "1"])):
        descriptor = typer._coercion.resolve_type_descriptor(annotation, OptionInfo())
        runtime = typer.core.build_runtime_param(descriptor)
        assert type(runtime).__name__ == "PlainValues"
        assert runtime._coerce_value(value, param=None, ctx=None) == expected
    assert (str, bool, list[str]) == coercion.PLAIN_TYPES
