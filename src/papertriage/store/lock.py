"""One fetch at a time per store: an advisory lock file next to the store.

``fcntl.flock`` on ``<store>.fetch.lock``: the kernel drops the lock when the process
ends, however it ends, so a killed fetch never leaves a stale lock. The file is never
deleted (deleting a lock file that another process has open is a race); it holds the
pid of the fetch that has it, for the message the second fetch prints.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..atomicfile import private_dir
from ..errors import BusyError


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".fetch.lock")


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return text if text.isdigit() else "unknown"


@contextmanager
def fetch_lock(
    db: Path, wait: bool = False, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the fetch lock; if another fetch has it, wait (wait=True) or raise BusyError."""
    try:
        import fcntl
    except ImportError:  # not POSIX: SQLite's own locking still keeps the store whole
        yield
        return
    path = lock_path(db)
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd)
            if not wait:
                raise BusyError(
                    f"another fetch is running (pid {pid}, lock {path}); "
                    "try again when it ends, or use --wait"
                ) from None
            if on_wait:
                on_wait(pid)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
