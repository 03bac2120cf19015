"""The numbers: JSON (DESIGN.md's contract) and CSV (a step column, one column per curve).

Both are written as a stream of text pieces, `CHUNK` values at a time: a 10M-step curve never
exists as one Python list or one string (which took 3.4 GB for JSON). The text is exactly what
``json.dumps(record, indent=2, allow_nan=False)`` and ``csv.writer`` wrote when they were given
the whole thing (tests compare the bytes): every float is its ``repr`` (the shortest text that
reads back as the same float), a non-finite one is ``null`` in JSON. :mod:`lrviz.report.floattext`
writes that text for a whole chunk at once (orjson, 20x faster than ``repr`` a value).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from lrviz.errors import printable
from lrviz.report.floattext import float_texts, json_numbers

if TYPE_CHECKING:
    from lrviz.simulation.stepping import Curve

FORMATS = ("json", "csv")
CHUNK = 1 << 16  # values formatted at a time: ~2 MB of text, small beside the arrays themselves
INDENT = "  "  # json.dumps(indent=2)


def _torch_version() -> str:
    import torch

    return str(torch.__version__)


def to_json_dict(curves: Sequence[Curve], arrays: bool = False) -> dict[str, Any]:
    """The JSON document as Python data; with `arrays`, the series stay numpy arrays (no copies)."""
    from lrviz import __version__

    return {
        "lrviz_version": __version__,
        "torch_version": _torch_version(),
        "curves": [curve.to_dict(arrays=arrays) for curve in curves],
    }


def _json_numbers(values: np.ndarray, separator: str) -> str:
    """The array's floats as JSON numbers (null for NaN and ±inf), `separator` between them."""
    numbers = json_numbers(values)
    if numbers is not None:
        return numbers[1:-1].decode("ascii").replace(",", separator)
    return separator.join(float_texts(values, "null"))


def _json_array(values: np.ndarray, level: int) -> Iterator[str]:
    if len(values) == 0:
        yield "[]"
        return
    separator = ",\n" + INDENT * (level + 1)
    yield "[\n" + INDENT * (level + 1)
    for start in range(0, len(values), CHUNK):
        if start:
            yield separator
        yield _json_numbers(values[start : start + CHUNK], separator)
    yield "\n" + INDENT * level + "]"


def _json_pieces(value: Any, level: int = 0) -> Iterator[str]:
    """`value` as ``json.dumps(value, indent=2)`` lays it out, numpy arrays as lists of floats."""
    if isinstance(value, np.ndarray):
        yield from _json_array(value, level)
        return
    if isinstance(value, dict):
        items: Any = [(json.dumps(key) + ": ", item) for key, item in value.items()]
        opening, closing = "{", "}"
    elif isinstance(value, (list, tuple)):
        items = [("", v) for v in value]
        opening, closing = "[", "]"
    else:
        # JSON has no NaN or Infinity: a non-finite number is exported as null (`check` reports it).
        finite = not isinstance(value, float) or math.isfinite(value)
        yield json.dumps(value, allow_nan=False) if finite else "null"
        return
    if not items:
        yield opening + closing
        return
    separator = ",\n" + INDENT * (level + 1)
    yield opening + "\n" + INDENT * (level + 1)
    for index, (key, item) in enumerate(items):
        yield (separator if index else "") + key
        yield from _json_pieces(item, level + 1)
    yield "\n" + INDENT * level + closing


def json_pieces(curves: Sequence[Curve]) -> Iterator[str]:
    """The JSON export, piece by piece (join them for the whole text)."""
    yield from _json_pieces(to_json_dict(curves, arrays=True))
    yield "\n"


def to_json(curves: Sequence[Curve]) -> str:
    """The JSON export as one string (see :func:`write_export` for a long curve)."""
    return "".join(json_pieces(curves))


def csv_columns(curves: Sequence[Curve]) -> list[tuple[str, Any]]:
    """(header, values) for every curve, one per param group when a curve has several, then one per series."""
    columns = []
    for curve in curves:
        names = curve.group_names
        for name, values in zip(names, curve.group_lr, strict=True):
            header = curve.label if len(names) == 1 else f"{curve.label} [{name}]"
            # a CSV goes to the terminal when there is no -o: a label's control characters stay escaped
            columns.append((printable(header), values))
        for param, values in curve.series:  # scheduled weight decay / momentum (a curve's `series:`)
            columns.append((printable(f"{curve.label} [{param}]"), values))
    return columns


def _csv_cells(values: np.ndarray, start: int, stop: int) -> list[str]:
    """The column's cells for rows `start`..`stop`-1; empty past the curve's end."""
    texts = float_texts(np.asarray(values[start:stop], dtype=np.float64))
    return texts + [""] * (stop - start - len(texts))


def csv_pieces(curves: Sequence[Curve]) -> Iterator[str]:
    """`step,<label>...`, then a row per step; a shorter curve leaves its cells empty past its end."""
    columns = csv_columns(curves)
    length = max((len(values) for _, values in columns), default=0)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(["step", *(name for name, _ in columns)])
    yield header.getvalue()
    for start in range(0, length, CHUNK):
        stop = min(start + CHUNK, length)
        yield _csv_rows(columns, start, stop)


def _csv_rows(columns: list[tuple[str, Any]], start: int, stop: int) -> str:
    """Rows `start`..`stop`-1 of the CSV."""
    if len(columns) == 1:
        fast = _one_column_rows(np.asarray(columns[0][1][start:stop], dtype=np.float64), start, stop)
        if fast is not None:
            return fast
    cells = [_csv_cells(values, start, stop) for _, values in columns]
    if len(cells) == 1:  # one f-string per row is a third faster than joins
        return "".join([f"{step},{text}\n" for step, text in zip(range(start, stop), cells[0], strict=True)])
    return "".join([",".join(row) + "\n" for row in zip(map(str, range(start, stop)), *cells, strict=True)])


def _one_column_rows(values: np.ndarray, start: int, stop: int) -> str | None:
    """`step,value` rows of one full, finite column in a single orjson call; None when it does not apply.

    orjson writes the (step, value) table as ``[[0.0,v0],[1.0,v1]]``: only a step is followed by
    ``.0,`` (a value is followed by ``]``), so two replaces leave ``0,v0\n1,v1``.
    """
    if len(values) < stop - start or stop > 10**15 or not np.isfinite(values).all():
        return None
    table = np.empty((stop - start, 2), dtype=np.float64)
    table[:, 0] = np.arange(start, stop)
    table[:, 1] = values
    numbers = json_numbers(table)
    if numbers is None:
        return None
    return numbers[2:-2].replace(b".0,", b",").replace(b"],[", b"\n").decode("ascii") + "\n"


def to_csv(curves: Sequence[Curve]) -> str:
    """The CSV export as one string (see :func:`write_export` for a long curve)."""
    return "".join(csv_pieces(curves))


def export_pieces(curves: Sequence[Curve], fmt: str) -> Iterator[str]:
    """The export in `fmt` (json or csv), piece by piece."""
    return json_pieces(curves) if fmt == "json" else csv_pieces(curves)


def export_text(curves: Sequence[Curve], fmt: str) -> str:
    """The export in `fmt` (json or csv) as one string."""
    return "".join(export_pieces(curves, fmt))


def write_export(curves: Sequence[Curve], fmt: str, write: Callable[[str], object]) -> None:
    """Hand the export in `fmt` to `write` (``sys.stdout.write``, say) piece by piece."""
    for piece in export_pieces(curves, fmt):
        write(piece)
