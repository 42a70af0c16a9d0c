"""The ranking score: how much this user will care about a paper, and why.

A score is a sum of parts, each in "points": the profile's keywords, followed authors,
categories, Hugging Face upvotes, GitHub stars and recency (from the ``rank:`` section of
the config), plus a learned part, "more like what I kept" (a TF-IDF model fitted on the
papers the user tagged or triaged keep/read, against those triaged skip).

Other commands call two functions:

- ``score_papers(conn, rows, profile=None)`` -> ``[(score, row), ...]``, best first;
- ``explain(conn, paper_id, profile=None)`` -> ``Explanation``, whose parts sum to the score.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .profile import Profile


@dataclass
class Contribution:
    """One line of an explanation: a part of the profile and the points it gave."""

    part: str  # keywords | authors | categories | upvotes | stars | recency | learned
    points: float
    why: str  # e.g. "'quantization' in the title: 2 x 2.0"


@dataclass
class Similar:
    """A kept (or skipped) paper the explained paper resembles, and the words they share."""

    id: str
    title: str
    similarity: float
    words: list[str]
    kept: bool = True


@dataclass
class Explanation:
    id: str
    title: str
    score: float
    contributions: list[Contribution] = field(default_factory=list)
    similar: list[Similar] = field(default_factory=list)
    kept: int = 0  # how many feedback papers the learned part was fitted on
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def score_papers(
    conn: sqlite3.Connection,
    rows: list[dict[str, Any]],
    profile: Profile | None = None,
) -> list[tuple[float, dict[str, Any]]]:
    """Score rows (dicts from ``selection.select`` / ``queries.list_papers``) and sort them.

    Returns ``(score, row)`` pairs, best first (ties: newer first, then id). ``profile``
    defaults to the ``rank:`` section of the user's config (ConfigError if it is invalid).
    The rows are not changed. The score of a paper does not depend on which other rows
    are passed, so ``explain`` gives the same number.
    """
    from .ranker import Ranker

    return Ranker.build(conn, profile).rank(rows)


def explain(conn: sqlite3.Connection, paper_id: str, profile: Profile | None = None) -> Explanation:
    """Why a paper (any id form) gets its score: every part's points, which sum to it."""
    from .queries import get_paper
    from .ranker import Ranker

    paper = get_paper(conn, paper_id)
    return Ranker.build(conn, profile).explain(paper)


def rank_selection(
    conn: sqlite3.Connection,
    sel: Any,
    profile: Profile | None = None,
    limit: int | None = 20,
    offset: int = 0,
    today: Any = None,
) -> list[tuple[float, dict[str, Any]]]:
    """The best ``limit`` papers of a Selection (after ``offset``), scored, best first.

    Streams the selection in row-key order, a batch at a time, and keeps only the best
    in memory, so it works over a whole 1M-paper store."""
    import heapq

    from .ranker import Ranker, stream_scores

    ranker = Ranker.build(conn, profile, today)
    scored = stream_scores(ranker, sel)
    keep = None if limit is None else offset + limit
    best = heapq.nsmallest(keep, scored) if keep is not None else sorted(scored)
    return _full_rows(conn, best[offset:])


def _full_rows(
    conn: sqlite3.Connection, best: list[tuple[float, int, str, float]]
) -> list[tuple[float, dict[str, Any]]]:
    import json

    from .queries import list_papers

    ids = [item[2] for item in best]
    rows = list_papers(
        conn, ["id IN (SELECT value FROM json_each(?))"], [json.dumps(ids)], limit=None
    )
    by_id = {r["id"]: r for r in rows}
    return [(score, by_id[pid]) for _neg, _day, pid, score in best if pid in by_id]


def default_selection(conn: sqlite3.Connection, today: Any = None) -> tuple[Any, str]:
    """What `rank` ranks with no filter options: the last fetch's new papers; without
    any (no fetch yet, or nothing new), the last 7 days; without those, everything.
    Returns the Selection and a sentence saying which."""
    from datetime import date, timedelta

    from .runs import last_run_id
    from .selection import Selection

    run = last_run_id(conn, "fetch")
    if run is not None:
        n = conn.execute("SELECT count(*) FROM papers WHERE first_run = ?", [run]).fetchone()[0]
        if n:
            return Selection(new=True), f"ranking the {n} papers new in the last fetch"
        why = "the last fetch brought no new papers"
    else:
        why = "no fetch yet"
    since = ((today or date.today()) - timedelta(days=7)).isoformat()
    n = conn.execute(
        "SELECT count(*) FROM papers WHERE coalesce(published, substr(first_seen, 1, 10)) >= ?",
        [since],
    ).fetchone()[0]
    if n:
        return Selection(since=since), f"{why}: ranking the {n} papers of the last 7 days"
    n = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    if not n:
        return Selection(), "the store is empty: `papertriage fetch` or `import` papers first"
    return Selection(), f"{why} and nothing from the last 7 days: ranking all {n} papers"
