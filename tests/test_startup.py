"""Start-up cost: what importing the CLI loads, and the fast path that skips Typer.

(tests/test_fetch_server.py checks httpx alone; these check every heavy module.)
"""

import io
import json
import os
import subprocess
import sys
import typing
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import typer
import typer.main

from papertriage.cli import fastpath
from papertriage.cli.app import app

HEAVY = ["httpx", "rich.table", "rich.console", "rapidfuzz", "yaml", "sqlite_utils", "pydantic"]
KAGGLE = "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"
HF = "hf_daily/2025-10-30.json"
HF_ID = "2510.23473"  # a paper of that HF listing


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; sys.__stdout__.write(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_importing_the_cli_loads_no_heavy_module():
    loaded = loaded_after("import papertriage.cli.app")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "typer" in loaded  # the check itself works


def test_the_entry_point_loads_neither_typer_nor_pydantic():
    loaded = loaded_after("import papertriage.cli.fastpath")
    assert not loaded & {*HEAVY, "typer", "click"}, sorted(loaded & {*HEAVY, "typer"})


@pytest.mark.parametrize(
    "args", [["filter", "gluon"], ["filter", "--since", "7d", "--until", "2026-01-01", "gluon"]]
)
def test_fast_list_loads_no_typer(tmp_path, fixture_path, args):
    db = tmp_path / "s.db"
    subprocess.run(
        [sys.executable, "-m", "papertriage", "import", str(fixture_path(KAGGLE)), "--db", db],
        check=True,
        capture_output=True,
    )
    statement = (
        f"sys.argv = ['papertriage', *{args!r}, '-f', 'json', '--db', {str(db)!r}]; "
        "import papertriage.cli.fastpath as f, contextlib, io; "
        "contextlib.redirect_stdout(io.StringIO()).__enter__(); "
        "assert f.try_run(sys.argv[1:]) == 0"
    )
    loaded = loaded_after(statement)
    assert not loaded & {*HEAVY, "typer"}, sorted(loaded & {*HEAVY, "typer"})
    # nor what only adding papers needs
    writing = {
        "papertriage.store.ingest",
        "papertriage.store.bulkload",
        "papertriage.importer.run",
        "hashlib",
    }
    assert not loaded & writing, sorted(loaded & writing)
    assert "papertriage.find.selection" in loaded  # the check itself works


def declared_options(name):
    command = typer.main.get_command(app).commands[name]
    declared = {}
    for param in command.params:
        if param.param_type_name != "option" or "--help" in param.opts:
            continue
        kind = "flag" if param.is_flag else "many" if param.multiple else "one"
        annotation = param.type_descriptor.annotation
        if int in (annotation, *typing.get_args(annotation)):
            assert param.type_descriptor.parameter_info.min == 0
            kind = "int"
        for opt in (*param.opts, *param.secondary_opts):
            declared[opt] = (param.name, kind)
    return declared


@pytest.mark.parametrize("name", fastpath.LIST_COMMANDS)
def test_fast_options_are_the_typer_commands_options(name):
    assert declared_options(name) == fastpath.LIST_OPTIONS


def test_fast_show_options_are_the_typer_commands_options():
    assert declared_options("show") == fastpath.SHOW_OPTIONS
    arguments = [p.name for p in typer.main.get_command(app).commands["show"].params]
    assert arguments[0] == "paper_id"  # the one argument, as parse_show_args gives it


def run_fast(argv):
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = fastpath.try_run(argv)
    return code, buf.getvalue()


@pytest.fixture
def store(cli, fixture_path, stored):
    def build(db):
        for rel in (KAGGLE, HF):
            assert cli("import", fixture_path(rel), "--db", db).exit_code == 0
        assert cli("tag", "0704.0001", "keep", "--db", db).exit_code == 0

    return stored("startup", build)


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--limit", "5", "-f", "json"],
        ["list", "-n", "3", "--offset=2", "--format=csv"],
        ["filter", "gluon", "-f", "jsonl"],
        ["filter", "title:graph", "--sort", "date", "-f", "ids"],
        ["search", "quark OR gluon", "-c", "hep-*", "--limit", "50", "-f", "ids"],
        ["filter", "--fuzzy", "diphotn", "-f", "ids"],
        ["filter", "model", "--since", "2007-04-01", "--until", "2007-05-01", "-f", "ids"],
        ["list", "--tag", "keep", "-f", "ids"],
        ["list", "--untagged", "--unseen", "--source", "hf-daily", "-n", "4", "-f", "ids"],
        ["list", "--min-upvotes", "10", "--sort", "upvotes", "-f", "ids"],
        ["filter", "-a", "Nadolsky", "-f", "ids"],
        ["filter", 'author:"Streinu"', "-f", "ids"],
        ["filter", "unmatchedwordxyz", "-f", "json"],
        ["list", "-n", "0", "-f", "ids"],
        ["filter", "model", "--limit=0", "--offset", "3", "-f", "ids"],
    ],
)
def test_fast_list_prints_what_typer_prints(cli, store, args):
    code, out = run_fast([*args, "--db", str(store)])
    expected = cli(*args, "--db", store)
    assert code == expected.exit_code == 0
    assert out == expected.stdout.replace("\n", "\r\n" if "csv" in args[-1] else "\n")
    assert out.strip() or args[1] == "unmatchedwordxyz"


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--limit", "-1"],
        ["list", "--limit", "many"],
        ["list", "-n5"],
        ["list", "--sort", "sideways"],
        ["list", "--fuzzy=yes"],
        ["list", "--since", "last tuesday"],
        ["list", "--format", "yaml"],
        ["list", "--colour", "red"],
        ["filter", "one", "two"],
        ["filter", "-minus"],
        ["filter", "--limit"],
        ["filter", "x", "--", "y"],
        ["show"],
        ["show", "0704.0001", "0704.0002"],
        ["show", "0704.0001", "--json", "--text"],
        ["show", "0704.0001", "--raw=yes"],
        ["show", "0704.0001", "--format=yaml"],
        ["show", "--", "0704.0001"],
        [],
    ],
)
def test_unusual_calls_go_to_typer(args):
    assert fastpath.try_run(args) is None


def test_fast_errors_are_the_usual_one_liners(cli, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database")
    code, out = run_fast(["list", "--db", str(bad)])
    assert code == 1 and out == ""
    assert cli("list", "--db", bad).exit_code == 1
    assert fastpath.try_run(["list", "--db", str(tmp_path)]) is None  # a directory: Typer says so


SHOWN = ["0704.0001", "0704.0002", "arXiv:0704.0003v1", "https://arxiv.org/abs/0704.0004", HF_ID]


def test_fast_rank_options_are_the_typer_commands_options():
    declared = declared_options("rank")
    assert {opt: declared.get(opt) for opt in fastpath.RANK_OPTIONS} == fastpath.RANK_OPTIONS


def run_fast_both(argv, capsys):
    code, out = run_fast(argv)
    return code, out, capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["rank"],
        ["rank", "-f", "ids"],
        ["rank", "-n", "3", "--offset=2", "-f", "json"],
        ["rank", "--limit=0", "--format", "jsonl"],
        ["rank", "--offset", "1", "-f", "csv"],
    ],
)
@pytest.mark.parametrize("fetched", [False, True])
def test_fast_rank_prints_what_typer_prints(cli, store, args, fetched, capsys):
    if fetched:  # a fetch that brought three papers: `rank` ranks those
        from papertriage.store.db import open_db, transaction
        from papertriage.store.runs import finish_run, start_run

        conn = open_db(store)
        with transaction(conn):
            run = start_run(conn, "fetch", "test")
            finish_run(conn, run, "ok", {"new": 3})
            conn.execute("UPDATE papers SET first_run = ? WHERE pk IN (2, 5, 9)", [run])
        conn.close()
    capsys.readouterr()
    code, out, err = run_fast_both([*args, "--db", str(store)], capsys)
    expected = cli(*args, "--db", store)
    assert code == expected.exit_code == 0
    assert out == expected.stdout.replace("\n", "\r\n" if "csv" in args[-1] else "\n")
    assert err == expected.stderr
    assert ("3 papers new" in err) == fetched
    assert out.strip()


@pytest.mark.parametrize(
    "args",
    [
        ["rank", "gluon"],
        ["rank", "--explain", "0704.0001"],
        ["rank", "--since", "7d"],
        ["rank", "--include-seen"],
        ["rank", "-n", "-1"],
        ["rank", "--format", "yaml"],
        ["rank", "--fuzzy"],
    ],
)
def test_unusual_rank_calls_go_to_typer(args):
    assert fastpath.try_run(args) is None


def test_fast_rank_loads_no_typer(store):
    statement = (
        f"sys.argv = ['papertriage', 'rank', '-f', 'json', '--db', {str(store)!r}]; "
        "import papertriage.cli.fastpath as f, contextlib, io; "
        "contextlib.redirect_stdout(io.StringIO()).__enter__(); "
        "assert f.try_run(sys.argv[1:]) == 0"
    )
    loaded = loaded_after(statement)
    assert not loaded & {"typer", "click", "pydantic"}, sorted(loaded & {"typer", "pydantic"})
    assert "papertriage.rank.ranker" in loaded  # the check itself works


def test_fast_rank_errors_are_the_usual_one_liners(cli, tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database")
    code, out, err = run_fast_both(["rank", "--db", str(bad)], capsys)
    expected = cli("rank", "--db", bad)
    assert code == expected.exit_code == 1 and out == ""
    assert err == expected.stderr


@pytest.mark.parametrize("pid", SHOWN)
@pytest.mark.parametrize(
    "args", [[], ["--json"], ["--text"], ["--raw"], ["--raw", "--json"], ["--text", "--raw"]]
)
def test_fast_show_prints_what_typer_prints(cli, store, pid, args):
    cli("note", "0704.0002", "read the proof")
    cli("mark", "0704.0002", "keep")
    code, out = run_fast(["show", pid, *args, "--db", str(store)])
    expected = cli("show", pid, *args, "--db", store)
    assert code == expected.exit_code == 0
    assert out == expected.stdout
    assert out.startswith("{") == ("--text" not in args)  # JSON when piped, unless --text


@pytest.mark.parametrize("pid", ["9999.99999", "not-an-id"])
def test_fast_show_errors_are_typer_s(cli, store, pid, capsys):
    expected = cli("show", pid, "--db", store)
    code, out = run_fast(["show", pid, "--db", str(store)])
    assert code == expected.exit_code == 1 and out == ""
    assert capsys.readouterr().err == expected.stderr


def test_fast_show_loads_no_typer(store):
    statement = (
        f"sys.argv = ['papertriage', 'show', '0704.0001', '--db', {str(store)!r}]; "
        "import papertriage.cli.fastpath as f, contextlib, io; "
        "contextlib.redirect_stdout(io.StringIO()).__enter__(); "
        "assert f.try_run(sys.argv[1:]) == 0"
    )
    loaded = loaded_after(statement)
    assert not loaded & {*HEAVY, "typer"}, sorted(loaded & {*HEAVY, "typer"})
    assert "papertriage.store.queries" in loaded  # the check itself works


def test_limit_zero_lists_every_paper(cli, store):
    code, out = run_fast(["list", "-n", "0", "-f", "ids", "--db", str(store)])
    every = out.split()
    assert code == 0 and len(every) == len(set(every)) == 220  # 200 Kaggle + 20 HF
    ranked = cli("rank", "-n", "0", "-f", "ids", "--db", store).stdout.split()
    assert sorted(ranked) == sorted(every)


@pytest.mark.parametrize(
    "args", [["list"], ["filter", "model"], ["show", "0704.0001"], ["export"], ["db", "info"]]
)
def test_a_missing_store_is_an_error_not_a_new_file(cli, tmp_path, args):
    missing = tmp_path / "typo" / "papres.db"
    result = cli(*args, "--db", missing)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {missing}: no store here yet")
    if args[0] in ("list", "filter"):
        assert run_fast([*args, "--db", str(missing)])[0] == 1
    assert not missing.exists() and not missing.parent.exists()


def test_import_creates_the_store(cli, tmp_path, fixture_path):
    new = tmp_path / "new" / "papers.db"
    assert cli("import", fixture_path(HF), "--db", new).exit_code == 0
    assert cli("list", "-n", "0", "-f", "ids", "--db", new).stdout.count("\n") == 20


def program(entry, argv):
    code = f"import sys; sys.argv[0] = 'papertriage'; from papertriage.{entry} import main; main()"
    return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)


def cached_help(tmp_path):
    """The help cache files: {path: (key line, files it was built from, text)}."""
    out = {}
    for p in (tmp_path / "home" / "cache").glob("help-*.txt"):
        head, _, text = p.read_text().partition("\n\n")
        key, *files = head.split("\n")
        out[p] = (key, [f.rpartition("\t")[0] for f in files], text)
    return out


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["list", "--help"], ["db", "info", "--help"]])
def test_help_comes_from_typer_then_from_the_cache(argv, tmp_path):
    expected = program("cli.app", argv)
    assert expected.returncode == 0 and "Usage: papertriage" in expected.stdout
    assert program("cli.fastpath", argv).stdout == expected.stdout  # asks Typer, caches
    [(path, (key, files, text))] = cached_help(tmp_path).items()
    assert text == expected.stdout
    path.write_text(path.read_text() + "(from the cache)\n")
    assert program("cli.fastpath", argv).stdout == expected.stdout + "(from the cache)\n"


def test_help_is_built_again_when_a_file_it_came_from_changes(tmp_path):
    assert program("cli.fastpath", ["--help"]).returncode == 0
    [(path, (key, files, text))] = cached_help(tmp_path).items()
    package = Path(fastpath.__file__).parent.parent
    # a checkout (an editable install): each module the help loaded, so an edit counts
    assert str(package / "cli" / "papers.py") in files
    assert str(package / "find" / "selection.py") in files  # beyond the CLI too
    # an installed distribution: its RECORD, which every install writes again
    typer_dir = Path(typer.__file__).parent
    assert any(
        Path(f).name == "RECORD" and Path(f).parent.parent == typer_dir.parent for f in files
    )
    assert not [f for f in files if f.startswith(f"{typer_dir}/")]
    path.write_text(path.read_text() + "(from the cache)\n")
    stand_in = tmp_path / "papers.py"  # the cache entry said it came from this file
    stand_in.write_text("x = 1\n")
    st = stand_in.stat()
    papers = f"{package / 'cli' / 'papers.py'}\t"
    lines = path.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(papers))
    lines[at] = f"{stand_in}\t{st.st_mtime_ns}:{st.st_size}"
    entry = "\n".join(lines)
    path.write_text(entry)
    assert program("cli.fastpath", ["--help"]).stdout.endswith("(from the cache)\n")
    stand_in.write_text("x = 2  # edited\n")
    assert not program("cli.fastpath", ["--help"]).stdout.endswith("(from the cache)\n")
    [(path, (key, files, text))] = cached_help(tmp_path).items()
    assert str(stand_in) not in files and text.startswith("Usage: papertriage")


def test_help_of_an_unknown_command_is_not_cached(tmp_path):
    assert run_fast(["nosuchcommand", "--help"])[0] == 2
    assert not list((tmp_path / "home" / "cache").glob("help-*.txt"))


def test_version():
    code, out = run_fast(["--version"])
    assert code == 0 and out.startswith("papertriage ")


@pytest.mark.parametrize("args", [["list", "-n", "0", "-f", "jsonl"], ["export", "-f", "jsonl"]])
def test_a_closed_pipe_ends_quietly(store, args):
    """`papertriage list -n 0 -f jsonl | head -1`: nothing said and exit 0 when head
    stops reading (as rg and fd do), so `set -o pipefail` scripts go on."""
    argv = [*args, "--db", str(store)]
    code = (
        "import sys; sys.argv[0] = 'papertriage'; from papertriage.cli.fastpath import main; main()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline().startswith(b"{")
    proc.stdout.close()  # the rest (more than a pipe's buffer) has nowhere to go
    err = proc.stderr.read().decode()
    assert proc.wait() == 0
    assert err == ""


def test_after_the_demo_a_missing_store_points_at_it(cli, tmp_path, db_file):
    assert cli("demo").exit_code == 0
    result = cli("list")
    demo = tmp_path / "home" / "demo.db"
    assert result.exit_code == 1 and demo.exists() and not db_file.exists()
    assert result.stderr.strip().endswith(f"the demo store is another file: add --db {demo})")
    assert run_fast(["list", "--db", str(demo)])[0] == 0


def test_the_light_column_list_is_the_paper_s_fields():
    from dataclasses import fields

    from papertriage import columns, models

    record = tuple(f.name for f in fields(models.Paper) if f.name not in models.SIGHTING_FIELDS)
    assert columns.PAPER_COLUMNS == record


def test_fast_list_loads_no_dataclass_module(store):
    statement = (
        f"sys.argv = ['papertriage', 'filter', 'gluon', '-f', 'json', '--db', {str(store)!r}]; "
        "import papertriage.cli.fastpath as f, contextlib, io; "
        "contextlib.redirect_stdout(io.StringIO()).__enter__(); "
        "assert f.try_run(sys.argv[1:]) == 0"
    )
    loaded = loaded_after(statement)
    # dataclasses loads inspect, ast, dis and tokenize: a tenth of the start-up
    assert not loaded & {"dataclasses", "inspect", "papertriage.models"}
    assert "papertriage.columns" in loaded  # the check itself works


def test_fast_show_text_loads_no_rich(store):
    """The text card is plain text written by the project, so `show` stays instant."""
    statement = (
        f"sys.argv = ['papertriage', 'show', '0704.0001', '-f', 'text', '--db', {str(store)!r}]; "
        "import papertriage.cli.fastpath as f, contextlib, io; "
        "contextlib.redirect_stdout(io.StringIO()).__enter__(); "
        "assert f.try_run(sys.argv[1:]) == 0"
    )
    loaded = loaded_after(statement)
    assert not loaded & {*HEAVY, "typer", "rich"}, sorted(loaded & {*HEAVY, "typer", "rich"})
    assert "papertriage.cli.render" in loaded


@pytest.mark.parametrize(
    "args", [["list", "-n", "20"], ["list", "-c", "hep-ph", "--since", "2007-01"]]
)
def test_a_listing_with_no_query_loads_no_query_parser(store, args):
    statement = (
        f"sys.argv = ['papertriage', *{args!r}, '-f', 'json', '--db', {str(store)!r}]; "
        "import papertriage.cli.fastpath as f, contextlib, io; "
        "contextlib.redirect_stdout(io.StringIO()).__enter__(); "
        "assert f.try_run(sys.argv[1:]) == 0"
    )
    loaded = loaded_after(statement)
    assert not loaded & {"papertriage.find.query", "papertriage.find.textindex"}
    assert "papertriage.find.sqlparts" in loaded  # the check itself works
    with_query = loaded_after(statement.replace("'list'", "'filter', 'gluon'"))
    assert "papertriage.find.query" in with_query


@pytest.mark.parametrize(
    "args",
    [
        ["list", "-n", "20"],
        ["filter", "gluon"],
        ["show", "0704.0001"],
        ["show", "0704.0001", "-f", "text"],
        ["show", "0704.0001", "--raw", "--json"],
    ],
)
def test_quick_commands_load_neither_typing_nor_pathlib(store, args):
    """typing, contextlib and pathlib (with urllib.parse and ipaddress) were a fifth of
    `list`'s start-up: the modules these commands load do without them."""
    code = (
        f"import sys; sys.argv = ['papertriage', *{args!r}, '--db', {str(store)!r}]; "
        "import papertriage.cli.fastpath as f; rc = f.try_run(sys.argv[1:]); "
        "sys.stderr.write(' '.join(sys.modules)); sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout, out.stderr
    loaded = set(out.stderr.split())
    unwanted = {"typing", "contextlib", "pathlib", "urllib.parse", "dataclasses"}
    assert not loaded & unwanted, sorted(loaded & unwanted)
    assert "papertriage.store.db" in loaded  # the check itself works


def test_help_loads_neither_typing_nor_pathlib(tmp_path):
    env = {**os.environ, "PAPERTRIAGE_HOME": str(tmp_path)}
    code = (
        "import sys; sys.argv = ['papertriage', '--help']; "
        "import papertriage.cli.fastpath as f; rc = f.try_run(sys.argv[1:]); "
        "sys.stderr.write(' '.join(sys.modules)); sys.exit(rc or 0)"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    subprocess.run([sys.executable, "-m", "papertriage", "--help"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    loaded = set(out.stderr.split())
    assert out.stdout.startswith("Usage: papertriage"), out.stdout[:200]
    assert not loaded & {"typing", "pathlib", "urllib.parse"}, sorted(
        loaded & {"typing", "pathlib"}
    )
