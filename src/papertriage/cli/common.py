"""What every command shares: the Typer app, option aliases, error handling, consoles."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import __version__
from ..errors import PapertriageError
from ..output import Format
from ..text import scrub

app = typer.Typer(
    name="papertriage",
    help="Fetch, filter, triage, rank and export new research papers, from one local SQLite file.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(
    help="Where the store lives, what it holds, and its upkeep.", no_args_is_help=True
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


def open_store(db: Path | None, create: bool = False) -> sqlite3.Connection:
    """The store; only the commands that add papers (import, fetch) create it, so a
    mistyped --db is an error rather than a new empty file."""
    from ..store.db import open_db

    return open_db(db, create=create)
