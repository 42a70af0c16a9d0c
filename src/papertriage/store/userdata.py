"""What the user writes about papers: tags, notes and triage decisions.

All of it is keyed by the stored (bare arXiv) id, in tables imports never write, so it
survives re-imports, new versions and merges (ingest.move_user_data follows a merge).
A paper's triage state is its latest decision that is not undone; `unread` undoes them
all, which puts the paper back in the triage queue. Every write is one transaction.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from typing import Any

from .. import ids
from ..errors import PapertriageError, TagError
from ..text import now_iso, scrub
from .db import transaction
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


def add_tags(conn: sqlite3.Connection, paper_ids: list[str], tags: list[str]) -> int:
    """Tag every paper with every tag; returns how many (paper, tag) pairs are new."""
    names = [check_tag(t) for t in tags]
    now = now_iso()
    added = 0
    with transaction(conn):
        for pid in paper_ids:
            for name in names:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO tags (paper_id, tag, created) VALUES (?, ?, ?)",
                    [pid, name, now],
                )
                added += cur.rowcount
    return added


def remove_tags(conn: sqlite3.Connection, paper_ids: list[str], tags: list[str]) -> int:
    """Remove the tags from the papers; returns how many (paper, tag) pairs went."""
    removed = 0
    with transaction(conn):
        for pid in paper_ids:
            for tag in tags:
                cur = conn.execute(
                    "DELETE FROM tags WHERE paper_id = ? AND tag = ?", [pid, tag.strip()]
                )
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


def add_note(conn: sqlite3.Connection, paper_id: str, text: str) -> int:
    """Store a note (control characters removed, lines and tabs kept); returns its id.
    Empty text is refused."""
    body = scrub(text).strip()
    if not body:
        raise PapertriageError("empty note: nothing added")
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO notes (paper_id, text, created) VALUES (?, ?, ?)",
            [paper_id, body, now_iso()],
        )
    return int(cur.lastrowid or 0)


def note_count(conn: sqlite3.Connection, paper_id: str) -> int:
    return int(
        conn.execute("SELECT count(*) FROM notes WHERE paper_id = ?", [paper_id]).fetchone()[0]
    )


def decide(conn: sqlite3.Connection, paper_id: str, decision: str) -> int:
    """Record a triage decision (keep/read/skip); returns the decision's id."""
    if decision not in DECISIONS:
        raise PapertriageError(f"unknown decision {decision!r}: one of {', '.join(DECISIONS)}")
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO decisions (paper_id, decision, created) VALUES (?, ?, ?)",
            [paper_id, decision, now_iso()],
        )
    return int(cur.lastrowid or 0)


def undo(conn: sqlite3.Connection, decision_id: int) -> bool:
    """Mark one decision undone; False if it was already undone or does not exist."""
    with transaction(conn):
        cur = conn.execute(
            "UPDATE decisions SET undone = 1 WHERE id = ? AND undone = 0", [decision_id]
        )
    return cur.rowcount == 1


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


def mark(conn: sqlite3.Connection, paper_ids: list[str], what: str) -> int:
    """Set the triage state of papers: keep/read/skip, or unread to clear it.
    Returns how many papers changed state."""
    if what not in MARKS:
        raise PapertriageError(f"unknown mark {what!r}: one of {', '.join(MARKS)}")
    changed = 0
    now = now_iso()
    with transaction(conn):
        for pid in paper_ids:
            before = state(conn, pid)
            if what == "unread":
                conn.execute(
                    "UPDATE decisions SET undone = 1 WHERE paper_id = ? AND undone = 0", [pid]
                )
            elif before != what:
                conn.execute(
                    "INSERT INTO decisions (paper_id, decision, created) VALUES (?, ?, ?)",
                    [pid, what, now],
                )
            changed += before != (None if what == "unread" else what)
    return changed


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
