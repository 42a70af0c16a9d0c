"""Which papers a command works on: the shared filter options, turned into SQL.

`list`, `filter`, `triage`, `rank` and `export` all take a Selection. User text never
reaches SQL or FTS5 unescaped: values go in as parameters, and the query language
(query.py) quotes every term it hands to FTS5.

`select` reads in two steps: first the row keys of one page (joined to the FTS match
and sorted using only the sort columns), then the full rows of that page, so a
1M-paper store never sorts abstracts. `find` hands back those rows as `Rows`, which
reads them a chunk at a time: an export of the whole store holds one chunk of rows
and an array of row keys (8 bytes a paper), never every row.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Iterable, Iterator
from datetime import date

from ..errors import BadValueError
from ..text import parse_day, scrub
from .sqlparts import CATEGORY_SET, CATEGORY_TEST, FTS_SUBQUERY, MAX_WORD, category_condition

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from ..records import NamedTuple

SORTS = ("relevance", "date", "upvotes", "score")  # score: rank.ranking.find / keys
# `day` is the paper's day (models.paper_day; the column of migration m006). It is NULL
# for an undated paper: last in the date order (NULLs sort lowest), and no date bound matches it.
ORDER = {
    "date": "day DESC, id DESC",
    "upvotes": "coalesce(hf_upvotes, -1) DESC, day DESC, id DESC",
}
# The index each order can be read from, and its leading key (migration m006).
SORT_INDEX = {
    "date": ("idx_papers_day", "day"),
    "upvotes": ("idx_papers_upvotes", "coalesce(hf_upvotes, -1)"),
}
WINDOW = 20_000  # papers walked in sort order before looking matches up one by one
# bm25 weights of the FTS columns title, abstract, authors_text: a word in the title counts most.
BM25 = "bm25(papers_fts, 8.0, 1.0, 2.0)"


# Selection, Plan and Found are NamedTuples, not dataclasses: `dataclasses` (with inspect,
# ast, dis) costs list/filter about 6 ms of start-up. A changed copy: `sel._replace(...)`;
# the list defaults are shared, never changed in place.
class Selection(NamedTuple):
    query: str | None = None
    fuzzy: bool = False
    authors: list[str] = []  # any of them
    categories: list[str] = []  # any of them; cs.* or cs: prefixes
    since: str | None = None  # YYYY-MM-DD, resolved by the CLI from 7d/today/...
    until: str | None = None
    tags: list[str] = []
    untagged: bool = False
    min_upvotes: int | None = None
    new: bool = False
    seen: bool | None = None  # True: triaged; False: not yet triaged
    sources: list[str] = []
    watches: list[str] = []  # matched by any of these watches
    sort: str = "date"
    limit: int | None = 20
    offset: int = 0


class Plan(NamedTuple):
    """A Selection as SQL: an FTS5 MATCH (or None), conditions on papers, and the words
    a table should highlight."""

    match: str | None
    where: list[str]
    params: list[Any]
    words: list[str]
    sure: str | None = None  # --fuzzy: the match without typo corrections, ranked first
    title: bool = False  # relevance: papers matching in their title alone come first
    dated: bool = False  # --since/--until bound the day: idx_papers_day reads just that range


def make_selection(
    *,
    query: str | None = None,
    fuzzy: bool = False,
    author: list[str] | None = None,
    category: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    tag: list[str] | None = None,
    untagged: bool = False,
    min_upvotes: int | None = None,
    new: bool = False,
    seen: bool | None = None,
    source: list[str] | None = None,
    watch: list[str] | None = None,
    sort: str | None = "date",
    limit: int | None = 20,
    offset: int = 0,
    today: date | None = None,
) -> Selection:
    """The Selection of the shared filter options, as typed (both entry points, Typer's
    commands and the fast path, build theirs here). Sort None means relevance with a
    query, else date; since/until take every form of text.parse_day. BadValueError
    names the option of a value that is not of its kind."""
    if sort is None:
        sort = "relevance" if query and query.strip() else "date"
    if sort not in SORTS:
        raise BadValueError("--sort", f"{sort!r} is not one of {', '.join(SORTS)}")
    for name in author or []:  # matching names costs length² (find/authors.py)
        word = max(name.split(), key=len, default="")
        if len(word) > MAX_WORD:
            raise BadValueError(
                "--author", f"a name with a word of {len(word):,} characters (at most {MAX_WORD})"
            )
    return Selection(
        query=query,
        fuzzy=fuzzy,
        authors=_texts(author),
        categories=_texts(category),
        since=parse_day(since, today, "--since"),
        until=parse_day(until, today, "--until", end=True),
        tags=_texts(tag),
        untagged=untagged,
        min_upvotes=min_upvotes,
        new=new,
        seen=seen,
        sources=_texts(source),
        watches=_texts(watch),
        sort=sort,
        limit=limit,
        offset=offset,
    )


def _texts(values: list[str] | None) -> list[str]:
    """Option values as text SQLite can bind: a lone surrogate (argv bytes that are not
    UTF-8 arrive as one) becomes U+FFFD, as in the store (text.scrub)."""
    return [scrub(v) for v in values or []]


CHUNK = 1000  # rows read per SELECT when a selection is streamed


class Rows:
    """Papers by row key, in the order given, read from the store CHUNK at a time.

    Sized and iterable (again and again), so writers can say "N papers" before the
    first row is read. `with_tags` adds each paper's sorted tags as "tags"."""

    def __init__(self, conn: sqlite3.Connection, pks: Iterable[int], with_tags: bool = False):
        self.conn = conn
        self.pks = pks if isinstance(pks, array) else array("q", pks)
        self.with_tags = with_tags
        self.with_user_data = False  # also "notes" and "decisions" (the JSON export)

    def __len__(self) -> int:
        return len(self.pks)

    def __bool__(self) -> bool:
        return len(self.pks) > 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for start in range(0, len(self.pks), CHUNK):
            rows = rows_by_pk(self.conn, list(self.pks[start : start + CHUNK]))
            if self.with_tags:
                from ..store.userdata import tags_for

                tags = tags_for(self.conn, (r["id"] for r in rows))
                for row in rows:
                    row["tags"] = tags.get(row["id"], [])
            if self.with_user_data:
                from ..store.userdata import notes_and_decisions_for

                mine = notes_and_decisions_for(self.conn, (r["id"] for r in rows))
                for row in rows:
                    row.update(mine.get(row["id"]) or {"notes": [], "decisions": []})
            yield from rows

    def subset(self, pks: Iterable[int]) -> Rows:
        rows = Rows(self.conn, pks, self.with_tags)
        rows.with_user_data = self.with_user_data
        return rows

    def columns(self, sql: str) -> Iterator[tuple[Any, ...]]:
        """(pk, *values) for each paper in order, `sql` being a column list of papers:
        a light pass that reads no abstract."""
        for start in range(0, len(self.pks), CHUNK):
            chunk = list(self.pks[start : start + CHUNK])
            cur = self.conn.cursor()
            cur.row_factory = None
            got = {
                r[0]: r
                for r in cur.execute(
                    f"SELECT pk, {sql} FROM papers WHERE pk IN (SELECT value FROM json_each(?))",
                    [json.dumps(chunk)],
                )
            }
            yield from (got[pk] for pk in chunk if pk in got)

    def ids(self) -> Iterator[str]:
        for row in self.columns("id"):
            yield row[1]


class Found(NamedTuple):
    rows: Rows
    words: list[str]  # query words (and fuzzy variants) to highlight


def select(conn: sqlite3.Connection, sel: Selection) -> list[dict[str, Any]]:
    """The papers a Selection picks, in its order."""
    return list(find(conn, sel).rows)


def find(conn: sqlite3.Connection, sel: Selection) -> Found:
    """The papers a Selection picks, in its order, with the words to highlight;
    the rows are read as they are iterated."""
    plan = make_plan(conn, sel)
    return Found(Rows(conn, _plan_keys(conn, plan, sel)), plan.words)


def keys(conn: sqlite3.Connection, sel: Selection) -> array[int]:
    """The row keys of the papers a Selection picks, in its order."""
    return _plan_keys(conn, make_plan(conn, sel), sel)


def _plan_keys(conn: sqlite3.Connection, plan: Plan, sel: Selection) -> array[int]:
    if sel.sort == "score":  # the score is the rank package's, which builds on this one
        raise ValueError("sort 'score': order with rank.ranking.find or rank.ranking.keys")
    end = None if sel.limit is None else sel.offset + sel.limit
    if sel.sort == "relevance" and plan.match is not None and plan.title:
        return _relevance(conn, plan, end)[sel.offset : end]
    if sel.sort == "relevance" and plan.match is not None:
        sql, params = _page_sql(plan, sel.sort)
        return _keys(conn, sql, params, end, sel.offset)
    return _ordered(conn, plan, "upvotes" if sel.sort == "upvotes" else "date", end, sel.offset)


def _ordered(
    conn: sqlite3.Connection, plan: Plan, sort: str, end: int | None, offset: int
) -> array[int]:
    """Keys in date or upvotes order.

    Walking the sort's index and testing each paper stops after one page, but walks
    far when few papers match; looking up each match's sort key costs one index seek
    per match. So: walk the newest (or most upvoted) WINDOW papers first, and look
    the matches up only if that did not fill the page."""
    if end is None or (plan.match is None and not plan.where):
        sql, params = _page_sql(plan, sort)
        return _keys(conn, sql, params, end, offset)
    index, key = SORT_INDEX[sort]
    edge = conn.execute(
        f"SELECT {key} FROM papers INDEXED BY {index} ORDER BY {ORDER[sort]} LIMIT 1 OFFSET ?",
        [WINDOW],
    ).fetchone()
    if edge is not None:
        lowest = conn.execute(
            f"SELECT {key} FROM papers INDEXED BY {index} ORDER BY {key} LIMIT 1"
        ).fetchone()
        if edge[0] != lowest[0]:  # else the window is the whole table
            walk = plan._replace(where=[w.replace(CATEGORY_SET, CATEGORY_TEST) for w in plan.where])
            sql, params = _page_sql(walk, sort, index, f"{key} >= ?")
            got = _keys(conn, sql, [edge[0], *params], end, offset)
            if len(got) == end - offset:
                return got
    # Few matches: look each one up (a covering scan), unless a date bound leaves only a
    # range of the day index to walk (a --since with nothing that recent reads nothing).
    fallback = "idx_papers_day" if plan.dated and sort == "date" else "idx_papers_pk_sort"
    sql, params = _page_sql(plan, sort, fallback)
    return _keys(conn, sql, params, end, offset)


def _keys(
    conn: sqlite3.Connection, sql: str, params: list[Any], end: int | None, offset: int = 0
) -> array[int]:
    if end is not None:
        sql += " LIMIT ? OFFSET ?"
        params = [*params, end - offset, offset]
    elif offset:
        sql += " LIMIT -1 OFFSET ?"
        params = [*params, offset]
    cur = conn.cursor()
    cur.row_factory = None
    return array("q", (r[0] for r in cur.execute(sql, params)))


def _relevance(conn: sqlite3.Connection, plan: Plan, end: int | None) -> array[int]:
    """The first `end` keys in relevance order; with --fuzzy, papers found without a
    typo correction first."""
    if plan.sure is None:
        return _title_first(conn, plan, end)
    first = _title_first(conn, plan._replace(match=plan.sure, sure=None), end)
    if end is not None and len(first) >= end:
        return first
    seen = set(first)
    more = _title_first(conn, plan._replace(sure=None), None if end is None else end + len(first))
    return first + array("q", (pk for pk in more if pk not in seen))


def _title_first(conn: sqlite3.Connection, plan: Plan, end: int | None) -> array[int]:
    """The first `end` keys in relevance order: papers whose title alone matches, by
    bm25 over titles, then the others by bm25 over the whole paper (title weighted).

    The title index is small, so for common words (where scoring every match over the
    whole index costs most) the first page usually comes from titles alone."""
    if plan.where:
        sql = (
            "SELECT papers.pk FROM (SELECT rowid AS t_pk, bm25(papers_title_fts) AS t_rank "
            "FROM papers_title_fts WHERE papers_title_fts MATCH ?) AS t "
            "JOIN papers ON papers.pk = t.t_pk WHERE "
            + " AND ".join(f"({w})" for w in plan.where)
            + " ORDER BY t.t_rank, papers.pk DESC"
        )
    else:
        sql = (
            "SELECT rowid FROM papers_title_fts WHERE papers_title_fts MATCH ? "
            "ORDER BY bm25(papers_title_fts), rowid DESC"
        )
    first = _keys(conn, sql, [plan.match, *plan.params], end)
    if end is not None and len(first) >= end:
        return first
    sql, params = _page_sql(plan, "relevance")
    seen = set(first)
    more = _keys(conn, sql, params, None if end is None else end + len(first))
    return first + array("q", (pk for pk in more if pk not in seen))


def _page_sql(
    plan: Plan, sort: str, index: str | None = None, first: str | None = None
) -> tuple[str, list[Any]]:
    """SELECT papers.pk ... ORDER BY: only keys and sort columns pass through the sorter.
    For date and upvotes: `index` is the one to read the papers by, `first` a condition
    put before the others (its parameters too)."""
    where = list(plan.where)
    params = list(plan.params)
    if plan.match is not None and sort == "relevance" and not where:
        # Only the text index is read until the page is known (ties: newest import first).
        order = f"{BM25}, rowid DESC"
        if plan.sure is not None:
            order = f"rowid IN ({FTS_SUBQUERY}) DESC, " + order
        sql = f"SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? ORDER BY {order}"
        return sql, [plan.match] + ([plan.sure] if plan.sure is not None else [])
    if plan.match is not None and sort == "relevance":
        sql = (
            f"SELECT papers.pk FROM (SELECT rowid AS fts_pk, {BM25} AS fts_rank FROM papers_fts "
            "WHERE papers_fts MATCH ?) AS f JOIN papers ON papers.pk = f.fts_pk"
        )
        order = "f.fts_rank, papers.pk DESC"
        params.insert(0, plan.match)
        if plan.sure is not None:
            order = f"papers.pk IN ({FTS_SUBQUERY}) DESC, " + order
    else:
        sql = "SELECT papers.pk FROM papers" + (f" INDEXED BY {index}" if index else "")
        order = ORDER.get(sort, ORDER["date"])
        if plan.match is not None:
            where.insert(0, f"papers.pk IN ({FTS_SUBQUERY})")
            params.insert(0, plan.match)
        if first:
            where.insert(0, first)
    if where:
        sql += " WHERE " + " AND ".join(f"({w})" for w in where)
    if plan.sure is not None and sort == "relevance":
        params.append(plan.sure)
    return sql + f" ORDER BY {order}", params


def rows_for(conn: sqlite3.Connection, pks: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Full rows (as plain data) by row key; a key with no paper (merged away by a
    dedupe since it was read) is simply absent."""
    from ..columns import row_to_dict
    from ..store.queries import LIST_COLUMNS

    sql = (
        f"SELECT pk AS _pk, {LIST_COLUMNS} FROM papers WHERE pk IN (SELECT value FROM json_each(?))"
    )
    out = {}
    for r in conn.execute(sql, [json.dumps(list(pks))]):
        row = dict(r)
        pk = row.pop("_pk")
        out[pk] = row_to_dict(row)
    return out


def rows_by_pk(conn: sqlite3.Connection, pks: list[int]) -> list[dict[str, Any]]:
    """Full rows for row keys, in the order given, leaving out papers gone since."""
    if not pks:
        return []
    by_pk = rows_for(conn, pks)
    return [by_pk[pk] for pk in pks if pk in by_pk]


def make_plan(conn: sqlite3.Connection, sel: Selection) -> Plan:
    """Turn a Selection into an FTS5 MATCH and SQL conditions (QueryError on a bad query)."""
    dated = bool(sel.since or sel.until)
    if not (sel.query and sel.query.strip()):  # no query: its parser is not even loaded
        where, params = facet_conditions(conn, sel)
        return Plan(None, where, params, [], None, False, dated=dated)
    from .query import compile_query

    expander = None
    if sel.fuzzy:
        from .fuzzy import Expander

        expander = Expander(conn)
    compiled = compile_query(sel.query, expander)
    sure = None
    if expander is not None and any(expander.typos.values()):
        expander.with_typos = False
        sure = compile_query(sel.query, expander).match
    where, params = facet_conditions(conn, sel)
    words = compiled.words + (expander.words if expander else [])
    title = compiled.title_match is not None
    return Plan(
        compiled.match,
        compiled.where + where,
        compiled.params + params,
        words,
        sure,
        title,
        dated=dated,
    )


def conditions(
    conn: sqlite3.Connection, sel: Selection, min_pk: int | None = None
) -> tuple[list[str], list[Any]]:
    """Every condition of a Selection, the query included, as SQL on `papers` alone
    (for callers that build their own SELECT ... FROM papers). `min_pk`: the caller
    wants row keys from there on only, and the text index is read from there on."""
    plan = make_plan(conn, sel)
    where, params = list(plan.where), list(plan.params)
    if plan.match is not None:
        where.insert(0, f"papers.pk IN ({FTS_SUBQUERY}{' AND rowid >= ?' if min_pk else ''})")
        params[:0] = [plan.match, min_pk] if min_pk else [plan.match]
    if min_pk:
        where.insert(0, "papers.pk >= ?")
        params.insert(0, min_pk)
    return where, params


def facet_conditions(conn: sqlite3.Connection, sel: Selection) -> tuple[list[str], list[Any]]:
    """The options other than the query, as SQL conditions on papers."""
    where: list[str] = []
    params: list[Any] = []
    if sel.categories:
        conds = [category_condition(c.strip()) for c in sel.categories if c.strip()]
        where.append(" OR ".join(f"({s})" for s, _ in conds))
        params.extend(a for _, args in conds for a in args)
    if sel.authors:
        from .authors import author_pks

        where.append("papers.pk IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(author_pks(conn, sel.authors))))
    if sel.since:
        where.append("day >= ?")
        params.append(sel.since)
    if sel.until:
        where.append("day <= ?")
        params.append(sel.until)
    if sel.min_upvotes is not None:  # the indexed expression (same papers: the minimum is >= 0)
        where.append("coalesce(hf_upvotes, -1) >= ?")
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
        from ..store.runs import last_run_id

        where.append("first_run = ?")
        params.append(last_run_id(conn, "fetch") or -1)
    if sel.sources:
        marks = ", ".join("?" for _ in sel.sources)
        where.append(f"id IN (SELECT paper_id FROM sightings WHERE source IN ({marks}))")
        params.extend(sel.sources)
    if sel.watches:
        where.append(_watch_condition(conn, sel.watches))
        params.append(json.dumps(sel.watches))
    return where, params


def _watch_condition(conn: sqlite3.Connection, names: list[str]) -> str:
    """--watch: papers a watch matched (watch/watches.py records them). An unknown name
    is a BadValueError, not an empty list."""
    known = {r[0] for r in conn.execute("SELECT name FROM watches")}
    for name in names:
        if name not in known:
            hint = f"; watches: {', '.join(sorted(known))}" if known else ""
            raise BadValueError("--watch", f"no watch named {name!r}{hint}")
    return (
        "id IN (SELECT paper_id FROM watch_matches WHERE watch IN (SELECT value FROM json_each(?)))"
    )
