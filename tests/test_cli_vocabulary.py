"""One vocabulary across commands: help placeholders, error wording, exit codes."""

import json
import re
from pathlib import Path

import pytest
import typer

from papertriage.cli.app import app

EXAMPLES = Path(__file__).parent.parent / "examples"


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
        assert "--json" not in text and "--text" not in text, name  # one spelling: -f
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
        (["list", "--sort", "banana"], "Invalid value for '--sort': 'banana' is not one of"),
        (["list", "--since", "x"], "Invalid value for '--since': 'x' is not a date"),
        (["fetch", "arxiv", "-c", "a b"], "Invalid value for '-c' / '--category': 'a b' is not"),
        (["fetch", "banana"], "Invalid value for 'SOURCE': 'banana' is not one of hf,"),
        (["show", "0704.0001", "-f", "yaml"], "'yaml' is not one of 'text', 'json'"),
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


# Every command that prints a record or a report, as -f json (the one spelling) and as
# --json (the old one, hidden from --help).
REPORTS = [
    ["show", "{id}"], ["show", "{id}", "--raw"], ["db", "info"], ["db", "check"],
    ["dedupe", "--dry-run"], ["config", "show"], ["watch", "list"], ["watch", "show", "agents"],
    ["watch", "run", "--all"], ["fetch", "--log"],
]  # fmt: skip


def test_every_report_takes_f_json_and_the_old_json_alike(cli, cli_json):
    assert cli("import", EXAMPLES / "hf_daily_2026-08-12.json").exit_code == 0
    assert cli("watch", "add", "agents", "agent").exit_code == 0
    paper = cli_json("list", "-n", "1", "-f", "json")[0]["id"]
    assert cli_json("watch", "run", "--all", "-f", "json") == {"agents": 8}  # then 0 new
    for args in REPORTS:
        args = [a.format(id=paper) for a in args]
        new, old = cli(*args, "-f", "json"), cli(*args, "--json")
        assert new.exit_code == old.exit_code == 0, (args, new.output)
        assert json.loads(new.stdout) == json.loads(old.stdout), args
        assert "--json" not in cli(*args, "--help").stdout, args
        assert "-f, --format [" in cli(*args, "--help").stdout, args
    assert cli_json("show", paper, "-f", "json")["id"] == paper
    assert cli_json("watch", "show", "agents", "-f", "json")["papers"]
    text = cli("show", paper, "-f", "text").stdout
    assert text == cli("show", paper, "--text").stdout and not text.startswith("{")
    assert cli("db", "info", "-f", "text").stdout.startswith("path ")
    both = cli("show", paper, "-f", "text", "--json")
    assert both.exit_code == 2 and "give -f text or -f json, not both" in both.stderr


@pytest.mark.parametrize(
    ("name", "after_seen"),
    [("list", []), ("filter", []), ("triage", []), ("rank", ["include_seen"]),
     ("export", ["include_seen"])],
)  # fmt: skip
def test_filtering_commands_list_the_shared_filters_first(name, after_seen):
    from papertriage.cli.options import Filters

    names = [p.name for p in typer.main.get_command(app).commands[name].params]
    at = Filters._fields.index("seen") + 1
    shared = [*Filters._fields[:at], *after_seen, *Filters._fields[at:]]
    assert names[: len(shared)] == shared
    assert "filters" not in names
