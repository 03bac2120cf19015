"""lrviz's performance goals (issues #5 and #17), measured side by side: ``python bench/run.py``.

Each goal runs its pair of commands alternately (A, B, A, B, ...) in fresh processes, so both
see the same machine load, and prints the medians, the ratio and the goal beside it. Wall times
are whole processes, start-up included: what a user waits for. ``--quick`` runs fewer rounds.
Takes about ten minutes on two quiet cores, most of it the 10M-step exports of goal 7.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PYTHON = sys.executable
LRVIZ = [PYTHON, "-m", "lrviz"]
MILLION = 1_000_000
TEN_MILLION = 10_000_000
MIB = 1024  # ru_maxrss is in KiB


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds (user + system) of one process; fails loudly
    if the command does. CPU time barely moves with the machine's load, wall time does."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.stderr.close() if process.stderr else None
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr}")
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def pair(a: list[str], b: list[str], rounds: int, cwd: Path, env: dict[str, str]) -> tuple[list, list]:
    """Alternate A and B `rounds` times; (A's (wall, rss) list, B's)."""
    first, second = [], []
    for _ in range(rounds):
        first.append(run(a, cwd, env))
        second.append(run(b, cwd, env))
    return first, second


def median(results: list[tuple[float, int, float]], index: int = 0) -> float:
    """The median wall time (index 0), peak RSS (1) or CPU time (2) of `results`."""
    return statistics.median(r[index] for r in results)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def heavy_imports(args: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-m", "lrviz", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    return sorted(names & {"torch", "matplotlib", "numpy", "torch._dynamo"})


def startup_goal(work: Path, env: dict[str, str], rounds: int) -> None:
    """1. start-up: no torch, matplotlib or numpy for help, list, show, completion."""
    python_only = [PYTHON, "-c", "pass"]
    print("1. start-up without torch/matplotlib                               goal: --help <= 0.35 s")
    completion = {**env, "_LRVIZ_COMPLETE": "complete_bash", "COMP_WORDS": "lrviz pl", "COMP_CWORD": "1"}
    for args, label, command_env in (
        (["--help"], "lrviz --help", env),
        (["list"], "lrviz list", env),
        (["show", "onecycle"], "lrviz show onecycle", env),
        ([], "shell completion (lrviz pl<TAB>)", completion),
    ):
        ours, bare = pair([*LRVIZ, *args], python_only, rounds, work, command_env)
        heavy = heavy_imports(args or ["--help"], work, command_env)
        goal = f"  {verdict(median(ours) <= 0.35)}" if args == ["--help"] else ""
        print(
            f"   {label:34s} {median(ours):6.3f}   (python -c pass {median(bare):.3f})"
            f"   heavy imports: {', '.join(heavy) or 'none'}{goal}"
        )


def plain_script_goal(work: Path, env: dict[str, str], rounds: int) -> None:
    """2. a small figure against the plain torch + pyplot script."""
    cosine = [*LRVIZ, "plot", "cosine", "--t-max", "50,100,150", "--steps", "400", "-o", "cosine.png"]
    plain = [PYTHON, str(BENCH / "plain_cosine.py"), "plain.png"]
    ours, theirs = pair(cosine, plain, rounds, work, env)
    ratio = median(ours) / median(theirs)
    print("\n2. lrviz plot cosine --t-max 50,100,150 --steps 400 -o x.png     goal: <= 0.60x plain script")
    print(f"   lrviz {median(ours):.3f}   plain torch+pyplot script {median(theirs):.3f}", end="")
    print(f"   ratio {ratio:.2f}x  {verdict(ratio <= 0.6)}")


def million_goal(work: Path, env: dict[str, str], rounds: int) -> None:
    """3. + 4. a million steps against the bare torch loop; the SVG's size; memory."""
    million = [*LRVIZ, "plot", "onecycle", "--max-lr", "0.1", "--total-steps", str(MILLION)]
    long_plot = [*million, "--steps", str(MILLION), "-o", "onecycle.svg"]
    bare = [PYTHON, str(BENCH / "bare_loop.py"), "onecycle", str(MILLION)]
    ours, theirs = pair(long_plot, bare, rounds, work, env)
    ratio = median(ours) / median(theirs)
    svg = (work / "onecycle.svg").stat().st_size / 1024
    print("\n3. lrviz plot onecycle ... --steps 1000000 -o x.svg              goal: <= 1.30x bare torch loop")
    print(f"   lrviz {median(ours):.3f}   bare loop (1M x scheduler.step()) {median(theirs):.3f}", end="")
    print(f"   ratio {ratio:.2f}x  {verdict(ratio <= 1.3)}")
    print("\n4. bounded figure                                                 goal: 1M-step SVG <= 500 KiB")
    print(f"   onecycle.svg {svg:.0f} KiB  {verdict(svg <= 500)}")
    small = run([*LRVIZ, "plot", "onecycle", "--max-lr", "0.1", "--total-steps", "1000", "-o", "small.svg"], work, env)
    print(f"\n   peak RSS (MiB): lrviz 1M steps {median(ours, 1) / MIB:.0f}", end="")
    print(f", lrviz 1k steps {small[1] / MIB:.0f}, bare loop {median(theirs, 1) / MIB:.0f}")
    growth = (median(ours, 1) - small[1]) / MIB
    print(f"   growth from 1k to 1M steps {growth:.0f} MiB; the two recorded series (lr, momentum) are 2 x 7.6 MiB")
    print("\n5. progress: a rich bar on stderr from 300k steps when stderr is a terminal (silent here: a pipe)")


def sweep_goal(work: Path, env: dict[str, str], rounds: int) -> None:
    """6. sweeps of long curves: one process against two."""
    sweep = BENCH / "sweep.py"
    serial, two = pair([PYTHON, str(sweep), "1"], [PYTHON, str(sweep), "2"], rounds, work, env)
    picked = subprocess.run([PYTHON, str(sweep), "workers"], cwd=work, env=env, capture_output=True, text=True)
    speedup = median(serial) / median(two)
    print("\n6. sweep: cosine --t-max 1e5,2e5,3e5,4e5 --steps 250000 (1M steps)  goal: both cores when faster")
    print(f"   1 process {median(serial):.3f}   2 processes {median(two):.3f}   speed-up {speedup:.2f}x")
    print(f"   automatic choice now (load {os.getloadavg()[0]:.2f}): {picked.stdout.strip()} process(es)")


def export_goal(work: Path, env: dict[str, str], rounds: int) -> None:
    """7. exports of 10M steps against the bare loop, and their peak memory."""
    steps = str(TEN_MILLION)
    bare = [PYTHON, str(BENCH / "bare_loop.py"), "cosine", steps]
    exports = {fmt: [*LRVIZ, "export", "cosine", "--t-max", steps, "-o", f"ten.{fmt}"] for fmt in ("json", "csv")}
    results: dict[str, list] = {"bare": [], "json": [], "csv": []}
    for _ in range(rounds):  # alternating, as pair() does, for three commands
        results["bare"].append(run(bare, work, env))
        for fmt, command in exports.items():
            results[fmt].append(run(command, work, env))
    print("\n7. lrviz export cosine --t-max 10000000 -o x.json|x.csv          goal: <= 1.15x bare loop, <= 600 MiB")
    print(f"   bare loop (10M x scheduler.step()) {median(results['bare']):.3f}", end="")
    print(f"   CPU {median(results['bare'], 2):.3f}   peak RSS {median(results['bare'], 1) / MIB:.0f} MiB")
    for fmt in ("json", "csv"):
        ratio = median(results[fmt]) / median(results["bare"])
        cpu_ratio = median(results[fmt], 2) / median(results["bare"], 2)
        rss = median(results[fmt], 1) / MIB
        size = (work / f"ten.{fmt}").stat().st_size / MIB / MIB
        print(f"   {fmt:4s} {median(results[fmt]):.3f}   ratio {ratio:.2f}x  {verdict(ratio <= 1.15)}", end="")
        print(f"   CPU {median(results[fmt], 2):.3f} ({cpu_ratio:.2f}x)", end="")
        print(f"   peak RSS {rss:.0f} MiB  {verdict(rss <= 600)}   ({size:.0f} MiB written)")


def floor_goal(work: Path, env: dict[str, str], rounds: int) -> None:
    """8. a small plot against the floor (import torch + matplotlib, save a PNG), and exit's share."""
    args = ["plot", "cosine", "--t-max", "150", "-o", "small.png"]
    floor = [PYTHON, str(BENCH / "floor.py"), "floor.png"]
    ours, theirs = pair([*LRVIZ, *args], floor, rounds, work, env)
    ratio = median(ours) / median(theirs)
    print("\n8. lrviz plot cosine --t-max 150 -o x.png                         goal: <= 1.05x the floor")
    print(f"   lrviz {median(ours):.3f}   floor (import torch + matplotlib, save a PNG) {median(theirs):.3f}", end="")
    print(f"   ratio {ratio:.2f}x  {verdict(ratio <= 1.05)}")
    teardown = [PYTHON, "-c", f"import sys; from lrviz.cli.app import main; sys.exit(main({args!r}))"]
    fast, slow = pair([*LRVIZ, *args], teardown, rounds, work, env)
    print(f"   exit: os._exit after flushing {median(fast):.3f}", end="")
    print(f"   the interpreter's teardown {median(slow):.3f}   ({median(fast) / median(slow) - 1:+.0%})")


GOALS = {1: startup_goal, 2: plain_script_goal, 3: million_goal, 6: sweep_goal, 7: export_goal, 8: floor_goal}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (noisier)")
    parser.add_argument("--goal", type=int, action="append", choices=sorted(GOALS), help="only this goal (repeatable)")
    options = parser.parse_args()
    fast_rounds, slow_rounds = (3, 1) if options.quick else (7, 3)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    env.pop("_LRVIZ_COMPLETE", None)
    work = Path(tempfile.mkdtemp(prefix="lrviz-bench-"))
    print(f"lrviz benchmark: python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(f"(medians of {fast_rounds} alternating rounds, {slow_rounds} for the 1M- and 10M-step cases;", end="")
    print(" wall seconds)\n")
    for number, goal in GOALS.items():
        if not options.goal or number in options.goal:
            goal(work, env, slow_rounds if number in (3, 6, 7) else fast_rounds)
    print(f"\n(load at the end: {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
