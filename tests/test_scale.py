"""Big imports: the per-batch index path (bulkload.py) gives the same store as the per-row
triggers; an import killed half way leaves the store as it was and runs again without
duplicates; nothing grows with the file; Kaggle sightings don't store the text twice."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import papertriage.importer.run as importer
from papertriage.importer.run import import_file
from papertriage.sources import kaggle
from papertriage.store import bulkload, ingest
from papertriage.store.db import open_db
from papertriage.store.queries import raw_items

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
import generate  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
KAGGLE = FIXTURES / "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"
SAME_ROW = "id, version, title, abstract, authors, categories, comment, doi, published, updated"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """3,000 generated records, then 300 of them again as a newer version with a new title
    (so a later batch updates rows an earlier batch of the same import inserted)."""
    path = tmp_path_factory.mktemp("corpus") / "kaggle.jsonl"
    generate.generate(3000, path, workers=1, fixtures=FIXTURES)
    lines = path.read_text().splitlines()
    again = []
    for line in lines[:300]:
        rec = json.loads(line)
        rec["title"] = "Revised: " + rec["title"]
        rec["versions"].append({"version": "v9", "created": "Mon, 1 Jan 2024 00:00:00 GMT"})
        again.append(json.dumps(rec))
    path.write_text("\n".join(lines + again) + "\n")
    return path


def load(db: Path, path: Path, bulk: bool, monkeypatch) -> None:
    monkeypatch.setattr(importer, "BULK_MIN_BYTES", 0 if bulk else 10**15)
    conn = open_db(db)
    import_file(conn, str(path))
    conn.close()


def snapshot(db: Path) -> dict:
    """Everything a bulk import could get wrong: rows, raw items, every FTS5 index (its
    answers, its config, its integrity against the papers table) and the triggers."""
    conn = open_db(db)
    words = ["model", "quantum", '"neural network"', "graph", generate.rare_word(40)]
    fts = [
        name
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        if bulkload._FTS5.search(sql or "")
    ]
    out = {
        "papers": conn.execute(f"SELECT {SAME_ROW} FROM papers ORDER BY pk").fetchall(),
        "raw": conn.execute("SELECT paper_id, raw FROM sightings ORDER BY paper_id").fetchall(),
        "triggers": conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        ).fetchall(),
        "indexes": conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall(),
        "categories": conn.execute(
            "SELECT paper_pk, category FROM paper_categories ORDER BY paper_pk, category"
        ).fetchall(),
        "integrity": conn.execute("PRAGMA integrity_check").fetchall(),
    }
    for table in fts:
        out[table] = [
            [
                r[0]
                for r in conn.execute(
                    f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid", [w]
                )
            ]
            for w in words
        ]
        out[f"{table} config"] = conn.execute(  # an explicit default hashsize is no hashsize
            f"SELECT * FROM {table}_config WHERE (k, v) != ('hashsize', 1048576) ORDER BY k"
        ).fetchall()
        # rank=1 also compares the index with the papers table it indexes
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")
    conn.close()
    assert {"papers_fts", "papers_title_fts"} <= set(fts)
    return {k: [tuple(r) for r in v] if isinstance(v, list) else v for k, v in out.items()}


def test_bulk_import_builds_the_store_the_triggers_build(corpus, tmp_path, monkeypatch):
    load(tmp_path / "rows.db", corpus, False, monkeypatch)
    load(tmp_path / "bulk.db", corpus, True, monkeypatch)
    rows, bulk = snapshot(tmp_path / "rows.db"), snapshot(tmp_path / "bulk.db")
    assert bulk == rows
    assert len(bulk["papers"]) == 3000 and bulk["papers"][0][2].startswith("Revised: ")
    assert all(bulk["papers_fts"]), bulk["papers_fts"]  # every word finds something
    assert {name for name, _ in bulk["triggers"]} >= {
        "papers_ai", "papers_title_ai", "papers_categories_ai"
    }  # fmt: skip
    assert {name for name, _ in bulk["indexes"]} >= set(bulkload.DEFERRED_INDEXES)
    assert [k for k, _ in bulk["papers_fts config"]] == ["version"]


@pytest.mark.parametrize("rebuild", [True, False])
def test_bulk_import_into_a_store_that_has_papers(corpus, tmp_path, monkeypatch, rebuild):
    """Indexes the import doesn't read are rebuilt at the end when the file is big next to
    the store (rebuild), else kept and updated row by row: the same store either way."""
    head = tmp_path / "head.jsonl"
    head.write_text("".join(corpus.read_text().splitlines(keepends=True)[1000:1500]))
    monkeypatch.setattr(bulkload, "RECORD_BYTES", 1600 if rebuild else 10**9)
    dropped = []
    finish = bulkload.DeferredIndex.finish

    def spy(self):
        dropped.extend(self.indexes)
        finish(self)

    monkeypatch.setattr(bulkload.DeferredIndex, "finish", spy)
    for name, bulk in (("rows.db", False), ("bulk.db", True)):
        load(tmp_path / name, KAGGLE, False, monkeypatch)
        load(tmp_path / name, head, False, monkeypatch)
        load(tmp_path / name, corpus, bulk, monkeypatch)
    rows, bulk = snapshot(tmp_path / "rows.db"), snapshot(tmp_path / "bulk.db")
    assert bulk == rows and len(bulk["papers"]) == 3200
    assert len(dropped) == (len(bulkload.DEFERRED_INDEXES) if rebuild else 0)
    assert bulk["integrity"] == [("ok",)] and len(bulk["categories"]) > 3200


KILLABLE = """
import sys, time
import papertriage.importer.run as importer
from papertriage.store.ingest import Ingest
importer.BULK_MIN_BYTES = 0
add, marker = Ingest.add, sys.argv[1] + ".batch"
def slow_add(self, batch):
    add(self, batch)
    open(marker, "w").close()  # a batch is written, not committed
    time.sleep(60)
Ingest.add = slow_add
sys.argv = ["papertriage", "import", sys.argv[2], "--db", sys.argv[1]]
from papertriage.cli.app import main
main()
"""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _wait_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in pids):
        assert time.monotonic() < deadline, f"worker processes {pids} outlived the import"
        time.sleep(0.05)


def test_killed_import_leaves_the_store_as_it_was_and_runs_again(corpus, tmp_path, cli):
    db = tmp_path / "store.db"
    assert cli("import", KAGGLE, "--db", db).exit_code == 0
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, str(db), str(corpus)])
    deadline = time.monotonic() + 120
    while not (tmp_path / "store.db.batch").exists():
        assert proc.poll() is None and time.monotonic() < deadline, "import did not start"
        time.sleep(0.05)
    assert Path(f"{db}-wal").stat().st_size > 1_000_000  # the batch really was written
    workers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    _wait_gone(workers)  # the forked parser does not outlive the killed import

    conn = open_db(db)
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 200
    assert conn.execute("SELECT count(*) FROM runs WHERE outcome = 'running'").fetchone()[0] == 0
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'papers_ai'").fetchone()
    conn.close()

    result = cli("import", corpus, "--db", db)
    assert result.exit_code == 0 and "read 3300, new 3000" in result.stderr
    assert cli("import", corpus, "--db", db).exit_code == 0  # and again: nothing new
    conn = open_db(db)
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    assert (
        one("SELECT count(*) FROM papers") == one("SELECT count(DISTINCT id) FROM papers") == 3200
    )
    assert one("SELECT count(*) FROM sightings") == 3200
    assert one("SELECT count(*) FROM papers WHERE title LIKE 'Revised: %'") == 300
    conn.execute("INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)")


def test_new_ids_keep_only_the_first(conn, monkeypatch):
    monkeypatch.setattr(ingest, "NEW_IDS_KEPT", 5)
    result = import_file(conn, str(KAGGLE))
    assert result.counts["new"] == 200 and result.new_ids == ["0704.0001", *result.new_ids[1:]]
    assert len(result.new_ids) == 5


def test_new_stores_use_16k_pages(conn):
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 16384


def test_kaggle_sightings_leave_the_text_to_the_row(conn):
    import_file(conn, str(KAGGLE))
    lines = KAGGLE.read_text().splitlines()
    stored = dict(conn.execute("SELECT paper_id, raw FROM sightings").fetchall())
    assert sum(map(len, stored.values())) < 0.4 * sum(map(len, lines))
    for n, line in enumerate(lines, 1):
        record = json.loads(line)
        pid = record["id"]
        assert "abstract" not in json.loads(stored[pid])
        restored = raw_items(conn, pid)[0]["raw"]
        assert restored["submitter"] == record["submitter"]
        assert restored["versions"] == record["versions"]
        # normalizing what the store kept gives the paper the line gave
        assert kaggle.record_to_paper(restored, "x", n) == kaggle.record_to_paper(record, "x", n)


def test_kaggle_sighting_keeps_a_title_the_row_does_not_have(conn, tmp_path):
    record = json.loads(KAGGLE.read_text().splitlines()[0])
    newer = dict(record, title="A Newer Title", versions=[*record["versions"], {"version": "v5"}])
    (tmp_path / "newer.jsonl").write_text(json.dumps(newer) + "\n")
    (tmp_path / "older.jsonl").write_text(json.dumps(record) + "\n")
    import_file(conn, str(tmp_path / "newer.jsonl"), "kaggle")
    import_file(conn, str(tmp_path / "older.jsonl"), "kaggle")
    assert conn.execute("SELECT title FROM papers").fetchone()[0] == "A Newer Title"
    restored = raw_items(conn, "0704.0001")[0]["raw"]
    assert restored["title"].startswith("Calculation of prompt diphoton production")
    assert restored["abstract"].startswith("A fully differential calculation")  # same in the row


def test_a_bad_line_in_a_big_file_names_its_line_and_changes_nothing(
    corpus, tmp_path, cli, monkeypatch
):
    lines = corpus.read_text().splitlines()
    lines[2500] = lines[2500][:100]  # cut off: broken JSON in the second batch
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(importer, "BULK_MIN_BYTES", 0)  # parsed by the worker process
    result = cli("import", bad)
    assert result.exit_code == 1
    assert f"Error: {bad}:2501: broken JSON line" in result.stderr
    conn = open_db(tmp_path / "home" / "papers.db")
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'papers_ai'").fetchone()


def test_bulk_import_gives_the_connection_back_as_it_was(corpus, conn, monkeypatch):
    monkeypatch.setattr(importer, "BULK_MIN_BYTES", 0)
    conn.execute("PRAGMA cache_size = -3000")
    import_file(conn, str(corpus))
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == -3000
    assert conn.execute("SELECT v FROM papers_fts_config WHERE k = 'hashsize'").fetchone()[0] == (
        1024 * 1024
    )


@pytest.mark.parametrize("where", ["in the store", "in the file"])
def test_a_bulk_import_builds_the_title_index_when_a_merge_reads_it(tmp_path, monkeypatch, where):
    """The title-key index is dropped for a big import like the other deferred ones, and
    built at the first look-up by title (a provisional paper in the store or in the file),
    so those merges stay index look-ups: the same store as the row path's."""
    page = FIXTURES / "hf_page/papers_page_text_2025-12-15_first28.txt"
    listing = tmp_path / "listing.json"
    items = json.loads((FIXTURES / "hf_daily/2025-10-30.json").read_text())
    item = items[0]
    item["paper"].update(id="2510.13928", title='LLMs Can Get "Brain Rot"!')
    item["title"] = item["paper"]["title"]
    listing.write_text(json.dumps(items))
    built = []
    need = bulkload.DeferredIndex.need

    def spy(self, name):
        had = name in self.indexes
        need(self, name)
        built.append((name, had))

    monkeypatch.setattr(bulkload.DeferredIndex, "need", spy)
    monkeypatch.setattr(bulkload, "RECORD_BYTES", 1)  # every file counts as big
    stores = {}
    for bulk in (False, True):
        db = tmp_path / f"{bulk}.db"
        if where == "in the store":
            load(db, page, False, monkeypatch)
            load(db, listing, bulk, monkeypatch)
        else:
            load(db, listing, False, monkeypatch)
            load(db, page, bulk, monkeypatch)
        stores[bulk] = snapshot(db)
        conn = open_db(db)
        aliases = conn.execute("SELECT alias, paper_id FROM aliases ORDER BY alias").fetchall()
        stores[bulk]["aliases"] = [tuple(r) for r in aliases]
        conn.close()
    assert stores[True] == stores[False]
    if where == "in the store":  # the pasted paper took its real id
        assert "2510.13928" in [pid for _alias, pid in stores[True]["aliases"]]
    assert (bulkload.TITLE_INDEX, True) in built  # built on first need, not at the end
    names = {name for name, _ in stores[True]["indexes"]}
    assert bulkload.TITLE_INDEX in names
