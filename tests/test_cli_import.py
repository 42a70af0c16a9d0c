"""`papertriage import`, `list`, `show`, `db` end to end through the CLI."""

import hashlib
import json

import pytest

HF = "hf_daily/2025-10-30.json"
KAGGLE = "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"


def store_digest(db_file):
    import sqlite3

    conn = sqlite3.connect(db_file)
    dump = "\n".join(conn.iterdump())
    conn.close()
    return hashlib.sha256(dump.encode()).hexdigest()


def test_import_then_list_json(cli, cli_json, fixture_path):
    result = cli("import", fixture_path(HF))
    assert result.exit_code == 0, result.output
    assert "read 20, new 20" in result.stderr and result.stdout == ""
    rows = cli_json("list", "-n", "3", "-f", "json")
    assert len(rows) == 3
    assert rows[0]["published"] >= rows[1]["published"] >= rows[2]["published"]


def test_reimport_is_idempotent(cli, fixture_path, db_file):
    cli("import", fixture_path(HF))
    before = store_digest(db_file)
    result = cli("import", fixture_path(HF))
    assert "new 0, updated 0, unchanged 20" in result.stderr
    ids = lambda: cli("list", "-n", "100", "-f", "ids").stdout  # noqa: E731
    assert len(ids().split()) == 20
    assert before != store_digest(db_file)  # last_seen moved on, nothing else
    assert len(ids().split()) == 20


def test_import_from_stdin(cli, fixture_path):
    result = cli("import", "-", input=fixture_path(HF).read_text())
    assert result.exit_code == 0 and "<stdin> (hf-daily): read 20" in result.stderr


def test_show_accepts_any_id_form(cli_json, cli, fixture_path):
    cli("import", fixture_path(HF))
    for form in (
        "2510.23473",
        "arXiv:2510.23473v2",
        "https://arxiv.org/abs/2510.23473",
        "https://huggingface.co/papers/2510.23473",
    ):
        paper = cli_json("show", form, "--json")
        assert paper["id"] == "2510.23473" and paper["hf_upvotes"] == 51
        assert paper["sightings"][0]["source"] == "hf-daily"


def test_show_text_when_piped(cli, fixture_path):
    cli("import", fixture_path(KAGGLE))
    text = cli("show", "0704.0001", "-f", "text").stdout  # CliRunner's stdout is a pipe
    lines = text.splitlines()
    assert lines[0].startswith("Calculation of prompt diphoton production")
    assert "journal  Phys.Rev.D76:013009,2007" in text and not text.startswith("{")
    assert cli("show", "0704.0001").stdout.startswith("{")  # piped: JSON, as before
    both = cli("show", "0704.0001", "--text", "--json")  # the old spellings, both at once
    assert both.exit_code == 2 and "give -f text or -f json, not both" in both.stderr


def test_show_raw_keeps_source_item(cli_json, cli, fixture_path):
    cli("import", fixture_path(KAGGLE))
    paper = cli_json("show", "0704.0001", "--raw")
    assert paper["raw"][0]["raw"]["authors_parsed"][0] == ["Balázs", "C.", ""]


def test_kaggle_and_hf_merge_into_one_record(cli, cli_json, fixture_path, tmp_path):
    cli("import", fixture_path(KAGGLE))
    hf_item = json.loads(fixture_path(HF).read_text())[0]
    hf_item["paper"]["id"] = "0704.0001"
    extra = tmp_path / "one.json"
    extra.write_text(json.dumps([hf_item]))
    result = cli("import", extra)
    assert "new 0, updated 1" in result.stderr
    paper = cli_json("show", "0704.0001", "--json")
    assert paper["title"].startswith("Calculation of prompt diphoton")  # arXiv metadata kept
    assert paper["hf_upvotes"] == 51 and paper["version"] == 2
    assert {s["source"] for s in paper["sightings"]} == {"kaggle", "hf-daily"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>", "HTML page"),
        (b'[{"paper": {"id": "2510.2347', "not valid JSON"),
        (b"", "empty file"),
        (b"\x00\x01\x02garbage", "unrecognised content"),
        (b'<?xml version="1.0"?><note>hi</note>', "not an arXiv"),
    ],
)
def test_bad_input_is_one_line_and_store_unchanged(
    cli, fixture_path, tmp_path, db_file, content, message
):
    cli("import", fixture_path(HF))
    before = store_digest(db_file)
    bad = tmp_path / "bad.dat"
    bad.write_bytes(content)
    result = cli("import", bad)
    assert result.exit_code == 1
    assert message in result.stderr and str(bad) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert store_digest(db_file) == before


def test_broken_line_midway_rolls_back_whole_file(cli, fixture_path, tmp_path, db_file):
    lines = fixture_path(KAGGLE).read_bytes().splitlines(keepends=True)
    bad = tmp_path / "cut.jsonl"
    bad.write_bytes(
        b"".join(lines[:150]) + b'{"id": "0704.9999", "title": \n' + b"".join(lines[150:])
    )
    result = cli("import", bad)
    assert result.exit_code == 1 and f"{bad}:151: broken JSON line" in result.stderr
    assert cli("list", "-f", "ids").stdout == ""


def test_missing_file_and_unknown_id(cli, fixture_path, db_file):
    result = cli("import", "nope.json")
    assert result.exit_code == 1 and "nope.json: no such file" in result.stderr
    assert not db_file.exists()  # only a successful import creates the store
    assert cli("import", fixture_path("hf_daily/2025-01-21.json")).exit_code == 0
    result = cli("show", "2501.99999")
    assert result.exit_code == 1 and "no paper 2501.99999" in result.stderr
    result = cli("show", "not-an-id")
    assert result.exit_code == 1 and "not an arXiv id" in result.stderr


def test_store_that_is_not_sqlite(cli, tmp_path):
    bad = tmp_path / "x.db"
    bad.write_text("plain text")
    result = cli("list", "--db", bad)
    assert result.exit_code == 1 and "not a SQLite database" in result.stderr


def test_db_info_and_path(cli, fixture_path, db_file):
    assert cli("db", "path").stdout.strip() == str(db_file)
    cli("import", fixture_path(HF), fixture_path(KAGGLE))
    info = json.loads(cli("db", "info", "--json").stdout)
    assert info["papers"] == 220 and info["sources"] == {"kaggle": 200, "hf-daily": 20}
    assert info["schema_version"] >= 1 and info["size_bytes"] > 0


def test_list_formats(cli, fixture_path):
    import csv
    import io

    cli("import", fixture_path(HF))
    rows = list(csv.DictReader(io.StringIO(cli("list", "-f", "csv", "-n", "5").stdout)))
    assert len(rows) == 5 and rows[0]["id"]
    lines = cli("list", "-f", "jsonl", "-n", "4").stdout.splitlines()
    assert [json.loads(x)["id"] for x in lines] == cli(
        "list", "-f", "ids", "-n", "4"
    ).stdout.split()
    plain = cli("list", "-n", "2").stdout.splitlines()
    assert len(plain) == 2 and plain[0].count("\t") == 5


def test_own_json_round_trip(cli, fixture_path, tmp_path):
    cli("import", fixture_path(HF))
    exported = cli("list", "-n", "100", "-f", "json").stdout
    other = tmp_path / "other.db"
    f = tmp_path / "out.json"
    f.write_text(exported)
    result = cli("import", f, "--db", other)
    assert result.exit_code == 0 and "(papertriage): read 20, new 20" in result.stderr
    again = json.loads(cli("list", "-n", "100", "-f", "json", "--db", other).stdout)
    volatile = ("first_seen", "last_seen", "first_run", "last_run")
    strip = lambda rows: [{k: v for k, v in r.items() if k not in volatile} for r in rows]  # noqa: E731
    assert strip(again) == strip(json.loads(exported))
    assert again[0]["abstract"] and any(r["ai_keywords"] for r in again)


def test_demo_runs_offline(cli, tmp_path):
    result = cli("demo", "--db", tmp_path / "demo.db")
    assert result.exit_code == 0, result.output
    assert "20 read, 20 new" in result.stderr
