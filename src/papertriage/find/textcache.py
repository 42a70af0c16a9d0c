"""What the full-text tokenizer said, and the store sample's document counts, kept
between runs in the user cache dir, so that `rank` does not redo them every morning.

Only answers that are a function of their key are kept, and the key is checked on
every use, so an answer from the cache is the answer a fresh computation gives:

- words -> index terms (``Stemmer``): a function of the tokenize= option and SQLite's
  version (both in the file's name). The file is appended to, a line of JSON per call
  that met new words; past ``MAX_BYTES`` it starts again.
- the store sample (rank.learned.store_sample): the papers sampled and, per store (by
  its real path), the document counts over them with a checksum of the sampled
  papers' indexed text (title, abstract, authors) in pk order. A later call reads the
  sampled papers' text again and compares the checksum (a paper changed or removed:
  computed afresh); only papers sampled since (a fetch added them) are indexed.
- the feedback papers' terms (textindex.paper_terms), per store: each paper's (column, term,
  count) rows with a digest of its title and abstract; a paper whose text is not the
  one they were made of is tokenized again.

A cache file that can't be read or written is ignored: the answer is computed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable

from ..userdirs import cache_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

FORMAT = 1
MAX_BYTES = 8_000_000  # a tokens file this big starts again
_tokens: dict[str, dict[str, list[str]]] = {}  # file -> word -> terms, as read


def _name(*parts: object) -> str:
    key = repr((FORMAT, sqlite3.sqlite_version, *parts))
    return f"{zlib.crc32(key.encode()):08x}"


def _blake2b(data: bytes) -> Any:
    """A 128-bit BLAKE2b of data, to be updated. From _blake2 when there is one: hashlib
    loads OpenSSL first (10-20 ms, more than the digests take)."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b
    return blake2b(data, digest_size=16)


# -- tokens ------------------------------------------------------------------------------


def tokens_file(spec: str) -> str:
    return os.path.join(cache_dir(), f"tokens-{_name(spec)}.jsonl")


def known_tokens(spec: str) -> dict[str, list[str]]:
    """word -> terms the tokenizer ``spec`` made of it in earlier runs (read once)."""
    path = tokens_file(spec)
    found = _tokens.get(path)
    if found is None:
        found = {}
        try:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        found.update(json.loads(line))
                    except ValueError:
                        continue  # a line cut short by a crash: the rest still counts
        except (OSError, UnicodeDecodeError):
            pass
        _tokens[path] = found
    return found


def add_tokens(spec: str, new: dict[str, list[str]]) -> None:
    """Remember words the tokenizer ``spec`` just made terms of."""
    known_tokens(spec).update(new)
    path = tokens_file(spec)
    line = json.dumps(new, separators=(",", ":")) + "\n"  # ASCII: any lone surrogate too
    try:
        _private_dir(os.path.dirname(path))
        if os.path.exists(path) and os.path.getsize(path) > MAX_BYTES:
            os.unlink(path)
        fd = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
        try:  # one write(2), appended: lines of processes running at once don't mix
            os.write(fd, line.encode("ascii"))
        finally:
            os.close(fd)
    except OSError:
        pass


def _private_dir(path: str) -> None:
    from .. import atomicfile

    atomicfile.private_dir(path)


# -- the store sample ------------------------------------------------------------------


def store_file(conn: sqlite3.Connection, what: str = "sample") -> str | None:
    """The cache file of this connection's store; None for one in memory."""
    row = next((r for r in conn.execute("PRAGMA database_list") if r[1] == "main"), None)
    if row is None or not row[2]:
        return None
    return os.path.join(cache_dir(), f"{what}-{_name(os.path.realpath(row[2]))}.json")


def checksum(conn: sqlite3.Connection, pks: Iterable[int], start: str = "") -> tuple[str, int]:
    """(digest, papers) over the indexed text of the papers with these pks, in pk
    order, continuing the digest ``start``."""
    h = _blake2b(start.encode())
    rows = conn.execute(
        "SELECT pk, title, abstract, authors_text FROM papers "
        "WHERE pk IN (SELECT value FROM json_each(?)) ORDER BY pk",
        [json.dumps(list(pks))],
    )
    n = 0
    for row in rows:
        h.update(repr(tuple(row)).encode())  # repr: None is not "None", no text can break it
        n += 1
    digest: str = h.hexdigest()
    return digest, n


def load(path: str | None, key: list[Any], fields: dict[str, type]) -> dict[str, Any] | None:
    """A cache file's data, if it is for this key and has these fields of these types."""
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    if not all(isinstance(data.get(k), t) for k, t in fields.items()):
        return None
    return data


def save(path: str, data: dict[str, Any]) -> None:
    from ..atomicfile import write_atomic
    from ..errors import OutputFileError

    try:
        _private_dir(os.path.dirname(path))
        text = json.dumps(data, separators=(",", ":"))  # one call to the C encoder

        def write(fh: TextIO) -> None:
            fh.write(text)

        write_atomic(path, write)
    except (OSError, OutputFileError):
        pass


# -- the feedback papers' terms ----------------------------------------------------------


def digest(title: str, abstract: str) -> str:
    """What paper_terms knows a paper's text by."""
    digest: str = _blake2b(repr((title, abstract)).encode()).hexdigest()
    return digest
