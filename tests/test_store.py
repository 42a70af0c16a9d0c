import json
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


# ---- a store in a read-only directory ---------------------------------------------------

READONLY_SCRIPT = """
import json, sys
from typer.testing import CliRunner
from papertriage.cli.app import app
db = sys.argv[1]
out = {}
for name, args in [
    ("list", ["list", "-f", "ids"]),
    ("show", ["show", "2501.08325"]),
    ("log", ["fetch", "--log"]),
    ("dry", ["fetch", "--dry-run"]),
    ("fetch", ["fetch"]),
    ("tag", ["tag", "2501.08325", "x"]),
]:
    r = CliRunner().invoke(app, [*args, "--db", db])
    out[name] = [r.exit_code, r.stdout, r.stderr, repr(r.exception)]
print(json.dumps(out))
"""


def run_in_readonly_dir(folder, *args: str):
    """The script run with `folder` read-only: chmod for a user, a read-only bind mount
    in a private mount namespace for root (whom permissions do not stop)."""
    import shutil
    import subprocess
    import sys

    cmd = [sys.executable, "-c", READONLY_SCRIPT, *args]
    env = {**os.environ, "PAPERTRIAGE_HF_URL": "http://127.0.0.1:9"}
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        finally:
            folder.chmod(0o755)
    if not shutil.which("unshare"):
        pytest.skip("root without unshare: cannot make a directory read-only")
    shell = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    result = subprocess.run(
        ["unshare", "--mount", "sh", "-c", shell, str(folder), *cmd],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if "mount" in result.stderr and result.returncode != 0 and not result.stdout:
        pytest.skip(f"cannot mount read-only here: {result.stderr.strip()}")
    return result


def test_a_store_in_a_read_only_directory_can_be_read(tmp_path, fixture_path):
    folder = tmp_path / "ro"
    db = folder / "papers.db"
    import subprocess
    import sys

    fixture = str(fixture_path("hf_daily/2025-01-21.json"))
    cmd = [sys.executable, "-m", "papertriage", "import", fixture, "--db", str(db)]
    subprocess.run(cmd, check=True, capture_output=True)
    assert not (folder / "papers.db-wal").exists()  # closed cleanly: no -wal or -shm left
    result = run_in_readonly_dir(folder, str(db))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["list"][:2] == [0, "2501.08325\n"], out["list"]
    assert out["show"][0] == 0 and "GameFactory" in out["show"][1]
    assert out["log"][0] == 0 and out["dry"][0] == 0
    for name in ("fetch", "tag"):  # writes: one line, no traceback
        code, _, stderr, exc = out[name]
        assert code == 1 and "SystemExit" in exc, out[name]
        assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("Error: "), stderr
    assert "cannot write in" in out["fetch"][2] and "read-only" in out["fetch"][2]
    assert "readonly database" in out["tag"][2]
    assert sorted(p.name for p in folder.iterdir()) == ["papers.db"]  # no lock file made
