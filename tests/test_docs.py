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
