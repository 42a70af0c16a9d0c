"""fetch: live listings from Hugging Face and arXiv (and --log: the recent fetches)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..output import ReportFormat
from .common import (
    DbOption,
    JsonAlias,
    app,
    err_console,
    handle_errors,
    open_for_writing,
    open_store,
    wants_json,
)
from .completion import complete_values

if TYPE_CHECKING:
    from ..fetch.plan import Wanted
    from ..fetch.run import FetchReport
    from ..fetch.settings import FetchSettings

SOURCES = ("hf", "hf-search", "arxiv", "arxiv-query")


@app.command()
def fetch(
    source: Annotated[
        str | None,
        typer.Argument(
            autocompletion=complete_values("SOURCE"),
            help=f"One of {', '.join(SOURCES)} (default: the config's sources, else hf).",
            show_default=False,
        ),
    ] = None,
    query: Annotated[
        str | None,
        typer.Argument(help="The query, for hf-search and arxiv-query.", show_default=False),
    ] = None,
    day: Annotated[
        list[str] | None,
        typer.Option(
            "--date", help="hf: a day 2025-02-24, a week 2025-W09 or a month 2025-02 (repeatable)."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="hf: every day from this one (YYYY-MM-DD, 7d, yesterday); arxiv-query: submitted on or after.",
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="End of the --since range (default today).")
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category", "-c", help="arxiv: these categories instead of the config's (repeatable)."
        ),
    ] = None,
    ids: Annotated[
        list[str] | None,
        typer.Option("--id", help="arxiv-query: fetch these arXiv ids (repeatable)."),
    ] = None,
    max_results: Annotated[
        int | None,
        typer.Option("--max", min=1, help="hf-search, arxiv-query: at most this many results."),
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Ignore the saved ETag/Last-Modified and fetch in full."),
    ] = False,
    complete: Annotated[
        bool | None,
        typer.Option(
            "--complete/--no-complete",
            help="Then look up the fetched papers that lack arXiv metadata (Hugging Face's: "
            "categories, comment, DOI, versions) in the arXiv API, 100 a request, 3 s apart "
            "[default: the config's 'complete', else on].",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show the requests it would make; fetch and write nothing."),
    ] = False,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="If another fetch is running, wait for it instead of exiting."),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing unless a source fails (for cron).")
    ] = False,
    log: Annotated[bool, typer.Option("--log", help="List the recent fetches instead.")] = False,
    fmt: Annotated[
        ReportFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: the summary on stderr; json: the summary (or --log) on stdout.",
        ),
    ] = ReportFormat.text,
    as_json: JsonAlias = False,
    db: DbOption = None,
) -> None:
    """Fetch new papers from Hugging Face Daily Papers and arXiv into the store."""
    from ..fetch.plan import follow_ups, plan
    from ..fetch.settings import load_fetch_settings

    as_json = wants_json(fmt, as_json)
    if log:
        with handle_errors():
            _show_log(open_store(db), as_json)
        return
    with handle_errors():
        settings = load_fetch_settings()
        wanted = _wanted(settings, source, query, day, since, until, category, ids, max_results)
        wanted.complete = complete
        if dry_run:
            completing = settings if follow_ups(settings, wanted) else None
            _dry_run(plan(settings, wanted), db, completing)
            return
        report = _fetch(settings, wanted, db, refresh, wait, quiet)
        watched = _watches(db)
    _summary(report, as_json, quiet, watched)
    if report.failed:
        raise typer.Exit(1)


def fetch_configured(db: Path | None) -> FetchReport:
    """`papertriage fetch --quiet --wait`: the config's sources (else today's HF Daily
    Papers), the summary shown only if a source failed. Errors exit as the command does."""
    from ..fetch.settings import load_fetch_settings

    with handle_errors():
        settings = load_fetch_settings()
        wanted = _wanted(settings, None, None, None, None, None, None, None, None)
        report = _fetch(settings, wanted, db, refresh=False, wait=True, quiet=True)
        watched = _watches(db)
    _summary(report, False, quiet=True, watched=watched)
    return report


def _fetch(
    settings: FetchSettings, wanted: Wanted, db: Path | None, refresh: bool, wait: bool, quiet: bool
) -> FetchReport:
    from ..fetch.plan import follow_ups, plan

    listings, after = plan(settings, wanted), follow_ups(settings, wanted)
    return _run(settings, listings, db, refresh, wait, quiet, after)


def _wanted(
    settings: FetchSettings,
    source: str | None,
    query: str | None,
    day: list[str] | None,
    since: str | None,
    until: str | None,
    category: list[str] | None,
    ids: list[str] | None,
    max_results: int | None,
) -> Wanted:
    """The command line as a fetch_plan.Wanted; bad values are usage errors (exit 2)."""
    from ..errors import PlanError
    from ..fetch.plan import Wanted, day_range, hf_period
    from ..fetch.settings import SourceSpec
    from .options import parse_day

    if source is not None and source not in SOURCES:
        raise typer.BadParameter(
            f"{source!r} is not one of {', '.join(SOURCES)}", param_hint="SOURCE"
        )
    if query is not None and source not in ("hf-search", "arxiv-query"):
        raise typer.BadParameter(
            f"{source or 'hf'} takes no QUERY (only hf-search and arxiv-query do)",
            param_hint="QUERY",
        )
    if since is None and until is not None:
        raise typer.BadParameter("--until needs --since", param_hint="--until")
    _check_values(query, category, ids)
    given = {"--date": day, "--since": since, "-c/--category": category, "--id": ids}
    _check_applies(source, {**given, "--max": max_results})
    try:
        periods = [hf_period(d) for d in day or []]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--date") from None
    lo, hi = (
        parse_day(since, "--since"),
        parse_day(until or ("today" if since else None), "--until"),
    )
    if lo and hi and source in (None, "hf"):
        try:
            periods += day_range(lo, hi)
        except PlanError as exc:
            raise typer.BadParameter(str(exc), param_hint="--since") from None
    specs = settings.sources if source is None else [SourceSpec(source, query)]
    return Wanted(specs, periods, list(category or []), list(ids or []), lo, hi, max_results)


def _check_values(query: str | None, category: list[str] | None, ids: list[str] | None) -> None:
    """Text that would reach a URL, the store's run record or the terminal: no
    undecodable bytes or control characters; categories of their form. (An id of
    the wrong form is arXiv's to refuse: its error feed says which.)"""
    from ..sources.arxiv_api import is_category

    for hint, values in (("QUERY", [query] if query is not None else []), ("--id", ids or [])):
        for value in values:
            if not value.strip() or not _plain_text(value):
                raise typer.BadParameter(
                    f"{value!r} is not plain text (empty, undecodable bytes or control characters)",
                    param_hint=hint,
                )
    for value in category or []:
        if not is_category(value.strip()):
            raise typer.BadParameter(
                f"{value!r} is not an arXiv category like cs.LG", param_hint="-c/--category"
            )


def _plain_text(value: str) -> bool:
    try:
        value.encode("utf-8")  # a lone surrogate: bytes that were not UTF-8 on the command line
    except UnicodeEncodeError:
        return False
    return value.isprintable()


# Which options mean something for which source.
_APPLIES = {
    "--date": ("hf",),
    "--since": ("hf", "arxiv-query"),
    "-c/--category": ("arxiv",),
    "--id": ("arxiv-query",),
    "--max": ("hf-search", "arxiv-query"),
}


def _check_applies(source: str | None, given: dict[str, Any]) -> None:
    """An option the chosen source would silently ignore is a usage error."""
    if source is None:
        return
    for option, value in given.items():
        if value and source not in _APPLIES[option]:
            raise typer.BadParameter(
                f"{option} does not apply to {source} (only to {', '.join(_APPLIES[option])})",
                param_hint=option,
            )


def _run(
    settings: FetchSettings,
    listings: list[Any],
    db: Path | None,
    refresh: bool,
    wait: bool,
    quiet: bool,
    after: list[Any],
) -> FetchReport:
    from ..fetch.http import Fetcher
    from ..fetch.run import run_fetch
    from ..store.db import check_writable, db_path
    from ..store.lock import fetch_lock
    from ..store.userdata import flush_pending

    console = err_console()

    def waiting(pid: str) -> None:
        if not quiet:  # --quiet (cron): nothing unless a source fails
            console.print(f"waiting for another fetch (pid {pid}) to finish…", markup=False)

    check_writable(db_path(db))  # before the lock file is made there, and any run row
    with fetch_lock(db_path(db), wait, waiting):
        conn = open_for_writing(db, quiet)  # an import writing the store: wait for it
        progress = _Quiet() if quiet else _progress(console)
        with Fetcher(settings.http, on_wait=progress.waiting) as fetcher, progress:
            report = run_fetch(conn, listings, fetcher, progress, refresh, after)
        flush_pending(conn)  # the user's writes queued meanwhile, if not applied yet
        return report


def _dry_run(listings: list[Any], db: Path | None, completing: FetchSettings | None) -> None:
    from ..fetch.run import describe
    from ..store.db import db_path, open_readonly

    conn = open_readonly(db_path(db))
    lines = describe(listings, conn)
    for line in lines:
        typer.echo(line)
    err_console().print(
        f"dry run: {len(lines)} listing(s); nothing fetched or written", markup=False
    )
    if completing is not None:
        from .db import describe_completion

        describe_completion(conn, completing, recent=True)


def _progress(console: Any) -> _Quiet:
    """Rich progress on stderr (one line per source, per page) only on a terminal."""
    return _RichProgress(console) if sys.stderr.isatty() else _Quiet()


class _Quiet:
    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def listing(self, listing: Any) -> None: ...

    def page(self, listing: Any, pages: int, papers: int) -> None: ...

    def done(self, listing: Any, outcome: str) -> None: ...

    def waiting(self, seconds: float, reason: str) -> None: ...


class _RichProgress(_Quiet):
    def __init__(self, console: Any) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("[dim]{task.fields[status]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.tasks: dict[str, Any] = {}
        self.current: Any = None

    def __enter__(self) -> _RichProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def listing(self, listing: Any) -> None:
        if listing.source not in self.tasks:
            self.tasks[listing.source] = self.bar.add_task(listing.label, total=None, status="")
        self.current = self.tasks[listing.source]
        self.bar.update(self.current, description=listing.label, status="requesting…")

    def page(self, listing: Any, pages: int, papers: int) -> None:
        self.bar.update(self.current, status=f"page {pages}, {papers} papers")

    def done(self, listing: Any, outcome: str) -> None:
        self.bar.update(self.current, status=outcome)

    def waiting(self, seconds: float, reason: str) -> None:
        if self.current is not None:
            self.bar.update(self.current, status=f"waiting {seconds:.0f} s ({reason})")


def _watches(db: Path | None) -> dict[str, Any]:
    """Every watch over the papers the fetch brought: {name: new matches, or an error}."""
    from .watch import after_run

    return after_run(open_store(db))


def _summary(
    report: FetchReport, as_json: bool, quiet: bool = False, watched: dict[str, Any] | None = None
) -> None:
    """The per-source table (and notes, errors) on stderr; --json: the same on stdout."""
    from rich.table import Table

    from .watch import watch_lines

    results = list(report.results.values())
    watched = watched or {}
    if as_json:
        data = {"run": report.run_id, "outcome": report.outcome, "requests": report.requests,
                "sources": [r.as_dict() for r in results], "watches": watched}  # fmt: skip
        typer.echo(json.dumps(data, indent=2))
    console = err_console()
    for line in watch_lines({k: v for k, v in watched.items() if not isinstance(v, int)}):
        console.print(f"Error: {line}", markup=False)  # a watch that failed, even with -q
    if quiet and not report.failed:
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("source")
    for name in ("listed", "new", "updated", "merged", "skipped"):
        table.add_column(name, justify="right")
    table.add_column("outcome")
    for r in results:
        c = r.counts
        table.add_row(
            r.source,
            *(str(c[k]) for k in ("listed", "new", "updated", "merged", "skipped")),
            r.outcome,
        )
    console.print(table)
    for r in results:
        for note in r.notes:
            console.print(f"  {note}", markup=False)
    for r in results:
        for error in r.errors:
            console.print(f"Error: {error}", markup=False)
    new = report.totals()["new"]
    console.print(
        f"run {report.run_id}: {report.requests} request(s), {new} new paper(s)"
        + (" - papertriage list --new" if new else ""),
        markup=False,
    )
    for line in watch_lines({k: v for k, v in watched.items() if isinstance(v, int)}):
        console.print(line, markup=False)


def _show_log(conn: Any, as_json: bool, limit: int = 20) -> None:
    from ..fetch.run import recent_fetches

    rows = recent_fetches(conn, limit)
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        c = row["counts"] or {}
        lines = (row["message"] or "").split("\n")
        sources = "; ".join(x.split(" (")[0] for x in lines if x and not x.startswith(" "))
        started = (row["started"] or "")[:19].replace("T", " ")
        fields = [str(row["id"]), started, row["outcome"] or "", f"new {c.get('new', 0)}"]
        fields += [f"updated {c.get('updated', 0)}", sources or row["target"] or ""]
        typer.echo("\t".join(fields))
    if not rows:
        err_console().print("no fetches yet", markup=False)
