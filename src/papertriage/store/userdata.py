"""What the user writes about papers: tags, notes and triage decisions (and the
writes of watches, watch/watches.py, so that they queue as these do).

All of it is keyed by the stored (bare arXiv) id, in tables imports never write, so it
survives re-imports, new versions and merges (ingest.move_user_data follows a merge).
A paper's triage state is its latest decision that is not undone; `unread` undoes them
all, which puts the paper back in the triage queue. Every write is one transaction.
A write that finds another process writing the store for longer than USER_WAIT_S (an
import, a fetch) is queued durably instead (pending.py) and applied, in order and
exactly once, by the next transaction that writes the user's data or by the import
or fetch as it ends.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .. import ids
from ..errors import PapertriageError, StoreBusyError, TagError
from ..text import now_iso, scrub
from . import pending
from .db import store_file, transaction
from .queries import resolve_id

DECISIONS = ("keep", "read", "skip")
MARKS = (*DECISIONS, "unread")
# 1-64 characters: no space, comma or control character (they would reach terminals),
# no lone surrogate (the store cannot hold it). One rule for the command line and triage.
_TAG_RE = re.compile("^[^\\s,\x00-\x1f\x7f-\x9f\ud800-\udfff]{1,64}$")


def check_tag(tag: str) -> str:
    """A tag as stored: as typed, without surrounding space; no spaces or commas inside."""
    name = tag.strip()
    if not _TAG_RE.match(name) or name.startswith("-"):
        raise TagError(
            f"bad tag {tag!r}: use 1-64 characters without spaces, commas or control"
            " characters, not starting with '-'"
        )
    if ids.try_parse_id(name):
        raise TagError(f"{name!r} looks like a paper id, not a tag (give the IDs first, then tags)")
    return name


def resolve_all(conn: sqlite3.Connection, texts: Iterable[str]) -> list[str]:
    """Stored ids for id texts, in order, without repeats; NotFoundError on the first unknown."""
    out: dict[str, None] = {}
    for text in texts:
        out[resolve_id(conn, text)] = None
    return list(out)


def add_tags(conn: sqlite3.Connection, paper_ids: list[str], tags: list[str]) -> int | None:
    """Tag every paper with every tag; returns how many (paper, tag) pairs are new
    (None: queued, as another process is writing the store)."""
    names = [check_tag(t) for t in tags]
    return _write(conn, {"op": "tag", "ids": paper_ids, "tags": names, "created": now_iso()})


def _tag(conn: sqlite3.Connection, entry: dict[str, Any]) -> int:
    added = 0
    for pid in entry["ids"]:
        for name in entry["tags"]:
            cur = conn.execute(
                "INSERT OR IGNORE INTO tags (paper_id, tag, created) VALUES (?, ?, ?)",
                [pid, name, entry["created"]],
            )
            added += cur.rowcount
    return added


def remove_tags(conn: sqlite3.Connection, paper_ids: list[str], tags: list[str]) -> int | None:
    """Remove the tags from the papers; returns how many (paper, tag) pairs went
    (None: queued)."""
    return _write(conn, {"op": "untag", "ids": paper_ids, "tags": [t.strip() for t in tags]})


def _untag(conn: sqlite3.Connection, entry: dict[str, Any]) -> int:
    removed = 0
    for pid in entry["ids"]:
        for tag in entry["tags"]:
            cur = conn.execute("DELETE FROM tags WHERE paper_id = ? AND tag = ?", [pid, tag])
            removed += cur.rowcount
    return removed


def tag_counts(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every tag with the number of papers carrying it, most used first."""
    rows = conn.execute(
        "SELECT tag, count(*) AS papers FROM tags GROUP BY tag ORDER BY papers DESC, tag"
    )
    return [dict(r) for r in rows]


def paper_tags(conn: sqlite3.Connection, paper_id: str) -> list[str]:
    rows = conn.execute("SELECT tag FROM tags WHERE paper_id = ? ORDER BY tag", [paper_id])
    return [r[0] for r in rows]


def tags_for(conn: sqlite3.Connection, paper_ids: Iterable[str]) -> dict[str, list[str]]:
    """Each paper's tags, sorted."""
    wanted = list(dict.fromkeys(paper_ids))
    out: dict[str, list[str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for pid, tag in conn.execute(
            f"SELECT paper_id, tag FROM tags WHERE paper_id IN ({marks}) ORDER BY paper_id, tag",
            chunk,
        ):
            out.setdefault(pid, []).append(tag)
    return out


def add_note(conn: sqlite3.Connection, paper_id: str, text: str) -> int | None:
    """Store a note (control characters removed, lines and tabs kept); returns its id
    (None: queued). Empty text is refused."""
    body = scrub(text).strip()
    if not body:
        raise PapertriageError("empty note: nothing added")
    return _write(conn, {"op": "note", "paper": paper_id, "text": body, "created": now_iso()})


def _note(conn: sqlite3.Connection, entry: dict[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO notes (paper_id, text, created) VALUES (?, ?, ?)",
        [entry["paper"], entry["text"], entry["created"]],
    )
    return int(cur.lastrowid or 0)


def note_count(conn: sqlite3.Connection, paper_id: str) -> int:
    return int(
        conn.execute("SELECT count(*) FROM notes WHERE paper_id = ?", [paper_id]).fetchone()[0]
    )


def decide(conn: sqlite3.Connection, paper_id: str, decision: str) -> int | str:
    """Record a triage decision (keep/read/skip); returns the decision's id, or, if it
    was queued, the queued write's id (which `undo` takes as well)."""
    if decision not in DECISIONS:
        raise PapertriageError(f"unknown decision {decision!r}: one of {', '.join(DECISIONS)}")
    entry = {"op": "decide", "paper": paper_id, "decision": decision, "created": now_iso()}
    queued: list[str] = []
    did = _write(conn, entry, queued)
    return queued[0] if did is None else did


def _decide(conn: sqlite3.Connection, entry: dict[str, Any]) -> int:
    cur = conn.execute(
        "INSERT INTO decisions (paper_id, decision, created) VALUES (?, ?, ?)",
        [entry["paper"], entry["decision"], entry["created"]],
    )
    return int(cur.lastrowid or 0)


def undo(conn: sqlite3.Connection, decision_id: int | str) -> bool | None:
    """Mark one decision undone (by its id, or the id `decide` gave when it queued it);
    False if it was already undone or does not exist, None if queued."""
    key = "ref" if isinstance(decision_id, str) else "decision"
    done = _write(conn, {"op": "undo", key: decision_id})
    return None if done is None else done == 1


def _undo(conn: sqlite3.Connection, entry: dict[str, Any]) -> int:
    did = entry.get("decision")
    if "ref" in entry:  # a queued decision: its id once applied (it comes first in order)
        row = conn.execute(
            "SELECT result FROM pending_applied WHERE id = ?", [entry["ref"]]
        ).fetchone()
        did = row[0] if row else None
    cur = conn.execute("UPDATE decisions SET undone = 1 WHERE id = ? AND undone = 0", [did])
    return cur.rowcount


def last_decision(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The most recent decision still in force, over all papers."""
    row = conn.execute(
        "SELECT id, paper_id, decision, created FROM decisions WHERE undone = 0 "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return dict(row) if row else None


def state(conn: sqlite3.Connection, paper_id: str) -> str | None:
    """The paper's triage state: its latest decision in force, or None (untriaged)."""
    row = conn.execute(
        "SELECT decision FROM decisions WHERE paper_id = ? AND undone = 0 ORDER BY id DESC LIMIT 1",
        [paper_id],
    ).fetchone()
    return row[0] if row else None


def mark(conn: sqlite3.Connection, paper_ids: list[str], what: str) -> int | None:
    """Set the triage state of papers: keep/read/skip, or unread to clear it.
    Returns how many papers changed state (None: queued)."""
    if what not in MARKS:
        raise PapertriageError(f"unknown mark {what!r}: one of {', '.join(MARKS)}")
    return _write(conn, {"op": "mark", "ids": paper_ids, "what": what, "created": now_iso()})


def _mark(conn: sqlite3.Connection, entry: dict[str, Any]) -> int:
    changed = 0
    what = entry["what"]
    for pid in entry["ids"]:
        before = state(conn, pid)
        if what == "unread":
            conn.execute("UPDATE decisions SET undone = 1 WHERE paper_id = ? AND undone = 0", [pid])
        elif before != what:
            conn.execute(
                "INSERT INTO decisions (paper_id, decision, created) VALUES (?, ?, ?)",
                [pid, what, entry["created"]],
            )
        changed += before != (None if what == "unread" else what)
    return changed


def save_watch(conn: sqlite3.Connection, watch: dict[str, Any]) -> int | None:
    """Store a new watch (watch/watches.py checked it): name, query, options (JSON
    text), tag, created, last_run. PapertriageError if the name is taken; None: queued."""
    return _write(conn, {"op": "watch_add", "watch": watch})


def _watch_add(conn: sqlite3.Connection, entry: dict[str, Any]) -> int:
    w = entry["watch"]
    if conn.execute("SELECT 1 FROM watches WHERE name = ?", [w["name"]]).fetchone():
        raise PapertriageError(
            f"a watch named {w['name']!r} exists already (papertriage watch rm {w['name']} first)"
        )
    conn.execute(
        "INSERT INTO watches (name, query, options, tag, created, last_run) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [w["name"], w["query"], w["options"], w["tag"], w["created"], w["last_run"]],
    )
    return 1


def drop_watch(conn: sqlite3.Connection, name: str) -> int | None:
    """Remove a watch and its matches (the tags it gave stay); None: queued."""
    return _write(conn, {"op": "watch_rm", "name": name})


def _watch_rm(conn: sqlite3.Connection, entry: dict[str, Any]) -> int:
    conn.execute("DELETE FROM watch_matches WHERE watch = ?", [entry["name"]])
    return conn.execute("DELETE FROM watches WHERE name = ?", [entry["name"]]).rowcount


# -- writes that find the store being written: queued (pending.py), applied in order ----

# How long a user's write waits for the write lock before it is queued: longer than
# any short write holds it (a tag, a fetched listing), far shorter than an import.
USER_WAIT_S = 2.0
# ... and while writes are queued already (the import still runs): hardly at all, so
# that triage goes on at once from key to key.
QUEUED_WAIT_S = 0.2

_OPS: dict[str, Callable[[sqlite3.Connection, dict[str, Any]], int]] = {
    "tag": _tag,
    "untag": _untag,
    "note": _note,
    "decide": _decide,
    "undo": _undo,
    "mark": _mark,
    "watch_add": _watch_add,
    "watch_rm": _watch_rm,
}


def _write(
    conn: sqlite3.Connection, entry: dict[str, Any], queued: list[str] | None = None
) -> int | None:
    """Apply a user's write in its own transaction, after what is queued before it;
    if another process keeps the store's write lock (a long import or fetch), append
    it to the queue instead and return None (its queued id added to `queued`)."""
    op = _OPS[entry["op"]]
    if conn.in_transaction:  # the caller's transaction: it has the lock
        return op(conn, entry)
    db = store_file(conn)
    if db is None:  # in memory: no other process
        with transaction(conn):
            return op(conn, entry)
    wait = QUEUED_WAIT_S if pending.has_entries(db) else USER_WAIT_S
    try:
        with transaction(conn, wait=wait):
            length = _apply_queue(conn, db)[1]
            result = op(conn, entry)
    except StoreBusyError:
        pid = pending.append(db, entry)
        if queued is not None:
            queued.append(pid)
        if flush_pending(conn, wait=0):  # the lock came free meanwhile: applied
            row = conn.execute("SELECT result FROM pending_applied WHERE id = ?", [pid]).fetchone()
            if row is not None:
                if queued:
                    queued.pop()
                return int(row[0] or 0)
        return None
    if length:
        pending.compact(db, length)
    return result


def apply_pending(conn: sqlite3.Connection) -> int:
    """Apply the queued writes inside the caller's write transaction (an import or a
    fetch, just before it commits); returns how many. The queue file is emptied by a
    later `flush_pending`, once this is committed."""
    db = store_file(conn)
    if db is None or not pending.has_entries(db):
        return 0
    return _apply_queue(conn, db)[0]


def flush_pending(conn: sqlite3.Connection, wait: float = USER_WAIT_S) -> int | None:
    """Apply the queued writes in a transaction of their own and empty the queue file;
    returns how many were applied, None if the store's write lock did not come within
    `wait` seconds (they stay queued)."""
    db = store_file(conn)
    if db is None or conn.in_transaction or not pending.has_entries(db):
        return 0
    try:
        with transaction(conn, wait=wait):
            applied, length = _apply_queue(conn, db)
    except StoreBusyError:
        return None
    pending.compact(db, length)
    return applied


def _apply_queue(conn: sqlite3.Connection, db: Path) -> tuple[int, int]:
    """Apply, in order, each queued write not applied yet, recording it as applied in
    the same transaction (so exactly once). A write that cannot be applied any more (its
    paper gone) is recorded too, with no result. Returns (applied, file length)."""
    if not pending.has_entries(db):
        return 0, 0
    entries, length = pending.read(db)
    done = _applied(conn, [e["id"] for e in entries])
    applied = 0
    now = now_iso()
    for entry in entries:
        if entry["id"] in done:
            continue
        result: int | None = None
        conn.execute("SAVEPOINT pending_write")
        try:
            result = _OPS[entry["op"]](conn, _current(conn, entry))
        except (PapertriageError, sqlite3.IntegrityError, KeyError, TypeError, ValueError):
            conn.execute("ROLLBACK TO pending_write")
        conn.execute("RELEASE pending_write")
        conn.execute(
            "INSERT OR IGNORE INTO pending_applied (id, op, result, applied) VALUES (?, ?, ?, ?)",
            [entry["id"], str(entry.get("op")), result, now],
        )
        done.add(entry["id"])
        applied += 1
    _prune_applied(conn, now, [e["id"] for e in entries])
    return applied, length


# How long the record of an applied queued write is kept: it only has to outlive the
# queue file's line (emptied right after the commit) and a triage session that may
# still undo a queued decision by its id.
KEEP_APPLIED_DAYS = 30


def _prune_applied(conn: sqlite3.Connection, now: str, in_file: list[str]) -> None:
    from datetime import datetime, timedelta

    cutoff = datetime.strptime(now, "%Y-%m-%dT%H:%M:%S.%fZ") - timedelta(days=KEEP_APPLIED_DAYS)
    conn.execute(
        "DELETE FROM pending_applied WHERE applied < ? "
        "AND id NOT IN (SELECT value FROM json_each(?))",
        [cutoff.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), json.dumps(in_file)],
    )


def apply_queue_to_copy(copy: sqlite3.Connection, source: Path) -> int:
    """Apply the source store's queued writes to a copy of it (`db backup` while an
    import holds the store): the copy then holds everything the user wrote, each write
    recorded as applied, so restoring it and applying the queue again adds nothing
    twice. Returns how many were applied."""
    if not pending.has_entries(source):
        return 0
    with transaction(copy):
        return _apply_queue(copy, source)[0]


def _applied(conn: sqlite3.Connection, wanted: list[str]) -> set[str]:
    out: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        out.update(
            r[0]
            for r in conn.execute(f"SELECT id FROM pending_applied WHERE id IN ({marks})", chunk)
        )
    return out


def _current(conn: sqlite3.Connection, entry: dict[str, Any]) -> dict[str, Any]:
    """The entry with its papers' ids as stored now (a dedupe may have merged one
    since it was queued); a paper no longer in the store is left out. A queued watch
    whose name was given to another watch meanwhile is kept under the first free
    ``NAME-2``, ``NAME-3``... (the user wrote it: it is not dropped); the very same
    watch queued twice is added once."""
    out = dict(entry)
    if entry.get("op") == "watch_add":
        out["watch"] = _free_name(conn, dict(entry["watch"]))
    if "paper" in entry:
        out["paper"] = resolve_id(conn, entry["paper"])
    if "ids" in entry:
        ids: dict[str, None] = {}
        for pid in entry["ids"]:
            try:
                ids[resolve_id(conn, pid)] = None
            except PapertriageError:
                continue
        out["ids"] = list(ids)
    return out


def _free_name(conn: sqlite3.Connection, w: dict[str, Any]) -> dict[str, Any]:
    base, n = w["name"], 1
    while True:
        row = conn.execute(
            "SELECT query, options, tag FROM watches WHERE name = ?", [w["name"]]
        ).fetchone()
        if row is None or tuple(row) == (w["query"], w["options"], w["tag"]):
            return w  # free, or this very watch (then _watch_add says it exists)
        n += 1
        w["name"] = f"{base}-{n}"


def queued(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The queued writes not applied yet, in order (reads say they are pending)."""
    db = store_file(conn)
    if db is None or not pending.has_entries(db):
        return []
    entries = pending.read(db)[0]
    try:
        done = _applied(conn, [e["id"] for e in entries])
    except sqlite3.OperationalError:  # a store from before pending_applied
        done = set()
    return [e for e in entries if e["id"] not in done]


def queued_decided(conn: sqlite3.Connection) -> set[str]:
    """Papers a queued write decides (keep/read/skip): out of the triage inbox."""
    out: set[str] = set()
    for entry in queued(conn):
        if entry.get("op") == "decide":
            out.add(str(entry.get("paper")))
        elif entry.get("op") == "mark" and entry.get("what") in DECISIONS:
            out.update(str(p) for p in entry.get("ids", ()))
        elif entry.get("op") == "mark":
            out.difference_update(str(p) for p in entry.get("ids", ()))
    return out


# -- the user's data in papertriage's own JSON export, and back -------------------------


def notes_and_decisions_for(
    conn: sqlite3.Connection, paper_ids: Iterable[str]
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Each paper's notes and decisions in force, oldest first, as the JSON export writes
    them: {"notes": [{"text", "created"}], "decisions": [{"decision", "created"}]}."""
    wanted = list(dict.fromkeys(paper_ids))
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for pid, text, created in conn.execute(
            f"SELECT paper_id, text, created FROM notes WHERE paper_id IN ({marks}) ORDER BY id",
            chunk,
        ):
            entry = out.setdefault(pid, {"notes": [], "decisions": []})
            entry["notes"].append({"text": text, "created": created})
        for pid, decision, created in conn.execute(
            f"SELECT paper_id, decision, created FROM decisions WHERE undone = 0 "
            f"AND paper_id IN ({marks}) ORDER BY id",
            chunk,
        ):
            entry = out.setdefault(pid, {"notes": [], "decisions": []})
            entry["decisions"].append({"decision": decision, "created": created})
    return out


def restore(conn: sqlite3.Connection, paper_id: str, data: dict[str, Any]) -> dict[str, int]:
    """Merge a paper's exported tags, notes and decisions (native.user_data) into the
    store, inside the caller's transaction, removing nothing: tags are added, a note is
    added unless the paper has the same text already, and decisions later than the
    paper's latest one are added in order (so its state is the latest decision either
    side made). Returns how many of each were added."""
    added = {"tags": 0, "notes": 0, "decisions": 0}
    now = now_iso()
    for tag in data.get("tags", ()):
        cur = conn.execute(
            "INSERT OR IGNORE INTO tags (paper_id, tag, created) VALUES (?, ?, ?)",
            [paper_id, tag, now],
        )
        added["tags"] += cur.rowcount
    for text, created in data.get("notes", ()):
        if not conn.execute(
            "SELECT 1 FROM notes WHERE paper_id = ? AND text = ?", [paper_id, text]
        ).fetchone():
            conn.execute(
                "INSERT INTO notes (paper_id, text, created) VALUES (?, ?, ?)",
                [paper_id, text, created or now],
            )
            added["notes"] += 1
    decisions = data.get("decisions", ())
    if decisions:
        row = conn.execute(
            "SELECT max(coalesce(created, '')) FROM decisions WHERE paper_id = ?", [paper_id]
        ).fetchone()
        latest = row[0] if row and row[0] is not None else None
        for decision, created in decisions:
            if latest is None or (created or "") > latest:
                conn.execute(
                    "INSERT INTO decisions (paper_id, decision, created) VALUES (?, ?, ?)",
                    [paper_id, decision, created or now],
                )
                added["decisions"] += 1
    return added
