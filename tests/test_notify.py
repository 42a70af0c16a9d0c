"""digest sections per watch, "shown" papers, and delivery: mail to a local SMTP server
(aiosmtpd), posts to a local webhook; a failed delivery writes -o and marks nothing."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from fetch_helpers import FakeClock
from notify_helpers import SmtpServer, Webhook
from papertriage.notify.markdown import to_html, to_slack

JULY12 = "hf_daily/2024-07-12.json"
JULY18 = "hf_daily/2024-07-18.json"
QUERY = 'quantization OR "KV cache"'


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr("papertriage.fetch.http.system_clock", lambda: fake)
    return fake


def ok(result):
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def store(cli, fixture_path):
    """Two watches, then the 2024-07-18 listing: kv matches 3, goldfinch 1 of them."""
    ok(cli("watch", "add", "kv", QUERY))
    ok(cli("watch", "add", "goldfinch", "GoldFinch"))
    ok(cli("import", fixture_path(JULY18)))


def headings(text):
    return [line for line in text.splitlines() if line.startswith("#")]


def linked_ids(text):
    return [
        line.split("](https://arxiv.org/abs/")[1].split(")")[0]
        for line in text.splitlines()
        if line.startswith("- [ ] [")
    ]


def test_a_section_per_watch_each_paper_once_best_first(cli, store, conn):
    out = ok(cli("digest", "--no-fetch", "-n", "20")).stdout
    heads = headings(out)
    assert heads[1:] == [
        "## Watch goldfinch (1 new)",
        "## Watch kv (3 new, 2 listed here)",
        "## Top 13",
    ]
    assert "- watch goldfinch: 1 new\n- watch kv: 3 new\n" in out
    ids = linked_ids(out)
    assert len(ids) == len(set(ids)) == 16  # every new paper, once
    assert ids[0] == "2407.12077"  # GoldFinch: under the first watch that matched it
    kv = ids[1:3]
    assert set(kv) == {"2407.12327", "2407.12563"}
    from papertriage.rank.ranking import score_papers

    rows = [dict(r) for r in conn.execute("SELECT * FROM papers WHERE id IN (?, ?)", kv)]
    from papertriage.models import row_to_dict

    best = [p["id"] for _s, p in score_papers(conn, [row_to_dict(r) for r in rows])]
    assert kv == best  # best first by the rank score


def test_shown_papers_are_left_out_of_later_days_unless_asked(cli, store, conn):
    first = ok(cli("digest", "--no-fetch")).stdout
    again = ok(cli("digest", "--no-fetch")).stdout
    assert first == again  # the same day: the same bytes
    shown = {r[0] for r in conn.execute("SELECT paper_id FROM digest_shown")}
    assert shown == set(linked_ids(first))
    conn.execute("UPDATE digest_shown SET day = '2000-01-01'")  # as if shown on an earlier day
    later = ok(cli("digest", "--no-fetch", "-n", "20")).stdout
    assert not set(linked_ids(later)) & shown
    assert "## Watch" not in later  # every watch match was shown already
    asked = ok(cli("digest", "--no-fetch", "--include-shown")).stdout
    assert linked_ids(asked) == linked_ids(first)


def text_and_links(html_text):
    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.text, self.links = [], []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.links.append(dict(attrs)["href"])

        def handle_data(self, data):
            self.text.append(data)

    p = P()
    p.feed(html_text)
    return " ".join("".join(p.text).split()), p.links


def test_the_html_part_reads_as_markdown_it_renders_it(cli, store):
    md = ok(
        cli("digest", "--no-fetch", "--abstracts", "--summary", "--title", "A <b> & [x]")
    ).stdout
    ours = to_html(md)
    body = ours.split("<body>", 1)[1]
    assert text_and_links(body) == text_and_links(MarkdownIt("commonmark").render(md))
    assert "<b>" not in ours and "&lt;b&gt;" in ours
    slack = to_slack(md)
    assert (
        "<https://arxiv.org/abs/2407.12077|GoldFinch" in slack and "*A &lt;b&gt; &amp; [x]" in slack
    )


def mail_config(env_setup, port, extra=""):
    path = env_setup / "home" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"mail:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n"
        f"  from: papers@example.org\n{extra}"
    )


def test_mail_to_a_local_smtp_server(cli, store, env_setup, monkeypatch, tmp_path, conn):
    monkeypatch.setenv("PAPERTRIAGE_SMTP_PASSWORD", "s3cret")
    with SmtpServer(password="s3cret") as smtp:
        mail_config(env_setup, smtp.port, "  user: me@example.org\n")
        out = tmp_path / "digest.md"
        result = ok(cli("digest", "--no-fetch", "--mail-to", "you@example.org", "-o", out))
    assert result.stdout == "" and "mailed to you@example.org" in result.stderr
    assert smtp.logins == [("me@example.org", "s3cret")]
    [(rcpt, msg)] = smtp.received
    assert rcpt == ["you@example.org"]
    day = conn.execute("SELECT substr(max(started), 1, 10) FROM runs").fetchone()[0]
    assert msg["Subject"] == f"Papers digest, {day}" and msg["From"] == "papers@example.org"
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == out.read_text()
    html = msg.get_body(("html",)).get_content()
    assert "<h2>Watch kv (3 new, 2 listed here)</h2>" in html
    assert '<a href="https://arxiv.org/abs/2407.12077">GoldFinch' in html
    shown = {r[0] for r in conn.execute("SELECT paper_id FROM digest_shown")}
    assert shown == set(linked_ids(out.read_text())) and len(shown) == 13  # 1 + 2 + top 10


def test_a_failed_delivery_writes_the_file_and_marks_nothing(cli, store, env_setup, tmp_path, conn):
    with SmtpServer() as smtp:  # no STARTTLS offered: never falls back to clear text
        mail_config(env_setup, smtp.port)
        (env_setup / "home" / "config.yaml").write_text(
            (env_setup / "home" / "config.yaml").read_text().replace("none", "starttls")
        )
        out = tmp_path / "digest.md"
        result = cli("digest", "--no-fetch", "--mail-to", "you@example.org", "-o", out)
    assert result.exit_code == 1
    [line] = [x for x in result.stderr.splitlines() if x.startswith("Error")]
    assert line.startswith("Error: digest not mailed: SMTP 127.0.0.1:") and "STARTTLS" in line
    assert smtp.received == [] and out.read_text().startswith("# Papers digest")
    assert conn.execute("SELECT count(*) FROM digest_shown").fetchone()[0] == 0


def test_a_password_in_the_config_is_refused(cli, store, env_setup):
    mail_config(env_setup, 25, "  password: hunter2\n")
    result = cli("digest", "--no-fetch", "--mail-to", "you@example.org")
    assert result.exit_code == 1
    assert "'mail.password' is not read from the config file" in result.stderr
    assert "hunter2" not in result.output


@pytest.mark.parametrize("fmt", ["json", "ntfy", "slack"])
def test_post_to_a_local_webhook(cli, store, fmt, conn):
    with Webhook() as hook:
        result = ok(
            cli("digest", "--no-fetch", "--post", hook.url + "/papers", "--post-format", fmt)
        )
    assert f"posted to {hook.url}/papers (HTTP 200, {fmt})" in result.stderr
    [post] = hook.posts
    assert post["path"] == "/papers" and post["headers"]["User-Agent"].startswith("papertriage/")
    if fmt == "json":
        data = json.loads(post["body"])
        assert data["watches"] == {"goldfinch": 1, "kv": 3}
        assert [p["watch"] for p in data["papers"]][:3] == ["goldfinch", "kv", "kv"]
        assert data["markdown"].startswith("# Papers digest")
    elif fmt == "ntfy":
        assert post["headers"]["Markdown"] == "yes" and post["headers"]["Title"].startswith(
            "Papers digest"
        )
        assert post["body"].decode().startswith("# Papers digest")
    else:
        assert json.loads(post["body"])["text"].startswith("*Papers digest")
    assert conn.execute("SELECT count(*) FROM digest_shown").fetchone()[0] == 13


def test_a_webhook_that_keeps_failing(cli, store, tmp_path, conn, clock):
    out = tmp_path / "d.md"
    with Webhook([503]) as hook:
        result = cli("digest", "--no-fetch", "--post", hook.url, "-o", out)
    assert result.exit_code == 1
    errors = [x for x in result.stderr.splitlines() if x.startswith("Error")]
    assert errors == [
        f"Error: digest not posted: POST {hook.url}: service error: HTTP 503 after 4 attempts"
    ]
    assert len(hook.posts) == 4 and len(clock.sleeps) == 3  # the fetch's retries and backoff
    assert out.exists() and conn.execute("SELECT count(*) FROM digest_shown").fetchone()[0] == 0
    with Webhook([404]) as hook:
        refused = cli("digest", "--no-fetch", "--post", hook.url)
    assert refused.exit_code == 1 and f"POST {hook.url}: HTTP 404 (ok)" in refused.stderr
    assert len(hook.posts) == 1


def test_bad_delivery_options_are_usage_errors(cli, store):
    assert cli("digest", "--no-fetch", "--post", "ftp://x").exit_code == 2
    assert cli("digest", "--no-fetch", "--mail-to", "nobody").exit_code == 2
    assert cli("digest", "--no-fetch", "--post-format", "ntfy").exit_code == 2
