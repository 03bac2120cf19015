"""The metric ReduceLROnPlateau is stepped with: a list, a CSV column, or a synthetic loss.

The synthetic validation loss is reproducible (seeded) and has the shape plateau schedulers react
to: a fast decay that flattens into a plateau, a drop at the half-way point, a second plateau,
and noise::

    loss[t] = 0.2 + 1.5 * exp(-6 t / n) + 0.3 * (t < n / 2) + 0.02 * N(0, 1)[t]

with ``n`` the number of steps and the noise from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError
from lrviz.inputs import read_regular_file
from lrviz.schedules import pytorch as registry
from lrviz.spec.model import Locator, Metric, _check_keys, parse_float, parse_int

DEFAULT_SEED = 0
MAX_CSV_BYTES = 256 * 1024 * 1024  # room for a value per step of the longest curve, and other columns


def synthetic_loss(steps: int, seed: int = DEFAULT_SEED, noise: float = 0.02) -> tuple[float, ...]:
    """The documented synthetic validation loss, `steps` values."""
    import numpy as np

    t = np.arange(steps, dtype=np.float64)
    n = float(max(steps, 1))
    rng = np.random.default_rng(seed)
    loss = 0.2 + 1.5 * np.exp(-6.0 * t / n) + 0.3 * (t < n / 2) + noise * rng.standard_normal(steps)
    return tuple(float(v) for v in loss)


def _read_csv_column(path_text: str, column: str, where: str, base: str | None) -> tuple[float, ...]:
    path = Path(path_text)
    if base and not path.is_absolute():
        path = Path(base).parent / path
    try:
        with io.StringIO(read_regular_file(path, MAX_CSV_BYTES).decode("utf-8"), newline="") as handle:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            if column not in fields:
                hint = registry.suggest(column, list(fields)) or f" (columns: {', '.join(fields) or 'none'})"
                raise SpecError(f"{path} has no column '{column}'{hint}", where)
            values = []
            for row in reader:
                cell = row.get(column)
                if cell is None or not cell.strip():
                    continue
                values.append(parse_float(cell, f"{path}:{reader.line_num}", f"a number in column '{column}'"))
    except OSError as exc:
        raise SpecError(f"cannot read metric file {path}: {exc.strerror or exc}", where) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SpecError(f"cannot parse metric file {path} as CSV: {exc}", where) from None
    if not values:
        raise SpecError(f"{path} has no values in column '{column}'", where)
    return tuple(values)


def _values(raw: Any, where: str) -> tuple[float, ...]:
    values = tuple(parse_float(v, where, "numbers") for v in raw)
    if not values:
        raise SpecError("expected at least one value", where)
    return values


def build_metric(raw: Any, steps: int | None, loc: Locator, source: str | None = None) -> Metric:
    """A Metric from YAML or flag text; None means the synthetic loss.

    Forms: a list of numbers; ``{values: [...]}``; ``{csv: FILE, column: NAME}``;
    ``{synthetic: {seed: 0}}``; and as flag text ``synthetic``, ``synthetic:SEED``,
    ``FILE.csv:COLUMN`` or ``0.9,0.8,...``. Every mapping form may add ``plot: true`` (draw the
    metric on a secondary axis) and ``name``. `steps` None means the metric's own length.
    """
    where = loc.where()
    raw = _from_text(raw.strip()) if isinstance(raw, str) else {"synthetic": {}} if raw is None else raw
    if isinstance(raw, (list, tuple)):
        metric = Metric(values=_values(raw, where), source="list")
    elif isinstance(raw, Mapping):
        metric = _from_mapping(raw, steps, loc, source)
    else:
        raise SpecError("expected a list of numbers, {csv: FILE, column: NAME} or {synthetic: {seed: 0}}", where)
    if steps is not None and len(metric.values) < steps:
        raise SpecError(f"the metric has {len(metric.values)} values, fewer than the {steps} steps to simulate", where)
    if not all(math.isfinite(v) for v in metric.values):
        raise SpecError("metric values must be finite", where)
    return metric


def _from_text(text: str) -> Any:
    """The YAML form of a --metric flag's text."""
    if text == "synthetic" or text.startswith("synthetic:"):
        return {"synthetic": {"seed": text.partition(":")[2] or str(DEFAULT_SEED)}}
    if ":" in text and not text.replace(",", "").replace(".", "").replace(":", "").isdigit():
        path, _, column = text.rpartition(":")
        return {"csv": path, "column": column}
    return [item for item in text.split(",") if item.strip()]


def _from_mapping(raw: Mapping[str, Any], steps: int | None, loc: Locator, source: str | None) -> Metric:
    """A metric's values: listed, read from a CSV column, or the synthetic loss."""
    _check_keys(raw, ("values", "csv", "column", "synthetic", "plot", "name"), loc, "metric key")
    plot = bool(raw.get("plot", False))
    name = str(raw.get("name", raw.get("column", "validation loss" if "synthetic" in raw else "metric")))
    forms = [k for k in ("values", "csv", "synthetic") if k in raw]
    if len(forms) != 1:
        raise SpecError("give exactly one of values, csv or synthetic", loc.where())
    if forms[0] == "values":
        if not isinstance(raw["values"], (list, tuple)):
            raise SpecError("expected a list of numbers", loc.where("values"))
        return Metric(_values(raw["values"], loc.where("values")), "list", name, plot)
    if forms[0] == "csv":
        if "column" not in raw:
            raise SpecError("a csv metric needs 'column'", loc.where())
        values = _read_csv_column(str(raw["csv"]), str(raw["column"]), loc.where("csv"), source)
        return Metric(values, f"{raw['csv']}:{raw['column']}", name, plot)
    options = raw["synthetic"] or {}
    if not isinstance(options, Mapping):
        raise SpecError("expected a mapping such as {seed: 0}", loc.where("synthetic"))
    synthetic_loc = loc.child("synthetic")
    _check_keys(options, ("seed", "noise"), synthetic_loc, "synthetic metric key")
    seed = parse_int(options.get("seed", DEFAULT_SEED), synthetic_loc.where("seed"))
    if seed < 0:  # numpy's generators take non-negative seeds only
        raise SpecError(f"the seed must be a non-negative integer, got {seed}", synthetic_loc.where("seed"))
    noise = parse_float(options.get("noise", 0.02), synthetic_loc.where("noise"))
    length = steps if steps is not None else registry.DEFAULT_STEPS
    return Metric(synthetic_loss(length, seed, noise), f"synthetic(seed={seed})", name, plot)
