"""`papertriage stats`: the numbers (-f json) against the store, and the bars drawn."""

import json

import pytest

HF = "hf_daily/2025-10-30.json"
KAGGLE = "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"


@pytest.fixture
def store(cli, fixture_path):
    for name in (HF, KAGGLE):
        assert cli("import", fixture_path(name)).exit_code == 0
    assert cli("tag", "2510.23473", "0704.0001", "later").exit_code == 0
    assert cli("tag", "0704.0001", "hep").exit_code == 0
    assert cli("mark", "2510.23473", "keep").exit_code == 0
    assert cli("mark", "0704.0001", "skip").exit_code == 0
    assert cli("mark", "0704.0002", "read").exit_code == 0
    assert cli("mark", "0704.0002", "unread").exit_code == 0  # undone: not counted
    return cli


def test_stats_numbers(store, conn):
    data = json.loads(store("stats", "-f", "json", "--days", "3").stdout)
    assert data["papers"] == 220
    days = data["days"]
    assert len(days) == 3 and [d["day"] for d in days] == sorted(d["day"] for d in days)
    hf_day = next(d for d in days if d["day"] == "2025-10-30")
    assert hf_day["sources"] == {"hf-daily": 20} and hf_day["papers"] == 20
    assert sum(u["papers"] for u in data["upvotes"]) == 20  # the HF papers only
    assert data["upvotes"][-1] == {"upvotes": "100+", "papers": 0}
    ups = [r[0] for r in conn.execute("SELECT hf_upvotes FROM papers WHERE hf_upvotes >= 50")]
    assert data["upvotes"][-2]["papers"] == len(ups) > 0
    top = conn.execute(
        "SELECT primary_category, count(*) FROM papers WHERE primary_category IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    ).fetchone()
    assert {"category": top[0], "papers": top[1]} in data["categories"]
    [week] = data["weeks"]
    assert (week["keep"], week["read"], week["skip"]) == (1, 0, 1)
    assert data["tags"] == [{"tag": "later", "papers": 2}, {"tag": "hep", "papers": 1}]


def test_stats_draws_bars_scaled_to_the_largest(store, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = store("stats").stdout
    assert out.startswith("220 papers in the store")
    for heading in ("Papers per day, by source", "Primary categories",
                    "Hugging Face upvotes", "Your triage per week", "Tags"):  # fmt: skip
        assert f"\n{heading}" in out
    lines = out.splitlines()
    later = next(line for line in lines if line.strip().startswith("later "))
    hep = next(line for line in lines if line.strip().startswith("hep "))
    assert later.endswith(" 2") and hep.endswith(" 1")
    assert later.count("░") == 2 * hep.count("░") > 0
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]


def test_stats_of_an_empty_store_says_none_yet(cli, fixture_path, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    cli("import", str(empty))
    out = cli("stats").stdout
    assert out.startswith("0 papers") and out.count("none yet") == 5
