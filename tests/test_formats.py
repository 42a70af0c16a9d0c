"""sources/formats.py: telling formats apart by their first bytes, on real-shaped files."""

import gzip
import json

import pytest

from papertriage.sources.formats import detect, open_input, read_head

KAGGLE = "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"


def _long_first_record(fixture_path) -> list[dict]:
    """The real Kaggle head, its first record given 300 authors (a collaboration paper):
    the first line runs to about 10 kB, past the 4 kB a format is told from."""
    records = [json.loads(line) for line in fixture_path(KAGGLE).read_text().splitlines()[:5]]
    names = [[f"Author{i}", f"A. B{i}.", ""] for i in range(300)]
    records[0]["authors_parsed"] = names
    records[0]["authors"] = ", ".join(f"{f} {last}" for last, f, _ in names)
    return records


@pytest.mark.parametrize("compress", [False, True])
def test_kaggle_file_with_a_long_first_line_is_json_lines(fixture_path, tmp_path, compress):
    records = _long_first_record(fixture_path)
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    assert data.index(b"\n") > 8000
    path = tmp_path / ("k.jsonl.gz" if compress else "k.jsonl")
    path.write_bytes(gzip.compress(data) if compress else data)
    fh, _ = open_input(str(path))
    with fh:
        assert detect(read_head(fh), str(path)) == "kaggle"
        assert fh.read() == data  # the stream is back at its start


def test_one_long_json_object_is_still_json(tmp_path):
    value = {"id": "2401.00001", "title": "T", "authors": ["x" * 9000], "upvotes": 3}
    path = tmp_path / "paper.json"
    path.write_bytes(json.dumps(value).encode() + b"\n")
    fh, _ = open_input(str(path))
    with fh:
        assert detect(read_head(fh), str(path)) == "json"


def test_kaggle_import_with_a_long_first_line(cli, fixture_path, tmp_path):
    path = tmp_path / "k.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _long_first_record(fixture_path)))
    result = cli("import", path)
    assert result.exit_code == 0, result.output
    assert "(kaggle): read 5, new 5" in result.stderr


def test_own_jsonl_output_with_a_long_first_line_imports_again(cli, fixture_path, tmp_path):
    path = tmp_path / "k.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _long_first_record(fixture_path)))
    assert cli("import", path).exit_code == 0
    out = cli("list", "-n", "0", "-f", "jsonl")
    assert out.exit_code == 0, out.output
    lines = sorted(out.stdout.splitlines(), key=len, reverse=True)  # the long one first
    assert len(lines[0]) > 4096 and len(json.loads(lines[0])["authors"]) == 300
    again = tmp_path / "own.jsonl"
    again.write_text("\n".join(lines) + "\n")
    result = cli("import", again, "--db", tmp_path / "fresh.db")
    assert result.exit_code == 0, result.output
    assert "read 5, new 5" in result.stderr
