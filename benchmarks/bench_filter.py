"""How fast `papertriage filter` answers on a big store, whole process, against `sqlite-utils search`.

    uv run python benchmarks/bench_filter.py --size 1000000     # generate + import once, then measure
    uv run python benchmarks/bench_filter.py --db some/store.db  # measure an existing store

The store for --size N is built once and kept under benchmarks/data/ (git-ignored):
benchmarks/generate.py writes N Kaggle-format records, `papertriage import` loads them.
Each command then runs as its own process (as a user would type it), once to warm the
page cache and the bytecode cache, then --runs times; the median wall time is
reported. The targets (issue 4): `filter <two words> --limit 20` at most half the
time of `sqlite-utils search` on the same file and under 0.3 s; `--fuzzy` under 1 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE / "data"
BIN = Path(sys.executable).parent
# (label, papertriage args, sqlite-utils search query or None)
CASES = [
    ("two words", ["filter", "neural network"], "neural network"),
    ("two common words", ["filter", "quantum field"], "quantum field"),
    ("two common words", ["filter", "language model"], "language model"),
    ("two rarer words", ["filter", "spin glass"], "spin glass"),
    ("phrase", ["filter", '"dark matter"'], '"dark matter"'),
    ("two very common words", ["filter", "the of"], "the of"),
    ("two words, newest first", ["filter", "quantum field", "--sort", "date"], None),
    ("--fuzzy, a typo", ["filter", "--fuzzy", "nueral netwrok"], None),
    ("--fuzzy, spelling", ["filter", "--fuzzy", "quantisation"], None),
    ("--fuzzy, hyphenation", ["filter", "--fuzzy", "layerwise"], None),
    ("category cs.LG", ["filter", "-c", "cs.LG"], None),
    ("category cs.*, words", ["filter", "-c", "cs.*", "neural network"], None),
    ("author", ["filter", "-a", "Y. Wang"], None),
    ("no query (list)", ["list"], None),
]


def label_for(size: int) -> str:
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1000}k"


def build_store(size: int) -> Path:
    """benchmarks/data/store-<size>.db, generated and imported if missing."""
    label = label_for(size)
    jsonl = DATA / f"kaggle-{label}.jsonl"
    db = DATA / f"store-{label}.db"
    if db.exists():
        return db
    DATA.mkdir(exist_ok=True)
    if not jsonl.exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(size), "-o", str(jsonl)], check=True
        )
    started = time.perf_counter()
    subprocess.run([str(BIN / "papertriage"), "import", str(jsonl), "--db", str(db)], check=True)
    print(f"imported {size:,} records in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return db


def wall(cmd: list[str], runs: int, env: dict[str, str]) -> list[float]:
    """Wall times of running cmd as a process, after one warm-up run."""
    subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env, check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env, check=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--size", type=int, help="papers in the generated store")
    where.add_argument("--db", type=Path, help="an existing store")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = args.db if args.db else build_store(args.size)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    sqlite_utils = shutil.which("sqlite-utils", path=str(BIN)) or "sqlite-utils"
    with sqlite3.connect(db) as conn:
        papers = conn.execute("SELECT max(pk) FROM papers").fetchone()[0] or 0
    print(f"store: {db} ({papers:,} papers, {db.stat().st_size / 1e9:.2f} GB)")
    print(f"runs: {args.runs} per command, whole process; median (fastest) wall time\n")
    print("| case | papertriage | sqlite-utils search | ratio of medians (fastest) |")
    print("|---|---|---|---|")
    base = [str(BIN / "papertriage")]
    for label, pt_args, su_query in CASES:
        pt = wall([*base, *pt_args, "--limit", "20", "--db", str(db)], args.runs, env)
        su_cell = ratio = ""
        if su_query is not None:
            su_cmd = [sqlite_utils, "search", str(db), "papers", su_query, "--limit", "20"]
            su = wall(su_cmd, args.runs, env)
            su_cell = _cell(su)
            ratio = f"{statistics.median(pt) / statistics.median(su):.2f} ({min(pt) / min(su):.2f})"
        print(
            f"| {label} `{' '.join(pt_args[1:])}` | {_cell(pt)} | {su_cell} | {ratio} |", flush=True
        )
    startup = wall([*base, "--version"], args.runs, env)
    print(f"\n`papertriage --version` (start-up alone): {_cell(startup)}")


def _cell(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} s ({min(times):.3f})"


if __name__ == "__main__":
    main()
