"""A writable config and cache folder for matplotlib, found before matplotlib is imported.

When its usual folders (``$MPLCONFIGDIR``, or ``~/.config/matplotlib`` and ``~/.cache/matplotlib``)
cannot be written (a read-only HOME, a container, a sandbox), matplotlib falls back to a
temporary folder itself, but says so in two warnings on stderr, and bad input must print one
line there. lrviz makes the same fallback quietly: a private temporary folder, removed at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path


def _matplotlib_dirs() -> list[Path]:
    """The folders matplotlib will use for its config and its cache (``matplotlib._get_config_or_cache_dir``)."""
    configured = os.environ.get("MPLCONFIGDIR")
    if configured:
        return [Path(configured)]
    if sys.platform.startswith(("linux", "freebsd")):
        config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return [Path(config, "matplotlib"), Path(cache, "matplotlib")]
    return [Path.home() / ".matplotlib"]


def _writable_dir(path: Path) -> bool:
    try:
        path = path.resolve()
        path.mkdir(parents=True, exist_ok=True)  # as matplotlib would, on import
    except OSError:
        return False
    return path.is_dir() and os.access(path, os.W_OK)


def use_writable_matplotlib_dirs() -> None:
    """Point matplotlib (not yet imported) at a private temporary folder when its own cannot be written."""
    if "matplotlib" in sys.modules:
        return
    try:
        usable = all(_writable_dir(path) for path in _matplotlib_dirs())
    except RuntimeError:  # no home folder at all
        usable = False
    if usable:
        return
    private = tempfile.mkdtemp(prefix="lrviz-matplotlib-")
    os.environ["MPLCONFIGDIR"] = private
    atexit.register(shutil.rmtree, private, ignore_errors=True)
