"""Writing papers into the store with the merge rules.

The same paper from several sources or versions is one row:
- versioned arXiv metadata (API, RSS, OAI, Kaggle) beats unversioned copies (Hugging
  Face), and a newer version replaces an older one; anything else only fills gaps;
- a pasted page (hf-page) is the least trusted: it fills gaps, or continues a text it
  holds more of, and never replaces a text with a shorter one;
- Hugging Face signals (upvotes, stars, AI summary...) take the newest reading: the one
  of the latest listing day or fetch time (``hf_as_of``), whatever the order of arrival;
  on the same day the one with more upvotes (then comments, stars: they only grow); an
  older reading only fills gaps;
- first version date is the earliest seen, latest version date the latest seen;
- a provisional (title-only) paper is folded into the real one when its title
  arrives with an arXiv id; its id is kept as an alias and the user's data moves.
User tables (tags, notes, decisions) are never written here except to follow a merge,
or to merge in what papertriage's own JSON export carries (userdata.restore: adds,
never removes).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .. import ids
from ..models import (
    ALL_COLUMNS,
    ARXIV_FIELDS,
    BOOKKEEPING,
    HF_FIELDS,
    LIST_FIELDS,
    SKIPPED,
    Paper,
    paper_to_row,
)
from ..text import now_iso, scrub, title_key

if TYPE_CHECKING:
    from .bulkload import DeferredIndex

USER_TABLES = ("tags", "notes", "decisions", "watches", "watch_matches", "digest_shown")
_INSERT_SQL = "INSERT INTO papers ({}) VALUES ({})".format(
    ", ".join(ALL_COLUMNS), ", ".join("?" for _ in ALL_COLUMNS)
)
_SIGHTING_SQL = """
INSERT INTO sightings (paper_id, source, origin, announce_type, first_seen, last_seen, raw)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (paper_id, source) DO UPDATE SET
    origin = excluded.origin, announce_type = excluded.announce_type,
    last_seen = excluded.last_seen, raw = excluded.raw
"""
FUZZY_TITLE_CUTOFF = 95.0
# new_ids keeps the first ones only: a 2.7M-paper import must not hold them all.
NEW_IDS_KEPT = 10_000


class Ingest:
    """Merges batches of papers into the store inside the caller's transaction."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        run_id: int | None = None,
        keep_raw: bool = True,
        index: DeferredIndex | None = None,
    ):
        self.conn = conn
        self.run_id = run_id
        self.keep_raw = keep_raw
        self.index = index  # started by the caller: new rows are indexed after each batch
        self.counts: Counter[str] = Counter()
        self.new_ids: list[str] = []  # the first NEW_IDS_KEPT
        self.sources: set[str] = set()
        self.skipped: list[str] = []  # why papers were skipped (the first few)
        self._now = now_iso()
        self._has_provisional = self._exists("SELECT 1 FROM papers WHERE id LIKE 'prov:%' LIMIT 1")
        self._has_aliases = self._exists("SELECT 1 FROM aliases LIMIT 1")

    def _exists(self, sql: str) -> bool:
        return self.conn.execute(sql).fetchone() is not None

    def add(self, papers: Iterable[Paper]) -> None:
        batch = [self._resolve(p) for p in self._kept(papers)]
        self.sources.update(p.source for p in batch)
        self.counts["read"] += len(batch)
        existing = self._load({p.id for p in batch})
        inserts: dict[str, dict[str, Any]] = {}
        merged_ids: set[str] = set()
        for paper in batch:
            old = existing.get(paper.id)
            if old is None and paper.id in inserts:
                inserts[paper.id] = merge_rows(inserts[paper.id], paper)
                merged_ids.add(paper.id)
                continue
            if old is None:
                inserts[paper.id] = self._fresh_row(paper)
                continue
            merged = merge_rows(old, paper)
            changed = {k: v for k, v in merged.items() if k not in BOOKKEEPING and old.get(k) != v}
            merged["last_seen"], merged["last_run"] = self._now, self.run_id
            if changed:
                self._update(paper.id, {**changed, "last_seen": self._now, "last_run": self.run_id})
                # a newer reading that changes nothing the user sees is not an update
                self.counts["updated" if changed.keys() - {"hf_as_of"} else "unchanged"] += 1
            else:
                self.conn.execute(
                    "UPDATE papers SET last_seen = ?, last_run = ? WHERE id = ?",
                    [self._now, self.run_id, paper.id],
                )
                self.counts["unchanged"] += 1
            existing[paper.id] = merged
            merged_ids.add(paper.id)
        if inserts:
            self.conn.executemany(
                _INSERT_SQL, [[r[c] for c in ALL_COLUMNS] for r in inserts.values()]
            )
            if self.index:
                self.index.catch_up()
            self.counts["new"] += len(inserts)
            room = NEW_IDS_KEPT - len(self.new_ids)
            if room > 0:
                self.new_ids.extend(list(inserts)[:room])
            if self._has_provisional is False and any(ids.is_provisional(i) for i in inserts):
                self._has_provisional = True
        final = {i: existing.get(i) or inserts[i] for i in merged_ids}
        self._record_sightings(batch, final)
        for p in batch:
            if p.source == "papertriage" and isinstance(p.raw, dict):
                from .userdata import restore

                self.counts.update(restore(self.conn, p.id, p.raw))

    def _kept(self, papers: Iterable[Paper]) -> Iterator[Paper]:
        """The papers to store; the ones a parser marked skipped are counted and kept
        apart (read, but never merged), with the reason in `skipped`."""
        for p in papers:
            if p.source == "hf-page" and isinstance(p.raw, dict) and SKIPPED in p.raw:
                self.counts["skipped"] += 1
                self.counts["read"] += 1
                if len(self.skipped) < 10:
                    self.skipped.append(f"{p.title!r}: {p.raw[SKIPPED]}")
                continue
            yield p

    # -- identity -----------------------------------------------------------------

    def _resolve(self, paper: Paper) -> Paper:
        """Map a paper onto the row it belongs to (aliases, provisional merges)."""
        if self._has_aliases:
            row = self.conn.execute(
                "SELECT paper_id FROM aliases WHERE alias = ?", [paper.id]
            ).fetchone()
            if row:
                paper = paper.with_(id=row[0])
        if ids.is_provisional(paper.id):
            match = self._title_match(title_key(paper.title), provisional_only=False)
            return paper.with_(id=match) if match else paper
        key = title_key(paper.title) if self._has_provisional else ""
        if key:
            prov = self._title_match(key, provisional_only=True)
            if prov and not self._exists_id(paper.id):
                self.rekey(prov, paper.id)
                self.counts["merged"] += 1
        return paper

    def _exists_id(self, paper_id: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM papers WHERE id = ?", [paper_id]).fetchone()
            is not None
        )

    def _title_match(self, key: str, provisional_only: bool) -> str | None:
        if not key:
            return None
        extra = " AND id LIKE 'prov:%'" if provisional_only else ""
        row = self.conn.execute(
            f"SELECT id FROM papers WHERE title_key = ?{extra} ORDER BY id LIKE 'prov:%' LIMIT 1",
            [key],
        ).fetchone()
        if row:
            return str(row[0])
        # Near-identical titles (a typo fixed between versions, a stray symbol): compare
        # against titles sharing the first word, with rapidfuzz.
        from rapidfuzz import fuzz, process

        first = key.split(" ", 1)[0]
        rows = self.conn.execute(
            f"SELECT id, title_key FROM papers WHERE title_key >= ? AND title_key < ?{extra} LIMIT 5000",
            [first, first + "\uffff"],
        ).fetchall()
        best = process.extractOne(
            key, {r[0]: r[1] for r in rows}, scorer=fuzz.ratio, score_cutoff=FUZZY_TITLE_CUTOFF
        )
        return best[2] if best else None

    def rekey(self, old_id: str, new_id: str) -> None:
        """Give paper old_id the id new_id, moving the user's data and keeping an alias."""
        self.conn.execute("UPDATE papers SET id = ? WHERE id = ?", [new_id, old_id])
        move_user_data(self.conn, old_id, new_id)
        self.conn.execute(
            "UPDATE OR REPLACE sightings SET paper_id = ? WHERE paper_id = ?", [new_id, old_id]
        )
        add_alias(self.conn, old_id, new_id)
        self._has_aliases = True

    # -- rows -----------------------------------------------------------------------

    def _load(self, wanted: set[str]) -> dict[str, dict[str, Any]]:
        if not wanted:
            return {}
        out: dict[str, dict[str, Any]] = {}
        keys = list(wanted)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            sql = "SELECT {} FROM papers WHERE id IN ({})".format(
                ", ".join(ALL_COLUMNS), ", ".join("?" for _ in chunk)
            )
            for row in self.conn.execute(sql, chunk):
                out[row["id"]] = dict(row)
        return out

    def _fresh_row(self, paper: Paper) -> dict[str, Any]:
        row = paper_to_row(paper)
        row["title_key"] = title_key(paper.title)
        row["authors_text"] = ", ".join(paper.authors) or None
        row.update(
            first_seen=self._now, last_seen=self._now, first_run=self.run_id, last_run=self.run_id
        )
        return row

    def _update(self, paper_id: str, changes: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = ?" for k in changes)
        self.conn.execute(f"UPDATE papers SET {sets} WHERE id = ?", [*changes.values(), paper_id])

    def _record_sightings(self, batch: list[Paper], final: dict[str, dict[str, Any]]) -> None:
        """`final`: the rows of papers that were merged with something, as they ended up."""
        rows = []
        for p in batch:
            raw = p.raw
            if p.source == "kaggle" and isinstance(raw, dict) and p.id in final:
                from ..sources.kaggle import keep_differing

                raw = keep_differing(raw, p, final[p.id])
            if p.source == "papertriage":
                raw = None  # the user data it carried went to the user tables
            elif not (isinstance(raw, str) or raw is None):
                raw = json.dumps(raw, ensure_ascii=False)
            rows.append(
                [
                    p.id,
                    p.source,
                    p.origin,
                    p.announce_type,
                    self._now,
                    self._now,
                    raw if self.keep_raw else None,
                ]
            )
        try:
            self.conn.executemany(_SIGHTING_SQL, rows)
        except UnicodeEncodeError:  # a lone surrogate in a raw record (or a file name)
            rows = [[scrub(v) if isinstance(v, str) else v for v in row] for row in rows]
            self.conn.executemany(_SIGHTING_SQL, rows)


def merge_rows(old: dict[str, Any], paper: Paper) -> dict[str, Any]:
    """The row after merging one more sighting of the same paper into it."""
    new = paper_to_row(paper)
    out = dict(old)
    authoritative = paper.version is not None and (
        old.get("version") is None or paper.version >= old["version"]
    )
    if old.get("version") is None and paper.version is None:
        authoritative = True
    if paper.source == "hf-page":  # a pasted page: the least trusted, and often cut off
        for name in ARXIV_FIELDS:
            if new[name] is not None and (old.get(name) is None or _extends(new[name], old[name])):
                out[name] = new[name]
    else:
        for name in ARXIV_FIELDS:
            if new[name] is not None and (authoritative or old.get(name) is None):
                out[name] = new[name]
    if any(new[name] is not None for name in HF_FIELDS):
        newer = hf_reading_newer(new, old)
        for name in HF_FIELDS:
            if new[name] is not None and (newer or old.get(name) is None):
                out[name] = new[name]
        if newer:
            out["hf_as_of"] = new["hf_as_of"] or old.get("hf_as_of")
    if paper.version is not None:
        out["version"] = max(paper.version, old.get("version") or 0)
    for name in ("published", "hf_featured"):
        values = [v for v in (old.get(name), new[name]) if v]
        out[name] = min(values) if values else None
    values = [v for v in (old.get("updated"), new["updated"]) if v]
    out["updated"] = max(values) if values else None
    if new["code_url"] and not old.get("code_url"):
        out["code_url"] = new["code_url"]
    out["title_key"] = title_key(out.get("title"))
    authors = json.loads(out["authors"]) if out.get("authors") else []
    out["authors_text"] = ", ".join(authors) or None
    return out


def _extends(new: Any, old: Any) -> bool:
    """`new` is `old` continued (a fuller copy of a text a paste had cut off)."""
    return (
        isinstance(new, str)
        and isinstance(old, str)
        and len(new) > len(old)
        and new.startswith(old)
    )


def hf_reading_newer(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """True when row `new` holds a newer Hugging Face reading than row `old`: a later
    listing day or fetch time (an undated reading is older than any dated one), and on
    the same day more upvotes, then more comments, then more stars."""
    return _hf_key(new) > _hf_key(old)


def _hf_key(row: dict[str, Any]) -> tuple[str, int, int, int]:
    def count(name: str) -> int:
        value = row.get(name)
        return value if isinstance(value, int) else -1

    return (
        row.get("hf_as_of") or "",
        count("hf_upvotes"),
        count("hf_comments"),
        count("github_stars"),
    )


def move_user_data(conn: sqlite3.Connection, old_id: str, new_id: str) -> None:
    """Re-key tags, notes, decisions, watch matches and digest marks from one paper to
    another (a merge)."""
    conn.execute("UPDATE OR IGNORE tags SET paper_id = ? WHERE paper_id = ?", [new_id, old_id])
    conn.execute("DELETE FROM tags WHERE paper_id = ?", [old_id])
    for table in ("notes", "decisions"):
        conn.execute(f"UPDATE {table} SET paper_id = ? WHERE paper_id = ?", [new_id, old_id])
    for table in ("watch_matches", "digest_shown"):  # keyed with the paper: keep one row
        conn.execute(
            f"UPDATE OR IGNORE {table} SET paper_id = ? WHERE paper_id = ?", [new_id, old_id]
        )
        conn.execute(f"DELETE FROM {table} WHERE paper_id = ?", [old_id])


def add_alias(conn: sqlite3.Connection, alias: str, paper_id: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO aliases (alias, paper_id, merged_at) VALUES (?, ?, ?)",
        [alias, paper_id, now_iso()],
    )
    conn.execute("UPDATE aliases SET paper_id = ? WHERE paper_id = ?", [paper_id, alias])


__all__ = ["Ingest", "merge_rows", "hf_reading_newer", "move_user_data", "add_alias", "LIST_FIELDS"]
