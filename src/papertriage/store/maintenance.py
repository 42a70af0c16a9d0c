"""Store upkeep: checking the file is sound, and copying it safely while it is in use.

``check`` runs SQLite's integrity check, compares the full-text index with the papers
table, and looks for user data or sightings attached to no paper (neither a stored id
nor an alias). ``backup`` uses SQLite's online backup API, so it reads one consistent
snapshot even while other processes write (WAL readers never block writers), and only
puts the copy at its final name once it is complete and checked.
"""

from __future__ import annotations

import glob
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import StoreError

# Tables whose rows belong to a paper, keyed by paper_id.
OWNED_TABLES = ("tags", "notes", "decisions", "sightings", "watch_matches", "digest_shown")
ORPHAN_SAMPLE = 5


@dataclass
class CheckReport:
    integrity: list[str] = field(default_factory=list)  # ["ok"] when sound
    papers: int = 0
    fts_ok: bool = True
    fts_missing: int = 0  # papers with no entry in the full-text index
    fts_extra: int = 0  # index entries for no paper
    fts_detail: str | None = None
    orphans: dict[str, dict[str, Any]] = field(default_factory=dict)
    dangling_aliases: list[str] = field(default_factory=list)
    interrupted_runs: int = 0  # runs still marked 'running' (informational)

    @property
    def ok(self) -> bool:
        return (
            self.integrity == ["ok"]
            and self.fts_ok
            and not self.orphans
            and not self.dangling_aliases
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "integrity": self.integrity,
            "papers": self.papers,
            "fts": {
                "ok": self.fts_ok,
                "missing": self.fts_missing,
                "extra": self.fts_extra,
                "detail": self.fts_detail,
            },
            "orphans": self.orphans,
            "dangling_aliases": self.dangling_aliases,
            "interrupted_runs": self.interrupted_runs,
        }


def check(conn: sqlite3.Connection) -> CheckReport:
    """Everything that can be wrong with a store, found without changing it."""
    report = CheckReport()
    try:
        report.integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        report.integrity = [str(exc)]
    if report.integrity != ["ok"]:
        # A damaged file can make every further query fail; say what we know.
        return report
    report.papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    _check_fts(conn, report)
    _check_orphans(conn, report)
    report.interrupted_runs = conn.execute(
        "SELECT count(*) FROM runs WHERE outcome = 'running'"
    ).fetchone()[0]
    return report


FTS_INDEXES = ("papers_fts", "papers_title_fts")  # full-text indexes over the papers table


def _fts_indexes(conn: sqlite3.Connection) -> list[str]:
    marks = ", ".join("?" for _ in FTS_INDEXES)
    found = {
        r[0]
        for r in conn.execute(
            f"SELECT name FROM sqlite_master WHERE name IN ({marks})", FTS_INDEXES
        )
    }
    return [name for name in FTS_INDEXES if name in found]


def _check_fts(conn: sqlite3.Connection, report: CheckReport) -> None:
    for index in _fts_indexes(conn):
        # Every paper has exactly one document-size row in the index, and no other rows exist.
        report.fts_missing += conn.execute(
            f"SELECT count(*) FROM papers WHERE rowid NOT IN (SELECT id FROM {index}_docsize)"
        ).fetchone()[0]
        report.fts_extra += conn.execute(
            f"SELECT count(*) FROM {index}_docsize WHERE id NOT IN (SELECT rowid FROM papers)"
        ).fetchone()[0]
        try:
            # rank = 1: also compare the index with the external content (the papers table),
            # which catches stale entries for edited titles/abstracts, not just a broken index.
            conn.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            report.fts_detail = f"full-text index {index} does not match the papers table ({exc})"
    report.fts_ok = not (report.fts_missing or report.fts_extra or report.fts_detail)


def _check_orphans(conn: sqlite3.Connection, report: CheckReport) -> None:
    known = "(SELECT id FROM papers UNION SELECT alias FROM aliases)"
    for table in OWNED_TABLES:
        rows = conn.execute(
            f"SELECT paper_id, count(*) FROM {table} WHERE paper_id NOT IN {known} "
            "GROUP BY paper_id ORDER BY paper_id"
        ).fetchall()
        if rows:
            report.orphans[table] = {
                "rows": sum(r[1] for r in rows),
                "papers": len(rows),
                "sample": [r[0] for r in rows[:ORPHAN_SAMPLE]],
            }
    report.dangling_aliases = [
        r[0]
        for r in conn.execute(
            "SELECT alias FROM aliases WHERE paper_id NOT IN (SELECT id FROM papers) ORDER BY alias"
        )
    ]


def rebuild_fts(conn: sqlite3.Connection) -> None:
    """Rebuild the full-text index from the papers table (it holds no data of its own)."""
    from .db import transaction

    with transaction(conn):
        for index in _fts_indexes(conn):
            conn.execute(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")


def backup(conn: sqlite3.Connection, dest: Path, force: bool = False) -> int:
    """Copy the store to dest (a consistent snapshot); returns the copy's size in bytes.

    The copy is written next to dest under a temporary name, checked, made a single
    self-contained file (rollback journal, not WAL), and only then renamed to dest, so
    an interrupted backup never leaves a partial file under dest's name.
    """
    dest = Path(dest).expanduser()
    source = _main_file(conn)
    if dest.exists():
        if dest.is_dir():
            raise StoreError(f"{dest}: is a directory; give a file name for the backup")
        if source and os.path.samefile(dest, source):
            raise StoreError(f"{dest}: that is the store itself; give another file name")
        if not force:
            raise StoreError(f"{dest}: already exists (use --force to overwrite it)")
    if not dest.parent.is_dir():
        raise StoreError(f"{dest.parent}: no such directory")
    clean_partial_backups(conn)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    marker = _marker(source, os.getpid()) if source else None
    try:
        if marker:  # where the copy is being written, for a cleanup if this is killed
            _write_marker(marker, tmp)
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        os.close(fd)
        target = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            conn.backup(target)  # all pages in one step: one snapshot of the source
            if source:  # what the user wrote while an import held the store, too
                from .userdata import apply_queue_to_copy

                apply_queue_to_copy(target, Path(source))
            target.execute("PRAGMA journal_mode = DELETE")
            result = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
        if result != "ok":
            raise StoreError(f"{dest}: the copy failed its integrity check ({result})")
        os.replace(tmp, dest)
    except OSError as exc:
        raise StoreError(f"{dest}: cannot write the backup ({exc.strerror or exc})") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{dest}: backup failed ({exc})") from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            if leftover.exists():
                leftover.unlink()
        if marker:
            marker.unlink(missing_ok=True)
    return dest.stat().st_size


def _marker(source: str, pid: int) -> Path:
    return Path(f"{source}.backup-{pid}")


def _write_marker(marker: Path, tmp: Path) -> None:
    fd = os.open(marker, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(str(tmp.resolve()))


def clean_partial_backups(conn: sqlite3.Connection) -> list[Path]:
    """Remove what killed backups of this store left: the hidden, full-size
    `.NAME.PID.partial` copy and its -journal, found through the `STORE.backup-PID`
    marker each backup keeps next to the store while it runs. Returns what was removed."""
    source = _main_file(conn)
    if not source:
        return []
    removed: list[Path] = []
    store = Path(source)
    for marker in store.parent.glob(f"{glob.escape(store.name)}.backup-*"):
        pid = marker.name.rsplit("-", 1)[1]
        if not pid.isdigit() or _running(int(pid)):
            continue
        try:
            tmp = Path(marker.read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError):
            continue
        if tmp.name.startswith(".") and tmp.name.endswith(f".{pid}.partial"):
            for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
                try:
                    leftover.unlink()
                    removed.append(leftover)
                except OSError:
                    pass
        marker.unlink(missing_ok=True)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process (or no such pid number): leave it
    return True


def _main_file(conn: sqlite3.Connection) -> str | None:
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return row[2] or None
    return None
