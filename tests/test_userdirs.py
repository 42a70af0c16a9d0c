"""The default directories are the ones platformdirs gives, without importing it."""

from __future__ import annotations

import subprocess
import sys

import platformdirs
import pytest

from papertriage.userdirs import user_dir

FIND = {
    "data": platformdirs.user_data_dir,
    "config": platformdirs.user_config_dir,
    "cache": platformdirs.user_cache_dir,
}


@pytest.mark.parametrize("kind", ["data", "config", "cache"])
@pytest.mark.parametrize(
    "env",
    [
        {},
        {"XDG_DATA_HOME": "/x/data", "XDG_CONFIG_HOME": "/x/conf", "XDG_CACHE_HOME": "/x/c"},
        {"XDG_DATA_HOME": "rel/data", "XDG_CONFIG_HOME": "rel", "XDG_CACHE_HOME": "r"},
        {"XDG_DATA_HOME": "", "XDG_CONFIG_HOME": " ", "XDG_CACHE_HOME": ""},
        {"HOME": "/home/someone/"},
        {"HOME": "relative/home"},
    ],
)
def test_user_dirs_are_platformdirs_own(kind, env, monkeypatch):
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert user_dir(kind) == FIND[kind]("papertriage", appauthor=False)


def test_finding_the_default_store_loads_no_platformdirs(tmp_path):
    code = (
        "import sys; from papertriage.store.db import db_path; db_path(); "
        "from papertriage.config import config_path; config_path(); "
        "print('platformdirs' in sys.modules)"
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == ("True" if sys.platform != "linux" else "False"), out.stderr
