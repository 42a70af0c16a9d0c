"""Only a successful import (or fetch) creates a store: a read-only command on a missing
or empty file says so in one line and creates nothing, and a failed import into a new
path takes away what it made."""

from __future__ import annotations

import pytest

from papertriage.store.db import discard_new, open_db
from test_startup import run_fast

HF = "hf_daily/2025-01-21.json"  # one real paper


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize(
    "args",
    [["list"], ["filter", "model"], ["show", "2501.08325"], ["export"], ["rank"], ["db", "info"]],
)
def test_a_read_only_command_on_an_empty_file_creates_no_store(cli, tmp_path, args):
    empty = tmp_path / "papers.db"
    empty.touch()
    result = cli(*args, "--db", empty)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {empty}: an empty file, no store here yet")
    assert result.stderr.count("\n") == 1
    if args[0] in ("list", "filter"):
        assert run_fast([*args, "--db", str(empty)])[0] == 1
    assert _files(tmp_path) == ["papers.db"] and empty.stat().st_size == 0


def test_a_failed_import_into_a_new_path_leaves_nothing(cli, tmp_path):
    bad = tmp_path / "listing.json"
    bad.write_text("this is not a listing")
    new = tmp_path / "new" / "deeper" / "papers.db"
    result = cli("import", bad, "--db", new)
    assert result.exit_code == 1 and "Error: " in result.stderr
    assert _files(tmp_path) == ["listing.json"]  # not the store, nor its folders
    empty = tmp_path / "empty.db"
    empty.touch()
    assert cli("import", bad, "--db", empty).exit_code == 1
    assert _files(tmp_path) == ["empty.db", "listing.json"] and empty.stat().st_size == 0
    # the default store in a home not made yet
    assert cli("import", bad).exit_code == 1 and not (tmp_path / "home").exists()


def test_a_failed_import_keeps_a_store_that_holds_anything(cli, tmp_path, fixture_path):
    bad = tmp_path / "listing.json"
    bad.write_text("this is not a listing")
    new = tmp_path / "new" / "papers.db"
    result = cli("import", fixture_path(HF), bad, "--db", new)  # one of two went in
    assert result.exit_code == 1
    assert cli("list", "-f", "ids", "--db", new).stdout.split() == ["2501.08325"]
    before = new.read_bytes()
    assert cli("import", bad, "--db", new).exit_code == 1  # an existing store: kept as it was
    assert cli("list", "-f", "ids", "--db", new).stdout.split() == ["2501.08325"]
    assert len(new.read_bytes()) == len(before)


def test_a_new_store_written_meanwhile_is_not_discarded(tmp_path):
    path = tmp_path / "papers.db"
    conn = open_db(path)
    other = open_db(path)  # another process's tag, say
    other.execute("INSERT INTO tags (paper_id, tag) VALUES ('2501.08325', 'keep')")
    other.close()
    assert discard_new(conn, path, False, []) is False
    assert path.exists()
    assert discard_new(open_db(path), path, False, []) is False
    empty = tmp_path / "empty.db"
    assert discard_new(open_db(empty), empty, False, []) is True
    assert not any(name.startswith("empty.db") for name in _files(tmp_path))
    assert path.exists()
