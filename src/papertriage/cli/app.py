"""The papertriage command line: the Typer app, with every command group registered."""

from __future__ import annotations

import sys

from . import config as _config  # noqa: F401
from . import db as _db  # noqa: F401  (registers commands)
from . import dedupe as _dedupe  # noqa: F401
from . import export as _export  # noqa: F401
from . import fetch as _fetch  # noqa: F401
from . import papers as _papers  # noqa: F401
from . import rank as _rank  # noqa: F401
from . import stats as _stats  # noqa: F401
from . import triage as _triage  # noqa: F401
from . import watch as _watch  # noqa: F401
from .common import app

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
