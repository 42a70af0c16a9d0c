"""The user's writes during a long import: queued durably, applied once when it ends.

The long import is a real `papertriage import -` in another process, reading a pipe
this test writes: it holds the store's write lock for as long as the test keeps the
pipe open, so no timing decides what happens. Meanwhile `tag`, `note`, `mark`, `untag`,
a piped `triage` (with an undo) and a second `import` run here."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from papertriage.importer.run import import_file
from papertriage.store import db as store_db
from papertriage.store import pending, userdata
from papertriage.store.db import open_db, transaction
from papertriage.store.maintenance import check
from test_crash_safety import HF_DAY, _env, _kaggle_records

FIXTURES = Path(__file__).parent / "fixtures"


def _write_lock_held(db: Path) -> bool:
    raw = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        raw.close()


@pytest.fixture
def quick(monkeypatch):
    """Writes give up waiting for the lock at once (the rule is tested, not the wait)."""
    monkeypatch.setattr(userdata, "USER_WAIT_S", 0.05)
    monkeypatch.setattr(userdata, "QUEUED_WAIT_S", 0.0)


def _store(tmp_path: Path) -> tuple[Path, list[str]]:
    db = tmp_path / "store.db"
    conn = open_db(db)
    import_file(conn, str(HF_DAY))
    papers = [r[0] for r in conn.execute("SELECT id FROM papers ORDER BY id")]
    conn.close()
    return db, papers


def test_writes_during_a_long_import_land_once_after_it(tmp_path, cli, quick, monkeypatch):
    db, papers = _store(tmp_path)
    a, b, c = papers[:3]
    records = _kaggle_records(400)
    cmd = [sys.executable, "-m", "papertriage", "import", "-", "--db", str(db)]
    proc = subprocess.Popen(
        cmd, env=_env(tmp_path / "home"), stdin=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None
    proc.stdin.write(("\n".join(records[:200]) + "\n").encode())
    proc.stdin.flush()
    try:
        for _ in range(3000):  # until the import holds the write lock (at most 60 s)
            if _write_lock_held(db) or proc.poll() is not None:
                break
            threading.Event().wait(0.02)
        assert _write_lock_held(db), "the import never took the write lock"

        r = cli("tag", a, b, "later", "--db", db)
        assert r.exit_code == 0 and "queued" in r.stderr, r.stderr
        r = cli("tag", a, "oops", "--db", db)
        r = cli("untag", a, "oops", "--db", db)
        assert r.exit_code == 0 and "queued" in r.stderr
        r = cli("note", a, "read", "section", "3", "--db", db)
        assert r.exit_code == 0 and "queued" in r.stderr
        r = cli("mark", c, "read", "--db", db)
        assert r.exit_code == 0 and "queued" in r.stderr
        r = cli("tags", "--db", db)
        assert "5 queued writes" in r.stderr, r.stderr
        # triage goes on from key to key: the queued mark of c keeps it out of the inbox;
        # keep, skip, undo (of the queued skip), read, tag.
        r = cli("triage", "--db", db, "-n", "3", input="k\ns\nu\nr\nt\nvideo\nq\n")
        assert r.exit_code == 0, r.stderr
        assert r.stdout.count("(queued:") >= 4, r.stdout
        assert c not in r.stdout
        assert _write_lock_held(db)  # nothing above waited for the import to end

        # A second import waits for the first (saying so), then runs.
        waiting = threading.Event()
        real = store_db.wait_for_writer

        def spy(conn, wait, on_wait):
            return real(conn, wait, lambda: (on_wait(), waiting.set()))

        monkeypatch.setattr(store_db, "wait_for_writer", spy)
        second: dict = {}
        thread = threading.Thread(
            target=lambda: second.update(
                r=cli("import", FIXTURES / "hf_daily" / "2024-07-12.json", "--db", db)
            )
        )
        thread.start()
        assert waiting.wait(60)
        _, err = proc.communicate(("\n".join(records[200:]) + "\n").encode(), timeout=120)
        assert proc.returncode == 0, err.decode()
        thread.join(120)
        assert second["r"].exit_code == 0, second["r"].stderr
        assert "waiting: another import or fetch is writing the store" in second["r"].stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    conn = open_db(db)
    assert check(conn).ok
    decisions = [
        tuple(r)
        for r in conn.execute("SELECT paper_id, decision, undone FROM decisions ORDER BY id")
    ]
    x, y = decisions[1][0], decisions[2][0]  # the first two papers triage showed
    assert len({c, x, y}) == 3
    assert decisions == [(c, "read", 0), (x, "keep", 0), (y, "skip", 1), (y, "read", 0)]
    tags = sorted(tuple(r) for r in conn.execute("SELECT paper_id, tag FROM tags"))
    z = next(p for p, t in tags if t == "video")  # r moved on to the third paper: tagged
    assert z not in {c, x, y}
    assert tags == sorted([(a, "later"), (b, "later"), (z, "video")])
    notes = [tuple(r) for r in conn.execute("SELECT paper_id, text FROM notes")]
    assert notes == [(a, "read section 3")]
    assert conn.execute("SELECT count(*) FROM pending_applied").fetchone()[0] == 10
    assert not pending.has_entries(db)  # emptied once applied
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] >= 20 + 400
    assert conn.execute("SELECT count(*) FROM runs WHERE outcome = 'ok'").fetchone()[0] == 3


def _queue_some(db: Path, papers: list[str]) -> None:
    now = "2026-01-01T00:00:00.000000Z"
    pending.append(db, {"op": "tag", "ids": papers[:2], "tags": ["q"], "created": now})
    pending.append(db, {"op": "note", "paper": papers[0], "text": "queued note", "created": now})
    pending.append(db, {"op": "decide", "paper": papers[1], "decision": "keep", "created": now})


def _counts(conn: sqlite3.Connection) -> tuple[int, int, int]:
    return tuple(
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("tags", "notes", "decisions")
    )  # type: ignore[return-value]


def test_a_queue_is_applied_exactly_once_whatever_stops_its_application(tmp_path):
    db, papers = _store(tmp_path)
    _queue_some(db, papers)
    assert pending.pending_path(db).stat().st_mode & 0o777 == 0o600
    conn = open_db(db)
    assert len(userdata.queued(conn)) == 3
    # Killed before the commit: the transaction rolls back, the queue stays.
    with pytest.raises(KeyboardInterrupt), transaction(conn):
        assert userdata.apply_pending(conn) == 3
        raise KeyboardInterrupt
    assert _counts(conn) == (0, 0, 0) and len(userdata.queued(conn)) == 3
    # Killed after the commit, before the file is emptied: read again, nothing twice.
    with transaction(conn):
        userdata.apply_pending(conn)
    assert _counts(conn) == (2, 1, 1) and userdata.queued(conn) == []
    assert pending.has_entries(db)
    assert userdata.flush_pending(conn) == 0
    assert not pending.has_entries(db)
    assert _counts(conn) == (2, 1, 1)


def test_a_line_cut_short_by_a_kill_loses_only_itself(tmp_path):
    db, papers = _store(tmp_path)
    _queue_some(db, papers)
    with open(pending.pending_path(db), "ab") as fh:
        fh.write(b'{"id": "x", "op": "tag", "ids": ["')  # the appender was killed here
    pending.append(db, {"op": "mark", "ids": [papers[2]], "what": "skip", "created": "t"})
    conn = open_db(db)
    assert [e["op"] for e in userdata.queued(conn)] == ["tag", "note", "decide", "mark"]
    assert userdata.flush_pending(conn) == 4
    assert userdata.state(conn, papers[2]) == "skip"
    assert not pending.has_entries(db)


def test_the_next_write_applies_the_queue_first_in_order(tmp_path):
    db, papers = _store(tmp_path)
    now = "2026-01-01T00:00:00.000000Z"
    pending.append(db, {"op": "tag", "ids": [papers[0]], "tags": ["x"], "created": now})
    pending.append(db, {"op": "untag", "ids": [papers[0]], "tags": ["x"]})
    conn = open_db(db)
    # a later tag x, written directly, comes after the queued tag and untag
    assert userdata.add_tags(conn, [papers[0]], ["x"]) == 1
    assert userdata.paper_tags(conn, papers[0]) == ["x"]
    assert not pending.has_entries(db)
    # a queued write for a paper no longer in the store is dropped, not retried
    pending.append(db, {"op": "note", "paper": "9999.99999", "text": "gone", "created": now})
    assert userdata.flush_pending(conn) == 1
    assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


def test_a_held_store_queues_an_undo_of_a_queued_decision(tmp_path, quick):
    db, papers = _store(tmp_path)
    conn = open_db(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        did = userdata.decide(conn, papers[0], "skip")
        assert isinstance(did, str)
        assert userdata.undo(conn, did) is None
        assert userdata.queued_decided(conn) == {papers[0]}
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert userdata.decide(conn, papers[1], "keep") == 2  # applies the queue first
    rows = [tuple(r) for r in conn.execute("SELECT id, paper_id, undone FROM decisions")]
    assert rows == [(1, papers[0], 1), (2, papers[1], 0)]
    assert conn.execute("SELECT count(*) FROM pending_applied").fetchone()[0] == 2


def test_watch_add_and_rm_and_tag_where_queue_too(tmp_path, cli, quick):
    db, papers = _store(tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        r = cli("watch", "add", "vid", "video", "--db", db)
        assert r.exit_code == 0 and "queued" in r.stderr, r.stderr
        r = cli("watch", "add", "old", "diffusion", "--db", db)
        r = cli("tag", "--where", "video", "seen-video", "--yes", "--db", db)
        assert r.exit_code == 0 and "queued" in r.stderr, r.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    r = cli("watch", "rm", "old", "--db", db)  # applies the queue first: old exists
    assert r.exit_code == 0 and "removed watch old" in r.stderr, r.stderr
    conn = open_db(db)
    assert [w[0] for w in conn.execute("SELECT name FROM watches")] == ["vid"]
    tagged = conn.execute("SELECT count(*) FROM tags WHERE tag = 'seen-video'").fetchone()[0]
    assert tagged == len(cli("list", "video", "-f", "ids", "--db", db).stdout.split()) > 0


def test_writes_queued_during_an_import_killed_are_applied_by_the_next_write(tmp_path, cli, quick):
    db, papers = _store(tmp_path)
    cmd = [sys.executable, "-m", "papertriage", "import", "-", "--db", str(db)]
    proc = subprocess.Popen(
        cmd, env=_env(tmp_path / "home"), stdin=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdin is not None
    proc.stdin.write(("\n".join(_kaggle_records(200)) + "\n").encode())
    proc.stdin.flush()
    try:
        for _ in range(3000):
            if _write_lock_held(db) or proc.poll() is not None:
                break
            threading.Event().wait(0.02)
        assert _write_lock_held(db)
        assert "queued" in cli("tag", papers[0], "kept-through-kill", "--db", db).stderr
    finally:
        proc.kill()  # SIGKILL: its transaction, with any queue applied in it, is gone
        proc.wait()
    assert "1 queued write " in cli("tags", "--db", db).stderr
    assert json.loads(cli("db", "info", "--json", "--db", db).stdout)["queued_writes"] == 1
    assert cli("mark", papers[1], "skip", "--db", db).exit_code == 0  # applies it first
    conn = open_db(db)
    tags = [tuple(r) for r in conn.execute("SELECT paper_id, tag FROM tags")]
    assert tags == [(papers[0], "kept-through-kill")]
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 20  # import undone
    assert not pending.has_entries(db)


def test_a_queued_watch_whose_name_was_taken_meanwhile_is_kept_under_a_free_name(tmp_path, cli):
    db, _ = _store(tmp_path)
    assert cli("watch", "add", "vid", "video", "--db", db).exit_code == 0
    conn = open_db(db)
    mine = dict(conn.execute("SELECT * FROM watches WHERE name = 'vid'").fetchone())
    other = {**mine, "query": "diffusion"}  # queued by a command that ran before the add
    pending.append(db, {"op": "watch_add", "watch": other})
    pending.append(db, {"op": "watch_add", "watch": other})  # the same write, twice
    pending.append(db, {"op": "watch_add", "watch": mine})  # the very watch that exists
    assert userdata.flush_pending(conn) == 3
    rows = conn.execute("SELECT name, query FROM watches ORDER BY name").fetchall()
    assert [tuple(r) for r in rows] == [("vid", "video"), ("vid-2", "diffusion")]


def test_a_backup_taken_while_writes_are_queued_holds_them(tmp_path, cli, quick):
    db, papers = _store(tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a long import holds the write lock
    try:
        assert "queued" in cli("tag", papers[0], "later", "--db", db).stderr
        assert "queued" in cli("note", papers[1], "read this", "--db", db).stderr
        copy = tmp_path / "copy.db"
        r = cli("db", "backup", str(copy), "--db", db)
        assert r.exit_code == 0, r.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    saved = sqlite3.connect(copy)
    assert saved.execute("SELECT paper_id, tag FROM tags").fetchall() == [(papers[0], "later")]
    assert saved.execute("SELECT text FROM notes").fetchall() == [("read this",)]
    assert saved.execute("SELECT count(*) FROM pending_applied").fetchone()[0] == 2
    assert saved.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert cli("list", "--db", copy, "-f", "ids").exit_code == 0  # a store papertriage opens


def test_records_of_applied_writes_are_pruned_after_a_month(tmp_path, cli):
    db, papers = _store(tmp_path)
    conn = open_db(db)
    with transaction(conn):
        conn.executemany(
            "INSERT INTO pending_applied (id, op, result, applied) VALUES (?, 'tag', 1, ?)",
            [("old", "2020-01-01T00:00:00.000000Z"), ("kept", "2020-01-01T00:00:00.000000Z"),
             ("recent", "2099-01-01T00:00:00.000000Z")],
        )  # fmt: skip
    lines = [  # the queue after a crash between a commit and emptying it, plus a new write
        {"id": "kept", "op": "tag", "ids": [papers[0]], "tags": ["x"], "created": "2020"},
        {"id": "new", "op": "tag", "ids": [papers[1]], "tags": ["y"], "created": "2026"},
    ]
    pending.pending_path(db).write_text("".join(json.dumps(e) + "\n" for e in lines))
    assert userdata.flush_pending(conn) == 1  # "kept" was applied already
    left = {r[0] for r in conn.execute("SELECT id FROM pending_applied")}
    assert left == {"kept", "recent", "new"}  # the month-old record not in the queue: gone
