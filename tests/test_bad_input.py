"""The bad-input contract (DESIGN.md): every mistake exits 2 with one `Error:` line and touches nothing.

Each case runs the real command line in a fresh directory holding a precious `keep.png` and
`keep.json` (and any input files the case needs); afterwards those are unchanged and no other
file exists.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import pytest

PRECIOUS = b"precious: a failed run must not touch this"

# A "billion laughs" spec: seven levels of ten aliases each stand for 10**7 values.
LAUGHS = (
    "defs:\n"
    + "  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"  {c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdef", "bcdefg", strict=True))
    + "scheduler: {type: exp, gamma: 0.5}\n"
)


class Case(NamedTuple):
    name: str
    args: list[str]
    error: str  # the one line on stderr
    files: dict[str, str | bytes]  # inputs to create first; a name ending in / is a directory


CASES = [
    Case(
        "unknown scheduler",
        ["plot", "cosin", "--t-max", "5"],
        "Error: NAME: unknown scheduler 'cosin'; did you mean 'cosine'? (`lrviz list` shows them all)",
        {},
    ),
    Case(
        "unknown scheduler, no suggestion",
        ["export", "foo"],
        "Error: NAME: unknown scheduler 'foo' (`lrviz list` shows them all)",
        {},
    ),
    Case(
        "misspelled parameter",
        ["export", "cosine", "--t-mx", "5"],
        "Error: --t-mx: unknown option for CosineAnnealingLR; did you mean '--t-max'?",
        {},
    ),
    Case("unknown option", ["export", "exp", "-g", "0.5"], "Error: -g: unknown option", {}),
    Case(
        "missing required parameter",
        ["export", "cosine"],
        "Error: --t-max: CosineAnnealingLR needs --t-max: Maximum number of iterations",
        {},
    ),
    Case("missing value", ["export", "cosine", "--t-max"], "Error: --t-max: expected a value after it", {}),
    Case(
        "parameter given twice", ["export", "cosine", "--t-max", "5", "--t-max", "6"], "Error: --t-max: given twice", {}
    ),
    Case(
        "wrong type int", ["export", "cosine", "--t-max", "abc"], "Error: --t-max: expected an integer, got 'abc'", {}
    ),
    Case(
        "wrong type bool",
        ["export", "onecycle", "--max-lr", "0.1", "--total-steps", "10", "--three-phase", "maybe"],
        "Error: --three-phase: expected true or false, got 'maybe'",
        {},
    ),
    Case(
        "bad choice",
        ["export", "onecycle", "--max-lr", "0.1", "--total-steps", "10", "--anneal-strategy", "cosine"],
        "Error: --anneal-strategy: expected one of cos, linear, got 'cosine'; did you mean 'cos'?",
        {},
    ),
    Case("nan", ["export", "exp", "--gamma", "nan"], "Error: --gamma: expected a finite number, got nan", {}),
    Case(
        "inf",
        ["export", "cosine", "--t-max", "10", "--eta-min", "inf"],
        "Error: --eta-min: expected a finite number, got inf",
        {},
    ),
    Case(
        "negative gamma", ["export", "exp", "--gamma", "-0.5"], "Error: --gamma: must be greater than 0, got -0.5", {}
    ),
    Case(
        "negative eta_min",
        ["export", "cosine", "--t-max", "10", "--eta-min", "-1"],
        "Error: --eta-min: must be at least 0, got -1",
        {},
    ),
    Case("zero lr", ["export", "exp", "--gamma", "0.5", "--lr", "0"], "Error: --lr: must be positive, got 0", {}),
    Case(
        "negative lr",
        ["export", "exp", "--gamma", "0.5", "--lr", "-0.1"],
        "Error: --lr: must be positive, got -0.1",
        {},
    ),
    Case(
        "fractional milestone",
        ["export", "multistep", "--milestones", "10,20.5"],
        "Error: --milestones: expected integer steps, got '20.5' (torch compares milestones with the integer step count, so a fractional one never fires)",
        {},
    ),
    Case(
        "empty milestones",
        ["export", "multistep", "--milestones", ""],
        "Error: --milestones: expected at least one milestone (integer steps)",
        {},
    ),
    Case(
        "fractional T_max", ["export", "cosine", "--t-max", "1.5"], "Error: --t-max: expected an integer, got '1.5'", {}
    ),
    Case(
        "fractional T_mult",
        ["export", "sgdr", "--t-0", "10", "--t-mult", "1.5"],
        "Error: --t-mult: expected an integer, got '1.5'",
        {},
    ),
    Case("zero step_size", ["export", "step", "--step-size", "0"], "Error: --step-size: must be at least 1, got 0", {}),
    Case(
        "zero steps",
        ["export", "exp", "--gamma", "0.5", "--steps", "0"],
        "Error: --steps: must be at least 1, got 0",
        {},
    ),
    Case(
        "negative steps",
        ["export", "exp", "--gamma", "0.5", "--steps", "-3"],
        "Error: --steps: must be at least 1, got -3",
        {},
    ),
    Case(
        "fractional steps",
        ["export", "exp", "--gamma", "0.5", "--steps", "2.5"],
        "Error: --steps: expected an integer, got '2.5'",
        {},
    ),
    Case(
        "absurd steps",
        ["export", "exp", "--gamma", "0.5", "--steps", "1e12"],
        "Error: --steps: must be at most 10,000,000 per curve, got 1,000,000,000,000",
        {},
    ),
    Case(
        "sweep too much work",
        ["export", "exp", "--gamma", "0.5,0.6,0.7", "--steps", "10000000"],
        "Error: --steps: 3 curves of up to 10,000,000 steps make 30,000,000 steps in all; at most 20,000,000 per command (fewer steps or fewer curves)",
        {},
    ),
    Case(
        "default run too long",
        ["export", "cosine", "--t-max", "50000000"],
        "Error: --steps: CosineAnnealingLR(T_max=50000000) makes a default run of 50,000,000 steps, more than the 10,000,000 allowed per curve; give steps explicitly",
        {},
    ),
    Case(
        "too many curves",
        [
            "export",
            "exp",
            "--gamma",
            "0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5",
        ],
        "Error: --gamma: the sweep makes 201 curves; at most 200",
        {},
    ),
    Case(
        "ConstantLR divides by factor 0",
        ["export", "constant", "--factor", "0"],
        "Error: --factor: must be greater than 0 for ConstantLR (torch divides by it at total_iters)",
        {},
    ),
    Case(
        "OneCycleLR zero-length phase",
        ["export", "onecycle", "--max-lr", "0.1", "--total-steps", "10", "--pct-start", "1"],
        "Error: --pct-start: pct_start=1 with 10 total steps leaves a phase of OneCycleLR zero steps long, and torch divides by a phase's length; choose another pct_start",
        {},
    ),
    Case(
        "OneCycleLR without length",
        ["export", "onecycle", "--max-lr", "0.1"],
        "Error: --total-steps: OneCycleLR needs total_steps (--total-steps), or both epochs and steps_per_epoch",
        {},
    ),
    Case(
        "plateau factor 1",
        ["export", "plateau", "--factor", "1"],
        "Error: --factor: must be less than 1 (torch: 'Factor should be < 1.0'), got 1",
        {},
    ),
    Case(
        "cyclic max below base",
        ["export", "cyclic", "--base-lr", "0.1", "--max-lr", "0.01"],
        "Error: --max-lr: max_lr (0.01) is below base_lr (0.1)",
        {},
    ),
    Case(
        "run longer than OneCycleLR",
        ["export", "onecycle", "--max-lr", "0.1", "--total-steps", "100", "--steps", "101"],
        "Error: --steps: 101 steps is longer than OneCycleLR allows: it was built for 100 steps and torch raises 'Tried to step 101 times' on the scheduler.step() after optimizer step 100; set --total-steps to at least 101 or --steps to at most 100",
        {},
    ),
    Case(
        "LR overflows",
        ["export", "exp", "--gamma", "10", "--steps", "400"],
        "Error: ExponentialLR flags: the LR of ExponentialLR(gamma=10) is inf from step 310: torch's value overflows (a factor above 1 compounds every step); `lrviz check` shows the details",
        {},
    ),
    Case(
        "expression import",
        ["export", "lambda", "--lr-lambda", "__import__('os').system('true')"],
        "Error: --lr-lambda: attribute access is not allowed in expression \"__import__('os').system('true')\"",
        {},
    ),
    Case(
        "expression attribute",
        ["export", "lambda", "--lr-lambda", "epoch.__class__"],
        "Error: --lr-lambda: attribute access is not allowed in expression 'epoch.__class__'",
        {},
    ),
    Case(
        "expression huge power",
        ["export", "lambda", "--lr-lambda", "9 ** 9 ** 9"],
        "Error: --lr-lambda: number too large at epoch 0 in expression '9 ** 9 ** 9'",
        {},
    ),
    Case(
        "expression division by zero",
        ["export", "lambda", "--lr-lambda", "1 / epoch"],
        "Error: --lr-lambda: division by zero at epoch 0 in expression '1 / epoch'",
        {},
    ),
    Case(
        "warmup factor without steps",
        ["export", "exp", "--gamma", "0.5", "--warmup-factor", "0.1"],
        "Error: --warmup-factor: warmup needs --warmup-steps",
        {},
    ),
    Case(
        "warmup factor above 1",
        ["export", "exp", "--gamma", "0.5", "--warmup-steps", "5", "--warmup-factor", "2"],
        "Error: --warmup-factor: must be between 0 and 1, got 2",
        {},
    ),
    Case(
        "unsupported output suffix",
        ["plot", "cosine", "--t-max", "10", "-o", "x.gif"],
        "Error: --output: unsupported output format '.gif' in 'x.gif'; use one of .png, .svg, .pdf",
        {},
    ),
    Case(
        "output without suffix",
        ["export", "cosine", "--t-max", "10", "-o", "out"],
        "Error: --output: unsupported output format no suffix in 'out'; use one of .json, .csv",
        {},
    ),
    Case(
        "output directory missing",
        ["plot", "cosine", "--t-max", "10", "-o", "no/such/dir/x.png"],
        "Error: --output: cannot write 'no/such/dir/x.png': directory 'no/such/dir' does not exist",
        {},
    ),
    Case(
        "output is a directory",
        ["plot", "cosine", "--t-max", "10", "-o", "sub.png"],
        "Error: --output: cannot write 'sub.png': it is a directory",
        {"sub.png/": ""},
    ),
    Case(
        "format mismatch",
        ["export", "cosine", "--t-max", "10", "--format", "csv", "-o", "keep.json"],
        "Error: --format: --format csv does not match the suffix of 'keep.json'",
        {},
    ),
    Case(
        "unknown format",
        ["export", "cosine", "--t-max", "10", "--format", "xml"],
        "Error: --format: expected json or csv, got 'xml'",
        {},
    ),
    Case("unknown command", ["plott", "cosine"], "Error: No such command 'plott'. Did you mean 'plot'?", {}),
    Case(
        "flags with a YAML file",
        ["export", "spec.yaml", "--gamma", "0.5"],
        "Error: --gamma: scheduler flags cannot be combined with a YAML file: put them in the file",
        {"spec.yaml": "scheduler: {type: exp, gamma: 0.5}\n"},
    ),
    Case(
        "compare with flags",
        ["compare", "cosine", "--t-max", "5"],
        "Error: --t-max: unknown option for compare (scheduler flags belong in the YAML files)",
        {},
    ),
    Case("missing YAML", ["export", "missing.yaml"], "Error: missing.yaml: no such file", {}),
    Case(
        "empty YAML",
        ["export", "spec.yaml"],
        "Error: spec.yaml: the file is empty: expected a mapping with 'scheduler' or 'curves'",
        {"spec.yaml": ""},
    ),
    Case(
        "comment-only YAML",
        ["export", "spec.yaml"],
        "Error: spec.yaml: the file is empty: expected a mapping with 'scheduler' or 'curves'",
        {"spec.yaml": "# nothing here\n"},
    ),
    Case(
        "malformed YAML",
        ["export", "spec.yaml"],
        "Error: spec.yaml:2: malformed YAML: expected ',' or '}', but got '<stream end>'",
        {"spec.yaml": "scheduler: {type: cosine\n"},
    ),
    Case(
        "YAML tab",
        ["export", "spec.yaml"],
        "Error: spec.yaml:2: malformed YAML: found character '\\t' that cannot start any token",
        {"spec.yaml": "scheduler:\n\ttype: cosine\n"},
    ),
    Case(
        "YAML list at top",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: expected a mapping of keys (title, lr, steps, curves, ...), got a list",
        {"spec.yaml": "- scheduler: cosine\n"},
    ),
    Case(
        "YAML empty curves",
        ["export", "spec.yaml"],
        "Error: spec.yaml:2: curves: the list of curves is empty",
        {"spec.yaml": "steps: 10\ncurves: []\n"},
    ),
    Case(
        "YAML curves not a list",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: curves: expected a list of curves",
        {"spec.yaml": "curves: {scheduler: cosine}\n"},
    ),
    Case(
        "YAML misspelled top key",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: step: unknown key 'step'; did you mean 'steps'?",
        {"spec.yaml": "step: 10\nscheduler: {type: exp, gamma: 0.5}\n"},
    ),
    Case(
        "YAML misspelled parameter",
        ["export", "spec.yaml"],
        "Error: spec.yaml:4: scheduler.gamm: unknown parameter for ExponentialLR; did you mean 'gamma'?",
        {"spec.yaml": "steps: 10\nscheduler:\n  type: ExponentialLR\n  gamm: 0.5\n"},
    ),
    Case(
        "YAML unknown scheduler",
        ["export", "spec.yaml"],
        "Error: spec.yaml:2: curves[0].scheduler.type: unknown scheduler 'cosin'; did you mean 'cosine'? (`lrviz list` shows them all)",
        {"spec.yaml": "curves:\n  - scheduler: {type: cosin, T_max: 5}\n"},
    ),
    Case(
        "YAML missing type",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: scheduler: missing key 'type' (a torch scheduler class name or alias)",
        {"spec.yaml": "scheduler: {T_max: 5}\n"},
    ),
    Case(
        "YAML missing required",
        ["export", "spec.yaml"],
        "Error: spec.yaml:2: curves[0].scheduler: StepLR needs step_size: Period of learning rate decay",
        {"spec.yaml": "curves:\n  - scheduler: {type: StepLR}\n"},
    ),
    Case(
        "YAML wrong type",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: scheduler.T_max: expected an integer, got a list",
        {"spec.yaml": "scheduler: {type: cosine, T_max: [5]}\n"},
    ),
    Case(
        "YAML bool for int",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: scheduler.T_max: expected an integer, got True",
        {"spec.yaml": "scheduler: {type: cosine, T_max: yes}\n"},
    ),
    Case(
        "YAML .nan",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: scheduler.gamma: expected a finite number, got nan",
        {"spec.yaml": "scheduler: {type: exp, gamma: .nan}\n"},
    ),
    Case(
        "YAML fractional milestone",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: scheduler.milestones: expected integer steps, got 20.5 (torch compares milestones with the integer step count, so a fractional one never fires)",
        {"spec.yaml": "scheduler: {type: multistep, milestones: [10, 20.5]}\n"},
    ),
    Case(
        "YAML zero steps",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: steps: must be at least 1, got 0",
        {"spec.yaml": "steps: 0\nscheduler: {type: exp, gamma: 0.5}\n"},
    ),
    Case(
        "YAML absurd steps",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: steps: must be at most 10,000,000 per curve, got 100,000,000",
        {"spec.yaml": "steps: 100000000\nscheduler: {type: exp, gamma: 0.5}\n"},
    ),
    Case(
        "YAML duplicate key",
        ["export", "spec.yaml"],
        "Error: spec.yaml:2: duplicate key 'scheduler'",
        {"spec.yaml": "scheduler: {type: exp, gamma: 0.5}\nscheduler: {type: exp, gamma: 0.9}\n"},
    ),
    Case(
        "YAML python object tag",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: unsupported YAML (could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'): lrviz reads plain YAML only",
        {"spec.yaml": "scheduler: !!python/object/apply:os.system ['touch pwned']\n"},
    ),
    Case(
        "YAML python name tag",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: unsupported YAML (could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os.system'): lrviz reads plain YAML only",
        {"spec.yaml": "scheduler: {type: exp, gamma: !!python/name:os.system }\n"},
    ),
    Case(
        "YAML billion laughs",
        ["export", "spec.yaml"],
        "Error: spec.yaml:6: the YAML expands (through its aliases) to more than 100,000 values; lrviz reads spec files, not data",
        {"spec.yaml": LAUGHS},
    ),
    Case(
        "YAML recursive alias",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: unsupported YAML (found unconstructable recursive node): lrviz reads plain YAML only",
        {"spec.yaml": "scheduler: &a {type: exp, gamma: *a}\n"},
    ),
    Case(
        "YAML expression import",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: scheduler.lr_lambda: unknown function '__import__' (allowed: abs, acos, asin, atan, ceil, cos, cosh, exp, float, floor, int, log, log10, log2, max, min, pow, round, sin, sinh, sqrt, tan, tanh) in expression \"__import__('os')\"",
        {"spec.yaml": "scheduler: {type: LambdaLR, lr_lambda: \"__import__('os')\"}\n"},
    ),
    Case(
        "YAML SequentialLR milestone count",
        ["export", "spec.yaml"],
        "Error: spec.yaml:3: scheduler.milestones: SequentialLR needs one milestone fewer than schedulers: 2 schedulers, 2 milestones",
        {
            "spec.yaml": "scheduler:\n  type: SequentialLR\n  milestones: [5, 10]\n  schedulers:\n    - {type: LinearLR, total_iters: 5}\n    - {type: ExponentialLR, gamma: 0.9}\n"
        },
    ),
    Case(
        "YAML nested division by zero",
        ["export", "spec.yaml"],
        "Error: spec.yaml:5: scheduler.schedulers[0].factor: must be greater than 0 for ConstantLR (torch divides by it at total_iters)",
        {
            "spec.yaml": "scheduler:\n  type: SequentialLR\n  milestones: [5]\n  schedulers:\n    - {type: ConstantLR, factor: 0}\n    - {type: ExponentialLR, gamma: 0.9}\n"
        },
    ),
    Case(
        "YAML sweep not a list",
        ["export", "spec.yaml"],
        "Error: spec.yaml:2: sweep.gamma: expected a non-empty list of values",
        {"spec.yaml": "scheduler: {type: exp, gamma: 0.5}\nsweep: {gamma: 0.9}\n"},
    ),
    Case(
        "YAML not UTF-8",
        ["export", "spec.yaml"],
        "Error: spec.yaml: is not UTF-8 text",
        {"spec.yaml": b"scheduler: \xff\xfe\n"},
    ),
    Case(
        "YAML is a directory",
        ["export", "dir.yaml"],
        "Error: dir.yaml: is a directory, not a YAML file",
        {"dir.yaml/": ""},
    ),
    Case(
        "YAML too many total steps across files",
        ["compare", "a.yaml", "b.yaml", "c.yaml"],
        "Error: a.yaml, b.yaml, c.yaml: 3 curves of up to 7,000,000 steps make 21,000,000 steps in all; at most 20,000,000 per command (fewer steps or fewer curves)",
        {
            "a.yaml": "steps: 7000000\nscheduler: {type: exp, gamma: 0.5}\n",
            "b.yaml": "steps: 7000000\nscheduler: {type: exp, gamma: 0.5}\n",
            "c.yaml": "steps: 7000000\nscheduler: {type: exp, gamma: 0.5}\n",
        },
    ),
    Case(
        "check bad input",
        ["check", "cosine", "--t-mx", "5"],
        "Error: --t-mx: unknown option for CosineAnnealingLR; did you mean '--t-max'?",
        {},
    ),
    Case("check missing YAML", ["check", "missing.yaml"], "Error: missing.yaml: no such file", {}),
]


def _with_output(args: list[str]) -> list[str]:
    """Point plot/compare/export at the precious file, so a failure that wrote would show."""
    if "-o" in args or args[0] not in ("plot", "compare", "export"):
        return args
    return [*args, "-o", "keep.json" if args[0] == "export" else "keep.png"]


def _snapshot(directory: Path) -> dict[str, bytes | None]:
    return {
        str(path.relative_to(directory)): None if path.is_dir() else path.read_bytes()
        for path in sorted(directory.rglob("*"))
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_exits_2_with_one_error_line_and_touches_nothing(cli, tmp_path, case):
    (tmp_path / "keep.png").write_bytes(PRECIOUS)
    (tmp_path / "keep.json").write_bytes(PRECIOUS)
    for name, content in case.files.items():
        if name.endswith("/"):
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    before = _snapshot(tmp_path)

    result = cli(*_with_output(case.args))

    assert result.code == 2, result.err
    assert result.err == case.error + "\n"  # exactly one line
    assert result.err.startswith("Error: ")
    assert "Traceback" not in result.err
    assert _snapshot(tmp_path) == before  # nothing created, truncated or replaced
    assert not (tmp_path / "pwned").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_yaml(cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("scheduler: {type: exp, gamma: 0.5}\n")
    spec.chmod(0)
    result = cli("export", "spec.yaml")
    assert (result.code, result.err) == (2, "Error: spec.yaml: cannot read: Permission denied\n")


@pytest.mark.parametrize(
    ("exception", "code", "error"),
    [
        (
            OSError(28, "No space left on device"),
            2,
            "Error: --output: cannot write 'keep.png': No space left on device\n",
        ),
        (RuntimeError("renderer crashed"), 70, None),
    ],
    ids=["disk full", "a bug"],
)
def test_failure_while_rendering_leaves_the_existing_figure(cli, tmp_path, monkeypatch, exception, code, error):
    """A failure in the middle of writing the figure leaves the old file whole and no temporary behind."""
    import matplotlib.figure

    def fail_midway(self, handle, **kwargs):
        handle.write(b"half a png")
        raise exception

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", fail_midway)
    (tmp_path / "keep.png").write_bytes(PRECIOUS)
    result = cli("plot", "cosine", "--t-max", "10", "-o", "keep.png")
    assert result.code == code
    if error is not None:
        assert result.err == error
    assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png"]
    assert (tmp_path / "keep.png").read_bytes() == PRECIOUS


def test_failure_while_simulating_leaves_the_existing_export(cli, tmp_path):
    (tmp_path / "keep.csv").write_bytes(PRECIOUS)
    result = cli("export", "lambda", "--lr-lambda", "1 / (epoch - 5)", "--steps", "10", "-o", "keep.csv")
    assert result.code == 2
    assert result.err == "Error: --lr-lambda: division by zero at epoch 5 in expression '1 / (epoch - 5)'\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.csv"]
    assert (tmp_path / "keep.csv").read_bytes() == PRECIOUS


def test_unreadable_yaml_even_as_root(cli, tmp_path, monkeypatch):
    """The same refusal when the OS says no (root reads 0-mode files, so the OS is asked to say no)."""
    import lrviz.inputs

    (tmp_path / "spec.yaml").write_text("scheduler: {type: exp, gamma: 0.5}\n")
    open_file = os.open

    def refuse(path, *args, **kwargs):
        if str(path).endswith("spec.yaml"):
            raise PermissionError(13, "Permission denied")
        return open_file(path, *args, **kwargs)

    monkeypatch.setattr(lrviz.inputs.os, "open", refuse)
    result = cli("export", "spec.yaml")
    assert (result.code, result.err) == (2, "Error: spec.yaml: cannot read: Permission denied\n")


def test_unwritable_output_is_refused_before_any_work(cli, tmp_path, monkeypatch):
    import lrviz.output
    import lrviz.simulation

    (tmp_path / "keep.png").write_bytes(PRECIOUS)
    monkeypatch.setattr(lrviz.output.os, "access", lambda path, mode: False)
    monkeypatch.setattr(lrviz.simulation, "simulate", lambda spec: pytest.fail("simulated before refusing"))
    result = cli("plot", "cosine", "--t-max", "10", "-o", "keep.png")
    assert (result.code, result.err) == (2, "Error: --output: cannot write 'keep.png': permission denied\n")
    assert (tmp_path / "keep.png").read_bytes() == PRECIOUS
