"""What every command shares: the Typer app, option aliases, error handling, consoles."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import PapertriageError
from ..output import Format, ReportFormat
from ..text import scrub

# The order `papertriage --help` lists the commands in: as a morning runs, then upkeep
# under its own heading. A command named in neither comes after the morning's.
MORNING = (
    "fetch", "import", "list", "filter", "search", "show", "triage", "tag", "untag",
    "tags", "note", "mark", "open", "rank", "export", "digest", "watch", "stats",
)  # fmt: skip
UPKEEP = ("dedupe", "db", "config", "demo")


class CommandList(TyperGroup):
    """A command group whose help gives each command the whole first paragraph of its
    help (Click cuts it to the width with "..."); the root lists them in MORNING order,
    then UPKEEP under its own heading, subgroups in the order they were defined. It
    also gives every parameter one placeholder style, and bad values plain errors."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for command in self.commands.values():
            for param in command.params:
                _plain_placeholder(param)

    def list_commands(self, ctx: Any) -> list[str]:
        names = list(self.commands)
        if ctx.parent is not None:
            return names
        order = list(dict.fromkeys((*MORNING, *names)))  # unknown names after MORNING's
        order = [name for name in order if name not in UPKEEP] + list(UPKEEP)
        return sorted(names, key=order.index)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # `| head` stopped reading: done, as rg and fd say (exit 0)
            stop_writing_stdout()
            raise typer.Exit(0) from None
        except typer.BadParameter as exc:
            exc.message = _plain_error(exc)
            exc.param_hint = _quoted_hint(exc.param_hint)
            raise
        except Exception as exc:  # Click's NoSuchOption, without importing click
            hint = _other_spelling(exc)
            if hint:
                exc.possibilities = None  # type: ignore[attr-defined]
                exc.message += f" ({hint})"  # type: ignore[attr-defined]
            raise

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows: dict[str, list[tuple[str, str]]] = {"Commands": [], "Upkeep": []}
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            first = " ".join((cmd.short_help or cmd.help or "").split("\n\n")[0].split())
            upkeep = ctx.parent is None and name in UPKEEP
            rows["Upkeep" if upkeep else "Commands"].append((name, first))
        for heading, section in rows.items():
            if section:
                with formatter.section(heading):
                    formatter.write_dl(section)


# An option some commands spell one way and others another: (missing, present) -> hint.
_OTHER_SPELLING = {
    ("--json", "--format"): "use -f json",
    ("--top", "--limit"): "use -n/--limit",
    ("--limit", "--max"): "use --max",
}


def _other_spelling(exc: Exception) -> str | None:
    option = getattr(exc, "option_name", None)
    command = getattr(getattr(exc, "ctx", None), "command", None)
    if option is None or command is None:
        return None
    present = {opt for param in command.params for opt in getattr(param, "opts", ())}
    return next((h for (o, p), h in _OTHER_SPELLING.items() if o == option and p in present), None)


# The placeholder of an option that the code gives none: one word per kind of value.
_METAVARS = {
    "--date": "DATE", "--since": "DATE", "--until": "DATE", "--category": "CAT",
    "--id": "ID", "--max": "N", "--limit": "N", "--offset": "N", "--where": "QUERY",
    "--sort": "ORDER", "--format": "FORMAT", "--db": "PATH", "--output": "FILE",
}  # fmt: skip


def _plain_placeholder(param: Any) -> None:
    """Click's placeholders, one style: ID, [QUERY], ID... in usage lines; NAME, N, PATH
    or [a|b] after options; no <str>, <list[str]>, {ID} or <int range> from Typer."""
    if param.param_type_name == "argument":
        name = (param.metavar or param.name.upper()).removeprefix("[").removesuffix("]")
        param.metavar = name
        dots = "..." if param.nargs != 1 and "..." not in name else ""
        usage = f"{name}{dots}" if param.required else f"[{name}{dots}]"
        param.get_usage_pieces = lambda ctx: [usage]
        param.display_type_rich = lambda ctx: None
        return
    if param.metavar is not None or getattr(param, "is_flag", False) or param.count:
        return
    desc = getattr(param, "type_descriptor", None)
    choices = getattr(desc, "choices", None)
    if choices:
        param.metavar = "[" + "|".join(str(getattr(c, "value", c)) for c in choices) + "]"
    else:
        named = (_METAVARS[o] for o in param.opts if o in _METAVARS)
        param.metavar = next(named, param.name.upper())


def stop_writing_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail again."""
    import os
    import sys

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a file (a test's buffer)
        pass


def _quoted_hint(hint: Any) -> Any:
    """A hint our code gives as "--sort" or "-c/--category", quoted as Click quotes the
    options it names itself: '--sort', '-c' / '--category'."""
    if isinstance(hint, str) and not hint.startswith("'"):
        return [part.strip() for part in hint.replace(" / ", "/").split("/")]
    return hint


def _plain_error(exc: Any) -> str:
    """A bad option value in papertriage's words, not the validation library's
    ("Input should be greater than or equal to 0", "Value error, ...")."""
    errors = getattr(exc.__cause__, "errors", None)
    found = errors()[0] if callable(errors) and errors() else None
    if found is None:
        return str(exc.message).removeprefix("Value error, ")
    value, kind, limits = found.get("input"), found.get("type", ""), found.get("ctx") or {}
    if kind == "greater_than_equal":
        return f"{value} is too small (give {limits.get('ge')} or more)"
    if kind == "greater_than":
        return f"{value} is too small (give more than {limits.get('gt')})"
    if kind == "less_than_equal":
        return f"{value} is too large (give {limits.get('le')} or less)"
    if kind == "less_than":
        return f"{value} is too large (give less than {limits.get('lt')})"
    if kind.startswith("int_"):
        return f"{value!r} is not a whole number"
    if kind.startswith("float_"):
        return f"{value!r} is not a number"
    if kind == "value_error":
        return str(limits.get("error", found.get("msg", ""))).removeprefix("Value error, ")
    return str(found.get("msg", exc.message)).removeprefix("Value error, ")


app = typer.Typer(
    name="papertriage",
    cls=CommandList,
    help="Fetch, filter, triage, rank and export new research papers, from one local SQLite file.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    # wider than Click's 80 columns on a wide terminal: one line per command
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)
db_app = typer.Typer(
    cls=CommandList,
    help="Where the store lives, what it holds, and its upkeep.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        metavar="PATH",
        help="Store file (default: $PAPERTRIAGE_DB, else $PAPERTRIAGE_HOME/papers.db, "
        "else the user data dir).",
        show_default=False,
        dir_okay=False,
    ),
]
FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output: a table on a terminal, or json/jsonl/csv/ids."),
]
ReportFormatOption = Annotated[
    ReportFormat, typer.Option("--format", "-f", help="Output: text, or json.")
]
# The old spelling of -f json on the commands that print one record or report: kept
# working, left out of --help.
JsonAlias = Annotated[
    bool, typer.Option("--json", hidden=True, help="The old spelling of -f json.")
]


def wants_json(fmt: ReportFormat | None, as_json: bool) -> bool:
    """-f json, or the old --json."""
    return as_json or fmt == ReportFormat.json


# The largest count an option takes (-n, --offset, --min-upvotes...): SQLite integers are
# 64-bit, and an offset plus a limit must be one too.
MAX_COUNT = 10**18
LimitOption = Annotated[
    int,
    typer.Option(
        "--limit",
        "-n",
        min=0,
        max=MAX_COUNT,
        metavar="N",
        help="Show at most this many papers (0: all).",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"papertriage {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Fetch, filter, triage, rank and export new research papers, from one local SQLite file."""


def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn the project's errors into one line on stderr and exit code 1."""
    try:
        yield
    except PapertriageError as exc:
        typer.echo(f"Error: {scrub(str(exc))}", err=True)
        raise typer.Exit(1) from None
    except sqlite3.DatabaseError as exc:
        typer.echo(f"Error: database: {scrub(str(exc))}", err=True)
        raise typer.Exit(1) from None
    except UnicodeEncodeError as exc:  # a lone surrogate typed where no rule scrubbed it
        bad = scrub(exc.object[max(exc.start - 20, 0) : exc.end + 20])
        typer.echo(f"Error: not valid Unicode text: {bad!r}", err=True)
        raise typer.Exit(1) from None


def say_queued(what: str) -> None:
    """A user's write that found the store being written by another process: queued."""
    err_console().print(
        f"{what}: queued, as an import or fetch is writing the store; it is applied when that ends",
        markup=False,
    )


def say_pending(conn: sqlite3.Connection) -> None:
    """What a read does not show yet: the writes queued while the store was being written."""
    from ..store.userdata import queued

    n = len(queued(conn))
    if n:
        err_console().print(
            f"note: {n} queued write{'s' * (n != 1)} (tags, notes, decisions) not shown yet:"
            " applied when the import or fetch writing the store ends",
            markup=False,
        )


def open_for_writing(db: Path | None, quiet: bool = False) -> sqlite3.Connection:
    """For import and fetch: the store (created if missing), once no other import or
    fetch is writing it: they wait for one, saying so once (unless quiet). Even the
    first import into a new store, which nobody can open while it runs."""
    import time

    from ..errors import StoreImportingError
    from ..store.db import wait_for_writer
    from ..store.userdata import USER_WAIT_S

    said: list[bool] = []

    def say() -> None:
        if not quiet and not said:
            err_console().print(
                "waiting: another import or fetch is writing the store (Ctrl-C to stop)",
                markup=False,
            )
        said.append(True)

    while True:
        try:
            conn = open_store(db, create=True)
            break
        except StoreImportingError:
            say()
            time.sleep(FIRST_IMPORT_POLL_S)
    wait_for_writer(conn, USER_WAIT_S, say)
    return conn


FIRST_IMPORT_POLL_S = 1.0  # how often a waiting import or fetch tries the store again


def open_store(db: Path | None, create: bool = False) -> sqlite3.Connection:
    """The store; only the commands that add papers (import, fetch) create it, so a
    mistyped --db is an error rather than a new empty file."""
    from ..store.db import open_db

    return open_db(db, create=create)
