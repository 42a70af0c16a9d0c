"""dedupe: records of the same paper are merged, different papers never are.

Duplicates that `import` already folds (same id, or a provisional id whose title
matches on arrival) never reach dedupe, so each case starts from real fixture records
and re-imports a copy the way a second source would have listed it: under another id,
with its title spelled a little differently.
"""

import json

import pytest

CURSE = "prov:13732c24da96"  # hf_page: "The Curse of Depth in Large Language Models", 2025-02-09
DIPHOTON = "0704.0001"  # kaggle: Calculation of prompt diphoton production cross sections ...
SPINS = "0704.0002"  # kaggle: Sparsity-certifying Graph Decompositions


@pytest.fixture
def store(cli, fixture_path):
    for rel in (
        "hf_page/papers_page_text_2025-12-15_first28.txt",
        "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl",
    ):
        assert cli("import", fixture_path(rel)).exit_code == 0


def record(cli_json, pid: str) -> dict:
    [row] = cli_json("filter", f"id:{pid}", "-f", "json")
    return row


def import_copies(cli, tmp_path, rows: list[dict]) -> None:
    path = tmp_path / "copies.json"
    path.write_text(json.dumps(rows))
    result = cli("import", path)
    assert result.exit_code == 0, result.stderr


def test_provisional_and_real_id_merge_keeping_user_data(cli, cli_json, conn, tmp_path, store):
    # The arXiv listing of the paper the HF page showed by title only, without "The".
    real = {**record(cli_json, CURSE), "id": "2502.05795", "version": 1}
    real["title"] = "Curse of Depth in Large Language Models"
    import_copies(cli, tmp_path, [real])
    conn.execute(
        "INSERT INTO tags (paper_id, tag, created) VALUES (?, 'depth', '2025-02-10')", [CURSE]
    )
    conn.execute(
        "INSERT INTO notes (paper_id, text, created) VALUES (?, 'read §3', '2025-02-10')", [CURSE]
    )
    conn.execute(
        "INSERT INTO decisions (paper_id, decision, created) VALUES (?, 'keep', '2025-02-10')",
        [CURSE],
    )

    dry = cli("dedupe", "--dry-run", "--json")
    assert dry.exit_code == 0
    assert json.loads(dry.stdout) == [
        {
            "survivor": {"id": "2502.05795", "title": "Curse of Depth in Large Language Models"},
            "merged": [
                {
                    "id": CURSE,
                    "title": "The Curse of Depth in Large Language Models",
                    "why": "nearly the same title, published 0 days apart",
                }
            ],
        }
    ]
    assert "would merge 1 record" in dry.stderr
    assert record(cli_json, CURSE)["id"] == CURSE  # nothing changed yet

    result = cli("dedupe")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "2502.05795\tCurse of Depth in Large Language Models",
        f"  merged {CURSE}\t(nearly the same title, published 0 days apart)",
    ]
    shown = cli_json("show", CURSE, "--json")  # the old id still finds the paper
    assert shown["id"] == "2502.05795"
    assert shown["tags"] == ["depth"]
    assert [n["text"] for n in shown["notes"]] == ["read §3"]
    assert [d["decision"] for d in shown["decisions"]] == ["keep"]
    assert shown["aliases"] == [CURSE]
    assert {s["source"] for s in shown["sightings"]} == {"hf-page", "papertriage"}
    assert cli_json("filter", "curse depth", "-f", "json")[0]["id"] == "2502.05795"
    assert len(cli_json("filter", "curse depth", "-f", "json")) == 1
    again = cli("dedupe")
    assert again.stdout == "" and "0 groups" in again.stderr


def test_same_title_and_authors_under_two_ids_merge_into_the_first(cli, cli_json, tmp_path, store):
    original = record(cli_json, DIPHOTON)
    # Equally complete (one field more, one less): the first seen survives.
    copy = {**original, "id": "0704.9001", "hf_upvotes": 3, "comment": None}
    copy["title"] = original["title"].upper()
    import_copies(cli, tmp_path, [copy])
    result = cli("dedupe")
    assert result.stdout.splitlines()[1] == "  merged 0704.9001\t(same title, 4 shared authors)"
    merged = record(cli_json, DIPHOTON)
    assert merged["hf_upvotes"] == 3  # a gap filled from the copy
    assert merged["title"] == original["title"]
    assert merged["comment"] == "37 pages, 15 figures; published version"
    assert cli_json("filter", "id:0704.9001", "-f", "json")[0]["id"] == DIPHOTON


@pytest.mark.parametrize(
    ("titles", "why"),
    [
        (("Introduction", "Introduction"), "generic title, no shared author"),
        (("Erratum", "Erratum"), "generic title, no shared author"),
        (
            (
                "Sparsity-certifying Graph Decompositions, Part I",
                "Sparsity-certifying Graph Decompositions, Part II",
            ),
            "parts of a series",
        ),
    ],
)
def test_different_papers_are_never_joined(cli, cli_json, tmp_path, store, titles, why):
    a = {**record(cli_json, DIPHOTON), "id": "0704.9001", "title": titles[0]}
    b = {**record(cli_json, SPINS), "id": "0704.9002", "title": titles[1]}
    if why == "parts of a series":
        b["authors"] = a["authors"]
    import_copies(cli, tmp_path, [a, b])
    result = cli("dedupe", "--dry-run")
    assert result.stdout == ""
    assert "0 groups of duplicates" in result.stderr


def test_same_authors_years_apart_are_two_papers(cli, cli_json, tmp_path, store):
    a = {**record(cli_json, DIPHOTON), "id": "0704.9001", "title": "Erratum: diphoton production"}
    b = {**a, "id": "1001.9002", "published": "2010-01-05"}
    import_copies(cli, tmp_path, [a, b])
    assert cli("dedupe", "--dry-run").stdout == ""


def test_title_only_record_needs_the_same_specific_title(cli, cli_json, tmp_path, store):
    """A provisional record without authors or date merges only on an identical title."""
    prov = record(cli_json, CURSE)
    other = {**prov, "id": "2502.05795", "title": "The Curse of Depth in Small Language Models"}
    import_copies(cli, tmp_path, [other])
    assert cli("dedupe", "--dry-run").stdout == ""
