"""What `export` and `digest` write: the selected papers, in order, with their tags, and
a sentence saying how they were chosen.

An export may be the whole store, so `collect` hands back `Rows` (read a chunk at a
time) and what the writers need to know before the first paper (the date range, the
sections, BibTeX keys that depend on every paper) is worked out by light passes that
keep a few columns, or in a temporary table, never every row.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..find.selection import Rows, Selection
from ..models import paper_day
from ..rank.ranking import find
from ..store.userdata import tags_for


def collect(conn: sqlite3.Connection, sel: Selection, user_data: bool = False) -> Rows:
    """The papers a selection picks, in its order (score: the rank score), with tags;
    with `user_data` also their notes and decisions (the JSON export: importing it
    into another store gives them back)."""
    rows = find(conn, sel).rows
    rows.with_tags = True
    rows.with_user_data = user_data
    return rows


_DATE = "published, hf_featured, first_seen"  # what models.paper_day reads


def span(rows: Rows) -> str:
    """export.date_range of the rows, read a few columns at a time."""
    low = high = ""
    for _pk, published, featured, first_seen in rows.columns(_DATE):
        day = paper_day({"published": published, "hf_featured": featured, "first_seen": first_seen})
        if day:
            low = min(low, day) if low else day
            high = max(high, day)
    return "" if not low else low if low == high else f"{low} to {high}"


def sections(rows: Rows, group_by: str) -> list[tuple[str | None, Rows]]:
    """export.groups of the rows, as row keys: (heading, the section's Rows)."""
    from .writers import MarkdownOptions, group_names, section_order

    opts = MarkdownOptions(group_by=group_by)
    if group_by == "none":
        return [(None, rows)]
    buckets: dict[str, array[int]] = {}
    for chunk in _chunks(rows.columns(f"id, primary_category, {_DATE}"), 1000):
        tags = tags_for(rows.conn, (r[1] for r in chunk)) if group_by == "tag" else {}
        for pk, pid, category, published, featured, first_seen in chunk:
            paper = {
                "id": pid, "primary_category": category, "tags": tags.get(pid, []),
                "published": published, "hf_featured": featured, "first_seen": first_seen,
            }  # fmt: skip
            for name in group_names(paper, opts):
                buckets.setdefault(name, array("q")).append(pk)
    return [(head, rows.subset(buckets[name])) for name, head in section_order(buckets, group_by)]


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class StoredKeys(Mapping[str, str]):
    """BibTeX keys (id -> key) of many papers, kept in a temporary table."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __getitem__(self, pid: str) -> str:
        row = self.conn.execute("SELECT key FROM temp.bib_keys WHERE id = ?", [pid]).fetchone()
        if row is None:
            raise KeyError(pid)
        return str(row[0])

    def __iter__(self) -> Iterator[str]:
        return (r[0] for r in self.conn.execute("SELECT id FROM temp.bib_keys"))

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM temp.bib_keys").fetchone()[0])


def citation_keys(rows: Rows) -> Mapping[str, str]:
    """bibtex.citation_keys of the rows, worked out in a temporary table (SQLite spills
    it to a file) from a light pass over the columns a key is made of."""
    from .bibtex import base_key, suffixed

    conn = rows.conn
    conn.execute("DROP TABLE IF EXISTS temp.bib_keys")
    conn.execute("CREATE TEMP TABLE bib_keys (id TEXT PRIMARY KEY, key TEXT NOT NULL)")
    columns = "id, json_extract(authors, '$[0]'), title, published, hf_featured, updated"
    for chunk in _chunks(rows.columns(columns), 1000):
        conn.executemany(
            "INSERT OR IGNORE INTO temp.bib_keys VALUES (?, ?)",
            [
                (
                    pid,
                    base_key(
                        {
                            "authors": [first] if first else [],
                            "title": title,
                            "published": published,
                            "hf_featured": featured,
                            "updated": updated,
                        }
                    ),
                )  # fmt: skip
                for _pk, pid, first, title, published, featured, updated in chunk
            ],
        )
    conn.execute("CREATE INDEX temp.bib_keys_key ON bib_keys (key)")
    shared = conn.execute(
        "SELECT key FROM temp.bib_keys GROUP BY key HAVING count(*) > 1 ORDER BY key"
    ).fetchall()

    def members(key: str) -> list[str]:
        sql = "SELECT id FROM temp.bib_keys WHERE key = ? ORDER BY id"
        return [r[0] for r in conn.execute(sql, [key])]

    def is_base(key: str) -> bool:
        return (
            conn.execute("SELECT 1 FROM temp.bib_keys WHERE key = ?", [key]).fetchone() is not None
        )

    given = list(suffixed(((k, members(k)) for (k,) in shared), is_base))
    conn.executemany("UPDATE temp.bib_keys SET key = ? WHERE id = ?", [(k, i) for i, k in given])
    return StoredKeys(conn)


def _either(values: Sequence[str], word: str = "or") -> str:
    return f" {word} ".join(values)


def describe(sel: Selection) -> list[str]:
    """The selection in words, for the heading of a reading list (dates already absolute)."""
    parts: list[str] = []
    if sel.query:
        parts.append(f'matching "{sel.query}"' + (" (fuzzy)" if sel.fuzzy else ""))
    if sel.authors:
        parts.append("by " + _either(sel.authors))
    if sel.categories:
        parts.append("in " + _either(sel.categories))
    if sel.since:
        parts.append(f"from {sel.since}")
    if sel.until:
        parts.append(f"until {sel.until}")
    if sel.tags:
        parts.append("tagged " + _either(sel.tags, "and"))
    if sel.untagged:
        parts.append("untagged")
    if sel.min_upvotes is not None:
        parts.append(f"at least {sel.min_upvotes} upvotes")
    if sel.new:
        parts.append("new in the last fetch")
    if sel.seen is not None:
        parts.append("triaged" if sel.seen else "not yet triaged")
    if sel.sources:
        parts.append("seen in " + _either(sel.sources))
    order = {"date": "newest first", "upvotes": "most upvoted first", "score": "best score first"}
    parts.append(order.get(sel.sort, f"sorted by {sel.sort}"))
    if sel.limit is not None:
        parts.append(
            f"at most {sel.limit}" + (f" after skipping {sel.offset}" if sel.offset else "")
        )
    elif sel.offset:
        parts.append(f"skipping the first {sel.offset}")
    return parts
