"""A paper's day, defined once in SQL (the store's `day` column) and once in Python
(models.paper_day): the two agree, and every command means that day."""

import json
from datetime import date

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


def test_the_day_is_the_later_of_arxiv_and_hf_else_none():
    assert paper_day({"published": "2025-10-28", "hf_featured": "2025-10-30"}) == "2025-10-30"
    assert paper_day({"published": "2025-11-02", "hf_featured": "2025-10-30"}) == "2025-11-02"
    assert paper_day({"published": "2024-01-05T10:00:00Z"}) == "2024-01-05"
    # the day a paper was imported is not its date: a missing date stays missing
    assert paper_day({"first_seen": "2026-01-02T07:30:00+00:00"}) is None
    assert paper_day({"published": "", "hf_featured": None}) is None
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
    assert shown == {pid: day or "—" for pid, day in days.items()}
    assert [line.split("\t")[1] for line in listed] == sorted(days.values(), reverse=True)
    exported = cli("export", "--until", "2025-12-31", "--since", "2025-10-30").stdout
    assert exported.count("· 2025-10-30 ·") == 20
    featured = explain(conn, "2510.24824")
    recency = [c for c in featured.contributions if c.part == "recency"]
    assert not recency or "2025-10-30" in recency[0].why
    rows = json.loads(cli("list", "-n", "0", "-f", "json").stdout)
    assert {r["id"]: paper_day(r) for r in rows} == days


# Real feeds that leave some papers without any date: the legacy RDF arXiv feed (55 of
# its 126 items carry no date) and a pasted HF papers page (2 of 28 lines have none).
UNDATED_RSS = "arxiv_rss/rss_old_rdf_math_2012-09-12.xml"
UNDATED_PAGE = "hf_page/papers_page_text_2025-12-15_first28.txt"


@pytest.fixture
def undated_store(cli, fixture_path, db_file):
    for name in (HF, UNDATED_RSS, UNDATED_PAGE):
        assert cli("import", fixture_path(name)).exit_code == 0
    conn = open_db(db_file)
    undated = {r[0] for r in conn.execute("SELECT id FROM papers WHERE day IS NULL")}
    dated = conn.execute("SELECT count(*) FROM papers WHERE day IS NOT NULL").fetchone()[0]
    conn.close()
    assert len(undated) == 57 and dated == 20 + 71 + 26
    return undated


def test_an_undated_paper_is_not_dated_the_day_it_was_imported(cli, undated_store):
    undated = undated_store
    listed = cli("list", "-n", "0").stdout.splitlines()
    cells = [line.split("\t") for line in listed]
    # newest first, the undated ones after every dated one, shown as a dash
    assert {c[0] for c in cells[-len(undated) :]} == undated
    assert {c[1] for c in cells[-len(undated) :]} == {"—"}
    assert all(c[1] != "—" for c in cells[: -len(undated)])
    assert cells[0][1] == "2025-12-07"  # the newest real date, not today
    assert cli("list", "--since", "today", "-f", "ids").stdout == ""
    assert cli("list", "--since", "7d", "-f", "ids").stdout == ""
    found = set(cli("list", "--until", "9999-12-31", "-n", "0", "-f", "ids").stdout.split())
    assert found and not found & undated
    found = set(cli("list", "--since", "1900-01-01", "-n", "0", "-f", "ids").stdout.split())
    assert found and not found & undated
    rows = json.loads(cli("list", "-n", "0", "-f", "json").stdout)
    assert {r["id"] for r in rows if paper_day(r) is None} == undated


def test_an_undated_paper_gets_no_recency_and_plain_rank_takes_everything(
    cli, undated_store, db_file
):
    out = cli("rank", "-n", "0", "-f", "json")
    assert out.exit_code == 0
    assert "nothing from the last 7 days: ranking all 174 papers" in out.stderr
    conn = open_db(db_file)
    some = sorted(undated_store)[0]
    [recency] = [c for c in explain(conn, some).contributions if c.part == "recency"]
    assert recency.points == 0 and recency.why == "no date"  # not "0 days old: full points"


def test_undated_papers_show_a_dash_and_invent_no_date_on_export(cli, undated_store):
    import io

    from papertriage.cli.render import paper_detail

    some = sorted(undated_store)[0]
    shown = cli("show", some)
    assert shown.exit_code == 0 and '"day": null' in shown.stdout
    screen = io.StringIO()
    paper_detail(json.loads(shown.stdout), screen, width=100)
    assert "      date  —\n" in screen.getvalue()
    md = cli("export", "-n", "0").stdout
    assert md.count(" · — · ") + md.count("  — — ") >= len(undated_store) - 2
    grouped = cli("export", "-n", "0", "--group-by", "date").stdout
    assert f"## Undated ({len(undated_store)})" in grouped
    bib = cli("export", f"id:{some}", "-f", "bibtex", "-n", "0")
    assert bib.exit_code == 0 and f"eprint = {{{some}}}" in bib.stdout
    assert f"year = {{{date.today().year}}}" not in bib.stdout  # not the year it was imported


def test_the_migration_forgets_the_import_day_and_keeps_user_data(tmp_path, monkeypatch):
    from papertriage.store import migrations

    path = tmp_path / "old.db"
    steps = migrations._STEPS
    until_m004 = [s for s in steps if s.__name__ <= "m004_paper_day"]
    monkeypatch.setattr(migrations, "_STEPS", until_m004)
    old = open_db(path)
    old.execute("INSERT INTO papers (id, first_seen) VALUES ('u', '2026-01-02T07:00:00Z')")
    old.execute("INSERT INTO papers (id, published, first_seen) VALUES ('d', '2025-01-01', 'x')")
    old.execute("INSERT INTO tags (paper_id, tag) VALUES ('u', 'keep')")
    assert dict(old.execute("SELECT id, day FROM papers")) == {"u": "2026-01-02", "d": "2025-01-01"}
    old.close()
    monkeypatch.setattr(migrations, "_STEPS", steps)
    conn = open_db(path)
    assert dict(conn.execute("SELECT id, day FROM papers")) == {"u": None, "d": "2025-01-01"}
    assert [tuple(r) for r in conn.execute("SELECT paper_id, tag FROM tags")] == [("u", "keep")]
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"idx_papers_day", "idx_papers_upvotes", "idx_papers_pk_sort"} <= indexes
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT pk FROM papers ORDER BY day DESC, id DESC LIMIT 5"
    ).fetchall()
    assert "idx_papers_day" in str([tuple(r) for r in plan])
    conn.close()
    from sqlite_utils import Database

    assert [r["day"] for r in Database(path)["papers"].rows_where(order_by="id")] == [
        "2025-01-01",
        None,
    ]


@pytest.mark.parametrize(
    "bounds",
    [
        {"since": "2025-01-01"},
        {"until": "2024-12-31"},
        {"since": "2012-01-01", "until": "2012-12-31"},
        {"since": "2099-01-01"},
    ],
)
def test_a_date_bound_with_few_matches_reads_the_day_index(
    undated_store, db_file, monkeypatch, bounds
):
    from papertriage.find import selection

    monkeypatch.setattr(selection, "WINDOW", 5)  # the newest 5 never fill the page
    conn = open_db(db_file)
    every = [(r[0], r[1]) for r in conn.execute("SELECT id, day FROM papers WHERE day IS NOT NULL")]
    lo, hi = bounds.get("since", "0000"), bounds.get("until", "9999")
    want = [i for i, d in sorted(every, key=lambda e: (e[1], e[0]), reverse=True) if lo <= d <= hi]
    sql: list[str] = []
    conn.set_trace_callback(sql.append)
    sel = selection.make_selection(**bounds, limit=1000)
    got = [r["id"] for r in selection.select(conn, sel)]
    conn.set_trace_callback(None)
    assert got == want and (got or bounds == {"since": "2099-01-01"})
    assert any("INDEXED BY idx_papers_day" in s and "pk_sort" not in s for s in sql)
    assert not any("idx_papers_pk_sort" in s for s in sql)
