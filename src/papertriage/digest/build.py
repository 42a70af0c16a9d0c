"""The morning digest: the papers first seen on one day, best first, as Markdown.

Before the day's top papers, a section per watch (watch/watches.py) with the papers it
matched that day, best first by the rank score. A paper is listed once: under the
first watch (by name) that matched it, else in the top. A paper a digest of an earlier
day listed (``digest_shown``, recorded by ``mark_shown`` once the digest was delivered)
is left out unless asked (``include_shown``); the same day's digest run again lists
the same papers, so it stays byte for byte the same.

The day is the date (UTC) of the latest fetch or import unless the caller names one, and
"new" means first seen in a run (fetch or import) started that day. So a second fetch
the same day that brings nothing leaves the digest byte for byte the same, and a day
whose fetch brings nothing says so instead of repeating yesterday's papers. What went
wrong is that of the digest's own fetch (with --no-fetch: of the day's latest fetch),
never an earlier failure that a later fetch has redone.
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
class WatchSection:
    name: str
    matched: int  # matched that day (papers listed under another watch or earlier left out)
    papers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Digest:
    day: str
    new: int
    ranked_by: str
    top: list[dict[str, Any]] = field(default_factory=list)
    sources: list[SourceLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    watches: list[WatchSection] = field(default_factory=list)

    def papers(self) -> list[dict[str, Any]]:
        """Every paper the digest lists, in order."""
        return [p for w in self.watches for p in w.papers] + self.top


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


def best_new(
    conn: sqlite3.Connection,
    day: str,
    top: int,
    leave_out: tuple[list[str], list[Any]] = ([], []),
    among: tuple[list[str], list[Any]] | None = None,
) -> list[dict[str, Any]]:
    """The ``top`` best papers first seen that day and not triaged yet (or `among`: of these SQL conditions),
    by the rank score, with their tags; `leave_out`: SQL conditions they also meet.

    Scored a batch at a time, keeping only the best: a day with a bulk import of a
    million papers fits in memory."""
    from ..find.selection import Selection, conditions
    from ..rank.ranking import ranked_where, with_rows
    from ..store.userdata import tags_for

    where, params = among or new_condition(run_ids(conn, day))
    where, params = [*where, *leave_out[0]], [*params, *leave_out[1]]
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


def problems(conn: sqlite3.Connection, day: str, runs: list[int] | None = None) -> list[str]:
    """What went wrong in these runs (the digest's own fetch), with the source lines that
    say why; with no runs given, in the latest fetch of that day. An earlier fetch's
    failure is not repeated: a later fetch redid its work."""
    if runs is None:
        start, end = _bounds(day)
        row = conn.execute(
            "SELECT id FROM runs WHERE kind = 'fetch' AND started >= ? AND started < ? "
            "AND outcome != 'running' ORDER BY id DESC LIMIT 1",
            [start, end],
        ).fetchone()
        runs = [row[0]] if row else []
    out = []
    for kind, outcome, message in conn.execute(
        f"SELECT kind, outcome, message FROM runs WHERE id IN ({', '.join('?' for _ in runs)}) "
        "AND outcome NOT IN ('ok', 'running') ORDER BY id",
        runs,
    ):
        lines = (message or "").splitlines()
        # fetch's message: "source: outcome, counts" lines, each followed by its indented
        # notes and errors; the indented ones that report a failure say why.
        why = [x.strip() for x in lines if x[:1].isspace() and _BAD.search(x)]
        why = why or [x.strip() for x in lines if _BAD.search(x)]
        out.append(f"{kind} {outcome}" + (": " + "; ".join(why[:3]) if why else ""))
    return out


def build(
    conn: sqlite3.Connection,
    day: str,
    top: int,
    runs: list[int] | None = None,
    include_shown: bool = False,
) -> Digest:
    """The digest of that day; ``runs``: the fetch the digest ran (its problems are shown)."""
    watches = watch_sections(conn, day, top, include_shown)
    listed = [p["id"] for w in watches for p in w.papers]
    leave_out = _not_in(listed, None if include_shown else day)
    n = new_count(conn, day)
    best = best_new(conn, day, top, leave_out) if n else []
    digest = Digest(day, n, "score", best, source_lines(conn, day), problems(conn, day, runs))
    digest.watches = watches
    return digest


def _not_in(ids: list[str], shown_before: str | None) -> tuple[list[str], list[Any]]:
    """SQL conditions: none of these ids, and (with a day) not listed by an earlier digest."""
    import json

    where, params = ["id NOT IN (SELECT value FROM json_each(?))"], [json.dumps(ids)]
    if shown_before is not None:
        where.append("id NOT IN (SELECT paper_id FROM digest_shown WHERE day < ?)")
        params.append(shown_before)
    return where, params


def watch_sections(
    conn: sqlite3.Connection, day: str, top: int, include_shown: bool = False
) -> list[WatchSection]:
    """Per watch, by name: the best `top` papers it matched that day that no section
    before it holds (nor, unless `include_shown`, an earlier day's digest)."""
    from ..watch.watches import list_watches, matched_condition

    start, end = _bounds(day)
    out: list[WatchSection] = []
    listed: list[str] = []
    for watch in list_watches(conn):
        cond, args = matched_condition(watch.name, start, end)
        matched = int(conn.execute(f"SELECT count(*) FROM papers WHERE {cond}", args).fetchone()[0])
        if not matched:
            continue
        leave_out = _not_in(listed, None if include_shown else day)
        papers = best_new(conn, day, top, leave_out, ([cond], args))
        listed += [p["id"] for p in papers]
        out.append(WatchSection(watch.name, matched, papers))
    return out


def mark_shown(conn: sqlite3.Connection, digest: Digest) -> int:
    """Record that the digest's papers were delivered (so a later day's digest leaves
    them out); returns how many are newly recorded."""
    from ..store.db import transaction
    from ..text import now_iso

    now = now_iso()
    with transaction(conn):
        return sum(
            conn.execute(
                "INSERT OR IGNORE INTO digest_shown (paper_id, day, shown) VALUES (?, ?, ?)",
                [p["id"], digest.day, now],
            ).rowcount
            for p in digest.papers()
        )


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
        below = f"{shown} below"
        if any(w.papers for w in digest.watches):  # the top holds the papers no watch listed
            rest = f", then the top {len(digest.top)} of the others" if digest.top else ""
            below = f"below, what your watches matched{rest}"
        out.write(
            f"{n} new paper{'s' if n != 1 else ''} first seen on {digest.day} (UTC); "
            f"{below}, by {digest.ranked_by}.\n\n"
        )
    else:
        out.write(f"No new papers first seen on {digest.day} (UTC).\n\n")
    lines = [f"- {md_escape(s.source)}: {s.new} new of {s.listed} listed" for s in digest.sources]
    lines += [f"- watch {md_escape(w.name)}: {w.matched} new" for w in digest.watches]
    lines += [f"- {md_escape(p)}" for p in digest.problems]
    if lines:
        out.write("\n".join(lines) + "\n\n")
    for n, section in enumerate(w for w in digest.watches if w.papers):
        listed = len(section.papers)
        more = "" if listed == section.matched else f", {listed} listed here"
        out.write(
            ("\n" if n else "")
            + f"## Watch {md_escape(section.name)} ({section.matched} new{more})\n\n"
        )
        md_list(section.papers, out, opts)
    if digest.top:
        out.write(
            ("\n" if any(w.papers for w in digest.watches) else "")
            + f"## Top {len(digest.top)}\n\n"
        )
        md_list(digest.top, out, opts)


def summary_line(digest: Digest) -> str:
    """One line for stderr: what the digest holds."""
    watched = "".join(f", watch {w.name}: {w.matched} new" for w in digest.watches)
    return f"{digest.day}: {digest.new} new{watched}, {len(digest.papers())} in the digest"


__all__: Sequence[str] = (
    "Digest", "build", "latest_day", "write_digest", "summary_line", "mark_shown",
)  # fmt: skip
