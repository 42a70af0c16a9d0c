"""The record of every import and fetch run."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from ..text import now_iso


def start_run(conn: sqlite3.Connection, kind: str, target: str) -> int:
    cur = conn.execute(
        "INSERT INTO runs (kind, target, started, outcome) VALUES (?, ?, ?, 'running')",
        [kind, target, now_iso()],
    )
    return int(cur.lastrowid or 0)


def finish_run(
    conn: sqlite3.Connection,
    run_id: int,
    outcome: str,
    counts: Mapping[str, int],
    message: str | None = None,
) -> None:
    conn.execute(
        "UPDATE runs SET finished = ?, outcome = ?, counts = ?, message = ? WHERE id = ?",
        [now_iso(), outcome, json.dumps(dict(counts)), message, run_id],
    )


def last_run_id(conn: sqlite3.Connection, kind: str | None = None) -> int | None:
    sql = "SELECT max(id) FROM runs WHERE outcome != 'running'"
    args: list[str] = []
    if kind:
        sql += " AND kind = ?"
        args.append(kind)
    row = conn.execute(sql, args).fetchone()
    return row[0] if row else None
