"""Several processes at once: imports and a fetch write while others tag, mark, note,
list, filter and show. No 'database is locked' reaches anyone, no write is lost, and
readers only ever see whole transactions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from fetch_helpers import FixtureServer
from papertriage.importer.run import import_file
from papertriage.store import userdata
from papertriage.store.db import open_db
from papertriage.store.maintenance import check
from test_crash_safety import HF_DAY, _fetch_env, _hf_pages, _kaggle_records

WORKER = Path(__file__).parent / "concurrency_worker.py"
FIXTURES = Path(__file__).parent / "fixtures"
TAG_OPS = 120  # per tagger
TRIAGE_OPS = 60
READ_OPS = 80  # per reader


def test_writers_taggers_and_readers_at_once(tmp_path):
    records = _kaggle_records(2600)
    big1, big2 = tmp_path / "big1.jsonl", tmp_path / "big2.jsonl"
    big1.write_text("\n".join(records[:1300]) + "\n")
    big2.write_text("\n".join(records[1300:]) + "\n")
    db = tmp_path / "store.db"
    conn = open_db(db)
    import_file(conn, str(HF_DAY))
    papers = [r[0] for r in conn.execute("SELECT id FROM papers ORDER BY id")]
    conn.close()
    assert len(papers) == 20
    joined = ",".join(papers)

    bodies = _hf_pages()
    bodies["/rss/cs.LG+cs.CL"] = (
        FIXTURES / "arxiv_rss" / "rss_cs.LG_2026-04-27_trimmed3.xml"
    ).read_bytes()
    with FixtureServer(bodies=bodies, delays={"*": 0.01}) as server:
        env = _fetch_env(tmp_path / "home", server.url)
        roles = [
            ("writer", 0, [str(big1), "fetch:2026-08-12", str(big2)]),
            ("tagger1", TAG_OPS, [joined]),
            ("tagger2", TAG_OPS, [joined]),
            ("triage", TRIAGE_OPS, [joined]),
            ("reader1", READ_OPS, [joined]),
            ("reader2", READ_OPS, [joined]),
        ]
        procs = []
        for role, n, args in roles:
            out = tmp_path / f"{role}.json"
            cmd = [sys.executable, str(WORKER), role, str(db), str(n), str(out), *args]
            procs.append((role, out, subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE)))
        results = {}
        for role, out, proc in procs:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, f"{role}: {err.decode()[-2000:]}"
            results[role] = json.loads(out.read_text())

    # Nobody saw an error, a lock or a traceback.
    failures = {role: r["failures"] for role, r in results.items() if r["failures"]}
    assert failures == {}
    ops = {role: r["ops"] for role, r in results.items()}
    total = sum(ops.values())
    print(
        f"\nconcurrent operations: {total} {ops} in {max(r['seconds'] for r in results.values())} s"
    )
    assert total >= 2 * TAG_OPS + TRIAGE_OPS + 2 * READ_OPS
    slowest = {role: r["slowest"] for role, r in results.items()}
    print(f"slowest command per process (s): {slowest}")
    # Writes really met the imports' transactions: some waited for the lock, and got it.
    assert max(slowest["tagger1"], slowest["tagger2"], slowest["triage"]) > 0.05

    conn = open_db(db)
    assert check(conn).ok
    # No write lost: every tag (minus the ones untagged), every mark, every note.
    stored = {(p, t) for p, t in conn.execute("SELECT paper_id, tag FROM tags")}
    for role in ("tagger1", "tagger2"):
        for tag, pair in results[role]["done"]:
            assert {(p, tag) for p in pair} <= stored, (role, tag)
    done = [d for r in ("tagger1", "tagger2") for d in results[r]["done"]]
    assert len(stored) == sum(len(pair) for _, pair in done)
    assert len(done) == 2 * (TAG_OPS - TAG_OPS // 25)
    last_mark = dict(results["triage"]["done"])
    for pid, mark in last_mark.items():
        assert userdata.state(conn, pid) == (None if mark == "unread" else mark), pid
    assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == TRIAGE_OPS
    assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 2 * (TAG_OPS // 10)
    # Both imports and the fetch landed, once each.
    papers_now = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    assert papers_now == 20 + 2600 + (340 - 20) + 3
    outcomes = Counter(
        r[0] for r in conn.execute("SELECT kind FROM runs WHERE outcome != 'running'")
    )
    assert outcomes == {"import": 3, "fetch": 1}
    backup = open_db(Path(f"{db}.backup"))
    assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert backup.execute("SELECT count(*) FROM papers").fetchone()[0] >= 20 + 1300

    # Readers saw whole transactions only, and the store never shrank.
    for role in ("reader1", "reader2"):
        seen = results[role]["seen"]
        assert all(n in (0, 2) for kind, _, n in (s for s in seen if s[0] == "pair")), role
        counts = [s for s in seen if s[0] == "count"]
        assert all(now >= before for _, now, before in counts), role
        assert all(s[1] is not None for s in seen if s[0] == "show"), role
    os.remove(f"{db}.backup")


_WRITE_AND_CLOSE = """
import sys
from papertriage.store.db import open_db, transaction
conn = open_db(sys.argv[1])
with transaction(conn):
    conn.execute("INSERT INTO tags (paper_id, tag) VALUES ('2410.12345', 'other')")
conn.close()
"""


def test_opening_the_store_twice_keeps_the_first_connections_locks(tmp_path):
    """Opening the store again in the same process must not drop the POSIX locks of the
    connections already open (a plain open()+close() of the file did: then another
    process, closing last, checkpointed and deleted the WAL under them; with writers
    busy at the same time that corrupted the store)."""
    db_file = tmp_path / "papers.db"
    first = open_db(db_file)
    assert first.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
    open_db(db_file).close()
    subprocess.run([sys.executable, "-c", _WRITE_AND_CLOSE, str(db_file)], check=True)
    # This process still has the store open, so the other one must not have removed the WAL.
    assert db_file.with_name(db_file.name + "-wal").exists()
    assert first.execute("SELECT count(*) FROM tags").fetchone()[0] == 1
    assert first.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
