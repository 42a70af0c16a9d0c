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
from typing import TYPE_CHECKING, Any, Final

from .. import ids
from ..models import (
    ALL_COLUMNS,
    ARXIV_FIELDS,
    BOOKKEEPING,
    HF_FIELDS,
    LIST_FIELDS,
    PAPER_COLUMNS,
    SKIPPED,
    Paper,
    paper_to_row,
    paper_values,
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


# A paper ready to write (``prepare``): its row as the papers table takes it when new
# (the PAPER_COLUMNS, title_key, authors_text), where it was seen, its raw item as the
# sighting stores it, and what the merge itself still reads of the raw item (the user
# data of papertriage's own export, a pasted page's skip mark), else None. Plain tuples:
# a parsing process builds them and pickles them to the writing one (importer/parallel).
Entry = tuple[tuple[Any, ...], str, str | None, str | None, str | None, Any]
_ROW: Final = 0
_SOURCE: Final = 1
_ORIGIN: Final = 2
_ANNOUNCE: Final = 3
_RAW: Final = 4
_KEEP: Final = 5
_ID = PAPER_COLUMNS.index("id")
_TITLE = PAPER_COLUMNS.index("title")
_TITLE_KEY = len(PAPER_COLUMNS)
_ROW_COLUMNS = (*PAPER_COLUMNS, "title_key", "authors_text")


class Prepared(list[Entry]):
    """A batch of papers already turned into rows (``prepare``)."""


def prepare(papers: Iterable[Paper]) -> Prepared:
    """Each paper's row, sighting and raw text, computed once (in the parsing process
    of a big import: the writing process is left SQLite's work)."""
    out = Prepared()
    for p in papers:
        values = paper_values(p)
        values.append(title_key(p.title))
        values.append(", ".join(p.authors) or None)
        keep = p.raw if p.source in ("papertriage", "hf-page") else None
        raw = None if p.source == "papertriage" else raw_text(p.source, p.raw)
        out.append((tuple(values), p.source, p.origin, p.announce_type, raw, keep))
    return out


def raw_text(source: str, raw: Any) -> str | None:
    """A raw item as its sighting stores it: text as given, anything else as compact
    JSON (a Kaggle record also without what the paper's row holds: kaggle_raw.compact)."""
    if raw is None or isinstance(raw, str):
        return raw
    if source == "kaggle" and isinstance(raw, dict):
        from ..sources.kaggle_raw import compact

        raw = compact(raw)
    return dump_json(raw)


def dump_json(value: Any) -> str:
    """Compact JSON, UTF-8 as it is (orjson; json for what orjson refuses to write)."""
    import orjson

    try:
        return orjson.dumps(value).decode()
    except TypeError:  # a lone surrogate, an integer past 64 bits (orjson.JSONEncodeError)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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

    def add(self, papers: Iterable[Paper] | Prepared) -> None:
        """Merge a batch: papers, or the rows ``prepare`` made of them."""
        entries = papers if isinstance(papers, Prepared) else prepare(papers)
        batch = [self._resolve(e) for e in self._kept(entries)]
        self.sources.update(e[_SOURCE] for e in batch)
        self.counts["read"] += len(batch)
        existing = self._load({e[_ROW][_ID] for e in batch})
        inserts: dict[str, tuple[Any, ...] | dict[str, Any]] = {}
        merged_ids: set[str] = set()
        bookkeeping = (self._now, self._now, self.run_id, self.run_id)
        for entry in batch:
            row = entry[_ROW]
            pid = row[_ID]
            old = existing.get(pid)
            if old is None and pid in inserts:
                first = inserts[pid]
                if isinstance(first, tuple):
                    first = dict(zip(ALL_COLUMNS, first, strict=True))
                inserts[pid] = _merge(first, _new_row(entry), entry[_SOURCE])
                merged_ids.add(pid)
                continue
            if old is None:
                inserts[pid] = row + bookkeeping
                continue
            merged = _merge(old, _new_row(entry), entry[_SOURCE])
            changed = {k: v for k, v in merged.items() if k not in BOOKKEEPING and old.get(k) != v}
            merged["last_seen"], merged["last_run"] = self._now, self.run_id
            if changed:
                self._update(pid, {**changed, "last_seen": self._now, "last_run": self.run_id})
                # a newer reading that changes nothing the user sees is not an update
                self.counts["updated" if changed.keys() - {"hf_as_of"} else "unchanged"] += 1
            else:
                self.conn.execute(
                    "UPDATE papers SET last_seen = ?, last_run = ? WHERE id = ?",
                    [self._now, self.run_id, pid],
                )
                self.counts["unchanged"] += 1
            existing[pid] = merged
            merged_ids.add(pid)
        if inserts:
            self.conn.executemany(
                _INSERT_SQL,
                [
                    r if isinstance(r, tuple) else [r[c] for c in ALL_COLUMNS]
                    for r in inserts.values()
                ],
            )
            if self.index:
                self.index.catch_up()
            self.counts["new"] += len(inserts)
            room = NEW_IDS_KEPT - len(self.new_ids)
            if room > 0:
                self.new_ids.extend(list(inserts)[:room])
            if self._has_provisional is False and any(ids.is_provisional(i) for i in inserts):
                self._has_provisional = True
        final = {i: _as_dict(existing.get(i) or inserts[i]) for i in merged_ids}
        self._record_sightings(batch, final)
        for e in batch:
            if e[_SOURCE] == "papertriage" and isinstance(e[_KEEP], dict):
                from .userdata import restore

                self.counts.update(restore(self.conn, e[_ROW][_ID], e[_KEEP]))

    def _kept(self, entries: Iterable[Entry]) -> Iterator[Entry]:
        """The papers to store; the ones a parser marked skipped are counted and kept
        apart (read, but never merged), with the reason in `skipped`."""
        for e in entries:
            keep = e[_KEEP]
            if e[_SOURCE] == "hf-page" and isinstance(keep, dict) and SKIPPED in keep:
                self.counts["skipped"] += 1
                self.counts["read"] += 1
                if len(self.skipped) < 10:
                    self.skipped.append(f"{e[_ROW][_TITLE]!r}: {keep[SKIPPED]}")
                continue
            yield e

    # -- identity -----------------------------------------------------------------

    def _resolve(self, entry: Entry) -> Entry:
        """Map a paper onto the row it belongs to (aliases, provisional merges)."""
        pid = entry[_ROW][_ID]
        if self._has_aliases:
            row = self.conn.execute(
                "SELECT paper_id FROM aliases WHERE alias = ?", [pid]
            ).fetchone()
            if row:
                entry = _with_id(entry, row[0])
                pid = row[0]
        key = entry[_ROW][_TITLE_KEY]
        if ids.is_provisional(pid):
            match = self._title_match(key, provisional_only=False)
            return _with_id(entry, match) if match else entry
        if key and self._has_provisional:
            prov = self._title_match(key, provisional_only=True)
            if prov and not self._exists_id(pid):
                self.rekey(prov, pid)
                self.counts["merged"] += 1
        return entry

    def _exists_id(self, paper_id: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM papers WHERE id = ?", [paper_id]).fetchone()
            is not None
        )

    def _title_match(self, key: str, provisional_only: bool) -> str | None:
        if not key:
            return None
        if self.index is not None:  # a bulk import drops the title-key index until read
            from .bulkload import TITLE_INDEX

            self.index.need(TITLE_INDEX)
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

    def _update(self, paper_id: str, changes: dict[str, Any]) -> None:
        sets = ", ".join(f"{k} = ?" for k in changes)
        self.conn.execute(f"UPDATE papers SET {sets} WHERE id = ?", [*changes.values(), paper_id])

    def _record_sightings(self, batch: list[Entry], final: dict[str, dict[str, Any]]) -> None:
        """`final`: the rows of papers that were merged with something, as they ended up."""
        rows = []
        now = self._now
        for e in batch:
            pid, raw = e[_ROW][_ID], e[_RAW]
            if e[_SOURCE] == "kaggle" and raw and pid in final:
                from ..sources.kaggle_raw import keep_differing

                record = json.loads(raw)
                if isinstance(record, dict):
                    raw = dump_json(keep_differing(record, _new_row(e), final[pid]))
            rows.append(
                (
                    pid,
                    e[_SOURCE],
                    e[_ORIGIN],
                    e[_ANNOUNCE],
                    now,
                    now,
                    raw if self.keep_raw else None,
                )
            )
        try:
            self.conn.executemany(_SIGHTING_SQL, rows)
        except UnicodeEncodeError:  # a lone surrogate in a raw record (or a file name)
            scrubbed = [[scrub(v) if isinstance(v, str) else v for v in row] for row in rows]
            self.conn.executemany(_SIGHTING_SQL, scrubbed)


def _with_id(entry: Entry, pid: str) -> Entry:
    row = entry[_ROW]
    return ((*row[:_ID], pid, *row[_ID + 1 :]), *entry[1:])


def _new_row(entry: Entry) -> dict[str, Any]:
    """The row this sighting alone gives (as a new paper's row, without bookkeeping)."""
    return dict(zip(_ROW_COLUMNS, entry[_ROW], strict=True))


def _as_dict(row: tuple[Any, ...] | dict[str, Any]) -> dict[str, Any]:
    return row if isinstance(row, dict) else dict(zip(ALL_COLUMNS, row, strict=True))


def merge_rows(old: dict[str, Any], paper: Paper) -> dict[str, Any]:
    """The row after merging one more sighting of the same paper into it."""
    return _merge(old, paper_to_row(paper), paper.source)


def _merge(old: dict[str, Any], new: dict[str, Any], source: str) -> dict[str, Any]:
    """merge_rows with the sighting given as the row it alone gives (`new`)."""
    out = dict(old)
    version = new["version"]
    authoritative = version is not None and (
        old.get("version") is None or version >= old["version"]
    )
    if old.get("version") is None and version is None:
        authoritative = True
    if source == "hf-page":  # a pasted page: the least trusted, and often cut off
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
    if version is not None:
        out["version"] = max(version, old.get("version") or 0)
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
