"""What a figure calls its curves: short labels that say what varies, the common part in the title.

Only the figure uses these: exports (JSON, CSV) and tables keep each curve's full label. A sweep's
labels (`T_max=50, eta_min=0`, `T_max=100, eta_min=0`) lose what every curve shares, which goes to
the title (`CosineAnnealingLR, eta_min=0`); a derived label of a nested or framework composite is
shortened (`Sequential[LinearLR(10) → Cosine(T_max=390)]`); a warmup is named in the title when
every curve has the same one, else in each label. Nothing here imports matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lrviz.schedules import pytorch as registry

if TYPE_CHECKING:
    from lrviz.simulation.stepping import Curve
    from lrviz.spec.model import CurveSpec, SchedulerSpec
    from lrviz.spec.warmup import Warmup

MAX_LABEL_CHARS = 60  # longer labels are cut in the middle (…): a legend entry stays one short line
MAX_LIST_ITEMS = 4  # a longer list parameter shows its first items, "…" and its last


@dataclass(frozen=True)
class FigureLabels:
    """A figure's title (None: no title) and one legend label per curve."""

    title: str | None
    labels: tuple[str, ...]


def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """`text` cut in the middle with an ellipsis when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    keep = limit - 1
    return text[: (keep + 1) // 2] + "…" + text[len(text) - keep // 2 :]


def _value_text(value: Any) -> str:
    """A parameter value as a label shows it: lists of more than MAX_LIST_ITEMS items elided."""
    from lrviz.spec.model import _format_value

    if isinstance(value, (list, tuple)) and len(value) > MAX_LIST_ITEMS:
        head = ", ".join(_value_text(v) for v in value[: MAX_LIST_ITEMS - 1])
        return f"[{head}, …, {_value_text(value[-1])}]"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    return _format_value(value)


def _record_type(value: Any) -> str | None:
    """The `type` of a record written as a mapping or as a list of [key, value] pairs, else None."""
    if isinstance(value, dict):
        found = value.get("type")
        return None if found is None else str(found)
    if isinstance(value, (list, tuple)) and value and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in value):
        return next((str(v) for k, v in value if k == "type"), None)
    return None


def _record_types(value: Any) -> list[str] | None:
    """The types of a list of records (fvcore's `schedulers`, optax's `schedules`), else None."""
    if not isinstance(value, (list, tuple)) or not value:
        return None
    types = [_record_type(item) for item in value]
    return None if None in types else types  # type: ignore[return-value]


def scheduler_label(scheduler: SchedulerSpec, nested: bool = False, limit: int | None = None) -> str:
    """A short description of `scheduler`: composites as `Sequential[A → B]`, lists of records by
    their types, long lists elided; a nested scheduler by its short name and key parameter. With
    `limit`, the parameters that do not fit in `limit` characters are left out (`…`)."""
    if scheduler.children:
        name, joiner = registry.SHORT_LABELS.composites.get(scheduler.type, (scheduler.type, ", "))
        return f"{name}[{joiner.join(scheduler_label(child, nested=True) for child in scheduler.children)}]"
    for _, value in scheduler.params:
        types = _record_types(value)
        if types is not None:
            return f"{scheduler.type}[{' → '.join(types)}]"
    name = registry.SHORT_LABELS.names.get(scheduler.type, scheduler.type) if nested else scheduler.type
    key = registry.SHORT_LABELS.key_params.get(scheduler.type) if nested else None
    if key is not None and key in scheduler.kwargs:
        return f"{name}({_value_text(scheduler.kwargs[key])})"
    params = [f"{k}={_value_text(v)}" for k, v in scheduler.params]
    shown = len(params)
    while limit is not None and shown and len(f"{name}({', '.join([*params[:shown], '…'])})") > limit:
        shown -= 1
    return f"{name}({', '.join(params[:shown] + (['…'] if shown < len(params) else []))})"


def warmup_text(warmup: Warmup | None) -> str | None:
    """`warmup 10` (plus its shape and mode when not the default linear multiply), or None."""
    if warmup is None or warmup.steps <= 0:
        return None
    extra = [part for part in (warmup.method, warmup.mode) if part not in ("linear", "multiply")]
    return f"warmup {warmup.steps}" + (f" ({', '.join(extra)})" if extra else "")


def _varied_text(pairs: Sequence[tuple[str, Any]]) -> str:
    from lrviz.spec.model import _format_value

    return ", ".join(f"{key}={_format_value(value)}" for key, value in pairs)


def _is_sweep_label(spec: CurveSpec) -> bool:
    """Whether `spec`'s label is the one a sweep derives (its varied values), not one given."""
    return bool(spec.varied) and spec.label == _varied_text(spec.varied)


def _is_named_sweep_label(spec: CurveSpec) -> bool:
    """Whether `spec`'s label is a given name and its swept values (`gamma sweep: gamma=0.9`)."""
    return bool(spec.varied) and spec.label.endswith(f": {_varied_text(spec.varied)}")


def _is_derived_label(spec: CurveSpec) -> bool:
    return spec.label == spec.scheduler.describe()


def curve_label(spec: CurveSpec) -> str:
    """`spec`'s label on a figure: a derived one shortened (see :func:`scheduler_label`), a given
    one as it is (cut in the middle when longer than MAX_LABEL_CHARS)."""
    if not _is_derived_label(spec) and not _is_named_sweep_label(spec):
        return shorten(spec.label)  # given as it is: it says what it means to
    label = spec.label if _is_named_sweep_label(spec) else scheduler_label(spec.scheduler, limit=MAX_LABEL_CHARS)
    label = shorten(label)
    warmup = warmup_text(spec.warmup)
    return label if warmup is None else f"{label} + {warmup}"


def _common_pairs(specs: Sequence[CurveSpec]) -> list[tuple[str, Any]]:
    """The swept (key, value) pairs every curve of a sweep shares."""
    first = specs[0].varied
    return [pair for pair in first if all(pair in spec.varied for spec in specs[1:])]


def _sweep_labels(specs: Sequence[CurveSpec], title: str | None) -> FigureLabels:
    """A sweep of one scheduler: what every curve shares to the title, what differs to the legend."""
    common = _common_pairs(specs)
    labels = tuple(shorten(_varied_text([p for p in spec.varied if p not in common]) or spec.label) for spec in specs)
    if title is None:
        title = ", ".join([specs[0].scheduler.type, *(_varied_text([pair]) for pair in common)])
    return FigureLabels(title, labels)


def figure_labels(curves: Sequence[Curve], title: str | None) -> FigureLabels:
    """The title and legend labels of a figure of `curves` (`title`: the one given, or None)."""
    specs = [curve.spec for curve in curves]
    if len(specs) == 1 and title is None and _is_derived_label(specs[0]):
        warmup = warmup_text(specs[0].warmup)
        label = scheduler_label(specs[0].scheduler)  # a title wraps: every parameter
        return FigureLabels(label if warmup is None else f"{label} + {warmup}", (curve_label(specs[0]),))
    if len(specs) == 1:
        return FigureLabels(specs[0].label if title is None else title, (curve_label(specs[0]),))
    one_sweep = all(_is_sweep_label(s) for s in specs) and len({s.scheduler.type for s in specs}) == 1
    if not one_sweep:
        return FigureLabels(title, tuple(curve_label(s) for s in specs))
    result = _sweep_labels(specs, title)
    warmups = {warmup_text(spec.warmup) for spec in specs}
    if warmups == {None}:
        return result
    if len(warmups) == 1 and title is None:  # every curve warms up alike: the title says so
        return FigureLabels(f"{result.title} + {warmups.pop()}", result.labels)
    labels = tuple(
        label if warmup_text(spec.warmup) is None else f"{label} + {warmup_text(spec.warmup)}"
        for label, spec in zip(result.labels, specs, strict=True)
    )
    return FigureLabels(result.title, labels)
