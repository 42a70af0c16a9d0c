"""store.db handles paths as text (no pathlib on the quick commands' start-up): the text
is the one pathlib gives, so messages and comparisons are what they were."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from papertriage.atomicfile import parent_dir
from papertriage.store.db import db_file, db_path, path_text

PARTS = st.lists(st.sampled_from(["", ".", "..", "a", "b.db", "~", "x y", "/"]), max_size=6)


@given(PARTS)
def test_path_text_is_pathlib_s(parts):
    text = "/".join(parts)
    assert path_text(text, expand=False) == str(Path(text))
    if not text.startswith("~") or os.environ.get("HOME"):
        assert path_text(text) == str(Path(text).expanduser())


@given(PARTS)
def test_parent_dir_is_pathlib_s(parts):
    text = str(Path("/".join(parts)))
    assert parent_dir(text) == str(Path(text).parent)


def test_db_file_is_db_path_s_text(monkeypatch, tmp_path):
    monkeypatch.setenv("PAPERTRIAGE_HOME", "./home//x/")
    monkeypatch.delenv("PAPERTRIAGE_DB", raising=False)
    assert db_file() == str(db_path()) == "home/x/papers.db"
    monkeypatch.setenv("PAPERTRIAGE_DB", "~/s.db")
    assert db_file() == str(Path("~/s.db").expanduser())
    assert db_file(tmp_path / "." / "t.db") == str(tmp_path / "t.db")
