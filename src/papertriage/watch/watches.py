"""Watches: a saved query plus filter options, run over the papers each fetch or import
brings.

A watch is the `filter` command kept: the same query language and options, checked
when it is added, stored as typed (so `--since 7d` means the last seven days of each
run). It remembers the last run it has looked at (`last_run`); running it looks at the
papers first seen in later runs only, so after a fetch it sees just that fetch's new
papers, and a fetch it missed (interrupted, or a watch run that failed) is caught up
next time. A newly added watch starts from the latest run: it watches what comes next
(`watch run NAME --all` goes over the whole store once).

Each match is a row of ``watch_matches`` (the watch, the paper, when) and gets the
watch's tag (default: its name). Watches, matches and tags are user data: fetch,
import and migrations never write them, and a merge moves a paper's matches with its
tags. Removing a watch removes its matches; the tags it gave stay (they are tags now).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from ..errors import BadValueError, NotFoundError, PapertriageError
from ..find.selection import Selection, conditions, make_selection
from ..store.db import transaction
from ..store.runs import last_run_id
from ..store.userdata import check_tag, drop_watch, flush_pending, save_watch
from ..text import now_iso

# The filter options a watch keeps (find.selection.make_selection's names; not --new:
# a watch looks at the new papers of each run anyway).
OPTIONS = (
    "fuzzy", "author", "category", "since", "until",
    "tag", "untagged", "min_upvotes", "seen", "source",
)  # fmt: skip
# How each option is written on a command line, for `watch list` and `watch show`.
_FLAGS = {
    "fuzzy": "--fuzzy", "author": "--author", "category": "--category", "since": "--since",
    "until": "--until", "tag": "--tag", "untagged": "--untagged",
    "min_upvotes": "--min-upvotes", "source": "--source",
}  # fmt: skip


@dataclass
class Watch:
    name: str
    query: str | None
    options: dict[str, Any] = field(default_factory=dict)
    tag: str = ""
    created: str | None = None
    last_run: int = 0
    matches: int = 0
    queued: bool = False  # added or removed by a write queued (store/pending.py)

    def selection(self) -> Selection:
        """The Selection the watch stands for (relative dates resolved today)."""
        return make_selection(query=self.query, **self.options, sort="date", limit=None)

    def command(self) -> str:
        """The watch as `filter` arguments: QUERY and options, shell-quoted."""
        import shlex

        parts = [shlex.quote(self.query)] if self.query else []
        for key, value in self.options.items():
            if key == "seen":
                parts.append("--seen" if value else "--unseen")
            elif value is True:
                parts.append(_FLAGS[key])
            elif isinstance(value, list):
                parts += [f"{_FLAGS[key]} {shlex.quote(str(v))}" for v in value]
            else:
                parts.append(f"{_FLAGS[key]} {shlex.quote(str(value))}")
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "query": self.query, "options": self.options,
                "tag": self.tag, "created": self.created, "last_run": self.last_run,
                "matches": self.matches}  # fmt: skip


def clean_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options that say something (no empty lists, no False flags, no None)."""
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise BadValueError(None, f"a watch takes no {', '.join(sorted(unknown))} option")
    keep = {k: options[k] for k in OPTIONS if options.get(k) not in (None, False, [], "")}
    if options.get("seen") is not None:  # --unseen is False, and says something
        keep["seen"] = bool(options["seen"])
    return {k: keep[k] for k in OPTIONS if k in keep}


def check_watch(conn: sqlite3.Connection, watch: Watch) -> None:
    """Everything `filter` would refuse, refused now: a bad date, query, option."""
    if not (watch.query and watch.query.strip()) and not watch.options:
        raise BadValueError(
            "QUERY", "a watch needs a query or a filter option (else it matches every paper)"
        )
    conditions(conn, watch.selection())  # compiles the query: QueryError if it is bad


def add_watch(
    conn: sqlite3.Connection,
    name: str,
    query: str | None,
    options: dict[str, Any],
    tag: str | None = None,
) -> Watch:
    """Store a new watch (PapertriageError if the name is taken). It starts from the
    latest run: the papers already in the store are not matched."""
    name = check_tag(name)
    watch = Watch(name, query.strip() if query else None, clean_options(options))
    watch.tag = check_tag(tag) if tag else name
    check_watch(conn, watch)
    watch.created = now_iso()
    watch.last_run = last_run_id(conn) or 0
    fields = {"name": name, "query": watch.query, "options": json.dumps(watch.options),
              "tag": watch.tag, "created": watch.created, "last_run": watch.last_run}  # fmt: skip
    watch.queued = save_watch(conn, fields) is None
    return watch


def _watch(row: sqlite3.Row) -> Watch:
    return Watch(
        row["name"], row["query"], json.loads(row["options"] or "{}"), row["tag"],
        row["created"], int(row["last_run"] or 0), int(row["matches"] or 0),
    )  # fmt: skip


_SELECT = (
    "SELECT w.*, (SELECT count(*) FROM watch_matches m WHERE m.watch = w.name) AS matches "
    "FROM watches w"
)


def list_watches(conn: sqlite3.Connection) -> list[Watch]:
    return [_watch(r) for r in conn.execute(_SELECT + " ORDER BY w.name")]


def get_watch(conn: sqlite3.Connection, name: str) -> Watch:
    row = conn.execute(_SELECT + " WHERE w.name = ?", [name]).fetchone()
    if row is None:
        names = [w.name for w in list_watches(conn)]
        hint = f" (watches: {', '.join(names)})" if names else " (papertriage watch add NAME QUERY)"
        raise NotFoundError(f"no watch named {name!r}{hint}")
    return _watch(row)


def remove_watch(conn: sqlite3.Connection, name: str) -> Watch:
    """Remove a watch and its matches; the tags it gave stay."""
    flush_pending(conn, wait=0)  # a watch added by a queued write, if it can be applied now
    watch = get_watch(conn, name)
    watch.queued = drop_watch(conn, name) is None
    return watch


def matched_ids(conn: sqlite3.Connection, name: str) -> list[str]:
    """The papers a watch has matched, newest match first."""
    rows = conn.execute(
        "SELECT paper_id FROM watch_matches WHERE watch = ? ORDER BY matched DESC, paper_id",
        [name],
    )
    return [r[0] for r in rows]


def run_watch(conn: sqlite3.Connection, watch: Watch, everything: bool = False) -> int:
    """Match the papers first seen since the watch last ran (every paper: `everything`);
    record and tag the matches. Returns how many matches are new."""
    upto = last_run_id(conn) or 0
    if everything:
        where, params = conditions(conn, watch.selection())
    else:
        # New papers are new rows: the text index is read from the first of them on.
        first = conn.execute(
            "SELECT min(pk) FROM papers WHERE first_run > ? AND first_run <= ?",
            [watch.last_run, upto],
        ).fetchone()[0]
        if first is None:
            conn.execute("UPDATE watches SET last_run = max(last_run, ?) WHERE name = ?",
                         [upto, watch.name])  # fmt: skip
            return 0
        where, params = conditions(conn, watch.selection(), int(first))
        where = ["first_run > ? AND first_run <= ?", *where]
        params = [watch.last_run, upto, *params]
    sql = "SELECT id, first_run FROM papers" + (
        " WHERE " + " AND ".join(f"({w})" for w in where) if where else ""
    )
    now = now_iso()
    with transaction(conn):
        found = conn.execute(sql, params).fetchall()
        new = 0
        for paper_id, first_run in found:
            cur = conn.execute(
                "INSERT OR IGNORE INTO watch_matches (watch, paper_id, run_id, matched) "
                "VALUES (?, ?, ?, ?)",
                [watch.name, paper_id, first_run, now],
            )
            if cur.rowcount:
                new += 1
                conn.execute(
                    "INSERT OR IGNORE INTO tags (paper_id, tag, created) VALUES (?, ?, ?)",
                    [paper_id, watch.tag, now],
                )
        conn.execute(
            "UPDATE watches SET last_run = max(last_run, ?) WHERE name = ?", [upto, watch.name]
        )
    return new


def run_watches(
    conn: sqlite3.Connection, names: list[str] | None = None, everything: bool = False
) -> dict[str, int]:
    """Run the named watches (all of them by default): new matches per watch."""
    watches = [get_watch(conn, n) for n in names] if names else list_watches(conn)
    return {w.name: run_watch(conn, w, everything) for w in watches}


@dataclass
class WatchRun:
    name: str
    new: int = 0
    error: str | None = None


def after_run(conn: sqlite3.Connection) -> list[WatchRun]:
    """What a fetch or import calls when it is done: every watch over the new papers.
    A watch that fails (a query the store's index refuses...) is reported, not raised,
    and looks at the same papers again next time."""
    out = []
    for watch in list_watches(conn):
        try:
            out.append(WatchRun(watch.name, run_watch(conn, watch)))
        except PapertriageError as exc:
            out.append(WatchRun(watch.name, error=str(exc)))
    return out


def matched_condition(name: str, start: str, end: str) -> tuple[str, list[Any]]:
    """SQL on papers: matched by the watch between two times (ISO, end excluded)."""
    return (
        "id IN (SELECT paper_id FROM watch_matches WHERE watch = ? AND matched >= ? "
        "AND matched < ?)",
        [name, start, end],
    )
