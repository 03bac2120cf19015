"""The numbers: JSON (DESIGN.md's contract) and CSV (a step column, one column per curve)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrviz.simulation import Curve

FORMATS = ("json", "csv")


def _torch_version() -> str:
    import torch

    return str(torch.__version__)


def to_json_dict(curves: Sequence[Curve]) -> dict[str, Any]:
    from lrviz import __version__

    return {
        "lrviz_version": __version__,
        "torch_version": _torch_version(),
        "curves": [curve.to_dict() for curve in curves],
    }


def _finite_or_none(value: Any) -> Any:
    # JSON has no NaN or Infinity: a non-finite LR is exported as null (and `check` reports it).
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    return value


def to_json(curves: Sequence[Curve]) -> str:
    return json.dumps(_finite_or_none(to_json_dict(curves)), indent=2, allow_nan=False) + "\n"


def csv_columns(curves: Sequence[Curve]) -> list[tuple[str, Any]]:
    """(header, values) for every curve, one per param group when a curve has several."""
    columns = []
    for curve in curves:
        names = curve.group_names
        for name, values in zip(names, curve.group_lr, strict=True):
            header = curve.label if len(names) == 1 else f"{curve.label} [{name}]"
            columns.append((header, values))
    return columns


def to_csv(curves: Sequence[Curve]) -> str:
    """`step,<label>...`; a shorter curve leaves its cells empty past its end."""
    columns = csv_columns(curves)
    length = max((len(values) for _, values in columns), default=0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["step", *(header for header, _ in columns)])
    for step in range(length):
        writer.writerow([step, *(repr(float(values[step])) if step < len(values) else "" for _, values in columns)])
    return buffer.getvalue()


def export_text(curves: Sequence[Curve], fmt: str) -> str:
    return to_json(curves) if fmt == "json" else to_csv(curves)
