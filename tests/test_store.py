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
