"""Which papers a command works on: the shared filter options, turned into SQL.

`list`, `filter`, `triage`, `rank` and `export` all take a Selection. User text never
reaches SQL or FTS5 unescaped: values go in as parameters.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .queries import list_papers

SORTS = ("relevance", "date", "upvotes", "score")
ORDER = {
    "date": "coalesce(published, substr(first_seen, 1, 10)) DESC, id DESC",
    "upvotes": "coalesce(hf_upvotes, -1) DESC, coalesce(published, '') DESC, id DESC",
}


@dataclass
class Selection:
    query: str | None = None
    fuzzy: bool = False
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    since: str | None = None  # YYYY-MM-DD, resolved by the CLI from 7d/today/...
    until: str | None = None
    tags: list[str] = field(default_factory=list)
    untagged: bool = False
    min_upvotes: int | None = None
    new: bool = False
    seen: bool | None = None  # True: triaged; False: not yet triaged
    sources: list[str] = field(default_factory=list)
    sort: str = "date"
    limit: int | None = 20
    offset: int = 0


def select(conn: sqlite3.Connection, sel: Selection) -> list[dict[str, Any]]:
    """The papers a Selection picks, in its order. (The find issue extends this.)"""
    where, params = conditions(conn, sel)
    order = ORDER.get(sel.sort, ORDER["date"])
    return list_papers(conn, where, params, order_by=order, limit=sel.limit, offset=sel.offset)


def conditions(conn: sqlite3.Connection, sel: Selection) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if sel.since:
        where.append("coalesce(published, substr(first_seen, 1, 10)) >= ?")
        params.append(sel.since)
    if sel.until:
        where.append("coalesce(published, substr(first_seen, 1, 10)) <= ?")
        params.append(sel.until)
    if sel.min_upvotes is not None:
        where.append("hf_upvotes >= ?")
        params.append(sel.min_upvotes)
    for tag in sel.tags:
        where.append("id IN (SELECT paper_id FROM tags WHERE tag = ?)")
        params.append(tag)
    if sel.untagged:
        where.append("id NOT IN (SELECT paper_id FROM tags)")
    if sel.seen is not None:
        op = "IN" if sel.seen else "NOT IN"
        where.append(f"id {op} (SELECT paper_id FROM decisions WHERE undone = 0)")
    if sel.new:
        from .runs import last_run_id

        where.append("first_run = ?")
        params.append(last_run_id(conn, "fetch") or -1)
    if sel.sources:
        marks = ", ".join("?" for _ in sel.sources)
        where.append(f"id IN (SELECT paper_id FROM sightings WHERE source IN ({marks}))")
        params.extend(sel.sources)
    return where, params
