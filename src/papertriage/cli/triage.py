"""tag, untag, tags, note, mark, triage, open: the user's own data over the store."""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager, nullcontext
from typing import Annotated, Any

import typer

from ..output import Format, shown
from .common import (
    MAX_COUNT,
    DbOption,
    FormatOption,
    app,
    err_console,
    handle_errors,
    open_store,
    say_pending,
    say_queued,
)
from .completion import complete_values
from .options import (
    Filters,
    OffsetOpt,
    make_selection,
    takes_filters,
    warn_unknown,
)

IdsAndTags = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="ID... TAG...",
        help="Paper ids in any form (- reads ids from stdin, one per line), then tags.",
        show_default=False,
    ),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _stdin_ids() -> list[str]:
    """Ids piped in: the first field of each non-empty line (so `filter` tables work too).
    On a terminal, it asks for them first."""
    if sys.stdin.isatty():
        err_console().print("paper ids, one per line; Ctrl-D when done:", markup=False)
    return [line.split()[0] for line in sys.stdin.read().splitlines() if line.strip()]


def _split(args: list[str]) -> tuple[list[str], list[str]]:
    """IDs (and -) first, then at least one tag."""
    from ..ids import try_parse_id

    n = 0
    while n < len(args) - 1 and (args[n] == "-" or try_parse_id(args[n])):
        n += 1
    if n == 0:
        raise typer.BadParameter(
            "give paper IDs (or - for stdin) and then tags, e.g. `tag 2510.23473 later`"
        )
    return _expand_ids(args[:n]), args[n:]


def _expand_ids(args: list[str]) -> list[str]:
    out: list[str] = []
    for arg in args:
        out += _stdin_ids() if arg == "-" else [arg]
    return out


def _where_ids(conn, query: str, tags: list[str], yes: bool) -> list[str]:  # type: ignore[no-untyped-def]
    from ..find.selection import find

    rows = find(conn, make_selection(query=query, limit=None)).rows  # ids only: no row is read
    err_console().print(f"{len(rows)} papers match {query!r}", markup=False)
    if rows and not yes and sys.stdin.isatty():
        if not typer.confirm(f"Tag them with {', '.join(tags)}?", err=True):
            raise typer.Abort()
    return list(rows.ids())


@app.command()
def tag(
    args: IdsAndTags = None,
    where: Annotated[
        str | None, typer.Option("--where", help="Tag every paper this filter QUERY matches.")
    ] = None,
    yes: YesOpt = False,
    db: DbOption = None,
) -> None:
    """Add tags to papers, given by id (or - for stdin) or by a filter query with --where."""
    from ..store.userdata import add_tags, check_tag, resolve_all

    args = args or []
    with handle_errors():
        conn = open_store(db)
        if where is not None:
            tags = [check_tag(t) for t in args]
            if not tags:
                raise typer.BadParameter("give at least one tag after --where QUERY")
            pids = _where_ids(conn, where, tags, yes)
        else:
            texts, tags = _split(args)
            tags = [check_tag(t) for t in tags]
            pids = resolve_all(conn, texts)
        added = add_tags(conn, pids, tags)
    if added is None:
        say_queued(f"Tagging {len(pids)} paper{'s' * (len(pids) != 1)} with {', '.join(tags)}")
        return
    err_console().print(
        f"Tagged {len(pids)} paper{'s' * (len(pids) != 1)} with {', '.join(tags)} ({added} new)",
        markup=False,
    )


@app.command()
def untag(args: IdsAndTags = None, db: DbOption = None) -> None:
    """Remove tags from papers, given by id (or - for stdin)."""
    from ..store.userdata import remove_tags, resolve_all

    texts, tags = _split(args or [])
    with handle_errors():
        conn = open_store(db)
        removed = remove_tags(conn, resolve_all(conn, texts), tags)
    if removed is None:
        say_queued(f"Removing {', '.join(tags)}")
        return
    err_console().print(f"Removed {removed} tag{'s' * (removed != 1)}", markup=False)


@app.command()
def tags(
    paper_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="Only this paper's tags.")
    ] = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List tags with how many papers carry each (or one paper's tags)."""
    from ..store.queries import resolve_id
    from ..store.userdata import paper_tags, tag_counts

    with handle_errors():
        conn = open_store(db)
        if paper_id:
            rows = [{"tag": t, "papers": 1} for t in paper_tags(conn, resolve_id(conn, paper_id))]
        else:
            rows = tag_counts(conn)
        say_pending(conn)
    if fmt in (Format.json, Format.jsonl):
        lines = [json.dumps(r) for r in rows]
        typer.echo("[" + ",\n ".join(lines) + "]" if fmt == Format.json else "\n".join(lines))
    elif fmt == Format.csv:
        typer.echo(
            "tag,papers\n" + "".join(f'"{r["tag"]}",{r["papers"]}\n' for r in rows), nl=False
        )
    else:
        for r in rows:
            tag = shown(r["tag"])
            typer.echo(tag if fmt == Format.ids or paper_id else f"{tag}\t{r['papers']}")


@app.command()
def note(
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="Any arXiv id form.")],
    text: Annotated[
        list[str] | None,
        typer.Argument(help="The note (- reads it from stdin); without it, $EDITOR opens."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a note to a paper (without TEXT, write it in $EDITOR)."""
    from ..store.queries import resolve_id
    from ..store.userdata import add_note

    with handle_errors():
        conn = open_store(db)
        pid = resolve_id(conn, paper_id)
        if text == ["-"]:
            body = sys.stdin.read()
        elif text:
            body = " ".join(text)
        else:
            from ..triage.editor import edit_note

            body = edit_note(pid)
        if not body.strip():
            err_console().print("Empty note: nothing added.", markup=False)
            return
        if add_note(conn, pid, body) is None:
            say_queued(f"Note to {pid}")
            return
    err_console().print(f"Note added to {pid}", markup=False)


@app.command()
def mark(
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="ID... STATE",
            help="Paper ids (- reads them from stdin), then read, unread, keep or skip.",
        ),
    ],
    db: DbOption = None,
) -> None:
    """Set papers' triage state: read, keep, skip, or unread (back into the triage inbox)."""
    from ..store.userdata import MARKS, resolve_all
    from ..store.userdata import mark as set_mark

    if len(args) < 2 or args[-1] not in MARKS:
        last = f"{args[-1]!r} is not a state: " if args and args[-1] not in MARKS else ""
        raise typer.BadParameter(f"{last}give paper IDs, then one of: read, unread, keep, skip")
    with handle_errors():
        conn = open_store(db)
        pids = resolve_all(conn, _expand_ids(args[:-1]))
        changed = set_mark(conn, pids, args[-1])
    if changed is None:
        say_queued(f"Marking {len(pids)} paper{'s' * (len(pids) != 1)} {args[-1]}")
        return
    err_console().print(f"Marked {changed} paper{'s' * (changed != 1)} {args[-1]}", markup=False)


@app.command("open")
def open_(
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="Any arXiv id form.")],
    pdf: Annotated[bool, typer.Option("--pdf", help="Open the PDF.")] = False,
    hf: Annotated[bool, typer.Option("--hf", help="Open the Hugging Face paper page.")] = False,
    db: DbOption = None,
) -> None:
    """Open a paper's arXiv page (or --pdf, --hf) in the web browser."""
    from ..store.queries import get_paper
    from ..triage.screen import open_url

    with handle_errors():
        paper = get_paper(open_store(db), paper_id)
    url = paper.get("pdf_url" if pdf else "hf_url" if hf else "abs_url")
    if not url:
        typer.echo(f"Error: {paper['id']} has no arXiv id yet, so no such link", err=True)
        raise typer.Exit(1)
    if not open_url(url):
        typer.echo(url)
        typer.echo("Error: no web browser available; the link is above", err=True)
        raise typer.Exit(1)
    err_console().print(f"Opened {url}", markup=False)


@app.command()
@takes_filters()
def triage(
    filters: Filters,
    sort: Annotated[
        str | None,
        typer.Option(
            "--sort",
            autocompletion=complete_values("--sort"),
            help="Order: score|relevance|date|upvotes (default: score with a profile, else date).",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", min=1, max=MAX_COUNT, help="At most this many papers."),
    ] = None,
    offset: OffsetOpt = 0,
    db: DbOption = None,
) -> None:
    """Go through untriaged papers one per screen, deciding with single keys (? lists them)."""
    from ..triage.inbox import Inbox, load_queue, run

    with handle_errors():
        conn = open_store(db)
        seen = False if filters.seen is None else filters.seen
        sel = filters.select(seen=seen, sort=sort or "date", limit=limit, offset=offset)
        warn_unknown(conn, sel)
        papers = load_queue(
            conn, sel, by_score=sort == "score" or (sort is None and _has_profile())
        )
        if not papers:
            err_console().print("Nothing to triage: no untriaged papers match.", markup=False)
            return
        inbox = Inbox(conn, papers)
        try:
            with _screen_for_session() as screen:
                run(inbox, screen)
        except (KeyboardInterrupt, SystemExit) as stop:  # Ctrl-C, SIGTERM: all saved already
            err_console().print(inbox.summary(), markup=False)
            raise typer.Exit(getattr(stop, "code", None) or 130) from None
    err_console().print(inbox.summary(), markup=False)


def _has_profile() -> bool:
    """A ranking profile: a `rank:` section in the config (see `papertriage rank`)."""
    from ..config import load_config

    return bool(load_config().get("rank"))


def _screen_for_session() -> AbstractContextManager[Any]:
    """Single keys on a terminal; one key per line when stdin is a pipe or file."""
    from ..triage.screen import LineScreen, TerminalScreen

    if not sys.stdin.isatty():
        return nullcontext(LineScreen(sys.stdin, sys.stdout))
    from rich.console import Console

    out = sys.stdout if sys.stdout.isatty() else sys.stderr
    return TerminalScreen(sys.stdin.fileno(), Console(file=out, highlight=False))
