"""`papertriage import`: detect a file's format from its content and merge it in.

Each file is imported in one transaction: an error anywhere leaves the store as it was.
Large line-oriented files (the Kaggle snapshot, JSONL) are streamed in batches.
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError, UnknownFormatError
from ..models import Paper
from ..store.bulkload import DeferredIndex
from ..store.db import transaction
from ..store.ingest import Ingest
from ..store.runs import finish_run, start_run
from . import parallel

FORMATS = (
    "hf-daily",
    "hf-search",
    "hf-paper",
    "hf-page",
    "hf-html",
    "arxiv-api",
    "arxiv-rss",
    "arxiv-oai",
    "kaggle",
    "papertriage",
)
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


def open_input(name: str) -> tuple[BinaryIO, int | None]:
    """A binary stream for a path or '-', transparently gunzipped, and its size."""
    if name == "-":
        return io.BytesIO(sys.stdin.buffer.read()), None
    path = Path(name)
    try:
        fh: BinaryIO = path.open("rb")
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except IsADirectoryError:
        raise InputError(name, "is a directory") from None
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror}") from None
    size = path.stat().st_size
    if fh.read(2) == b"\x1f\x8b":
        fh.seek(0)
        return gzip.open(fh, "rb"), size  # type: ignore[return-value]
    fh.seek(0)
    return fh, size


def detect(head: bytes, origin: str) -> str:
    """The format name for the first bytes of a file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise InputError(origin, "empty file")
    low = text[:300].lower()
    if low.startswith(b"<"):
        if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low:
            if b"huggingface.co/papers/" in head.lower() or b"arxiv.org/abs/" in head.lower():
                return "hf-html"
            raise InputError(origin, "an HTML page, not a listing (an error page from the server?)")
        from ..sources import arxiv_api, arxiv_oai, arxiv_rss

        for name, module in (
            ("arxiv-oai", arxiv_oai),
            ("arxiv-api", arxiv_api),
            ("arxiv-rss", arxiv_rss),
        ):
            if module.sniff(head):
                return name
        raise UnknownFormatError(origin, "XML that is not an arXiv API, RSS or OAI-PMH feed")
    if low.startswith((b"[", b"{")):
        first = text.split(b"\n", 1)[0]
        if low.startswith(b"{") and b"\n" in text.strip():
            try:
                record = json.loads(first)
            except ValueError:
                record = None
            if isinstance(record, dict):
                from ..sources import kaggle

                return "kaggle" if kaggle.looks_like(record) else "papertriage"
        return "json"
    from ..sources import hf_page

    if hf_page.sniff(head):
        return "hf-page"
    raise UnknownFormatError(origin, "unrecognised content (use --format to say what it is)")


def iter_papers(fh: BinaryIO, origin: str, fmt: str) -> Iterator[Paper]:
    """Papers from a stream in a known format."""
    if fmt == "kaggle":
        from ..sources import kaggle

        yield from kaggle.parse_stream(fh, origin)
        return
    if fmt in ("papertriage", "jsonl"):
        yield from _jsonl(fh, origin)
        return
    if fmt == "arxiv-oai":
        from ..sources import arxiv_oai

        yield from arxiv_oai.parse_stream(fh, origin)
        return
    data = fh.read()
    yield from parse_bytes(data, origin, fmt)


def parse_bytes(data: bytes, origin: str, fmt: str) -> Iterator[Paper]:
    if fmt in ("json", "hf-daily", "hf-search", "hf-paper"):
        yield from _json(data, origin, None if fmt == "json" else fmt)
    elif fmt == "arxiv-api":
        from ..sources import arxiv_api

        yield from arxiv_api.parse(data, origin)
    elif fmt == "arxiv-rss":
        from ..sources import arxiv_rss

        yield from arxiv_rss.parse(data, origin)
    elif fmt == "arxiv-oai":
        from ..sources import arxiv_oai

        yield from arxiv_oai.parse(data, origin)
    elif fmt == "hf-page":
        from ..sources import hf_page

        yield from hf_page.parse(data, origin)
    elif fmt == "hf-html":
        from ..sources import hf_page

        yield from hf_page.parse_html(data, origin)
    elif fmt in ("kaggle", "papertriage", "jsonl"):
        yield from iter_papers(io.BytesIO(data), origin, fmt)
    else:
        raise InputError(origin, f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})")


def _json(data: bytes, origin: str, kind: str | None) -> Iterator[Paper]:
    from ..sources import hf, native

    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(origin, f"not valid JSON ({exc})") from None
    first = value[0] if isinstance(value, list) and value else value
    if kind is None and native.looks_like(first):
        yield from native.parse_records(value, origin)
    else:
        yield from hf.parse_value(value, origin, kind)


def _jsonl(fh: BinaryIO, origin: str) -> Iterator[Paper]:
    from ..sources import kaggle, native

    for n, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise InputError(
                origin, f"broken JSON line ({exc.args[0].split(':')[0]})", where=str(n)
            ) from None
        if kaggle.looks_like(record):
            yield kaggle.record_to_paper(record, origin, n)
        else:
            yield native.record_to_paper(record, origin, str(n))


def _batches(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    it = iter(papers)
    while batch := list(islice(it, size)):
        yield batch


def import_file(
    conn: sqlite3.Connection, name: str, fmt: str | None = None, progress: Progress | None = None
) -> ImportResult:
    """Import one file (or '-') in one transaction and say what happened."""
    fh, size = open_input(name)
    origin = "<stdin>" if name == "-" else name
    with fh:
        try:
            head = fh.peek(4096)[:4096] if hasattr(fh, "peek") else b""
            if not head:
                head = fh.read(4096)
                fh.seek(0)
        except (OSError, EOFError) as exc:
            raise InputError(origin, f"cannot read: {exc}") from None
        fmt = fmt or detect(head, origin)
        result = ImportResult(origin, fmt)
        with transaction(conn):
            run_id = start_run(conn, "import", origin)
            index = DeferredIndex(conn, size or 0) if (size or 0) >= BULK_MIN_BYTES else None
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
            finish_run(conn, run_id, "ok", ingest.counts)
        if fmt in ("json", "jsonl") and ingest.sources:
            result.format = "+".join(sorted(ingest.sources))
        result.counts = ingest.counts
        result.new_ids = ingest.new_ids
        return result


def _source(
    fh: BinaryIO, name: str, origin: str, fmt: str, bulk: bool
) -> Iterator[tuple[list[Paper], int]]:
    """Batches of papers and the read position: parsed by a second process for a big
    line-oriented file (parallel.py), else here."""
    if bulk and fmt in parallel.FORMATS and name != "-" and parallel.available():
        yield from parallel.batches(name, origin, fmt, BATCH)
        return
    for batch in _batches(iter_papers(fh, origin, fmt), BATCH):
        yield batch, _position(fh)


def _position(fh: BinaryIO) -> int:
    raw = getattr(fh, "fileobj", None) or fh
    try:
        return raw.tell()
    except (OSError, ValueError):
        return 0
