"""Issue 18's "done when", end to end and offline: "every morning, mail me what's new
about quantization and KV caches, best first" is one `watch add`, one `digest
--mail-to`, and the cron line of examples/mail-digest-cron.txt, run here as cron would
(sh, $HOME, the password file), against a local server replaying a recorded Hugging
Face listing and a local SMTP server (aiosmtpd) that receives the mail."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from fetch_helpers import FixtureServer
from notify_helpers import SmtpServer

EXAMPLES = Path(__file__).parent.parent / "examples"
QUERY = 'quantization OR "KV cache"'


def cron_command() -> str:
    lines = (EXAMPLES / "mail-digest-cron.txt").read_text().splitlines()
    [line] = [x for x in lines if x.strip() and not x.startswith("#")]
    fields = line.split(None, 5)
    assert fields[:5] == ["30", "7", "*", "*", "*"]
    return fields[5]


def test_every_morning_mail_me_whats_new_about_quantization(tmp_path):
    home = tmp_path / "user"
    (home / ".local/bin").mkdir(parents=True)
    (home / ".config/papertriage").mkdir(parents=True)
    (home / "notes/papers").mkdir(parents=True)
    program = home / ".local/bin/papertriage"  # where `uv tool install .` puts it
    program.write_text(f'#!/bin/sh\nexec {sys.executable} -m papertriage "$@"\n')
    program.chmod(0o755)
    (home / ".config/papertriage/smtp.env").write_text("PAPERTRIAGE_SMTP_PASSWORD=app-pw\n")
    today = datetime.now(UTC).date().isoformat()
    routes = {f"/api/daily_papers?date={today}&limit=100&p=0": "hf_daily/2024-07-18.json"}
    with FixtureServer(routes) as hf, SmtpServer(password="app-pw") as smtp:
        config = tmp_path / "config.yaml"
        config.write_text(
            f"mail:\n  host: 127.0.0.1\n  port: {smtp.port}\n  security: none\n"
            "  user: you@example.org\n"
            # the recorded server holds no arXiv API answer for these papers
            "complete: false\n"
        )
        env = {
            "PATH": os.environ["PATH"], "HOME": str(home),
            "PAPERTRIAGE_HOME": str(tmp_path / "data"), "PAPERTRIAGE_CONFIG": str(config),
            "PAPERTRIAGE_HF_URL": hf.url, "PAPERTRIAGE_ARXIV_API_URL": hf.url + "/api/query",
            "PAPERTRIAGE_ARXIV_RSS_URL": hf.url + "/rss", "COLUMNS": "100",
        }  # fmt: skip
        added = subprocess.run(
            [str(program), "watch", "add", "kv", QUERY], env=env, capture_output=True, text=True
        )
        assert added.returncode == 0, added.stderr
        cron = subprocess.run(
            ["/bin/sh", "-c", cron_command()], env=env, capture_output=True, text=True, timeout=60
        )
        ranked = subprocess.run(
            [str(program), "filter", "--watch", "kv", "--sort", "score", "-f", "ids"],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
    assert cron.returncode == 0, cron.stderr
    assert cron.stdout == ""  # cron mails nothing more when all went well
    assert "mailed to you@example.org" in cron.stderr
    assert smtp.logins == [("you@example.org", "app-pw")]  # the password from the env file
    [(rcpt, msg)] = smtp.received
    assert rcpt == ["you@example.org"] and msg["Subject"] == f"Papers digest, {today}"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text == (home / "notes/papers/today.md").read_text()
    sections = re.findall(r"^## (.*)$", text, re.M)
    assert sections == ["Watch kv (3 new)", "Top 10"]
    watch = text.split("## Watch kv (3 new)\n\n")[1].split("\n## ")[0]
    ids = re.findall(r"^- \[ \] \[[^\]]+\]\(https://arxiv.org/abs/([^)]+)\)", watch, re.M)
    assert ids == ranked.stdout.split()  # best first by the rank score
    assert set(ids) == {"2407.12077", "2407.12327", "2407.12563"}  # GoldFinch, Spectra, Audio...
    assert "<h2>Watch kv (3 new)</h2>" in msg.get_body(("html",)).get_content()
