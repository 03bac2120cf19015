"""Schedule sources beyond torch's own classes: the framework families (``hf:cosine``, ...).

Each family is one module in this package that defines ``FRAMEWORK``, ``TITLE``, ``PACKAGE`` and
``SCHEDULES`` (see :mod:`lrviz.schedules.base`); they are found here by listing the package, so
adding a family is adding a file. Nothing here imports torch.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil
import re
from dataclasses import dataclass
from types import ModuleType

from lrviz.schedules.base import FrameworkSchedule

_NOT_FAMILIES = frozenset({"base", "torch_adapter", "pytorch"})  # pytorch: the torch source itself


@dataclass(frozen=True)
class Family:
    """A framework: its prefix, title, import name and schedules."""

    prefix: str  # "hf"
    title: str  # "Hugging Face transformers"
    package: str  # "transformers": the import name --code looks for
    schedules: tuple[FrameworkSchedule, ...]


def _family_of(module: ModuleType) -> Family:
    prefix = module.FRAMEWORK
    past_end = getattr(module, "STEPS_PAST_END", True)  # a family-wide fact (fvcore, detectron2: False)
    schedules = tuple(
        dataclasses.replace(s, framework=prefix, steps_past_end=s.steps_past_end and past_end) for s in module.SCHEDULES
    )
    return Family(prefix, module.TITLE, getattr(module, "PACKAGE", ""), schedules)


@functools.cache
def families() -> tuple[Family, ...]:
    """Every framework family, in the order DESIGN.md lists them where known, else by name."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in _NOT_FAMILIES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "FRAMEWORK"):
            found.append(_family_of(module))
    order = [
        "hf", "timm", "mmengine", "detectron2", "fvcore", "optax", "keras", "nanogpt", "torchtitan",
        "fairseq", "deepspeed", "megatron", "fastai", "ultralytics", "composer",
    ]  # fmt: skip
    return tuple(sorted(found, key=lambda f: (order.index(f.prefix) if f.prefix in order else len(order), f.prefix)))


@functools.cache
def _table() -> dict[str, FrameworkSchedule]:
    table: dict[str, FrameworkSchedule] = {}
    for family in families():
        for schedule in family.schedules:
            for name in (schedule.name, *schedule.aliases):
                table[f"{family.prefix}:{name}".lower()] = schedule
    return table


def is_framework_name(name: str) -> bool:
    """Whether `name` has the ``FRAMEWORK:NAME`` shape (the prefix may still be unknown)."""
    return ":" in str(name)


def lookup(name: str) -> FrameworkSchedule | None:
    """The schedule `FRAMEWORK:NAME` names (case-insensitive), or None."""
    return _table().get(str(name).strip().lower())


def all_names() -> list[str]:
    """Every `FRAMEWORK:NAME` a user may type, canonical names first."""
    return [s.full_name for family in families() for s in family.schedules]


def family(prefix: str) -> Family | None:
    """The family whose prefix is `prefix` (case-insensitive)."""
    return next((f for f in families() if f.prefix == prefix.lower()), None)


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]


def names_like(word: str) -> list[str]:
    """Framework schedules whose name holds every word of `word` (`warmup-cosine`), for suggestions."""
    words = _words(word)
    if not words:
        return []
    matches = []
    for name in all_names():
        own = name.split(":", 1)[1].lower()
        if all(w in own for w in words):
            matches.append(name)
    return matches
