"""Loading a big file fast: new papers reach the full-text indexes a batch at a time.

The AFTER INSERT triggers that copy each new row into an FTS5 index (papers_ai into
papers_fts, papers_title_ai into papers_title_fts) cost more than the rest of an import
put together; one INSERT ... SELECT per batch of new rows costs about a third of that.
While a big import runs (inside its single transaction) those triggers are dropped,
every batch's new rows are indexed right after they are inserted (so later updates of
them find them indexed, as the update triggers expect), and the triggers are put back,
from the SQL the store holds, before the transaction commits. The categories trigger
(WHEN ... INSERT OR IGNORE ... SELECT ... FROM json_each(...)) is caught up the same way.
An error or a kill rolls all of it back with the rest of the import. A trigger of any
other shape is left alone and keeps working row by row.

When the file brings at least a quarter as many papers as the store holds, the indexes
the import does not read (DEFERRED_INDEXES: merges look papers up by id, and by title
key only for provisional papers) are dropped too and built again, sorted, before the
commit: one sort instead of a random b-tree insert per paper and index (100k records:
-29% wall time). The title-key index is built as soon as a look-up needs it (``need``:
the store or the file has a provisional paper), and kept from then on.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

# FTS5 flushes its in-memory index every `hashsize` bytes; bigger chunks mean fewer
# segments to merge. A bigger page cache keeps the indexes' pages that random keys
# (title_key) touch in memory instead of writing them out and reading them back
# (-40% system time on 300k records). Both together keep peak memory under 200 MB.
BULK_HASHSIZE = 32 * 1024 * 1024
BULK_CACHE_KIB = 64 * 1024
DEFAULT_HASHSIZE = 1024 * 1024
_BODY = re.compile(
    r"^CREATE TRIGGER\s+(\w+)\s+AFTER\s+INSERT\s+ON\s+papers\s+BEGIN\s+"
    r"INSERT\s+INTO\s+(\w+)\s*\(([^()]*)\)\s*VALUES\s*\(([^()]*)\)\s*;\s*END$",
    re.IGNORECASE | re.DOTALL,
)
_SELECTING = re.compile(
    r"^CREATE TRIGGER\s+(\w+)\s+AFTER\s+INSERT\s+ON\s+papers\s+WHEN\s+(.+?)\s+BEGIN\s+"
    r"INSERT\s+OR\s+IGNORE\s+INTO\s+(\w+)\s*\(([^()]*)\)\s*SELECT\s+(.+?)\s+"
    r"FROM\s+(json_each\(.+\))\s+WHERE\s+([^;]+?)\s*;\s*END$",
    re.IGNORECASE | re.DOTALL,
)
_FTS5 = re.compile(r"USING\s+fts5\s*\(", re.IGNORECASE)  # not fts5vocab
SORT_THREADS = 2  # helper threads of the sorter that builds the dropped indexes
TITLE_INDEX = "idx_papers_title_key"  # read by merges of provisional papers only
DEFERRED_INDEXES = (
    TITLE_INDEX,
    "idx_papers_first_run",
    "idx_papers_day",
    "idx_papers_upvotes",
    "idx_papers_pk_sort",
    "idx_paper_categories_category",
)
RECORD_BYTES = 1600  # about a Kaggle line: how many papers a file of some size brings


@dataclass
class _Trigger:
    name: str
    sql: str
    table: str
    catch_up_sql: str
    hashsize: int | None = None  # the FTS5 table's own setting, put back at the end


class DeferredIndex:
    """Index new papers per batch instead of per row, for the length of one transaction."""

    def __init__(self, conn: sqlite3.Connection, file_bytes: int = 0) -> None:
        self.conn = conn
        self.file_bytes = file_bytes
        self.last_pk = 0
        self.cache_size = -2000
        self.triggers: list[_Trigger] = []
        self.indexes: dict[str, str] = {}  # name -> SQL of the indexes dropped until built
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'papers'"
        ).fetchall()
        fts = {
            name
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            )
            if _FTS5.search(sql or "")
        }
        for (sql,) in rows:
            m = _BODY.match((sql or "").strip())
            if m and m.group(2) in fts:
                name, table, columns, values = m.groups()
                catch_up = (
                    f"INSERT INTO {table} ({columns}) SELECT {values} "
                    "FROM papers AS new WHERE new.rowid > ? ORDER BY new.rowid"
                )
                self.triggers.append(_Trigger(name, sql, table, catch_up))
                continue
            m = _SELECTING.match((sql or "").strip())
            if m:
                name, when, table, columns, values, source, where = m.groups()
                catch_up = (
                    f"INSERT OR IGNORE INTO {table} ({columns}) SELECT {values} "
                    f"FROM papers AS new, {source} WHERE new.rowid > ? AND ({when}) "
                    f"AND ({where}) ORDER BY new.rowid"
                )
                self.triggers.append(_Trigger(name, sql, table, catch_up))

    @property
    def active(self) -> bool:
        return bool(self.triggers)

    def start(self) -> None:
        """Drop the per-row triggers; must run inside the import's transaction."""
        if not self.active:
            return
        assert self.conn.in_transaction, "deferred indexing needs a transaction"
        self.last_pk = self._max_pk()
        for t in self.triggers:
            self.conn.execute(f"DROP TRIGGER {t.name}")
            if not _is_fts5(self.conn, t.table):
                continue
            row = self.conn.execute(
                f"SELECT v FROM {t.table}_config WHERE k = 'hashsize'"
            ).fetchone()
            t.hashsize = int(row[0]) if row else DEFAULT_HASHSIZE
            self._hashsize(t.table, BULK_HASHSIZE)
        if self.file_bytes >= self.last_pk * RECORD_BYTES // 4:
            marks = ", ".join("?" for _ in DEFERRED_INDEXES)
            for name, sql in self.conn.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
                DEFERRED_INDEXES,
            ).fetchall():
                self.conn.execute(f"DROP INDEX {name}")
                self.indexes[name] = sql
        self.cache_size = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")

    def catch_up(self) -> None:
        """Index every paper inserted since the last call."""
        if not self.active:
            return
        top = self._max_pk()
        if top > self.last_pk:
            for t in self.triggers:
                self.conn.execute(t.catch_up_sql, [self.last_pk])
            self.last_pk = top

    def finish(self) -> None:
        """Index the rest and put the triggers back (before the transaction commits)."""
        if not self.active:
            return
        self.catch_up()
        for t in self.triggers:
            self.conn.execute(t.sql)
            if t.hashsize is not None:
                self._hashsize(t.table, t.hashsize)
        # The page cache back to its size first: SQLite's sorter, which builds each
        # index, may use as much memory as the cache (1M papers: 198 -> 140 MB peak).
        self.conn.execute(f"PRAGMA cache_size = {int(self.cache_size)}")
        # The parsing process is done by now: SQLite's sorter may take a second core
        # (1M papers: the rebuild 5.4 -> 4.5 s of wall time, for 1.6 s more of CPU).
        threads = self.conn.execute("PRAGMA threads").fetchone()[0]
        self.conn.execute(f"PRAGMA threads = {SORT_THREADS}")
        try:
            for sql in self.indexes.values():
                self.conn.execute(sql)
        finally:
            self.conn.execute(f"PRAGMA threads = {int(threads)}")
        self.indexes = {}

    def need(self, name: str) -> None:
        """Build a dropped index now, for a look-up that reads it (sorted over the papers
        so far; SQLite keeps it up to date from then on)."""
        sql = self.indexes.pop(name, None)
        if sql is not None:
            self.conn.execute(sql)

    def _max_pk(self) -> int:
        return int(self.conn.execute("SELECT coalesce(max(rowid), 0) FROM papers").fetchone()[0])

    def _hashsize(self, table: str, size: int) -> None:
        self.conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', ?)", [size])


def _is_fts5(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
    return bool(row and _FTS5.search(row[0] or ""))
