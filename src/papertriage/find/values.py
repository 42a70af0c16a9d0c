"""Filter values that can match no paper, said out loud.

`--source hf_daily` or `-c banana` is not an error (the answer is empty, exit 0), but a
silent empty answer looks like "no such papers" when it means "no such name". The
commands print these sentences on stderr. Cheap on every call: source names are a
constant, and a category is one index seek; the store's categories are read (a seek
per distinct category) only to suggest close ones for a category that is missing.
"""

from __future__ import annotations

import sqlite3

from ..sources import SOURCES
from .selection import Selection
from .sqlparts import category_test

MAX_CATEGORIES = 5000  # distinct categories read for suggestions (arXiv has about 155)


def unknown_values(conn: sqlite3.Connection, sel: Selection) -> list[str]:
    """One sentence per --source value no source is called, and per -c value no paper
    in the store has, with the close names when there are any."""
    out = []
    for source in dict.fromkeys(s.strip() for s in sel.sources):
        if source not in SOURCES:
            from difflib import get_close_matches  # 15 ms: only when there is a warning

            close = get_close_matches(source.lower().replace("_", "-"), SOURCES, n=2, cutoff=0.6)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            out.append(f"no source is called {source!r} ({hint}the sources: {', '.join(SOURCES)})")
    for category in dict.fromkeys(c.strip() for c in sel.categories if c.strip()):
        test, params = category_test(category)
        if conn.execute(f"SELECT 1 FROM paper_categories WHERE {test} LIMIT 1", params).fetchone():
            continue
        close = _close_categories(conn, category)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        out.append(f"no paper in the store has category {category!r}{hint}")
    return out


def _close_categories(conn: sqlite3.Connection, category: str) -> list[str]:
    from difflib import get_close_matches

    known = store_categories(conn)
    archives = {c.split(".")[0] for c in known if "." in c}  # -c math: math.*
    lower = {c.lower(): c for c in (*sorted(archives), *known)}
    close = get_close_matches(category.rstrip("*").lower(), lower, n=3, cutoff=0.6)
    return [lower[c] for c in close]


def store_categories(conn: sqlite3.Connection) -> list[str]:
    """The distinct categories of the store's papers, by a seek per category (the
    index of paper_categories.category), not a scan of every paper's."""
    out: list[str] = []
    row = conn.execute("SELECT min(category) FROM paper_categories").fetchone()
    while row is not None and row[0] is not None and len(out) < MAX_CATEGORIES:
        out.append(row[0])
        row = conn.execute(
            "SELECT min(category) FROM paper_categories WHERE category > ?", [row[0]]
        ).fetchone()
    return out
