"""Completing Hugging Face papers from the arXiv API (fetch/complete.py), end to end.

The arXiv API is played by pytest-httpx: for each request it answers, in the shape of
the recorded new-format ``id_list`` response (``idlist_astro-ph_0601001``), with the real
recorded entries of the ids asked that it has (25 papers: two ``testing`` pages and the
``transformer`` query) and, as arXiv does, leaves the others out. Hugging Face's side is
the recorded 2026-06-12 daily listing (30 papers), its first 25 items given the ids and
titles of those arXiv entries (the fixtures share no paper); the last 5 keep their own.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest

from fetch_helpers import FIXTURES, FakeClock, fixture_bytes

API = "https://export.arxiv.org/api/query"
HF_DAILY = "https://huggingface.co/api/daily_papers"
HF_URL = f"{HF_DAILY}?date=2026-06-12&limit=100&p=0"
RSS = "https://rss.arxiv.org/rss/cs.LG+cs.CL"
ENTRY = re.compile(rb"  <entry>.*?</entry>\n", re.S)
ENTRY_ID = re.compile(rb"<id>http://arxiv.org/abs/([^<]+?)v\d+</id>")
ENTRY_TITLE = re.compile(rb"<title>(.*?)</title>", re.S)


def _entries() -> dict[str, bytes]:
    out = {}
    for name in (
        "query_testing_start0_max10_2026-04-12.xml",
        "query_testing_start10_max10_2026-04-12.xml",
        "query_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml",
    ):
        for m in ENTRY.finditer(fixture_bytes(f"arxiv_api/{name}")):
            found = ENTRY_ID.search(m.group(0))
            assert found
            out[found.group(1).decode()] = m.group(0)
    return out


ENTRIES = _entries()
ARXIV_IDS = list(ENTRIES)  # 25
HEAD = fixture_bytes("arxiv_api/idlist_astro-ph_0601001_2026-05-11.xml").split(b"  <entry>")[0]


def id_list_feed(asked: list[str]) -> bytes:
    """The API's answer to id_list=asked: the recorded head, the entries it knows."""
    known = [ENTRIES[i] for i in asked if i in ENTRIES]
    head = HEAD.replace(b"id_list=astro-ph/0601001", b"id_list=" + ",".join(asked).encode())
    head = head.replace(
        b"<opensearch:totalResults>1<", f"<opensearch:totalResults>{len(known)}<".encode()
    )
    return head + b"".join(known) + b"</feed>\n"


def hf_listing() -> bytes:
    items = json.loads(fixture_bytes("hf_daily/limit30_2026-06-12_raw.json"))
    for item, paper_id in zip(items, ARXIV_IDS, strict=False):
        title = ENTRY_TITLE.search(ENTRIES[paper_id])
        assert title
        text = " ".join(title.group(1).decode().split())
        item["paper"]["id"] = paper_id
        item["paper"]["title"] = item["title"] = text
    return json.dumps(items).encode()


HF_BODY = hf_listing()
OWN_IDS = [item["paper"]["id"] for item in json.loads(HF_BODY)[25:]]


def answer(request: httpx.Request) -> httpx.Response:
    asked = request.url.params["id_list"].split(",")
    assert request.url.params["max_results"] == str(len(asked)) and len(asked) <= 100
    return httpx.Response(
        200, content=id_list_feed(asked), headers={"Content-Type": "application/atom+xml"}
    )


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("papertriage.fetch.http.system_clock", lambda: fake)
    return fake


@pytest.fixture
def completing(monkeypatch):
    """The completion on, as it is outside the test suite."""
    monkeypatch.delenv("PAPERTRIAGE_COMPLETE")


@pytest.fixture
def config(env_setup):
    path = env_setup / "home" / "config.yaml"

    def write(text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    return write


def api_requests(httpx_mock) -> list[httpx.Request]:
    return [r for r in httpx_mock.get_requests() if str(r.url).startswith(API)]


def paper(conn, paper_id: str) -> dict:
    return dict(conn.execute("SELECT * FROM papers WHERE id = ?", [paper_id]).fetchone())


# ---- after a fetch -----------------------------------------------------------------


def test_fetch_completes_hf_papers_in_one_request(
    completing, cli, cli_json, httpx_mock, conn, clock
):
    httpx_mock.add_response(url=HF_URL, content=HF_BODY)
    httpx_mock.add_callback(answer, url=re.compile(re.escape(API)))
    result = cli("fetch", "hf", "--date", "2026-06-12")
    assert result.exit_code == 0, result.stderr
    (request,) = api_requests(httpx_mock)
    asked = request.url.params["id_list"].split(",")
    assert sorted(asked) == sorted(ARXIV_IDS + OWN_IDS)  # all 30, in one request
    assert re.search(r"arxiv-complete\s+25\s+0\s+25\s+0\s+0\s+ok", result.stderr)
    assert "completed 25, 5 not on arXiv" in result.stderr
    assert "2 request(s), 30 new paper(s)" in result.stderr
    assert clock.sleeps == []  # the first arXiv request of the run waits for nothing
    mana = paper(conn, "2606.13677")
    assert json.loads(mana["categories"]) == ["cs.RO", "cs.AI", "cs.CV", "cs.LG"]
    assert mana["primary_category"] == "cs.RO" and mana["version"] == 1
    assert mana["comment"] == "Project Page: https://zhaohengyin.github.io/mana"
    assert mana["hf_featured"] == "2026-06-12"  # Hugging Face's signals stay
    # A category filter now finds the Hugging Face papers.
    found = cli_json("list", "-c", "cs.LG", "-n", "100", "-f", "json")
    assert "2606.13677" in {p["id"] for p in found}
    for own in OWN_IDS:  # not on arXiv (in this mock): left as Hugging Face gave them
        assert paper(conn, own)["categories"] is None


def test_the_completion_keeps_hf_signals_and_takes_arxivs_versions(
    completing, cli, httpx_mock, conn
):
    httpx_mock.add_response(url=HF_URL, content=HF_BODY)
    httpx_mock.add_callback(answer, url=re.compile(re.escape(API)))
    cli("fetch", "hf", "--date", "2026-06-12", "--no-complete")
    before = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM papers")}
    assert cli("db", "complete").exit_code == 0
    after = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM papers")}
    v3 = "2204.08348"  # recorded as v3, with a DOI and journal reference
    assert before[v3]["version"] is None and after[v3]["version"] == 3
    assert after[v3]["doi"] and after[v3]["journal_ref"]
    for pid, row in after.items():
        for name in ("hf_upvotes", "hf_comments", "ai_summary", "hf_featured", "github_repo"):
            assert row[name] == before[pid][name], (pid, name)
        if pid in ENTRIES:
            assert row["published"] <= before[pid]["published"]  # arXiv's first version


def test_spaced_after_another_arxiv_request(completing, cli, config, httpx_mock, clock):
    config("sources: [hf, arxiv]\ncategories: [cs.LG, cs.CL]\n")
    httpx_mock.add_response(url=HF_URL, content=HF_BODY)
    httpx_mock.add_response(
        url=RSS, content=fixture_bytes("arxiv_rss/rss_cs.LG_2026-04-27_trimmed3.xml")
    )
    httpx_mock.add_callback(answer, url=re.compile(re.escape(API)))
    result = cli("fetch", "--date", "2026-06-12")
    assert result.exit_code == 0, result.stderr
    assert clock.sleeps == [3.0]  # RSS, then the API 3 s later (the shared arXiv group)
    # The RSS papers have their categories: only the Hugging Face ones are asked.
    (request,) = api_requests(httpx_mock)
    assert len(request.url.params["id_list"].split(",")) == 30


@pytest.mark.parametrize(
    ("conf", "args", "asks"),
    [
        ("", ["--no-complete"], False),
        ("complete: false\n", [], False),
        ("complete: false\n", ["--complete"], True),
        ("complete: true\n", [], True),
    ],
)
def test_switching_it_off(completing, cli, config, httpx_mock, conn, conf, args, asks):
    if conf:
        config(conf)
    httpx_mock.add_response(url=HF_URL, content=HF_BODY)
    if asks:
        httpx_mock.add_callback(answer, url=re.compile(re.escape(API)))
    result = cli("fetch", "hf", "--date", "2026-06-12", *args)
    assert result.exit_code == 0, result.stderr
    assert len(api_requests(httpx_mock)) == int(asks)
    assert ("arxiv-complete" in result.stderr) == asks
    filled = conn.execute("SELECT count(*) FROM papers WHERE categories IS NOT NULL").fetchone()[0]
    assert filled == (25 if asks else 0)


def test_env_overrides_the_config(cli, config, httpx_mock, monkeypatch):
    config("complete: true\n")  # PAPERTRIAGE_COMPLETE=0 (the suite's) wins
    httpx_mock.add_response(url=HF_URL, content=HF_BODY)
    assert cli("fetch", "hf", "--date", "2026-06-12").exit_code == 0
    assert api_requests(httpx_mock) == []
    monkeypatch.setenv("PAPERTRIAGE_COMPLETE", "maybe")
    result = cli("fetch", "hf", "--date", "2026-06-12")
    assert result.exit_code == 1 and "$PAPERTRIAGE_COMPLETE should be 0 or 1" in result.stderr


def test_a_failed_completion_fails_the_fetch_and_the_next_fetch_retries(
    completing, cli, httpx_mock, conn
):
    httpx_mock.add_response(url=HF_URL, content=HF_BODY, headers={"ETag": '"d1"'})
    httpx_mock.add_response(url=re.compile(re.escape(API)), status_code=503, is_reusable=True)
    first = cli("fetch", "hf", "--date", "2026-06-12")
    assert first.exit_code == 1
    assert re.search(r"arxiv-complete\s+0\s+0\s+0\s+0\s+0\s+failed", first.stderr)
    assert "service error: HTTP 503 after 4 attempts" in first.stderr
    assert "or `papertriage db complete` asks again" in first.stderr
    assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 30  # HF's papers kept
    run = conn.execute("SELECT outcome FROM runs ORDER BY id DESC").fetchone()
    assert run["outcome"] == "partial"
    httpx_mock.reset()
    # Next morning: the listing is unchanged (304), the completion asks again.
    httpx_mock.add_response(url=HF_URL, status_code=304, match_headers={"If-None-Match": '"d1"'})
    httpx_mock.add_callback(answer, url=re.compile(re.escape(API)))
    second = cli("fetch", "hf", "--date", "2026-06-12")
    assert second.exit_code == 0, second.stderr
    assert re.search(r"arxiv-complete\s+25\s+0\s+25", second.stderr)


def test_dry_run_says_the_completion_follows(completing, cli, httpx_mock):
    result = cli("fetch", "hf", "--date", "2026-06-12", "--dry-run")
    assert result.exit_code == 0
    assert "then: the arXiv API (id_list, 100 a request, 3 s apart)" in result.stderr
    assert httpx_mock.get_requests() == []


# ---- db complete -------------------------------------------------------------------


def import_listings(cli, tmp_path) -> int:
    """The HF daily fixtures (114 papers), the 2026-06-12 one with the arXiv ids."""
    listing = tmp_path / "hf_daily_2026-06-12.json"
    listing.write_bytes(HF_BODY)
    files = [
        str(FIXTURES / "hf_daily" / name)
        for name in (
            "2024-03-21_raw.json",
            "2024-05-27.json",
            "2025-01-21.json",
            "2025-03-17.json",
            "2025-10-30.json",
            "2026-08-12.json",
        )
    ]
    result = cli("import", *files, str(listing))
    assert result.exit_code == 0, result.stderr
    return len(files) + 1


def test_db_complete_the_whole_store_keeps_user_data(
    completing, cli, httpx_mock, conn, tmp_path, clock
):
    import_listings(cli, tmp_path)
    total = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    assert total == 114
    assert cli("tag", "2606.13677", "robots").exit_code == 0
    assert cli("note", "2606.13677", "read the appendix").exit_code == 0
    assert cli("mark", "2606.13677", "keep").exit_code == 0
    user = [list(conn.execute(f"SELECT * FROM {t}")) for t in ("tags", "notes", "decisions")]
    # --dry-run: the requests, how many, nothing asked or written.
    dry = cli("db", "complete", "--dry-run")
    assert dry.exit_code == 0 and httpx_mock.get_requests() == []
    lines = dry.stdout.splitlines()
    assert len(lines) == 2 and all(x.startswith(f"GET {API}?id_list=") for x in lines)
    assert (
        "114 paper(s) without arXiv metadata: 2 request(s), 3 s apart (at least 3 s)" in dry.stderr
    )
    httpx_mock.add_callback(answer, url=re.compile(re.escape(API)), is_reusable=True)
    result = cli("db", "complete")
    assert result.exit_code == 0, result.stderr
    sizes = [len(r.url.params["id_list"].split(",")) for r in api_requests(httpx_mock)]
    assert sizes == [100, 14]
    assert clock.sleeps == [3.0]
    assert "completing 114 paper(s)" in result.stderr
    assert "arxiv-complete 1/2 (100 ids)" in result.stderr  # progress on stderr
    assert "asked 114 in 2 request(s), completed 25, 89 not on arXiv" in result.stderr
    assert result.stdout == ""
    assert user == [
        list(conn.execute(f"SELECT * FROM {t}")) for t in ("tags", "notes", "decisions")
    ]
    assert json.loads(paper(conn, "2606.13677")["categories"])[0] == "cs.RO"
    run = conn.execute("SELECT kind, outcome, counts FROM runs ORDER BY id DESC").fetchone()
    assert (run["kind"], run["outcome"]) == ("complete", "ok")
    assert json.loads(run["counts"])["updated"] == 25
    # Again: only what is still missing is asked.
    again = cli("db", "complete", "--dry-run")
    assert "89 paper(s) without arXiv metadata: 1 request(s)" in again.stderr


def test_db_complete_with_nothing_to_do(cli, httpx_mock, fixture_path):
    assert (
        cli("import", fixture_path("arxiv_api/query_testing_start0_max10_2026-04-12.xml")).exit_code
        == 0
    )
    result = cli("db", "complete")
    assert result.exit_code == 0 and "nothing to complete" in result.stderr
    assert httpx_mock.get_requests() == []


def test_old_format_placeholders_are_not_found(completing, cli, httpx_mock, conn, tmp_path):
    """The recorded classic answer to 4 ids, 3 unknown (empty <entry> placeholders)."""
    items = json.loads(fixture_bytes("hf_daily/2026-08-12.json"))[:4]
    for item, pid in zip(
        items, ["2201.13452", "2201.13453", "2201.13454", "2201.13455"], strict=True
    ):
        item["paper"]["id"] = pid
    listing = tmp_path / "four.json"
    listing.write_text(json.dumps(items))
    assert cli("import", str(listing)).exit_code == 0
    body = fixture_bytes("arxiv_api/idlist_4ids_3missing_2025-08-24_oldformat.xml")
    httpx_mock.add_response(url=re.compile(re.escape(API)), content=body)
    result = cli("db", "complete")
    assert result.exit_code == 0, result.stderr
    assert "completed 1, 3 not on arXiv (2201.13455, 2201.13454, 2201.13453)" in result.stderr
    assert json.loads(paper(conn, "2201.13452")["categories"]) == ["math.AP"]


def test_a_bad_answer_skips_its_ids_and_says_so(completing, cli, httpx_mock, tmp_path):
    import_listings(cli, tmp_path)
    httpx_mock.add_response(
        url=re.compile(re.escape(API)), content=b"<html><body>busy</body></html>"
    )
    httpx_mock.add_callback(answer, url=re.compile(re.escape(API)))
    result = cli("db", "complete")
    assert result.exit_code == 1
    assert "arxiv-complete 1/2 (100 ids): unexpected response: " in result.stderr
    assert "an HTML page" in result.stderr
    assert "asked 114 in 2 request(s)" in result.stderr  # the second request still went


def test_only_canonical_arxiv_ids_are_asked(cli, conn, fixture_path):
    from papertriage.fetch.complete import missing_ids

    paste = fixture_path("hf_page/papers_page_text_2025-12-15_first28.txt")
    assert cli("import", paste, fixture_path("hf_daily/2025-01-21.json")).exit_code == 0
    stored = [r[0] for r in conn.execute("SELECT id FROM papers")]
    asked = missing_ids(conn)
    assert any(i.startswith("prov:") for i in stored)
    assert asked and not any(i.startswith("prov:") for i in asked)
    assert set(asked) <= set(stored)


# ---- digest: only its own fetch ----------------------------------------------------


def test_digest_does_not_repeat_an_earlier_failure(cli, httpx_mock):
    from datetime import date

    today = f"{HF_DAILY}?date={date.today().isoformat()}&limit=100&p=0"
    httpx_mock.add_response(url=today, status_code=404)
    assert cli("fetch").exit_code == 1  # this morning's cron fetch failed
    httpx_mock.add_response(url=today, content=fixture_bytes("hf_daily/2026-08-12.json"))
    result = cli("digest", "-n", "2")
    assert result.exit_code == 0, result.stderr
    assert "fetch failed" not in result.stdout and "20 new papers" in result.stdout
    # --no-fetch: the day's latest fetch went well, so no failure either.
    assert "fetch failed" not in cli("digest", "--no-fetch").stdout


def test_digest_no_fetch_shows_the_latest_fetch_failure(cli, httpx_mock):
    from datetime import date

    today = f"{HF_DAILY}?date={date.today().isoformat()}&limit=100&p=0"
    httpx_mock.add_response(url=today, content=fixture_bytes("hf_daily/2026-08-12.json"))
    assert cli("fetch").exit_code == 0
    httpx_mock.add_response(url=today, status_code=404)
    assert cli("fetch").exit_code == 1
    result = cli("digest", "--no-fetch")
    assert result.stdout.count("- fetch failed: hf ") == 1
