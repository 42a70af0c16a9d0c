"""Ranking in bounded memory: iter_ranked (heap or on-disk sort), rows a chunk at a time,
and `rank -n 0` streaming every paper."""

from __future__ import annotations

import csv
import io
import json

import pytest

import test_rank
from papertriage.find.selection import Selection
from papertriage.rank import ranking as rank
from papertriage.rank.profile import Profile
from papertriage.rank.ranking import iter_ranked, rank_selection, score_papers, with_rows
from papertriage.store.queries import list_papers
from test_rank import FULL, keep, write_config

base_store, store = test_rank.base_store, test_rank.store  # the fixtures: 541 papers

# Only categories and upvotes: many papers tie on score, so the tie order is tested too.
TIES = {"upvotes": 1, "stars": 0, "recency": 0, "learned": 0, "categories": {"math.*": 1}}


def in_memory(conn, prof: Profile, sel: Selection | None = None) -> list[tuple[float, str]]:
    """Every paper's score, sorted in memory (score_papers: -score, -day, id)."""
    if sel is None:
        rows = list_papers(conn, limit=None)
    else:
        from papertriage.find.selection import select

        rows = select(conn, sel._replace(limit=None))
    return [(s, row["id"]) for s, row in score_papers(conn, rows, prof)]


def ids_of(conn, ranked) -> list[tuple[float, str]]:
    return [(s, row["id"]) for s, row in with_rows(conn, ranked)]


@pytest.fixture
def path_taken(monkeypatch):
    """Which way iter_ranked sorted: 'heap' or 'disk'."""
    taken: list[str] = []
    heap, disk = rank._from_heap, rank._from_disk

    def spy_heap(*args):
        taken.append("heap")
        return heap(*args)

    def spy_disk(*args):
        taken.append("disk")
        return disk(*args)

    monkeypatch.setattr(rank, "_from_heap", spy_heap)
    monkeypatch.setattr(rank, "_from_disk", spy_disk)
    return taken


@pytest.mark.parametrize("values", [FULL, TIES], ids=["full", "ties"])
@pytest.mark.parametrize("sort_in_memory", [0, 10**6], ids=["disk", "heap"])
@pytest.mark.parametrize(
    ("limit", "offset"), [(None, 0), (None, 37), (25, 0), (40, 120), (1000, 0)]
)
def test_iter_ranked_is_the_in_memory_order(
    store, monkeypatch, path_taken, values, sort_in_memory, limit, offset
):
    keep(store, ["1204.3980", "1209.2530"])
    prof = Profile.from_dict(values)
    expected = in_memory(store, prof)
    assert len(expected) == store.execute("SELECT count(*) FROM papers").fetchone()[0] > 500
    if values is TIES:  # many ties: their order (newer first, then id) is tested too
        assert len({s for s, _ in expected}) < 50
    monkeypatch.setattr(rank, "SORT_IN_MEMORY", sort_in_memory)
    got = ids_of(store, iter_ranked(store, Selection(), limit, offset, prof))
    end = None if limit is None else offset + limit
    assert got == expected[offset:end]
    heap = limit is not None and sort_in_memory > 0
    assert path_taken == ["heap" if heap else "disk"]


def test_iter_ranked_follows_the_selection(store, monkeypatch):
    prof = Profile.from_dict(TIES)
    sel = Selection(query="graphs OR quantum", categories=["math"])
    expected = in_memory(store, prof, sel)
    assert 5 < len(expected) < 100
    monkeypatch.setattr(rank, "SORT_IN_MEMORY", 0)
    assert ids_of(store, iter_ranked(store, sel, None, 0, prof)) == expected
    monkeypatch.setattr(rank, "SORT_IN_MEMORY", 100)
    assert ids_of(store, iter_ranked(store, sel, 5, 2, prof)) == expected[2:7]


def test_iter_ranked_yields_scores_and_row_keys(store):
    prof = Profile.from_dict(FULL)
    [(score, pk)] = list(iter_ranked(store, Selection(), 1, 0, prof))
    best = in_memory(store, prof)[0]
    assert score == best[0]  # the same float, not only close
    assert store.execute("SELECT id FROM papers WHERE pk = ?", [pk]).fetchone()[0] == best[1]


def sort_tables(conn) -> list[str]:
    sql = "SELECT name FROM temp.sqlite_master WHERE name LIKE 'rank_sorted_%'"
    return [r[0] for r in conn.execute(sql)]


def test_the_sort_table_is_dropped_when_done_or_abandoned(store, monkeypatch):
    monkeypatch.setattr(rank, "SORT_IN_MEMORY", 0)
    prof = Profile.from_dict(FULL)
    ranked = iter_ranked(store, Selection(), None, 0, prof)
    first = next(ranked)
    assert len(sort_tables(store)) == 1
    ranked.close()  # the reader stopped early
    assert sort_tables(store) == []
    assert len(list(iter_ranked(store, Selection(), None, 0, prof))) == len(in_memory(store, prof))
    assert sort_tables(store) == []
    assert first[0] == in_memory(store, prof)[0][0]


def test_the_on_disk_sort_can_spill_to_files(store):
    """SQLite's sorter and TEMP tables go to temporary files unless temp_store is MEMORY."""
    assert store.execute("PRAGMA temp_store").fetchone()[0] != 2
    options = [r[0] for r in store.execute("PRAGMA compile_options")]
    assert "TEMP_STORE=3" not in options


def test_rows_are_read_a_chunk_at_a_time_and_gone_papers_left_out(store):
    prof = Profile.from_dict(FULL)
    ranked = list(iter_ranked(store, Selection(), 30, 0, prof))
    gone = ranked[4][1]
    store.execute("DELETE FROM papers WHERE pk = ?", [gone])
    rows = list(with_rows(store, ranked, chunk=7))
    assert [pk for _s, pk in ranked if pk != gone] == [
        store.execute("SELECT pk FROM papers WHERE id = ?", [row["id"]]).fetchone()[0]
        for _s, row in rows
    ]
    assert [s for s, _ in rows] == [s for s, pk in ranked if pk != gone]
    one = list_papers(store, ["id = ?"], [rows[0][1]["id"]])[0]
    assert list(rows[0][1].items()) == list(one.items())  # as list_papers: fields, order


def test_rank_selection_with_no_limit_is_everything_in_order(store, monkeypatch):
    prof = Profile.from_dict(TIES)
    monkeypatch.setattr(rank, "ROW_CHUNK", 11)
    got = rank_selection(store, Selection(), prof, limit=None)
    assert [(s, r["id"]) for s, r in got] == in_memory(store, prof)


# -- the command ------------------------------------------------------------------------


def config_ties(tmp_path) -> Profile:
    write_config(
        tmp_path, "rank:\n  upvotes: 1\n  stars: 0\n  recency: 0\n  categories: {math.*: 1}\n"
    )
    return Profile.from_dict({**TIES, "learned": Profile().learned})


@pytest.mark.parametrize("sort_in_memory", [0, 10**6], ids=["disk", "heap"])
def test_rank_all_as_jsonl_lists_every_paper_once_in_score_order(
    store, cli, tmp_path, monkeypatch, sort_in_memory
):
    prof = config_ties(tmp_path)
    monkeypatch.setattr(rank, "ROW_CHUNK", 50)
    monkeypatch.setattr(rank, "SORT_IN_MEMORY", sort_in_memory)
    result = cli("rank", "-n", "0", "-f", "jsonl")  # no recent paper: rank takes them all
    assert result.exit_code == 0, result.output
    assert "ranking all 541 papers" in result.stderr  # the undated ones too
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    ids = [d["id"] for d in lines]
    assert len(ids) == len(set(ids)) == store.execute("SELECT count(*) FROM papers").fetchone()[0]
    expected = in_memory(store, prof)
    assert ids == [pid for _s, pid in expected]
    assert [d["score"] for d in lines] == [round(s, 3) for s, _ in expected]
    listed = list_papers(store, ["id = ?"], [ids[0]])[0]
    assert lines[0] == {"score": round(expected[0][0], 3), **listed}
    assert list(lines[0]) == ["score", *listed]


def test_rank_all_in_other_formats(store, cli, tmp_path, monkeypatch):
    prof = config_ties(tmp_path)
    monkeypatch.setattr(rank, "SORT_IN_MEMORY", 0)
    expected = [pid for _s, pid in in_memory(store, prof)]
    args = ("rank", "-n", "0")
    assert cli(*args, "-f", "ids").stdout.split() == expected
    data = json.loads(cli(*args, "-f", "json").stdout)
    assert [d["id"] for d in data] == expected
    rows = list(csv.reader(io.StringIO(cli(*args, "-f", "csv").stdout)))
    assert rows[0][:2] == ["score", "id"] and [r[1] for r in rows[1:]] == expected
    plain = cli(*args).stdout.splitlines()  # not a terminal: tab-separated
    assert [line.split("\t")[1] for line in plain] == expected
    page = cli("rank", "-n", "3", "--offset", "100", "-f", "ids")
    assert page.stdout.split() == expected[100:103]


def test_the_on_disk_sort_inside_a_write_transaction_leaves_it_open(store, monkeypatch):
    from papertriage.store.db import transaction

    monkeypatch.setattr(rank, "SORT_IN_MEMORY", 0)
    prof = Profile.from_dict(TIES)
    with transaction(store):
        store.execute("UPDATE papers SET hf_upvotes = 1000000 WHERE id = '1204.3980'")
        ranked = ids_of(store, iter_ranked(store, Selection(), 3, 0, prof))
        assert ranked[0][1] == "1204.3980"  # sees the transaction's own change
        assert store.in_transaction  # the sort's savepoints did not commit it
    assert sort_tables(store) == []


@pytest.mark.parametrize("sort_in_memory", [0, 10**6], ids=["disk", "heap"])
def test_a_stream_of_many_batches_scores_small_ones_on_a_scratch_table(
    store, monkeypatch, sort_in_memory
):
    """A streamed selection read a few rows at a time, each batch small enough for a
    scratch table: dropping one per batch while the selection was still being read
    failed ("database table is locked"); the ranker now empties one table instead."""
    from papertriage.rank import ranker

    keep(store, ["1204.3980", "1209.2530"])
    prof = Profile.from_dict(FULL)
    expected = in_memory(store, prof)
    monkeypatch.setattr(rank, "SORT_IN_MEMORY", sort_in_memory)
    monkeypatch.setattr(ranker, "STREAM_BATCH", 50)
    created = []
    scratch = ranker.Scratch

    def counting(*args, **kwargs):
        created.append(1)
        return scratch(*args, **kwargs)

    monkeypatch.setattr(ranker, "Scratch", counting)
    limit = None if sort_in_memory == 0 else 1000
    assert ids_of(store, iter_ranked(store, Selection(), limit, 0, prof)) == expected
    assert len(created) == 1  # one table for the 11 batches
    left = "SELECT name FROM temp.sqlite_master WHERE name LIKE 'rank_scratch_%'"
    assert [tuple(r) for r in store.execute(left).fetchall()] == []  # dropped once read
