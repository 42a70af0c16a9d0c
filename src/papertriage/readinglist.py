"""What `export` and `digest` write: the selected papers, in order, with their tags, and
a sentence saying how they were chosen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from .selection import Selection, select


def tags_for(conn: sqlite3.Connection, paper_ids: Iterable[str]) -> dict[str, list[str]]:
    """Each paper's tags, sorted."""
    wanted = list(dict.fromkeys(paper_ids))
    out: dict[str, list[str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for pid, tag in conn.execute(
            f"SELECT paper_id, tag FROM tags WHERE paper_id IN ({marks}) ORDER BY paper_id, tag",
            chunk,
        ):
            out.setdefault(pid, []).append(tag)
    return out


def by_score(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows best first by the rank score; without the rank module, by upvotes then date."""
    try:
        from .rank import score_papers
    except ImportError:
        return by_popularity(rows)
    return [row for _score, row in score_papers(conn, rows)]


def by_popularity(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = sorted(rows, key=lambda r: r["id"], reverse=True)
    rows.sort(key=lambda r: r.get("published") or "", reverse=True)
    rows.sort(key=lambda r: -1 if r.get("hf_upvotes") is None else r["hf_upvotes"], reverse=True)
    return rows


def collect(conn: sqlite3.Connection, sel: Selection) -> list[dict[str, Any]]:
    """The papers a selection picks, in its order (score: the rank score), with tags."""
    rows = select(conn, sel)
    tags = tags_for(conn, (r["id"] for r in rows))
    for row in rows:
        row["tags"] = tags.get(row["id"], [])
    return rows


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
