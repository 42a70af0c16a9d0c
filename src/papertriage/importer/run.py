"""`papertriage import`: a file's papers (its format detected, sources/formats.py) merged in.

Each file is imported in one transaction: an error anywhere leaves the store as it was.
Large line-oriented files (the Kaggle snapshot, JSONL) are streamed in batches.
"""

from __future__ import annotations

import gzip
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import BinaryIO

from ..errors import InputError
from ..models import Paper
from ..sources.formats import (
    LINE_FORMATS,
    batches,
    detect,
    iter_papers,
    open_input,
    position,
    read_head,
)
from ..store.bulkload import DeferredIndex
from ..store.db import rollback_journal, transaction
from ..store.ingest import Ingest, Prepared
from ..store.runs import finish_run, start_run
from ..store.userdata import apply_pending
from ..text import scrub
from . import parallel

BATCH = 2000
# From this size on, new papers are indexed per batch instead of per row (bulkload.py).
BULK_MIN_BYTES = 16_000_000
Progress = Callable[[int], None]


@dataclass
class ImportResult:
    origin: str
    format: str
    counts: Counter[str] = field(default_factory=Counter)
    new_ids: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why (the first few)


def import_file(
    conn: sqlite3.Connection, name: str, fmt: str | None = None, progress: Progress | None = None
) -> ImportResult:
    """Import one file (or '-') in one transaction and say what happened."""
    fh, size = open_input(name)
    origin = "<stdin>" if name == "-" else scrub(name)  # shown and stored: no controls
    with fh:
        try:
            head = read_head(fh)
        except (OSError, EOFError) as exc:
            raise InputError(origin, f"cannot read: {exc}") from None
        fmt = fmt or detect(head, origin)
        result = ImportResult(origin, fmt)
        bulk = (size or 0) >= BULK_MIN_BYTES
        first = bulk and conn.execute("SELECT 1 FROM papers LIMIT 1").fetchone() is None
        with rollback_journal(conn) if first else nullcontext(), transaction(conn):
            run_id = start_run(conn, "import", origin)
            index = DeferredIndex(conn, size or 0) if bulk else None
            if index:
                index.start()
            ingest = Ingest(conn, run_id, index=index)
            try:
                for batch, position in _source(fh, name, origin, fmt, bulk=index is not None):
                    ingest.add(batch)
                    if progress:
                        progress(position)
            except (OSError, EOFError, gzip.BadGzipFile) as exc:
                raise InputError(origin, f"truncated or unreadable ({exc})") from None
            if index:
                index.finish()
            apply_pending(conn)  # the user's writes queued while this file was read
            finish_run(conn, run_id, "ok", ingest.counts)
        if fmt in ("json", "jsonl") and ingest.sources:
            result.format = "+".join(sorted(ingest.sources))
        result.counts = ingest.counts
        result.new_ids = ingest.new_ids
        result.skipped = ingest.skipped
        return result


def _source(
    fh: BinaryIO, name: str, origin: str, fmt: str, bulk: bool
) -> Iterator[tuple[list[Paper] | Prepared, int]]:
    """Batches of papers and the read position: parsed by a second process for a big
    line-oriented file (parallel.py), else here."""
    if bulk and fmt in LINE_FORMATS and name != "-" and parallel.available():
        yield from parallel.batches(name, origin, fmt, BATCH)
        return
    for batch in batches(iter_papers(fh, origin, fmt), BATCH):
        yield batch, position(fh)
