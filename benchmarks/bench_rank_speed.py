"""How fast `rank` is on a large store, and how much memory it takes.

    uv run python benchmarks/bench_rank_speed.py                 # 1M papers (built once)
    uv run python benchmarks/bench_rank_speed.py --papers 100000 --runs 5
    uv run python benchmarks/bench_rank_speed.py --store benchmarks/out/1m/store.db

The store is rank_corpus's synthetic one (real fixture records varied, spread over
n/1000 days ending today, so the last 30 days hold about 30,000 papers), or any store
given with --store (then "the last 30 days" are those before its newest paper). The
feedback is 200 kept papers (tags) and 100 skipped ones (triage decisions); the profile
has 20 keywords (fuzzy), 10 followed authors, 5 categories, upvotes, stars, recency and
the learned part.

A morning: the newest ``MORNING`` papers are made the last fetch's new ones (a `fetch`
run is added and they are given it as their first run, as a fetch that brought them
would), so that `papertriage rank` with no options ranks them.

Measured, each in a fresh process, median of --runs: the morning with `rank_selection`
and through the command line (`papertriage rank`, no options: the last fetch's new
papers, whole process); the last 30 days ranked with `rank_selection` (what
`papertriage rank --since 30d` does: fit the model, score every paper, keep the best 20)
and the same through the command line; and the whole store. As the command does, papers
already triaged are left out. The runs have a PAPERTRIAGE_HOME of their own (``HOME``),
so what `rank` keeps between runs (find/textcache) is theirs; "nothing cached": the
morning's command with that emptied before each run (the first `rank` on a store).
--default-profile: the default profile (no keywords or authors) instead of PROFILE. Wall and CPU seconds and peak RSS. The machines these run
on are shared: CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

PROFILE = {
    "keywords": {
        "quantum": 2,
        "dark matter": 3,
        "black hole": 2,
        "superconductivity": 2,
        "graph": 1,
        "neural network": 2,
        "layer-wise": 1,
        "entanglement": 1.5,
        "galaxy": 1,
        "spin": 1,
        "topological": 2,
        "random matrix": 2,
        "survey": -2,
        "review": -1,
        "lattice": 1,
        "transformer": 2,
        "diffusion": 1,
        "reinforcement learning": 2,
        "language model": 2,
        "quantisation": 1,
    },
    "authors": {
        "Y. LeCun": 3,
        "Geoffrey Hinton": 3,
        "Jelani Nelson": 2,
        "A. Del Maestro": 2,
        "Daniel M. Kane": 2,
        "Tri Dao": 2,
        "Kaiming He": 2,
        "Percy Liang": 2,
        "Yoshua Bengio": 2,
        "Fei-Fei Li": 2,
    },
    "categories": {"cs.LG": 2, "hep-th": 1, "quant-ph": 1, "cond-mat.*": 0.5, "math.AP": -1},
    "upvotes": 1,
    "stars": 0.5,
    "recency": 1,
    "half_life": 7,
    "learned": 5,
}


MORNING = 300  # papers new in the last fetch
HOME = Path(tempfile.gettempdir()) / "papertriage-bench-rank-home"  # PAPERTRIAGE_HOME of runs


def prepare(path: Path) -> str:
    """Feedback in the store (200 kept, 100 skipped) and a morning's fetch (the newest
    ``MORNING`` papers); returns the first day of the window."""
    from papertriage.store.db import open_db, transaction
    from papertriage.store.runs import finish_run, start_run

    conn = open_db(path)
    with transaction(conn):
        morning = conn.execute("SELECT id FROM runs WHERE target = 'bench-morning'").fetchone()
        if morning is None:
            run = start_run(conn, "fetch", "bench-morning")
            finish_run(conn, run, "ok", {"new": MORNING})
            top = conn.execute("SELECT max(pk) FROM papers").fetchone()[0]
            conn.execute("UPDATE papers SET first_run = ? WHERE pk > ?", [run, top - MORNING])
    newest = conn.execute("SELECT max(day) FROM papers").fetchone()[0]
    since = (date.fromisoformat(newest) - timedelta(days=29)).isoformat()
    n = conn.execute("SELECT max(pk) FROM papers").fetchone()[0]
    rng = random.Random(7)
    pks = rng.sample(range(1, n * 9 // 10), 300)
    ids = [
        r[0] for r in conn.execute(f"SELECT id FROM papers WHERE pk IN ({','.join(map(str, pks))})")
    ]
    with transaction(conn):
        conn.execute("DELETE FROM tags")
        conn.execute("DELETE FROM decisions")
        conn.executemany(
            "INSERT INTO tags (paper_id, tag, created) VALUES (?, 'bench', '2026-01-01')",
            [(i,) for i in ids[:200]],
        )
        conn.executemany(
            "INSERT INTO decisions (paper_id, decision, created) VALUES (?, 'skip', '2026-01-01')",
            [(i,) for i in ids[200:]],
        )
    conn.close()
    return since


def child(path: str, since: str | None, default: bool = False) -> None:
    """One measurement, in this (fresh) process: print wall, cpu, rss as JSON.
    ``since``: the first day, "" for the whole store, "morning" for the last fetch."""
    from papertriage.find.selection import Selection
    from papertriage.rank.profile import Profile
    from papertriage.rank.ranking import rank_selection
    from papertriage.store.db import open_db

    conn = open_db(Path(path))
    profile = Profile.from_dict({} if default else PROFILE)
    wall, cpu = time.perf_counter(), time.process_time()
    sel = Selection(new=True, seen=False)
    if since != "morning":
        sel = Selection(since=since or None, seen=False)
    best = rank_selection(conn, sel, profile, limit=20)
    out = {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "top": best[0][1]["id"] if best else None,
        "n": conn.execute(
            "SELECT count(*) FROM papers WHERE first_run = (SELECT max(id) FROM runs "
            "WHERE kind = 'fetch')"
            if since == "morning"
            else "SELECT count(*) FROM papers WHERE coalesce(day, '') >= ?",
            [] if since == "morning" else [since or ""],
        ).fetchone()[0],
    }
    print(json.dumps(out))


def measure(path: Path, since: str | None, runs: int, default: bool = False) -> dict:
    samples = []
    for _ in range(runs):
        args = [sys.executable, __file__, "--child", str(path), "--since", since or ""]
        args += ["--default-profile"] if default else []
        res = subprocess.run(args, capture_output=True, text=True, check=True, env=_env())
        samples.append(json.loads(res.stdout))
    return {k: statistics.median(s[k] for s in samples) for k in ("wall", "cpu", "rss_mb")} | {
        "n": samples[0]["n"]
    }


def _env() -> dict[str, str]:
    """The runs' environment: a cache dir of their own (find/textcache's files)."""
    return {**os.environ, "PAPERTRIAGE_HOME": str(HOME)}


def measure_cli(
    path: Path, since: str | None, config: Path, runs: int, fresh: bool = False
) -> dict:
    """``fresh``: each run without what earlier runs kept (the first `rank` on a store)."""
    import shutil

    walls, cpus, rss = [], [], []
    env = {**_env(), "PAPERTRIAGE_CONFIG": str(config)}
    cmd = [str(Path(sys.executable).parent / "papertriage"), "rank", "--db", str(path)]
    for _ in range(runs):
        if fresh:
            shutil.rmtree(HOME / "cache", ignore_errors=True)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*cmd, *(["--since", since] if since else []), "-n", "20", "-f", "ids"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        rss.append(usage.ru_maxrss / 1024)
        assert os.waitstatus_to_exitcode(status) == 0
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "rss_mb": max(rss)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--papers", type=int, default=1_000_000)
    ap.add_argument("--store", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-whole", action="store_true", help="skip ranking the whole store")
    ap.add_argument(
        "--default-profile", action="store_true", help="the default profile, not PROFILE"
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--since", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.since, args.default_profile)
        return
    if args.store:
        path = args.store
    else:
        from rank_corpus import build

        path = build(args.papers)
    since = prepare(path)
    config = path.with_suffix(".rank-config.yaml")
    import yaml

    default = args.default_profile
    config.write_text(yaml.safe_dump({} if default else {"rank": PROFILE}))
    first = measure_cli(path, None, config, args.runs, fresh=True)
    morning = measure(path, "morning", args.runs, default)
    rows = [
        (f"morning ({morning['n']} new), rank_selection", morning),
        ("morning, `papertriage rank` process", measure_cli(path, None, config, args.runs)),
        ("morning, the same, nothing cached", first),
        ("last 30 days, rank_selection", measure(path, since, args.runs, default)),
        ("last 30 days, `papertriage rank` process", measure_cli(path, since, config, args.runs)),
    ]
    if not args.no_whole:
        whole = measure(path, "", max(1, args.runs // 2), default)
        rows.append(("whole store, rank_selection", whole))
    total = rows[-1][1].get("n")
    which = "default profile" if default else "PROFILE"
    window = rows[3][1]["n"]
    print(f"store: {path} ({total} papers); window from {since}: {window} papers; {which}")
    print(f"{'':44}{'wall s':>8}{'CPU s':>8}{'peak RSS MB':>13}")
    for label, r in rows:
        print(f"{label:44}{r['wall']:>8.2f}{r['cpu']:>8.2f}{r['rss_mb']:>13.0f}")


if __name__ == "__main__":
    main()
