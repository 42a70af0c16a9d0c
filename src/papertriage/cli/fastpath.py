"""The command-line entry point: answer the commonest calls without building the Typer app.

Typer builds every command, and a pydantic validator for each option, on every run:
about 0.15 s of CPU before a command starts, more than `list` or `filter` then take on
a million-paper store. So `main` first tries, here:

- `--version`;
- `--help` and `COMMAND --help`: Typer's own text, kept in a cache file keyed by the
  package's source files, the Typer install, the program name and the terminal width
  (the first call asks Typer and stores what it printed);
- `list`, `filter` and `search` with the options they document, given in the usual
  forms (`--limit 20`, `--limit=20`, `-n 20`).

Anything else, or anything unusual (an option this module doesn't know, a bad value, a
flag given a value), goes to Typer, which parses and reports it as it always has; so
errors and their exit codes don't change. tests/test_startup.py checks the options
here against the Typer commands and the output against Typer's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from .completion import LIST_COMMANDS  # list, filter, search

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
    return None


def _is_word(arg: str) -> bool:
    return arg.replace("-", "").isalpha() and arg.islower() and not arg.startswith("-")


# -- list / filter / search ---------------------------------------------------------


def parse_list_args(args: list[str]) -> dict[str, Any] | None:
    """The parameter values of a list/filter call, or None if Typer should parse it."""
    values: dict[str, Any] = {"limit": 20, "offset": 0, "fmt": "table"}
    query: str | None = None
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-") or arg == "-":
            if query is not None:
                return None  # a second QUERY: Typer says what is wrong
            query = arg
            continue
        name, eq, inline = arg.partition("=")
        if name not in LIST_OPTIONS:
            return None
        dest, kind = LIST_OPTIONS[name]
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
    values["query"] = query
    return values


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


def _list(values: dict[str, Any]) -> int | None:
    import sqlite3

    from ..errors import PapertriageError
    from ..output import Format, write_rows

    if values["fmt"] not in {f.value for f in Format}:
        return None
    fmt = Format(values["fmt"])
    db = Path(values["db"]) if values.get("db") else None
    if db is not None and db.is_dir():
        return None
    sel = _selection(values)
    if sel is None:
        return None
    from ..rank.ranking import find
    from ..store.db import open_db

    try:
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
    except PapertriageError as exc:
        from ..text import scrub

        sys.stderr.write(f"Error: {scrub(str(exc))}\n")
        return 1
    except sqlite3.DatabaseError as exc:
        from ..text import scrub

        sys.stderr.write(f"Error: database: {scrub(str(exc))}\n")
        return 1
    return 0


# -- help ------------------------------------------------------------------------------


def _help(argv: list[str]) -> int:
    path = _help_cache(argv)
    try:
        text = path.read_text(encoding="utf-8") if path else None
    except OSError:
        text = None
    if text is None:
        code, text = _typer_output(argv)
        if code != 0:
            sys.stdout.write(text)
            return code
        if path:
            _write_atomic(path, text)
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


def _help_cache(argv: list[str]) -> Path | None:
    import hashlib
    import shutil
    from importlib.util import find_spec

    package = Path(__file__).parent.parent  # every module of papertriage, not only the CLI
    parts = [sys.version, sys.argv[0], str(shutil.get_terminal_size().columns), *argv]
    typer_spec = find_spec("typer")
    typer_file = [Path(typer_spec.origin)] if typer_spec and typer_spec.origin else []
    for group in (package.rglob("*.py"), typer_file):
        for f in sorted(group):
            st = f.stat()
            parts.append(f"{f}:{st.st_mtime_ns}:{st.st_size}")
    key = hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]
    return _cache_dir() / f"help-{key}.txt"


def _cache_dir() -> Path:
    home = os.environ.get("PAPERTRIAGE_HOME")
    if home:
        return Path(home) / "cache"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("papertriage", appauthor=False))


def _write_atomic(path: Path, text: str) -> None:
    try:
        from ..atomicfile import PRIVATE_FILE, private_dir

        private_dir(path.parent)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: help still works, it is just not cached
