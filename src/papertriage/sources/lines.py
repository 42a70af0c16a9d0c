"""JSON lines, read one record at a time (the Kaggle snapshot, papertriage's own JSONL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from ..errors import InputError

# The most a record may take: one line of JSON lines (a Kaggle record is about 2 kB), and
# a whole-file format (an HF listing, an arXiv feed: a few MB). A longer line or file is
# refused before it is held whole, so a small gzip that expands to one endless line
# cannot exhaust memory.
MAX_LINE = 16 * 1024 * 1024
MAX_DOCUMENT = 64 * 1024 * 1024
# 19 digits in a row, anywhere in a line (a quick test: translate and find are C loops)
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_NUMBER = b"0" * 19
_MAX_OPEN = 500  # brackets in a line: below this it nests less deeply than json refuses


def json_lines(fh: BinaryIO, origin: str) -> Iterator[tuple[int, Any]]:
    """(line number, record) for each non-blank line; a broken line is an InputError
    naming its number."""
    import orjson  # here: the import path only, never a query command's start-up

    fast = orjson.loads
    n = 0
    while line := fh.readline(MAX_LINE + 1):
        n += 1
        if len(line) > MAX_LINE:
            raise InputError(origin, f"a line over {MAX_LINE >> 20} MB", where=str(n))
        if not line.strip():
            continue
        # orjson reads a number past 64 bits as a float, and nests deeper than json can:
        # such lines go to json.loads, and so does anything orjson refuses (NaN, lone
        # surrogates, a byte order mark...), which json.loads reads as it always has or
        # explains. (The tests look at the bytes, strings and all: a false alarm only
        # costs the slower parser.)
        try:
            if (
                _LONG_NUMBER in line.translate(_DIGITS_AS_ZERO)
                or line.count(b"[") + line.count(b"{") > _MAX_OPEN
            ):
                raise ValueError
            record = fast(line)
        except ValueError:  # orjson.JSONDecodeError too
            record = loads(line, origin, str(n))
        yield n, record


def loads(data: bytes | str, origin: str, where: str | None = None) -> Any:
    """json.loads, with broken or too deeply nested JSON an InputError."""
    try:
        return json.loads(data)
    except RecursionError:
        raise InputError(origin, "JSON nested too deeply", where=where) from None
    except ValueError as exc:  # UnicodeDecodeError too
        what = "broken JSON line" if where else "not valid JSON"
        detail = exc.args[0].split(":")[0] if where else str(exc)
        raise InputError(origin, f"{what} ({detail})", where=where) from None


def read_document(fh: BinaryIO, origin: str) -> bytes:
    """The whole content of a file in a whole-file format, at most MAX_DOCUMENT bytes."""
    data = fh.read(MAX_DOCUMENT + 1)
    if len(data) > MAX_DOCUMENT:
        raise InputError(
            origin,
            f"over {MAX_DOCUMENT >> 20} MB, the most a JSON or XML file may hold"
            " (JSON lines are read a line at a time)",
        )
    return data
