"""Command-line tokens (`cosine --t-max 150`, or `a.yaml b.yaml`) turned into a Spec.

The scheduler's flags are not declared to the CLI library: they come from the registry, which
reads them from torch's signatures, so every torch parameter is a flag (`T_max` -> `--t-max`).
A value that lists alternatives is a sweep: commas for a scalar (`--gamma 0.9,0.95`), `;` between
lists for a list parameter (`--milestones "50,75;30,60,90"`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError
from lrviz.schedules import pytorch as registry
from lrviz.schedules.pytorch import Param, SchedulerInfo
from lrviz.spec.flagtable import CURVE, OPTIONS, curve_flags
from lrviz.spec.model import FlagLocator, Spec, Sweep, build_spec, merge_specs

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class CurveFlags:
    """The curve-level flags every spec-taking command declares."""

    lr: str | None = None
    steps: str | None = None
    label: str | None = None
    title: str | None = None
    warmup_steps: str | None = None
    warmup_factor: str | None = None
    warmup_method: str | None = None
    metric: str | None = None
    optimizer: str | None = None
    given: dict[str, str] = field(default_factory=dict)  # flag -> value, for errors

    def any_given(self) -> list[str]:
        """The curve options given, as flags (the ones a YAML file cannot be combined with)."""
        return [OPTIONS[name].flag for name in CURVE if name != "title" and getattr(self, name) is not None]


def is_spec_file(token: str) -> bool:
    """A YAML file's name, or an existing file's."""
    if token.lower().endswith(YAML_SUFFIXES):
        return True
    try:
        return Path(token).is_file()
    except OSError:  # e.g. a name too long to be a file's
        return False


def split_tokens(tokens: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Positional arguments, and (flag, value) pairs in the order given."""
    positionals: list[str] = []
    pairs: list[tuple[str, str]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.lower() in BOOLEAN_TOKEN_FLAGS and not _own_parameter(positionals, token):  # a switch: no value
            pairs.append((token.lower(), "true"))
        elif token.startswith("--") and len(token) > 2:
            flag, eq, value = token.partition("=")
            if not eq:
                if index + 1 >= len(tokens):
                    raise SpecError(_unknown(positionals, flag) or "expected a value after it", flag)
                value = tokens[index + 1]
                index += 1
            pairs.append((flag, value))
        elif token.startswith("-") and len(token) > 1 and not _is_number(token):
            raise SpecError("unknown option", token)
        else:
            positionals.append(token)
        index += 1
    return positionals, pairs


def _common_flags() -> list[str]:
    """The flags any scheduler takes: the curve options and the token flags (a misspelling may mean one)."""
    return [*curve_flags(), *TOKEN_FLAGS, *BOOLEAN_TOKEN_FLAGS, "--steps-per-epoch"]


def _known_flags(positionals: list[str]) -> list[str] | None:
    """Every flag the tokens may carry with the scheduler named first (None: that name is unknown)."""
    known = _common_flags()
    if not positionals or is_spec_file(positionals[0]):
        return known
    try:
        return [p.flag for p in registry.resolve(positionals[0]).params] + known
    except SpecError:
        return None


def _unknown(positionals: list[str], flag: str) -> str | None:
    """'unknown option' (and the flag it may have meant) when no one takes `flag`, else None."""
    known = _known_flags(positionals)
    if known is None or flag.lower() in known:
        return None
    return "unknown option" + (registry.suggest(flag, known) or "")


def _own_parameter(positionals: list[str], flag: str) -> bool:
    """Whether the scheduler named first has a parameter spelled `flag` (mmengine's `--by-epoch`):
    then the flag is that parameter, with a value, as every scheduler flag is."""
    if not positionals or is_spec_file(positionals[0]):
        return False
    try:
        return registry.resolve(positionals[0]).param_for_flag(flag.lower()) is not None
    except SpecError:
        return False


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _flag_value(param: Param, text: str) -> Any:
    if param.kind in ("int_list", "float_list"):
        parts = [part for part in text.split(";")]
        return Sweep(tuple(parts)) if len(parts) > 1 else text
    if param.sweepable and "," in text:
        return Sweep(tuple(part for part in text.split(",")))
    return text


def scheduler_raw(info: SchedulerInfo, pairs: list[tuple[str, str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """`{type: ..., param: value}` from scheduler flags, and param -> flag for error messages."""
    raw: dict[str, Any] = {"type": info.name}
    flags: dict[str, str] = {}
    for flag, text in pairs:
        param = info.param_for_flag(flag.lower())
        if param is None:
            known = [p.flag for p in info.params]
            hint = registry.suggest(flag, known + _common_flags())
            if not hint:
                hint = f" (its flags: {', '.join(known)})" if known else " (it takes no parameters)"
            raise SpecError(f"unknown option for {info.name}{hint}", flag)
        if param.kind == "schedulers":
            raise SpecError(f"{info.name} nests schedulers: describe it in a YAML file", flag)
        if param.name in raw:
            raise SpecError("given twice", flag)
        raw[param.name] = _flag_value(param, text)
        flags[param.name] = flag
    return raw, flags


# Curve-level flags read from the command's tokens rather than declared to Typer, in one table:
# flag -> (curve key, key inside it or None, help). `lrviz plot --help` lists them from here.
TOKEN_FLAGS: dict[str, tuple[str, str | None, str]] = {
    "--warmup-start-lr": ("warmup", "start_lr", "warmup from this LR instead of --warmup-factor x the target"),
    "--warmup-shape": ("warmup", "shape", "linear (default), cosine, exponential, log, 1-sqrt, constant"),
    "--warmup-offset": ("warmup", "offset", "k/W (default), (k+1)/W, (k+1)/(W+1), k/(W-1), inclusive"),
    "--warmup-mode": ("warmup", "mode", "multiply (default), replace, or shift (the schedule starts after it)"),
    "--floor-lr": ("floor", "min_lr", "decay to this LR instead of 0: min_lr + lr * (1 - min_lr / base LR)"),
    "--floor-ratio": ("floor", "ratio", "decay to this fraction of the base LR instead of 0"),
    # run facts, for a framework's config file (lrviz.spec.readers): what the config does not say
    "--dataset-size": ("run", "dataset_size", "a config's run: training examples per epoch"),
    "--batch-size": ("run", "batch_size", "a config's run: batch size per device (process)"),
    "--world-size": ("run", "world_size", "a config's run: processes (GPUs) training together"),
    "--grad-accum": ("run", "grad_accum", "a config's run: batches accumulated per optimizer step"),
    "--epochs": ("run", "epochs", "a config's run: epochs (instead of the config's own)"),
    "--from": ("run", "framework", "read the file as this framework's config (mmengine, detectron2, hf, ...)"),
}


# Token flags that take no value: present means true. `--by-epoch` steps the scheduler once per
# epoch (of `--steps-per-epoch` optimizer steps), as the scheduler mapping's `by_epoch: true` does.
BOOLEAN_TOKEN_FLAGS: dict[str, tuple[str, str, str]] = {
    "--by-epoch": ("scheduler", "by_epoch", "step the scheduler once per epoch (needs --steps-per-epoch)"),
    "--drop-last": ("run", "drop_last", "a config's run: the last partial batch of an epoch is dropped"),
    "--no-drop-last": ("run", "keep_last", "a config's run: the last partial batch of an epoch is kept"),
}


def _warmup_flag_names() -> dict[str, str]:
    names = {"steps": "--warmup-steps", "factor": "--warmup-factor", "method": "--warmup-method"}
    names.update({inner: flag for flag, (key, inner, _) in TOKEN_FLAGS.items() if key == "warmup" and inner})
    return names


def token_flags_help() -> str:
    """The TOKEN_FLAGS as help text."""
    flags = {**TOKEN_FLAGS, **BOOLEAN_TOKEN_FLAGS}
    return "\n".join(f"- `{flag}`: {text}" for flag, (_, _, text) in flags.items())


def _take_token_flags(
    pairs: list[tuple[str, str]], positionals: list[str]
) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """Scheduler flag pairs, and the TOKEN_FLAGS values by curve key (a run fact that is the named
    scheduler's own parameter, ultralytics' `--epochs`, stays the scheduler's)."""
    rest: list[tuple[str, str]] = []
    taken: dict[str, dict[str, str]] = {}
    for flag, value in pairs:
        entry = TOKEN_FLAGS.get(flag.lower()) or BOOLEAN_TOKEN_FLAGS.get(flag.lower())
        if entry is None or (entry[0] == "run" and _own_parameter(positionals, flag)):
            rest.append((flag, value))
            continue
        key, inner, _ = entry
        values = taken.setdefault(key, {})
        if inner in values:
            raise SpecError("given twice", flag)
        values[inner] = value
    return rest, taken


# lrviz's warmup flags, which a scheduler with parameters of those names (torchtitan's warmup_steps,
# detectron2's warmup_factor and warmup_method) takes for its own: its parameters win.
_YIELDING_CURVE_FLAGS = {
    "warmup_steps": "--warmup-steps",
    "warmup_factor": "--warmup-factor",
    "warmup_method": "--warmup-method",
}


def _own_parameters_win(
    info: SchedulerInfo, pairs: list[tuple[str, str]], curve: CurveFlags
) -> tuple[list[tuple[str, str]], CurveFlags]:
    """Move a curve flag that names one of the scheduler's own parameters into its flags."""
    moved = {
        attr: flag
        for attr, flag in _YIELDING_CURVE_FLAGS.items()
        if getattr(curve, attr) is not None and info.param_for_flag(flag) is not None
    }
    if not moved:
        return pairs, curve
    extra = [(flag, getattr(curve, attr)) for attr, flag in moved.items()]
    return pairs + extra, dataclasses.replace(curve, **dict.fromkeys(moved))


def _take_steps_per_epoch(
    info: SchedulerInfo, pairs: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], str | None]:
    """The curve's `--steps-per-epoch`, unless the scheduler has a parameter of that name (OneCycleLR)."""
    if info.param("steps_per_epoch") is not None:
        return pairs, None
    named = [value for flag, value in pairs if flag.lower() == "--steps-per-epoch"]
    if len(named) > 1:
        raise SpecError("given twice", "--steps-per-epoch")
    return [(flag, value) for flag, value in pairs if flag.lower() != "--steps-per-epoch"], (named or [None])[0]


def _flags_in(taken: dict[str, dict[str, str]]) -> list[str]:
    flags = {**TOKEN_FLAGS, **BOOLEAN_TOKEN_FLAGS}
    return [flag for flag, (key, inner, _) in flags.items() if inner in taken.get(key, {})]


def spec_from_tokens(
    tokens: Sequence[str], curve: CurveFlags, *, allow_files: bool = True, allow_many: bool = True
) -> Spec:
    """The Spec named by a scheduler and its flags, or by one or more YAML files."""
    positionals, pairs = split_tokens(tokens)
    pairs, taken = _take_token_flags(pairs, positionals)
    if not positionals:
        raise SpecError("missing a scheduler name or a YAML file (`lrviz list` shows the names)", "NAME")
    if any(is_spec_file(p) for p in positionals):
        if not allow_files:
            raise SpecError("expected a scheduler name, not a file", positionals[0])
        return _files_spec(positionals, pairs, taken, curve, allow_many)
    if len(positionals) > 1:
        raise SpecError(f"unexpected argument after the scheduler name '{positionals[0]}'", positionals[1])
    if "run" in taken:
        flag = _flags_in({"run": taken["run"]})[0]
        raise SpecError("is a run fact for a framework's config file, not a scheduler's parameter", flag)
    info = registry.resolve(positionals[0], "NAME")
    pairs, curve = _own_parameters_win(info, pairs, curve)
    pairs, per_epoch = _take_steps_per_epoch(info, pairs)
    scheduler, flag_names = scheduler_raw(info, pairs)
    scheduler.update(taken.get("scheduler", {}))
    raw = _raw_spec(_raw_curve(scheduler, per_epoch, curve, taken), curve)
    flag_names.update({name: OPTIONS[name].flag for name in ("lr", "steps", "label", "metric", "optimizer")})
    return build_spec(raw, _flags_locator(flag_names, info.name))


def _raw_curve(
    scheduler: dict[str, Any], per_epoch: str | None, curve: CurveFlags, taken: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """The curve entry, in the YAML form, the scheduler flags and the curve options describe."""
    raw_curve: dict[str, Any] = {"scheduler": scheduler}
    if per_epoch is not None:
        raw_curve["steps_per_epoch"] = per_epoch
    if curve.label is not None:
        raw_curve["label"] = curve.label
    given = (("steps", curve.warmup_steps), ("factor", curve.warmup_factor), ("method", curve.warmup_method))
    warmup = {key: value for key, value in given if value is not None}
    warmup.update(taken.get("warmup", {}))
    if warmup:
        if "steps" not in warmup:
            first = next(k for k in warmup if k != "steps")
            raise SpecError("warmup needs --warmup-steps", _warmup_flag_names()[first])
        raw_curve["warmup"] = warmup
    if "floor" in taken:
        raw_curve["floor"] = taken["floor"]
    if curve.metric is not None:
        raw_curve["metric"] = curve.metric
    if curve.optimizer is not None:
        raw_curve["optimizer"] = curve.optimizer
    return raw_curve


def _raw_spec(raw_curve: dict[str, Any], curve: CurveFlags) -> dict[str, Any]:
    """The spec, in the YAML form: the curve, and the options that apply to the whole file."""
    raw: dict[str, Any] = {"curves": [raw_curve]}
    if curve.lr is not None:
        raw["lr"] = Sweep(tuple(curve.lr.split(","))) if "," in curve.lr else curve.lr
    if curve.steps is not None:
        raw["steps"] = curve.steps
    if curve.title is not None:
        raw["title"] = curve.title
    return raw


def _flags_locator(flag_names: dict[str, str], name: str) -> FlagLocator:
    """Where each key of a flags spec came from: the flag that gave it (errors name it)."""
    warmup_flags = FlagLocator(_warmup_flag_names(), "--warmup-steps")
    # every part of `--metric synthetic:SEED` or `--metric FILE.csv:COLUMN` is that one flag
    metric_keys = ("values", "csv", "column", "synthetic", "seed", "noise", "plot", "name")
    metric_flags = FlagLocator(dict.fromkeys(metric_keys, "--metric"), "--metric")
    floor_flags = FlagLocator({"min_lr": "--floor-lr", "ratio": "--floor-ratio"}, "--floor-lr")
    children = {"warmup": warmup_flags, "metric": metric_flags, "floor": floor_flags}
    return FlagLocator(flag_names, f"{name} flags", children)


def _run_flags(
    pairs: list[tuple[str, str]], taken: dict[str, dict[str, str]]
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The pairs without `--steps-per-epoch`, and the run flags' values (that one included) by fact."""
    run = taken.pop("run", {})
    rest = []
    for flag, value in pairs:
        if flag.lower() != "--steps-per-epoch":
            rest.append((flag, value))
        elif "steps_per_epoch" in run:
            raise SpecError("given twice", flag)
        else:
            run["steps_per_epoch"] = value
    return rest, run


def _run_facts(run: dict[str, str]) -> tuple[Any, str | None]:
    """The RunFacts of the run flags, and the framework `--from` names."""
    from lrviz.spec.readers.base import facts_from_flags

    run = dict(run)
    framework = run.pop("framework", None)
    return facts_from_flags(run), framework


def _files_spec(
    positionals: list[str],
    pairs: list[tuple[str, str]],
    taken: dict[str, dict[str, str]],
    curve: CurveFlags,
    allow_many: bool,
) -> Spec:
    """The Spec of YAML specs or framework config files (with the run flags, for a config)."""
    pairs, run = _run_flags(pairs, taken)
    if pairs:
        raise SpecError("scheduler flags cannot be combined with a YAML file: put them in the file", pairs[0][0])
    given = curve.any_given() + _flags_in(taken)
    if given:
        raise SpecError("cannot be combined with a YAML file: put it in the file", given[0])
    if len(positionals) > 1 and not allow_many:
        raise SpecError("give one YAML file here (`lrviz compare` takes several)", positionals[1])
    from lrviz.spec.yamlfile import load_spec_file

    for token in positionals:
        if not is_spec_file(token):
            raise SpecError("expected a YAML file (.yaml) like the others", token)
    facts, framework = _run_facts(run)
    specs = [load_spec_file(token, facts, framework) for token in positionals]
    if curve.title is not None:
        merged = merge_specs(specs)
        return Spec(merged.curves, curve.title, merged.sources, merged.figure)
    return merge_specs(specs)
