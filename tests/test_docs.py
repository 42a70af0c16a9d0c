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
