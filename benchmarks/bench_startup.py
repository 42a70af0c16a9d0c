"""Start-up cost of the quick commands, in CPU-seconds, against the floor of the same SQL.

    uv run python benchmarks/bench_startup.py --db /tmp/store-1m.db --db /tmp/store-100k.db
    uv run python benchmarks/bench_startup.py --size 100000     # generate + import once

Commands: `--help`, `list -n 20`, `filter RARE` (a generated word in about 20 papers,
benchmarks/generate.py's `rare_word_for`), `show ID` (a paper in the middle of the store)
in its JSON and text forms. Each is run as its own process through the installed
`papertriage` script (the entry point a user types), with a warm help cache and compiled
bytecode; the figure is user + system CPU of the child (resource.getrusage), which a
shared machine disturbs much less than wall time.

The floor of a command is a stdlib-only script (`import sqlite3`, nothing else) that runs
the very SQL statements the command ran, in the same order, and writes what it read: the
statements are recorded once by running the command in-process with a trace callback on
every connection. The floor of `--help` is the interpreter alone (`python -c pass`).
Runs are paired: command, floor, command, floor... so a burst of load on the machine
falls on both; each ratio is the median of the per-pair ratios. `--before SRC` runs an
older copy of the package (`git archive REV src | tar -x -C DIR`, then `--before DIR/src`)
in the same rounds, through PYTHONPATH: before and after in one session.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))
from bench_filter import build_store  # noqa: E402
from generate import rare_word_for  # noqa: E402

# Run in a child: record every SQL statement the command executes (expanded, with its
# values), by a trace callback on each connection it opens.
_RECORD = """
import contextlib, io, json, sqlite3, sys
out_file, argv = sys.argv[1], sys.argv[2:]
log = []
_connect = sqlite3.connect
def connect(*a, **k):
    conn = _connect(*a, **k)
    conn.set_trace_callback(log.append)
    return conn
sqlite3.connect = connect
from papertriage.cli.fastpath import try_run
with contextlib.redirect_stdout(io.StringIO()):
    code = try_run(argv)
    if code is None:  # not on the fast path (before it was): the Typer command
        from papertriage.cli.app import app
        try:
            app(args=argv)
        except SystemExit as exc:
            code = exc.code
json.dump({"code": code, "sql": log, "db": DB}, open(out_file, "w"))
"""

# The floor: the same statements, stdlib sqlite3 only, rows written to stdout.
_FLOOR = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
write = sys.stdout.write
for sql in open(sys.argv[2], encoding="utf-8").read().split("\\n;;\\n"):
    for row in conn.execute(sql):
        write(repr(row))
"""


def cpu_of(cmd: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of running cmd as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def record_sql(db: Path, argv: list[str], env: dict[str, str], tmp: Path) -> Path:
    """The statements `papertriage argv` runs, in a file the floor script reads."""
    out = tmp / "trace.json"
    code = _RECORD.replace("DB", repr(str(db)))
    subprocess.run([sys.executable, "-c", code, str(out), *argv], env=env, check=True)
    trace = json.loads(out.read_text())
    if trace["code"] != 0:
        raise SystemExit(f"papertriage {' '.join(argv)}: exit code {trace['code']}")
    # statements the floor can't run alone: transaction control the stdlib does itself
    sql = [s for s in trace["sql"] if s.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]
    path = tmp / f"floor-{abs(hash(tuple(argv)))}.sql"
    path.write_text("\n;;\n".join(sql), encoding="utf-8")
    return path


def paired(
    cmd: list[str], floor: list[str], runs: int, env: dict[str, str], old: dict[str, str] | None
) -> dict[str, float]:
    cpu_of(cmd, env)  # warm the page cache, the help cache
    cpu_of(floor, env)
    if old is not None:
        cpu_of(cmd, old)
    ours, base, before = [], [], []
    for _ in range(runs):
        ours.append(cpu_of(cmd, env))
        base.append(cpu_of(floor, env))
        if old is not None:
            before.append(cpu_of(cmd, old))
    out = {
        "ours": statistics.median(ours),
        "ours_min": min(ours),
        "floor": statistics.median(base),
        "ratio": statistics.median(o / b for o, b in zip(ours, base, strict=True) if b),
    }
    if before:
        out["before"] = statistics.median(before)
        out["before_ratio"] = statistics.median(o / b for o, b in zip(before, base, strict=True))
    return out


def sample_id(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        n = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        row = conn.execute("SELECT id FROM papers ORDER BY pk LIMIT 1 OFFSET ?", [n // 2])
        return str(row.fetchone()[0])


def bench(db: Path, runs: int, env: dict[str, str], old: dict[str, str] | None, tmp: Path) -> None:
    with sqlite3.connect(db) as conn:
        papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    rare = rare_word_for(papers)
    pid = sample_id(db)
    load = os.getloadavg()[0]
    print(f"\nstore: {db} ({papers:,} papers); rare word {rare!r}; show {pid}; load {load:.1f}")
    print(f"{runs} paired runs; CPU-s of the child (user+sys), medians\n")
    before = "| before CPU s | before / floor " if old is not None else ""
    print(f"| command {before}| papertriage CPU s (fastest) | floor CPU s | ratio to floor |")
    print("|---|---|---|---|" + ("---|---|" if old is not None else ""))
    script = str(BIN / "papertriage")
    python = sys.executable
    list_cpu = 0.0
    # The store a user gets with no --db: $XDG_DATA_HOME/papertriage/papers.db (a link).
    xdg = tmp / "xdg"
    (xdg / "papertriage").mkdir(parents=True, exist_ok=True)
    link = xdg / "papertriage" / "papers.db"
    link.unlink(missing_ok=True)
    link.symlink_to(db.resolve())
    default_env = {k: v for k, v in env.items() if k != "PAPERTRIAGE_HOME"}
    default_env["XDG_DATA_HOME"] = str(xdg)
    cases: list[tuple[str, list[str]]] = [
        ("--help", ["--help"]),
        ("list -n 20", ["list", "-n", "20"]),
        ("list -n 20 (the default store: no --db)", ["list", "-n", "20", "DEFAULT"]),
        (f"filter {rare}", ["filter", rare]),
        (f"show {pid} (JSON, piped)", ["show", pid]),
        (f"show {pid} --text", ["show", pid, "--text"]),
        (f"show {pid} --raw --json", ["show", pid, "--raw", "--json"]),
    ]
    for label, argv in cases:
        run_env, run_old = env, old
        if argv == ["--help"]:
            cmd, floor = [script, *argv], [python, "-c", "pass"]
        else:
            args = [*argv, "--db", str(db)]
            if argv[-1] == "DEFAULT":
                args, run_env = argv[:-1], default_env
                if old is not None:
                    run_old = {k: v for k, v in old.items() if k != "PAPERTRIAGE_HOME"}
                    run_old["XDG_DATA_HOME"] = str(xdg)
            sql = record_sql(db, args, run_env, tmp)
            cmd, floor = [script, *args], [python, "-c", _FLOOR, str(db), str(sql)]
        r = paired(cmd, floor, runs, run_env, run_old)
        if argv[0] == "list":
            list_cpu = r["ours"]
        vs_list = f"; {r['ours'] / list_cpu:.2f}× list" if argv[0] == "show" and list_cpu else ""
        was = f"| {r['before']:.3f} | {r['before_ratio']:.2f}× " if "before" in r else ""
        print(
            f"| `{label}` {was}| {r['ours']:.3f} ({r['ours_min']:.3f}) | {r['floor']:.3f} "
            f"| {r['ratio']:.2f}×{vs_list} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, action="append", help="an existing store")
    parser.add_argument("--size", type=int, action="append", help="a generated store")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, help="an older src/ to run in the same rounds")
    args = parser.parse_args()
    stores = [*(args.db or []), *(build_store(n) for n in args.size or [])]
    if not stores:
        parser.error("give --db PATH or --size N")
    compileall.compile_dir(HERE.parent / "src", quiet=1)  # as any install has after a run
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        env["PAPERTRIAGE_HOME"] = str(Path(tmp) / "home")  # its own help cache
        env["COLUMNS"] = "100"
        old = None
        if args.before:
            compileall.compile_dir(args.before, quiet=1)
            old = {**env, "PYTHONPATH": str(args.before.resolve())}
            old["PAPERTRIAGE_HOME"] = str(Path(tmp) / "home-before")
        for db in stores:
            bench(db, args.runs, env, old, Path(tmp))


if __name__ == "__main__":
    main()
