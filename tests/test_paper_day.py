"""A paper's day, defined once in SQL (the store's `day` column) and once in Python
(models.paper_day): the two agree, and every command means that day."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import FUZZ
from papertriage.models import paper_day
from papertriage.rank.ranking import explain
from papertriage.store.db import open_db

HF = "hf_daily/2025-10-30.json"  # featured on 2025-10-30, first submitted 10-27 to 10-29
KAGGLE = "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"  # no HF day

dates = st.one_of(
    st.none(),
    st.just(""),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    # any other text but control characters (SQLite's substr stops at a NUL)
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    conn = open_db(tmp_path_factory.mktemp("day") / "papers.db")
    yield conn
    conn.close()


@FUZZ
@given(published=dates, featured=dates, first_seen=dates)
def test_the_sql_day_is_the_python_day(scratch, published, featured, first_seen):
    row = {"published": published, "hf_featured": featured, "first_seen": first_seen}
    scratch.execute("SAVEPOINT t")
    try:
        scratch.execute(
            "INSERT INTO papers (id, published, hf_featured, first_seen) VALUES ('x', ?, ?, ?)",
            [published, featured, first_seen],
        )
        [stored] = scratch.execute("SELECT day FROM papers WHERE id = 'x'").fetchone()
    finally:
        scratch.execute("ROLLBACK TO t")
        scratch.execute("RELEASE t")
    assert stored == paper_day(row)


def test_the_day_is_the_later_of_arxiv_and_hf_else_first_seen():
    assert paper_day({"published": "2025-10-28", "hf_featured": "2025-10-30"}) == "2025-10-30"
    assert paper_day({"published": "2025-11-02", "hf_featured": "2025-10-30"}) == "2025-11-02"
    assert paper_day({"published": "2024-01-05T10:00:00Z"}) == "2024-01-05"
    assert paper_day({"first_seen": "2026-01-02T07:30:00+00:00"}) == "2026-01-02"
    assert paper_day({}) is None


@pytest.fixture
def store(cli, fixture_path, db_file):
    for name in (HF, KAGGLE):
        assert cli("import", fixture_path(name)).exit_code == 0
    return db_file


def test_since_finds_papers_featured_on_hf_that_day(cli, store):
    # 2510.24824 was first submitted on 2025-10-28 and featured on HF on 2025-10-30.
    found = cli("filter", "--since", "2025-10-30", "-n", "0", "-f", "ids").stdout.split()
    assert "2510.24824" in found and len(found) == 20
    assert "2510.24824" not in cli("filter", "--until", "2025-10-29", "-f", "ids").stdout


def test_every_command_shows_and_sorts_by_that_day(cli, store):
    conn = open_db(store)
    days = dict(conn.execute("SELECT id, day FROM papers"))
    listed = cli("list", "-n", "0").stdout.splitlines()  # piped: id, date, ... by tabs
    shown = {line.split("\t")[0]: line.split("\t")[1] for line in listed}
    assert shown == days
    assert [line.split("\t")[1] for line in listed] == sorted(days.values(), reverse=True)
    exported = cli("export", "--until", "2025-12-31", "--since", "2025-10-30").stdout
    assert exported.count("· 2025-10-30 ·") == 20
    featured = explain(conn, "2510.24824")
    recency = [c for c in featured.contributions if c.part == "recency"]
    assert not recency or "2025-10-30" in recency[0].why
    rows = json.loads(cli("list", "-n", "0", "-f", "json").stdout)
    assert {r["id"]: paper_day(r) for r in rows} == days
