"""The digest ranks the day's new papers a batch at a time, keeping only the best, and
writes what it wrote when it loaded every new paper and sorted them all."""

from __future__ import annotations

import io

import pytest

from fetch_helpers import FakeClock
from papertriage.digest.build import (
    Digest,
    build,
    latest_day,
    new_count,
    problems,
    run_ids,
    source_lines,
    write_digest,
)
from papertriage.export.writers import MarkdownOptions
from papertriage.rank import ranking as rank
from papertriage.rank.ranking import score_papers
from papertriage.store.db import open_db
from papertriage.store.queries import list_papers
from papertriage.store.userdata import tags_for

HF = "hf_daily/2025-10-30.json"  # 20 papers
KAGGLE = "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"  # 200 papers
TIES = (  # few distinct scores: the order of ties (newer first, then id) counts too
    "rank:\n  upvotes: 1\n  stars: 0\n  recency: 0\n  learned: 0\n"
    "  categories: {hep-*: 1, cs.*: 2}\n"
)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("papertriage.fetch.http.system_clock", lambda: fake)
    return fake


def loaded_then_sorted(conn, day: str, top: int) -> Digest:
    """The digest as built before: every new paper loaded, all of them sorted."""
    runs = run_ids(conn, day)
    marks = ", ".join("?" for _ in runs)
    papers = list_papers(conn, [f"first_run IN ({marks})"], runs, limit=None) if runs else []
    best = [row for _score, row in score_papers(conn, papers)][:top]
    tags = tags_for(conn, (p["id"] for p in best))
    for paper in best:
        paper["tags"] = tags.get(paper["id"], [])
    return Digest(day, len(papers), "score", best, source_lines(conn, day), problems(conn, day))


def markdown(digest: Digest) -> str:
    out = io.StringIO()
    write_digest(digest, out, "Papers digest", MarkdownOptions(True, True))
    return out.getvalue()


@pytest.fixture
def conn(cli, fixture_path, stored):
    """The store of the day, opened (this module's own: it is built before it opens)."""

    def build(db):
        for name in (HF, KAGGLE):
            result = cli("import", fixture_path(name), "--db", db)
            assert result.exit_code == 0, result.output
        c = open_db(db)
        c.execute("INSERT INTO tags (paper_id, tag, created) VALUES ('0704.0002', 'graphs', '')")
        c.close()

    c = open_db(stored("digest-stream", build))
    yield c
    c.close()


@pytest.fixture
def day(conn):
    return latest_day(conn)


@pytest.mark.parametrize("config", ["", TIES], ids=["default", "ties"])
@pytest.mark.parametrize("sort_in_memory", [0, 10**6], ids=["disk", "heap"])
@pytest.mark.parametrize("top", [1, 7, 219, 220, 500])
def test_the_digest_is_what_loading_everything_gave(
    conn, day, db_file, monkeypatch, config, sort_in_memory, top
):
    (db_file.parent / "config.yaml").write_text(config)
    monkeypatch.setattr(rank, "SORT_IN_MEMORY", sort_in_memory)
    before = loaded_then_sorted(conn, day, top)
    after = build(conn, day, top)
    assert after.new == before.new == 220
    assert [p["id"] for p in after.top] == [p["id"] for p in before.top]
    assert after.top == before.top  # every field, tags included
    assert markdown(after) == markdown(before)
    assert len(after.top) == min(top, 220)


def test_the_top_papers_are_the_best_of_the_day(conn, day, db_file):
    (db_file.parent / "config.yaml").write_text(TIES)
    top = build(conn, day, 5).top
    assert [p["primary_category"][:3] for p in top] == ["cs."] * 5  # cs.* weighs 2
    tagged = build(conn, day, 220).top
    assert next(p["tags"] for p in tagged if p["id"] == "0704.0002") == ["graphs"]


def test_counts_only_the_runs_of_that_day(cli, conn, day):
    assert new_count(conn, day) == 220
    assert new_count(conn, "2001-01-01") == 0
    assert build(conn, "2001-01-01", 10).top == []
    conn.execute("UPDATE papers SET first_run = NULL WHERE id LIKE '0704.000%'")  # 9 papers
    assert new_count(conn, day) == build(conn, day, 500).new == 211
    assert len(build(conn, day, 500).top) == 211
    out = cli("digest", "--no-fetch", "-n", "3").stdout
    assert f"211 new papers first seen on {day} (UTC); the top 3 below" in out
