"""--fuzzy on a store of real papers (the 144 real 2024 HF daily listings, 2,009
papers): a one-letter typo near the end of a word finds what the word finds, in
`filter` and as a rank keyword."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from papertriage.find.fuzzy import Expander
from papertriage.find.selection import make_selection, select
from papertriage.importer.run import import_file
from papertriage.rank.profile import Profile
from papertriage.rank.ranker import Ranker
from papertriage.store.db import open_db
from papertriage.store.queries import get_paper

LISTINGS = Path(__file__).parent / "fixtures" / "hf_daily_2024.tar.xz"

# The typos of issue 14: each is one edit from the word, most near its end, where the
# word and its porter stem differ (quantizaton is 4 edits from the stem quantiz).
TYPOS = [
    ("quantization", "quantizaton"),
    ("quantization", "quantizaion"),
    ("quantization", "qunatization"),
    ("generation", "generaton"),
    ("diffusion", "diffuison"),
    ("reinforcement", "reinforcemnt"),
    ("transformer", "transfomer"),
    ("transformer", "transfromer"),
]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    root = tmp_path_factory.mktemp("hf2024")
    with tarfile.open(LISTINGS) as tar:
        tar.extractall(root, filter="data")
    conn = open_db(root / "papers.db")
    for listing in sorted((root / "hf_daily_2024").glob("*.json")):
        import_file(conn, str(listing))
    yield conn
    conn.close()


def _ids(conn, query: str, fuzzy: bool) -> set[str]:
    return {r["id"] for r in select(conn, make_selection(query=query, fuzzy=fuzzy, limit=None))}


@pytest.mark.parametrize(("word", "typo"), TYPOS)
def test_a_typo_finds_what_the_word_finds(real, word, typo):
    right = _ids(real, word, fuzzy=False)
    assert len(right) >= 50 and not _ids(real, typo, fuzzy=False)
    found = _ids(real, typo, fuzzy=True)
    assert len(found & right) >= 0.9 * len(right)
    assert len(found - right) <= 0.1 * len(right)  # not a pile of unrelated papers


def test_only_the_closest_correction_is_taken(real):
    expander = Expander(real)
    expander.prepare(["qunatization", "generaton", "layerwise"])

    def terms(word: str) -> list[str | None]:
        return [expander.stemmer.stem(a.strip('"*')) for a in expander.typos[word]]

    assert terms("qunatization") == ["quantiz"]  # not quant, quantit(ative), quantif(y)
    assert terms("generaton") == ["gener"]  # not gender, genet(ic)
    # a compound of known words is not a typo of one of them (layer + -ive)
    assert terms("layerwise") == []


def test_a_misspelt_rank_keyword_earns_what_the_word_earns(real):
    quiet = {"upvotes": 0, "stars": 0, "recency": 0, "learned": 0}
    pks = sorted(_ids(real, "title:quantization", fuzzy=False))[:5]
    rows = [get_paper(real, i) for i in pks]

    def scores(keyword: str) -> list[float]:
        prof = Profile.from_dict({**quiet, "keywords": {keyword: 2}})
        return [s for s, _row in Ranker(real, prof).rank(rows)]

    assert scores("quantization") == [4.0] * 5  # in the title: 2 x 2
    assert scores("quantizaton") == scores("quantization")
