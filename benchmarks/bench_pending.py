"""The user's writes while another process holds the store (store/pending.py).

    uv run python benchmarks/bench_pending.py [--writes 1000] [--papers 2600]

A store of real Kaggle records (tests/fixtures, varied ids), held by another
connection's open write transaction as a long import holds it. Measured: how long a
real `papertriage tag` (a fresh process) takes, unheld and held (the difference is the
wait before it is queued); the same for `tag` while writes are queued already; then
how long appending N queued writes (tags, notes, decisions, marks) takes, and how
long applying them all takes once the store is free (`flush_pending`: one transaction).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
KAGGLE = (
    HERE.parent
    / "tests"
    / "fixtures"
    / "arxiv_kaggle"
    / "arxiv-metadata-oai-snapshot_head200.jsonl"
)


def _records(n: int) -> list[str]:
    real = KAGGLE.read_text().splitlines()
    out = []
    for i in range(n):
        record = json.loads(real[i % len(real)])
        record["id"] = f"2301.{i + 1:05d}"
        out.append(json.dumps(record))
    return out


def _cli(db: Path, *args: str) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "papertriage", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    return time.monotonic() - start, done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--papers", type=int, default=2600)
    args = parser.parse_args()

    from papertriage.importer.run import import_file
    from papertriage.store import pending, userdata
    from papertriage.store.db import open_db

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "papers.db"
        source = Path(tmp) / "papers.jsonl"
        source.write_text("\n".join(_records(args.papers)) + "\n")
        conn = open_db(db)
        import_file(conn, str(source))
        ids = [r[0] for r in conn.execute("SELECT id FROM papers ORDER BY id")]
        print(f"store: {len(ids)} papers")

        free, _ = _cli(db, "tag", ids[0], "free")
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # as an import holds it
        held, said = _cli(db, "tag", ids[1], "held")
        again, _ = _cli(db, "tag", ids[2], "held-again")
        print(f"tag, store free: {free:.2f} s")
        print(f"tag, store held: {held:.2f} s (+{held - free:.2f} s waiting), then: {said}")
        print(f"tag, store held, writes queued already: {again:.2f} s (+{again - free:.2f} s)")

        ops = []
        for i in range(args.writes):
            pid = ids[i % len(ids)]
            kind = i % 10
            if kind < 4:
                ops.append({"op": "tag", "ids": [pid], "tags": [f"t{i % 50}"], "created": "x"})
            elif kind < 6:
                ops.append({"op": "note", "paper": pid, "text": f"note {i}", "created": "x"})
            elif kind < 9:
                ops.append({"op": "decide", "paper": pid, "decision": "keep", "created": "x"})
            else:
                ops.append({"op": "mark", "ids": [pid], "what": "read", "created": "x"})
        start = time.monotonic()
        for op in ops:
            pending.append(db, op)
        appended = time.monotonic() - start
        print(f"append {len(ops)} queued writes (fsync each): {appended:.2f} s")
        holder.execute("ROLLBACK")
        holder.close()

        start = time.monotonic()
        applied = userdata.flush_pending(conn)
        took = time.monotonic() - start
        print(f"apply {applied} queued writes (+2 from tag): {took:.2f} s, one transaction")
        assert not pending.has_entries(db)


if __name__ == "__main__":
    main()
