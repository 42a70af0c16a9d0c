"""Every file format papertriage reads, in one registry: recognise it, open it, read it.

`detect` names a file's format from its first bytes, `open_input` opens a path (or
'-'), gunzipping it, and `iter_papers` / `parse_bytes` read its papers with the
format's parser in ``sources/``. Each parser module is imported only when its format is
read, so a command that reads one format loads one parser.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

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
        from .lines import read_document

        return parse(read_document(fh, origin), origin)

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
    from .lines import loads

    value = loads(data, origin)
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
    """A binary stream for a path or '-' (standard input), gunzipped and UTF-16 (with
    a byte order mark) decoded to UTF-8 on the way, and the file's size."""
    if name == "-":
        stdin = sys.stdin.buffer
        return _decoded(stdin if hasattr(stdin, "peek") else io.BufferedReader(stdin)), None
    path = Path(name)
    try:
        fh: BinaryIO = path.open("rb")
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except IsADirectoryError:
        raise InputError(name, "is a directory") from None
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror}") from None
    return _decoded(fh), path.stat().st_size


def _decoded(fh: Any) -> BinaryIO:
    """fh (which can peek), gunzipped if it is gzip, recoded if it is UTF-16."""
    if fh.peek(2)[:2] == b"\x1f\x8b":
        fh = gzip.open(fh, "rb")
    if fh.peek(2)[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        fh = io.BufferedReader(_Utf16(fh))
    return fh  # type: ignore[no-any-return]


_XML_UTF16 = re.compile(r"""(^\s*<\?xml[^>]*?encoding\s*=\s*["'])utf-16(?:le|be)?(["'])""", re.I)


class _Utf16(io.RawIOBase):
    """UTF-16 text (Windows tools write it, BOM first) read as UTF-8 bytes; a broken
    code unit becomes U+FFFD."""

    def __init__(self, fh: BinaryIO) -> None:
        self._raw = fh
        self._text = io.TextIOWrapper(fh, encoding="utf-16", errors="replace", newline="")
        self._pending = b""
        self._first = True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._text.read(1 << 16)
            if not chunk:
                return 0
            if self._first:  # an XML declaration must now name what the bytes are
                self._first = False
                chunk = _XML_UTF16.sub(r"\1UTF-8\2", chunk, count=1)
            self._pending = chunk.encode("utf-8", "replace")
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    @property
    def fileobj(self) -> Any:  # for position(): how far into the file
        return getattr(self._raw, "fileobj", None) or self._raw

    def close(self) -> None:
        self._text.close()
        super().close()


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
    raw = getattr(fh, "fileobj", None) or getattr(getattr(fh, "raw", None), "fileobj", None) or fh
    try:
        return raw.tell()
    except (OSError, ValueError):
        return 0
