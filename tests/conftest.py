from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papertriage.cli.app import app
from papertriage.store.db import open_db

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def env_setup(tmp_path, monkeypatch):
    """Every test gets its own home: store and config never touch the real user dirs."""
    monkeypatch.setenv("PAPERTRIAGE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PAPERTRIAGE_DB", raising=False)
    monkeypatch.setenv("PAPERTRIAGE_CONFIG", str(tmp_path / "home" / "config.yaml"))
    monkeypatch.setenv("COLUMNS", "120")
    # Fetch tests serve only the listings they name; the arXiv completion that follows a
    # fetch is switched on by the tests of it (tests/test_complete.py).
    monkeypatch.setenv("PAPERTRIAGE_COMPLETE", "0")
    return tmp_path


@pytest.fixture
def fixture_path():
    def get(rel: str) -> Path:
        path = FIXTURES / rel
        assert path.exists(), path
        return path

    return get


@pytest.fixture
def db_file(tmp_path) -> Path:
    return tmp_path / "home" / "papers.db"


@pytest.fixture
def conn(db_file):
    c = open_db(db_file)
    yield c
    c.close()


@pytest.fixture
def cli():
    """Run the CLI in-process; returns the Result (stdout and stderr kept apart)."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input)

    return run


@pytest.fixture
def cli_json(cli):
    def run(*args: str):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


_TEMPLATES: dict[str, Path] = {}


@pytest.fixture
def stored(tmp_path_factory, db_file) -> Callable[[str, Callable[[Path], object]], Path]:
    """A store built once per test process and copied for each test, at ``db_file``:
    ``stored(name, build)`` runs ``build(path)`` the first time a ``name`` is asked for
    (it must write only the store at ``path``), then copies that file. For fixtures that
    import the same files for every test of a module."""

    def get(name: str, build: Callable[[Path], object]) -> Path:
        template = _TEMPLATES.get(name)
        if template is None:
            template = tmp_path_factory.mktemp("template") / "papers.db"
            build(template)
            _TEMPLATES[name] = template
        db_file.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal"):  # a WAL left by the last writer holds pages too
            if Path(f"{template}{suffix}").exists():
                shutil.copyfile(f"{template}{suffix}", f"{db_file}{suffix}")
        return db_file

    return get
