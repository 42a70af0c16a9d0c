"""export, digest."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import MAX_COUNT, DbOption, app, err_console, handle_errors, open_store
from .options import (
    Filters,
    IncludeSeenOpt,
    OffsetOpt,
    parse_day,
    takes_filters,
    unseen_unless,
    warn_unknown,
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


class PostFormat(StrEnum):
    json = "json"
    ntfy = "ntfy"
    slack = "slack"


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
@takes_filters("include_seen")
def export(
    filters: Filters,
    include_seen: IncludeSeenOpt = False,
    sort: Annotated[
        ExportSort,
        typer.Option("--sort", help="date: newest first; score: the rank score; upvotes."),
    ] = ExportSort.date,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            max=MAX_COUNT,
            metavar="N",
            help="At most this many papers (default: all; 0: all too).",
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

    seen = filters.seen
    if sort == ExportSort.score:  # a ranked list: what you triaged already is not news
        seen = unseen_unless(seen, include_seen)
    sel = filters.select(seen=seen, sort=sort.value, limit=limit or None, offset=offset)
    day = parse_day(date, "--date")
    heading = (title or "Reading list") + (f", {day}" if day else "")
    extra = [c for c, on in (("abstract", abstracts), ("ai_summary", summary)) if on]
    with handle_errors():
        conn = open_store(db)
        warn_unknown(conn, sel)
        with snapshot(conn):  # one state of the store, though rows are read in chunks
            rows = rl.collect(conn, sel, user_data=fmt in (ExportFormat.json, ExportFormat.jsonl))
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
        typer.Option(
            "--limit",
            "-n",
            "--top",
            min=1,
            max=MAX_COUNT,
            metavar="N",
            help="How many papers the digest lists (--top is the old spelling).",
        ),
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
    include_shown: Annotated[
        bool,
        typer.Option("--include-shown", help="Also list papers an earlier day's digest listed."),
    ] = False,
    mail_to: Annotated[
        list[str] | None,
        typer.Option(
            "--mail-to",
            metavar="ADDRESS",
            help="Email it (SMTP from the config's mail: section; password from "
            "$PAPERTRIAGE_SMTP_PASSWORD). Repeatable.",
        ),
    ] = None,
    post: Annotated[
        str | None,
        typer.Option("--post", metavar="URL", help="POST it to this webhook URL."),
    ] = None,
    post_format: Annotated[
        PostFormat,
        typer.Option(
            "--post-format", help="json: a generic body; ntfy; slack (incoming webhooks)."
        ),
    ] = PostFormat.json,
    db: DbOption = None,
) -> None:
    """Fetch, rank the new papers, write the best as a Markdown digest; mail or post it.

    A section per watch comes first; --mail-to / --post deliver it."""
    from ..digest.build import build, latest_day, mark_shown, summary_line, write_digest
    from ..export.writers import MarkdownOptions
    from ..text import now_iso

    day = parse_day(date, "--date")
    _check_delivery(mail_to, post)
    if post is None and post_format != PostFormat.json:
        raise typer.BadParameter("--post-format needs --post URL", param_hint="--post-format")
    failed, run = (False, None) if no_fetch else fetch_for_digest(db)
    deliver = bool(mail_to or post)
    with handle_errors():
        conn = open_store(db)
        own = None if no_fetch else [run] if run is not None else []
        result = build(conn, day or latest_day(conn) or now_iso()[:10], top, own, include_shown)
        if failed and run is None:
            result.problems.append("fetch failed: it did not start (its error is on stderr)")
        opts = MarkdownOptions(abstracts, summary)
        if output is not None or not deliver:  # delivered: stdout stays quiet for cron
            emit(output, lambda out: write_digest(result, out, title, opts))
        err_console().print(summary_line(result), markup=False)
    delivered = True
    if deliver:
        import io

        buf = io.StringIO()
        write_digest(result, buf, title, opts)
        delivered = _deliver(
            result, buf.getvalue(), f"{title}, {result.day}", mail_to, post, post_format
        )
    if delivered:
        with handle_errors():
            mark_shown(conn, result)
    if failed or not delivered:
        raise typer.Exit(1)


def _check_delivery(mail_to: list[str] | None, post: str | None) -> None:
    """A bad --post URL, address or mail config is an error before anything is fetched."""
    from email.utils import parseaddr

    if post is not None and not post.lower().startswith(("http://", "https://")):
        raise typer.BadParameter(f"{post!r} is not an http(s) URL", param_hint="--post")
    for address in mail_to or []:
        if "@" not in parseaddr(address)[1]:
            raise typer.BadParameter(f"{address!r} is not an email address", param_hint="--mail-to")
    if mail_to:
        from ..config import load_config
        from ..notify.mail import mail_settings

        with handle_errors():
            mail_settings(load_config())


def _deliver(
    result: Any,
    markdown: str,
    subject: str,
    mail_to: list[str] | None,
    post: str | None,
    fmt: PostFormat,
) -> bool:
    """Mail and/or post the digest; a failure is one `Error:` line. True if all went."""
    from ..errors import PapertriageError

    console = err_console()
    ok = True
    if mail_to:
        from ..config import load_config
        from ..notify.mail import mail_digest

        try:
            mail_digest(load_config(), markdown, subject, mail_to)
            console.print(f"mailed to {', '.join(mail_to)}", markup=False)
        except PapertriageError as exc:
            typer.echo(f"Error: digest not mailed: {exc}", err=True)
            ok = False
    if post:
        from ..fetch.settings import load_fetch_settings
        from ..notify.post import facts_of, post_digest

        try:
            status = post_digest(
                post, fmt.value, markdown, subject, facts_of(result), load_fetch_settings().http
            )
            console.print(f"posted to {post} (HTTP {status}, {fmt.value})", markup=False)
        except PapertriageError as exc:
            typer.echo(f"Error: digest not posted: {exc}", err=True)
            ok = False
    return ok


def fetch_for_digest(db: Path | None) -> tuple[bool, int | None]:
    """`papertriage fetch --quiet --wait`: what the config lists (else today's HF Daily
    Papers). Whether it failed, and its run (None if it could not start); the digest is
    still written from what the store holds."""
    from .fetch import fetch_configured

    try:
        report = fetch_configured(db)
    except typer.Exit as exc:
        return exc.exit_code != 0, None
    return report.failed, report.run_id
