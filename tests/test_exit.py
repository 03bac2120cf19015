"""The `lrviz` process ends with os._exit after the command: its output must still be complete.

Every test runs the real entry point in a subprocess (the in-process `main()` keeps returning,
as every other test shows), with stdout and stderr piped or redirected to files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lrviz.report.export import to_csv, to_json
from lrviz.simulation.stepping import simulate
from lrviz.spec.flags import CurveFlags, spec_from_tokens

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", "NO_COLOR": "1"}
LONG = ["cosine", "--t-max", "200000"]  # a few MB of output: many pipe buffers' worth


def _lrviz(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "lrviz"  # the console script, when installed
    return [str(script) if script.exists() else sys.executable, *([] if script.exists() else ["-m", "lrviz"]), *args]


def _run(command: list[str], cwd: Path, **streams) -> subprocess.CompletedProcess:
    streams = streams or {"capture_output": True}
    return subprocess.run(command, cwd=cwd, env=ENV, timeout=300, check=False, **streams)


@pytest.fixture(scope="module")
def long_curves():
    return simulate(spec_from_tokens(LONG, CurveFlags()))


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_big_export_through_a_pipe_is_complete(tmp_path, long_curves, fmt):
    done = _run(_lrviz("export", *LONG, "--format", fmt), tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    expected = to_json(long_curves) if fmt == "json" else to_csv(long_curves)
    assert len(done.stdout) == len(expected.encode()) > 4_000_000
    assert done.stdout == expected.encode()


def test_a_big_export_redirected_to_a_file_is_complete(tmp_path, long_curves):
    with open(tmp_path / "out.csv", "wb") as out, open(tmp_path / "err.txt", "wb") as err:
        done = _run(_lrviz("export", *LONG, "--format", "csv"), tmp_path, stdout=out, stderr=err)
    assert done.returncode == 0
    assert (tmp_path / "err.txt").read_bytes() == b""
    assert (tmp_path / "out.csv").read_bytes() == to_csv(long_curves).encode()


def test_the_reader_leaving_early_is_not_an_error(tmp_path):
    # `lrviz export ... | head -1`: the rest of the output has nowhere to go, and that is fine
    writer = subprocess.Popen(
        _lrviz("export", *LONG, "--format", "csv"),
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    head = subprocess.run(["head", "-1"], stdin=writer.stdout, capture_output=True, timeout=300, check=False)
    writer.stdout.close()
    stderr = writer.stderr.read()
    writer.stderr.close()
    assert writer.wait(timeout=300) == 0
    assert head.stdout == b"step,CosineAnnealingLR(T_max=200000)\n"
    assert stderr == b""  # no "Exception ignored ... BrokenPipeError"


@pytest.mark.parametrize("redirected", [False, True], ids=["piped", "redirected"])
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["plot", "cosin", "--t-max", "150"], 2),
        (["check", "cosine", "--t-max", "100", "--steps", "400"], 1),
        (["check", "cosine", "--t-max", "400", "--steps", "400"], 0),
        (["export", "exp", "--gamma", "0.5", "--steps", "2", "-o", "no/such/dir/x.json"], 2),
    ],
)
def test_output_error_lines_and_exit_codes_are_those_of_an_in_process_run(tmp_path, cli, args, code, redirected):
    if redirected:
        with open(tmp_path / "out", "wb") as out, open(tmp_path / "err", "wb") as err:
            done = _run(_lrviz(*args), tmp_path, stdout=out, stderr=err)
        stdout, stderr = (tmp_path / "out").read_bytes(), (tmp_path / "err").read_bytes()
    else:
        done = _run(_lrviz(*args), tmp_path)
        stdout, stderr = done.stdout, done.stderr
    in_process = cli(*args)
    assert (done.returncode, in_process.code) == (code, code)
    assert stdout.decode() == in_process.out
    assert stderr.decode() == in_process.err
    if code == 2:  # DESIGN.md: exactly one line
        assert stderr.decode().startswith("Error: ") and stderr.decode().count("\n") == 1


def test_an_internal_error_exits_70_with_its_whole_message(tmp_path):
    script = textwrap.dedent(
        """
        import sys
        import lrviz.simulation.stepping
        def broken(spec, **options):
            raise RuntimeError("boom")
        lrviz.simulation.stepping.simulate = broken
        sys.argv = ["lrviz", "export", "exp", "--gamma", "0.5"]
        from lrviz.cli.app import run
        run()
        print("never reached")
        """
    )
    done = _run([sys.executable, "-c", script], tmp_path)
    assert done.returncode == 70
    assert done.stdout == b""
    assert done.stderr.decode() == (
        "Error: internal error (a bug in lrviz, please report it): RuntimeError: boom "
        "(run again with --debug for the traceback)\n"
    )


def test_plot_in_a_process_writes_the_png_and_table_of_an_in_process_run(tmp_path, cli):
    args = ["plot", "cosine", "--t-max", "150", "-o", "cosine.png"]
    done = _run(_lrviz(*args), tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b"wrote cosine.png\n"
    in_process = cli(*args)  # in pytest's tmp_path for `cli`, another directory
    assert in_process.code == 0
    assert (tmp_path / "cosine.png").read_bytes() == Path("cosine.png").read_bytes()
    assert done.stdout.decode() == in_process.out
