"""Writing a file so that readers see the old content or the new, never half of either."""

from __future__ import annotations

import os
from collections.abc import Callable

from .errors import OutputFileError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import TextIO


def write_atomic(path: Path | str, write: Callable[[TextIO], None]) -> None:
    """Call write(stream) on a temporary file next to path, then rename it over path.

    The temporary file lives in the same directory so the final os.replace is a rename
    on one filesystem (atomic on POSIX and Windows). If write raises, the temporary file
    is removed and path keeps its old content.
    """
    from pathlib import Path

    target = Path(path)
    if target.exists() and not target.is_file():
        # /dev/null, /dev/stdout, a named pipe: renaming over it would replace the device.
        _write_in_place(target, write)
        return
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputFileError(f"{target}: directory {folder} does not exist")
    import tempfile  # here: start-up (the fast path imports private_dir)

    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputFileError(f"{target}: cannot write: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        # newline="" so the csv module's \r\n and everyone else's \n arrive unchanged.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputFileError(f"{target}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_in_place(target: Path, write: Callable[[TextIO], None]) -> None:
    try:
        with target.open("w", encoding="utf-8", newline="") as stream:
            write(stream)
    except OSError as exc:
        raise OutputFileError(f"{target}: cannot write: {exc.strerror or exc}") from None


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file is its owner's only, as the store."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return PRIVATE_FILE


PRIVATE_FILE = 0o600


def parent_dir(path: str | os.PathLike[str]) -> str:
    """The text of Path(path).parent for a path without "." or empty parts (as
    str(Path(...)) gives them), without pathlib: "." for a bare name."""
    return os.path.dirname(os.fspath(path)) or "."


def private_dir(path: Path | str) -> None:
    """Create a directory papertriage keeps its files in, and its missing parents, with
    mode 0700 whatever the umask; a directory that exists is left as it is."""
    missing = []
    folder = os.fspath(path)
    while not os.path.exists(folder) and folder != parent_dir(folder):
        missing.append(folder)
        folder = parent_dir(folder)
    for each in reversed(missing):
        try:
            os.mkdir(each, 0o700)
        except FileExistsError:
            pass
