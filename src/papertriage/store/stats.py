"""What the store holds over time, as numbers (`papertriage stats` draws them).

Each part is one grouped query: papers per day by source (the latest days that have
papers, by the paper's `day`; the source from its sightings, so a paper two sources
listed counts under both), papers
per primary category, the Hugging Face upvote distribution, your triage decisions per
ISO week (the ones not undone), and tags.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from .userdata import DECISIONS

# Upvote buckets: (label, lowest, highest or None).
UPVOTE_BUCKETS = (
    ("0", 0, 0),
    ("1-4", 1, 4),
    ("5-9", 5, 9),
    ("10-19", 10, 19),
    ("20-49", 20, 49),
    ("50-99", 50, 99),
    ("100+", 100, None),
)


def collect(conn: sqlite3.Connection, days: int = 14, top: int = 10) -> dict[str, Any]:
    """Every part of the stats, as plain data (what `stats -f json` prints)."""
    return {
        "papers": conn.execute("SELECT count(*) FROM papers").fetchone()[0],
        "days": per_day(conn, days),
        "categories": per_category(conn, top),
        "upvotes": upvotes(conn),
        "weeks": decisions_per_week(conn),
        "tags": tags(conn, top),
    }


def per_day(conn: sqlite3.Connection, days: int) -> list[dict[str, Any]]:
    """The latest `days` days that have papers (none after today), oldest first, each
    with its papers per source."""
    today = date.today().isoformat()
    latest = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT day FROM papers WHERE day <= ? ORDER BY day DESC LIMIT ?",
            [today, days],
        )
    ]
    if not latest:
        return []
    out: dict[str, dict[str, int]] = {day: {} for day in reversed(latest)}
    found = conn.execute(
        "SELECT papers.day, sightings.source, count(*) FROM papers "
        "JOIN sightings ON sightings.paper_id = papers.id "
        "WHERE papers.day BETWEEN ? AND ? GROUP BY papers.day, sightings.source",
        [latest[-1], latest[0]],
    )
    for day, source, n in found:
        if day in out:
            out[day][source] = n
    return [{"day": d, "sources": dict(sorted(s.items())), "papers": sum(s.values())}
            for d, s in out.items()]  # fmt: skip


def per_category(conn: sqlite3.Connection, top: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT coalesce(primary_category, '(none)'), count(*) AS n FROM papers "
        "GROUP BY 1 ORDER BY n DESC, 1 LIMIT ?",
        [top],
    )
    return [{"category": c, "papers": n} for c, n in rows]


def upvotes(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Papers per upvote bucket, among those Hugging Face listed (upvotes known)."""
    cases = " ".join(
        f"WHEN hf_upvotes <= {hi} THEN {n}"
        for n, (_l, _lo, hi) in enumerate(UPVOTE_BUCKETS)
        if hi is not None
    )
    counts = dict(
        conn.execute(
            f"SELECT CASE {cases} ELSE {len(UPVOTE_BUCKETS) - 1} END, count(*) FROM papers "
            "WHERE hf_upvotes IS NOT NULL GROUP BY 1"
        ).fetchall()
    )
    return [{"upvotes": label, "papers": counts.get(n, 0)}
            for n, (label, _lo, _hi) in enumerate(UPVOTE_BUCKETS)]  # fmt: skip


def decisions_per_week(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """keep/read/skip per ISO week of the decision (undone ones left out), oldest first."""
    weeks: dict[str, dict[str, int]] = {}
    rows = conn.execute(
        "SELECT substr(created, 1, 10), decision, count(*) FROM decisions "
        "WHERE undone = 0 AND created IS NOT NULL GROUP BY 1, 2"
    )
    for day, decision, n in rows:
        try:
            year, week, _ = date.fromisoformat(day).isocalendar()
        except ValueError:
            continue
        counts = weeks.setdefault(f"{year}-W{week:02d}", dict.fromkeys(DECISIONS, 0))
        if decision in counts:
            counts[decision] += n
    return [{"week": w, **c} for w, c in sorted(weeks.items())]


def tags(conn: sqlite3.Connection, top: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT tag, count(*) AS n FROM tags GROUP BY tag ORDER BY n DESC, tag LIMIT ?", [top]
    )
    return [{"tag": t, "papers": n} for t, n in rows]
