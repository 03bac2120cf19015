"""The catalog of torch LR schedulers: canonical names, aliases and parameter metadata.

Parameter names, defaults, types and one-line descriptions are read from torch's own
``torch/optim/lr_scheduler.py`` (its signatures and docstrings), parsed with :mod:`ast` so that
``lrviz --help``, ``list`` and ``show`` never pay for ``import torch``. If torch's source cannot be
found or parsed, the same metadata is read with :mod:`inspect` from the imported module.
Nothing here steps a scheduler.
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib.util
import inspect
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError

REQUIRED = object()  # default of a parameter torch requires


@dataclass(frozen=True)
class SchedulerKind:
    """How lrviz drives a scheduler class."""

    name: str
    aliases: tuple[str, ...]
    needs_yaml: bool = False  # takes nested schedulers: only YAML can describe them
    composite: bool = False  # SequentialLR / ChainedScheduler: `schedulers` are children
    chained: bool = False  # ChainedScheduler: every child steps, factors multiply; built as cls(children, optimizer=)
    metric_driven: bool = False  # ReduceLROnPlateau: step(metric)
    cycles_momentum: bool = False  # CyclicLR / OneCycleLR: also cycle momentum unless cycle_momentum=False


# The schedulers lrviz drives, in the order `lrviz list` shows them, with DESIGN.md's aliases.
KINDS: tuple[SchedulerKind, ...] = (
    SchedulerKind("StepLR", ("step",)),
    SchedulerKind("MultiStepLR", ("multistep", "multi-step")),
    SchedulerKind("ConstantLR", ("constant",)),
    SchedulerKind("LinearLR", ("linear",)),
    SchedulerKind("ExponentialLR", ("exponential", "exp")),
    SchedulerKind("PolynomialLR", ("poly", "polynomial")),
    SchedulerKind("CosineAnnealingLR", ("cosine",)),
    SchedulerKind("CosineAnnealingWarmRestarts", ("cosine-restarts", "sgdr")),
    SchedulerKind("CyclicLR", ("cyclic",), cycles_momentum=True),
    SchedulerKind("OneCycleLR", ("onecycle", "one-cycle"), cycles_momentum=True),
    SchedulerKind("LambdaLR", ("lambda",)),
    SchedulerKind("MultiplicativeLR", ("multiplicative",)),
    SchedulerKind("SequentialLR", ("sequential",), needs_yaml=True, composite=True),
    SchedulerKind("ChainedScheduler", ("chained",), needs_yaml=True, composite=True, chained=True),
    SchedulerKind("ReduceLROnPlateau", ("plateau",), metric_driven=True),
)

# Arguments that describe the optimizer or resuming, not the schedule.
_SKIPPED_PARAMS = frozenset({"self", "optimizer", "last_epoch", "verbose"})


@dataclass(frozen=True)
class Param:
    """One scheduler parameter, as torch declares it."""

    name: str  # torch's name: T_max
    kind: str  # int | float | bool | int_list | float_list | choice | str | expression | schedulers
    default: Any  # REQUIRED when torch has no default
    annotation: str  # torch's annotation, as written
    help: str = ""  # first sentence of torch's docstring entry
    choices: tuple[str, ...] = ()
    optional: bool = False  # annotation admits None
    framework: bool = False  # a framework schedule's parameter: torch's value limits do not apply

    @property
    def flag(self) -> str:
        """The command-line flag: T_max -> --t-max."""
        return "--" + self.name.lower().replace("_", "-")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def sweepable(self) -> bool:
        return self.kind not in ("expression", "schedulers")

    def default_text(self) -> str:
        if self.required:
            return "required"
        if isinstance(self.default, str):
            return repr(self.default)
        return str(self.default)


@dataclass(frozen=True)
class SchedulerInfo:
    """A scheduler class and its parameters."""

    kind: SchedulerKind
    params: tuple[Param, ...]
    summary: str  # first line of the class docstring
    doc: str  # the class docstring, cleaned
    param_index: dict[str, Param] = field(default_factory=dict, compare=False, repr=False)
    framework: Any = field(default=None, compare=False, repr=False)  # its FrameworkSchedule, else torch's class

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.kind.aliases

    def param(self, name: str) -> Param | None:
        return self.param_index.get(name)

    def problems(self, params: dict[str, Any]) -> list[tuple[str, str]]:
        """(parameter, message) for each value torch (or the framework) would refuse."""
        if self.framework is not None:
            return list(self.framework.problems(params))
        from lrviz.schedules.pytorch.validate import problems

        return problems(self.name, params)

    def param_for_flag(self, flag: str) -> Param | None:
        for p in self.params:
            if p.flag == flag:
                return p
        return None


# --------------------------------------------------------------------------- parsing torch


def _kind_of(annotation: str) -> tuple[str, tuple[str, ...], bool]:
    """Map a torch annotation to (kind, choices, optional)."""
    text = annotation.replace(" ", "")
    optional = "None" in text.split("|")
    text = "|".join(part for part in text.split("|") if part != "None")
    literal = re.fullmatch(r"Literal\[(.*)\]", text)
    if literal:
        choices = tuple(ast.literal_eval(f"({literal.group(1)},)"))
        return "choice", choices, optional
    if "Callable" in text:
        return "expression", (), optional
    if "LRScheduler" in text:
        return "schedulers", (), optional
    if text in ("int",):
        return "int", (), optional
    if text in ("bool",):
        return "bool", (), optional
    if re.fullmatch(r"(Iterable|list|Sequence)\[int\]", text):
        return "int_list", (), optional
    if "float" in text:  # float, float | list[float], list[float] | float
        return "float", (), optional
    return "float", (), optional


_ARG_LINE = re.compile(r"^(\s*)(\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")


def _arg_help(doc: str) -> dict[str, str]:
    """First sentence of each entry of the docstring's ``Args:`` section."""
    lines = doc.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Args:")
    except StopIteration:
        return {}
    entries: dict[str, list[str]] = {}
    indent = None
    current = None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        width = len(line) - len(line.lstrip())
        if indent is None:
            indent = width
        if width < indent:
            break
        match = _ARG_LINE.match(line)
        if width == indent and match:
            current = match.group(2)
            entries[current] = [match.group(4).strip()]
        elif current is not None:
            entries[current].append(line.strip())
    result = {}
    for name, parts in entries.items():
        text = " ".join(parts)
        text = re.sub(r"\s*Default:.*$", "", text)
        text = text.replace(":math:", "").replace("``", "").replace("`", "")
        sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        result[name] = sentence.rstrip(".")
    return result


def _clean_doc(doc: str) -> str:
    return inspect.cleandoc(doc) if doc else ""


def _make_info(kind: SchedulerKind, raw_params: list[tuple[str, str, Any]], doc: str) -> SchedulerInfo:
    doc = _clean_doc(doc)
    helps = _arg_help(doc)
    params = []
    for name, annotation, default in raw_params:
        if name in _SKIPPED_PARAMS:
            continue
        param_kind, choices, optional = _kind_of(annotation)
        if param_kind == "float" and isinstance(default, int) and not isinstance(default, bool):
            default = float(default)
        params.append(
            Param(
                name=name,
                kind=param_kind,
                default=default,
                annotation=annotation,
                help=helps.get(name, ""),
                choices=choices,
                optional=optional,
            )
        )
    summary = doc.splitlines()[0].strip() if doc else ""
    info = SchedulerInfo(kind=kind, params=tuple(params), summary=summary, doc=doc)
    info.param_index.update({p.name: p for p in params})
    return info


def torch_source_path() -> Path | None:
    """Path of torch's lr_scheduler.py, found without importing torch."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "optim" / "lr_scheduler.py"
        if path.is_file():
            return path
    return None


_FOLDABLE = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__, ast.Div: float.__truediv__}


def _literal(node: ast.expr | None) -> Any:
    """A default's value: a literal, or arithmetic on literals such as ``1.0 / 3``."""
    if node is None:
        return REQUIRED
    try:
        return ast.literal_eval(node)
    except ValueError:
        pass
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLDABLE:
        left, right = _literal(node.left), _literal(node.right)
        if all(isinstance(v, (int, float)) for v in (left, right)):
            return _FOLDABLE[type(node.op)](float(left), float(right))
    text = ast.unparse(node)
    return {"math.inf": math.inf, "inf": math.inf}.get(text, text)


def _catalog_from_source(path: Path) -> dict[str, SchedulerInfo]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    catalog = {}
    for kind in KINDS:
        node = classes[kind.name]
        init = next(item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__")
        args = init.args.args
        defaults = [None] * (len(args) - len(init.args.defaults)) + list(init.args.defaults)
        raw = [
            (arg.arg, ast.unparse(arg.annotation) if arg.annotation else "", _literal(default))
            for arg, default in zip(args, defaults, strict=True)
        ]
        catalog[kind.name] = _make_info(kind, raw, ast.get_docstring(node, clean=False) or "")
    return catalog


def _catalog_from_inspect() -> dict[str, SchedulerInfo]:
    import torch.optim.lr_scheduler as torch_schedulers

    catalog = {}
    for kind in KINDS:
        cls = getattr(torch_schedulers, kind.name)
        raw = []
        for p in inspect.signature(cls.__init__).parameters.values():
            annotation = p.annotation if isinstance(p.annotation, str) else inspect.formatannotation(p.annotation)
            default = REQUIRED if p.default is inspect.Parameter.empty else p.default
            raw.append((p.name, annotation, default))
        catalog[kind.name] = _make_info(kind, raw, cls.__doc__ or "")
    return catalog


@functools.cache
def catalog() -> dict[str, SchedulerInfo]:
    """Every scheduler lrviz drives, by canonical torch class name, in display order."""
    path = torch_source_path()
    if path is None:
        raise SpecError("torch is not installed: lrviz needs it (pip install torch)")
    try:
        return _catalog_from_source(path)
    except (SyntaxError, KeyError, StopIteration, ValueError, OSError):
        # torch reorganised its source: fall back to the (slower) imported signatures.
        return _catalog_from_inspect()


# --------------------------------------------------------------------------- look-ups


def _lookup_table() -> dict[str, str]:
    table = {}
    for kind in KINDS:
        table[kind.name.lower()] = kind.name
        for alias in kind.aliases:
            table[alias.lower()] = kind.name
    return table


def all_names() -> list[str]:
    """Class names and aliases, as a user may type them."""
    names = []
    for kind in KINDS:
        names.append(kind.name)
        names.extend(kind.aliases)
    return names


def suggest(word: str, candidates: list[str]) -> str:
    """`; did you mean 'x'?` for a close candidate, else ''."""
    lowered = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""


def resolve(name: str, where: str | None = None) -> SchedulerInfo:
    """The scheduler a class name, alias or `FRAMEWORK:NAME` (case-insensitive) names."""
    from lrviz import schedules

    if schedules.is_framework_name(name):
        return _framework_info(str(name), where)
    canonical = _lookup_table().get(str(name).strip().lower())
    if canonical is None:
        hint = suggest(str(name), all_names())
        several_words = len(re.findall(r"[a-z0-9]+", str(name).lower())) > 1
        alike = schedules.names_like(str(name)) if several_words or not hint else []
        if alike:  # `warmup-cosine`: the framework schedules whose names hold those words
            shown = ", ".join(f"'{n}'" for n in alike[:6]) + (", ..." if len(alike) > 6 else "")
            close = hint.removeprefix("; did you mean ").removesuffix("?")
            hint = f"; did you mean {close + ', or ' if close else ''}one of the framework schedules {shown}?"
        raise SpecError(f"unknown scheduler '{name}'{hint} (`lrviz list` shows them all)", where)
    return catalog()[canonical]


def _framework_info(name: str, where: str | None) -> SchedulerInfo:
    from lrviz import schedules

    schedule = schedules.lookup(name)
    if schedule is None:
        prefix = name.split(":", 1)[0].strip()
        family = schedules.family(prefix)
        if family is None:
            known = ", ".join(f.prefix for f in schedules.families())
            raise SpecError(f"unknown framework '{prefix}' in '{name}' (known: {known})", where)
        members = [s.full_name for s in family.schedules]
        hint = suggest(name, members) or f" ({family.prefix} has: {', '.join(s.name for s in family.schedules)})"
        raise SpecError(f"unknown {family.title} schedule '{name}'{hint}", where)
    return framework_info(schedule)


@functools.cache
def framework_info(schedule: Any) -> SchedulerInfo:
    """The SchedulerInfo of a FrameworkSchedule: the same shape as a torch class's."""
    kind = SchedulerKind(
        schedule.full_name,
        tuple(f"{schedule.framework}:{a}" for a in schedule.aliases),
        metric_driven=schedule.metric_driven,
    )
    info = SchedulerInfo(
        kind=kind, params=schedule.params, summary=schedule.summary, doc=schedule.summary, framework=schedule
    )
    info.param_index.update({p.name: p for p in schedule.params})
    return info


# --------------------------------------------------------------------------- schedule lengths


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def total_length(name: str, params: dict[str, Any]) -> int | None:
    """Number of optimizer steps a fixed-length scheduler can run, else None.

    OneCycleLR raises once stepped past total_steps, so a run may last exactly that many
    optimizer steps.
    """
    if name == "OneCycleLR":
        total = _positive_int(params.get("total_steps"))
        if total is None:
            epochs = _positive_int(params.get("epochs"))
            per_epoch = _positive_int(params.get("steps_per_epoch"))
            if epochs and per_epoch:
                total = epochs * per_epoch
        return total
    return None


# The parameter that is a scheduler's whole length, in scheduler.step() calls (OneCycleLR's is
# total_length's), and those that count steps between its changes (besides milestones).
LENGTH_PARAMS = {
    "LinearLR": "total_iters",
    "ConstantLR": "total_iters",
    "PolynomialLR": "total_iters",
    "CosineAnnealingLR": "T_max",
}
STEP_COUNT_PARAMS = {"StepLR": "step_size", "CosineAnnealingWarmRestarts": "T_0"}


def length_of(name: str, params: dict[str, Any]) -> tuple[str, int] | None:
    """(parameter, steps) of a torch scheduler whose length is a parameter (its default if not given), else None."""
    if total_length(name, params) is not None:
        key = "total_steps" if params.get("total_steps") is not None else "epochs"
        return key, total_length(name, params)
    key = LENGTH_PARAMS.get(name)
    if key is None:
        return None
    value = params.get(key, catalog()[name].param(key).default)
    return (key, value) if isinstance(value, int) else None


def warms_up(name: str, params: dict[str, Any]) -> bool:
    """A LinearLR that rises (its default 1/3 -> 1 too) or a ConstantLR: the torch schedulers used as a
    warmup, often a few iterations long on purpose."""
    if name == "ConstantLR":
        return True
    return name == "LinearLR" and params.get("start_factor", 1 / 3) < params.get("end_factor", 1.0)


@dataclass(frozen=True)
class ShortLabels:
    """How a figure shortens torch's names in a composite's label: Sequential[LinearLR(10) → Cosine(T_max=390)]."""

    composites: dict[str, tuple[str, str]]  # class -> (short name, joiner of its children)
    names: dict[str, str]  # class -> short name, inside a composite
    key_params: dict[str, str]  # class -> the one parameter a composite's child is known by, shown bare


SHORT_LABELS = ShortLabels(
    composites={"SequentialLR": ("Sequential", " → "), "ChainedScheduler": ("Chained", " × ")},
    names={
        "CosineAnnealingLR": "Cosine",
        "CosineAnnealingWarmRestarts": "CosineRestarts",
        "ExponentialLR": "Exp",
        "PolynomialLR": "Poly",
    },
    key_params={"LinearLR": "total_iters", "ConstantLR": "total_iters"},
)


DEFAULT_STEPS = 100  # a run's length when nothing says better (ReduceLROnPlateau, LambdaLR, ...)


def default_steps(name: str, params: dict[str, Any], children: list[tuple[str, dict[str, Any]]] = ()) -> int:
    """A sensible number of steps to show: about one full schedule."""

    def get(key: str) -> int:
        value = params.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0

    if ":" in name:
        return resolve(name).framework.default_steps(params)
    if name == "StepLR":
        return max(4 * get("step_size"), 10)
    if name == "MultiStepLR":
        milestones = [m for m in params.get("milestones", ()) if isinstance(m, int)]
        last = max(milestones, default=0)
        return max(last + max(last // 4, 10), 10)
    if name in ("ConstantLR", "LinearLR", "PolynomialLR"):
        return max(2 * get("total_iters"), 10)
    if name == "CosineAnnealingLR":
        return max(get("T_max"), 10)
    if name == "CosineAnnealingWarmRestarts":
        t0 = get("T_0")
        mult = get("T_mult") or 1
        return max(t0 * (1 + mult + mult * mult), 10)
    if name == "CyclicLR":
        up = get("step_size_up") or 2000
        down = get("step_size_down") or up
        return 2 * (up + down)
    if name == "OneCycleLR":
        return total_length(name, params) or DEFAULT_STEPS
    if name == "SequentialLR":
        milestones = [m for m in params.get("milestones", ()) if isinstance(m, int)]
        tail = default_steps(*children[-1]) if children else DEFAULT_STEPS
        return max(milestones, default=0) + tail
    if name == "ChainedScheduler":
        return max((default_steps(*child) for child in children), default=DEFAULT_STEPS)
    return DEFAULT_STEPS


# A runnable example per scheduler, shown by `lrviz show` (and run by the tests).
EXAMPLES: dict[str, str] = {
    "StepLR": "lrviz plot step --step-size 30 --gamma 0.5 --steps 120",
    "MultiStepLR": "lrviz plot multistep --milestones 30,60,90 --gamma 0.5",
    "ConstantLR": "lrviz plot constant --factor 0.5 --total-iters 20 --steps 40",
    "LinearLR": "lrviz plot linear --start-factor 1 --end-factor 0.01 --total-iters 100",
    "ExponentialLR": "lrviz plot exponential --gamma 0.9,0.95,0.98 --steps 100",
    "PolynomialLR": "lrviz plot poly --total-iters 100 --power 2",
    "CosineAnnealingLR": "lrviz plot cosine --t-max 150",
    "CosineAnnealingWarmRestarts": "lrviz plot sgdr --t-0 20 --t-mult 2",
    "CyclicLR": "lrviz plot cyclic --base-lr 0.001 --max-lr 0.1 --step-size-up 50",
    "OneCycleLR": "lrviz plot onecycle --max-lr 0.1 --total-steps 1000",
    "LambdaLR": 'lrviz plot lambda --lr-lambda "0.5 ** (epoch // 30)" --steps 120',
    "MultiplicativeLR": 'lrviz plot multiplicative --lr-lambda "0.95 if epoch < 50 else 0.99"',
    "SequentialLR": "lrviz plot configs/warmup_cosine_sequential.yaml",
    "ChainedScheduler": "lrviz plot configs/chained.yaml",
    "ReduceLROnPlateau": "lrviz plot plateau --patience 5 --metric synthetic:0 --steps 200",
}


def sequence_problems(name: str, milestones: Any, children: int) -> list[tuple[str, str]]:
    """A composite's milestones against its schedulers (see :mod:`lrviz.schedules.pytorch.validate`)."""
    from lrviz.schedules.pytorch.validate import sequence_problems as check

    return check(name, milestones, children)


def child_problem(parent: str, child: str, child_is_composite: bool) -> str | None:
    """Why the composite `parent` cannot hold `child`, or None."""
    from lrviz.schedules.pytorch.validate import child_problem as check

    return check(parent, child, child_is_composite)
