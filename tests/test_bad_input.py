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


# ---- hostile files (issue 16): one-line errors, no traceback, bounded memory ---------


def _two_lines(record: dict) -> bytes:
    first = {"id": "2401.00003", "title": "Fine", "primary_category": "cs.LG"}
    return (json.dumps(first) + "\n" + json.dumps(record) + "\n").encode()


@pytest.mark.parametrize("depth", [990, 100_000])
def test_deeply_nested_json_is_an_input_error_naming_the_line(depth):
    nested = "[" * depth + "]" * depth
    line = _two_lines({"id": "2401.00001", "title": "x", "primary_category": "cs.LG"})
    data = line[:-2] + f', "authors": {nested}}}\n'.encode()
    with pytest.raises(InputError, match=r"^deep\.jsonl:2: JSON nested too deeply$"):
        list(parse_bytes(data, "deep.jsonl", "papertriage"))
    with pytest.raises(InputError, match=r"^deep\.json: JSON nested too deeply$"):
        list(parse_bytes(nested.encode(), "deep.json", "json"))


def test_a_lone_surrogate_is_stored_as_a_replacement_character(cli, db_file, tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(
        _two_lines({"id": "2401.00002", "title": "lone \ud800 x", "primary_category": "cs.LG"})
    )
    result = cli("import", path)
    assert result.exit_code == 0, result.output
    assert cli("list", "-f", "jsonl", "lone").stdout.count("lone \ufffd x") == 1


def test_a_kaggle_version_of_5000_digits_is_no_version():
    [p] = parse_bytes(
        _kaggle(versions=[{"version": "v" + "9" * 5000, "created": "x"}]), "k", "kaggle"
    )
    assert p.id == "0704.0001" and p.version is None


def test_a_line_over_the_record_limit_is_refused_before_it_is_read_whole(monkeypatch):
    from papertriage.sources import lines

    monkeypatch.setattr(lines, "MAX_LINE", 1000)
    data = _two_lines({"id": "2401.00001", "title": "x" * 5000, "primary_category": "cs.LG"})
    with pytest.raises(InputError, match=r"^big\.jsonl:2: a line over 0 MB$"):
        list(parse_bytes(data, "big.jsonl", "papertriage"))
    read = []

    class Endless:  # one endless line: reading stops at the limit
        def readline(self, limit: int = -1) -> bytes:
            read.append(limit)
            return b"a" * limit

    with pytest.raises(InputError, match=r":1: a line over"):
        list(lines.json_lines(Endless(), "bomb"))  # type: ignore[arg-type]
    assert read == [1001]


def test_a_whole_file_over_the_document_limit_is_refused(monkeypatch, cli, tmp_path):
    from papertriage.sources import lines

    monkeypatch.setattr(lines, "MAX_DOCUMENT", 1000)
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"title": "x" * 2000}]))
    result = cli("import", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: over 0 MB, the most a JSON or XML file")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "rel",
    [
        "hf_daily/2025-01-21.json",
        "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl",
        "arxiv_api/idlist_1111.2011v2_2016-10-09.xml",
    ],
)
def test_utf16_files_with_a_byte_order_mark_are_decoded(cli, tmp_path, rel, encoding):
    import codecs

    text = (
        (FIXTURES / rel)
        .read_text(encoding="utf-8")
        .replace('encoding="UTF-8"', 'encoding="UTF-16"')
    )
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    path = tmp_path / Path(rel).name
    path.write_bytes(bom + text.encode(encoding))
    plain = list(
        parse_bytes(
            (FIXTURES / rel).read_bytes(),
            "x",
            "kaggle" if "kaggle" in rel else "json" if rel.endswith("json") else "arxiv-api",
        )
    )
    result = cli("import", path)
    assert result.exit_code == 0, result.output
    assert f"read {len(plain)}," in result.stderr
    assert [p["title"] for p in json.loads(cli("list", "-n", "0", "-f", "json").stdout)]


def test_import_from_stdin_is_gunzipped_as_a_file_is(cli):
    import gzip

    data = (FIXTURES / "hf_daily" / "2026-08-12.json").read_bytes()
    result = cli("import", "-", input=gzip.compress(data))
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("<stdin> (hf-daily): read ")
