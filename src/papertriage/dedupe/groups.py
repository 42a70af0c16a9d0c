"""Finding records that are the same paper, and merging them into one.

Candidates are pairs whose normalized titles (text.title_key: case, punctuation,
LaTeX and hyphenation folded) are equal, or nearly equal (rapidfuzz ratio >= 93)
between neighbours when all titles are sorted forwards and by their reversed text
(a sorted-neighbourhood pass: a 1M-paper store is not compared pair by pair).
A candidate pair is the same paper only with more evidence than its title:
- if both list authors, at least one author in common (initials and accents allowed),
  and for two real arXiv ids, published within a year of each other;
- if one has no authors (a title-only record from a pasted page), published within
  60 days of each other, or no date to contradict an identical, specific title;
- a generic title ("Introduction", "Erratum", two words or fewer) needs shared authors;
- nearly equal titles that differ by a number, a word like "II", "erratum" or
  "reply", or a word replaced by an unlike one are different papers (Part I / Part
  II; "... for DNA Screening" / "... for Genetic Screening").
The survivor of a group is a real arXiv id before a provisional one, then the most
complete record, then the first seen. Merging keeps every tag, note, decision and
sighting on the survivor, fills its empty fields from the others, and keeps the
merged ids as aliases (so `show OLD_ID` still works).
"""

from __future__ import annotations

import json
import sqlite3
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import ids
from ..find.authors import matches, tokens
from ..models import HF_FIELDS, PAPER_COLUMNS
from ..store.db import snapshot
from ..store.ingest import add_alias, hf_reading_newer, move_user_data

NEAR_TITLE = 93.0
WINDOW = 3  # neighbours compared on each side in each sort order
CLOSE_DAYS = 60
SAME_YEAR = 365
GENERIC = {
    "introduction", "erratum", "errata", "corrigendum", "addendum", "preface", "foreword",
    "editorial", "reply", "comment", "comments", "discussion", "rejoinder", "index",
    "contents", "obituary", "book review", "acknowledgments", "acknowledgements",
    "conclusion", "conclusions", "summary", "abstract", "untitled", "notes", "preliminaries",
}  # fmt: skip
_DISTINCT = GENERIC | {"part", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
_COLUMNS = (
    "pk", *PAPER_COLUMNS, "title_key", "authors_text", "first_seen", "last_seen", "first_run", "last_run",
)  # fmt: skip


@dataclass
class Group:
    survivor: dict[str, Any]
    merged: list[dict[str, Any]]
    reasons: list[str] = field(default_factory=list)  # one per merged record

    def to_dict(self) -> dict[str, Any]:
        return {
            "survivor": {"id": self.survivor["id"], "title": self.survivor["title"]},
            "merged": [
                {"id": m["id"], "title": m["title"], "why": why}
                for m, why in zip(self.merged, self.reasons, strict=True)
            ],
        }


def find_groups(conn: sqlite3.Connection) -> list[Group]:
    """Groups of records that are the same paper, survivor first; nothing is changed.

    Memory stays flat with the store's size: SQLite sorts and groups the title keys and
    hands them over as a stream, candidate pairs are judged as they come, and only the
    records of pairs judged the same paper are kept (and then read in full)."""
    parent: dict[int, int] = {}
    why: dict[tuple[int, int], str] = {}
    with snapshot(conn):
        for a, b in candidate_rows(conn):
            reason = same_paper(a, b)
            if reason:
                why[(a["pk"], b["pk"])] = reason
                _union(parent, a["pk"], b["pk"])
        rows = _rows(conn, set(parent))
    why = dict(sorted(why.items()))  # _reason_for falls back to the first pair in pk order
    members: dict[int, list[int]] = {}
    for pk in parent:
        members.setdefault(_find(parent, pk), []).append(pk)
    groups = []
    for pks in members.values():
        recs = sorted((rows[pk] for pk in pks), key=_survivor_order)
        survivor, rest = recs[0], recs[1:]
        reasons = [_reason_for(why, survivor["pk"], r["pk"], pks) for r in rest]
        groups.append(Group(survivor, rest, reasons))
    return sorted(groups, key=lambda g: g.survivor["id"])


# What same_paper reads of a record: candidates are judged on these columns alone, so
# a big group of equal titles does not bring its abstracts into memory.
_EVIDENCE = "pk, id, title_key, authors, published"
_REVERSED = "papertriage_reversed"
# Each statement walks idx_papers_title_key (one entry per paper, in key order); the
# reversed order goes through SQLite's sorter, which spills to temporary files.
_EXACT = "SELECT title_key FROM papers WHERE title_key > '' GROUP BY title_key HAVING count(*) > 1"
_FORWARD = "SELECT DISTINCT title_key FROM papers WHERE title_key > '' ORDER BY title_key"
_BACKWARD = f"""
SELECT key, rank FROM (
    SELECT title_key AS key, row_number() OVER (ORDER BY title_key) AS rank
    FROM papers WHERE title_key > '' GROUP BY title_key
) ORDER BY {_REVERSED}(key)
"""


def candidate_rows(conn: sqlite3.Connection) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every candidate pair once, as two records (lower pk first) holding _EVIDENCE:
    records with equal title keys, and records whose keys are near neighbours (within
    WINDOW) when the distinct keys are sorted forwards or by their reversed text."""
    for key, other in _candidate_keys(conn):
        mine = _evidence(conn, key)
        if key == other:
            for i, a in enumerate(mine):
                yield from ((a, b) for b in mine[i + 1 :])
            continue
        theirs = _evidence(conn, other)
        for a in mine:
            yield from ((a, b) if a["pk"] < b["pk"] else (b, a) for b in theirs)


def _candidate_keys(conn: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    """(key, key) for each title key of several records, then (key, other) for each pair
    of nearly equal keys, each pair once."""
    yield from ((key, key) for (key,) in conn.execute(_EXACT))
    yield from _neighbours((key, rank) for rank, (key,) in enumerate(conn.execute(_FORWARD)))
    # (Python 3.11 cannot unregister it; it stays on the connection, pure and harmless.)
    conn.create_function(_REVERSED, 1, _reversed, deterministic=True)
    backward = conn.execute(_BACKWARD)
    try:
        # keys within WINDOW of each other in forward order were compared already
        yield from _neighbours(backward, seen_within=WINDOW)
    finally:
        backward.close()  # a stream stopped early leaves no statement running


def _reversed(key: str) -> str:
    return key[::-1]


def _neighbours(
    ordered: Iterable[tuple[str, int]], seen_within: int = 0
) -> Iterator[tuple[str, str]]:
    """Nearly equal keys among each key's WINDOW predecessors in a stream of distinct
    (key, forward rank), earlier key first. Pairs at most seen_within apart in forward
    rank are left out."""
    from rapidfuzz import fuzz

    window: deque[tuple[str, int]] = deque(maxlen=WINDOW)
    for key, rank in ordered:
        for prev, prev_rank in window:
            if (
                abs(rank - prev_rank) > seen_within
                and fuzz.ratio(prev, key, score_cutoff=NEAR_TITLE)
                and not _distinct(prev, key)
            ):
                yield prev, key
        window.append((key, rank))


def _evidence(conn: sqlite3.Connection, key: str) -> list[dict[str, Any]]:
    sql = f"SELECT {_EVIDENCE} FROM papers WHERE title_key = ? ORDER BY pk"
    return [dict(r) for r in conn.execute(sql, [key])]


def _distinct(a: str, b: str) -> bool:
    """Titles that differ by more than spelling: a number, a part numeral, a word like
    erratum, or a word replaced by another (DNA screening / genetic screening)."""
    from rapidfuzz import fuzz

    only_a, only_b = set(a.split()) - set(b.split()), set(b.split()) - set(a.split())
    if any(w.isdigit() or w in _DISTINCT for w in only_a | only_b):
        return True
    for mine, theirs in ((only_a, only_b), (only_b, only_a)):
        for w in mine:
            if len(w) > 3 and not any(fuzz.ratio(w, t) >= 75 for t in theirs):
                return True
    return False


def _rows(conn: sqlite3.Connection, pks: set[int]) -> dict[int, dict[str, Any]]:
    if not pks:
        return {}
    sql = f"SELECT {', '.join(_COLUMNS)} FROM papers WHERE pk IN (SELECT value FROM json_each(?))"
    return {r["pk"]: dict(r) for r in conn.execute(sql, [json.dumps(sorted(pks))])}


def same_paper(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """Why two records with (nearly) the same title are one paper, or None if not sure."""
    exact = a["title_key"] == b["title_key"]
    title = "same title" if exact else "nearly the same title"
    generic = _generic(a["title_key"])
    names_a, names_b = _authors(a), _authors(b)
    days = _days_apart(a.get("published"), b.get("published"))
    if names_a and names_b:
        shared = shared_authors(names_a, names_b)
        if not shared:
            return None
        both_real = not ids.is_provisional(a["id"]) and not ids.is_provisional(b["id"])
        if both_real and days is not None and days > SAME_YEAR:
            return None  # two arXiv submissions years apart: a new paper, not a copy
        return f"{title}, {shared} shared author{'s' if shared > 1 else ''}"
    if generic:
        return None
    if days is not None:
        return f"{title}, published {days} days apart" if days <= CLOSE_DAYS else None
    return (
        f"{title}, nothing contradicts it" if exact and len(a["title_key"].split()) >= 4 else None
    )


def _generic(key: str) -> bool:
    return len(key.split()) <= 2 or key in GENERIC or key.split()[0] in GENERIC


def _authors(row: dict[str, Any]) -> list[list[str]]:
    names = json.loads(row["authors"]) if row.get("authors") else []
    return [t for t in (tokens(n) for n in names) if t]


def shared_authors(a: list[list[str]], b: list[list[str]]) -> int:
    """How many authors of a also appear in b (Y. LeCun == Yann LeCun)."""
    n = 0
    for x in a:
        if any(matches(x, y) if len(x) <= len(y) else matches(y, x) for y in b):
            n += 1
    return n


def _days_apart(x: str | None, y: str | None) -> int | None:
    if not x or not y:
        return None
    try:
        return abs((date.fromisoformat(x) - date.fromisoformat(y)).days)
    except ValueError:
        return None


def _survivor_order(row: dict[str, Any]) -> tuple[Any, ...]:
    filled = sum(row.get(c) not in (None, "", "[]") for c in PAPER_COLUMNS)
    return (ids.is_provisional(row["id"]), -filled, row.get("first_seen") or "", row["id"])


def _reason_for(why: dict[tuple[int, int], str], s: int, m: int, pks: list[int]) -> str:
    direct = why.get((min(s, m), max(s, m)))
    if direct:
        return direct
    return next(r for (a, b), r in why.items() if m in (a, b))


def _union(parent: dict[int, int], a: int, b: int) -> None:
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)


def _find(parent: dict[int, int], x: int) -> int:
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


# -- merging --------------------------------------------------------------------------


def merge_group(conn: sqlite3.Connection, group: Group) -> None:
    """Fold every merged record into the survivor (inside the caller's transaction)."""
    keep = dict(group.survivor)
    for other in group.merged:
        keep = combined(keep, other)
        move_user_data(conn, other["id"], keep["id"])
        conn.execute(
            "UPDATE OR IGNORE sightings SET paper_id = ? WHERE paper_id = ?",
            [keep["id"], other["id"]],
        )
        conn.execute("DELETE FROM sightings WHERE paper_id = ?", [other["id"]])
        conn.execute("DELETE FROM papers WHERE pk = ?", [other["pk"]])
        add_alias(conn, other["id"], keep["id"])
    changes = {k: v for k, v in keep.items() if group.survivor.get(k) != v and k != "pk"}
    if changes:
        sets = ", ".join(f"{k} = ?" for k in changes)
        conn.execute(f"UPDATE papers SET {sets} WHERE pk = ?", [*changes.values(), keep["pk"]])


def combined(keep: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The survivor's row with the gaps filled from another record of the same paper."""
    out = dict(keep)
    newer = hf_reading_newer(other, keep)
    for name in PAPER_COLUMNS:
        if name == "id" or other.get(name) in (None, "", "[]"):
            continue
        if out.get(name) in (None, "", "[]") or (newer and name in (*HF_FIELDS, "hf_as_of")):
            out[name] = other[name]
    for name, pick in (("published", min), ("hf_featured", min), ("updated", max)):
        values = [v for v in (keep.get(name), other.get(name)) if v]
        out[name] = pick(values) if values else None
    for name, pick in (("first_seen", min), ("last_seen", max)):
        values = [v for v in (keep.get(name), other.get(name)) if v]
        out[name] = pick(values) if values else None
    if out["first_seen"] != keep.get("first_seen"):
        out["first_run"] = other.get("first_run")
    if out["last_seen"] != keep.get("last_seen"):
        out["last_run"] = other.get("last_run")
    authors = json.loads(out["authors"]) if out.get("authors") else []
    out["authors_text"] = ", ".join(authors) or None
    return out
