"""A hostile answer fails only its own source, in one line: every fetch listing, fed
mutated real responses, nesting bombs, lone surrogates and hostile headers, next to a
source that answers well. The fetch never raises; the good source is always stored.

PAPERTRIAGE_FUZZ_EXAMPLES sets the examples per test (see tests/fuzzing.py).
"""

from __future__ import annotations

import json
import random

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fetch_helpers import FakeClock, fixture_bytes
from fuzzing import FUZZ
from papertriage.fetch.http import Fetcher, HttpSettings
from papertriage.fetch.listings import ArxivQuery, ArxivRss, HfDaily, HfSearch
from papertriage.fetch.run import run_fetch
from papertriage.store.db import open_db
from test_fuzz_importers import mutated

HF = "https://huggingface.co"
RSS = "https://rss.arxiv.org/rss"
API = "https://export.arxiv.org/api/query"
GOOD_RSS = fixture_bytes("arxiv_rss/rss_cs.LG_2026-04-27_trimmed3.xml")
SAMPLES = {
    "hf": fixture_bytes("hf_daily/2026-08-12.json"),
    "hf-search": fixture_bytes("hf_search/search_diffusion_3results.json"),
    "arxiv-query": fixture_bytes(
        "arxiv_api/query_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml"
    ),
}
LISTINGS = {
    "hf": lambda: HfDaily(HF, "date", "2026-08-12", 100, 2),
    "hf-search": lambda: HfSearch(HF, "diffusion", 10),
    "arxiv-query": lambda: ArxivQuery(API, "cat:cs.LG", [], 5, 5),
}
HUGE = "9" * 5000


def bomb(depth: int, json_like: bool) -> bytes:
    if json_like:
        return b"[" * depth + b"]" * depth
    return b"<feed>" + b"<a>" * depth + b"</a>" * depth + b"</feed>"


def surrogate(body: bytes) -> bytes:
    return body.replace(b'"title":"', b'"title":"\\udc80\\ud800', 1)


@st.composite
def answers(draw, source: str):
    """(status, body, headers) as a hostile or broken service might send them."""
    sample = SAMPLES[source]
    body = draw(
        st.one_of(
            mutated(sample),
            st.integers(50, 200_000).map(lambda d: bomb(d, source != "arxiv-query")),
            st.just(surrogate(sample)),
            st.binary(max_size=300),
        )
    )
    status = draw(st.sampled_from([200, 200, 200, 304, 400, 404, 429, 500]))
    headers = draw(
        st.dictionaries(
            st.sampled_from(["Retry-After", "RateLimit", "ETag", "Content-Type"]),
            st.sampled_from([HUGE, '"api";r=0;t=' + HUGE, "-1", "", "text/html", "x" * 2000]),
            max_size=3,
        )
    )
    return status, body, headers


def fetch_next_to_a_good_source(tmp_path, source: str, answer) -> dict:
    status, body, headers = answer

    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.host == "rss.arxiv.org":
            return httpx.Response(200, content=GOOD_RSS)
        return httpx.Response(status, content=body, headers=headers)

    client = httpx.Client(transport=httpx.MockTransport(serve))
    settings = HttpSettings(attempts=2, max_wait=30, fetch_deadline=600)
    conn = open_db(tmp_path / "fuzz.db")
    try:
        with Fetcher(settings, client=client, clock=FakeClock(), rng=random.Random(0)) as f:
            listings = [LISTINGS[source](), ArxivRss(RSS, ["cs.LG"])]
            report = run_fetch(conn, listings, f, refresh=True)
        run = conn.execute("SELECT outcome, message FROM runs ORDER BY id DESC").fetchone()
        stored = conn.execute("SELECT count(*) FROM papers WHERE id LIKE '2604.219%'").fetchone()
    finally:
        conn.close()
    good = report.results["arxiv"]
    assert good.outcome in ("ok", "unchanged", "stale") and not good.errors, good.errors
    assert stored[0] == 3
    bad = report.results[source]
    for error in bad.errors:
        assert "\n" not in error and error.isprintable() and len(error) <= 500, error
    assert run["outcome"] == report.outcome and run["outcome"] != "interrupted"
    json.dumps(report.results[source].as_dict())
    return {"failed": bool(bad.errors)}


@pytest.mark.parametrize("source", sorted(LISTINGS))
def test_a_hostile_answer_fails_only_its_source(tmp_path, source):
    tally = {True: 0, False: 0}

    @FUZZ
    @given(answer=answers(source))
    def run(answer) -> None:
        tally[fetch_next_to_a_good_source(tmp_path, source, answer)["failed"]] += 1

    run()
    assert tally[True] > 0  # the answers did break the source
