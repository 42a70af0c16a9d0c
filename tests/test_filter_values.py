"""A filter value that names nothing (`--source hf_daily`, `-c banana`) still gives the
empty answer with exit 0, but says so on stderr, with the names it could have meant:
from the Typer commands and from the fast path alike."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest

from papertriage.cli import fastpath
from papertriage.find.values import store_categories
from papertriage.sources import SOURCES, arxiv_api, arxiv_oai, arxiv_rss, hf_page
from papertriage.store.db import open_db

KAGGLE = "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"  # hep-ph, math.CO, ...
HF = "hf_daily/2025-10-30.json"  # no categories


@pytest.fixture
def store(cli, fixture_path, db_file):
    for rel in (KAGGLE, HF):
        assert cli("import", fixture_path(rel)).exit_code == 0
    return db_file


def run_fast(argv: list[str]) -> tuple[int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = fastpath.try_run(argv)
    return code, out.getvalue(), err.getvalue()


WARNED = [
    (["--source", "banana"], "Warning: no source is called 'banana' (the sources: hf-daily,"),
    (["--source", "hf_daily"], "Warning: no source is called 'hf_daily' (did you mean hf-daily?"),
    (["-c", "banana"], "Warning: no paper in the store has category 'banana'\n"),
    (
        ["-c", "hep-phh"],
        "Warning: no paper in the store has category 'hep-phh' (did you mean hep-ph",
    ),
    (["-c", "mathh"], "(did you mean math, "),  # the archive first
    (["-c", "cs.XX*"], "Warning: no paper in the store has category 'cs.XX*'"),
]


@pytest.mark.parametrize(("options", "said"), WARNED)
def test_a_value_that_names_nothing_is_said_on_both_paths(cli, store, options, said):
    args = ["list", *options, "-f", "ids", "--db", str(store)]
    typer = cli(*args)
    assert typer.exit_code == 0 and typer.stdout == ""
    assert said in typer.stderr and typer.stderr.count("\n") == 1
    code, out, err = run_fast(args)
    assert (code, out, err) == (0, "", typer.stderr)


def test_a_known_value_says_nothing_and_a_bad_one_among_good_ones_is_still_said(cli, store):
    for options in (["-c", "hep-ph"], ["-c", "HEP-PH"], ["-c", "math"], ["--source", "hf-daily"]):
        typer = cli("list", *options, "-f", "ids", "--db", store)
        assert typer.exit_code == 0 and typer.stdout and typer.stderr == ""
        assert run_fast(["list", *options, "-f", "ids", "--db", str(store)])[2] == ""
    both = cli("list", "-c", "hep-ph", "-c", "banana", "-f", "ids", "--db", store)
    assert both.stdout and "category 'banana'" in both.stderr


@pytest.mark.parametrize("command", [["export"], ["rank"], ["filter", "model"]])
def test_every_filtering_command_says_it(cli, store, command):
    result = cli(*command, "--source", "hf_daily", "--db", store)
    assert result.exit_code == 0
    assert "no source is called 'hf_daily' (did you mean hf-daily?" in result.stderr


def test_the_store_categories_are_read_by_seeks(store):
    conn = open_db(store)
    every = sorted({r[0] for r in conn.execute("SELECT category FROM paper_categories")})
    assert store_categories(conn) == every and "hep-ph" in every


def test_the_source_names_are_those_the_parsers_record():
    recorded = {arxiv_api.SOURCE, arxiv_oai.SOURCE, arxiv_rss.SOURCE, hf_page.SOURCE}
    recorded |= {"hf-daily", "hf-search", "hf-paper", "kaggle", "papertriage"}
    assert set(SOURCES) == recorded
