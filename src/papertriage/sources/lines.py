"""JSON lines, read one record at a time (the Kaggle snapshot, papertriage's own JSONL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from ..errors import InputError


def json_lines(fh: BinaryIO, origin: str) -> Iterator[tuple[int, Any]]:
    """(line number, record) for each non-blank line; a broken line is an InputError
    naming its number."""
    for n, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except ValueError as exc:
            raise InputError(
                origin, f"broken JSON line ({exc.args[0].split(':')[0]})", where=str(n)
            ) from None
