"""db path, db info."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from .common import DbOption, db_app, handle_errors, open_store


@db_app.command("path")
def path(db: DbOption = None) -> None:
    """Print the path of the store file."""
    from ..store import db_path

    typer.echo(str(db_path(db)))


@db_app.command("info")
def info(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Papers, per-source counts, tags, size and schema version of the store."""
    from ..queries import counts
    from ..store import db_path, schema_version

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
