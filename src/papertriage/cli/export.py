"""export, digest."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import DbOption, app, err_console, handle_errors, open_store
from .options import (
    AuthorOpt,
    CategoryOpt,
    FuzzyOpt,
    IncludeSeenOpt,
    MinUpvotesOpt,
    NewOpt,
    OffsetOpt,
    QueryArg,
    SeenOpt,
    SinceOpt,
    SourceOpt,
    TagOpt,
    UntaggedOpt,
    UntilOpt,
    filters,
    make_selection,
    parse_day,
    unseen_unless,
)


class ExportFormat(StrEnum):
    md = "md"
    bibtex = "bibtex"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


class GroupBy(StrEnum):
    none = "none"
    tag = "tag"
    date = "date"
    category = "category"


class ExportSort(StrEnum):
    date = "date"
    score = "score"
    upvotes = "upvotes"


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        dir_okay=False,
        metavar="FILE",
        help="Write to this file (atomically), not stdout.",
    ),
]
AbstractsOpt = Annotated[bool, typer.Option("--abstracts", help="Include each abstract.")]
SummaryOpt = Annotated[bool, typer.Option("--summary", help="Include the HF AI summary.")]
TitleOpt = Annotated[
    str | None, typer.Option("--title", metavar="TEXT", help="Heading of the Markdown list.")
]
DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date", metavar="DATE", help="A date for the heading: YYYY-MM-DD, today, yesterday."
    ),
]


def emit(output: Path | None, write: Any) -> None:
    """Run write(stream) on stdout, or on a file replaced atomically."""
    if output is None:
        write(sys.stdout)
        return
    from ..atomicfile import write_atomic

    write_atomic(output, write)
    err_console().print(f"wrote {output}", markup=False)


@app.command()
def export(
    query: QueryArg = None,
    fuzzy: FuzzyOpt = False,
    author: AuthorOpt = None,
    category: CategoryOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    tag: TagOpt = None,
    untagged: UntaggedOpt = False,
    min_upvotes: MinUpvotesOpt = None,
    new: NewOpt = False,
    seen: SeenOpt = None,
    include_seen: IncludeSeenOpt = False,
    source: SourceOpt = None,
    sort: Annotated[
        ExportSort,
        typer.Option("--sort", help="date: newest first; score: the rank score; upvotes."),
    ] = ExportSort.date,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", "-n", min=0, metavar="N", help="At most this many (default, or 0: all)."
        ),
    ] = None,
    offset: OffsetOpt = 0,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ExportFormat.md
    ),
    output: OutputOpt = None,
    abstracts: AbstractsOpt = False,
    summary: SummaryOpt = False,
    group_by: Annotated[
        GroupBy, typer.Option("--group-by", help="Markdown sections by tag, date or category.")
    ] = GroupBy.none,
    title: TitleOpt = None,
    date: DateOpt = None,
    db: DbOption = None,
) -> None:
    """Export papers as a Markdown reading list, BibTeX, CSV, JSON or JSON lines."""
    from ..export import readinglist as rl
    from ..export import writers as writers
    from ..store.db import snapshot

    chosen = filters(locals())
    if sort == ExportSort.score:  # a ranked list: what you triaged already is not news
        chosen["seen"] = unseen_unless(seen, include_seen)
    sel = make_selection(**chosen, sort=sort.value, limit=limit or None, offset=offset)
    day = parse_day(date, "--date")
    heading = (title or "Reading list") + (f", {day}" if day else "")
    extra = [c for c, on in (("abstract", abstracts), ("ai_summary", summary)) if on]
    with handle_errors():
        conn = open_store(db)
        with snapshot(conn):  # one state of the store, though rows are read in chunks
            rows = rl.collect(conn, sel)
            md = writers.MarkdownOptions(abstracts, summary, group_by.value)

            def markdown(out: Any) -> None:
                parts = rl.sections(rows, group_by.value)
                writers.write_markdown(
                    rows, out, heading, rl.describe(sel), md, rl.span(rows), parts
                )

            choose: dict[ExportFormat, Any] = {
                ExportFormat.md: markdown,
                ExportFormat.bibtex: lambda out: writers.write_bibtex(
                    rows, out, abstracts, rl.citation_keys(rows)
                ),
                ExportFormat.csv: lambda out: writers.write_csv(rows, out, extra),
                ExportFormat.json: lambda out: writers.write_json(rows, out),
                ExportFormat.jsonl: lambda out: writers.write_jsonl(rows, out),
            }
            emit(output, choose[fmt])


@app.command()
def digest(
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Use what the store holds; do not fetch first.")
    ] = False,
    top: Annotated[
        int,
        typer.Option("--top", "-n", min=1, metavar="N", help="How many papers the digest lists."),
    ] = 10,
    output: OutputOpt = None,
    abstracts: AbstractsOpt = False,
    summary: SummaryOpt = False,
    title: Annotated[
        str, typer.Option("--title", metavar="TEXT", help="Heading of the digest.")
    ] = "Papers digest",
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            help="Digest of this day, UTC (default: the day of the latest fetch or import).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Fetch, rank the new papers, and write the best of them as a Markdown digest."""
    from ..digest.build import build, latest_day, summary_line, write_digest
    from ..export.writers import MarkdownOptions
    from ..text import now_iso

    day = parse_day(date, "--date")
    failed = False if no_fetch else fetch_for_digest(db)
    with handle_errors():
        conn = open_store(db)
        result = build(conn, day or latest_day(conn) or now_iso()[:10], top)
        opts = MarkdownOptions(abstracts, summary)
        emit(output, lambda out: write_digest(result, out, title, opts))
        err_console().print(summary_line(result), markup=False)
    if failed:
        raise typer.Exit(1)


def fetch_for_digest(db: Path | None) -> bool:
    """`papertriage fetch --quiet --wait`: what the config lists (else today's HF Daily
    Papers). True if it failed; the digest is still written from what the store holds."""
    from .fetch import fetch

    try:
        fetch(quiet=True, wait=True, db=db)
    except typer.Exit as exc:
        return exc.exit_code != 0
    return False
