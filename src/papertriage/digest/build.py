"""The morning digest: the papers first seen on one day, best first, as Markdown.

The day is the date (UTC) of the latest fetch or import unless the caller names one, and
"new" means first seen in a run (fetch or import) started that day. So a second fetch
the same day that brings nothing leaves the digest byte for byte the same, and a day
whose fetch brings nothing says so instead of repeating yesterday's papers.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TextIO

from ..export.writers import MarkdownOptions, md_escape, md_list

_BAD = re.compile(r"fail|error|not fetched|unexpected", re.IGNORECASE)


@dataclass
class SourceLine:
    source: str
    new: int
    listed: int


@dataclass
class Digest:
    day: str
    new: int
    ranked_by: str
    top: list[dict[str, Any]] = field(default_factory=list)
    sources: list[SourceLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def latest_day(conn: sqlite3.Connection) -> str | None:
    """The UTC date of the latest finished fetch or import."""
    row = conn.execute(
        "SELECT substr(started, 1, 10) FROM runs WHERE outcome != 'running' "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def _bounds(day: str) -> tuple[str, str]:
    after = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    return day, after


def run_ids(conn: sqlite3.Connection, day: str) -> list[int]:
    start, end = _bounds(day)
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM runs WHERE started >= ? AND started < ? ORDER BY id", [start, end]
        )
    ]


def new_condition(runs: list[int]) -> tuple[list[str], list[Any]]:
    """SQL conditions on papers: first seen in one of these runs."""
    if not runs:
        return ["0"], []
    return [f"first_run IN ({', '.join('?' for _ in runs)})"], list(runs)


def new_count(conn: sqlite3.Connection, day: str) -> int:
    """How many papers were first seen in a run of that day."""
    where, params = new_condition(run_ids(conn, day))
    return int(conn.execute(f"SELECT count(*) FROM papers WHERE {where[0]}", params).fetchone()[0])


def best_new(conn: sqlite3.Connection, day: str, top: int) -> list[dict[str, Any]]:
    """The ``top`` best papers first seen that day and not triaged yet, by the rank
    score, with their tags.

    Scored a batch at a time, keeping only the best: a day with a bulk import of a
    million papers fits in memory."""
    from ..find.selection import Selection, conditions
    from ..rank.ranking import ranked_where, with_rows
    from ..store.userdata import tags_for

    where, params = new_condition(run_ids(conn, day))
    undecided, more = conditions(conn, Selection(seen=False))  # triaged already: not news
    where, params = where + undecided, params + more
    best = [row for _score, row in with_rows(conn, ranked_where(conn, where, params, top))]
    tags = tags_for(conn, (p["id"] for p in best))
    for paper in best:
        paper["tags"] = tags.get(paper["id"], [])
    return best


def source_lines(conn: sqlite3.Connection, day: str) -> list[SourceLine]:
    """Per source: papers it listed that day, and how many of them were new."""
    start, end = _bounds(day)
    rows = conn.execute(
        """SELECT s.source, count(*),
                  sum(p.first_seen >= :start AND p.first_seen < :end)
           FROM sightings s JOIN papers p ON p.id = s.paper_id
           WHERE s.last_seen >= :start AND s.last_seen < :end
           GROUP BY s.source ORDER BY s.source""",
        {"start": start, "end": end},
    )
    return [SourceLine(source, int(new or 0), int(listed)) for source, listed, new in rows]


def problems(conn: sqlite3.Connection, day: str) -> list[str]:
    """Runs of that day that did not end well, with the source lines that say why."""
    start, end = _bounds(day)
    out = []
    for kind, outcome, message in conn.execute(
        "SELECT kind, outcome, message FROM runs WHERE started >= ? AND started < ? "
        "AND outcome NOT IN ('ok', 'running') ORDER BY id",
        [start, end],
    ):
        lines = (message or "").splitlines()
        # fetch's message: "source: outcome, counts" lines, each followed by its indented
        # notes and errors; the indented ones that report a failure say why.
        why = [x.strip() for x in lines if x[:1].isspace() and _BAD.search(x)]
        why = why or [x.strip() for x in lines if _BAD.search(x)]
        out.append(f"{kind} {outcome}" + (": " + "; ".join(why[:3]) if why else ""))
    return out


def build(conn: sqlite3.Connection, day: str, top: int) -> Digest:
    n = new_count(conn, day)
    best = best_new(conn, day, top) if n else []
    return Digest(day, n, "score", best, source_lines(conn, day), problems(conn, day))


def write_digest(
    digest: Digest, out: TextIO, title: str = "Papers digest", opts: MarkdownOptions | None = None
) -> None:
    opts = opts or MarkdownOptions()
    out.write(f"# {md_escape(title)}, {digest.day}\n\n")
    n = digest.new
    if n:
        shown = (
            "it" if n == 1 else f"all {n}" if len(digest.top) == n else f"the top {len(digest.top)}"
        )
        out.write(
            f"{n} new paper{'s' if n != 1 else ''} first seen on {digest.day} (UTC); "
            f"{shown} below, by {digest.ranked_by}.\n\n"
        )
    else:
        out.write(f"No new papers first seen on {digest.day} (UTC).\n\n")
    lines = [f"- {md_escape(s.source)}: {s.new} new of {s.listed} listed" for s in digest.sources]
    lines += [f"- {md_escape(p)}" for p in digest.problems]
    if lines:
        out.write("\n".join(lines) + "\n\n")
    if digest.top:
        out.write(f"## Top {len(digest.top)}\n\n")
        md_list(digest.top, out, opts)


def summary_line(digest: Digest) -> str:
    """One line for stderr: what the digest holds."""
    return f"{digest.day}: {digest.new} new, {len(digest.top)} in the digest"


__all__: Sequence[str] = ("Digest", "build", "latest_day", "write_digest", "summary_line")
