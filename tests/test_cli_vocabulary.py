"""One vocabulary across commands: help placeholders, error wording, exit codes."""

import re

import pytest
import typer

from papertriage.cli.app import app


def _help_texts(cli):
    group = typer.main.get_group(app)
    names = [[]]
    for name, command in group.commands.items():
        subs = getattr(command, "commands", None)
        names += [[name, sub] for sub in subs] if subs else [[name]]
    return {" ".join(n): cli(*n, "--help").stdout for n in names}


def test_help_placeholders_are_one_style(cli):
    texts = _help_texts(cli)
    assert len(texts) > 20
    for name, text in texts.items():
        assert not re.search(r"<[a-z][\w\[\]| ]*>", text), (name, re.findall(r"<[^>]*>", text))
        usage = text.splitlines()[0]
        assert "{" not in usage and "[[" not in usage, (name, usage)
        for option in re.findall(r"^  (-[\w-]+(?:, -[\w-]+)*) ([A-Z][A-Z_]*)\b", text, re.M):
            assert option[1] in {"ID", "QUERY", "N", "DATE", "PATH", "FILE", "NAME", "CAT", "TAG",
                                 "SOURCE", "ORDER", "TEXT", "FORMAT", "ADDRESS", "URL"}, (name, option)  # fmt: skip
    assert "$PAPERTRIAGE_HOME" in texts["list"]
    assert "relevance" in texts["triage"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "-n", "-1"], "'--limit' / '-n': -1 is too small (give 0 or more)"),
        (["list", "--min-upvotes", "-3"], "'--min-upvotes': -3 is too small (give 0 or more)"),
        (["list", "-n", "abc"], "'abc' is not a whole number"),
        (["export", "-f", "docx"], "'docx' is not one of 'md', 'bibtex', 'csv', 'json', 'jsonl'"),
        (["mark", "0704.0001", "banana"], "'banana' is not a state"),
        (["list", "--json"], "No such option: --json (use -f json)"),
        (["show", "0704.0001", "-f", "json"], "No such option: -f (use --json)"),
    ],
)
def test_errors_read_like_papertriage(cli, args, message):
    result = cli(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Input should" not in result.stderr and "Value error" not in result.stderr
    assert "Possible options" not in result.stderr


def test_digest_takes_limit_like_the_other_commands(cli):
    assert "-n, --limit, --top N" in cli("digest", "--help").stdout
