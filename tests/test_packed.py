"""Batches a big import's worker packs into a database of their own (store.ingest.pack):
the writer copies new papers in with SQL, reads back the batches it must merge, and the
store comes out as the tuples make it; what pack can't carry goes as tuples."""

import json
import time
from pathlib import Path

import pytest

import papertriage.importer.run as importer
from papertriage.importer import parallel
from papertriage.importer.run import import_file
from papertriage.models import PAPER_COLUMNS
from papertriage.sources import kaggle
from papertriage.store.db import open_db, transaction
from papertriage.store.ingest import BATCH_SCHEMA, Ingest, Prepared, pack, prepare

FIXTURES = Path(__file__).parent / "fixtures"
KAGGLE = FIXTURES / "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"


def records() -> list[dict]:
    return [json.loads(line) for line in KAGGLE.read_text().splitlines()]


def prepared(recs: list[dict]) -> Prepared:
    return prepare([kaggle.record_to_paper(r, "x", n) for n, r in enumerate(recs)])


def test_pack_leaves_to_the_merge_in_python_what_it_cannot_carry():
    recs = records()[:6]
    batch = prepared(recs)
    packed = pack(batch)
    assert packed is not None
    assert packed.ids == [e[0][PAPER_COLUMNS.index("id")] for e in batch] and packed.sources == [
        "kaggle"
    ]
    assert pack(prepared([*recs, recs[2]])) is None  # an id twice
    page = Prepared([batch[0][:1] + ("hf-page",) + batch[0][2:], *batch[1:]])
    assert pack(page) is None  # a pasted page: the merge reads its raw item
    lone = Prepared([batch[0][:4] + ('{"a": "\ud800"}',) + batch[0][5:], *batch[1:]])
    assert pack(lone) is None  # SQLite can't take a lone surrogate: scrubbed by the writer
    row, at = batch[0][0], PAPER_COLUMNS.index("version")
    huge = Prepared([((*row[:at], 2**70, *row[at + 1 :]), *batch[0][1:]), *batch[1:]])
    assert pack(huge) is None


@pytest.mark.parametrize("keep_raw", [True, False])
def test_a_packed_batch_gives_the_store_the_tuples_give(tmp_path, keep_raw):
    recs = records()
    revised = [dict(r, title="Revised: " + str(r["title"])) for r in recs[80:120]]
    batches = [recs[:120], revised + recs[120:]]  # the second merges 40 papers, adds 80
    stores = {}
    for name in ("tuples", "packed"):
        conn = open_db(tmp_path / f"{name}.db")
        with transaction(conn):
            ingest = Ingest(conn, 1, keep_raw=keep_raw)
            for recs_ in batches:
                batch = prepared(recs_)
                ingest.add(pack(batch) or batch if name == "packed" else batch)
        ingest.close()
        assert BATCH_SCHEMA not in [r[1] for r in conn.execute("PRAGMA database_list")]
        stores[name] = (
            [_no_times(r) for r in conn.execute("SELECT * FROM papers ORDER BY pk")],
            [_no_times(r) for r in conn.execute("SELECT * FROM sightings ORDER BY rowid")],
            dict(ingest.counts),
            ingest.new_ids,
        )
        conn.close()
    assert stores["packed"] == stores["tuples"]
    papers, sightings, counts, new_ids = stores["packed"]
    assert counts == {"read": 240, "new": 200, "updated": 40}
    assert len(new_ids) == len(papers) == 200 and papers[80][3].startswith(
        "Revised: "
    )  # pk, id, version, title
    assert all((r[-1] is not None) == keep_raw for r in sightings)


def _no_times(row):
    """A row without the timestamps each Ingest takes from its own clock."""
    return tuple(
        v for k, v in zip(row.keys(), row, strict=True) if k not in ("first_seen", "last_seen")
    )


def _spy(monkeypatch, delay: float = 0.0) -> list[str]:
    """The kinds of batch the writer is handed (it takes `delay` s more for each)."""
    kinds: list[str] = []
    add = Ingest.add

    def spy(self, papers):
        kinds.append(type(papers).__name__)
        time.sleep(delay)
        add(self, papers)

    monkeypatch.setattr(Ingest, "add", spy)
    monkeypatch.setattr(importer, "BULK_MIN_BYTES", 0)
    monkeypatch.setattr(importer, "BATCH", 50)
    return kinds


def test_the_import_detaches_the_batches_database(tmp_path, monkeypatch):
    kinds = _spy(monkeypatch)
    monkeypatch.setattr(parallel, "PACK", True)
    conn = open_db(tmp_path / "p.db")
    result = import_file(conn, str(KAGGLE))
    assert kinds == ["Packed"] * 4 and result.counts["new"] == 200
    assert BATCH_SCHEMA not in [r[1] for r in conn.execute("PRAGMA database_list")]


@pytest.mark.parametrize("slow_writer", [True, False])
def test_the_worker_packs_while_batches_wait_for_the_writer(tmp_path, monkeypatch, slow_writer):
    """A writer that takes 0.2 s a batch has the worker's next batches waiting for it,
    so the worker packs them; a worker held back 0.2 s a batch never sees one waiting."""
    kinds = _spy(monkeypatch, delay=0.2 if slow_writer else 0.0)
    monkeypatch.setattr(importer, "BATCH", 25)
    monkeypatch.setattr(parallel, "PACK", "auto")
    if not slow_writer:
        prepare_ = parallel.prepare

        def slow_prepare(batch):
            time.sleep(0.2)
            return prepare_(batch)

        monkeypatch.setattr(parallel, "prepare", slow_prepare)
    conn = open_db(tmp_path / "p.db")
    import_file(conn, str(KAGGLE))
    assert len(kinds) == 8 and kinds[0] == "Prepared"
    assert ("Packed" in kinds) == slow_writer, kinds
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 200
