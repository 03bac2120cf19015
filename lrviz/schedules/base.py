"""The interface of a framework schedule source: one `FrameworkSchedule` per framework function.

A family module (``lrviz/schedules/<framework>.py``) declares ``FRAMEWORK`` (the prefix users type,
``hf``), ``TITLE``, ``PACKAGE`` (the framework's import name, for ``--code``) and ``SCHEDULES``, a
tuple of :class:`FrameworkSchedule` instances. Nothing else in lrviz names a family: the catalog
(:mod:`lrviz.schedules`) finds the modules, the spec validates parameters from ``params``, and the
simulation builds :meth:`FrameworkSchedule.build` onto its dummy optimizer.

Value convention: ``lr_function(params, base_lr)(k)`` is the LR of the framework's update ``k``
(k = 0, 1, ...), computed as the framework computes it. A multiplier schedule (Hugging Face,
fvcore) returns ``base_lr * factor``; an absolute schedule (optax, Keras) ignores ``base_lr``.
Family modules never import torch at module level (``lrviz list`` must stay fast).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrviz.schedules.pytorch import REQUIRED, Param

if TYPE_CHECKING:
    import torch

LrFunction = Callable[[int], float]


def param(
    name: str,
    kind: str,
    default: Any = REQUIRED,
    help: str = "",
    choices: tuple[str, ...] = (),
    optional: bool = False,
) -> Param:
    """A framework parameter: its own name, a kind (int, float, bool, int_list, float_list, choice,
    str), its default (REQUIRED when the framework has none) and the framework's one-line doc."""
    annotation = kind if not optional else f"{kind} | None"
    return Param(
        name=name,
        kind=kind,
        default=default,
        annotation=annotation,
        help=help,
        choices=choices,
        optional=optional,
        framework=True,
    )


@dataclass(frozen=True)
class FrameworkSchedule:
    """One schedule of a framework, named ``FRAMEWORK:name`` with the framework's parameters.

    Subclass it (or pass functions) per schedule; the defaults fit a plain formula-based schedule.
    """

    name: str  # the framework's own name: "cosine", "warmup_cosine_decay_schedule"
    params: tuple[Param, ...]
    summary: str  # first line of the framework's own docstring
    source: str  # the framework's callable: "transformers.get_cosine_schedule_with_warmup"
    formula: Callable[[Mapping[str, Any], float], LrFunction] | None = None
    absolute: bool = False  # LRs come from its own parameters: --lr means nothing
    float32: bool = False  # the framework computes in float32: values agree to float32 precision
    metric_driven: bool = False  # stepped with a validation metric, like ReduceLROnPlateau
    aliases: tuple[str, ...] = ()
    zero_start: str = ""  # where the framework documents a warmup from exactly 0: says so, for `check`
    # False where the framework has no value past the run's end (fvcore's ParamSchedulers raise at
    # where=1.0): --code's loop then skips the last scheduler.step(), whose value no optimizer step uses
    steps_past_end: bool = True
    example: str = ""  # a runnable `lrviz plot FRAMEWORK:NAME ...` (or `lrviz plot configs/X.yaml`) line; tests run it
    steps_of: Callable[[Mapping[str, Any]], int | None] | None = None  # a sensible run length
    length_of: Callable[[Mapping[str, Any]], tuple[str, int] | None] | None = None  # (param, steps) it lasts
    events_of: Callable[[Mapping[str, Any]], list[tuple[int, str]]] | None = None  # regime changes
    check: Callable[[Mapping[str, Any]], list[tuple[str, str]]] | None = None  # (param, problem)
    framework_code: Callable[[Mapping[str, Any]], str] | None = None  # the framework's own call
    torch_code: Callable[[Mapping[str, Any]], str] | None = None  # a plain-torch LambdaLR lambda body
    builder: Callable[[torch.optim.Optimizer, Mapping[str, Any]], Any] | None = None
    momentum_of: Callable[[Mapping[str, Any]], bool] | None = None  # whether it sets the optimizer's momentum
    framework: str = field(default="", compare=False)  # set by the catalog from the module

    @property
    def full_name(self) -> str:
        return f"{self.framework}:{self.name}"

    def with_defaults(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter's value: given ones, else the framework's default (None when required)."""
        values = {p.name: (None if p.required else p.default) for p in self.params}
        values.update(given)
        return values

    def lr_function(self, given: Mapping[str, Any], base_lr: float) -> LrFunction:
        """k -> the LR of update k for a param group whose base LR is `base_lr`."""
        if self.formula is None:
            raise NotImplementedError(f"{self.full_name} has no formula")
        return self.formula(self.with_defaults(given), base_lr)

    def default_steps(self, given: Mapping[str, Any]) -> int:
        """About one full schedule, for when the user gives no --steps."""
        steps = self.steps_of(self.with_defaults(given)) if self.steps_of else None
        return steps if isinstance(steps, int) and steps > 0 else 100

    def length(self, given: Mapping[str, Any]) -> tuple[str, int] | None:
        """The parameter naming the schedule's own length and that length, for `check`."""
        return self.length_of(self.with_defaults(given)) if self.length_of else None

    def events(self, given: Mapping[str, Any]) -> list[tuple[int, str]]:
        """Steps where the schedule changes regime, with short labels (figure marks)."""
        return self.events_of(self.with_defaults(given)) if self.events_of else []

    def problems(self, given: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(parameter, message) for values the framework would refuse or that make no schedule."""
        return self.check(self.with_defaults(given)) if self.check else []

    def sets_momentum(self, given: Mapping[str, Any]) -> bool:
        """Whether the built scheduler also schedules the optimizer's momentum (SGD's momentum,
        Adam's beta1), so the simulation should record it (mmengine's momentum schedulers)."""
        return bool(self.momentum_of(self.with_defaults(given))) if self.momentum_of else False

    def build(self, optimizer: torch.optim.Optimizer, given: Mapping[str, Any]) -> Any:
        """A torch LR scheduler over `optimizer` whose `get_last_lr()` follows the framework."""
        if self.builder is not None:
            return self.builder(optimizer, self.with_defaults(given))
        from lrviz.schedules.torch_adapter import FrameworkLR

        return FrameworkLR(optimizer, lambda base_lr: self.lr_function(given, base_lr), name=self.full_name)


def multiplier(factor: Callable[[Mapping[str, Any]], LrFunction]) -> Callable[[Mapping[str, Any], float], LrFunction]:
    """The formula of an LR-multiplier schedule (``LambdaLR``-style): ``base_lr * factor(k)``,
    multiplied in the same order as torch's ``LambdaLR`` so the values are bit-identical."""

    def formula(params: Mapping[str, Any], base_lr: float) -> LrFunction:
        factor_at = factor(params)
        return lambda k: base_lr * factor_at(k)

    return formula


def at_least(low: float, *names: str) -> Callable[[Mapping[str, Any]], list[tuple[str, str]]]:
    """A `check` refusing values of `names` below `low` (None, an absent optional value, passes)."""

    def check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [
            (name, f"must be at least {low:g}, got {params[name]}")
            for name in names
            if params.get(name) is not None and params[name] < low
        ]

    return check


def parse_mapping_list(value: Any, where: str) -> tuple[tuple[tuple[str, Any], ...], ...]:
    """A YAML list of mappings (kind ``mapping_list``, e.g. mmengine's ``param_scheduler``) as a
    hashable tuple of ``(key, value)`` tuples, lists as tuples; the family's `check` judges the
    keys and values. Raises SpecError at `where` for any other shape."""
    from lrviz.errors import SpecError

    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise SpecError("expected a list of mappings", where)
    parsed = []
    for index, item in enumerate(value, start=1):
        if isinstance(item, tuple) and all(isinstance(pair, tuple) and len(pair) == 2 for pair in item):
            item = dict(item)  # already parsed
        if not isinstance(item, Mapping):
            raise SpecError(f"item {index}: expected a mapping, got {item!r}", where)
        parsed.append(tuple((str(key), tuple(v) if isinstance(v, list) else v) for key, v in item.items()))
    return tuple(parsed)


def typed_entries(
    raw: Any, types: Mapping[str, tuple[Param, ...]], hints: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """A ``mapping_list`` value as ``[{"type": ..., key: typed value}]``: every entry's `type`
    one of `types`, its keys that type's parameters (coerced like flags), required ones present.
    Raises ValueError naming the entry (1-based), its type and the key; `hints` explain types
    that look right but are refused."""
    from lrviz.errors import SpecError
    from lrviz.schedules import pytorch as registry
    from lrviz.spec.model import coerce

    if isinstance(raw, (str, Mapping)) or not isinstance(raw, (list, tuple)) or not raw:
        raise ValueError("expected a non-empty list of mappings, each with a type")
    entries = []
    for index, item in enumerate(raw, start=1):
        mapping = dict(item)
        type_name = str(mapping.pop("type", ""))
        if type_name not in types:
            listed = " (expected one of: " + ", ".join(types) + ")"
            hint = (hints or {}).get(type_name) or registry.suggest(type_name, list(types)) or listed
            raise ValueError(f"entry {index}: unknown type {type_name!r}{hint}")
        known = {p.name: p for p in types[type_name]}
        entry: dict[str, Any] = {"type": type_name}
        for key, value in mapping.items():
            if key not in known:
                raise ValueError(
                    f"entry {index} ({type_name}): unknown key {key!r}{registry.suggest(key, list(known))}"
                )
            try:
                coerced = coerce(known[key], value, f"{index}.{key}")
            except SpecError as exc:
                raise ValueError(f"entry {index} ({type_name}) {key}: {exc.message}") from None
            entry[key] = list(coerced) if isinstance(coerced, tuple) else coerced
        missing = [name for name, p in known.items() if p.required and name not in entry]
        if missing:
            raise ValueError(f"entry {index} ({type_name}): missing {missing[0]}")
        entries.append(entry)
    return entries
