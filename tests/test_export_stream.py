"""`export` streams the store a chunk at a time: its output must be what the writers
give for the same papers held in a list (date range, sections, BibTeX keys that
depend on every paper), whatever the chunk size."""

import io
import json

import pytest

from papertriage.export import readinglist
from papertriage.export import writers as writers
from papertriage.export.bibtex import citation_keys
from papertriage.find import selection
from papertriage.find.selection import Selection, select
from papertriage.store import userdata
from papertriage.store.db import open_db

HF = "hf_daily/2025-10-30.json"
KAGGLE = "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"


@pytest.fixture
def store(cli, fixture_path, stored):
    def build(db):
        for name in (HF, KAGGLE):
            assert cli("import", fixture_path(name), "--db", db).exit_code == 0
        # Papers whose BibTeX keys collide (same first author, year and first title
        # word), and one whose suffixed key would be another paper's plain key.
        same = [
            {
                "id": f"2301.0{n:04d}",
                "title": title,
                "abstract": f"About engines, part {n}.",
                "authors": ["Ada Lovelace"],
                "published": "2023-01-05",
                "primary_category": "cs.LG",
            }
            for n, title in enumerate(
                ["Engines of thought", "Engines II", "Engines, again", "Engines for all"]
            )
        ]
        same.append(
            {
                "id": "2301.09999",
                "title": "Enginesa",
                "abstract": "More engines.",
                "authors": ["Ada Lovelace"],
                "published": "2023-02-01",
                "primary_category": "cs.LG",
            }
        )
        path = db.parent / "same.json"
        path.write_text(json.dumps(same))
        assert cli("import", path, "--db", db).exit_code == 0
        tags = [("2301.00001", "later"), ("2301.00001", "ml"), ("2301.00002", "ml")]
        for pid, tag in tags:
            assert cli("tag", pid, tag, "--db", db).exit_code == 0
        assert cli("tag", "--where", "graph", "graphs", "--yes", "--db", db).exit_code == 0

    stored("export-stream", build)
    return cli


def listed(db_file, sel: Selection) -> list[dict]:
    conn = open_db(db_file)
    rows = select(conn, sel)
    tags = userdata.tags_for(conn, (r["id"] for r in rows))
    for row in rows:
        row["tags"] = tags.get(row["id"], [])
    return rows


@pytest.mark.parametrize("chunk", [1, 7, 1000])
@pytest.mark.parametrize("group_by", ["none", "tag", "date", "category"])
def test_markdown_is_the_writers_output_for_the_whole_list(
    store, db_file, monkeypatch, chunk, group_by
):
    monkeypatch.setattr(selection, "CHUNK", chunk)
    result = store("export", "--group-by", group_by, "--abstracts", "--title", "All")
    assert result.exit_code == 0, result.output
    rows = listed(db_file, Selection(limit=None))
    assert len(rows) > 200
    want = io.StringIO()
    about = readinglist.describe(Selection(limit=None))
    writers.write_markdown(rows, want, "All", about, writers.MarkdownOptions(True, False, group_by))
    assert result.stdout == want.getvalue()
    if group_by == "tag":
        assert "## ml (2)" in result.stdout and "## graphs (" in result.stdout


@pytest.mark.parametrize("chunk", [1, 5, 1000])
def test_bibtex_keys_match_the_in_memory_rule(store, db_file, monkeypatch, chunk):
    monkeypatch.setattr(selection, "CHUNK", chunk)
    result = store("export", "-f", "bibtex")
    assert result.exit_code == 0, result.output
    rows = listed(db_file, Selection(limit=None))
    want = io.StringIO()
    writers.write_bibtex(rows, want)
    assert result.stdout == want.getvalue()
    keys = citation_keys(rows)
    assert keys["2301.00000"] == "lovelace2023engines"
    # 2301.09999's own key is "lovelace2023enginesa", so the suffixes skip it
    assert keys["2301.09999"] == "lovelace2023enginesa"
    assert keys["2301.00001"] == "lovelace2023enginesb"
    assert keys["2301.00002"] == "lovelace2023enginesc"
    assert keys["2301.00003"] == "lovelace2023enginesd"


def test_stored_keys_equal_citation_keys(store, db_file, monkeypatch):
    monkeypatch.setattr(selection, "CHUNK", 3)
    conn = open_db(db_file)
    rows = selection.find(conn, Selection(limit=None)).rows
    stored = readinglist.citation_keys(rows)
    want = citation_keys(list(rows))
    assert dict(stored) == want
    assert len(set(want.values())) == len(want)


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_flat_formats_stream_every_paper_once_in_order(store, db_file, monkeypatch, fmt):
    monkeypatch.setattr(selection, "CHUNK", 4)
    result = store("export", "-f", fmt, "--sort", "upvotes")
    assert result.exit_code == 0, result.output
    rows = listed(db_file, Selection(limit=None, sort="upvotes"))
    if fmt != "csv":  # the JSON export carries the user's notes and decisions too
        mine = userdata.notes_and_decisions_for(open_db(db_file), (r["id"] for r in rows))
        for row in rows:
            row.update(mine.get(row["id"]) or {"notes": [], "decisions": []})
    want = io.StringIO()
    {"csv": writers.write_csv, "json": writers.write_json, "jsonl": writers.write_jsonl}[fmt](
        rows, want
    )
    # (csv writes \r\n; the test runner's stdout reads them back as \n)
    assert result.stdout.replace("\r\n", "\n") == want.getvalue().replace("\r\n", "\n")
    assert len({r["id"] for r in rows}) == len(rows) > 200


def test_rows_skip_a_paper_merged_away_after_the_keys_were_read(store, db_file):
    conn = open_db(db_file)
    rows = selection.find(conn, Selection(limit=5)).rows
    gone = next(iter(rows))["id"]
    conn.execute("DELETE FROM papers WHERE id = ?", [gone])
    assert len(rows) == 5  # the keys were read before
    assert [r["id"] for r in rows] == [r["id"] for r in select(conn, Selection(limit=5))][:4]
    assert gone not in {r["id"] for r in rows}


def test_limit_zero_exports_every_paper(store):
    every = store("export", "-f", "jsonl").stdout
    assert store("export", "-f", "jsonl", "-n", "0").stdout == every
    assert every.count("\n") > 200
    assert store("export", "-f", "jsonl", "-n", "3").stdout.count("\n") == 3
