"""`papertriage fetch` end to end through the CLI, on recorded responses served by pytest-httpx."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, timedelta

import httpx
import pytest

from fetch_helpers import FakeClock, fixture_bytes

HF_DAILY = "https://huggingface.co/api/daily_papers"
HF_SEARCH = "https://huggingface.co/api/papers/search"
RSS = "https://rss.arxiv.org/rss/cs.LG+cs.CL"
API = "https://export.arxiv.org/api/query"
DAY = fixture_bytes("hf_daily/2026-08-12.json")  # 20 papers, first 2608.10915
RSS_CL = fixture_bytes("arxiv_rss/rss_cs.CL_2026-04-27_trimmed3.xml")  # 2604.22002/22027/22038
RSS_LG = fixture_bytes("arxiv_rss/rss_cs.LG_2026-04-27_trimmed3.xml")  # 2604.21952/21953/21956


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("papertriage.fetch.http.system_clock", lambda: fake)
    return fake


@pytest.fixture
def config(env_setup):
    path = env_setup / "home" / "config.yaml"

    def write(text: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write


def hf_url(day: str, p: int = 0, limit: int = 100) -> str:
    return f"{HF_DAILY}?date={day}&limit={limit}&p={p}"


def new_ids(cli_json):
    return [p["id"] for p in cli_json("list", "--new", "-n", "100", "-f", "json")]


def as_replacements(feed: bytes, kind: str) -> bytes:
    """A derived feed: the recorded items re-announced as replacements (v1 -> v2)."""
    text = feed.decode()
    text = text.replace("<arxiv:announce_type>new<", f"<arxiv:announce_type>{kind}<")
    text = text.replace("Announce Type: new", f"Announce Type: {kind}").replace("v1<", "v2<")
    return text.replace("v1 Announce", "v2 Announce").encode()


# ---- Hugging Face ------------------------------------------------------------------


def test_no_arguments_no_config_fetches_todays_hf_daily_papers(cli, cli_json, httpx_mock, conn):
    today = date.today().isoformat()
    httpx_mock.add_response(url=hf_url(today), content=DAY, headers={"ETag": 'W/"d1"'})
    result = cli("fetch")
    assert result.exit_code == 0, result.stderr
    assert re.search(r"hf\s+20\s+20\s+0\s+0\s+0\s+ok", result.stderr)
    assert "1 request(s), 20 new paper(s)" in result.stderr
    ids = new_ids(cli_json)
    assert len(ids) == 20 and "2608.10915" in ids and "2608.10366" in ids
    run = conn.execute("SELECT kind, outcome, counts FROM runs").fetchone()
    assert (run["kind"], run["outcome"]) == ("fetch", "ok")
    assert json.loads(run["counts"])["new"] == 20
    cached = conn.execute("SELECT etag, content_hash FROM http_cache").fetchone()
    assert cached["etag"] == 'W/"d1"' and cached["content_hash"]


def test_a_304_from_the_cache_is_no_work(cli, cli_json, httpx_mock, conn):
    httpx_mock.add_response(url=hf_url("2026-08-12"), content=DAY, headers={"ETag": '"v1"'})
    assert cli("fetch", "hf", "--date", "2026-08-12").exit_code == 0
    httpx_mock.add_response(
        url=hf_url("2026-08-12"), status_code=304, match_headers={"If-None-Match": '"v1"'}
    )
    result = cli("fetch", "hf", "--date", "2026-08-12")
    assert result.exit_code == 0, result.stderr
    assert "not modified since the last fetch (HTTP 304)" in result.stderr
    assert re.search(r"hf\s+0\s+0\s+0\s+0\s+0\s+not modified", result.stderr)
    assert new_ids(cli_json) == []  # the last fetch brought nothing new
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 20


def test_refresh_skips_the_conditional_headers(cli, httpx_mock):
    httpx_mock.add_response(
        url=hf_url("2026-08-12"), content=DAY, headers={"ETag": '"v1"'}, is_reusable=True
    )
    cli("fetch", "hf", "--date", "2026-08-12")
    result = cli("fetch", "hf", "--date", "2026-08-12", "--refresh")
    assert "If-None-Match" not in httpx_mock.get_requests()[-1].headers
    # Everything is read and merged again (nothing new, nothing changed).
    assert re.search(r"hf\s+20\s+0\s+0\s+0\s+0\s+ok", result.stderr)


def test_the_same_body_again_is_no_work(cli, httpx_mock, conn):
    httpx_mock.add_response(url=hf_url("2026-08-12"), content=DAY, is_reusable=True)
    cli("fetch", "hf", "--date", "2026-08-12")
    result = cli("fetch", "hf", "--date", "2026-08-12")
    assert "hf 2026-08-12: unchanged since the last fetch" in result.stderr
    assert re.search(r"hf\s+20\s+0\s+0\s+0\s+0\s+unchanged", result.stderr)
    assert conn.execute("SELECT count(DISTINCT last_run) FROM papers").fetchone()[0] == 1


def test_hf_pages_while_pages_are_full(cli, config, httpx_mock, conn):
    config("http:\n  page_size: 20\n")
    httpx_mock.add_response(url=hf_url("2026-08-12", 0, 20), content=DAY)
    httpx_mock.add_response(
        url=hf_url("2026-08-12", 1, 20), content=fixture_bytes("hf_daily/2025-01-21.json")
    )
    result = cli("fetch", "hf", "--date", "2026-08-12")
    assert result.exit_code == 0, result.stderr
    assert [r.url.params["p"] for r in httpx_mock.get_requests()] == ["0", "1"]
    assert re.search(r"hf\s+21\s+21\s", result.stderr)
    assert conn.execute("SELECT 1 FROM papers WHERE id = '2501.08325'").fetchone()


def test_hf_since_fetches_each_day_and_says_which_were_empty(cli, httpx_mock, conn):
    today = date.today()
    days = [(today - timedelta(n)).isoformat() for n in (2, 1, 0)]
    httpx_mock.add_response(url=hf_url(days[0]), content=DAY)
    httpx_mock.add_response(url=hf_url(days[1]), json=[])
    httpx_mock.add_response(url=hf_url(days[2]), content=fixture_bytes("hf_daily/2025-01-21.json"))
    result = cli("fetch", "hf", "--since", "2d")
    assert result.exit_code == 0, result.stderr
    assert [r.url.params["date"] for r in httpx_mock.get_requests()] == days
    assert f"hf {days[1]}: no papers listed (a weekend, or not published yet)" in result.stderr
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 21


def test_hf_week_and_month_periods(cli, httpx_mock):
    httpx_mock.add_response(url=f"{HF_DAILY}?week=2025-W09&limit=100&p=0", json=[])
    httpx_mock.add_response(url=f"{HF_DAILY}?month=2025-02&limit=100&p=0", json=[])
    result = cli("fetch", "hf", "--date", "2025-W09", "--date", "2025-02")
    assert result.exit_code == 0, result.stderr
    assert "hf 2025-W09: no papers listed" in result.stderr


def test_an_empty_day_is_not_an_error(cli, httpx_mock):
    httpx_mock.add_response(url=hf_url("2026-08-15"), content=b"[]")
    result = cli("fetch", "hf", "--date", "2026-08-15")
    assert result.exit_code == 0
    assert re.search(r"hf\s+0\s+0\s+0\s+0\s+0\s+empty", result.stderr)


def test_hf_search(cli, httpx_mock, conn):
    httpx_mock.add_response(
        url=f"{HF_SEARCH}?q=diffusion&limit=100",
        content=fixture_bytes("hf_search/search_diffusion_3results.json"),
    )
    result = cli("fetch", "hf-search", "diffusion")
    assert result.exit_code == 0, result.stderr
    ids = {r[0] for r in conn.execute("SELECT paper_id FROM sightings WHERE source = 'hf-search'")}
    assert ids == {"2006.11239", "2112.10752", "2202.00512"}


# ---- arXiv -------------------------------------------------------------------------


def test_arxiv_rss_one_request_for_all_categories_then_stale(cli, config, cli_json, httpx_mock):
    config("categories: [cs.LG, cs.CL]\n")
    httpx_mock.add_response(url=RSS, content=RSS_LG, is_reusable=True)
    first = cli("fetch", "arxiv")
    assert first.exit_code == 0, first.stderr
    assert sorted(new_ids(cli_json)) == ["2604.21952", "2604.21953", "2604.21956"]
    again = cli("fetch", "arxiv")
    assert again.exit_code == 0
    assert "stale feed, the same batch as last time (feed of 2026-04-27)" in again.stderr
    assert re.search(r"arxiv\s+3\s+0\s+0\s+0\s+0\s+stale", again.stderr)
    assert len(httpx_mock.get_requests()) == 2


def test_arxiv_no_announcements_today(cli, httpx_mock):
    # The recorded feed with its items removed: what arXiv serves on a weekend.
    empty = re.sub(rb"<item>.*?</item>\s*", b"", RSS_CL, flags=re.S)
    httpx_mock.add_response(url="https://rss.arxiv.org/rss/cs.CL", content=empty)
    result = cli("fetch", "arxiv", "-c", "cs.CL")
    assert result.exit_code == 0
    assert (
        "arxiv cs.CL: no announcements today (feed of 2026-04-27: a weekend or holiday)"
        in result.stderr
    )


def test_replacements_update_stored_papers_and_skip_unknown_ones(cli, cli_json, httpx_mock, conn):
    url = "https://rss.arxiv.org/rss/cs.CL"
    httpx_mock.add_response(url=url, content=RSS_CL)
    httpx_mock.add_response(url=url, content=as_replacements(RSS_CL, "replace"))
    httpx_mock.add_response(url=url, content=as_replacements(RSS_LG, "replace-cross"))
    assert cli("fetch", "arxiv", "-c", "cs.CL").exit_code == 0
    result = cli("fetch", "arxiv", "-c", "cs.CL")
    assert re.search(r"arxiv\s+3\s+0\s+3\s+0\s+0\s+ok", result.stderr), result.stderr
    assert new_ids(cli_json) == []
    assert conn.execute("SELECT version FROM papers WHERE id = '2604.22002'").fetchone()[0] == 2
    result = cli("fetch", "arxiv", "-c", "cs.CL")
    assert re.search(r"arxiv\s+3\s+0\s+0\s+0\s+3\s+ok", result.stderr), result.stderr
    assert "skipped 3 replacement(s) of papers not in the store" in result.stderr
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 3


def test_arxiv_feed_error_for_an_unknown_category(cli, httpx_mock):
    # arXiv answers an unknown category with a normal feed titled 'Feed error for query'.
    bad = RSS_CL.replace(b"cs.CL updates on arXiv.org", b"Feed error for query: cs.XX")
    httpx_mock.add_response(url="https://rss.arxiv.org/rss/cs.LG", content=bad)
    result = cli("fetch", "arxiv", "-c", "cs.LG")
    assert result.exit_code == 1
    assert "unexpected response" in result.stderr and "Feed error for query: cs.XX" in result.stderr


def test_arxiv_query_pages_three_seconds_apart(cli, config, clock, httpx_mock, conn):
    config("http:\n  page_size: 10\n")
    page = "sortBy=submittedDate&sortOrder=descending"
    httpx_mock.add_response(
        url=f"{API}?search_query=testing&{page}&start=0&max_results=10",
        content=fixture_bytes("arxiv_api/query_testing_start0_max10_2026-04-12.xml"),
    )
    httpx_mock.add_response(
        url=f"{API}?search_query=testing&{page}&start=10&max_results=10",
        content=fixture_bytes("arxiv_api/query_testing_start10_max10_2026-04-12.xml"),
    )
    result = cli("fetch", "arxiv-query", "testing", "--max", "20")
    assert result.exit_code == 0, result.stderr
    assert clock.sleeps == [3.0]
    assert re.search(r"arxiv-query\s+20\s+20\s", result.stderr)
    assert conn.execute("SELECT 1 FROM papers WHERE id = '2202.12139'").fetchone()


def test_arxiv_query_with_ids_and_a_date_range(cli, httpx_mock):
    httpx_mock.add_response(
        url=re.compile(re.escape(API) + r"\?search_query=.*"),
        content=fixture_bytes("arxiv_api/idlist_astro-ph_0601001_2026-05-11.xml"),
    )
    result = cli(
        "fetch",
        "arxiv-query",
        "cat:cs.LG AND abs:agents",
        "--since",
        "2026-06-01",
        "--until",
        "2026-06-14",
    )
    assert result.exit_code == 0, result.stderr
    params = httpx_mock.get_request().url.params
    assert (
        params["search_query"]
        == "(cat:cs.LG AND abs:agents) AND submittedDate:[202606010000 TO 202606142359]"
    )
    assert params["sortBy"] == "submittedDate"


def test_arxiv_api_error_feed_with_http_400(cli, httpx_mock):
    httpx_mock.add_response(
        url=re.compile(re.escape(API) + r"\?id_list=abc.*"),
        status_code=400,
        content=fixture_bytes("arxiv_api/error_incorrect_id_format_abc_HTTP400_2026-04-12.xml"),
    )
    result = cli("fetch", "arxiv-query", "--id", "abc")
    assert result.exit_code == 1
    assert "arXiv API error: incorrect id format for abc (HTTP 400)" in result.stderr
    assert len(httpx_mock.get_requests()) == 1  # a 400 is not retried


# ---- what goes wrong -----------------------------------------------------------------


def test_html_where_json_was_expected(cli, httpx_mock, conn):
    page = fixture_bytes("arxiv_oai/ListRecords_503_retry_after.html")
    httpx_mock.add_response(
        url=hf_url("2026-08-12"), content=page, headers={"Content-Type": "text/html"}
    )
    result = cli("fetch", "hf", "--date", "2026-08-12")
    assert result.exit_code == 1
    assert "an HTML page (HTTP 200, text/html) where JSON was expected" in result.stderr
    assert (
        "GET https://huggingface.co/api/daily_papers?date=2026-08-12&limit=100&p=0" in result.stderr
    )


def test_a_truncated_body_writes_nothing(cli, httpx_mock, conn):
    httpx_mock.add_response(url=hf_url("2026-08-12"), content=DAY[: len(DAY) // 2])
    result = cli("fetch", "hf", "--date", "2026-08-12")
    assert result.exit_code == 1
    assert "truncated JSON" in result.stderr
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM http_cache").fetchone()[0] == 0


def test_hf_400_for_a_bad_date_is_an_unexpected_response(cli, httpx_mock):
    httpx_mock.add_response(
        url=hf_url("1999-01-01"), status_code=400, json={"error": "Invalid date"}
    )
    result = cli("fetch", "hf", "--date", "1999-01-01")
    assert result.exit_code == 1
    assert (
        "Error: hf 1999-01-01: unexpected response: Hugging Face rejected the request (HTTP 400: Invalid date)"
        in result.stderr
    )


def test_503_then_success_through_the_cli(cli, clock, httpx_mock):
    page = fixture_bytes("arxiv_oai/ListRecords_503_retry_after.html")
    httpx_mock.add_response(
        url=hf_url("2026-08-12"), status_code=503, content=page, headers={"Retry-After": "10"}
    )
    httpx_mock.add_response(url=hf_url("2026-08-12"), content=DAY)
    result = cli("fetch", "hf", "--date", "2026-08-12")
    assert result.exit_code == 0, result.stderr
    assert clock.sleeps == [10.0]


def test_timeouts_exhaust_the_attempts(cli, httpx_mock):
    httpx_mock.add_exception(
        httpx.ReadTimeout("timed out"), url=hf_url("2026-08-12"), is_reusable=True
    )
    result = cli("fetch", "hf", "--date", "2026-08-12")
    assert result.exit_code == 1
    assert "timed out (ReadTimeout) after 4 attempts" in result.stderr
    assert len(httpx_mock.get_requests()) == 4


def test_a_failing_source_keeps_the_others_data(cli, config, httpx_mock, conn):
    config("sources: [hf, arxiv]\ncategories: [cs.LG, cs.CL]\n")
    httpx_mock.add_response(
        url=re.compile(re.escape(HF_DAILY) + ".*"), status_code=503, is_reusable=True
    )
    httpx_mock.add_response(url=RSS, content=RSS_LG)
    result = cli("fetch")
    assert result.exit_code == 1
    assert re.search(
        r"Error: hf \S+: service error: HTTP 503 after 4 attempts: GET https://huggingface.co/",
        result.stderr,
    )
    assert re.search(r"arxiv\s+3\s+3\s+0\s+0\s+0\s+ok", result.stderr)
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 3
    assert conn.execute("SELECT outcome FROM runs").fetchone()[0] == "partial"


HOSTILE = {
    "nested JSON": (200, b"[" * 100_000 + b"]" * 100_000, {}),
    "nested JSON error": (400, b'{"error":' * 50_000 + b"1" + b"}" * 50_000, {}),
    "lone surrogate": (200, DAY.replace(b'"title":"', b'"title":"\\ud800', 1), {}),
    "RateLimit digits": (200, DAY, {"RateLimit": '"api";r=0;t=' + "9" * 5000}),
    "RateLimit r digits": (200, DAY, {"RateLimit": '"api";r=' + "9" * 5000 + ";t=1"}),
    "Retry-After digits": (429, b"[]", {"Retry-After": "9" * 5000}),
    "message of controls": (400, b'{"error": "\\u001b]0;pwned\\u0007' + b"x" * 5000 + b'"}', {}),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_one_hostile_response_fails_only_its_source(cli, config, httpx_mock, conn, case):
    status, body, headers = HOSTILE[case]
    config("sources: [hf, arxiv]\ncategories: [cs.LG, cs.CL]\n")
    httpx_mock.add_response(
        url=re.compile(re.escape(HF_DAILY) + ".*"),
        status_code=status,
        content=body,
        headers=headers,
        is_reusable=True,
    )
    httpx_mock.add_response(url=RSS, content=RSS_LG)
    result = cli("fetch", "--json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    outcomes = {s["source"]: s["outcome"] for s in json.loads(result.stdout)["sources"]}
    # The other source is fetched whatever hf's answer did.
    assert outcomes["arxiv"] == "ok", result.stderr
    run = conn.execute("SELECT outcome, message FROM runs").fetchone()
    hf_outcome = outcomes["hf"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    if hf_outcome == "failed":  # one line, recorded, and a non-zero exit
        assert result.exit_code == 1 and run["outcome"] == "partial"
        assert len(errors) == 1 and len(errors[0]) < 600 and "\x1b" not in errors[0]
        assert "hf: failed" in run["message"]
    else:  # read after all (a surrogate replaced, say): stored as valid text
        assert hf_outcome == "ok", result.stderr
        assert result.exit_code == 0 and run["outcome"] == "ok" and not errors
        for (title,) in conn.execute("SELECT title FROM papers"):
            title.encode("utf-8")


def test_an_interrupted_run_names_the_listing_it_was_in(conn, httpx_mock):
    from papertriage.fetch.http import Fetcher
    from papertriage.fetch.listings import HfDaily
    from papertriage.fetch.run import run_fetch

    httpx_mock.add_exception(KeyboardInterrupt(), url=hf_url("2026-08-12"))
    listings = [HfDaily("https://huggingface.co", "date", "2026-08-12", 100, 10)]
    with Fetcher() as fetcher, pytest.raises(KeyboardInterrupt):
        run_fetch(conn, listings, fetcher)
    row = conn.execute("SELECT outcome, message FROM runs").fetchone()
    assert row["outcome"] == "interrupted"
    assert row["message"].startswith("hf: interrupted")  # not "hf: ok"


def test_a_down_service_is_not_asked_again_for_its_other_days(cli, httpx_mock):
    httpx_mock.add_exception(httpx.ConnectError("refused"), is_reusable=True)
    result = cli("fetch", "hf", "--date", "2026-08-11", "--date", "2026-08-12")
    assert result.exit_code == 1
    assert "hf 2026-08-12: not fetched (the service failed above)" in result.stderr
    assert len(httpx_mock.get_requests()) == 4


# ---- the rest of the command -------------------------------------------------------


def test_dry_run_requests_and_writes_nothing(cli, config, httpx_mock, db_file):
    config("sources: [hf, arxiv, {arxiv-query: 'cat:cs.LG'}]\ncategories: [cs.LG, cs.CL]\n")
    result = cli("fetch", "--date", "2026-08-12", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "GET https://huggingface.co/api/daily_papers?date=2026-08-12&limit=100&p=0  (+ further pages while full)",
        "GET https://rss.arxiv.org/rss/cs.LG+cs.CL  (arXiv: 3 s apart)",
        "GET https://export.arxiv.org/api/query?search_query=cat%3Acs.LG&sortBy=submittedDate"
        "&sortOrder=descending&start=0&max_results=100  (+ further pages while full)  (arXiv: 3 s apart)",
    ]
    assert not db_file.exists()
    assert httpx_mock.get_requests() == []


def test_fetch_log_lists_recent_runs(cli, httpx_mock):
    httpx_mock.add_response(url=hf_url("2026-08-12"), content=DAY)
    httpx_mock.add_response(url=hf_url("2026-08-13"), status_code=500, is_reusable=True)
    cli("fetch", "hf", "--date", "2026-08-12")
    cli("fetch", "hf", "--date", "2026-08-13")
    runs = json.loads(cli("fetch", "--log", "--json").stdout)
    assert [r["outcome"] for r in runs] == ["failed", "ok"]
    assert runs[1]["counts"]["new"] == 20 and runs[1]["target"] == "hf 2026-08-12"
    text = cli("fetch", "--log").stdout.splitlines()
    assert text[0].split("\t")[2:] == ["failed", "new 0", "updated 0", "hf: failed"]
    assert text[1].split("\t")[2:] == ["ok", "new 20", "updated 0", "hf: ok"]


@pytest.mark.parametrize("spelling", [["-f", "json"], ["--json"]])
def test_json_summary_on_stdout(cli, httpx_mock, spelling):
    httpx_mock.add_response(url=hf_url("2026-08-12"), content=DAY)
    data = json.loads(cli("fetch", "hf", "--date", "2026-08-12", *spelling).stdout)
    assert data["outcome"] == "ok" and data["requests"] == 1
    assert data["sources"][0] | {"notes": []} == {
        "source": "hf", "outcome": "ok", "listed": 20, "new": 20, "updated": 0, "merged": 0,
        "skipped": 0, "unchanged": 0, "notes": [], "errors": [],
    }  # fmt: skip


def test_a_second_fetch_at_the_same_time_exits_with_a_clear_message(cli, db_file):
    import os

    from papertriage.store.lock import fetch_lock

    with fetch_lock(db_file):
        result = cli("fetch", "hf", "--date", "2026-08-12")
    assert result.exit_code == 1
    assert f"another fetch is running (pid {os.getpid()}" in result.stderr


@pytest.mark.parametrize("quiet", [True, False])
def test_wait_quiet_says_nothing_while_waiting(cli, db_file, httpx_mock, monkeypatch, quiet):
    import fcntl
    import threading

    from papertriage.store.lock import fetch_lock

    httpx_mock.add_response(url=hf_url("2026-08-12"), json=[])
    held, release = threading.Event(), threading.Event()
    real_flock = fcntl.flock

    def flock(fd: int, op: int) -> None:
        if op == fcntl.LOCK_EX:  # the fetch now waits (blocking): let the holder go
            release.set()
        real_flock(fd, op)

    def hold() -> None:
        with fetch_lock(db_file):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    monkeypatch.setattr(fcntl, "flock", flock)
    result = cli("fetch", "hf", "--date", "2026-08-12", "--wait", *(["--quiet"] if quiet else []))
    holder.join()
    assert result.exit_code == 0 and release.is_set(), result.stderr
    assert ("waiting for another fetch" in result.stderr) is not quiet
    assert result.stderr == "" or not quiet


def test_a_killed_run_is_marked_interrupted_by_the_next(cli, conn, httpx_mock):
    conn.execute(
        "INSERT INTO runs (kind, target, started, outcome) VALUES ('fetch', 'hf', 'x', 'running')"
    )
    httpx_mock.add_response(url=hf_url("2026-08-12"), json=[])
    cli("fetch", "hf", "--date", "2026-08-12")
    assert [r[0] for r in conn.execute("SELECT outcome FROM runs ORDER BY id")] == [
        "interrupted",
        "ok",
    ]


def test_ctrl_c_keeps_finished_listings_and_no_partial_page(conn, httpx_mock):
    from papertriage.fetch.http import Fetcher
    from papertriage.fetch.listings import HfDaily
    from papertriage.fetch.run import run_fetch

    httpx_mock.add_response(url=hf_url("2026-08-12", 0, 20), content=DAY)
    httpx_mock.add_exception(KeyboardInterrupt(), url=hf_url("2026-08-12", 1, 20))
    httpx_mock.add_response(
        url=hf_url("2025-01-21", 0, 20), content=fixture_bytes("hf_daily/2025-01-21.json")
    )
    listings = [
        HfDaily("https://huggingface.co", "date", d, 20, 10) for d in ("2025-01-21", "2026-08-12")
    ]
    with Fetcher() as fetcher, pytest.raises(KeyboardInterrupt):
        run_fetch(conn, listings, fetcher)
    # The first day is stored; of the second, page 0 arrived but is not written alone.
    assert [r[0] for r in conn.execute("SELECT id FROM papers")] == ["2501.08325"]
    assert conn.execute("SELECT outcome FROM runs").fetchone()[0] == "interrupted"
    assert not conn.in_transaction


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "'nope' is not one of hf, hf-search, arxiv, arxiv-query"),
        (["hf", "word"], "hf takes no QUERY"),
        (["hf", "--date", "2025-13-01"], "is not a day, week or month"),
        (["hf", "--since", "2020-01-01"], "too many to fetch day by day"),
        (["arxiv", "--since", "7d"], "--since does not apply to arxiv (only to hf, arxiv-query)"),
        (["hf", "-c", "cs.LG"], "-c/--category does not apply to hf"),
        (["hf", "--until", "today"], "--until needs --since"),
        (["hf-search", "a\udcffb"], "is not plain text"),  # undecodable bytes in argv
        (["hf-search", "a\x1b[2Jb"], "is not plain text"),
        (["hf-search", "  "], "is not plain text"),
        (["arxiv", "-c", "cs.LG\x1b"], "is not an arXiv category like cs.LG"),
        (["arxiv", "-c", "\udcff"], "is not an arXiv category like cs.LG"),
        (["arxiv-query", "--id", "\udcff"], "is not plain text"),
    ],
)
def test_bad_usage_exits_2(cli, args, message):
    result = cli("fetch", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_the_terminal_progress_display_follows_sources_and_pages():
    from io import StringIO

    from rich.console import Console

    from papertriage.cli.fetch import _RichProgress
    from papertriage.fetch.listings import ArxivRss

    out = StringIO()
    progress = _RichProgress(Console(file=out, force_terminal=True, width=100))
    listing = ArxivRss("https://rss.arxiv.org/rss", ["cs.LG"])
    with progress:
        progress.listing(listing)
        progress.waiting(3.0, "spacing requests")
        assert progress.bar.tasks[0].fields["status"] == "waiting 3 s (spacing requests)"
        progress.page(listing, 1, 3)
        assert progress.bar.tasks[0].fields["status"] == "page 1, 3 papers"
        progress.done(listing, "ok")
    assert progress.bar.tasks[0].description == "arxiv cs.LG"


def test_arxiv_without_categories_says_where_to_add_them(cli):
    result = cli("fetch", "arxiv")
    assert result.exit_code == 1
    assert "the arxiv source needs categories" in result.stderr


def test_env_overrides_the_base_urls(cli, monkeypatch, httpx_mock):
    monkeypatch.setenv("PAPERTRIAGE_HF_URL", "http://mirror.test:8080/")
    httpx_mock.add_response(
        url="http://mirror.test:8080/api/daily_papers?date=2026-08-12&limit=100&p=0", json=[]
    )
    assert cli("fetch", "hf", "--date", "2026-08-12").exit_code == 0


def test_store_file_stays_consistent(db_file, cli, httpx_mock):
    httpx_mock.add_response(url=hf_url("2026-08-12"), content=DAY)
    cli("fetch", "hf", "--date", "2026-08-12")
    c = sqlite3.connect(db_file)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert c.execute("SELECT count(*) FROM sightings WHERE source = 'hf-daily'").fetchone()[0] == 20


def test_quiet_prints_nothing_unless_a_source_fails(cli, httpx_mock):
    httpx_mock.add_response(url=hf_url("2026-08-12"), content=DAY)
    httpx_mock.add_response(url=hf_url("2026-08-13"), status_code=404)
    ok = cli("fetch", "hf", "--date", "2026-08-12", "--quiet")
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "", "")
    failed = cli("fetch", "hf", "--date", "2026-08-13", "-q")
    assert failed.exit_code == 1
    assert (
        "Error: hf 2026-08-13: service error: Hugging Face rejected the request (HTTP 404)"
        in failed.stderr
    )


def test_the_scheduled_examples_run_a_valid_fetch(cli):
    from pathlib import Path

    examples = Path(__file__).parent.parent / "examples"
    cron = [
        line for line in (examples / "cron.txt").read_text().splitlines() if line and line[0] != "#"
    ]
    assert len(cron) == 1
    fields = cron[0].split()
    assert len(fields[:5]) == 5 and fields[5].endswith("/papertriage") and fields[6] == "fetch"
    service = (examples / "systemd/papertriage-fetch.service").read_text()
    timer = (examples / "systemd/papertriage-fetch.timer").read_text()
    exec_start = re.search(r"^ExecStart=\S+/papertriage (.*)$", service, re.M).group(1).split()
    assert (
        re.search(r"^OnCalendar=Mon\.\.Fri \d\d:\d\d$", timer, re.M) and "Persistent=true" in timer
    )
    for args in (fields[7:], exec_start[1:]):
        result = cli("fetch", *args, "--dry-run")
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("GET https://huggingface.co/api/daily_papers?date=")
