"""SIGKILL at many moments: `papertriage import` and `papertriage fetch` in real processes.

After every kill the store passes `PRAGMA integrity_check` and `db check`, shows only
whole transactions (an imported file, or a fetched listing, is all there or not at
all), still holds every tag, note and decision set before the kill, and the next run
completes with no duplicates.

Kill moments: some by time (spread from process start to past the end of a calibration
run), most by progress: once the store's write-ahead log has grown past a threshold,
which proves the kill landed inside the open write transaction.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fetch_helpers import FixtureServer
from papertriage.importer.run import import_file
from papertriage.store import userdata
from papertriage.store.db import open_db
from papertriage.store.maintenance import check

FIXTURES = Path(__file__).parent / "fixtures"
KAGGLE = FIXTURES / "arxiv_kaggle" / "arxiv-metadata-oai-snapshot_head200.jsonl"
HF_DAY = FIXTURES / "hf_daily" / "2026-08-12.json"
N_BIG = 1500  # records in the generated Kaggle file
N_HEAD = 150  # of which the base store already has these
TAGGED = {"2301.00001": ["keep-me", "ml"], "2301.00002": ["keep-me"], "2608.10915": ["video"]}
# Kill points per test scale with PAPERTRIAGE_KILL_POINTS (default 1; e.g. 10 by hand).
SCALE = max(1, int(os.environ.get("PAPERTRIAGE_KILL_POINTS", "1")))


def _kaggle_records(n: int) -> list[str]:
    """n real Kaggle records with new ids (and titles), so they are n different papers."""
    real = KAGGLE.read_text().splitlines()
    out = []
    for i in range(n):
        record = json.loads(real[i % len(real)])
        record["id"] = f"2301.{i + 1:05d}"
        record["title"] = f"{record['title']} (part {i + 1})"
        out.append(json.dumps(record))
    return out


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERTRIAGE_")}
    env.update(PAPERTRIAGE_HOME=str(home), PAPERTRIAGE_CONFIG=str(home / "config.yaml"), **extra)
    return env


def _user_data(db: Path) -> dict[str, list[tuple]]:
    raw = sqlite3.connect(db)
    try:
        return {
            "tags": sorted(raw.execute("SELECT paper_id, tag, created FROM tags")),
            "notes": sorted(raw.execute("SELECT paper_id, text FROM notes")),
            "decisions": sorted(raw.execute("SELECT paper_id, decision, undone FROM decisions")),
        }
    finally:
        raw.close()


def _one(db: Path, sql: str, args: tuple = ()) -> int:
    raw = sqlite3.connect(db)
    try:
        return raw.execute(sql, args).fetchone()[0]
    finally:
        raw.close()


def _ids(db: Path) -> set[str]:
    raw = sqlite3.connect(db)
    try:
        return {r[0] for r in raw.execute("SELECT id FROM papers")}
    finally:
        raw.close()


def _add_user_data(db: Path) -> None:
    conn = open_db(db)
    for pid, tags in TAGGED.items():
        userdata.add_tags(conn, [pid], tags)
    userdata.add_note(conn, "2301.00001", "read the appendix first — ✓")
    userdata.decide(conn, "2301.00002", "keep")
    userdata.decide(conn, "2608.10915", "skip")
    conn.close()


def _run_and_kill(cmd: list[str], env: dict[str, str], db: Path, trigger: tuple[str, object]):
    """Start cmd; SIGKILL it when the trigger fires: ("time", seconds after the start),
    ("wal", bytes in the write-ahead log) or ("sql", a query on the store that returns a
    true value). Returns (killed, wal size at the kill)."""
    wal = Path(f"{db}-wal")
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    kind, value = trigger
    start = time.monotonic()
    size = 0
    try:
        while proc.poll() is None:
            size = wal.stat().st_size if wal.exists() else 0
            if (
                (kind == "time" and time.monotonic() - start >= value)
                or (kind == "wal" and size >= value)
                or (kind == "sql" and _peek(db, str(value)))
            ):
                os.killpg(proc.pid, signal.SIGKILL)  # the command and any worker it forked
                proc.wait()
                return True, size
            assert time.monotonic() - start < 120, f"{cmd} did not finish"
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return False, size


def _peek(db: Path, sql: str) -> bool:
    try:
        raw = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
        try:
            return bool(raw.execute(sql).fetchone()[0])
        finally:
            raw.close()
    except sqlite3.Error:  # not created yet, or busy for a moment
        return False


def _no_leftover_processes(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return False
    return True


def _calibrate(cmd: list[str], env: dict[str, str], db: Path) -> tuple[float, int]:
    """Wall time of a whole run, and the largest write-ahead log seen while it ran."""
    wal = Path(f"{db}-wal")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    start, biggest = time.monotonic(), 0
    while proc.poll() is None:
        biggest = max(biggest, wal.stat().st_size if wal.exists() else 0)
        time.sleep(0.002)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return time.monotonic() - start, biggest


def _triggers(duration: float, wal_max: int, points: int) -> list[tuple[str, float]]:
    """`points` kills spread over the run's time, as many at write-ahead log sizes."""
    n = points * SCALE
    # From the start to past the end of the calibration run (a kill after the end is none).
    times = [("time", duration * 1.1 * i / (n - 1)) for i in range(n)]
    # Log sizes up to half the biggest seen: reached before the commit writes the rest.
    wal = [("wal", max(4096, int(wal_max * 0.5 * (i + 1) / n))) for i in range(n)]
    return times + wal


# ---- import -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def import_setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash_import")
    records = _kaggle_records(N_BIG)
    big = root / "big.jsonl"
    big.write_text("\n".join(records) + "\n")
    head = root / "head.jsonl"
    head.write_text("\n".join(records[:N_HEAD]) + "\n")
    base = root / "base.db"
    conn = open_db(base)
    import_file(conn, str(HF_DAY))
    import_file(conn, str(head))
    conn.close()
    _add_user_data(base)
    return root, big, base


def test_killed_imports_leave_whole_transactions_and_every_tag(import_setup):
    root, big, base = import_setup
    papers_before = _one(base, "SELECT count(*) FROM papers")
    runs_before = _one(base, "SELECT count(*) FROM runs")
    user_before = _user_data(base)
    assert papers_before == 20 + N_HEAD and len(user_before["tags"]) == 4
    papers_after = papers_before + N_BIG - N_HEAD

    def cmd(db: Path) -> list[str]:
        return [sys.executable, "-m", "papertriage", "import", str(big), "--db", str(db)]

    cal = root / "calibrate.db"
    shutil.copyfile(base, cal)
    duration, wal_max = _calibrate(cmd(cal), _env(root), cal)
    assert _one(cal, "SELECT count(*) FROM papers") == papers_after

    triggers = _triggers(duration, wal_max, points=4)

    def one_point(i: int) -> tuple[str, bool, int, str]:
        db = root / f"kill{i}.db"
        shutil.copyfile(base, db)
        killed, wal_size = _run_and_kill(cmd(db), _env(root), db, triggers[i])
        # Right after the kill, before anything repairs or re-runs: whole transactions only.
        papers = _one(db, "SELECT count(*) FROM papers")
        runs = _one(db, "SELECT count(*) FROM runs")
        sightings = _one(db, "SELECT count(*) FROM sightings")
        assert _one(db, "PRAGMA integrity_check") == "ok"
        if papers == papers_before:
            state = "before"
            assert (runs, sightings) == (runs_before, papers_before)
        else:
            state = "after"
            assert (papers, runs, sightings) == (papers_after, runs_before + 1, papers_after)
            assert _one(db, "SELECT outcome FROM runs ORDER BY id DESC LIMIT 1") == "ok"
        assert _user_data(db) == user_before
        conn = open_db(db)
        report = check(conn)
        assert report.ok, report.as_dict()
        # The next run completes, with no duplicates.
        result = import_file(conn, str(big))
        assert result.counts["read"] == N_BIG
        conn.close()
        assert _one(db, "SELECT count(*) FROM papers") == papers_after
        assert _one(db, "SELECT count(DISTINCT title_key) FROM papers") == papers_after
        assert _one(db, "SELECT count(*) FROM sightings") == papers_after
        assert _user_data(db) == user_before
        conn = open_db(db)
        assert check(conn).ok
        conn.close()
        return triggers[i][0], killed, wal_size, state

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(one_point, range(len(triggers))))

    kills = [o for o in outcomes if o[1]]
    tally = Counter((kind, state) for kind, killed, _, state in outcomes if killed)
    print(f"\nimport: {len(kills)} kill points of {len(outcomes)} runs: {dict(tally)}")
    # Progress-triggered kills happened inside the import's open write transaction.
    assert any(kind == "wal" and wal > 0 and state == "before" for kind, _, wal, state in kills)
    assert len(kills) >= 5 * SCALE


def test_a_killed_import_leaves_no_worker_process_behind(import_setup, tmp_path):
    root, big, base = import_setup
    db = tmp_path / "w.db"
    shutil.copyfile(base, db)
    cmd = [sys.executable, "-m", "papertriage", "import", str(big), "--db", str(db)]
    proc = subprocess.Popen(cmd, env=_env(root), stderr=subprocess.DEVNULL)
    wal = Path(f"{db}-wal")
    deadline = time.monotonic() + 60
    while proc.poll() is None and not (wal.exists() and wal.stat().st_size > 50_000):
        assert time.monotonic() < deadline
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)  # only the parent, as an OOM killer would
    proc.wait()
    deadline = time.monotonic() + 10
    while not _no_leftover_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _no_leftover_processes(proc.pid), "a forked worker outlived the import"


def test_killed_while_creating_a_new_store(tmp_path):
    """Kills during the very first open (file creation, schema, first import): the next
    run still works and the store is whole."""
    env = _env(tmp_path)

    def cmd(db: Path) -> list[str]:
        return [sys.executable, "-m", "papertriage", "import", str(HF_DAY), "--db", str(db)]

    # the first WAL bytes are the schema being written; later ones the import
    triggers = [("wal", size) for size in (1, 4096, 32768, 98304, 196608)] * SCALE

    def one_point(i: int) -> bool:
        db = tmp_path / f"new{i}.db"
        killed, _ = _run_and_kill(cmd(db), env, db, triggers[i])
        if db.exists() and db.stat().st_size:
            assert _one(db, "PRAGMA integrity_check") == "ok"
        done = subprocess.run(cmd(db), env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "read 20" in done.stderr
        assert _one(db, "SELECT count(*) FROM papers") == 20
        conn = open_db(db)
        assert check(conn).ok
        conn.close()
        return killed

    with ThreadPoolExecutor(max_workers=2) as pool:
        killed = sum(pool.map(one_point, range(len(triggers))))
    print(f"\nnew store: {killed} kill points of {len(triggers)} runs")
    assert killed >= 3 * SCALE


# ---- fetch --------------------------------------------------------------------------

N_PAGES = 3  # full pages of 100 before the last, short one


def _hf_pages() -> dict[str, bytes]:
    """Hugging Face daily papers for one day, paged 100 at a time: the real day's 20
    papers and 280 more made from them with new ids."""
    day = json.loads(HF_DAY.read_bytes())
    items = list(day)
    for i in range(100 * N_PAGES - len(day) + 40):
        item = json.loads(json.dumps(day[i % len(day)]))
        item["paper"]["id"] = f"2608.{90001 + i}"
        item["paper"]["title"] = f"{item['paper']['title']} (variant {i + 1})"
        item["title"] = item["paper"]["title"]
        items.append(item)
    pages = {}
    for p in range(N_PAGES + 1):
        chunk = items[p * 100 : (p + 1) * 100]
        pages[f"/api/daily_papers?date=2026-08-12&limit=100&p={p}"] = json.dumps(chunk).encode()
    return pages


def _fetch_env(home: Path, url: str) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    config = "sources: [hf, arxiv]\ncategories: [cs.LG, cs.CL]\ncomplete: false\n"
    (home / "config.yaml").write_text(config)
    return _env(home, PAPERTRIAGE_HF_URL=url, PAPERTRIAGE_ARXIV_RSS_URL=url + "/rss")


def test_killed_fetches_leave_whole_listings_and_every_tag(tmp_path, cli, monkeypatch):
    bodies = _hf_pages()
    bodies["/rss/cs.LG+cs.CL"] = (
        FIXTURES / "arxiv_rss" / "rss_cs.LG_2026-04-27_trimmed3.xml"
    ).read_bytes()
    hf_total = 100 * N_PAGES + 40
    hf_ids = {
        item["paper"]["id"]
        for body in bodies.values()
        if body[:1] == b"["
        for item in json.loads(body)
    }
    assert len(hf_ids) == hf_total
    base = tmp_path / "base.db"
    conn = open_db(base)
    import_file(conn, str(HF_DAY))  # the real 20, so the fetch updates tagged papers
    conn.close()
    conn = open_db(base)
    userdata.add_tags(conn, ["2608.10915"], ["video", "keep-me"])
    userdata.add_note(conn, "2608.10915", "compare with 2608.10744")
    userdata.decide(conn, "2608.10915", "keep")
    conn.close()
    user_before = _user_data(base)
    rss_ids = ("2604.21952", "2604.21953", "2604.21956")

    # The arXiv feed answers slowly: a wide window after the HF listing is committed.
    delays = {"*": 0.02, "/rss/cs.LG+cs.CL": 0.25}
    with FixtureServer(bodies=bodies, delays=delays) as server:
        env = _fetch_env(tmp_path / "home", server.url)
        for key in ("PAPERTRIAGE_HOME", "PAPERTRIAGE_CONFIG", "PAPERTRIAGE_HF_URL",
                    "PAPERTRIAGE_ARXIV_RSS_URL"):  # fmt: skip
            monkeypatch.setenv(key, env[key])  # for the in-process re-runs

        def cmd(db: Path) -> list[str]:
            return [sys.executable, "-m", "papertriage", "fetch", "--date", "2026-08-12",
                    "--db", str(db)]  # fmt: skip

        cal = tmp_path / "cal.db"
        shutil.copyfile(base, cal)
        duration, wal_max = _calibrate(cmd(cal), env, cal)
        assert _one(cal, "SELECT count(*) FROM papers") == hf_total + 3
        triggers = _triggers(duration, wal_max, points=2)
        # right after the HF listing's transaction, while the arXiv feed is on its way
        triggers += [("sql", "SELECT count(*) FROM http_cache")] * (2 * SCALE)

        def kill_point(i: int) -> tuple[bool, str]:
            db = tmp_path / f"fetch{i}.db"
            shutil.copyfile(base, db)
            killed, _ = _run_and_kill(cmd(db), env, db, triggers[i])
            assert _one(db, "PRAGMA integrity_check") == "ok"
            hf = len(hf_ids & _ids(db))
            rss = _one(db, "SELECT count(*) FROM papers WHERE id IN (?, ?, ?)", rss_ids)
            cached = _one(db, "SELECT count(*) FROM http_cache")
            assert hf in (20, hf_total)  # a listing's pages are written together or not at all
            assert rss in (0, 3)
            assert cached == (hf == hf_total) + (rss == 3)  # validators go with their data
            assert _one(db, "SELECT count(*) FROM runs WHERE outcome = 'running'") <= 1
            assert _user_data(db) == user_before
            conn = open_db(db)
            assert check(conn).ok
            conn.close()
            return killed, f"hf {'yes' if hf == hf_total else 'no'}, rss {'yes' if rss else 'no'}"

        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(kill_point, range(len(triggers))))
        for i in range(len(triggers)):  # the next fetch completes the work
            db = tmp_path / f"fetch{i}.db"
            result = cli("fetch", "--date", "2026-08-12", "--db", db)
            assert result.exit_code == 0, result.output
            assert _one(db, "SELECT count(*) FROM papers") == hf_total + 3
            assert _one(db, "SELECT count(DISTINCT title_key) FROM papers") == hf_total + 3
            assert _one(db, "SELECT count(*) FROM runs WHERE outcome = 'running'") == 0
            assert _user_data(db) == user_before
    kills = [state for killed, state in outcomes if killed]
    print(f"\nfetch: {len(kills)} kill points of {len(outcomes)} runs: {dict(Counter(kills))}")
    assert len(kills) >= 4 * SCALE
    assert "hf yes, rss no" in kills  # killed between two listings: the first one stays
