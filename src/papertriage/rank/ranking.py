"""The ranking score: how much this user will care about a paper, and why.

A score is a sum of parts, each in "points": the profile's keywords, followed authors,
categories, Hugging Face upvotes, GitHub stars and recency (from the ``rank:`` section of
the config), plus a learned part, "more like what I kept" (BM25 relevance feedback fitted
on the papers the user kept or read, against those skipped: learned.opinions). Once
there are kept papers, upvotes and stars only break ties (profile ``tiebreak``).

Other commands call:

- ``score_papers(conn, rows, profile=None)`` -> ``[(score, row), ...]``, best first;
- ``iter_ranked(conn, sel, limit, offset)`` -> ``(score, papers.pk)``, best first, for a
  Selection of any size in bounded memory (``ranked_where`` for SQL conditions), and
  ``with_rows(conn, ranked)`` -> ``(score, row)``, reading the rows a chunk at a time;
- ``explain(conn, paper_id, profile=None)`` -> ``Explanation``, whose parts sum to the score.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .profile import Profile

if TYPE_CHECKING:
    from array import array

    from ..find.selection import Found, Selection
    from .explain import Explanation
    from .ranker import Scored

# Keep the best offset+limit in a heap up to this many; beyond it (or with no limit),
# SQLite sorts every paper's key on disk (a module constant so tests can lower it).
SORT_IN_MEMORY = 50_000
ROW_CHUNK = 1_000  # full rows read per SELECT when rows are streamed
_SORTS = itertools.count()  # names of the TEMP tables of sorts in progress


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
    from ..store.queries import get_paper
    from .explain import explain_paper
    from .ranker import Ranker

    paper = get_paper(conn, paper_id)
    return explain_paper(Ranker.build(conn, profile), paper)


def find(conn: sqlite3.Connection, sel: Selection) -> Found:
    """The papers of a Selection as ``find.selection.find`` gives them, except that sort
    "score" orders them by this score, best first, over the whole selection."""
    from ..find.selection import Found, Rows, make_plan
    from ..find.selection import find as find_in_order

    if sel.sort != "score":
        return find_in_order(conn, sel)
    return Found(Rows(conn, keys(conn, sel)), make_plan(conn, sel).words)


def keys(conn: sqlite3.Connection, sel: Selection) -> array[int]:
    """The row keys of ``find``, in its order."""
    from array import array

    from ..find.selection import keys as keys_in_order

    if sel.sort != "score":
        return keys_in_order(conn, sel)
    return array("q", (pk for _score, pk in iter_ranked(conn, sel, sel.limit, sel.offset)))


def rank_selection(
    conn: sqlite3.Connection,
    sel: Any,
    profile: Profile | None = None,
    limit: int | None = 20,
    offset: int = 0,
    today: Any = None,
) -> list[tuple[float, dict[str, Any]]]:
    """The best ``limit`` papers of a Selection (after ``offset``), scored, best first,
    as full rows. For many papers, iterate ``with_rows(conn, iter_ranked(...))`` instead:
    this list holds every row."""
    return list(with_rows(conn, iter_ranked(conn, sel, limit, offset, profile, today)))


def iter_ranked(
    conn: sqlite3.Connection,
    sel: Any,
    limit: int | None = None,
    offset: int = 0,
    profile: Profile | None = None,
    today: Any = None,
) -> Iterator[tuple[float, int]]:
    """(score, papers.pk) of a Selection's papers, best first (ties: newer first, then
    id), skipping ``offset`` and yielding at most ``limit``; memory-bounded at any size.

    The profile is loaded and the query compiled before this returns (ConfigError,
    QueryError); the papers are scored on the first ``next``."""
    from ..find.selection import conditions

    where, params = conditions(conn, sel)
    return ranked_where(conn, where, params, limit, offset, profile, today)


def ranked_where(
    conn: sqlite3.Connection,
    where: list[str],
    params: list[Any],
    limit: int | None = None,
    offset: int = 0,
    profile: Profile | None = None,
    today: Any = None,
) -> Iterator[tuple[float, int]]:
    """iter_ranked for SQL conditions on `papers` (built by callers, never from user text).

    The selection is scored a batch at a time. The best offset+limit are kept in a heap
    when that is at most SORT_IN_MEMORY; otherwise (or with no limit) each paper's sort
    key goes to a TEMP table and SQLite sorts it, spilling to temporary files."""
    from .ranker import Ranker, stream_where

    ranker = Ranker.build(conn, profile, today)
    scored = stream_where(ranker, where, params)
    end = None if limit is None else offset + limit
    if end is not None and end <= SORT_IN_MEMORY:
        return _from_heap(scored, end, offset)
    return _from_disk(conn, scored, limit, offset)


def _from_heap(scored: Iterator[Scored], end: int, offset: int) -> Iterator[tuple[float, int]]:
    import heapq

    for neg, _day, _id, pk in heapq.nsmallest(end, scored)[offset:]:
        yield -neg, pk


def _from_disk(
    conn: sqlite3.Connection, scored: Iterator[Scored], limit: int | None, offset: int
) -> Iterator[tuple[float, int]]:
    """Sort by SQLite: its sorter keeps a few MB in memory and merges runs from temporary
    files (temp_store FILE, the default of this build and of open_db's connections)."""
    from .ranker import iter_batches

    name = f"temp.rank_sorted_{next(_SORTS)}"
    conn.execute(f"CREATE TABLE {name} (neg, day, id, pk)")  # no affinity: values as given
    cur = conn.cursor()
    cur.row_factory = None
    try:
        for batch in iter_batches(scored, 10_000):
            # One transaction a batch: alone, each row's insert would commit, and every
            # commit writes a journal page and a table page (8 GB for a million papers).
            conn.execute("SAVEPOINT rank_sort")
            try:
                conn.executemany(f"INSERT INTO {name} VALUES (?, ?, ?, ?)", batch)
            except BaseException:
                conn.execute("ROLLBACK TO rank_sort")
                raise
            finally:
                conn.execute("RELEASE rank_sort")
        # No LIMIT/OFFSET in the SQL: with one, SQLite sorts into a B-tree instead of its
        # sorter, and that B-tree's random inserts wrote 4 GB of pages for 1M papers.
        cur.execute(f"SELECT neg, pk FROM {name} ORDER BY neg, day, id")
        end = None if limit is None else offset + limit
        for neg, pk in itertools.islice(cur, offset, end):
            yield -neg, pk
    finally:
        cur.close()
        conn.execute(f"DROP TABLE IF EXISTS {name}")


def with_rows(
    conn: sqlite3.Connection, ranked: Iterable[tuple[float, int]], chunk: int | None = None
) -> Iterator[tuple[float, dict[str, Any]]]:
    """(score, full row) for (score, pk) pairs, in their order, reading ``chunk`` (default
    ROW_CHUNK) rows per SELECT. Papers gone since they were scored (merged by dedupe) are
    left out."""
    from ..find.selection import rows_for
    from .ranker import iter_batches

    for batch in iter_batches(ranked, chunk or ROW_CHUNK):
        by_pk = rows_for(conn, (pk for _score, pk in batch))
        for score, pk in batch:
            if pk in by_pk:
                yield score, by_pk[pk]


def default_selection(conn: sqlite3.Connection, today: Any = None) -> tuple[Any, str]:
    """What `rank` ranks with no filter options: the last fetch's new papers; without
    any (no fetch yet, or nothing new), the last 7 days; without those, everything.
    Returns the Selection and a sentence saying which."""
    from datetime import date, timedelta

    from ..find.selection import Selection
    from ..store.runs import last_run_id

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
        "SELECT count(*) FROM papers WHERE day >= ?",
        [since],
    ).fetchone()[0]
    if n:
        return Selection(since=since), f"{why}: ranking the {n} papers of the last 7 days"
    n = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    if not n:
        return Selection(), "the store is empty: `papertriage fetch` or `import` papers first"
    return Selection(), f"{why} and nothing from the last 7 days: ranking all {n} papers"
