"""Figure styles: lrviz's presets (`paper`, `slides`, `dark`) and matplotlib style files.

A style is named by a preset or by the path of a ``.mplstyle`` file; several combine left to
right (`paper,dark`), as matplotlib's ``style.use([...])`` does. Names are checked without
importing matplotlib (:func:`check_style`), so a typo fails before any simulation; the rc
parameters themselves are read when a figure is drawn (:func:`resolve_style`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrviz.errors import SpecError
from lrviz.inputs import check_regular_file

# Okabe & Ito, "Color Universal Design" (2008); yellow last: it is faint on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
# The same colours on a dark background: sky blue first, white for black, dark blue last.
DARK_PALETTE = ("#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#F0E442", "#FFFFFF", "#0072B2")

_DARK_BACKGROUND = "#1e1e1e"
_DARK_FOREGROUND = "#d8d8d8"

PRESETS: dict[str, dict[str, Any]] = {
    # A one-column figure of a two-column paper (3.5 in wide), serif text at 8-9 pt like the body
    # of the page. STIX is bundled with matplotlib and looks like Times, so the output is the same
    # on every machine.
    "paper": {
        "figure.figsize": (3.5, 2.5),
        "savefig.dpi": 300,
        "font.family": "serif",
        "font.serif": ["STIXGeneral", "DejaVu Serif"],
        "mathtext.fontset": "stix",
        "font.size": 8,
        "axes.titlesize": 9,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "lines.linewidth": 1.1,
        "axes.linewidth": 0.6,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "xtick.major.size": 3,
        "ytick.major.size": 3,
        "grid.linewidth": 0.4,
    },
    # A 16:9 slide: large text and thick lines that survive a projector.
    "slides": {
        "figure.figsize": (8.0, 4.5),
        "savefig.dpi": 200,
        "font.size": 16,
        "axes.titlesize": 18,
        "axes.labelsize": 16,
        "xtick.labelsize": 14,
        "ytick.labelsize": 14,
        "legend.fontsize": 13,
        "lines.linewidth": 2.6,
        "grid.linewidth": 0.8,
    },
    "dark": {
        "figure.facecolor": _DARK_BACKGROUND,
        "axes.facecolor": _DARK_BACKGROUND,
        "savefig.facecolor": _DARK_BACKGROUND,
        "axes.edgecolor": _DARK_FOREGROUND,
        "axes.labelcolor": _DARK_FOREGROUND,
        "axes.titlecolor": _DARK_FOREGROUND,
        "text.color": _DARK_FOREGROUND,
        "xtick.color": _DARK_FOREGROUND,
        "ytick.color": _DARK_FOREGROUND,
        "grid.color": "#808080",
        "legend.labelcolor": _DARK_FOREGROUND,
    },
}
PRESET_PALETTES = {"dark": DARK_PALETTE}
STYLE_FILE_SUFFIX = ".mplstyle"
MAX_STYLE_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ResolvedStyle:
    """rc parameters to draw and save with, and the colours of the curves."""

    rc: dict[str, Any]
    palette: tuple[str, ...] = PALETTE


def split_style(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """`"paper,dark"` or `["paper", "dark"]` as a tuple of names."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    return tuple(item.strip() for item in items if item.strip())


def check_style(name: str, where: str, base: str | Path | None = None) -> str:
    """A preset name, or the path of an existing style file (relative to `base`'s folder)."""
    from lrviz.schedules import pytorch as registry

    text = str(name).strip()
    if text.lower() in PRESETS:
        return text.lower()
    if text.lower().endswith(STYLE_FILE_SUFFIX) or "/" in text or "\\" in text:
        path = Path(text).expanduser()
        if base is not None and not path.is_absolute():
            path = Path(base).parent / path
        try:
            check_regular_file(path, MAX_STYLE_FILE_BYTES)
        except FileNotFoundError:
            raise SpecError(f"no such style file {str(path)!r}", where) from None
        except OSError as exc:  # a directory, a FIFO or device, too large, a name too long
            raise SpecError(f"cannot read style file {str(path)!r}: {exc.strerror or exc}", where) from None
        return str(path)
    hint = registry.suggest(text, list(PRESETS))
    raise SpecError(
        f"unknown style {text!r}{hint} (use {', '.join(PRESETS)}, or a {STYLE_FILE_SUFFIX} file)",
        where,
    )


def check_styles(value: str | Sequence[str] | None, where: str, base: str | Path | None = None) -> tuple[str, ...]:
    """Every name of `value` checked with :func:`check_style`."""
    names = split_style(value)
    if value is not None and not names:
        raise SpecError(f"expected a style: {', '.join(PRESETS)}, or a {STYLE_FILE_SUFFIX} file", where)
    return tuple(check_style(name, where, base) for name in names)


class _Collect(logging.Handler):
    """Keeps the messages matplotlib logs while it reads a style file (bad keys, bad values)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _read_style_file(path: str, where: str) -> dict[str, Any]:
    from matplotlib import rc_params_from_file

    logger = logging.getLogger("matplotlib")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            params = rc_params_from_file(path, use_default_template=False)
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read style file {path!r}: {exc}", where) from None
    except ValueError as exc:
        raise SpecError(f"bad value in style file {path!r}: {' '.join(str(exc).split())}", where) from None
    finally:
        logger.removeHandler(collect)
    problems = collect.messages + [str(w.message) for w in caught]
    if problems:
        first = problems[0].strip().splitlines()[0]
        raise SpecError(f"in style file {path!r}: {' '.join(first.split())}", where)
    if params.get("text.usetex"):
        raise SpecError(
            f"in style file {path!r}: text.usetex is not supported (it needs a LaTeX installation); "
            "lrviz draws text with matplotlib's own mathtext",
            where,
        )
    return dict(params)


def resolve_style(names: str | Sequence[str] | None, where: str = "--style") -> ResolvedStyle:
    """The rc parameters of `names` (presets or files), merged left to right, and the palette."""
    rc: dict[str, Any] = {}
    palette = PALETTE
    for name in split_style(names):
        checked = check_style(name, where)
        if checked in PRESETS:
            rc.update(PRESETS[checked])
            palette = PRESET_PALETTES.get(checked, palette)
        else:
            params = _read_style_file(checked, where)
            rc.update(params)
            cycle = params.get("axes.prop_cycle")
            if cycle is not None and "color" in cycle.keys:
                palette = tuple(cycle.by_key()["color"])
    return ResolvedStyle(rc, palette)
