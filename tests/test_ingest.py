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


# -- Hugging Face readings: the newest listing wins, whatever the order of arrival -------

D2024 = [
    "hf_daily_2024/Paper_metadata_download__2024-06-12__3ea6a815.json",  # committed 06-12
    "hf_daily_2024/Paper_metadata_download__2024-06-12__102d3b3d.json",  # re-read 06-13
    "hf_daily_2024/Paper_metadata_download__2024-11-29__38970b48.json",
    "hf_daily_2024/Paper_metadata_download__2024-12-04__e9f25698.json",
    "hf_daily/2024-03-21_raw.json",
    "hf_daily/2024-05-27.json",
]
BOOKKEEPING_OUT = ("first_seen", "last_seen", "first_run", "last_run")


def _store_view(cli, files, db):
    for path in files:
        result = cli("import", path, "--db", db)
        assert result.exit_code == 0, result.output
    out = cli("list", "-n", "0", "-f", "json", "--db", db)
    assert out.exit_code == 0, out.stderr
    rows = json.loads(out.stdout)
    return {r["id"]: {k: v for k, v in r.items() if k not in BOOKKEEPING_OUT} for r in rows}


def test_real_2024_listings_give_the_same_store_in_any_order(cli, fixture_path, tmp_path):
    files = [fixture_path(rel) for rel in D2024]
    orders = [files, files[::-1], files[1::2] + files[0::2]]
    views = [_store_view(cli, order, tmp_path / f"s{n}.db") for n, order in enumerate(orders)]
    assert len(views[0]) == 67
    assert views[0] == views[1] == views[2]
    # the two readings of 2024-06-12 disagree on 14 papers: the later one, with more
    # upvotes and comments, is kept however they arrive
    assert views[0]["2406.07550"]["hf_upvotes"] == 29 and views[0]["2406.07550"]["hf_comments"] == 7
    assert views[0]["2406.07436"]["hf_upvotes"] == 22


def test_an_older_listing_imported_later_does_not_lower_upvotes(cli, fixture_path, tmp_path):
    listing = json.loads(fixture_path(D2024[3]).read_bytes())  # listed 2024-12-04
    items = [it for it in listing if it["publishedAt"] >= "2024-12-04"][:3]
    assert len(items) == 3
    later = json.loads(json.dumps(items))
    for item in later:
        item["paper"]["upvotes"] = 42
        item["numComments"] = item["paper"]["numComments"] = 9
        item["paper"]["projectPage"] = "https://example.org/project"
    old, new = tmp_path / "2024-12-04.json", tmp_path / "2024-12-05.json"
    old.write_text(json.dumps(items))
    new.write_text(json.dumps(later))
    for n, order in enumerate([(old, new), (new, old)]):
        view = _store_view(cli, order, tmp_path / f"o{n}.db")
        for item in items:
            row = view[item["paper"]["id"]]
            assert row["hf_upvotes"] == 42 and row["hf_comments"] == 9
            assert row["project_url"] == "https://example.org/project"
            assert row["hf_featured"] == "2024-12-04" and row["hf_as_of"] == "2024-12-05"


def test_an_older_reading_fills_gaps_only():
    from papertriage.models import paper_to_row
    from papertriage.store.ingest import merge_rows

    new = make_paper(id="2412.00001", hf_upvotes=40, hf_as_of="2024-12-05", source="hf-daily")
    old = make_paper(
        id="2412.00001", hf_upvotes=3, github_repo="https://github.com/a/b",
        hf_as_of="2024-12-04", source="hf-daily",
    )  # fmt: skip
    for first, second in ((new, old), (old, new)):
        row = merge_rows(paper_to_row(first), second)
        assert (row["hf_upvotes"], row["github_repo"], row["hf_as_of"]) == (
            40, "https://github.com/a/b", "2024-12-05",
        )  # fmt: skip
