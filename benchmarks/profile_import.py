"""Where an import's CPU goes: stage timers around the project's own functions.

    uv run python benchmarks/profile_import.py benchmarks/data/kaggle-100k.jsonl

The import runs in this one process (the parsing worker off, so every stage is timed
here) into a fresh store, with the bulk path a big file takes. Each stage's time is its
own (the stages it calls are subtracted), in CPU-microseconds a record. Stages whose
function a version of the code lacks are left out, so the same script profiles an older
checkout too (PYTHONPATH=that/src).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

TOTALS: Counter[str] = Counter()
CALLS: Counter[str] = Counter()
_STACK: list[float] = []  # time spent in timed children of each running stage


def timed(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _STACK.append(0.0)
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent = time.process_time() - start
            TOTALS[stage] += spent - _STACK.pop()
            CALLS[stage] += 1
            if _STACK:
                _STACK[-1] += spent

    return wrapper


def timed_gen(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """A generator function: the time of each step, not of its consumer."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        it = fn(*args, **kwargs)
        step = timed(stage, lambda: next(it, _END))
        while (item := step()) is not _END:
            yield item

    return wrapper


_END = object()

STAGES = [  # (stage, module, attribute); class methods as "Class.method"
    ("JSON parsing", "papertriage.sources.lines", "loads"),
    ("normalizing: record_to_paper", "papertriage.sources.kaggle", "record_to_paper"),
    ("normalizing: make_paper", "papertriage.sources.kaggle", "make_paper"),
    ("row: prepare (worker side)", "papertriage.store.ingest", "prepare"),
    ("row: title_key", "papertriage.store.ingest", "title_key"),
    ("row: _fresh_row", "papertriage.store.ingest", "Ingest._fresh_row"),
    ("raw: compact + JSON", "papertriage.store.ingest", "raw_text"),
    ("merge: Ingest.add (Python)", "papertriage.store.ingest", "Ingest.add"),
    ("sightings (Python)", "papertriage.store.ingest", "Ingest._record_sightings"),
    ("FTS + categories catch-up", "papertriage.store.bulkload", "DeferredIndex.catch_up"),
    ("index rebuild + triggers back", "papertriage.store.bulkload", "DeferredIndex.finish"),
]


def install() -> None:
    for stage, module_name, attr in STAGES:
        module = importlib.import_module(module_name)
        owner: Any = module
        name = attr
        if "." in attr:
            cls, name = attr.split(".")
            owner = getattr(module, cls, None)
        fn = getattr(owner, name, None) if owner is not None else None
        if fn is None:
            continue
        setattr(owner, name, timed(stage, fn))
    lines = importlib.import_module("papertriage.sources.lines")
    if hasattr(lines, "_DIGITS_AS_ZERO"):  # orjson, called inside json_lines
        import orjson

        orjson.loads = timed("JSON parsing", orjson.loads)  # type: ignore[assignment]
    else:
        lines.json_lines = timed_gen("reading lines", lines.json_lines)
    ingest = importlib.import_module("papertriage.store.ingest")

    class TimedJson:  # the old ingest's json.dumps of raw records
        dumps = staticmethod(timed("raw: compact + JSON", ingest.json.dumps))
        loads = staticmethod(ingest.json.loads)

    ingest.json = TimedJson  # type: ignore[attr-defined]

    class Timed(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
            return _sql(sql, super().execute, sql, *args)

        def executemany(self, sql: str, *args: Any) -> Any:  # type: ignore[override]
            return _sql(sql, super().executemany, sql, *args)

    db = importlib.import_module("papertriage.store.db")
    connect = sqlite3.connect

    def timed_connect(*args: Any, **kwargs: Any) -> Any:
        return connect(*args, factory=Timed, **kwargs)

    db.sqlite3.connect = timed_connect  # type: ignore[attr-defined]


_TARGET = re.compile(r"^\s*(INSERT(?:\s+OR\s+\w+)?\s+INTO|CREATE\s+\w+|\w+)\s*(\w*)", re.I)
_SQL_STAGES = {
    "papers": "SQLite: papers INSERT",
    "papers_fts": "SQLite: main FTS index",
    "papers_title_fts": "SQLite: titles FTS index",
    "paper_categories": "SQLite: categories",
    "sightings": "SQLite: sightings INSERT",
}


def _sql(sql: str, fn: Callable[..., Any], *args: Any) -> Any:
    m = _TARGET.match(sql)
    verb, target = (m.group(1).upper(), m.group(2).lower()) if m else ("", "")
    if verb.endswith("INTO"):
        stage = _SQL_STAGES.get(target, "SQLite: other")
    elif verb.startswith("CREATE") and "INDEX" in verb:
        stage = "SQLite: index rebuild"
    elif verb == "SELECT":
        stage = "SQLite: looking up ids"
    elif verb == "COMMIT":
        stage = "SQLite: commit"
    else:
        stage = "SQLite: other"
    return timed(stage, fn)(*args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    install()
    from papertriage.importer import parallel
    from papertriage.importer import run as importer
    from papertriage.store.db import open_db

    parallel.available = lambda: False  # type: ignore[assignment]
    importer.BULK_MIN_BYTES = 0
    with tempfile.TemporaryDirectory() as tmp:
        conn = open_db(Path(tmp) / "p.db")
        TOTALS.clear()
        start = time.process_time()
        result = importer.import_file(conn, str(args.file))
        total = time.process_time() - start
        conn.close()
    n = result.counts["read"]
    print(f"{n:,} records, {total:.1f} CPU-s in one process: {total / n * 1e6:.0f} µs a record")
    print("| stage | µs a record |\n|---|---|")
    for stage, spent in sorted(TOTALS.items(), key=lambda kv: -kv[1]):
        print(f"| {stage} | {spent / n * 1e6:.1f} |")
    rest = total - sum(TOTALS.values())
    print(f"| everything else (reading, batching, bookkeeping) | {rest / n * 1e6:.1f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
