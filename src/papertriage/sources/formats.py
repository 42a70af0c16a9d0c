"""Every file format papertriage reads, in one registry: recognise it, open it, read it.

`detect` names a file's format from its first bytes, `open_input` opens a path (or
'-'), gunzipping it, and `iter_papers` / `parse_bytes` read its papers with the
format's parser in ``sources/``. Each parser module is imported only when its format is
read, so a command that reads one format loads one parser.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError, UnknownFormatError
from ..models import Paper

Reader = Callable[[BinaryIO, str], Iterator[Paper]]  # (stream, origin) -> papers


@dataclass(frozen=True)
class Format:
    name: str
    read: Reader
    lines: bool = False  # one record a line: a second process can parse it (importer/parallel)
    listed: bool = True  # named in help and errors ("json", "jsonl" are generic aliases)


def _whole(parse: Callable[[bytes, str], Iterator[Paper]]) -> Reader:
    """A reader for a format parsed from its whole content."""

    def read(fh: BinaryIO, origin: str) -> Iterator[Paper]:
        return parse(fh.read(), origin)

    return read


def _hf_json(kind: str | None) -> Reader:
    return _whole(lambda data, origin: _json(data, origin, kind))


def _arxiv_api(data: bytes, origin: str) -> Iterator[Paper]:
    from . import arxiv_api

    return arxiv_api.parse(data, origin)


def _arxiv_rss(data: bytes, origin: str) -> Iterator[Paper]:
    from . import arxiv_rss

    return arxiv_rss.parse(data, origin)


def _arxiv_oai(fh: BinaryIO, origin: str) -> Iterator[Paper]:
    from . import arxiv_oai

    return arxiv_oai.parse_stream(fh, origin)


def _hf_page(data: bytes, origin: str) -> Iterator[Paper]:
    from . import hf_page

    return hf_page.parse(data, origin)


def _hf_html(data: bytes, origin: str) -> Iterator[Paper]:
    from . import hf_page

    return hf_page.parse_html(data, origin)


def _kaggle(fh: BinaryIO, origin: str) -> Iterator[Paper]:
    from . import kaggle

    return kaggle.parse_stream(fh, origin)


def _json(data: bytes, origin: str, kind: str | None) -> Iterator[Paper]:
    from . import hf, native

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
    from . import kaggle, native
    from .lines import json_lines

    for n, record in json_lines(fh, origin):
        if kaggle.looks_like(record):
            yield kaggle.record_to_paper(record, origin, n)
        else:
            yield native.record_to_paper(record, origin, str(n))


REGISTRY: dict[str, Format] = {
    f.name: f
    for f in (
        Format("hf-daily", _hf_json("hf-daily")),
        Format("hf-search", _hf_json("hf-search")),
        Format("hf-paper", _hf_json("hf-paper")),
        Format("hf-page", _whole(_hf_page)),
        Format("hf-html", _whole(_hf_html)),
        Format("arxiv-api", _whole(_arxiv_api)),
        Format("arxiv-rss", _whole(_arxiv_rss)),
        Format("arxiv-oai", _arxiv_oai),
        Format("kaggle", _kaggle, lines=True),
        Format("papertriage", _jsonl, lines=True),
        Format("json", _hf_json(None), listed=False),  # an HF listing or papertriage's own
        Format("jsonl", _jsonl, lines=True, listed=False),
    )
}
FORMATS = tuple(name for name, f in REGISTRY.items() if f.listed)
LINE_FORMATS = tuple(name for name, f in REGISTRY.items() if f.lines)


def get(name: str, origin: str) -> Format:
    try:
        return REGISTRY[name]
    except KeyError:
        raise InputError(
            origin, f"unknown format {name!r} (one of: {', '.join(FORMATS)})"
        ) from None


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


HEAD_BYTES = 4096
MAX_FIRST_LINE = 64 * 1024 * 1024  # a JSON line longer than this is not read ahead whole


def read_head(fh: BinaryIO) -> bytes:
    """The first bytes of a stream for `detect`, the stream left at its start.

    JSON lines are told from one JSON document by their first line, so when the file
    opens with '{' and that line runs past the first 4 kB (a paper with 300 authors),
    the head is extended to the end of the first line and a little beyond."""
    head = fh.peek(HEAD_BYTES)[:HEAD_BYTES] if hasattr(fh, "peek") else b""
    if not head:
        head = fh.read(HEAD_BYTES)
        fh.seek(0)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{") and b"\n" not in text.rstrip(b"\r\n"):
        lines = [fh.readline(MAX_FIRST_LINE)]
        while lines[-1] and not lines[-1].strip() and len(lines) < 100:  # blank lines first
            lines.append(fh.readline(MAX_FIRST_LINE))
        head = b"".join(lines) + fh.read(HEAD_BYTES)
        fh.seek(0)
    return head


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
        from . import arxiv_api, arxiv_oai, arxiv_rss

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
                from . import kaggle

                return "kaggle" if kaggle.looks_like(record) else "papertriage"
        return "json"
    from . import hf_page

    if hf_page.sniff(head):
        return "hf-page"
    raise UnknownFormatError(origin, "unrecognised content (use --format to say what it is)")


def iter_papers(fh: BinaryIO, origin: str, fmt: str) -> Iterator[Paper]:
    """Papers from a stream in a known format."""
    return get(fmt, origin).read(fh, origin)


def parse_bytes(data: bytes, origin: str, fmt: str) -> Iterator[Paper]:
    """Papers from the whole content of a file in a known format."""
    return get(fmt, origin).read(io.BytesIO(data), origin)


def batches(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    it = iter(papers)
    while batch := list(islice(it, size)):
        yield batch


def position(fh: BinaryIO) -> int:
    """How far into the file (the compressed file, if gunzipped) a stream has read."""
    raw = getattr(fh, "fileobj", None) or fh
    try:
        return raw.tell()
    except (OSError, ValueError):
        return 0
