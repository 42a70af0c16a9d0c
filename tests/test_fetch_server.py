"""The real `papertriage fetch` in a subprocess, against a local HTTP server serving fixtures."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from fetch_helpers import DEMO_ROUTES, FixtureServer


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "papertriage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_fetch_in_a_subprocess_against_a_local_server(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        "contact: tests@example.org\nsources: [hf, arxiv]\ncategories: [cs.LG, cs.CL]\n"
    )
    with FixtureServer(DEMO_ROUTES) as server:
        env = {
            **os.environ,
            "PAPERTRIAGE_HOME": str(tmp_path / "home"),
            "PAPERTRIAGE_CONFIG": str(config),
            "PAPERTRIAGE_HF_URL": server.url,
            "PAPERTRIAGE_ARXIV_RSS_URL": server.url + "/rss",
            "COLUMNS": "100",
        }
        env.pop("PAPERTRIAGE_DB", None)
        first = run(env, "fetch", "--date", "2026-08-12")
        second = run(env, "fetch", "--date", "2026-08-12")
        listed = run(env, "list", "--new", "-n", "100", "-f", "ids")
    assert first.returncode == 0, first.stderr
    assert re.search(r"^hf\s+20\s+20\s+0\s+0\s+0\s+ok", first.stderr, re.M)
    assert re.search(r"^arxiv\s+3\s+3\s+0\s+0\s+0\s+ok", first.stderr, re.M)
    # The second run sends the ETags back and gets two 304s: no work.
    assert second.returncode == 0, second.stderr
    assert second.stderr.count("not modified since the last fetch (HTTP 304)") == 2
    assert [s["path"] for s in server.seen] == [*DEMO_ROUTES] * 2
    assert server.seen[0]["user-agent"] == "papertriage/0.1.0 (+tests@example.org)"
    assert "if-none-match" in server.seen[2] and "if-none-match" not in server.seen[0]
    assert listed.stdout == ""  # the last fetch brought nothing new


def test_importing_the_cli_does_not_import_httpx():
    code = "import papertriage.cli.app, sys; assert 'httpx' not in sys.modules, 'httpx imported'"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
