"""import, list, show, demo."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..output import Format, ReportFormat
from .common import (
    DbOption,
    FormatOption,
    JsonAlias,
    LimitOption,
    app,
    err_console,
    handle_errors,
    open_for_writing,
    open_store,
)
from .options import (
    Filters,
    OffsetOpt,
    SortOpt,
    takes_filters,
    warn_unknown,
)

PROGRESS_MIN_BYTES = 2_000_000


@app.command("import")
def import_(
    files: Annotated[list[str], typer.Argument(help="Listing files to import, or - for stdin.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Force the format instead of detecting it (e.g. kaggle, hf-daily, arxiv-api).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Import listings (HF JSON, arXiv Atom/RSS/OAI, Kaggle JSONL, pasted HF page text, own JSON)."""
    from ..importer.run import import_file
    from ..sources.formats import FORMATS, REGISTRY

    if fmt and fmt not in REGISTRY:
        raise typer.BadParameter(
            f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}", param_hint="--format"
        )
    from ..store.db import db_path, discard_new, is_new, missing_dirs

    console = err_console()
    failed = 0
    path = db_path(db)
    new, was_file, dirs = is_new(path), path.exists(), missing_dirs(path)
    with handle_errors():
        conn = open_for_writing(db)  # another import: wait for it, saying so
    for name in files:
        try:
            with handle_errors(), _progress(name) as progress:
                result = import_file(conn, name, fmt, progress)
        except typer.Exit:
            failed += 1
            continue
        c = result.counts
        console.print(
            f"{result.origin} ({result.format}): read {c['read']}, new {c['new']}, "
            f"updated {c['updated']}, unchanged {c['unchanged']}, merged {c['merged']}"
            + (f", skipped {c['skipped']}" if c["skipped"] else "")
            + _restored(c),
            markup=False,
        )
        for reason in result.skipped:
            console.print(f"warning: {result.origin}: skipped {reason}", markup=False)
    from ..store.userdata import flush_pending
    from .watch import after_run

    with handle_errors():
        after_run(conn, console)  # every watch over the new papers: `watch NAME: N new`
        flush_pending(conn)  # the user's writes queued meanwhile, if not applied yet
    if failed:
        if new:  # only a successful import creates a store: leave no empty one behind
            discard_new(conn, path, was_file, dirs)
        raise typer.Exit(1)


def _restored(counts: Any) -> str:
    """', restored 2 tags, 1 note' for what an own export brought back."""
    parts = [
        f"{counts[k]} {k[:-1] if counts[k] == 1 else k}" for k in ("tags", "notes", "decisions")
    ]
    shown = [p for p, k in zip(parts, ("tags", "notes", "decisions"), strict=True) if counts[k]]
    return ", restored " + ", ".join(shown) if shown else ""


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(name: str):  # type: ignore[no-untyped-def]
    """A byte-based progress bar on stderr for large files on a terminal."""
    path = Path(name)
    if (
        name == "-"
        or not path.is_file()
        or path.stat().st_size < PROGRESS_MIN_BYTES
        or not sys.stderr.isatty()
    ):
        return _NoProgress()
    from contextlib import contextmanager

    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    @contextmanager
    def bar():  # type: ignore[no-untyped-def]
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err_console(),
            transient=True,
        ) as prog:
            task = prog.add_task(path.name, total=path.stat().st_size)
            yield lambda done: prog.update(task, completed=done)

    return bar()


@app.command("list")
@takes_filters()
def list_(
    filters: Filters,
    sort: SortOpt = None,
    limit: LimitOption = 20,
    offset: OffsetOpt = 0,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """List papers in the store, newest first (with a QUERY or options: filter them)."""
    from ..output import write_rows
    from ..rank.ranking import find

    sel = filters.select(sort=sort, limit=limit or None, offset=offset)
    with handle_errors():
        conn = open_store(db)
        warn_unknown(conn, sel)
        found = find(conn, sel)
        write_rows(found.rows, fmt, highlight=highlights(conn, found.words, fmt))


def highlights(conn: Any, words: list[str], fmt: Format) -> list[str]:
    """What to mark in a table: the words, and their stems (quantize -> quantiz)."""
    if fmt != Format.table or not words or not sys.stdout.isatty():
        return []
    from ..find.textindex import Stemmer

    out = {w.strip("*?!.,:;()'\"") for w in words}
    for toks in Stemmer(conn).tokens(words).values():
        out.update(t for t in toks if len(t) > 2)
    return sorted(w for w in out if w)


_FIND_HELP = (
    "Find papers: QUERY words and filter options (same as list; see README for the query syntax)."
)
app.command("filter", help=_FIND_HELP)(list_)
app.command("search", help=_FIND_HELP)(list_)


@app.command()
def show(
    paper_id: Annotated[
        str, typer.Argument(metavar="ID", help="Any arXiv id form: 2410.12345v2, arXiv:…, URL.")
    ],
    raw: Annotated[
        bool, typer.Option("--raw", help="Also print the raw item each source gave.")
    ] = False,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Output: text (the default on a terminal) or json (the default when piped).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonAlias = False,
    as_text: Annotated[
        bool, typer.Option("--text", hidden=True, help="The old spelling of -f text.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Show everything the store knows about one paper."""
    from ..store.queries import get_paper, raw_items
    from .render import paper_detail

    asked = {f for f, given in ((fmt, fmt), (ReportFormat.json, as_json),
             (ReportFormat.text, as_text)) if given}  # fmt: skip
    if len(asked) > 1:
        raise typer.BadParameter("give -f text or -f json, not both", param_hint="-f/--format")
    with handle_errors():
        conn = open_store(db)
        paper = get_paper(conn, paper_id)
        if raw:
            paper["raw"] = raw_items(conn, paper["id"])
        shown = asked.pop() if asked else None
        if shown == ReportFormat.json or (shown is None and not sys.stdout.isatty()):
            typer.echo(json.dumps(paper, ensure_ascii=False, indent=2))
        else:
            paper_detail(paper)


@app.command()
def demo(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", help="Where to build the demo store (default: demo.db in the data dir)."
        ),
    ] = None,
    limit: LimitOption = 15,
) -> None:
    """Build an offline demo store from the listings in examples/ and list it."""
    from ..importer.demo import build_demo
    from ..output import write_rows
    from ..store.queries import list_papers

    with handle_errors():
        conn, path, results = build_demo(db)
        for r in results:
            err_console().print(
                f"imported {r.origin}: {r.counts['read']} read, {r.counts['new']} new", markup=False
            )
        write_rows(list_papers(conn, limit=limit or None), Format.table)
        err_console().print(
            f"\nDemo store: {path}\nTry:  papertriage filter --db {path} agent\n"
            f"      papertriage rank --db {path}\n      papertriage triage --db {path}",
            markup=False,
        )
