"""The bad inputs the fuzzers found, pinned as plain regression tests (see test_fuzz_importers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papertriage.errors import InputError
from papertriage.ids import find_id, try_parse_id
from papertriage.sources.formats import parse_bytes
from papertriage.text import parse_date

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("rel", "fmt"),
    [
        ("arxiv_api/idlist_1111.2011v2_2016-10-09.xml", "arxiv-api"),
        ("arxiv_rss/rss_old_rdf_math_2012-09-12.xml", "arxiv-rss"),
        ("arxiv_oai/ListRecords_arXiv_from2015-01-01_until2015-01-03.xml", "arxiv-oai"),
    ],
)
def test_xml_declaring_an_unknown_encoding_is_an_input_error(rel, fmt):
    data = (FIXTURES / rel).read_bytes()
    assert b'encoding="UTF-8"' in data[:100]
    data = data.replace(b'encoding="UTF-8"', b'encoding="TTF-8"', 1)
    with pytest.raises(InputError, match=r"^feed\.xml: XML in an unknown character encoding"):
        list(parse_bytes(data, "feed.xml", fmt))


def _hf_paper(**changes):
    value = json.loads((FIXTURES / "hf_paper" / "paper_2608.09888.json").read_bytes())
    value.update(changes)
    [paper] = parse_bytes(json.dumps(value).encode(), "p.json", "hf-paper")
    return paper


def test_hf_values_of_the_wrong_type_are_dropped_not_stored():
    paper = _hf_paper(upvotes=2**63, projectPage=[], githubRepo={"url": "x"}, authors=5)
    assert paper.id == "2608.09888"
    assert paper.hf_upvotes is None  # SQLite integers are 64-bit: this would not insert
    assert paper.project_url is None and paper.github_repo is None and paper.code_url is None
    assert paper.authors == ()
    assert _hf_paper(upvotes=float("inf")).hf_upvotes is None  # JSON 'Infinity'
    assert _hf_paper(ai_keywords="diffusion").ai_keywords == ()


def _kaggle(**changes) -> bytes:
    line = (FIXTURES / "arxiv_kaggle" / "arxiv-metadata-oai-snapshot_head200.jsonl").read_bytes()
    record = json.loads(line.splitlines()[0])
    record.update(changes)
    return json.dumps(record).encode() + b"\n"


def test_kaggle_odd_versions_categories_and_authors():
    [p] = parse_bytes(_kaggle(versions=[{"version": "v²", "created": "x"}]), "k", "kaggle")
    assert p.id == "0704.0001" and p.version is None  # '²'.isdigit() is True, int() fails
    [p] = parse_bytes(_kaggle(versions=7, categories=["hep-ph"], authors=3), "k", "kaggle")
    assert p.categories == () and p.published is not None  # from update_date
    [p] = parse_bytes(_kaggle(authors_parsed=[["Balázs", 5, None]]), "k", "kaggle")
    assert p.authors == ("Balázs",)


def test_native_record_with_a_broken_date_keeps_the_paper_without_the_date():
    record = {
        "id": "2606.12730",
        "title": "Rethinking Psychometric Evaluation of LLMs",
        "primary_category": None,
        "published": "<2026-06-10",
        "hf_featured": "2026-06-12",
    }
    [p] = parse_bytes(json.dumps(record).encode() + b"\n", "mine.jsonl", "papertriage")
    assert (p.id, p.published, p.hf_featured) == ("2606.12730", None, "2026-06-12")


def test_dates_outside_the_utc_calendar_are_none_not_a_crash():
    assert parse_date("0001-01-01T00:00:00+01:00") is None
    assert parse_date("9999-12-31T23:59:59-01:00") is None
    assert parse_date("2024-01-01T23:30:00-05:00") == "2024-01-02"


@pytest.mark.parametrize("text", ["٢٤١٠.١٢٣٤٥", "2410.١٢٣٤٥", "ſep-th/9901001", "hep-th/99０1001"])
def test_ids_are_ascii(text):
    assert try_parse_id(text) is None
    found = find_id(f"see {text} here")
    assert found is None or found[0].isascii()


def test_a_query_with_a_nul_character_is_searched_not_a_database_error(cli, fixture_path):
    assert cli("import", fixture_path("hf_daily/2026-08-12.json")).exit_code == 0
    result = cli("list", "video\x00", "-f", "ids")
    assert result.exit_code == 0, result.output  # was: Error: database: unterminated string
    assert "2608.10744" in result.stdout.split()
