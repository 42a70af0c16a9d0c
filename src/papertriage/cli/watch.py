"""watch add, list, show, rm, run: saved searches that run after every fetch and import."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from ..output import Format, ReportFormat
from .common import (
    CommandList,
    DbOption,
    JsonAlias,
    LimitOption,
    ReportFormatOption,
    app,
    err_console,
    handle_errors,
    open_store,
    say_queued,
    wants_json,
)
from .options import (
    AuthorOpt,
    CategoryOpt,
    FuzzyOpt,
    MinUpvotesOpt,
    SeenOpt,
    SinceOpt,
    SourceOpt,
    UntilOpt,
    as_bad_parameter,
)

watch_app = typer.Typer(
    cls=CommandList,
    help="Saved searches that tag the new papers of every fetch and import they match.",
    no_args_is_help=True,
)
app.add_typer(watch_app, name="watch")

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The watch's name.")]


@watch_app.command("add")
def add(
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="A name (also the tag its matches get, unless --tag)."),
    ],
    query: Annotated[
        str | None,
        typer.Argument(
            metavar="QUERY",
            help='The same query language as filter (quote it): words, "phrases", OR, '
            "NOT, title:/abstract:/author:/cat:.",
            show_default=False,
        ),
    ] = None,
    fuzzy: FuzzyOpt = False,
    author: AuthorOpt = None,
    category: CategoryOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    min_upvotes: MinUpvotesOpt = None,
    seen: SeenOpt = None,
    source: SourceOpt = None,
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag", "-t", metavar="TAG", help="Tag the matches with TAG [default: NAME]."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Save a search as a watch: from the next fetch or import on, it runs over the new papers."""
    from ..watch.watches import add_watch

    options = {"fuzzy": fuzzy, "author": author, "category": category, "since": since,
               "until": until, "min_upvotes": min_upvotes, "seen": seen, "source": source}  # fmt: skip
    with handle_errors():
        conn = open_store(db, create=True)
        with as_bad_parameter():
            watch = add_watch(conn, name, query, options, tag)
    if watch.queued:
        say_queued(f"watch {watch.name}: {watch.command()}")
        return
    err_console().print(
        f"watch {watch.name}: {watch.command()} (tag: {watch.tag}); it runs after every "
        f"fetch and import (papertriage watch run {watch.name} --all: over the store now)",
        markup=False,
    )


@watch_app.command("list")
def list_(
    fmt: ReportFormatOption = ReportFormat.text, as_json: JsonAlias = False, db: DbOption = None
) -> None:
    """The watches: name, matches so far, tag, and the search."""
    from ..watch.watches import list_watches

    with handle_errors():
        watches = list_watches(open_store(db))
    if wants_json(fmt, as_json):
        typer.echo(json.dumps([w.as_dict() for w in watches], indent=2, ensure_ascii=False))
        return
    for w in watches:
        typer.echo(f"{w.name}\t{w.matches} matched\ttag {w.tag}\t{w.command()}")
    if not watches:
        err_console().print("no watches yet: papertriage watch add NAME QUERY", markup=False)


@watch_app.command("show")
def show(
    name: NameArg,
    limit: LimitOption = 20,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="Output: a table on a terminal, or json (the watch and its papers), "
            "or jsonl/csv/ids (the papers).",
        ),
    ] = Format.table,
    as_json: JsonAlias = False,
    db: DbOption = None,
) -> None:
    """A watch's search, and the papers it matched, newest first (as `list --watch NAME`)."""
    from ..find.selection import Selection
    from ..output import write_rows
    from ..rank.ranking import find
    from ..watch.watches import get_watch

    with handle_errors():
        conn = open_store(db)
        watch = get_watch(conn, name)
        found = find(conn, Selection(watches=[watch.name], limit=limit or None))
        if as_json or fmt == Format.json:
            data = {**watch.as_dict(), "papers": list(found.rows)}
            typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
            return
        err_console().print(
            f"watch {watch.name}: {watch.command()}\ntag: {watch.tag}; {watch.matches} "
            f"matched; added {(watch.created or '')[:10]}; looked at runs up to {watch.last_run}",
            markup=False,
        )
        write_rows(found.rows, fmt)


@watch_app.command("rm")
def rm(name: NameArg, db: DbOption = None) -> None:
    """Remove a watch and its record of matches (the tags it gave stay)."""
    from ..watch.watches import remove_watch

    with handle_errors():
        watch = remove_watch(open_store(db), name)
    if watch.queued:
        say_queued(f"Removing watch {watch.name}")
        return
    err_console().print(
        f"removed watch {watch.name} ({watch.matches} matches; tag {watch.tag} kept)",
        markup=False,
    )


@watch_app.command("run")
def run(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[NAME]", help="Only this watch [default: all].", show_default=False
        ),
    ] = None,
    everything: Annotated[
        bool,
        typer.Option("--all", help="Over every paper in the store, not only the new ones."),
    ] = False,
    fmt: ReportFormatOption = ReportFormat.text,
    as_json: JsonAlias = False,
    db: DbOption = None,
) -> None:
    """Run watches now over the papers that came since each one last ran (--all: every paper)."""
    from ..watch.watches import run_watches

    with handle_errors():
        counts = run_watches(open_store(db), [name] if name else None, everything)
    if wants_json(fmt, as_json):
        typer.echo(json.dumps(counts, indent=2))
        return
    for line in watch_lines(counts):
        typer.echo(line)
    if not counts:
        err_console().print("no watches yet: papertriage watch add NAME QUERY", markup=False)


def watch_lines(counts: dict[str, Any]) -> list[str]:
    """`watch NAME: N new` for each watch (an error instead for one that failed)."""
    return [
        f"watch {name}: {n} new" if isinstance(n, int) else f"watch {name}: failed: {n}"
        for name, n in counts.items()
    ]


def after_run(conn: Any, console: Any = None) -> dict[str, Any]:
    """Run every watch over what a fetch or import just brought; print `watch NAME: N new`
    on stderr (a failed watch as an error line). Returns {name: new count or error}."""
    from ..watch.watches import after_run as run_all

    results = {r.name: r.new if r.error is None else r.error for r in run_all(conn)}
    if console is not None:
        for line in watch_lines(results):
            console.print(line, markup=False)
    return results
