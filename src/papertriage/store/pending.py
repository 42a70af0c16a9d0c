"""The queue of the user's writes that found the store being written (a long import or
fetch holds SQLite's one write lock for minutes).

``<store>.pending``, owner-only, one JSON object a line, each with a unique ``id``:
appended under ``flock`` and fsync'ed before the command says it is queued, so a
queued write survives a crash. The file is never renamed (appenders lock its inode);
a line cut short by a killed appender is skipped, and the next append starts a new
line. userdata applies the entries in file order inside a write transaction and
records each id in ``pending_applied`` in that same transaction: an entry is applied
exactly once, however often the file is read again (after a crash between the commit
and `compact`). `compact` empties the file once every entry in it is applied.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..atomicfile import private_dir

# A queue this long is a runaway (a script tagging in a loop during an import), not a
# user: it is refused rather than grown without bound.
MAX_BYTES = 64_000_000


def pending_path(db: Path) -> Path:
    return db.with_name(db.name + ".pending")


def has_entries(db: Path) -> bool:
    """Anything in the queue file (applied or not): one stat, for the hot paths."""
    try:
        return pending_path(db).stat().st_size > 0
    except OSError:
        return False


@contextmanager
def _locked(path: Path, create: bool) -> Iterator[int | None]:
    """The queue file open for reading and writing under an exclusive flock (None: no file)."""
    flags = os.O_RDWR | (os.O_CREAT if create else 0)
    if create:
        private_dir(path.parent)
    try:
        fd = os.open(path, flags, 0o600)
    except FileNotFoundError:
        yield None
        return
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # not POSIX: appends of one write() each, still whole lines
            pass
        yield fd
    finally:
        os.close(fd)  # drops the flock


def new_id() -> str:
    """Unique across processes and time: the clock, the pid, and random bits."""
    import secrets

    return f"{time.time_ns():x}-{os.getpid():x}-{secrets.token_hex(4)}"


def append(db: Path, entry: dict[str, Any]) -> str:
    """Add one write to the queue, durably (fsync'ed); returns its id."""
    from ..errors import StoreError

    path = pending_path(db)
    entry = {**entry, "id": new_id()}
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    with _locked(path, create=True) as fd:
        assert fd is not None
        size = os.fstat(fd).st_size
        if size + len(line) > MAX_BYTES:
            raise StoreError(f"{path}: the queue of writes waiting for the store is full")
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line  # the line before was cut short by a kill: end it
        os.lseek(fd, 0, os.SEEK_END)
        os.write(fd, line)
        os.fsync(fd)
    if size == 0:
        _sync_dir(path.parent)
    return str(entry["id"])


def read(db: Path) -> tuple[list[dict[str, Any]], int]:
    """The queued entries in order, and the length of the file they were read from
    (for `compact`). A line that is not a whole JSON object with an id is skipped."""
    with _locked(pending_path(db), create=False) as fd:
        if fd is None:
            return [], 0
        size = os.fstat(fd).st_size
        data = os.pread(fd, size, 0) if size else b""
    out = []
    for raw in data.split(b"\n"):
        try:
            entry = json.loads(raw)
        except ValueError:  # an empty or a cut-short line
            continue
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            out.append(entry)
    return out, len(data)


def compact(db: Path, length: int) -> bool:
    """Empty the queue file if it still is the `length` bytes whose entries are all
    applied (committed); True if emptied. What was appended since stays."""
    with _locked(pending_path(db), create=False) as fd:
        if fd is None or os.fstat(fd).st_size != length:
            return False
        os.ftruncate(fd, 0)
        os.fsync(fd)
    return True


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
