"""Reading papers and what the user wrote about them."""

from __future__ import annotations

import json
import sqlite3

from .. import ids
from ..columns import ALL_COLUMNS, row_to_dict
from ..errors import NotFoundError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Every column of the record; internal helper columns (pk, title_key, authors_text) stay out.
LIST_COLUMNS = ", ".join(c for c in ALL_COLUMNS if c not in ("title_key", "authors_text"))


def resolve_id(conn: sqlite3.Connection, text: str) -> str:
    """The stored paper id for any accepted id form (or an alias); NotFoundError if absent."""
    pid, _version = ids.parse_id(text)
    if conn.execute("SELECT 1 FROM papers WHERE id = ?", [pid]).fetchone():
        return pid
    row = conn.execute("SELECT paper_id FROM aliases WHERE alias = ?", [pid]).fetchone()
    if row:
        return str(row[0])
    raise NotFoundError(f"no paper {pid} in the store (try `papertriage list` or `fetch`)")


def get_paper(conn: sqlite3.Connection, text: str) -> dict[str, Any]:
    """Everything the store knows about one paper."""
    pid = resolve_id(conn, text)
    row = conn.execute("SELECT * FROM papers WHERE id = ?", [pid]).fetchone()
    paper = row_to_dict(dict(row))
    for key in ("pk", "title_key", "authors_text"):
        paper.pop(key, None)
    paper["tags"] = [
        r[0] for r in conn.execute("SELECT tag FROM tags WHERE paper_id = ? ORDER BY tag", [pid])
    ]
    paper["notes"] = [
        dict(r)
        for r in conn.execute(
            "SELECT text, created FROM notes WHERE paper_id = ? ORDER BY id", [pid]
        )
    ]
    paper["decisions"] = [
        dict(r)
        for r in conn.execute(
            "SELECT decision, created, undone FROM decisions WHERE paper_id = ? ORDER BY id", [pid]
        )
    ]
    paper["sightings"] = [
        dict(r)
        for r in conn.execute(
            "SELECT source, origin, announce_type, first_seen, last_seen FROM sightings "
            "WHERE paper_id = ? ORDER BY first_seen",
            [pid],
        )
    ]
    paper["aliases"] = [
        r[0] for r in conn.execute("SELECT alias FROM aliases WHERE paper_id = ?", [pid])
    ]
    return paper


def raw_items(conn: sqlite3.Connection, pid: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT source, raw FROM sightings WHERE paper_id = ?", [pid]).fetchall()
    out = []
    for r in rows:
        try:
            raw = json.loads(r["raw"]) if r["raw"] else None
        except ValueError:
            raw = r["raw"]
        if r["source"] == "kaggle" and isinstance(raw, dict) and raw.get("_in_papers"):
            from ..sources import kaggle_raw

            paper = conn.execute("SELECT * FROM papers WHERE id = ?", [pid]).fetchone()
            raw = kaggle_raw.restore(raw, dict(paper) if paper else {})
        out.append({"source": r["source"], "raw": raw})
    return out


def list_papers(
    conn: sqlite3.Connection,
    where: list[str] | None = None,
    params: list[Any] | None = None,
    order_by: str = "day DESC, id DESC",
    limit: int | None = 50,
    offset: int = 0,
    columns: str = LIST_COLUMNS,
) -> list[dict[str, Any]]:
    """Papers matching SQL conditions (built by callers, never from user text), newest first."""
    sql = f"SELECT {columns} FROM papers"
    if where:
        sql += " WHERE " + " AND ".join(f"({w})" for w in where)
    sql += f" ORDER BY {order_by}"
    args = list(params or [])
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        args += [limit, offset]
    return [row_to_dict(dict(r)) for r in conn.execute(sql, args)]


def counts(conn: sqlite3.Connection) -> dict[str, Any]:
    """Figures for `db info`."""

    def one(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    return {
        "papers": one("SELECT count(*) FROM papers"),
        "provisional": one("SELECT count(*) FROM papers WHERE id LIKE 'prov:%'"),
        "sources": {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT source, count(*) FROM sightings GROUP BY source ORDER BY 2 DESC"
            )
        },
        "tags": one("SELECT count(DISTINCT tag) FROM tags"),
        "tagged_papers": one("SELECT count(DISTINCT paper_id) FROM tags"),
        "notes": one("SELECT count(*) FROM notes"),
        "decisions": one("SELECT count(*) FROM decisions WHERE undone = 0"),
        "runs": one("SELECT count(*) FROM runs"),
    }
