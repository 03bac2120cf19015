"""Reading the files a user names (specs, metric CSVs, style files): regular files only, size-capped.

A FIFO would block the read forever and ``/dev/zero`` (or a symlink to it) would fill memory, so
a file is opened without blocking, refused unless the opened file is a regular one, and read
only up to a limit even then (a file may grow while it is read). Problems are raised as
``OSError`` with a `strerror` that reads well after "cannot read: ".
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_regular(mode: int) -> OSError:
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return OSError(errno.EINVAL, f"not a regular file ({kind})")


def check_regular_file(path: str | Path, limit: int) -> int:
    """The size of `path`, a regular file of at most `limit` bytes; OSError for anything else."""
    info = os.stat(path)  # follows symlinks: a link to /dev/zero is a device
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise _not_regular(info.st_mode)
    if info.st_size > limit:
        raise OSError(errno.EFBIG, f"{info.st_size:,} bytes, more than the {limit:,} allowed")
    return info.st_size


def read_regular_file(path: str | Path, limit: int) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; OSError for anything else."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)  # O_NONBLOCK: opening a FIFO does not wait for a writer
    try:
        info = os.fstat(descriptor)  # the file actually opened, whatever the path pointed at
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(info.st_mode)
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(descriptor)
    if remaining <= 0:
        raise OSError(errno.EFBIG, f"more than the {limit:,} bytes allowed")
    return b"".join(chunks)
