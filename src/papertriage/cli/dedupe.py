"""dedupe: find records of the same paper and merge them."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..output import ReportFormat, shown
from .common import (
    DbOption,
    JsonAlias,
    ReportFormatOption,
    app,
    err_console,
    handle_errors,
    open_store,
    wants_json,
)


@app.command()
def dedupe(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list the groups; change nothing.")
    ] = False,
    fmt: ReportFormatOption = ReportFormat.text,
    as_json: JsonAlias = False,
    db: DbOption = None,
) -> None:
    """Merge records of the same paper (same title and authors, provisional and real id)."""
    from ..dedupe.groups import find_groups, merge_group
    from ..store.db import transaction

    with handle_errors():
        conn = open_store(db)
        if dry_run:  # a read snapshot: a long search must not hold the write lock
            groups = find_groups(conn)
        else:
            with transaction(conn):
                groups = find_groups(conn)
                for group in groups:
                    merge_group(conn, group)
    if wants_json(fmt, as_json):
        typer.echo(json.dumps([g.to_dict() for g in groups], ensure_ascii=False, indent=2))
    else:
        for g in groups:
            typer.echo(f"{g.survivor['id']}\t{shown(g.survivor['title'])}")
            for m, why in zip(g.merged, g.reasons, strict=True):
                typer.echo(f"  {'would merge' if dry_run else 'merged'} {m['id']}\t({why})")
    n = sum(len(g.merged) for g in groups)
    verb = "would merge" if dry_run else "merged"
    err_console().print(
        f"{len(groups)} group{'s' * (len(groups) != 1)} of duplicates; {verb} {n} record{'s' * (n != 1)}",
        markup=False,
    )
