"""The user's directories papertriage keeps its store, config and caches in by default.

On Linux they are the XDG base directories, read here: ``$XDG_DATA_HOME`` (or
``~/.local/share``), ``$XDG_CONFIG_HOME`` (``~/.config``), ``$XDG_CACHE_HOME``
(``~/.cache``), each with ``papertriage`` appended; a variable that is not an absolute
path is ignored, as the XDG specification says. These are the paths platformdirs gives
(a test holds the two equal), without its import, which cost every command that finds
its store by default 10-20 ms: as much as `list` itself. Elsewhere (macOS, Windows,
Android, a home that is not an absolute path) platformdirs answers.
"""

from __future__ import annotations

import os
import sys

APP = "papertriage"
_XDG = {
    "data": ("XDG_DATA_HOME", ".local/share"),
    "config": ("XDG_CONFIG_HOME", ".config"),
    "cache": ("XDG_CACHE_HOME", ".cache"),
}


def user_dir(kind: str) -> str:
    """The user's ``data``, ``config`` or ``cache`` directory for papertriage."""
    var, default = _XDG[kind]
    home = os.environ.get("HOME", "")
    if sys.platform.startswith("linux") and home.startswith("/") and not _android():
        base = os.environ.get(var, "")
        if not base.startswith("/"):
            base = os.path.join(home, default)
        return os.path.join(base, APP)
    return _platformdirs(kind)


def cache_dir() -> str:
    """Where papertriage caches what it can compute again (the help text, the ranker's
    tokens and store sample): ``$PAPERTRIAGE_HOME/cache``, else the user cache directory."""
    home = os.environ.get("PAPERTRIAGE_HOME")
    if home:
        return os.path.join(home, "cache")
    return user_dir("cache")


def _android() -> bool:
    return os.environ.get("ANDROID_DATA") == "/data" and os.environ.get("ANDROID_ROOT") == "/system"


def _platformdirs(kind: str) -> str:
    import platformdirs

    find = {
        "data": platformdirs.user_data_dir,
        "config": platformdirs.user_config_dir,
        "cache": platformdirs.user_cache_dir,
    }[kind]
    return str(find(APP, appauthor=False))
