"""The bad-input contract (DESIGN.md): every mistake exits 2 with one `Error:` line and touches nothing.

Each case runs the real command line in a fresh directory holding a precious `keep.png` and
`keep.json` (and any input files the case needs); afterwards those are unchanged and no other
file exists.
"""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrviz.errors import printable

PRECIOUS = b"precious: a failed run must not touch this"

# A "billion laughs" spec: seven levels of ten aliases each stand for 10**7 values.
LAUGHS = (
    "defs:\n"
    + "  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"  {c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdef", "bcdefg", strict=True))
    + "scheduler: {type: exp, gamma: 0.5}\n"
)
LONG = "x" * 300  # longer than a file name may be (255 bytes on Linux file systems)
# A sweep of three 1,000-value lists: 10**9 combinations, refused before any is built.
CARTESIAN = (
    "steps: 3\nscheduler: {type: step, step_size: 1}\n"
    f"sweep: {{step_size: {list(range(1, 1001))}, gamma: {[k / 1001 for k in range(1, 1001)]}, "
    f"lr: {[k / 1001 for k in range(1, 1001)]}}}\n"
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
    # issue 9: hostile input
    Case(
        "terminal escape in a YAML value",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: scheduler.type: unknown scheduler '\\x1b]0;TITLE\\x07' (`lrviz list` shows them all)",
        {"spec.yaml": 'scheduler: {type: "\\e]0;TITLE\\a"}\n'},
    ),
    Case(
        "clipboard escape in a YAML key",
        ["export", "spec.yaml"],
        "Error: spec.yaml:2: \\x1b]52;c;cHduZWQ=\\x07: unknown key '\\x1b]52;c;cHduZWQ=\\x07' (expected one of: "
        "title, lr, steps, curves, style, vars, steps_per_epoch, label, scheduler, sweep, warmup, floor, param_groups, metric, optimizer, series)",
        {"spec.yaml": 'scheduler: {type: exp, gamma: 0.5}\n"\\e]52;c;cHduZWQ=\\a": 1\n'},
    ),
    Case(
        "screen-clearing escape in a flag",
        ["export", "exp", "--gamma", "0.5", "--\x1b[2J"],
        "Error: --\\x1b[2J: unknown option",  # not "expected a value after it": no one takes this flag (issue 10)
        {},
    ),
    Case(
        "YAML integer too large for a float",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: scheduler.gamma: expected a finite number, got an integer of about 401 digits",
        {"spec.yaml": "scheduler: {type: exp, gamma: 1" + "0" * 400 + "}\n"},
    ),
    Case(
        "YAML integer of 5001 digits",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: number too large: 5,001 digits",
        {"spec.yaml": "steps: 1" + "0" * 5000 + "\nscheduler: {type: exp, gamma: 0.5}\n"},
    ),
    Case(
        "integers whose product overflows",
        ["export", "onecycle", "--max-lr", "0.1", "--epochs", "1e200", "--steps-per-epoch", "1e200"],
        "Error: --epochs: must be at most 1,000,000,000,000,000 in size, got 1e+200",
        {},
    ),
    Case(
        "expression nested too deep",
        ["export", "lambda", "--lr-lambda", "-" * 990 + "1"],
        f"Error: --lr-lambda: nested more than 50 levels deep in expression '{'-' * 990}1'",
        {},
    ),
    Case(
        "expression rounding to a billion digits",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: scheduler.lr_lambda: cannot evaluate at epoch 0 (round's digits must be an integer "
        "from -400 to 400) in expression 'round(7, -1000000000)'",
        {"spec.yaml": 'scheduler: {type: LambdaLR, lr_lambda: "round(7, -1000000000)"}\nsteps: 3\n'},
    ),
    Case(
        "figure width near zero",
        ["plot", "cosine", "--t-max", "10", "--width", "1e-300"],
        "Error: --width: must be at least 1 inches, got 1e-300",
        {},
    ),
    Case(
        "dpi near zero",
        ["plot", "cosine", "--t-max", "10", "--dpi", "1e-9"],
        "Error: --dpi: must be at least 10 dots per inch, got 1e-09",
        {},
    ),
    Case(
        "label that is bad mathtext",
        ["plot", "cosine", "--t-max", "10", "--label", "$\\foo$"],
        "Error: --label: cannot draw '$\\\\foo$' as mathtext (Unknown symbol: \\foo, found '\\' (at char 0), "
        "(line:1, col:1)); write \\$ for a literal dollar sign",
        {},
    ),
    Case(
        "YAML title that is bad mathtext",
        ["plot", "spec.yaml"],
        "Error: spec.yaml:2: title: cannot draw '$x^$' as mathtext (Expected {phantom | llap | rlap | accent | "
        "symbol | function | operatorname | g…); write \\$ for a literal dollar sign",
        {"spec.yaml": 'scheduler: {type: exp, gamma: 0.5}\ntitle: "$x^$"\n'},
    ),
    Case(
        "style file with text.usetex",
        ["plot", "cosine", "--t-max", "10", "--style", "tex.mplstyle"],
        "Error: --style: in style file 'tex.mplstyle': text.usetex is not supported (it needs a LaTeX "
        "installation); lrviz draws text with matplotlib's own mathtext",
        {"tex.mplstyle": "text.usetex: True\n"},
    ),
    Case(
        "style file around the pixel limit",
        ["plot", "spec.yaml"],
        "Error: spec.yaml:2: style.use: a width of 700 in; must be from 1 to 100 in",
        {
            "big.mplstyle": "figure.figsize: 700, 700\n",
            "spec.yaml": "scheduler: {type: exp, gamma: 0.5}\nstyle: {use: big.mplstyle}\n",
        },
    ),
    Case(
        "bad style file found before the warnings",
        ["plot", "cosine", "--t-max", "100", "--steps", "400", "--style", "bad.mplstyle"],
        "Error: --style: in style file 'bad.mplstyle': Bad key lines.linewidht in file bad.mplstyle, line 1 "
        "('lines.linewidht: 2')",
        {"bad.mplstyle": "lines.linewidht: 2\n"},
    ),
    Case(
        "output name too long",
        ["export", "cosine", "--t-max", "5", "-o", LONG + ".json"],
        f"Error: --output: cannot write '{LONG}.json': file name too long",
        {},
    ),
    Case("spec name too long", ["export", LONG + ".yaml"], f"Error: {LONG}.yaml: cannot read: File name too long", {}),
    Case(
        "style name too long",
        ["plot", "cosine", "--t-max", "5", "--style", LONG + ".mplstyle"],
        f"Error: --style: cannot read style file '{LONG}.mplstyle': File name too long",
        {},
    ),
    Case(
        "negative synthetic seed",
        ["export", "plateau", "--metric", "synthetic:-1"],
        "Error: --metric: the seed must be a non-negative integer, got -1",
        {},
    ),
    Case(
        "synthetic seed not a number",
        ["export", "plateau", "--metric", "synthetic:abc"],
        "Error: --metric: expected an integer, got 'abc'",
        {},
    ),
    Case(
        "metric CSV column missing",
        ["export", "plateau", "--metric", "m.csv:val"],
        "Error: --metric: m.csv has no column 'val' (columns: a, b)",
        {"m.csv": "a,b\n1,2\n"},
    ),
    Case(
        "YAML unknown synthetic metric key",
        ["export", "spec.yaml"],
        "Error: spec.yaml:2: metric.synthetic.nosie: unknown synthetic metric key 'nosie'; did you mean 'noise'?",
        {"spec.yaml": "scheduler: {type: plateau}\nmetric: {synthetic: {nosie: 0.5}}\nsteps: 10\n"},
    ),
    Case(
        "Cartesian sweep of a billion curves",
        ["export", "spec.yaml"],
        "Error: spec.yaml:3: sweep: the sweep makes 1,000,000,000 curves; at most 200",
        {"spec.yaml": CARTESIAN},
    ),
    Case(
        "gallery over the work bound",
        ["gallery", "cfg", "-o", "out"],
        "Error: cfg/a.yaml, cfg/b.yaml, cfg/c.yaml: 3 curves of up to 7,000,000 steps make 21,000,000 steps in "
        "all; at most 20,000,000 per command (fewer steps or fewer curves)",
        {"cfg/": "", **{f"cfg/{name}.yaml": "steps: 7000000\nscheduler: {type: exp, gamma: 0.5}\n" for name in "abc"}},
    ),
    Case(
        "gallery title that is bad mathtext",
        ["gallery", "cfg", "-o", "out"],
        "Error: cfg/b.yaml:2: title: cannot draw '$x^$' as mathtext (Expected {phantom | llap | rlap | accent | "
        "symbol | function | operatorname | g…); write \\$ for a literal dollar sign",
        {
            "cfg/": "",
            "cfg/a.yaml": "scheduler: {type: exp, gamma: 0.5}\n",
            "cfg/b.yaml": 'scheduler: {type: exp, gamma: 0.5}\ntitle: "$x^$"\n',
        },
    ),
    Case(
        "too many param groups",
        ["export", "spec.yaml"],
        "Error: spec.yaml:4: param_groups: 101 param groups; at most 100",
        {"spec.yaml": "steps: 10\nscheduler: {type: exp, gamma: 0.5}\nparam_groups:\n" + "  - {}\n" * 101},
    ),
    Case(
        "param groups times steps over the work bound",
        ["export", "spec.yaml"],
        "Error: spec.yaml:1: steps: 100 param groups (in 1 curve) of up to 300,000 steps make 30,000,000 steps in "
        "all; at most 20,000,000 per command (fewer steps, curves or param groups)",
        {"spec.yaml": "steps: 300000\nscheduler: {type: exp, gamma: 0.5}\nparam_groups: [" + "{}, " * 99 + "{}]\n"},
    ),
    Case(
        "empty output name",
        ["plot", "cosine", "--t-max", "10", "-o", ""],
        "Error: --output: expected a file name, got ''",
        {},
    ),
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
    import lrviz.simulation.stepping

    (tmp_path / "keep.png").write_bytes(PRECIOUS)
    monkeypatch.setattr(lrviz.output.os, "access", lambda path, mode: False)
    monkeypatch.setattr(lrviz.simulation.stepping, "simulate", lambda spec: pytest.fail("simulated before refusing"))
    result = cli("plot", "cosine", "--t-max", "10", "-o", "keep.png")
    assert (result.code, result.err) == (2, "Error: --output: cannot write 'keep.png': permission denied\n")
    assert (tmp_path / "keep.png").read_bytes() == PRECIOUS


# --------------------------------------------------------------------------- issue 9: beyond the table

ESCAPES = "\x1b]0;TITLE\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J"  # retitle, write the clipboard, clear the screen
ESCAPED = "\\x1b]0;TITLE\\x07\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J"
HOSTILE_SPEC = (
    "curves:\n"
    "  - label: 'cosine \\u00d7 \\u03b7 \\u2192 {escapes}'\n"
    "    steps: 40\n"
    "    scheduler: {{type: cosine, T_max: 20}}\n"
    "    param_groups: [{{name: 'head {escapes}'}}, {{name: body, lr_scale: 0.5}}]\n"
    "  - label: 'step {escapes}'\n"
    "    steps: 40\n"
    "    scheduler: {{type: step, step_size: 10}}\n"
)


def _hostile_spec(tmp_path: Path) -> None:
    escapes = ESCAPES.replace("\x1b", "\\e").replace("\x07", "\\a")
    (tmp_path / "spec.yaml").write_text(HOSTILE_SPEC.format(escapes=escapes).replace("'", '"'))


def test_user_text_is_printed_with_control_characters_escaped(cli, tmp_path, monkeypatch):
    """Labels in the table, the terminal chart, the warnings and `check`'s findings: escaped, never raw;
    ordinary unicode (×, η, →) stays readable."""
    monkeypatch.setenv("COLUMNS", "300")  # a row per line: the labels are not wrapped into columns
    _hostile_spec(tmp_path)
    plotted = cli("plot", "spec.yaml", "--term", "--no-save")
    checked = cli("check", "spec.yaml")
    assert (plotted.code, checked.code) == (0, 1)  # the cosine climbs back after T_max: a warning
    for text in (plotted.out, plotted.err, checked.out):
        assert "\x1b" not in text and "\x07" not in text
    assert f"[head {ESCAPED}]" in plotted.out  # the row of that param group
    assert "Warning: " in plotted.err and ESCAPED in plotted.err
    assert "cosine × η →" in plotted.out and ESCAPED in checked.out


def test_generated_code_keeps_hostile_names_inert(cli, tmp_path):
    """A newline in a param group's, metric's or curve's name cannot end the comment it is written
    into: the generated script runs, and the payload after the newline does not."""
    payload = "\\nimport pathlib; pathlib.Path('pwned').touch()  # "
    (tmp_path / "spec.yaml").write_text(
        "curves:\n"
        f'  - label: "first{payload}"\n'
        "    steps: 12\n"
        "    scheduler: {type: plateau, patience: 1}\n"
        f'    metric: {{synthetic: {{seed: 0}}, name: "loss{payload}"}}\n'
        f'    param_groups: [{{name: "head{payload}"}}, {{name: "body\\rimport os; os.system(\'touch pwned\')"}}]\n'
        "  - label: second\n"
        "    steps: 12\n"
        "    scheduler: {type: exp, gamma: 0.5}\n"
    )
    result = cli("plot", "spec.yaml", "--code", "--no-save")
    assert result.code == 0, result.err
    (tmp_path / "snippet.py").write_text(result.out)
    done = subprocess.run(
        [sys.executable, "snippet.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "pwned").exists()
    assert "},  # " + repr("head\nimport pathlib; pathlib.Path('pwned').touch()  # ") in result.out


def _lrviz(args: list[str], cwd: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """The real entry point in a subprocess (for what only a process shows: a hang, a signal, an encoding)."""
    return subprocess.run(
        [sys.executable, "-m", "lrviz", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **env},
        check=False,
    )


NOT_REGULAR = [
    ("spec FIFO", ["export", "fifo.yaml"], "Error: fifo.yaml: cannot read: not a regular file (a named pipe)"),
    (
        "spec symlink to /dev/zero",
        ["export", "zero.yaml"],
        "Error: zero.yaml: cannot read: not a regular file (a character device)",
    ),
    (
        "metric CSV FIFO",
        ["export", "plateau", "--metric", "fifo.csv:val", "--steps", "5"],
        "Error: --metric: cannot read metric file fifo.csv: not a regular file (a named pipe)",
    ),
    (
        "metric CSV /dev/zero",
        ["export", "csv.yaml"],
        "Error: csv.yaml:2: metric.csv: cannot read metric file /dev/zero: not a regular file (a character device)",
    ),
    (
        "style FIFO",
        ["plot", "cosine", "--t-max", "5", "--style", "fifo.mplstyle", "-o", "out.png"],
        "Error: --style: cannot read style file 'fifo.mplstyle': not a regular file (a named pipe)",
    ),
    (
        "style symlink to /dev/urandom",
        ["plot", "cosine", "--t-max", "5", "--style", "random.mplstyle", "-o", "out.png"],
        "Error: --style: cannot read style file 'random.mplstyle': not a regular file (a character device)",
    ),
]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize(("args", "error"), [case[1:] for case in NOT_REGULAR], ids=[case[0] for case in NOT_REGULAR])
def test_files_that_are_not_regular_are_refused_without_waiting(tmp_path, args, error):
    """A FIFO would block the read forever, /dev/zero fill memory: both refused before reading."""
    for name in ("fifo.yaml", "fifo.csv", "fifo.mplstyle"):
        os.mkfifo(tmp_path / name)
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    (tmp_path / "random.mplstyle").symlink_to("/dev/urandom")
    (tmp_path / "csv.yaml").write_text("scheduler: {type: plateau}\nmetric: {csv: /dev/zero, column: val}\nsteps: 5\n")
    done = _lrviz(args, tmp_path, timeout=60)
    assert (done.returncode, done.stderr) == (2, error + "\n")
    assert not (tmp_path / "out.png").exists()


def test_unwritable_matplotlib_folders_print_nothing(tmp_path):
    """With HOME and MPLCONFIGDIR unusable, matplotlib's own warnings never reach stderr: bad input is
    still one line, and a figure is still drawn."""
    (tmp_path / "file").write_text("a file, so nothing can be created below it")
    unusable = {"HOME": str(tmp_path / "file"), "XDG_CONFIG_HOME": "", "XDG_CACHE_HOME": ""}
    bad = _lrviz(["plot", "cosine", "--t-max", "10", "--label", "$x^$", "-o", "out.png"], tmp_path, **unusable)
    assert bad.returncode == 2 and bad.stderr.startswith("Error: --label: cannot draw '$x^$' as mathtext")
    assert len(bad.stderr.splitlines()) == 1
    unusable_config = {"MPLCONFIGDIR": str(tmp_path / "file" / "matplotlib")}
    good = _lrviz(["plot", "cosine", "--t-max", "10", "-o", "out.png", "-q"], tmp_path, **unusable_config)
    assert (good.returncode, good.stderr) == (0, "")
    assert (tmp_path / "out.png").read_bytes().startswith(b"\x89PNG")


def test_sigterm_while_writing_removes_the_temporary_file(tmp_path):
    """SIGTERM in the middle of an atomic write leaves neither a temporary file nor a partial output."""
    script = (
        "import pathlib, time\n"
        "from lrviz.output import write_atomic\n"
        "def write(handle):\n"
        "    handle.write(b'half a file')\n"
        "    handle.flush()\n"
        "    pathlib.Path('writing').touch()\n"
        "    time.sleep(60)\n"
        "write_atomic('out.json', write)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path)
    try:
        for _ in range(600):  # up to 60 s for the interpreter to start and reach the write
            if (tmp_path / "writing").exists() or process.poll() is not None:
                break
            time.sleep(0.1)
        assert any(p.name.startswith(".out.json.") for p in tmp_path.iterdir())  # mid-write
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        process.kill()
        process.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["writing"]


def test_chart_on_an_ascii_terminal_is_skipped_with_a_note(tmp_path):
    """stdout that cannot encode braille (PYTHONIOENCODING=ascii): no crash, the table, a one-line note;
    a non-ASCII label is written with backslash escapes."""
    done = _lrviz(
        ["plot", "cosine", "--t-max", "10", "--term", "--label", "η → 0", "-o", "out.png"],
        tmp_path,
        PYTHONIOENCODING="ascii",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "note: no terminal chart: it is drawn in braille, which ascii cannot encode",
        "wrote out.png",
    ]
    assert "\\u03b7 \\u2192 0" in done.stdout and "0.002447" in done.stdout


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_printable_escapes_exactly_what_cannot_be_shown(text):
    """Whatever the text: nothing non-printable survives, printable text is left alone, and each
    escape is the one repr writes (so it reads back as the original character)."""
    shown = printable(text)
    assert shown.isprintable()
    if text.isprintable():
        assert shown == text
    if "\\" not in text:  # a backslash the user typed is shown as it is, so it would not read back
        assert ast.literal_eval("'" + shown.replace("'", "\\'") + "'") == text


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_names_in_generated_code_never_change_the_code(group_name, label):
    """The code `--code` writes for any param group name and label is the code it writes for plain
    ones: user text reaches only comments, as literals, never a statement."""
    from lrviz.report.code import pytorch_code
    from lrviz.spec.model import spec_from_dict

    def code_for(name: str, text: str) -> ast.Module:
        curve = {"scheduler": {"type": "exp", "gamma": 0.5}, "steps": 3, "label": text}
        spec = spec_from_dict({"curves": [{**curve, "param_groups": [{"name": name}, {"name": "b"}]}, curve]})
        return ast.dump(ast.parse(pytorch_code(spec)))

    assert code_for(group_name, label) == code_for("a", "plain")


def test_csv_export_escapes_control_characters_in_labels(cli, tmp_path):
    # without -o the CSV goes to the terminal: a label must not retitle it (OSC 0) or ring it
    (tmp_path / "h.yaml").write_text('label: "a\\x1b]0;pwn\\x07b"\nscheduler: {type: cosine, T_max: 3}\n')
    result = cli("export", "h.yaml", "--format", "csv")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "step,a\\x1b]0;pwn\\x07b"
    assert "\x1b" not in result.out and "\x07" not in result.out
