"""Every command has help text and appears in the README."""

import re
from pathlib import Path

import pytest
import typer

from papertriage.cli.app import app

README = (Path(__file__).parent.parent / "README.md").read_text()


def _commands(group: typer.Typer, prefix: str = ""):
    for info in group.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        yield prefix + name, info
    for sub in group.registered_groups:
        yield from _commands(sub.typer_instance, prefix + sub.name + " ")


COMMANDS = sorted(_commands(app), key=lambda c: c[0])


@pytest.mark.parametrize(("name", "info"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_command_documented(name, info, cli):
    result = cli(*name.split(), "--help")
    assert result.exit_code == 0
    assert (info.help or info.callback.__doc__ or "").strip(), f"{name} has no help text"
    assert re.search(rf"papertriage {re.escape(name)}\b", README), (
        f"README does not show `papertriage {name}`"
    )


def test_readme_shows_the_two_commands():
    assert "uv run pytest" in README
    assert "uv run papertriage demo" in README


def test_readme_installs_where_the_scheduled_examples_look():
    """The install line follows the two first commands, and cron/systemd call the binary
    at the path that install puts it."""
    demo = README.index("uv run papertriage demo")
    install = README.index("$ uv tool install .")
    morning = README.index("## A typical morning")
    assert demo < README.index("$ uv run pytest") < install < morning
    installed = re.search(r"uv writes it to `~/(\S+/papertriage)`", README).group(1)
    assert installed == ".local/bin/papertriage"
    examples = Path(__file__).parent.parent / "examples"
    files = [examples / "cron.txt", examples / "digest-cron.txt"]
    files += sorted((examples / "systemd").glob("*.service"))
    for path in files:
        calls = re.findall(r"(\S+)/papertriage (?:fetch|digest)\b", path.read_text())
        assert calls, path
        for directory in calls:
            home, _, rest = directory.rpartition("=")[2].partition("/")
            assert home in ("$HOME", "%h") and f"~/{rest}/papertriage" == f"~/{installed}", (
                path,
                directory,
            )


@pytest.mark.parametrize("columns", [80, 200])
def test_help_lists_commands_as_a_morning_runs_with_whole_descriptions(columns):
    """As a terminal of that width shows it (CliRunner forces 80 columns)."""
    import os
    import subprocess
    import sys

    from papertriage.cli.common import MORNING, UPKEEP

    env = {**os.environ, "COLUMNS": str(columns)}
    run = [sys.executable, "-m", "papertriage", "--help"]
    text = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout
    commands, upkeep = text.split("\nCommands:\n")[1].split("\nUpkeep:\n")
    listed = re.findall(r"^  (\S+)  ", commands + upkeep, re.M)
    top = [c[0] for c in COMMANDS if " " not in c[0]] + [g.name for g in app.registered_groups]
    assert sorted(listed) == sorted(top)
    morning = [c for c in MORNING if c in top]
    assert listed == morning + [c for c in top if c not in (*MORNING, *UPKEEP)] + list(UPKEEP)
    assert listed[:8] == ["fetch", "import", "list", "filter", "search", "show", "triage", "tag"]
    assert (
        listed.index("rank")
        < listed.index("export")
        < listed.index("digest")
        < listed.index("dedupe")
    )
    assert "..." not in commands + upkeep
    flat = " ".join(text.split())
    helps = [(n, info.help or info.callback.__doc__) for n, info in COMMANDS if " " not in n]
    helps += [(g.name, g.typer_instance.info.help) for g in app.registered_groups]
    for name, help_text in helps:
        first = (help_text or "").split("\n\n")[0]
        assert f"{name} {' '.join(first.split())}" in flat, name
    if columns == 200:  # one line each
        assert all(len(line) <= 120 for line in text.splitlines())
        assert len((commands + upkeep).strip().splitlines()) == len(listed)
