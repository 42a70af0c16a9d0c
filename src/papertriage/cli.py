"""The papertriage command line. Commands live in papertriage.commands.*; this wires them up."""

from __future__ import annotations

import sys

from .commands import config as _config  # noqa: F401
from .commands import db as _db  # noqa: F401  (registers commands)
from .commands import dedupe as _dedupe  # noqa: F401
from .commands import export as _export  # noqa: F401
from .commands import fetch as _fetch  # noqa: F401
from .commands import papers as _papers  # noqa: F401
from .commands import rank as _rank  # noqa: F401
from .commands import triage as _triage  # noqa: F401
from .commands.common import app

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
