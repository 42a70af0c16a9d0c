"""A store written by the first released schema upgrades with all the user's data intact;
a store from a newer papertriage is refused, not damaged."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from papertriage.store import migrations
from papertriage.store.db import applied_migrations, open_db
from papertriage.store.queries import get_paper, resolve_id

V1 = Path(__file__).parent / "fixtures" / "store_v1.db"


def _v1_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "old.db"
    shutil.copyfile(V1, dest)
    return dest


def _read_v1(sql: str) -> list[tuple]:
    """Rows of the frozen file itself, read-only (what the first schema wrote)."""
    raw = sqlite3.connect(f"file:{V1}?immutable=1", uri=True)
    try:
        return sorted(tuple(r) for r in raw.execute(sql))
    finally:
        raw.close()


def test_fixture_is_the_first_schema():
    raw = sqlite3.connect(f"file:{V1}?immutable=1", uri=True)
    names = [r[0] for r in raw.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    raw.close()
    assert names == ["m001_create_store"]
    assert names == migrations.names()[:1]


def test_v1_store_upgrades_with_every_paper_tag_note_and_decision(tmp_path):
    papers = _read_v1("SELECT id, title, abstract, authors, published, version FROM papers")
    tags = _read_v1("SELECT paper_id, tag, created FROM tags")
    notes = _read_v1("SELECT paper_id, text, created FROM notes")
    decisions = _read_v1("SELECT paper_id, decision, created, undone FROM decisions")
    aliases = _read_v1("SELECT alias, paper_id FROM aliases")
    assert (len(papers), len(tags), len(notes), len(decisions), len(aliases)) == (37, 7, 3, 5, 1)

    conn = open_db(_v1_copy(tmp_path))
    assert applied_migrations(conn) == migrations.names()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def rows(sql: str) -> list[tuple]:
        return sorted(tuple(r) for r in conn.execute(sql))

    assert rows("SELECT id, title, abstract, authors, published, version FROM papers") == papers
    assert rows("SELECT paper_id, tag, created FROM tags") == tags
    assert rows("SELECT paper_id, text, created FROM notes") == notes
    assert rows("SELECT paper_id, decision, created, undone FROM decisions") == decisions
    assert rows("SELECT alias, paper_id FROM aliases") == aliases

    # Real values, through the current code's read paths.
    game = get_paper(conn, "2501.08325")
    assert game["title"].startswith("GameFactory: Creating New Games with Generative")
    assert resolve_id(conn, "prov:13732c24da96") == "2502.05795"
    curse = get_paper(conn, "arXiv:2502.05795")
    assert curse["title"] == "The Curse of Depth in Large Language Models"
    assert ("2502.05795", "depth") in [(t[0], t[1]) for t in tags]
    hits = conn.execute(
        "SELECT p.id FROM papers_fts JOIN papers p ON p.rowid = papers_fts.rowid "
        "WHERE papers_fts MATCH 'GameFactory'"
    ).fetchall()
    assert [h[0] for h in hits] == ["2501.08325"]


def test_v1_store_works_through_the_cli(tmp_path, cli):
    db = _v1_copy(tmp_path)
    result = cli("show", "2604.22002", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    assert "Cow Urine" in result.stdout
    result = cli("list", "-f", "ids", "-n", "100", "--db", db)
    assert result.exit_code == 0, result.output
    listed = set(result.stdout.split())
    assert {"2501.08325", "2606.13677", "2604.22027", "2502.05795"} <= listed
    assert len(listed) == 37
    # and a new import into the upgraded store keeps the old user data
    fixture = Path(__file__).parent / "fixtures" / "hf_daily" / "2025-03-17.json"
    result = cli("import", fixture, "--db", db)
    assert result.exit_code == 0, result.output
    conn = open_db(db)
    assert conn.execute("SELECT count(*) FROM tags").fetchone()[0] == 7
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 5


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", [["list"], ["show", "2501.08325"], ["db", "info"]])
def test_store_from_a_newer_papertriage_is_refused_not_damaged(tmp_path, cli, command):
    db = _v1_copy(tmp_path)
    open_db(db).close()  # bring it to the current schema, then pretend a newer version wrote it
    raw = sqlite3.connect(db)
    raw.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('papertriage', 'm999_from_the_future', '2099-01-01')"
    )
    raw.commit()
    raw.close()
    before = _sha(db)
    result = cli(*command, "--db", db)
    assert result.exit_code == 1
    assert "newer papertriage" in result.stderr and "m999_from_the_future" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert _sha(db) == before
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT count(*) FROM tags").fetchone()[0] == 7
    raw.close()
