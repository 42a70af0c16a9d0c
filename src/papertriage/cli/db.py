"""db path, db info, db check, db backup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .common import DbOption, db_app, handle_errors, open_store


@db_app.command("path")
def path(db: DbOption = None) -> None:
    """Print the path of the store file."""
    from ..store.db import db_path

    typer.echo(str(db_path(db)))


@db_app.command("info")
def info(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Papers, per-source counts, tags, size and schema version of the store."""
    from ..store.db import db_path, schema_version
    from ..store.queries import counts

    with handle_errors():
        conn = open_store(db)
        data = {"path": str(db_path(db)), **counts(conn)}
        p = db_path(db)
        data["size_bytes"] = sum(
            f.stat().st_size for f in (p, p.with_name(p.name + "-wal")) if f.exists()
        )
        data["schema_version"] = schema_version(conn)
    if as_json:
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
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
    if as_json:
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
