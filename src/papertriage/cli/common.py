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
from ..output import Format

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
    then UPKEEP under its own heading, subgroups in the order they were defined."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = list(self.commands)
        if ctx.parent is not None:
            return names
        order = list(dict.fromkeys((*MORNING, *names)))  # unknown names after MORNING's
        order = [name for name in order if name not in UPKEEP] + list(UPKEEP)
        return sorted(names, key=order.index)

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
        help="Store file (default: $PAPERTRIAGE_DB, else the user data dir).",
        show_default=False,
        dir_okay=False,
    ),
]
FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output: a table on a terminal, or json/jsonl/csv/ids."),
]
LimitOption = Annotated[
    int,
    typer.Option(
        "--limit", "-n", min=0, metavar="N", help="Show at most this many papers (0: all)."
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
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    except sqlite3.DatabaseError as exc:
        typer.echo(f"Error: database: {exc}", err=True)
        raise typer.Exit(1) from None


def open_store(db: Path | None, create: bool = False) -> sqlite3.Connection:
    """The store; only the commands that add papers (import, fetch) create it, so a
    mistyped --db is an error rather than a new empty file."""
    from ..store.db import open_db

    return open_db(db, create=create)
