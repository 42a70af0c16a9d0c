"""db path, db info, db check, db backup, db complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..output import ReportFormat
from .common import (
    DbOption,
    JsonAlias,
    ReportFormatOption,
    db_app,
    err_console,
    handle_errors,
    open_store,
    wants_json,
)


@db_app.command("path")
def path(db: DbOption = None) -> None:
    """Print the path of the store file."""
    from ..store.db import db_path

    typer.echo(str(db_path(db)))


@db_app.command("info")
def info(
    fmt: ReportFormatOption = ReportFormat.text,
    as_json: JsonAlias = False,
    db: DbOption = None,
) -> None:
    """Papers, per-source counts, tags, size and schema version of the store."""
    from ..store.db import db_path, schema_version
    from ..store.queries import counts
    from ..store.userdata import queued

    with handle_errors():
        conn = open_store(db)
        data = {"path": str(db_path(db)), **counts(conn)}
        p = db_path(db)
        data["size_bytes"] = sum(
            f.stat().st_size for f in (p, p.with_name(p.name + "-wal")) if f.exists()
        )
        data["schema_version"] = schema_version(conn)
        data["queued_writes"] = len(queued(conn))  # made while an import held the store
    if wants_json(fmt, as_json):
        typer.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items()) or "-"
        typer.echo(f"{key:15} {value}")


@db_app.command("check")
def check(
    repair: Annotated[
        bool, typer.Option("--repair", help="Rebuild the full-text index if it is out of step.")
    ] = False,
    fmt: ReportFormatOption = ReportFormat.text,
    as_json: JsonAlias = False,
    db: DbOption = None,
) -> None:
    """Check the store: SQLite integrity, full-text index, data attached to no paper."""
    from ..errors import StoreError
    from ..store.db import db_path, open_db
    from ..store.maintenance import check as run_check
    from ..store.maintenance import clean_partial_backups, rebuild_fts

    with handle_errors():
        if not db_path(db).exists():
            raise StoreError(f"{db_path(db)}: no store here (nothing to check)")
        conn = open_db(db, migrate=False)
        for leftover in clean_partial_backups(conn):
            typer.echo(f"removed {leftover}, left by a backup that was killed", err=True)
        report = run_check(conn)
        if repair and report.integrity == ["ok"] and not report.fts_ok:
            rebuild_fts(conn)
            typer.echo("search index: rebuilt", err=True)
            report = run_check(conn)
    if wants_json(fmt, as_json):
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        for line in _check_lines(report):
            typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


def _check_lines(report) -> list[str]:  # type: ignore[no-untyped-def]
    lines = ["integrity:    " + "; ".join(report.integrity[:10])]
    if report.integrity != ["ok"]:
        return lines
    if report.fts_ok:
        lines.append(f"search index: ok ({report.papers} papers)")
    else:
        parts = [f"{report.fts_missing} papers missing", f"{report.fts_extra} stray entries"]
        if report.fts_detail:
            parts.append(report.fts_detail)
        lines.append("search index: " + "; ".join(parts) + " (fix: papertriage db check --repair)")
    if not report.orphans and not report.dangling_aliases:
        lines.append("orphans:      none")
    for table, info in report.orphans.items():
        sample = ", ".join(info["sample"])
        lines.append(
            f"orphans:      {table}: {info['rows']} rows for {info['papers']} unknown ids ({sample})"
        )
    if report.dangling_aliases:
        lines.append(
            "aliases:      pointing to no paper: " + ", ".join(report.dangling_aliases[:5])
        )
    if report.interrupted_runs:
        lines.append(f"runs:         {report.interrupted_runs} left unfinished (interrupted)")
    return lines


@db_app.command("backup")
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the copy.", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
    db: DbOption = None,
) -> None:
    """Copy the store to FILE, safely even while other papertriage commands write to it."""
    from ..store.maintenance import backup as run_backup

    with handle_errors():
        size = run_backup(open_store(db), file, force=force)
    typer.echo(f"backed up to {file} ({size:,} bytes)", err=True)


@db_app.command("complete")
def complete(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show the requests it would make; fetch and write nothing."),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option("--max", min=1, metavar="N", help="At most N papers (the newest ids first)."),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="If a fetch is running, wait for it instead of exiting."),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress; print only failures.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Fill in the arXiv metadata (categories, comment, DOI, versions) of papers that lack
    it, Hugging Face's, from the arXiv API: 100 papers a request, 3 s apart."""
    from ..fetch.complete import missing_ids, run_completion
    from ..fetch.http import Fetcher
    from ..fetch.settings import load_fetch_settings
    from ..store.db import db_path
    from ..store.lock import fetch_lock

    console = err_console()
    with handle_errors():
        settings = load_fetch_settings()
        if dry_run:
            describe_completion(_readonly(db), settings, recent=False, limit=limit)
            return
        conn = open_store(db)
        paper_ids = missing_ids(conn)[:limit]
        if not paper_ids:
            console.print("nothing to complete: every paper has arXiv categories", markup=False)
            return
        say = (lambda text: None) if quiet else (lambda text: console.print(text, markup=False))
        say(_plan_line(len(paper_ids), settings.urls["arxiv_api"]))
        with fetch_lock(db_path(db), wait), Fetcher(settings.http, on_wait=_retries(say)) as f:
            run, done = run_completion(
                conn, f, settings.urls["arxiv_api"], paper_ids, _progress(say, len(paper_ids))
            )
    for line in done.message().split("\n")[int(quiet and not done.errors) :]:
        console.print(f"run {run}: {line}" if not line.startswith(" ") else line, markup=False)
    if done.errors:
        raise typer.Exit(1)


def describe_completion(conn: Any, settings: Any, recent: bool, limit: int | None = None) -> None:
    """For --dry-run: the completion's requests (stdout) and how many, how long (stderr)."""
    import sqlite3

    from ..fetch.complete import batch_requests, missing_ids, recent_missing_ids, seconds_needed

    try:
        found = (recent_missing_ids if recent else missing_ids)(conn) if conn else []
    except sqlite3.Error:  # not a store, or an old one: nothing known to complete
        found = []
    paper_ids = found[:limit]
    base = settings.urls["arxiv_api"]
    for request in batch_requests(base, paper_ids):
        typer.echo(f"GET {request.full_url}  (arXiv: 3 s apart)")
    n, requests = len(paper_ids), len(batch_requests(base, paper_ids))
    if recent:
        text = (
            "then: the arXiv API (id_list, 100 a request, 3 s apart) for the papers this fetch "
            f"brings without arXiv metadata, and {n} from the last week's fetches"
        )
    else:
        text = (
            f"dry run: {n} paper(s) without arXiv metadata: {requests} request(s), "
            f"3 s apart (at least {seconds_needed(n):.0f} s); nothing fetched or written"
        )
    err_console().print(text, markup=False)


def _readonly(db: Path | None) -> Any:
    from ..store.db import db_path, open_readonly

    return open_readonly(db_path(db))


def _plan_line(n: int, base: str) -> str:
    from ..fetch.complete import requests_needed, seconds_needed

    return (
        f"completing {n} paper(s) from {base}: {requests_needed(n)} request(s), "
        f"3 s apart (at least {seconds_needed(n):.0f} s)"
    )


def _progress(say: Any, total: int) -> Any:
    def shown(batch: Any, done: Any) -> None:
        say(f"{batch.label}: {done.completed} of {total} completed so far")

    return shown


def _retries(say: Any) -> Any:
    def waiting(seconds: float, reason: str) -> None:
        if reason != "spacing requests":  # the 3 s between requests is expected
            say(f"waiting {seconds:.0f} s ({reason})")

    return waiting


@db_app.command("datasette")
def datasette(
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR",
            help="Where to write metadata.json and plugins/ (default: datasette/ next to the store).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write Datasette metadata and a link plugin for the store, and print the command to run."""
    import shlex

    from ..export.datasette import write_files
    from ..store.db import db_path

    store = db_path(db)
    with handle_errors():
        open_store(db).close()
        meta, plugin = write_files(directory or store.parent / "datasette", store.stem)
    typer.echo(f"wrote {meta} and {plugin}", err=True)
    args = ["datasette", str(store), "-m", str(meta), "--plugins-dir", str(plugin.parent)]
    typer.echo(shlex.join(args))
