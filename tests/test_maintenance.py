"""`papertriage db check` and `papertriage db backup`."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papertriage.store.db import open_db

V1 = Path(__file__).parent / "fixtures" / "store_v1.db"


@pytest.fixture
def store(tmp_path) -> Path:
    """A copy of the frozen v1 store (37 real papers, tags, notes, decisions, an alias)."""
    dest = tmp_path / "papers.db"
    shutil.copyfile(V1, dest)
    open_db(dest).close()  # upgrade to the current schema
    return dest


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_check_sound_store(cli, store):
    result = cli("db", "check", "--db", store)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "integrity:    ok",
        "search index: ok (37 papers)",
        "orphans:      none",
    ]
    report = json.loads(cli("db", "check", "--json", "--db", store).stdout)
    assert report["ok"] is True and report["papers"] == 37 and report["orphans"] == {}


def test_check_finds_orphans_but_not_alias_keyed_data(cli, store):
    raw = _raw(store)
    raw.execute("INSERT INTO tags (paper_id, tag) VALUES ('2401.99999', 'lost')")
    raw.execute("INSERT INTO notes (paper_id, text) VALUES ('2401.99999', 'x')")
    raw.execute("INSERT INTO decisions (paper_id, decision) VALUES ('2402.88888', 'keep')")
    # keyed by the alias of a merged provisional paper: still reachable, not an orphan
    raw.execute("INSERT INTO tags (paper_id, tag) VALUES ('prov:13732c24da96', 'ok')")
    raw.close()
    result = cli("db", "check", "--db", store)
    assert result.exit_code == 1
    assert "orphans:      tags: 1 rows for 1 unknown ids (2401.99999)" in result.stdout
    assert "orphans:      notes: 1 rows for 1 unknown ids (2401.99999)" in result.stdout
    assert "orphans:      decisions: 1 rows for 1 unknown ids (2402.88888)" in result.stdout
    assert "prov:13732c24da96" not in result.stdout
    report = json.loads(cli("db", "check", "--json", "--db", store).stdout)
    assert set(report["orphans"]) == {"tags", "notes", "decisions"}


def test_check_finds_a_stale_search_index_and_repairs_it(cli, store):
    raw = _raw(store)
    # An edit the index did not see (as if a trigger had been lost).
    raw.execute("DROP TRIGGER papers_au")
    raw.execute("UPDATE papers SET title = 'Zymurgy quokka' WHERE id = '2501.08325'")
    # and one paper missing from the index altogether
    row = raw.execute(
        "SELECT rowid, title, abstract, authors_text FROM papers WHERE id = '2606.13677'"
    ).fetchone()
    raw.execute(
        "INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors_text) "
        "VALUES ('delete', ?, ?, ?, ?)",
        row,
    )
    raw.close()
    result = cli("db", "check", "--db", store)
    assert result.exit_code == 1
    line = [x for x in result.stdout.splitlines() if x.startswith("search index:")][0]
    assert "1 papers missing" in line and "does not match the papers table" in line
    assert "--repair" in line

    result = cli("db", "check", "--repair", "--db", store)
    assert result.exit_code == 0, result.output
    assert "search index: rebuilt" in result.stderr
    raw = _raw(store)
    hits = raw.execute(
        "SELECT p.id FROM papers_fts JOIN papers p ON p.rowid = papers_fts.rowid "
        "WHERE papers_fts MATCH ?",
        ["quokka OR Mana"],
    ).fetchall()
    raw.close()
    assert sorted(h[0] for h in hits) == ["2501.08325", "2606.13677"]


def test_check_reports_a_damaged_file_in_one_line_per_problem(cli, store):
    raw = _raw(store)
    page = raw.execute(
        "SELECT pageno FROM dbstat WHERE name = 'papers' AND pagetype = 'leaf' LIMIT 1"
    ).fetchone()[0]
    size = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    with store.open("r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\xaa" * size)
    result = cli("db", "check", "--db", store)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    first = result.stdout.splitlines()[0] if result.stdout else result.stderr
    assert first.startswith(("integrity:", "Error:"))
    assert "ok" != first.split(":", 1)[1].strip()


def test_check_does_not_create_a_store(cli, tmp_path):
    result = cli("db", "check", "--db", tmp_path / "none.db")
    assert result.exit_code == 1
    assert "no store here" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_check_on_a_store_from_a_newer_version_is_refused(cli, store):
    raw = _raw(store)
    raw.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name) VALUES ('papertriage', 'm999_x')"
    )
    raw.close()
    result = cli("db", "check", "--db", store)
    assert result.exit_code == 1
    assert "newer papertriage" in result.stderr


def _counts(path: Path) -> dict[str, int]:
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("papers", "tags", "notes", "decisions", "aliases", "runs")
        }
    finally:
        raw.close()


def test_backup_copies_everything_privately_and_refuses_to_overwrite(cli, store, tmp_path):
    dest = tmp_path / "copy.db"
    result = cli("db", "backup", dest, "--db", store)
    assert result.exit_code == 0, result.output
    assert f"backed up to {dest}" in result.stderr
    assert (
        _counts(dest)
        == _counts(store)
        == {
            "papers": 37,
            "tags": 7,
            "notes": 3,
            "decisions": 5,
            "aliases": 1,
            "runs": 5,
        }
    )
    assert os.stat(dest).st_mode & 0o777 == 0o600
    raw = sqlite3.connect(dest)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    raw.close()
    assert sorted(p.name for p in tmp_path.iterdir() if "copy" in p.name) == ["copy.db"]
    assert cli("db", "check", "--db", dest).exit_code == 0

    before = dest.read_bytes()
    result = cli("db", "backup", dest, "--db", store)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {dest}: already exists (use --force to overwrite it)"
    assert dest.read_bytes() == before

    _raw(store).execute("INSERT INTO tags (paper_id, tag) VALUES ('2501.08325', 'after')")
    result = cli("db", "backup", dest, "--force", "--db", store)
    assert result.exit_code == 0, result.output
    assert _counts(dest)["tags"] == 8


def test_backup_never_overwrites_the_store_itself(cli, store):
    before = _counts(store)
    result = cli("db", "backup", store, "--force", "--db", store)
    assert result.exit_code == 1
    assert "that is the store itself" in result.stderr
    assert _counts(store) == before


def test_backup_into_a_missing_directory(cli, store, tmp_path):
    result = cli("db", "backup", tmp_path / "nope" / "x.db", "--db", store)
    assert result.exit_code == 1
    assert "no such directory" in result.stderr


_WRITER = """
import sys
from papertriage.store.db import open_db, transaction
conn = open_db(sys.argv[1])
n = 0
while True:
    with transaction(conn):
        conn.execute("INSERT INTO tags (paper_id, tag) VALUES ('2501.08325', ?)", [f"a{n}"])
        conn.execute("INSERT INTO tags (paper_id, tag) VALUES ('2606.13677', ?)", [f"b{n}"])
    n += 1
    if n == 5:
        print("writing", flush=True)
"""


def test_backup_while_another_process_writes_is_a_consistent_snapshot(store, tmp_path):
    from papertriage.store.maintenance import backup

    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        conn = open_db(store)
        sizes = []
        for i in range(8):
            dest = tmp_path / f"snap{i}.db"
            backup(conn, dest)
            raw = sqlite3.connect(dest)
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            a = raw.execute("SELECT count(*) FROM tags WHERE tag LIKE 'a%'").fetchone()[0]
            b = raw.execute("SELECT count(*) FROM tags WHERE tag LIKE 'b%'").fetchone()[0]
            raw.close()
            assert a == b  # both rows of every transaction, or neither
            sizes.append(a)
            time.sleep(0.02)
        assert writer.poll() is None  # the writer was never blocked into failing
        assert sizes == sorted(sizes) and sizes[-1] > sizes[0]
    finally:
        writer.kill()
        writer.wait()


def test_check_covers_the_title_index_and_repair_rebuilds_it(cli, store):
    raw = _raw(store)
    row = raw.execute("SELECT pk, title FROM papers WHERE id = '2606.13677'").fetchone()
    raw.execute(
        "INSERT INTO papers_title_fts (papers_title_fts, rowid, title) VALUES ('delete', ?, ?)", row
    )
    raw.close()
    result = cli("db", "check", "--db", store)
    assert result.exit_code == 1 and "1 papers missing" in result.stdout
    assert cli("db", "check", "--repair", "--db", store).exit_code == 0
    raw = _raw(store)
    word = row[1].split()[0]
    hits = raw.execute(
        "SELECT rowid FROM papers_title_fts WHERE papers_title_fts MATCH ?", [f'"{word}"']
    ).fetchall()
    raw.close()
    assert (row[0],) in [tuple(h) for h in hits]


_KILLED_BACKUP = """
import os, signal, sys
from papertriage.store.db import open_db
from papertriage.store.maintenance import backup

conn = open_db(sys.argv[1])

class Dies:  # the store, but the process is SIGKILLed halfway through the copy
    def execute(self, *args):
        return conn.execute(*args)

    def backup(self, target):
        conn.backup(target, pages=1, progress=lambda *a: os.kill(os.getpid(), signal.SIGKILL))

backup(Dies(), sys.argv[2])
"""


@pytest.mark.parametrize("then", ["backup", "check"])
def test_what_a_killed_backup_leaves_is_removed_next_time(cli, store, tmp_path, then):
    out = tmp_path / "backups"
    out.mkdir()
    killed = subprocess.run([sys.executable, "-c", _KILLED_BACKUP, str(store), str(out / "b.db")])
    assert killed.returncode == -9
    left = sorted(p.name for p in out.iterdir())
    assert left and all(n.startswith(".b.db.") and ".partial" in n for n in left), left
    assert [p.name for p in tmp_path.glob("papers.db.backup-*")]  # the marker
    if then == "backup":
        result = cli("db", "backup", out / "b.db", "--db", store)
        assert sorted(p.name for p in out.iterdir()) == ["b.db"]
    else:
        result = cli("db", "check", "--db", store)
        assert list(out.iterdir()) == []
        assert f"removed {out / left[0]}, left by a backup that was killed" in result.stderr
    assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("papers.db.backup-*"))
