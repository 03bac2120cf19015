"""Shell completion of NAME and FILE.yaml arguments (installed with `lrviz --install-completion`).

Runs on every <TAB>, so it reads the scheduler names from the registry's static table and the
file system only: no torch, no matplotlib.
"""

from __future__ import annotations

from pathlib import Path

from lrviz.spec.flags import YAML_SUFFIXES

MAX_FILES = 200


def spec_files(incomplete: str) -> list[str]:
    """YAML files (and folders, to descend into) whose path starts with `incomplete`."""
    folder, _, prefix = incomplete.rpartition("/")
    base = Path(folder or ".")
    if folder and not base.is_dir():
        return []
    found = []
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(prefix) or (entry.name.startswith(".") and not prefix.startswith(".")):
            continue
        shown = f"{folder}/{entry.name}" if folder else entry.name
        if entry.is_dir():
            found.append(shown + "/")
        elif entry.name.lower().endswith(YAML_SUFFIXES):
            found.append(shown)
        if len(found) >= MAX_FILES:
            break
    return found


def complete_target(incomplete: str) -> list[str]:
    """Scheduler class names and aliases starting with `incomplete`, then YAML files.

    Names are matched as typed (`cos` gives the aliases, `Cos` the class names), and in any
    case when nothing matches as typed: lrviz reads NAME case-insensitively.
    """
    from lrviz import schedules
    from lrviz.schedules import pytorch as registry

    every = registry.all_names() + schedules.all_names()
    names = [name for name in every if name.startswith(incomplete)]
    if not names:
        names = [name for name in every if name.lower().startswith(incomplete.lower())]
    return names + spec_files(incomplete)


def complete_spec_file(incomplete: str) -> list[str]:
    """YAML files starting with `incomplete`."""
    return spec_files(incomplete)
