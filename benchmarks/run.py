"""Measure papertriage on a generated Kaggle-format corpus, against sqlite-utils.

    uv run python benchmarks/run.py 100000            # generates the corpus if missing
    uv run python benchmarks/run.py 1000000 --import-runs 3 --runs 7

Every figure is the median over several runs of a whole process (wall time and CPU
from os.wait4, peak RSS from GNU time), and the peers run in the same session,
interleaved with ours, on the same files: `sqlite-utils insert --nl` of the same JSONL
into a fresh database without any index (the import baseline), then `sqlite-utils
enable-fts --fts5 --tokenize porter` on it for the columns our main full-text index
holds (the fair peer: insert + enable-fts, timed together), and `sqlite-utils search`
on our store for the same words (the query baseline). `--before SRC` runs an older
checkout's import (its src/ folder) interleaved too, for before/after pairs. Ratios matter more than
absolute times: the machines these run on are shared and noisy. Stores and results go
to benchmarks/out/ (ignored).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

BIN = Path(sys.executable).parent
PT = [str(BIN / "papertriage")]
SU = [str(BIN / "sqlite-utils")]
COMMON_WORD = "model"
GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


@dataclass
class Sample:
    wall: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    extra: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def t(self) -> float:
        return statistics.median(self.wall)

    @property
    def mb(self) -> float:
        return max(self.rss_kb) / 1024


def run(
    cmd: list[str],
    watch: list[Path] | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> tuple[float, int, int, float]:
    """Wall seconds, peak RSS (KB), the peak total size of some files while it ran (if
    asked) and CPU seconds (user + system, of the process and the children it waited for)."""
    peak = [0]
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], sum(p.stat().st_size for p in watch or [] if p.exists()))

    if watch:
        threading.Thread(target=poll, daemon=True).start()
    rss_file = HERE / "out" / "rss.txt"
    # The peak RSS wait4 reports for a child includes this process's own (Linux folds
    # the pre-exec memory into it), so GNU time, a small parent, measures it instead.
    full = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *cmd] if GNU_TIME else cmd
    started = time.perf_counter()
    with open(os.devnull, "wb") as null, open(HERE / "out" / "stderr.log", "ab") as err:
        proc = subprocess.Popen(
            full,
            stdout=null,
            stderr=err,
            stdin=None if stdin is None else subprocess.PIPE,
            env=env,
        )
        if stdin is not None:
            proc.stdin.write(stdin)  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)} (see benchmarks/out/stderr.log)")
    rss = int(rss_file.read_text().split()[-1]) if GNU_TIME else usage.ru_maxrss
    return wall, rss, peak[0], usage.ru_utime + usage.ru_stime


def measure(
    sample: Sample,
    cmd: list[str],
    watch: list[Path] | None = None,
    env: dict[str, str] | None = None,
) -> None:
    wall, rss, peak, cpu = run(cmd, watch, env=env)
    sample.cpu.append(cpu)
    sample.wall.append(wall)
    sample.rss_kb.append(rss)
    sample.extra.append(peak)


def has_command(name: str) -> bool:
    return subprocess.run([*PT, name, "--help"], capture_output=True).returncode == 0


def matches(db: Path, word: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", [word]
        ).fetchone()[0]


def bench_import(
    data: Path, out: Path, runs: int, before: Path | None = None
) -> tuple[Sample, Sample, Path, Sample, Sample]:
    """Ours, sqlite-utils insert, our store, insert + enable-fts, the older checkout."""
    ours, peer, fair, old = Sample(), Sample(), Sample(), Sample()
    store = out / "store.db"
    old_cmd = [
        sys.executable,
        "-m",
        "papertriage",
        "import",
        str(data),
        "--db",
        str(out / "old.db"),
    ]
    for n in range(runs):
        for pattern in ("pt.db*", "su.db*", "old.db*"):
            for f in out.glob(pattern):
                f.unlink()
        su = str(out / "su.db")
        measure(peer, [*SU, "insert", "--nl", su, "papers", str(data)])
        fts = Sample()
        measure(fts, [*SU, "enable-fts", "--fts5", "--tokenize", "porter", su, "papers",
                      "title", "abstract", "authors"])  # fmt: skip
        fair.wall.append(peer.wall[-1] + fts.wall[-1])
        fair.cpu.append(peer.cpu[-1] + fts.cpu[-1])
        fair.rss_kb.append(max(peer.rss_kb[-1], fts.rss_kb[-1]))
        db = out / "pt.db"
        measure(
            ours,
            [*PT, "import", str(data), "--db", str(db)],
            watch=[Path(f"{db}-wal"), Path(f"{db}-journal")],
        )
        line = (
            f"  import run {n + 1}: ours {ours.wall[-1]:.1f} s ({ours.cpu[-1]:.1f} s CPU), "
            f"sqlite-utils insert {peer.wall[-1]:.1f} s ({peer.cpu[-1]:.1f} s CPU), "
            f"+ enable-fts {fair.wall[-1]:.1f} s ({fair.cpu[-1]:.1f} s CPU)"
        )
        if before:
            env = {**os.environ, "PYTHONPATH": str(before)}
            measure(old, old_cmd, env=env)
            line += f", before {old.wall[-1]:.1f} s ({old.cpu[-1]:.1f} s CPU)"
        print(line, flush=True)
    for f in out.glob("store.db*"):
        f.unlink()
    (out / "pt.db").rename(store)
    fair.extra = [(out / "su.db").stat().st_size]
    peer.extra = fair.extra
    if before:
        old.extra = [(out / "old.db").stat().st_size]
    return ours, peer, store, fair, old


def table_sizes(db: Path) -> list[tuple[str, int]]:
    """Bytes by table, its indexes and (FTS5) shadow tables together (dbstat)."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"))
        sizes: dict[str, int] = {}
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            base = owner.get(name, name)
            for t in sorted(tables, key=len, reverse=True):  # papers_fts_data -> papers_fts
                if base != t and base.startswith(t + "_") and t.endswith("fts"):
                    base = t
                    break
            sizes[base] = sizes.get(base, 0) + size
    return sorted(sizes.items(), key=lambda kv: -kv[1])


def bench_queries(store: Path, rare: str, runs: int) -> list[tuple[str, Sample, str, Sample]]:
    db = ["--db", str(store)]

    def su_search(word: str) -> list[str]:
        return [*SU, "search", str(store), "papers", word, "--limit", "20"]

    cases: list[tuple[str, list[str], str, list[str]]] = [
        ("--help", [*PT, "--help"], f"search {rare}", su_search(rare)),
        ("list --limit 20", [*PT, "list", "--limit", "20", *db], f"search {rare}", su_search(rare)),
        ("list --since 2020-01-01 --limit 20", [*PT, "list", "--since", "2020-01-01", "--limit", "20", *db],
         f"search {rare}", su_search(rare)),
        (f"filter {rare} --since 7d (rare)", [*PT, "filter", rare, "--since", "7d", "--limit", "20", *db],
         f"search {rare}", su_search(rare)),
        (f"filter {rare} (rare)", [*PT, "filter", rare, "--limit", "20", *db],
         f"search {rare}", su_search(rare)),
        (f"filter {COMMON_WORD} (common)", [*PT, "filter", COMMON_WORD, "--limit", "20", *db],
         f"search {COMMON_WORD}", su_search(COMMON_WORD)),
        ("filter --fuzzy transfromer", [*PT, "filter", "--fuzzy", "transfromer", "--limit", "20", *db],
         "search transformer", su_search("transformer")),
    ]  # fmt: skip
    if has_command("rank"):
        cases.append(("rank --limit 20", [*PT, "rank", "--limit", "20", *db], "", []))
    if has_command("export"):
        cases.append(("export -f md (1,000)",
                      [*PT, "export", "-f", "md", "--limit", "1000", "-o", str(store.with_name("export.md")), *db], "", []))  # fmt: skip
    results = []
    for label, ours_cmd, peer_label, peer_cmd in cases:
        ours, peer = Sample(), Sample()
        run(ours_cmd)  # warm the page cache
        for _ in range(runs):
            measure(ours, ours_cmd)
            if peer_cmd:
                measure(peer, peer_cmd)
        results.append((label, ours, peer_label, peer))
        peer_text = f", {peer_label} {peer.t:.3f} s" if peer_cmd else ""
        print(f"  {label}: {ours.t:.3f} s {ours.mb:.0f} MB{peer_text}")
    return results


def bench_every_command(store: Path, data: Path) -> str:
    """One run of each other command on the store: wall time and peak memory."""
    db = ["--db", str(store)]
    pid = sqlite3.connect(store).execute("SELECT id FROM papers ORDER BY pk LIMIT 1").fetchone()[0]
    small = store.with_name("small.jsonl")
    with data.open("rb") as src:
        small.write_bytes(b"".join(line for _, line in zip(range(1000), src, strict=False)))
    out = str(store.with_name("out.txt"))
    backup = str(store.with_name("backup.db"))
    # Every command that works offline, on a whole 1M store where it can: the ones that
    # read every paper (list -n 0, rank -n 0, export, triage, tag --where, dedupe) are
    # where memory could grow with the store. fetch needs the network; open, a browser.
    commands: list[tuple[list[str], bytes | None]] = [
        (["show", pid], None),
        (["show", pid, "--raw"], None),
        (["db", "info"], None),
        (["db", "path"], None),
        (["tags"], None),
        (["tag", pid, "bench"], None),
        (["tags", pid], None),
        (["note", pid, "a note"], None),
        (["mark", pid, "keep"], None),
        (["mark", pid, "unread"], None),
        (["untag", pid, "bench"], None),
        (["filter", "--tag", "bench", "-f", "json"], None),
        (["search", "quantum field", "--limit", "20"], None),
        (["filter", "-a", "Nakamura", "--limit", "20"], None),
        (["filter", "-c", "cs.LG", "--since", "2025-06-01", "--limit", "20"], None),
        (["list", "-n", "0", "-f", "jsonl"], None),
        (["filter", "model", "-n", "0", "-f", "csv"], None),
        (["rank", "model", "--limit", "20"], None),
        (["rank", "-n", "0", "-f", "jsonl"], None),
        (["rank", "--explain", pid], None),
        (["triage"], b"q\n"),
        (["triage", "--sort", "score", "model"], b"q\n"),
        (["tag", "--where", "quantum", "bench2", "--yes"], None),
        (["export", "-f", "bibtex", "quantum", "-o", out], None),
        (["export", "-f", "jsonl", "-o", out], None),
        (["export", "--group-by", "category", "--abstracts", "-o", out], None),
        (["export", "-f", "bibtex", "-o", out], None),
        (["export", "-f", "csv", "--sort", "score", "-o", out], None),
        (["digest", "--no-fetch", "-o", out], None),
        (["dedupe", "--dry-run"], None),
        (["dedupe"], None),
        (["import", str(small)], None),
        (["db", "backup", backup], None),
        (["db", "check"], None),
    ]
    lines = ["| command | wall | peak RSS |", "|---|---|---|"]
    for args, stdin in commands:
        if not has_command(args[0]):
            continue
        wall, rss, _, _ = run([*PT, *args, *db], stdin=stdin)
        label = " ".join(a if a != str(small) else "(1,000 records)" for a in args)
        label = label.replace(out, "FILE").replace(backup, "FILE") + (" (q)" if stdin else "")
        lines.append(f"| `{label}` | {wall:.2f} s | {rss / 1024:.0f} MB |")
        print(f"  {label}: {wall:.2f} s {rss / 1024:.0f} MB", flush=True)
    Path(backup).unlink(missing_ok=True)
    return "\n".join(lines) + "\n"


def report(size: int, data: Path, imp: tuple, queries, rare: str) -> str:  # type: ignore[type-arg]
    ours, peer, store, fair, old = imp
    jsonl = data.stat().st_size
    st = store.stat().st_size
    lines = [
        f"### Scale: {size:,} records ({jsonl / 1e6:,.0f} MB JSONL)",
        "",
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end; "
        f"SQLite {sqlite3.sqlite_version}; {len(ours.wall)} import runs, medians. "
        f"Rare word `{rare}`: {matches(store, rare):,} matches; "
        f"common word `{COMMON_WORD}`: {matches(store, COMMON_WORD):,}.",
        "",
        "| measure | papertriage | peer | ratio |",
        "|---|---|---|---|",
    ]
    if ours.wall:
        cpu = statistics.median(ours.cpu)

        def versus(name: str, s: Sample) -> list[str]:
            s_cpu = statistics.median(s.cpu)
            return [
                f"| import vs {name} (wall) | {ours.t:.1f} s, {size / ours.t:,.0f} rec/s "
                f"| {s.t:.1f} s, {size / s.t:,.0f} rec/s | {s.t / ours.t:.2f}× the records/s |",
                f"| import vs {name} (CPU, user+sys) | {cpu:.1f} s, {size / cpu:,.0f} rec/CPU-s "
                f"| {s_cpu:.1f} s, {size / s_cpu:,.0f} rec/CPU-s | {s_cpu / cpu:.2f}× the records/CPU-s |",
            ]

        lines += versus("`sqlite-utils insert --nl`", peer)
        lines += versus("insert + `enable-fts --fts5 --tokenize porter`", fair)
        if old.wall:
            lines += versus("the code before (`--before`)", old)
        lines += [
            f"| import peak RSS | {ours.mb:.0f} MB | insert {peer.mb:.0f} MB, + enable-fts "
            f"{fair.mb:.0f} MB{f', before {old.mb:.0f} MB' if old.wall else ''} | |",
            f"| import peak log (WAL + rollback journal) | {max(ours.extra) / 1e6:,.0f} MB | | |",
            f"| store size | {st / 1e6:,.0f} MB | sqlite-utils db with FTS {fair.extra[0] / 1e6:,.0f} MB"
            f"{f', before {old.extra[0] / 1e6:,.0f} MB ({old.extra[0] / jsonl:.2f}×)' if old.wall else ''} "
            f"| {st / jsonl:.2f}× the JSONL |",
        ]
        sizes = ", ".join(f"{name} {size / jsonl:.3f}×" for name, size in table_sizes(store))
        lines.append(f"| store by table (with its indexes), × the JSONL | {sizes} | | |")
    for label, o, peer_label, p in queries:
        if p.wall:
            lines.append(
                f"| `{label}` | {o.t:.3f} s, {o.mb:.0f} MB | `sqlite-utils {peer_label}` "
                f"{p.t:.3f} s, {p.mb:.0f} MB | {o.t / p.t:.2f}× the time |"
            )
        else:
            lines.append(f"| `{label}` | {o.t:.3f} s, {o.mb:.0f} MB | | |")
    return "\n".join(lines) + "\n"


def parse_size(text: str) -> int:
    text = text.lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * mult)


def label_for(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", type=parse_size, help="records, e.g. 100000, 100k, 1m")
    parser.add_argument("--runs", type=int, default=5, help="runs of each query (median)")
    parser.add_argument("--import-runs", type=int, default=3, help="runs of each import")
    parser.add_argument(
        "--skip-import", action="store_true", help="reuse benchmarks/out/SIZE/store.db"
    )
    parser.add_argument(
        "--every-command", action="store_true", help="then run each other command once"
    )
    parser.add_argument(
        "--before", type=Path, help="an older checkout's src/ folder: its import, interleaved"
    )
    parser.add_argument("--skip-queries", action="store_true", help="the import only")
    args = parser.parse_args()
    # Bytecode for every module, as an installed program has after its first run: with
    # PYTHONDONTWRITEBYTECODE set (as on some CI machines) a module edited since its
    # .pyc was written would be compiled again at every start, a few ms each.
    compileall.compile_dir(HERE.parent / "src", quiet=1)
    label = label_for(args.size)
    data = HERE / "data" / f"kaggle-{label}.jsonl"
    if not data.exists():
        generate.generate(args.size, data)
    out = HERE / "out" / label
    out.mkdir(parents=True, exist_ok=True)
    rare = generate.rare_word_for(args.size)
    print(f"{args.size:,} records, {data.stat().st_size / 1e6:,.0f} MB: import", flush=True)
    if args.skip_import:
        imp = Sample(), Sample(), out / "store.db", Sample(), Sample()
    else:
        imp = bench_import(data, out, args.import_runs, args.before)
    print("queries", flush=True)
    queries = [] if args.skip_queries else bench_queries(imp[2], rare, args.runs)
    text = report(args.size, data, imp, queries, rare)
    if args.every_command:
        print("every command", flush=True)
        text += "\nEvery other command, one run each:\n\n" + bench_every_command(imp[2], data)
    (HERE / "out" / f"results-{label}.md").write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    main()
