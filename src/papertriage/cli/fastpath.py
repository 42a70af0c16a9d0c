"""The command-line entry point: answer the commonest calls without building the Typer app.

Typer builds every command, and a pydantic validator for each option, on every run:
about 0.15 s of CPU before a command starts, more than `list`, `filter` or `show` then
take on a million-paper store. So `main` first tries, here:

- `--version`;
- `--help` and `COMMAND --help`: Typer's own text, kept in a cache file (the first call
  asks Typer and stores what it printed). The file's name comes from the version, the
  program name, the terminal width and the words asked; inside, beside the text, is the
  list of files the text was built from, each with its size and modification time,
  checked on every call: for an installed distribution, its RECORD (rewritten by every
  install); for code that isn't installed that way (an editable install, a checkout
  run with `uv run`), every module of it the help loaded. So an edited source or an
  upgrade never serves an old text, and a call stats a few dozen files, no more;
- `list`, `filter` and `search` with the options they document, given in the usual
  forms (`--limit 20`, `--limit=20`, `-n 20`);
- `show ID` with `--json`, `--text`, `--raw`, `--db`;
- `rank` with no filter (the last fetch's new papers), with `--limit`, `--offset`,
  `--format`, `--db`.

Anything else, or anything unusual (an option this module doesn't know, a bad value, a
flag given a value), goes to Typer, which parses and reports it as it always has; so
errors and their exit codes don't change. tests/test_startup.py checks the options
here against the Typer commands and the output against Typer's.

What this module imports at its top is what every call pays for: `os` and `sys` only
(`pathlib` and `typing` cost more than a `list` query does at 1M papers).
"""

from __future__ import annotations

import os
import sys

from .completion import LIST_COMMANDS  # list, filter, search

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

# list/filter/search options: flag -> (parameter, kind). Kinds: "flag" (a boolean),
# "many" (repeatable), "one" (a value, the last one wins), "int" (an integer >= 0).
LIST_OPTIONS: dict[str, tuple[str, str]] = {
    "--fuzzy": ("fuzzy", "flag"),
    "--author": ("author", "many"),
    "-a": ("author", "many"),
    "--category": ("category", "many"),
    "-c": ("category", "many"),
    "--since": ("since", "one"),
    "--until": ("until", "one"),
    "--tag": ("tag", "many"),
    "-t": ("tag", "many"),
    "--untagged": ("untagged", "flag"),
    "--min-upvotes": ("min_upvotes", "int"),
    "--new": ("new", "flag"),
    "--seen": ("seen", "flag"),
    "--unseen": ("seen", "flag"),
    "--source": ("source", "many"),
    "--watch": ("watch", "many"),
    "--sort": ("sort", "one"),
    "--limit": ("limit", "int"),
    "-n": ("limit", "int"),
    "--offset": ("offset", "int"),
    "--format": ("fmt", "one"),
    "-f": ("fmt", "one"),
    "--db": ("db", "one"),
}
# show's options, the same way (a "fmt" of text or json is understood too, for when
# show takes -f/--format: add its two spellings here then).
SHOW_OPTIONS: dict[str, tuple[str, str]] = {
    "--raw": ("raw", "flag"),
    "--json": ("as_json", "flag"),
    "--text": ("as_text", "flag"),
    "--format": ("fmt", "one"),
    "-f": ("fmt", "one"),
    "--db": ("db", "one"),
}
# rank's options answered here (a plain `rank`: the last fetch's new papers); any other
# of its options goes to Typer.
RANK_OPTIONS: dict[str, tuple[str, str]] = {
    flag: LIST_OPTIONS[flag] for flag in ("--limit", "-n", "--offset", "--format", "-f", "--db")
}
_HELP = ("--help", "-h")
_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def main() -> None:
    """The `papertriage` program."""
    try:
        code = try_run(sys.argv[1:])
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
    except BrokenPipeError:  # `| head` closed the pipe: stop quietly with 0, as rg and fd do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    if code is not None:
        sys.exit(code)
    from .app import main as typer_main

    typer_main()


def try_run(argv: list[str]) -> int | None:
    """Run argv here and return the exit code, or None to leave it to Typer."""
    if "_PAPERTRIAGE_COMPLETE" in os.environ:
        from .completion import complete

        return complete(os.environ["_PAPERTRIAGE_COMPLETE"])
    if len(argv) == 2 and argv[0] == "--show-completion" and argv[1] in _SHELLS:
        from .completion import script

        return script(argv[1])
    if argv == ["--version"]:
        from .. import __version__

        sys.stdout.write(f"papertriage {__version__}\n")
        return 0
    if argv and argv[-1] in _HELP and all(_is_word(a) for a in argv[:-1]) and len(argv) <= 3:
        return _help(argv)
    if argv and argv[0] in LIST_COMMANDS:
        values = parse_list_args(argv[1:])
        return None if values is None else _list(values)
    if argv and argv[0] == "rank":
        parsed = parse_args(argv[1:], RANK_OPTIONS, {"limit": 20, "offset": 0, "fmt": "table"})
        return None if parsed is None or parsed[1] else _rank(parsed[0])
    if argv and argv[0] == "show":
        values = parse_show_args(argv[1:])
        return None if values is None else _show(values)
    return None


def _is_word(arg: str) -> bool:
    return arg.replace("-", "").isalpha() and arg.islower() and not arg.startswith("-")


# -- parsing ---------------------------------------------------------------------------


def parse_args(
    args: list[str], table: dict[str, tuple[str, str]], values: dict[str, Any]
) -> tuple[dict[str, Any], list[str]] | None:
    """The option values (over the defaults in `values`) and the arguments of a call,
    as the Typer command would parse them, or None if Typer should parse it."""
    arguments: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-") or arg == "-":
            arguments.append(arg)
            continue
        name, eq, inline = arg.partition("=")
        if name not in table:
            return None
        dest, kind = table[name]
        if kind == "flag":
            if eq:
                return None
            values[dest] = name != "--unseen"
            continue
        if eq:
            value = inline
        elif i < len(args):
            value, i = args[i], i + 1
        else:
            return None
        if kind == "many":
            values.setdefault(dest, []).append(value)
        elif kind == "int":
            if not (value.isascii() and value.isdigit()) or len(value) > 18:
                return None  # Typer says what is wrong (at most MAX_COUNT, 10**18)
            values[dest] = int(value)
        else:
            values[dest] = value
    return values, arguments


def parse_list_args(args: list[str]) -> dict[str, Any] | None:
    """The parameter values of a list/filter call, or None if Typer should parse it."""
    parsed = parse_args(args, LIST_OPTIONS, {"limit": 20, "offset": 0, "fmt": "table"})
    if parsed is None or len(parsed[1]) > 1:
        return None  # a second QUERY: Typer says what is wrong
    values, arguments = parsed
    values["query"] = arguments[0] if arguments else None
    return values


def parse_show_args(args: list[str]) -> dict[str, Any] | None:
    """The parameter values of a show call, or None if Typer should parse it."""
    parsed = parse_args(args, SHOW_OPTIONS, {})
    if parsed is None or len(parsed[1]) != 1:
        return None  # no ID, or two: Typer says what is wrong
    values, arguments = parsed
    values["paper_id"] = arguments[0]
    return values


def _db(values: dict[str, Any]) -> Any:
    """The --db path, or "dir" for a directory (Typer says what is wrong with it)."""
    db = values.get("db") or None
    return "dir" if db is not None and os.path.isdir(db) else db


def _guarded(run: Callable[[], None]) -> int:
    """Run a command body; the project's errors as one line on stderr and exit code 1,
    as the Typer commands' handle_errors prints them."""
    import sqlite3

    from ..errors import PapertriageError

    try:
        run()
    except PapertriageError as exc:
        from ..text import scrub

        sys.stderr.write(f"Error: {scrub(str(exc))}\n")
        return 1
    except sqlite3.DatabaseError as exc:
        from ..text import scrub

        sys.stderr.write(f"Error: database: {scrub(str(exc))}\n")
        return 1
    except UnicodeEncodeError as exc:  # a lone surrogate typed where no rule scrubbed it
        from ..text import scrub

        bad = scrub(exc.object[max(exc.start - 20, 0) : exc.end + 20])
        sys.stderr.write(f"Error: not valid Unicode text: {bad!r}\n")
        return 1
    return 0


# -- list / filter / search ---------------------------------------------------------


def _selection(values: dict[str, Any]) -> Any:
    """The Selection the Typer command would build (the same function builds it), or
    None for a value only Typer can report."""
    from ..errors import BadValueError
    from ..find.selection import make_selection

    options = {k: v for k, v in values.items() if k not in ("fmt", "db")}
    options["sort"] = values.get("sort")  # not given: relevance with a query, else date
    options["limit"] = values["limit"] or None  # -n 0: all of them, as the command says
    try:
        return make_selection(**options)
    except BadValueError:
        return None


def _format_and_store(values: dict[str, Any]) -> tuple[Any, Any] | None:
    """The output format and the store a listing writes and reads, or None for a value
    only Typer can report (an unknown format, a directory as the store)."""
    from ..output import Format

    if values["fmt"] not in {f.value for f in Format}:
        return None
    db = _db(values)
    return None if db == "dir" else (Format(values["fmt"]), db)


def _list(values: dict[str, Any]) -> int | None:
    from ..output import Format, write_rows

    given = _format_and_store(values)
    if given is None:
        return None
    fmt, db = given
    sel = _selection(values)
    if sel is None:
        return None

    def run() -> None:
        from ..store.db import open_db

        if sel.sort == "score":  # as rank.ranking.find orders them
            from ..rank.ranking import find
        else:
            from ..find.selection import find
        conn = open_db(db, create=False)
        if sel.sources or sel.categories:  # as options.warn_unknown says it
            from ..find.values import unknown_values

            for line in unknown_values(conn, sel):
                sys.stderr.write(f"Warning: {line}\n")
        found = find(conn, sel)
        words: list[str] = []
        if fmt == Format.table and found.words and sys.stdout.isatty():
            from .papers import highlights

            words = highlights(conn, found.words, fmt)
        write_rows(found.rows, fmt, highlight=words)

    return _guarded(run)


# -- rank ------------------------------------------------------------------------------


def _rank(values: dict[str, Any]) -> int | None:
    """`rank` with no filter: what the Typer command does then (cli/rank.py)."""
    given = _format_and_store(values)
    if given is None:
        return None
    fmt, db = given

    def run() -> None:
        from ..rank.ranking import default_selection, iter_ranked, with_rows
        from ..store.db import open_db
        from .rank_view import write_ranked

        conn = open_db(db, create=False)
        sel, said = default_selection(conn)
        if sys.stderr.isatty():
            from rich.console import Console  # as common.err_console

            Console(stderr=True, highlight=False, soft_wrap=True).print(said, markup=False)
        else:
            sys.stderr.write(said + "\n")  # what that console writes to a pipe
        sel = sel._replace(seen=False)  # options.unseen_unless(None, False)
        ranked = iter_ranked(conn, sel, limit=values["limit"] or None, offset=values["offset"])
        write_ranked(with_rows(conn, ranked), fmt)

    return _guarded(run)


# -- show ------------------------------------------------------------------------------


def _show(values: dict[str, Any]) -> int | None:
    given = (("json", values.get("as_json")), ("text", values.get("as_text")))
    forms = {form for form, asked in given if asked}
    if values.get("fmt") is not None:
        forms.add(values["fmt"])
    if len(forms) > 1 or not forms <= {"json", "text"}:
        return None  # two forms, or an unknown one: Typer says what is wrong
    db = _db(values)
    if db == "dir":
        return None

    def run() -> None:
        from ..store.db import open_db
        from ..store.queries import get_paper, raw_items

        conn = open_db(db, create=False)
        paper = get_paper(conn, values["paper_id"])
        if values.get("raw"):
            paper["raw"] = raw_items(conn, paper["id"])
        form = forms.pop() if forms else ("text" if sys.stdout.isatty() else "json")
        if form == "json":
            import json

            sys.stdout.write(json.dumps(paper, ensure_ascii=False, indent=2) + "\n")
        else:
            from .render import paper_detail

            paper_detail(paper)

    return _guarded(run)


# -- help ------------------------------------------------------------------------------

_CACHE_FORMAT = "papertriage help 2"


def _help(argv: list[str]) -> int:
    path, key = _help_cache(argv)
    text = _cached(path, key)
    if text is None:
        code, text = _typer_output(argv)
        if code != 0:
            sys.stdout.write(text)
            return code
        files = _built_from()
        if files is not None:
            _write_atomic(path, "\n".join([key, *files, "", text]))
    sys.stdout.write(text)
    return 0


def _typer_output(argv: list[str]) -> tuple[int, str]:
    """What Typer prints for argv, and its exit code."""
    import io
    from contextlib import redirect_stdout

    from .app import app

    buf = io.StringIO()
    code: Any = 0
    with redirect_stdout(buf):
        try:
            app(args=argv)
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 1), buf.getvalue()


def _help_cache(argv: list[str]) -> tuple[str, str]:
    """The cache file for argv's help, and the key line it must start with."""
    from zlib import crc32

    from .. import __version__

    try:
        width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        width = 0
    columns = os.environ.get("COLUMNS", "")  # what Click reads first
    parts = [_CACHE_FORMAT, __version__, sys.version, sys.argv[0], columns, str(width), *argv]
    key = repr(parts)
    from ..userdirs import cache_dir

    return os.path.join(cache_dir(), f"help-{crc32(key.encode()):08x}.txt"), key


def _cached(path: str, key: str) -> str | None:
    """The help text in the cache file, if its key is this one and none of the files
    it was built from changed since."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = fh.read()
    except (OSError, UnicodeDecodeError):
        return None
    head, sep, text = data.partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != key:
        return None
    for line in lines[1:]:
        name, _, stamp = line.rpartition("\t")
        try:
            st = os.stat(name)
        except OSError:
            return None
        if stamp != f"{st.st_mtime_ns}:{st.st_size}":
            return None
    return text


def _built_from() -> list[str] | None:
    """`path<TAB>mtime:size` of each file the help just built depends on: the RECORD of
    each installed distribution it loaded a module from; each module file of one not
    installed that way (an editable install, a checkout); the standard library goes by
    sys.version, in the key. None if some file can't be named on one line."""
    import sysconfig
    from importlib.metadata import packages_distributions

    dists = packages_distributions()
    paths = sysconfig.get_paths()
    stdlib = tuple(os.path.join(paths[k], "") for k in ("stdlib", "platstdlib"))
    site = tuple(os.path.join(paths[k], "") for k in ("purelib", "platlib"))
    records: dict[str, str | None] = {}
    files = set()
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not os.path.isabs(path):
            continue
        if path.startswith(stdlib) and not path.startswith(site):
            continue
        top = name.partition(".")[0]
        if top not in records:
            records[top] = _record_of(name, path, dists)
        files.add(records[top] or path)
    out = []
    for path in sorted(files):
        try:
            st = os.stat(path)
        except OSError:
            return None
        if "\n" in path or "\t" in path:
            return None
        out.append(f"{path}\t{st.st_mtime_ns}:{st.st_size}")
    return out


def _record_of(name: str, module_file: str, dists: Mapping[str, list[str]]) -> str | None:
    """The RECORD of the distribution installed beside the module `name` (whose file is
    `module_file`), or None when there is none there (an editable install)."""
    from importlib import metadata

    depth = name.count(".") + 1 + os.path.basename(module_file).startswith("__init__.")
    top_dir = module_file
    for _ in range(depth):
        top_dir = os.path.dirname(top_dir)
    for dist_name in dists.get(name.partition(".")[0], []):
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            continue
        for f in dist.files or []:
            if f.name == "RECORD" and f.parent.name.endswith(".dist-info"):
                record = str(dist.locate_file(f))
                if os.path.dirname(os.path.dirname(record)) == top_dir:
                    return record
    return None


def _write_atomic(path: str, text: str) -> None:
    try:
        from ..atomicfile import PRIVATE_FILE, parent_dir, private_dir

        private_dir(parent_dir(path))
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: help still works, it is just not cached
