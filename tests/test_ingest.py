"""Merge rules of the store: one row per paper, user data untouched."""

import json

from papertriage.models import make_paper
from papertriage.store.db import transaction
from papertriage.store.ingest import Ingest


def add(conn, *papers):
    with transaction(conn):
        ing = Ingest(conn)
        ing.add(papers)
    return ing.counts


def row(conn, pid):
    return dict(conn.execute("SELECT * FROM papers WHERE id = ?", [pid]).fetchone())


def test_same_paper_from_two_sources_is_one_row(conn):
    hf = make_paper(
        id="2501.00001", title="A Title", hf_upvotes=12, source="hf-daily", published="2025-01-02"
    )
    ax = make_paper(
        id="2501.00001",
        version=2,
        title="A Title (v2)",
        authors=["Ann Lee"],
        categories=["cs.LG", "cs.CL"],
        published="2025-01-01",
        updated="2025-02-01",
        source="arxiv-api",
    )
    add(conn, hf)
    counts = add(conn, ax)
    assert counts["updated"] == 1 and counts["new"] == 0
    r = row(conn, "2501.00001")
    assert r["title"] == "A Title (v2)" and r["hf_upvotes"] == 12 and r["version"] == 2
    assert r["published"] == "2025-01-01" and r["updated"] == "2025-02-01"
    assert json.loads(r["categories"]) == ["cs.LG", "cs.CL"] and r["primary_category"] == "cs.LG"
    assert (
        conn.execute("SELECT count(*) FROM sightings WHERE paper_id = '2501.00001'").fetchone()[0]
        == 2
    )


def test_unversioned_copy_does_not_override_arxiv_metadata(conn):
    add(conn, make_paper(id="2501.00002", version=1, title="Real Title", source="arxiv-api"))
    add(conn, make_paper(id="2501.00002", title="HF Title", hf_upvotes=3, source="hf-daily"))
    r = row(conn, "2501.00002")
    assert r["title"] == "Real Title" and r["hf_upvotes"] == 3


def test_older_version_only_fills_gaps(conn):
    add(conn, make_paper(id="2501.00003", version=3, title="v3 title", source="arxiv-api"))
    add(
        conn,
        make_paper(id="2501.00003", version=1, title="v1 title", doi="10.1/x", source="kaggle"),
    )
    r = row(conn, "2501.00003")
    assert r["title"] == "v3 title" and r["doi"] == "10.1/x" and r["version"] == 3


def test_reimport_is_idempotent_and_tags_survive_new_version(conn):
    p1 = make_paper(id="2501.00004", version=1, title="Old", source="arxiv-api")
    add(conn, p1)
    conn.execute("INSERT INTO tags (paper_id, tag) VALUES ('2501.00004', 'later')")
    assert add(conn, p1)["unchanged"] == 1
    add(conn, p1.with_(version=2, title="New"))
    assert row(conn, "2501.00004")["title"] == "New"
    assert (
        conn.execute("SELECT tag FROM tags WHERE paper_id='2501.00004'").fetchall()[0][0] == "later"
    )


def test_provisional_paper_merges_into_real_id_with_its_tags(conn):
    prov = make_paper(
        id="prov:0123456789ab", title="Layer-Wise  Quantization:\n A Method", source="hf-page"
    )
    add(conn, prov)
    conn.execute("INSERT INTO tags (paper_id, tag) VALUES ('prov:0123456789ab', 'read-me')")
    counts = add(
        conn,
        make_paper(
            id="2406.17415",
            version=1,
            title="Layer-wise quantization: a method",
            source="arxiv-api",
        ),
    )
    assert counts["merged"] == 1
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 1
    assert conn.execute("SELECT paper_id FROM tags").fetchone()[0] == "2406.17415"
    assert (
        conn.execute("SELECT paper_id FROM aliases WHERE alias='prov:0123456789ab'").fetchone()[0]
        == "2406.17415"
    )


def test_provisional_sighting_after_real_joins_real(conn):
    add(
        conn,
        make_paper(id="2406.17415", version=1, title="Layer-wise quantization", source="arxiv-api"),
    )
    add(
        conn,
        make_paper(
            id="prov:0123456789ab", title="Layer-Wise Quantization", hf_upvotes=4, source="hf-page"
        ),
    )
    assert [tuple(r) for r in conn.execute("SELECT id, hf_upvotes FROM papers")] == [
        ("2406.17415", 4)
    ]


def test_fts_follows_updates(conn):
    add(
        conn,
        make_paper(id="2501.00005", version=1, title="Quantization of cats", source="arxiv-api"),
    )
    add(conn, make_paper(id="2501.00005", version=2, title="Pruning of dogs", source="arxiv-api"))

    def hits(word):
        return conn.execute(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", [word]
        ).fetchone()[0]

    assert hits("dogs") == 1 and hits("cats") == 0
    assert hits("quantize") == 0 and hits("pruned") == 1  # porter stemming
