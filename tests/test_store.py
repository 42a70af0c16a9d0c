import os
import sqlite3

import pytest

from papertriage.errors import StoreError
from papertriage.store import migrations
from papertriage.store.db import db_path, open_db


def test_db_path_precedence(tmp_path, monkeypatch):
    assert db_path() == tmp_path / "home" / "papers.db"
    monkeypatch.setenv("PAPERTRIAGE_DB", str(tmp_path / "env.db"))
    assert db_path() == tmp_path / "env.db"
    assert db_path(tmp_path / "x.db") == tmp_path / "x.db"


def test_new_store_is_private_wal_and_migrated(db_file):
    conn = open_db(db_file)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert os.stat(db_file).st_mode & 0o777 == 0o600
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    assert applied == migrations.names()
    open_db(db_file)  # a second open applies nothing new
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(applied)


def test_store_opens_in_sqlite_utils(db_file):
    import sqlite_utils

    open_db(db_file).close()
    db = sqlite_utils.Database(db_file)
    assert {"papers", "tags", "notes", "decisions", "sightings", "runs"} <= set(db.table_names())
    assert db["papers"].detect_fts() == "papers_fts"


def test_not_sqlite_is_refused(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("hello, I am a text file")
    with pytest.raises(StoreError, match="not a SQLite database"):
        open_db(bad)
    assert bad.read_text() == "hello, I am a text file"


def test_newer_schema_is_refused(db_file):
    open_db(db_file).close()
    raw = sqlite3.connect(db_file)
    raw.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('papertriage', 'm999_future', 'x')"
    )
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="newer papertriage"):
        open_db(db_file)


def test_stock_sqlite_utils_maintains_the_store(cli, fixture_path, db_file):
    """`sqlite-utils optimize` and `rebuild-fts` (the CLI users have) run on a store:
    no table in the file looks like an FTS table without being one."""
    import subprocess
    import sys
    from pathlib import Path

    assert (
        cli("import", "--db", str(db_file), fixture_path("hf_daily/2025-10-30.json")).exit_code == 0
    )
    tool = Path(sys.executable).parent / "sqlite-utils"
    before = cli("filter", "--db", str(db_file), "-f", "ids", "video").stdout
    assert before.count("\n") >= 2
    for args in (["optimize", str(db_file)], ["rebuild-fts", str(db_file)]):
        done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    assert cli("filter", "--db", str(db_file), "-f", "ids", "video").stdout == before
    assert cli("filter", "--db", str(db_file), "-f", "ids", "--fuzzy", "vidoe").stdout
    assert cli("db", "check", "--db", str(db_file)).exit_code == 0
    names = {r[0] for r in sqlite3.connect(db_file).execute("SELECT name FROM sqlite_master")}
    assert "papers_fts_vocab" not in names and {"papers_fts", "papers_title_fts"} <= names
