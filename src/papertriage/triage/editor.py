"""Writing a note in the user's $EDITOR (a temporary file; the editor runs without a shell)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile

from ..errors import PapertriageError

TEMPLATE = "\n# Write your note about {paper} above. Lines starting with # are ignored;\n# an empty note adds nothing.\n"


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR, else vi, split like a shell would (no shell runs it)."""
    value = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        argv = shlex.split(value)
    except ValueError as exc:
        raise PapertriageError(f"$EDITOR {value!r}: {exc}") from None
    if not argv:
        raise PapertriageError("$EDITOR is empty")
    return argv


def edit_note(paper_id: str) -> str:
    """Open the editor on a template and return what the user wrote ('' for nothing)."""
    argv = editor_command()
    fd, path = tempfile.mkstemp(prefix="papertriage-note-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(TEMPLATE.format(paper=paper_id))
        try:
            done = subprocess.run([*argv, path], check=False)
        except OSError as exc:
            raise PapertriageError(f"cannot run editor {argv[0]!r}: {exc.strerror}") from None
        if done.returncode != 0:
            raise PapertriageError(f"editor {argv[0]!r} exited with status {done.returncode}")
        with open(path, encoding="utf-8") as fh:
            lines = [line for line in fh.read().splitlines() if not line.startswith("#")]
    finally:
        os.unlink(path)
    return "\n".join(lines).strip()
