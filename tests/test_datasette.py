"""`papertriage db datasette`: the files it writes, read by a real Datasette server on
127.0.0.1 (started once, for every check)."""

import json
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(cli, fixture_path, db_file, tmp_path):
    assert cli("import", fixture_path("hf_daily/2025-10-30.json")).exit_code == 0
    assert cli("tag", "2510.23473", "later").exit_code == 0
    assert cli("note", "2510.23473", "read the method").exit_code == 0
    made = cli("db", "datasette", str(tmp_path / "ds"))
    assert made.exit_code == 0, made.stderr
    command = shlex.split(made.stdout)
    assert command[:2] == ["datasette", str(db_file)]
    port = _free_port()
    tool = str(Path(sys.executable).parent / "datasette")
    args = [tool, *command[1:], "-h", "127.0.0.1", "-p", str(port)]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/-/versions.json", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.05)
        yield lambda path: httpx.get(base + path, timeout=10)
    finally:
        server.terminate()
        server.wait(10)


def test_datasette_reads_the_metadata_links_and_canned_search(served, tmp_path):
    meta = served("/-/metadata.json").json()
    assert meta == json.loads((tmp_path / "ds" / "metadata.json").read_text())
    tables = meta["databases"]["papers"]["tables"]
    assert "Derived" in tables["papers"]["columns"]["day"]
    assert tables["papers"]["label_column"] == "title"
    assert all(
        tables[t]["columns"]["paper_id"] for t in ("tags", "notes", "decisions", "sightings")
    )
    listed = {t["name"]: t for t in served("/papers.json").json()["tables"]}
    assert listed["papers_fts"]["hidden"] and not listed["tags"]["hidden"]

    found = served("/papers/search.json?q=video&_shape=objects").json()["rows"]
    assert found[0]["id"] == "2510.23473" and len(found) >= 2
    scores = [row["relevance"] for row in found]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0

    assert served("/papers/papers.json?_search=video&_shape=objects").json()["rows"]
    for table in ("tags", "notes", "sightings"):
        page = served(f"/papers/{table}").text
        assert '<a href="/papers/papers?id=2510.23473">2510.23473</a>' in page, table
    paper = served("/papers/papers.json?id=2510.23473&_shape=objects").json()["rows"]
    assert [row["title"][:13] for row in paper] == ["Video-Thinker"]
    tagged = served("/papers/tagged.json?_shape=objects").json()["rows"]
    assert [(r["tag"], r["paper_id"]) for r in tagged] == [("later", "2510.23473")]


def test_datasette_command_needs_a_store(cli, tmp_path):
    result = cli("db", "datasette", str(tmp_path / "ds"), "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and "no store here yet" in result.stderr
    assert not (tmp_path / "ds").exists()
