"""The candidates of a search: every curve of a spec (a grid), or draws from lists and ranges.

A grid is the spec's own curves: flags with sweeps give their Cartesian product, a YAML file its
`curves:`. For random draws (``--random N``) each swept flag is a *dimension*: a list of values, or
a range ``A..B`` (integers when both ends are integers, else uniform) or ``log:A..B``
(log-uniform). Optuna draws the values (:mod:`lrviz.search.engine`); :meth:`CandidateSpace.build`
turns one draw into a validated curve, through the same flags or keyword parsing as ``plot``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lrviz.errors import SpecError
from lrviz.spec.model import MAX_CURVES, CurveSpec

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^(log:)?({_NUMBER})\.\.({_NUMBER})$")
_INTEGER = re.compile(r"^[-+]?\d+$")


def is_range(text: str) -> bool:
    """Whether a flag value asks for a range (`A..B`, `log:A..B`), well formed or not."""
    return ".." in text or text.strip().lower().startswith("log:")


@dataclass(frozen=True)
class Dimension:
    """One value a random search draws: from a list, or from a range."""

    name: str  # the parameter's name (`T_max`, `lr`): Optuna's parameter name
    where: str  # the flag or key that gave it, for errors
    choices: tuple[str, ...] = ()
    low: float = 0.0
    high: float = 0.0
    integer: bool = False
    log: bool = False

    @property
    def is_range(self) -> bool:
        return not self.choices

    def distribution(self) -> Any:
        """The Optuna distribution of this dimension."""
        from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

        if self.choices:
            return CategoricalDistribution(list(self.choices))
        if self.integer:
            return IntDistribution(int(self.low), int(self.high), log=self.log)
        return FloatDistribution(self.low, self.high, log=self.log)

    def describe(self) -> str:
        if self.choices:
            return f"{self.name} in {{{', '.join(self.choices)}}}"
        kind = "log-uniform " if self.log else ""
        kind += "integer" if self.integer else "uniform"
        return f"{self.name} {kind} in [{self.low:g}, {self.high:g}]"


def parse_range(name: str, text: str, where: str) -> Dimension:
    """`A..B` or `log:A..B` as a Dimension; SpecError naming `where` when malformed."""
    match = _RANGE.match(text.strip())
    if match is None:
        raise SpecError(f"expected a range A..B of numbers (or log:A..B), got {text!r}", where)
    log, low_text, high_text = match.groups()
    integer = bool(_INTEGER.match(low_text) and _INTEGER.match(high_text))
    low, high = float(low_text), float(high_text)
    if not low < high:
        raise SpecError(f"the range's low end must be below its high end, got {text!r}", where)
    if log and low <= 0:
        raise SpecError(f"a log range needs a positive low end, got {text!r}", where)
    return Dimension(name, where, low=low, high=high, integer=integer, log=bool(log))


def parse_choices(name: str, values: Sequence[str], where: str) -> Dimension:
    """A list of alternative values (text, as a flag gives them) as a Dimension."""
    choices = tuple(dict.fromkeys(value.strip() for value in values if value.strip()))
    if not choices:
        raise SpecError("expected at least one value", where)
    return Dimension(name, where, choices=choices)


@dataclass(frozen=True)
class Candidate:
    """One schedule to score, and the values that set it apart from the others."""

    curve: CurveSpec
    varied: tuple[tuple[str, Any], ...] = ()

    @property
    def label(self) -> str:
        return self.curve.label


Builder = Callable[[Mapping[str, Any]], CurveSpec]


@dataclass(frozen=True)
class CandidateSpace:
    """What a search chooses from: fixed candidates (grid, or a file's curves), or dimensions to draw."""

    candidates: tuple[Candidate, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    builder: Builder | None = field(default=None, compare=False, repr=False)

    @property
    def draws(self) -> bool:
        """Whether candidates are drawn from dimensions (rather than picked from a list)."""
        return bool(self.dimensions)

    def search_space(self) -> dict[str, Any]:
        """Optuna distributions by parameter name."""
        from optuna.distributions import CategoricalDistribution

        if self.draws:
            return {d.name: d.distribution() for d in self.dimensions}
        return {"candidate": CategoricalDistribution(list(range(len(self.candidates))))}

    def grid(self) -> dict[str, list[Any]]:
        """The grid of GridSampler: every candidate once."""
        if self.draws:
            raise SpecError("a grid cannot hold a range: draw from it with --random N", self.dimensions[0].where)
        return {"candidate": list(range(len(self.candidates)))}

    def candidate(self, params: Mapping[str, Any]) -> Candidate:
        """The candidate of one trial's parameters."""
        if not self.draws:
            return self.candidates[int(params["candidate"])]
        assert self.builder is not None
        values = {d.name: params[d.name] for d in self.dimensions}
        return Candidate(self.builder(values), tuple(values.items()))

    def fingerprint(self) -> str:
        """Names what is searched, so a shared study is only continued by the same search."""
        if self.draws:
            return "draws: " + "; ".join(d.describe() for d in self.dimensions)
        return "grid: " + "; ".join(
            c.curve.scheduler.describe() + f" lr={c.curve.lr:g} steps={c.curve.steps}" for c in self.candidates
        )


def grid_space(curves: Sequence[CurveSpec]) -> CandidateSpace:
    """Every curve of a spec as one candidate."""
    if not curves:
        raise SpecError("no candidates to search")
    for curve in curves:  # what torch would refuse (a run longer than OneCycleLR allows) is no candidate
        if curve.problems:
            raise curve.problems[0].error()
    return CandidateSpace(candidates=tuple(Candidate(curve, curve.varied) for curve in curves))


def draw_space(dimensions: Sequence[Dimension], builder: Builder) -> CandidateSpace:
    """Candidates drawn from `dimensions`, each made into a curve by `builder`."""
    if not dimensions:
        raise SpecError("nothing to draw from: give a list (--gamma 0.1,0.5) or a range (--t-max 100..400)", "--random")
    return CandidateSpace(dimensions=tuple(dimensions), builder=builder)


def check_draw_count(count: int, where: str = "--random") -> int:
    """A number of random draws within the work bound of one command."""
    if count < 1:
        raise SpecError(f"must be at least 1, got {count}", where)
    if count > MAX_CURVES:
        raise SpecError(f"at most {MAX_CURVES} candidates per search, got {count}", where)
    return count


def _alternatives(kind: str, sweepable: bool, text: str) -> list[str] | None:
    """The alternatives a flag value lists (`0.1,0.5`; `30,60;50,75` for a list), or None for one value."""
    if kind == "int_list":
        return text.split(";") if ";" in text else None
    if sweepable and "," in text:
        return text.split(",")
    return None


def space_from_tokens(tokens: Sequence[str], curve: Any, draws: bool) -> CandidateSpace:
    """The candidates of command-line tokens (as `plot` takes them): a grid, or dimensions to draw.

    `curve` is the command's :class:`lrviz.spec.flags.CurveFlags`; its `--lr` may list or range LRs too.
    """
    from dataclasses import replace

    from lrviz.schedules import pytorch as registry
    from lrviz.spec.flags import is_spec_file, spec_from_tokens, split_tokens

    positionals, pairs = split_tokens(tokens)
    lr_pair = [] if curve.lr is None else [("--lr", curve.lr)]
    if not draws or not positionals or any(is_spec_file(p) for p in positionals):
        for flag, value in pairs + lr_pair:
            if is_range(value):
                raise SpecError("a range needs --random N (a grid takes lists: --t-max 100,200,400)", flag)
        return grid_space(spec_from_tokens(tokens, curve).curves)
    info = registry.resolve(positionals[0], "NAME")
    dimensions: list[Dimension] = []
    fixed: list[tuple[str, str]] = []
    for flag, value in pairs + lr_pair:
        param = info.param_for_flag(flag.lower())
        name = "lr" if flag == "--lr" else (param.name if param is not None else None)
        options = _alternatives(param.kind, param.sweepable, value) if param is not None else value.split(",")
        if name is None:
            fixed.append((flag, value))  # spec_from_tokens names the unknown flag below
        elif is_range(value):
            dimensions.append(parse_range(name, value, flag))
        elif options is not None and len(options) > 1:
            dimensions.append(parse_choices(name, options, flag))
        else:
            fixed.append((flag, value))
    bare = replace(curve, lr=None)

    def build(values: Mapping[str, Any]) -> CurveSpec:
        chosen = {d.where: _text(values[d.name]) for d in dimensions}
        lr = chosen.pop("--lr", None if any(d.name == "lr" for d in dimensions) else curve.lr)
        flat = [token for flag, value in [*fixed, *chosen.items()] if flag != "--lr" for token in (flag, value)]
        spec = spec_from_tokens([positionals[0], *flat], replace(bare, lr=lr, label=draw_label(values)))
        spec.raise_first_problem()
        return spec.curves[0]

    space = draw_space(dimensions, build)
    check_fixed_values(space)
    return space


def space_from_keywords(scheduler: str, keywords: Mapping[str, Any], draws: bool) -> CandidateSpace:
    """The candidates of Python keywords (as :func:`lrviz.spec_for` takes them): lists are
    alternatives (a list of lists for a list parameter), ``"A..B"`` strings ranges."""
    from lrviz.schedules import pytorch as registry
    from lrviz.spec.model import spec_for

    info = registry.resolve(scheduler, "scheduler")
    dimensions: list[Dimension] = []
    fixed: dict[str, Any] = {}
    for key, value in keywords.items():
        param = info.param(key)
        list_param = param is not None and param.kind == "int_list"
        if isinstance(value, str) and is_range(value):
            dimensions.append(parse_range(key, value, key))
        elif isinstance(value, (list, tuple)) and (not list_param or all(isinstance(v, (list, tuple)) for v in value)):
            dimensions.append(parse_choices(key, [_text(v) for v in value], key))
        else:
            fixed[key] = value
    if not draws:
        if any(d.is_range for d in dimensions):
            first = next(d for d in dimensions if d.is_range)
            raise SpecError("a range needs random=N (a grid takes lists)", first.where)
        sweep = {d.name: list(d.choices) for d in dimensions}
        firsts = {d.name: d.choices[0] for d in dimensions}  # a required parameter must be present to be swept
        return grid_space(spec_for(scheduler, **fixed, **firsts, **({"sweep": sweep} if sweep else {})).curves)

    def build(values: Mapping[str, Any]) -> CurveSpec:
        drawn = {name: _text(value) for name, value in values.items()}
        return spec_for(scheduler, **{"label": draw_label(values), **fixed, **drawn}).curves[0]

    space = draw_space(dimensions, build)
    check_fixed_values(space)
    return space


def check_fixed_values(space: CandidateSpace) -> None:
    """Build one candidate now, so a mistake in the values that are not drawn fails before any draw.

    A drawn value torch refuses (the low end of a range, say) only fails its own candidate later.
    """
    assert space.builder is not None
    try:
        space.builder(end_values(space.dimensions))
    except SpecError as exc:
        if exc.where not in {d.where for d in space.dimensions}:
            raise


def draw_label(values: Mapping[str, Any]) -> str:
    """A drawn candidate's label: what was drawn (`T_max=265, lr=0.003`), as a sweep's labels are."""
    return ", ".join(
        f"{name}={value:.4g}" if isinstance(value, float) else f"{name}={_text(value)}"
        for name, value in values.items()
    )


def _text(value: Any) -> str:
    """A drawn or listed value as a flag's text (lists as `30,60`)."""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def end_values(dimensions: Sequence[Dimension], high: bool = False) -> dict[str, Any]:
    """One draw at the low (or high) end of every dimension: the first (or last) choice, the range's end."""

    def end(d: Dimension) -> Any:
        if d.choices:
            return d.choices[-1 if high else 0]
        value = d.high if high else d.low
        return int(value) if d.integer else value

    return {d.name: end(d) for d in dimensions}
