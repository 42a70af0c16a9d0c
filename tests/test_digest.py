"""`papertriage digest`: the papers first seen on a day, ranked, as Markdown; idempotent."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from fetch_helpers import FakeClock, fixture_bytes
from markdown_helpers import html_tokens, items, parse
from papertriage.digest.build import build, latest_day
from papertriage.rank.ranking import score_papers

HF = "hf_daily/2025-10-30.json"
KAGGLE = "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"
HF_DAILY = "https://huggingface.co/api/daily_papers"
EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("papertriage.fetch.http.system_clock", lambda: fake)
    return fake


def import_(cli, fixture_path, name):
    result = cli("import", fixture_path(name))
    assert result.exit_code == 0, result.output


def move_to_yesterday(conn):
    """Pretend everything in the store arrived the day before its runs did."""
    day = conn.execute("SELECT substr(min(started), 1, 10) FROM runs").fetchone()[0]
    before = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    for table, cols in (
        ("runs", ("started", "finished")),
        ("papers", ("first_seen", "last_seen")),
        ("sightings", ("first_seen", "last_seen")),
    ):
        sets = ", ".join(f"{c} = ? || substr({c}, 11)" for c in cols)
        conn.execute(f"UPDATE {table} SET {sets}", [before] * len(cols))
    return before


def test_digest_lists_the_best_new_papers(cli, fixture_path, conn):
    import_(cli, fixture_path, HF)
    result = cli("digest", "--no-fetch", "-n", "5", "--summary")
    assert result.exit_code == 0, result.output
    day = latest_day(conn)
    lines = result.stdout.splitlines()
    assert lines[0] == f"# Papers digest, {day}"
    assert lines[2].startswith(f"20 new papers first seen on {day} (UTC); the top 5 below, by ")
    assert lines[4] == "- hf-daily: 20 new of 20 listed"
    tokens = parse(result.stdout)
    assert html_tokens(tokens) == []
    heads = [tokens[n + 1].content for n, t in enumerate(tokens) if t.type == "heading_open"]
    assert heads == [f"Papers digest, {day}", "Top 5"]
    found = items(tokens)
    expected = [p["id"] for _s, p in score_papers(conn, build(conn, day, 20).top)][:5]
    assert [href.rsplit("/", 1)[1] for href, _text, _ in found] == expected
    assert f"{day}: 20 new, 5 in the digest" in result.stderr


def test_same_day_without_new_papers_gives_the_same_digest(cli, fixture_path, tmp_path):
    import_(cli, fixture_path, HF)
    out = tmp_path / "digest.md"
    assert cli("digest", "--no-fetch", "-o", out).exit_code == 0
    first = out.read_bytes()
    import_(cli, fixture_path, HF)  # the same listing again: nothing new
    assert cli("digest", "--no-fetch", "-o", out).exit_code == 0
    assert out.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".digest")] == []


def test_a_new_day_shows_only_what_it_brought(cli, fixture_path, conn):
    import_(cli, fixture_path, HF)
    yesterday = move_to_yesterday(conn)
    import_(cli, fixture_path, KAGGLE)
    today = latest_day(conn)
    out = cli("digest", "--no-fetch", "-n", "3").stdout
    assert f"200 new papers first seen on {today} (UTC); the top 3 below" in out
    assert "- kaggle: 200 new of 200 listed" in out and "hf-daily" not in out
    assert all(href.startswith("https://arxiv.org/abs/0704.") for href, _, _ in items(parse(out)))
    old = cli("digest", "--no-fetch", "--date", yesterday).stdout
    assert f"20 new papers first seen on {yesterday} (UTC); the top 10 below" in old
    assert "- hf-daily: 20 new of 20 listed" in old


def test_no_new_papers(cli, fixture_path):
    assert cli("import", fixture_path(HF)).exit_code == 0  # today, not on the day asked
    out = cli("digest", "--no-fetch", "--date", "2025-10-30").stdout
    assert out == "# Papers digest, 2025-10-30\n\nNo new papers first seen on 2025-10-30 (UTC).\n\n"


def test_no_store_yet(cli, db_file):
    result = cli("digest", "--no-fetch")
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{db_file}: no store here yet" in result.stderr
    assert not db_file.exists()


def test_digest_fetches_first_and_is_idempotent(cli, httpx_mock, conn):
    today = date.today().isoformat()
    url = f"{HF_DAILY}?date={today}&limit=100&p=0"
    day_listing = fixture_bytes("hf_daily/2026-08-12.json")
    httpx_mock.add_response(url=url, content=day_listing, headers={"ETag": '"v1"'})
    first = cli("digest", "-n", "3")
    assert first.exit_code == 0, first.output
    assert "20 new papers first seen on" in first.stdout
    assert "- hf-daily: 20 new of 20 listed" in first.stdout
    assert len(items(parse(first.stdout))) == 3
    httpx_mock.add_response(url=url, status_code=304, match_headers={"If-None-Match": '"v1"'})
    again = cli("digest", "-n", "3")
    assert again.exit_code == 0 and again.stdout == first.stdout
    assert [r["kind"] for r in conn.execute("SELECT kind FROM runs")] == ["fetch", "fetch"]


def test_a_failed_fetch_still_writes_the_digest_and_exits_1(cli, fixture_path, httpx_mock):
    import_(cli, fixture_path, HF)
    today = date.today().isoformat()
    httpx_mock.add_response(
        url=f"{HF_DAILY}?date={today}&limit=100&p=0", status_code=404, is_reusable=True
    )
    result = cli("digest", "-n", "2")
    assert result.exit_code == 1
    assert "# Papers digest" in result.stdout
    assert (  # the failed run, in the digest
        f"- fetch failed: hf {today}: service error: Hugging Face rejected the request (HTTP 404)"
        in result.stdout
    )
    assert "20 new papers" in result.stdout


def test_cron_example_mentions_the_command():
    text = (EXAMPLES / "digest-cron.txt").read_text()
    assert "papertriage digest" in text and "-o" in text


def test_papers_already_triaged_are_not_in_the_digest(cli, fixture_path, conn):
    import_(cli, fixture_path, HF)
    day = latest_day(conn)
    first = build(conn, day, 5).top
    assert cli("mark", first[0]["id"], first[1]["id"], "read").exit_code == 0
    then = build(conn, day, 5)
    assert then.new == 20  # still counted as new that day
    shown = [p["id"] for p in then.top]
    assert first[0]["id"] not in shown and first[1]["id"] not in shown
    assert len(shown) == 5  # (in a new order: what was read now counts as kept)
