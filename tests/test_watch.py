"""Watches: saved searches checked when added, run over each import's and fetch's new
papers only, their matches tagged and selectable with --watch (fast path and Typer alike).

Fixtures: hf_daily/2024-07-12.json and 2024-07-18.json are real Hugging Face daily
listings (../shared/fixtures/hf_daily_2024.tar.xz, see its PROVENANCE.md)."""

from __future__ import annotations

import json

import pytest

from fetch_helpers import FakeClock, fixture_bytes
from papertriage.store.ingest import move_user_data

JULY12 = "hf_daily/2024-07-12.json"  # 2407.08296 Q-GaLore (quantized), 2407.08551 ... quantization
JULY18 = (
    "hf_daily/2024-07-18.json"  # 2407.12327 Spectra (quantized), 2407.12077 GoldFinch (KV-Cache)
)
QUERY = 'quantization OR "KV cache"'


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def ids(cli, *args):
    return ok(cli("list", *args, "-n", "0", "-f", "ids")).stdout.split()


def test_a_watch_matches_only_what_comes_after_it(cli, fixture_path, conn):
    ok(cli("import", fixture_path(JULY12)))
    ok(cli("watch", "add", "kv", QUERY))
    result = ok(cli("import", fixture_path(JULY18)))
    assert "watch kv: 3 new" in result.stderr
    matched = ids(cli, "--watch", "kv")
    # the same papers `filter` finds among that import's papers, and only those
    run = conn.execute("SELECT max(id) FROM runs").fetchone()[0]
    july18 = {r[0] for r in conn.execute("SELECT id FROM papers WHERE first_run = ?", [run])}
    assert set(matched) == set(ids(cli, QUERY)) & july18
    assert {"2407.12327", "2407.12077"} <= set(matched)
    assert set(ids(cli, "--tag", "kv")) == set(matched)  # the tag is the name
    # an import that brings nothing new matches nothing more
    again = ok(cli("import", fixture_path(JULY18)))
    assert "watch kv: 0 new" in again.stderr
    # --all goes over the whole store once: the 2024-07-12 matches join
    assert ok(cli("watch", "run", "kv", "--all")).stdout.strip() == "watch kv: 3 new"
    assert set(ids(cli, "--watch", "kv")) == set(ids(cli, QUERY))
    listed = json.loads(ok(cli("watch", "list", "--json")).stdout)
    assert [(w["name"], w["matches"], w["tag"], w["query"]) for w in listed] == [
        ("kv", 6, "kv", QUERY)
    ]


def test_options_tag_and_selection_by_several_watches(cli, fixture_path):
    ok(cli("watch", "add", "agents", "agent", "--min-upvotes", "20", "--tag", "to-read"))
    ok(cli("watch", "add", "kv", QUERY, "--unseen"))
    result = ok(cli("import", fixture_path(JULY18)))
    assert "watch agents:" in result.stderr and "watch kv: 3 new" in result.stderr
    agents = ids(cli, "--watch", "agents")
    assert agents and set(agents) == set(ids(cli, "agent", "--min-upvotes", "20"))
    assert set(ids(cli, "--tag", "to-read")) == set(agents) and not ids(cli, "--tag", "agents")
    both = ids(cli, "--watch", "agents", "--watch", "kv")
    assert set(both) == set(agents) | set(ids(cli, "--watch", "kv"))
    shown = ok(cli("watch", "show", "agents", "-f", "ids"))
    assert shown.stdout.split() == agents
    assert "agent --min-upvotes 20" in shown.stderr and "tag: to-read" in shown.stderr
    listed = ok(cli("watch", "list")).stdout
    assert "kv\t3 matched\ttag kv\t'quantization OR \"KV cache\"' --unseen" in listed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["foo (bar"], "unmatched '('"),
        ([], "a watch needs a query or a filter option"),
        (["x", "--since", "junk"], "'junk' is not a date"),
        (["x", "--tag", "a tag"], "bad tag"),
    ],
)
def test_a_bad_watch_is_refused_and_nothing_is_stored(cli, conn, args, message):
    result = cli("watch", "add", "w", *args)
    assert result.exit_code != 0 and message in result.stderr
    assert conn.execute("SELECT count(*) FROM watches").fetchone()[0] == 0


def test_names_are_unique_and_rm_keeps_the_tags(cli, fixture_path, conn):
    ok(cli("watch", "add", "kv", QUERY))
    dup = cli("watch", "add", "kv", "other")
    assert dup.exit_code == 1 and "exists already" in dup.stderr
    assert cli("watch", "add", "2407.12327", "x").exit_code != 0  # a name is a tag
    ok(cli("import", fixture_path(JULY18)))
    tagged = ids(cli, "--tag", "kv")
    assert len(tagged) == 3
    assert "3 matches; tag kv kept" in ok(cli("watch", "rm", "kv")).stderr
    assert ids(cli, "--tag", "kv") == tagged
    assert conn.execute("SELECT count(*) FROM watch_matches").fetchone()[0] == 0
    gone = cli("watch", "show", "kv")
    assert gone.exit_code == 1 and "no watch named 'kv'" in gone.stderr


def test_list_watch_on_the_fast_path_equals_typer(cli, fixture_path, db_file, capsys):
    from papertriage.cli import fastpath

    ok(cli("watch", "add", "kv", QUERY))
    ok(cli("import", fixture_path(JULY18)))
    typer_out = ok(cli("filter", "--watch", "kv", "-f", "json", "--db", db_file)).stdout
    assert fastpath.try_run(["filter", "--watch", "kv", "-f", "json", "--db", str(db_file)]) == 0
    assert capsys.readouterr().out == typer_out
    assert fastpath.try_run(["list", "--watch", "nope", "--db", str(db_file)]) == 1
    fast_err = capsys.readouterr().err
    slow = cli("list", "--watch", "nope", "--db", db_file)
    assert slow.exit_code == 1 and slow.stderr == fast_err
    assert fast_err == "Error: --watch: no watch named 'nope'; watches: kv\n"


def test_a_merge_moves_the_matches_with_the_tags(cli, fixture_path, conn):
    ok(cli("watch", "add", "kv", QUERY))
    ok(cli("import", fixture_path(JULY18)))
    conn.execute(
        "INSERT INTO watch_matches (watch, paper_id, run_id, matched) VALUES ('kv', 'prov:x', 1, 'now')"
    )
    move_user_data(conn, "prov:x", "2407.99999")
    move_user_data(conn, "2407.12077", "2407.12327")  # both matched: one row stays
    rows = {r[0] for r in conn.execute("SELECT paper_id FROM watch_matches")}
    assert "prov:x" not in rows and "2407.99999" in rows and "2407.12077" not in rows
    assert "2407.12327" in rows


def test_fetch_runs_the_watches_and_counts_them(cli, httpx_mock, monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("papertriage.fetch.http.system_clock", lambda: fake)
    ok(cli("watch", "add", "kv", QUERY))
    httpx_mock.add_response(
        url="https://huggingface.co/api/daily_papers?date=2024-07-18&limit=100&p=0",
        content=fixture_bytes(JULY18),
    )
    result = ok(cli("fetch", "hf", "--date", "2024-07-18", "--json"))
    assert json.loads(result.stdout)["watches"] == {"kv": 3}
    assert "watch kv: 3 new" in result.stderr
    assert len(ids(cli, "--watch", "kv", "--new")) == 3


def test_the_tags_a_watch_gives_are_not_feedback_for_the_ranker(cli, fixture_path, conn):
    from papertriage.rank.learned import load_feedback

    ok(cli("watch", "add", "kv", QUERY))
    ok(cli("import", fixture_path(JULY18)))
    assert len(ids(cli, "--tag", "kv")) == 3 and load_feedback(conn) == []
    ok(cli("tag", "2407.12784", "kv"))  # the user's own tag, even the same one, counts
    assert [f.id for f in load_feedback(conn)] == ["2407.12784"]


def test_triage_goes_through_what_a_watch_matched(cli, fixture_path, conn):
    ok(cli("watch", "add", "kv", QUERY))
    ok(cli("import", fixture_path(JULY18)))
    ok(cli("triage", "--watch", "kv", input="s\ns\ns\ns\n"))
    decided = {r[0] for r in conn.execute("SELECT paper_id FROM decisions")}
    assert decided == set(ids(cli, "--watch", "kv")) and len(decided) == 3
