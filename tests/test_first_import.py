"""The first bulk import into a store with no papers writes through the rollback journal
(store.db.rollback_journal): no write-ahead log as big as the store, the WAL back
afterwards, a killed import rolled back by the next opening, and other processes told
at once why they can't open the store meanwhile."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import papertriage.importer.run as importer
from papertriage.errors import StoreBusyError
from papertriage.importer.run import import_file
from papertriage.store import db as store_db
from papertriage.store.db import connect, open_db
from test_scale import KILLABLE

FIXTURES = Path(__file__).parent / "fixtures"
KAGGLE = FIXTURES / "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"

# An import that stops after its first batch is written (a marker file says so).
PAUSED = KILLABLE


def _journal_mode(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def _paused_import(db: Path, tmp_path: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", PAUSED, str(db), str(KAGGLE)])
    deadline = time.monotonic() + 60
    while not Path(f"{db}.batch").exists():
        assert proc.poll() is None and time.monotonic() < deadline, "import did not start"
        time.sleep(0.05)
    return proc


@pytest.fixture
def modes(monkeypatch) -> list[str]:
    """The journal mode each write transaction begins in (with the synchronous level
    each needs against a power cut: NORMAL for the WAL, FULL for a rollback journal)."""
    seen: list[str] = []
    begin = store_db.transaction.__enter__

    def watch(self):
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        sync = self.conn.execute("PRAGMA synchronous").fetchone()[0]
        seen.append(mode if (mode, sync) in (("wal", 1), ("delete", 2)) else f"{mode} {sync}")
        return begin(self)

    monkeypatch.setattr(store_db.transaction, "__enter__", watch)
    return seen


def test_first_bulk_import_writes_no_log_and_leaves_wal_mode(tmp_path, monkeypatch, modes):
    monkeypatch.setattr(importer, "BULK_MIN_BYTES", 0)
    db = tmp_path / "store.db"
    conn = open_db(db)
    modes.clear()  # opening's own transactions
    import_file(conn, str(KAGGLE))
    assert modes == ["delete"]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL again
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 200
    assert not Path(f"{db}-journal").exists()
    conn.close()
    assert _journal_mode(db) == "wal"


@pytest.mark.parametrize("case", ["has papers", "open elsewhere", "small file"])
def test_the_wal_stays_where_someone_could_read(tmp_path, monkeypatch, modes, case):
    db = tmp_path / "store.db"
    conn = open_db(db)
    if case == "has papers":
        import_file(conn, str(KAGGLE))
    other = open_db(db) if case == "open elsewhere" else None
    if case != "small file":
        monkeypatch.setattr(importer, "BULK_MIN_BYTES", 0)
    import_file(conn, str(FIXTURES / "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"))
    assert modes and set(modes) == {"wal"}
    if other:
        assert other.execute("SELECT count(*) FROM papers").fetchone()[0] == 200
        other.close()
    conn.close()


def test_opening_during_a_first_import_says_why_at_once(tmp_path, monkeypatch, cli):
    monkeypatch.setattr(store_db, "JOURNAL_WAIT_S", 0.2)
    db = tmp_path / "store.db"
    open_db(db).close()
    proc = _paused_import(db, tmp_path)
    try:
        assert Path(f"{db}-journal").exists()
        started = time.monotonic()
        with pytest.raises(StoreBusyError, match="first import into this store"):
            connect(db)
        assert time.monotonic() - started < 10  # not BUSY_TIMEOUT_S
        result = cli("list", "--db", db)
        assert result.exit_code != 0 and not result.stdout
        assert "first import into this store is writing it" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_first_import_is_rolled_back_and_runs_again(tmp_path, cli):
    db = tmp_path / "store.db"
    open_db(db).close()
    proc = _paused_import(db, tmp_path)
    assert Path(f"{db}-journal").exists()
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    conn = open_db(db)  # the hot journal is rolled back, WAL mode set again
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert not Path(f"{db}-journal").exists()

    result = cli("import", KAGGLE, "--db", db)
    assert result.exit_code == 0 and "new 200" in result.stderr
    conn = open_db(db)
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 200
    conn.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)")
    conn.close()


def test_a_second_import_waits_for_the_first_and_then_runs(tmp_path, monkeypatch):
    """import and fetch wait for another one writing the store (saying so), the first
    import into a new store too, though that one can't even be opened meanwhile."""
    db = tmp_path / "store.db"
    open_db(db).close()
    first = _paused_import(db, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(Path(importer.__file__).parents[2])}
    second = subprocess.Popen(
        [sys.executable, "-m", "papertriage", "import", str(KAGGLE), "--db", str(db)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert second.stderr is not None
        line = second.stderr.readline()  # what it says while it waits
        assert line.startswith("waiting: another import or fetch is writing the store")
        assert second.poll() is None
    finally:
        first.kill()
        first.wait()
    rest = second.communicate(timeout=60)[1]
    assert second.returncode == 0, rest
    assert "new 200" in rest
    conn = open_db(db)
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 200
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
