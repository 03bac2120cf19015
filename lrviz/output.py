"""Writing output files atomically: a failed run never creates, truncates or replaces a file."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from lrviz.errors import OutputError

FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
DATA_SUFFIXES = (".json", ".csv")


def check_output_path(path: str | Path, allowed: tuple[str, ...], flag: str = "--output") -> Path:
    """Fail early (before any simulation) when `path` cannot be written or has the wrong suffix."""
    if not str(path):
        raise OutputError("expected a file name, got ''", flag)
    try:
        return _checked_output_path(path, allowed, flag)
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise OutputError(f"cannot write {str(path)!r}: {(exc.strerror or str(exc)).lower()}", flag) from None


def _checked_output_path(path: str | Path, allowed: tuple[str, ...], flag: str) -> Path:
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in allowed:
        shown = f"'{suffix}'" if suffix else "no suffix"
        raise OutputError(f"unsupported output format {shown} in {str(path)!r}; use one of {', '.join(allowed)}", flag)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: directory {str(parent)!r} does not exist", flag)
    if target.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: it is a directory", flag)
    if not os.access(parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise OutputError(f"cannot write {str(path)!r}: permission denied", flag)
    return target


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def _terminate_raises() -> Iterator[None]:
    """Inside the block SIGTERM raises SystemExit (exit status 128 + 15, as if killed), like
    SIGINT raises KeyboardInterrupt: the temporary file is removed on the way out, not left behind.
    Signal handlers belong to the main thread; elsewhere the block changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def write_atomic(path: str | Path, write: Callable[[IO[bytes]], None], flag: str = "--output") -> Path:
    """Call `write` on a temporary file beside `path`, then move it into place."""
    with _terminate_raises():
        return _write_atomic(path, write, flag)


def _write_atomic(path: str | Path, write: Callable[[IO[bytes]], None], flag: str) -> Path:
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed
            dir=parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise OutputError(f"cannot write {str(path)!r}: {exc.strerror or exc}", flag) from None
    try:
        with handle:
            write(handle)
        os.chmod(handle.name, 0o666 & ~_umask())
        os.replace(handle.name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {str(path)!r}: {exc.strerror or exc}", flag) from None
        raise
    return target
