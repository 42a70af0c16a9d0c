"""Hostile option values and queries never produce a traceback, on either entry point:
every query command and every option parser, fed generated values (huge and odd
numbers, relative dates beyond the calendar, nesting, long words, control characters),
either works or prints a one-line `Error:` and exits non-zero.

Examples per test: PAPERTRIAGE_FUZZ_EXAMPLES (see tests/fuzzing.py).
"""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzzing import EXAMPLES, FUZZ
from papertriage.cli import fastpath

HUGE = "99999999999999999999"
NUMBERS = st.sampled_from(
    [HUGE, "9" * 5000, "-" + HUGE, "1e9", "0x10", "٣", "²", "", " 5", "-1", "10" + "0" * 17]
) | st.integers(-(2**70), 2**70).map(str)
DAYS = st.sampled_from(
    ["9999999d", "9" * 5000 + "d", "99999999999999999999y", "0d", "3652059d", "-1d", "٣d"]
) | st.builds("{}{}".format, st.integers(0, 10**12), st.sampled_from("dwmy"))
WORDS = st.sampled_from(
    ["x" * 101, "x" * 20_000, "\x1b]0;pwned\x07", "a\x00b", "\ud800", "é" * 200]
) | st.text(max_size=30)


@st.composite
def queries(draw) -> str:
    depth = draw(st.integers(0, 400))
    kind = draw(st.sampled_from(["parens", "not", "minus", "column", "flat", "word"]))
    if kind == "parens":
        return "(" * depth + "x" + ")" * draw(st.integers(0, depth))
    if kind == "not":
        return "NOT " * depth + "x"
    if kind == "minus":
        return "-" * depth + "x"
    if kind == "column":
        return "title:(" * depth + "x" + ")" * depth
    if kind == "flat":
        return " OR ".join(["x"] * (depth + 1))
    return draw(WORDS)


QUERY_COMMANDS = [
    ["list"],
    ["filter"],
    ["rank"],
    ["export"],
    ["triage"],
]
OPTIONS = {
    "-n": NUMBERS,
    "--offset": NUMBERS,
    "--min-upvotes": NUMBERS,
    "--since": DAYS | WORDS,
    "--until": DAYS | WORDS,
    "--author": WORDS,
    "--category": WORDS,
    "--tag": WORDS,
    "--source": WORDS,
    "--sort": WORDS,
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from conftest import FIXTURES
    from papertriage.importer.run import import_file
    from papertriage.store.db import open_db

    path = tmp_path_factory.mktemp("opts") / "o.db"
    conn = open_db(path)
    import_file(conn, str(FIXTURES / "hf_daily" / "2026-08-12.json"))
    conn.close()
    return path


def _check(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        assert result.exit_code in (1, 2)
        assert "Error" in result.stderr, result.stderr


def _fast(argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = fastpath.try_run(argv)
    if code:  # None: left to Typer (checked by the other test)
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), err.getvalue()


def test_hostile_option_values_never_crash(cli, store):
    @settings(FUZZ, max_examples=max(EXAMPLES // 2, 20))
    @given(
        command=st.sampled_from(QUERY_COMMANDS),
        option=st.sampled_from(sorted(OPTIONS)),
        data=st.data(),
    )
    def run(command: list[str], option: str, data: st.DataObject) -> None:
        if command[0] == "export" and option == "--sort":
            return  # an enum there: Typer's own message
        value = data.draw(OPTIONS[option])
        argv = [*command, "x", option, value, "--db", str(store)]
        _check(cli(*argv))
        if command[0] in fastpath.LIST_COMMANDS:
            _fast(argv)

    run()


def test_hostile_queries_never_crash_any_query_command(cli, store):
    @settings(FUZZ, max_examples=max(EXAMPLES // 2, 20))
    @given(
        command=st.sampled_from([*QUERY_COMMANDS, ["tag", "--where"]]),
        query=queries(),
        fuzzy=st.booleans(),
    )
    def run(command: list[str], query: str, fuzzy: bool) -> None:
        argv = [*command, query]
        if command[0] == "tag":
            argv += ["fuzzed"]
        elif fuzzy:
            argv += ["--fuzzy"]
        argv += ["--db", str(store)]
        _check(cli(*argv))
        if command[0] in fastpath.LIST_COMMANDS:
            _fast(argv)

    run()


@pytest.mark.parametrize("command", [*QUERY_COMMANDS, ["tag", "--where"]])
def test_a_query_nested_300_deep_is_a_one_line_error(cli, store, command):
    argv = [*command, "(" * 300 + "x" + ")" * 300]
    result = cli(*argv, *(["t"] if command[0] == "tag" else []), "--db", store)
    assert result.exit_code == 1, result.output
    assert (
        result.stderr.strip() == "Error: brackets or NOTs nested more than 32 deep at position 33"
    )


@pytest.mark.parametrize("option", ["-n", "--offset", "--min-upvotes"])
@pytest.mark.parametrize("command", QUERY_COMMANDS)
def test_a_count_beyond_64_bits_is_refused(cli, store, command, option):
    result = cli(*command, option, HUGE, "--db", store)
    assert (
        result.exit_code == 2 and "is too large (give 1000000000000000000 or less)" in result.stderr
    )
    assert fastpath.try_run([command[0], option, HUGE, "--db", str(store)]) is None or (
        command[0] not in fastpath.LIST_COMMANDS
    )


@pytest.mark.parametrize("command", QUERY_COMMANDS)
def test_a_since_beyond_the_calendar_is_refused(cli, store, command):
    result = cli(*command, "--since", "9999999d", "--db", store)
    assert result.exit_code == 2
    assert "'9999999d' is before the year 1" in result.stderr


def test_long_query_words_and_author_names_are_refused_quickly(cli, store):
    word = "x" * 20_000
    for argv in (["list", word, "--fuzzy"], ["rank", "--fuzzy", f'"{word}"'], ["list", "-a", word]):
        result = cli(*argv, "--db", store)
        assert result.exit_code in (1, 2) and "20,000 characters" in result.stderr, argv
    assert cli("list", "x" * 100, "--fuzzy", "--db", store).exit_code == 0


@pytest.mark.parametrize("option", ["--category", "--author", "--tag", "--source", "--watch"])
@pytest.mark.parametrize("command", QUERY_COMMANDS)
def test_a_lone_surrogate_in_a_filter_value_is_no_traceback(cli, store, command, option):
    """Found by the fuzz at 600 examples: '-c \\ud800' reached SQLite's binding."""
    result = cli(*command, option, "\ud800x", "--db", store)
    _check(result)


def test_a_path_that_is_not_unicode_is_a_one_line_error(cli, store):
    result = cli("import", "\ud800.json", "--db", store)
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: not valid Unicode text: '\ufffd.json'"
