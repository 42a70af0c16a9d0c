"""The offline demo: a store built from the real listings kept in examples/."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import PapertriageError
from ..store.db import db_path, default_home, open_db
from .run import ImportResult, import_file

DEMO_FILES = ("hf_daily_2026-08-12.json", "arxiv_api_transformer_cs.LG_2026-06-14.xml")


def examples_dir() -> Path:
    """examples/ of the source checkout this package runs from."""
    for base in (Path.cwd(), *Path(__file__).resolve().parents):
        candidate = base / "examples"
        if all((candidate / f).is_file() for f in DEMO_FILES):
            return candidate
    raise PapertriageError(
        "the demo listings in examples/ were not found (run from a papertriage checkout)"
    )


def build_demo(db: Path | None = None) -> tuple[sqlite3.Connection, Path, list[ImportResult]]:
    path = db_path(db) if db else default_home() / "demo.db"
    folder = examples_dir()
    conn = open_db(path)
    results = [import_file(conn, str(folder / name)) for name in DEMO_FILES]
    return conn, path, results
