"""Tab completion: fetch SOURCE, --sort and --source values, answered on the fast path
exactly as Typer answers them; `--show-completion zsh` gives zsh's script."""

import pytest

from papertriage.cli import completion, fastpath

BASH = [
    ("papertriage fetch ", 2),
    ("papertriage fetch arx", 2),
    ("papertriage list --sort ", 3),
    ("papertriage list --sort u", 3),
    ("papertriage filter x --source hf", 4),
    ("papertriage triage --sort ", 3),
    ("papertriage rank -n 3 --source ", 5),
]
ZSH = ["papertriage list --sort ", "papertriage fetch a", "papertriage list --sort zzz"]


def _typer(monkeypatch, capsys):
    from papertriage.cli.app import app

    with pytest.raises(SystemExit):
        app(prog_name="papertriage", args=[])
    return capsys.readouterr().out


def _fast(capsys):
    code = fastpath.try_run([])
    return code, capsys.readouterr().out


@pytest.mark.parametrize(("words", "cword"), BASH)
def test_bash_values_on_the_fast_path_equal_typers(words, cword, monkeypatch, capsys):
    monkeypatch.setenv("_PAPERTRIAGE_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(cword))
    code, fast = _fast(capsys)
    assert code == 0 and fast
    assert fast == _typer(monkeypatch, capsys)


@pytest.mark.parametrize("line", ZSH)
def test_zsh_values_on_the_fast_path_equal_typers(line, monkeypatch, capsys):
    monkeypatch.setenv("_PAPERTRIAGE_COMPLETE", "complete_zsh")
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", line)
    code, fast = _fast(capsys)
    assert code == 0
    assert fast == _typer(monkeypatch, capsys)


@pytest.mark.parametrize(("words", "cword"), [("papertriage ", 1), ("papertriage fetch -", 2)])
def test_commands_and_options_are_left_to_typer(words, cword, monkeypatch, capsys):
    monkeypatch.setenv("_PAPERTRIAGE_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(cword))
    assert fastpath.try_run([]) is None
    answer = _typer(monkeypatch, capsys).split()
    assert ("fetch" in answer and "stats" in answer) if cword == 1 else "--dry-run" in answer


def test_completion_values_are_the_commands_own():
    from papertriage.cli.fetch import SOURCES
    from papertriage.find.selection import SORTS
    from papertriage.sources.formats import FORMATS

    assert completion.values_for("SOURCE") == SOURCES
    assert completion.values_for("--sort") == SORTS and completion.values_for("--source") == FORMATS


@pytest.mark.parametrize(("shell", "first"), [("zsh", "#compdef papertriage"), ("bash", "")])
def test_show_completion_for_a_named_shell(shell, first, capsys):
    assert fastpath.try_run(["--show-completion", shell]) == 0
    script = capsys.readouterr().out
    assert script.startswith(first) and "_PAPERTRIAGE_COMPLETE" in script
    assert ("complete_zsh" in script) == (shell == "zsh")


@pytest.mark.parametrize(
    "line", ["papertriage import ", "papertriage list --db ", "papertriage export -o "]
)
def test_paths_complete_as_files(line, monkeypatch, capsys):
    monkeypatch.setenv("_PAPERTRIAGE_COMPLETE", "complete_zsh")
    monkeypatch.setenv("_TYPER_COMPLETE_ARGS", line)
    assert fastpath.try_run([]) is None  # Typer's: zsh then completes file names
    assert _typer(monkeypatch, capsys) == "_files\n"
