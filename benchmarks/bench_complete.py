"""What the arXiv completion adds to each morning's fetch, on the 144 real 2024 HF daily listings.

    uv run python benchmarks/bench_complete.py [--shared PATH/TO/shared/fixtures]

Each listing of ../shared/fixtures/hf_daily_2024.tar.xz is fetched in date order by the
real `run_fetch` with the completion follow-up, into one store, over httpx's
MockTransport: Hugging Face answers with the recorded listing, the arXiv API with an
``id_list`` feed of recorded arXiv API entries (query_testing_start0_max100, 100 real
entries) whose ids are replaced by the ids asked, so the bodies have real size and
shape (arXiv holds these papers; the fixtures do not). The clock is fake: the spacing
the client would wait is counted, not slept. Reported per morning: the extra requests,
the spacing waited, and the local time (parse + merge) of the completion. Not measured
(offline): arXiv's own response time for an id_list request.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
# ../shared/fixtures from the checkout (/work/main), or from a worktree one level deeper.
SHARED = next(
    (p / "shared" / "fixtures" for p in HERE.parents if (p / "shared" / "fixtures").is_dir()),
    HERE.parent.parent / "shared" / "fixtures",
)
ENTRY = re.compile(rb"  <entry>.*?</entry>\n", re.S)
ENTRY_ID = re.compile(rb"(http://arxiv.org/abs/)([^<]+?)(v\d+)")


class Clock:
    def __init__(self) -> None:
        self.now, self.slept = 0.0, 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def listings(path: Path) -> list[tuple[str, bytes]]:
    out = []
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            m = re.search(r"(\d{4}-\d{2}-\d{2})", member.name)
            fh = tar.extractfile(member) if member.isfile() else None
            if m and fh is not None:
                out.append((m.group(1), fh.read()))
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args()
    import httpx

    from papertriage.fetch.complete import after_fetch, missing_ids, requests_needed
    from papertriage.fetch.http import Fetcher, HttpSettings, make_client
    from papertriage.fetch.listings import HfDaily
    from papertriage.fetch.run import run_fetch
    from papertriage.store.db import open_db

    api_body = (
        args.shared / "arxiv_api" / "query_testing_start0_max100_2026-04-12.xml"
    ).read_bytes()
    entries = ENTRY.findall(api_body)
    head = api_body.split(b"  <entry>")[0]
    days = listings(args.shared / "hf_daily_2024.tar.xz")
    by_day = dict(days)
    timing: dict[str, float] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "huggingface.co":
            return httpx.Response(200, content=by_day[request.url.params["date"]])
        asked = request.url.params["id_list"].split(",")
        started = time.perf_counter()
        timing["asked_at"] = started
        body = head + b"".join(
            ENTRY_ID.sub(rb"\g<1>" + pid.encode() + rb"\g<3>", entries[n % len(entries)])
            for n, pid in enumerate(asked)
        )
        return httpx.Response(200, content=body + b"</feed>\n")

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        conn = open_db(Path(tmp) / "bench.db", create=True)
        for day, _body in days:
            clock = Clock()
            client = make_client(HttpSettings(), transport=httpx.MockTransport(handler))
            fetcher = Fetcher(HttpSettings(), client=client, clock=clock)
            listing = HfDaily("https://huggingface.co", "date", day, 100, 10)
            timing.clear()
            report = run_fetch(
                conn, [listing], fetcher, after=[after_fetch("https://export.arxiv.org/api/query")]
            )
            done = time.perf_counter()
            hf = report.results["hf"].counts
            extra = report.requests - 1
            local = done - timing["asked_at"] if "asked_at" in timing else 0.0
            rows.append((day, hf["listed"], hf["new"], extra, clock.slept, local))
            client.close()
        left = len(missing_ids(conn))
        total = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    listed = [r[1] for r in rows]
    extra = [r[3] for r in rows]
    local = [r[5] for r in rows if r[3]]
    print(f"{len(rows)} mornings (real HF daily listings of 2024), {total} distinct papers")
    print(
        f"papers listed a morning: min {min(listed)}, median {statistics.median(listed)}, max {max(listed)}"
    )
    print(
        f"extra requests a morning: {dict(sorted({n: extra.count(n) for n in set(extra)}.items()))} "
        f"(requests: mornings); total {sum(extra)} for {sum(r[2] for r in rows)} new papers"
    )
    print(f"spacing waited a morning (HF first, then the API): max {max(r[4] for r in rows):.1f} s")
    print(
        f"local time of the completion (parse + merge, after the body arrived): "
        f"median {statistics.median(local) * 1000:.0f} ms, max {max(local) * 1000:.0f} ms"
    )
    print(f"left without categories afterwards: {left}")
    print(
        f"`db complete` on a store of these {total} HF-only papers: {requests_needed(total)} requests"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
