"""One process of tests/test_concurrency.py: runs papertriage commands in a loop.

    python tests/concurrency_worker.py ROLE DB N RESULT.json [ARGS...]

Each command goes through the real command-line code (Typer's app, or the fast path
that `papertriage list/filter` takes), in this process, so hundreds of commands fit in
a few seconds. Every non-zero exit and every stderr line mentioning a lock is recorded
as a failure; readers also record what they saw, for the consistency checks.
"""

from __future__ import annotations

import io
import json
import random
import sys
import time
from contextlib import redirect_stderr, redirect_stdout

from click.testing import CliRunner
from typer.main import get_command

from papertriage.cli import fastpath
from papertriage.cli.app import app

ROLE, DB, N, RESULT = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ARGS = sys.argv[5:]
runner = CliRunner()
command = get_command(app)  # built once: Typer would rebuild it for every invoke
result: dict = {"role": ROLE, "ops": 0, "failures": [], "seen": [], "done": []}


PACE = 0.015  # seconds between commands: spread them over the writer's transactions
result["slowest"] = 0.0


def _record(args: tuple[str, ...], code: int, err: str, took: float) -> None:
    result["ops"] += 1
    if took > result["slowest"]:
        result["slowest"], result["slowest_args"] = round(took, 3), list(args)
    if code != 0 or "locked" in err.lower() or "busy" in err.lower() or "Traceback" in err:
        result["failures"].append({"args": list(args), "code": code, "stderr": err[-500:]})


def cli(*args: str) -> str:
    """A command through the Typer app; returns its stdout."""
    start = time.monotonic()
    r = runner.invoke(command, [*args, "--db", DB], prog_name="papertriage")
    took = time.monotonic() - start
    if ROLE != "writer":
        time.sleep(PACE)
    err = r.stderr
    if r.exception and not isinstance(r.exception, SystemExit):
        err += f"\nTraceback: {r.exception!r}"
    _record(args, r.exit_code, err, took)
    return r.stdout


def fast(*args: str) -> str:
    """list/filter the way `papertriage` runs them (fastpath), falling back to Typer."""
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = fastpath.try_run([*args, "--db", DB])
        except SystemExit as exc:
            code = int(exc.code or 0)
    if code is None:
        return cli(*args)
    _record(args, code, err.getvalue(), time.monotonic() - start)
    time.sleep(PACE)
    return out.getvalue()


def tagger(n: int, papers: list[str]) -> None:
    """Tag pairs of papers, one transaction per command; now and then a note."""
    me = ROLE
    for i in range(n):
        a, b = papers[i % len(papers)], papers[(i * 7 + 3) % len(papers)]
        if a == b:
            b = papers[(papers.index(a) + 1) % len(papers)]
        tag = f"{me}-{i}"
        cli("tag", a, b, tag)
        result["done"].append([tag, sorted({a, b})])
        if i % 10 == 0:
            cli("note", a, f"note {me} {i}")
        if i % 25 == 24:  # take the previous tag off its pair again: must stay removed
            old, pair = result["done"][-2]
            cli("untag", *pair, old)
            result["done"].remove([old, pair])


def triager(n: int, papers: list[str]) -> None:
    marks = ("keep", "skip", "read")
    for i in range(n):
        pid = papers[i % len(papers)]
        cli("mark", pid, marks[i % 3])
        result["done"].append([pid, marks[i % 3]])


def reader(n: int, papers: list[str]) -> None:
    rng = random.Random(ROLE)
    last_count = 0
    for i in range(n):
        kind = i % 4
        if kind == 0:  # a tag written with its pair in one transaction: both or neither
            tag = f"tagger{rng.randint(1, 2)}-{rng.randint(0, 120)}"
            ids = fast("list", "--tag", tag, "-f", "ids", "-n", "10").split()
            result["seen"].append(["pair", tag, len(ids)])
        elif kind == 1:  # the store only grows while imports and fetches run
            count = len(fast("list", "-f", "ids", "-n", "100000").split())
            result["seen"].append(["count", count, last_count])
            last_count = max(last_count, count)
        elif kind == 2:
            out = fast("filter", "transformer", "-f", "json", "-n", "5")
            rows = json.loads(out) if out.strip() else []
            result["seen"].append(["filter", len(rows)])
        else:
            out = cli("show", papers[i % len(papers)], "--json")
            record = json.loads(out) if out.strip() else {}
            result["seen"].append(["show", record.get("id"), len(record.get("tags", []))])


def writer(files: list[str]) -> None:
    """Long write transactions: imports of big files (and a backup in between)."""
    for i, name in enumerate(files):
        if name.startswith("fetch:"):
            cli("fetch", "--date", name.split(":", 1)[1])
        else:
            cli("import", name)
        if i == 0:
            cli("db", "backup", f"{DB}.backup")


if __name__ == "__main__":
    start = time.monotonic()
    papers = ARGS[0].split(",") if ARGS else []
    if ROLE.startswith("tagger"):
        tagger(N, papers)
    elif ROLE == "triage":
        triager(N, papers)
    elif ROLE.startswith("reader"):
        reader(N, papers)
    elif ROLE == "writer":
        writer(ARGS)
    result["seconds"] = round(time.monotonic() - start, 2)
    with open(RESULT, "w") as fh:
        json.dump(result, fh)
