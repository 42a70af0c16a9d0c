"""Tab completion answered without building the Typer app (0.05 s, not 0.35 s): the
values of --sort/--source and fetch's SOURCE, in bash's and zsh's formats exactly as
Typer writes them (tests/test_completion.py compares); anything else is Typer's. The
same values feed the Typer options' autocompletion, so both paths agree.

Imports nothing of the CLI, so every command module can use it.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


LIST_COMMANDS = ("list", "filter", "search")
# fetch's SOURCE argument (cli/fetch.py SOURCES; tests/test_completion.py holds them equal).
FETCH_SOURCES = ("hf", "hf-search", "arxiv", "arxiv-query")


def values_for(option: str) -> tuple[str, ...]:
    """The values an option takes, for completion: --sort, --source (list, filter,
    search, triage, rank), and fetch's SOURCE."""
    if option == "SOURCE":
        return FETCH_SOURCES
    if option == "--sort":
        from ..find.selection import SORTS

        return SORTS
    if option == "--source":
        from ..sources.formats import FORMATS

        return FORMATS
    return ()


def complete_values(option: str) -> Any:
    """A Typer autocompletion function for one option's values."""

    def complete(incomplete: str) -> list[str]:
        return [v for v in values_for(option) if v.startswith(incomplete)]

    return complete


# Commands whose --sort/--source take the values_for list (export's --sort is a choice).
_VALUE_COMMANDS = (*LIST_COMMANDS, "triage", "rank")


def complete(instruction: str) -> int | None:
    """Answer a Tab in bash or zsh without building the Typer app, for the values of
    --sort/--source and fetch's SOURCE; anything else (None) is Typer's, as before."""
    from shlex import split

    try:
        if instruction == "complete_bash":
            words = split(os.environ.get("COMP_WORDS", ""))
            cword = int(os.environ.get("COMP_CWORD", ""))
            args, incomplete = words[1:cword], (words[cword] if cword < len(words) else "")
        elif instruction == "complete_zsh":
            line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
            args = split(line)[1:]
            incomplete = args.pop() if args and not line.endswith(" ") else ""
        else:
            return None
    except ValueError:  # an open quote
        return None
    values = None if incomplete.startswith("-") else _static_values(args)
    if values is None:  # options, commands, paths: Typer's
        return None
    found = [v for v in values if v.startswith(incomplete)]
    if instruction == "complete_bash":
        sys.stdout.write("\n".join(found) + "\n")
    elif found:
        items = "\n".join(f'"{v}"' for v in found)
        sys.stdout.write(f"_arguments '*: :(({items}))'\n")
    else:
        sys.stdout.write("_files\n")
    return 0


def _static_values(args: list[str]) -> tuple[str, ...] | None:
    if not args:
        return None
    if args[0] in _VALUE_COMMANDS and len(args) > 1 and args[-1] in ("--sort", "--source"):
        return values_for(args[-1])
    if args == ["fetch"]:
        return values_for("SOURCE")
    return None


def script(shell: str) -> int:
    """`--show-completion zsh`: that shell's script (Typer reads no value for the flag
    and gives the detected shell's)."""
    from typer._completion_shared import get_completion_script

    prog = "papertriage"
    script = get_completion_script(
        prog_name=prog, complete_var="_PAPERTRIAGE_COMPLETE", shell=shell
    )
    sys.stdout.write(script + "\n")
    return 0
