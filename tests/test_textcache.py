"""What `rank` keeps between runs (find.textcache): with it, the same ranking, scores
and explanations as computed afresh; a changed store is noticed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from papertriage.find import textcache
from papertriage.find.selection import Selection
from papertriage.find.textindex import Scratch, Stemmer, paper_terms
from papertriage.importer.run import import_file
from papertriage.rank import learned
from papertriage.rank.profile import Profile
from papertriage.rank.ranking import explain, rank_selection
from papertriage.store.db import open_db, transaction

FIXTURES = Path(__file__).parent / "fixtures"
RAW = "arxiv_oai/ListRecords_arXivRaw_from2016-10-20_page1.xml"  # 387 papers
PAGE = "hf_page/papers_page_text_2025-12-15_first28.txt"
RDF = "arxiv_rss/rss_old_rdf_math_2012-09-12.xml"
PROFILE = {
    "keywords": {"quantum": 2, "random graphs": 3, "layer-wise": 1, "quantisation": 1},
    "authors": {"B. Bollobas": 2, "Jelani Nelson": 1},
    "categories": {"quant-ph": 1},
    "recency": 1,
    "learned": 5,
}


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("textcache") / "base.db"
    conn = open_db(path)
    for rel in (RAW, RDF):
        import_file(conn, str(FIXTURES / rel), None, None)
    ids = [r[0] for r in conn.execute("SELECT id FROM papers ORDER BY pk")]
    with transaction(conn):
        conn.executemany(
            "INSERT INTO decisions (paper_id, decision, created) VALUES (?, ?, '2026-01-01')",
            [(i, "keep") for i in ids[5:60:6]] + [(i, "skip") for i in ids[8:80:9]],
        )
    conn.close()
    return path


@pytest.fixture
def store(base_store, tmp_path):
    path = tmp_path / "store.db"
    shutil.copy(base_store, path)
    conn = open_db(path)
    yield conn
    conn.close()


def forget() -> None:
    """No cache on disk or in memory: a first run."""
    shutil.rmtree(textcache.cache_dir(), ignore_errors=True)
    textcache._tokens.clear()


def new_process() -> None:
    """The files stay; what this process read of them is forgotten."""
    textcache._tokens.clear()


def outcome(conn) -> tuple[list[tuple[float, str]], list[dict]]:
    prof = Profile.from_dict(PROFILE)
    ranked = rank_selection(conn, Selection(), prof, limit=None)
    explained = [explain(conn, row["id"], prof).to_dict() for _s, row in ranked[:5]]
    return [(s, row["id"]) for s, row in ranked], explained


def test_a_cached_run_ranks_and_explains_as_a_fresh_one(store):
    forget()
    fresh = outcome(store)
    assert os.listdir(textcache.cache_dir())  # it kept something
    new_process()
    assert outcome(store) == fresh  # from the files
    assert outcome(store) == fresh  # from memory
    assert fresh[1][0]["contributions"] and fresh[0][0][0] > fresh[0][-1][0]


def sampled(monkeypatch) -> list[int]:
    """Record how many papers each store sample indexes."""
    counts: list[int] = []
    add = Scratch.add_papers

    def counting(self, pks):
        counts.append(len(pks))
        add(self, pks)

    monkeypatch.setattr(Scratch, "add_papers", counting)
    return counts


def fresh_sample(conn) -> tuple[int, dict[str, int]]:
    forget()
    return learned.store_sample(conn)


def test_the_sample_is_kept_and_brought_up_to_date(store, monkeypatch):
    monkeypatch.setattr(learned, "SAMPLE", 100)  # a stride of 5 (pks 1-513)
    counts = sampled(monkeypatch)
    first = fresh_sample(store)
    assert counts == [first[0]] and first[0] > 30
    new_process()
    assert learned.store_sample(store) == first and counts == [first[0]]  # nothing indexed
    # A fetch brings more papers (the stride stays): only those sampled are indexed.
    import_file(store, str(FIXTURES / PAGE), None, None)
    counts.clear()
    now = learned.store_sample(store)
    assert counts and counts[0] <= 28 // 4 + 1  # the 28 new papers, one in 5
    assert now == fresh_sample(store) and now[0] > first[0]
    assert list(now[1]) == sorted(now[1])  # in the index's order, as a fresh sample is


@pytest.mark.parametrize("change", ["abstract", "authors", "delete"])
def test_a_sampled_paper_changed_or_gone_is_noticed(store, monkeypatch, change):
    monkeypatch.setattr(learned, "SAMPLE", 40)
    before = fresh_sample(store)
    lo, hi = store.execute("SELECT min(pk), max(pk) FROM papers").fetchone()
    stride = (hi - lo + 1) // 40
    pks = [
        r[0] for r in store.execute("SELECT pk FROM papers WHERE (pk - ?) % ? = 0", [lo, stride])
    ]
    pk = pks[3]  # a sampled one
    with transaction(store):
        if change == "abstract":
            store.execute("UPDATE papers SET abstract = 'zebrafish zebrafish' WHERE pk = ?", [pk])
        elif change == "authors":
            store.execute("UPDATE papers SET authors_text = 'Quetzalcoatl' WHERE pk = ?", [pk])
        else:
            store.execute("DELETE FROM papers WHERE pk = ?", [pk])
    new_process()
    cached = learned.store_sample(store)
    assert cached != before
    assert cached == fresh_sample(store)


def test_a_damaged_cache_is_computed_again(store):
    forget()
    first = learned.store_sample(store)
    words = Stemmer(store).tokens(["Layer-wise models", "quantisation"])
    for name in os.listdir(textcache.cache_dir()):
        path = os.path.join(textcache.cache_dir(), name)
        Path(path).write_text('{"key": [1, 2], "hi"\n{"layer": 3}\nnot json\n')
    new_process()
    assert learned.store_sample(store) == first
    assert Stemmer(store).tokens(["Layer-wise models", "quantisation"]) == words
    assert words["Layer-wise models"] == ["layer", "wise", "model"]


def test_the_tokens_file_is_the_tokenizer_s_answer(store):
    forget()
    words = ["Quantization", "layer-wise", "Bollobás", "bollobas", "naïve approaches", ""]
    fresh = Stemmer(store).tokens(words)
    (name,) = os.listdir(textcache.cache_dir())
    (line,) = Path(textcache.cache_dir(), name).read_text().splitlines()
    assert json.loads(line) == fresh
    new_process()
    assert Stemmer(store).tokens(words) == fresh
    assert fresh["Bollobás"] == fresh["bollobas"] == ["bolloba"]


def test_the_feedback_papers_terms_are_a_scratch_table_s(store, monkeypatch):
    forget()
    rows = store.execute("SELECT pk, title, abstract FROM papers WHERE pk % 7 = 3").fetchall()
    papers = [(pk, title or "", abstract or "") for pk, title, abstract in rows]
    with Scratch(store) as s:
        s.add(papers)
        expected = [tuple(r) for r in s.terms()]
    added: list[int] = []
    add = Scratch.add
    monkeypatch.setattr(
        Scratch, "add", lambda self, rows: add(self, added.extend(r[0] for r in rows) or rows)
    )
    assert paper_terms(store, papers) == expected and len(added) == len(papers)
    added.clear()
    assert paper_terms(store, papers[::-1]) == expected and added == []  # cached
    changed = [papers[0], (papers[1][0], papers[1][1], "Zebrafish swim."), *papers[2:]]
    with Scratch(store) as s:
        s.add(changed)
        expected = [tuple(r) for r in s.terms()]
    added.clear()
    assert paper_terms(store, changed) == expected and added == [papers[1][0]]
    assert ("abstract", "zebrafish", 1) in [r[1:] for r in expected if r[0] == papers[1][0]]


def test_a_cache_file_with_the_right_key_and_wrong_fields_is_not_used(store):
    forget()
    fresh = outcome(store)
    for name in os.listdir(textcache.cache_dir()):
        path = Path(textcache.cache_dir(), name)
        if name.startswith("sample-"):
            data = json.loads(path.read_text())
            path.write_text(json.dumps({**data, "hi": "many", "df": [1]}))
        elif name.startswith("terms-"):
            data = json.loads(path.read_text())
            papers = dict.fromkeys(data["papers"], ["not", "a", "digest"])
            path.write_text(json.dumps({**data, "papers": papers}))
    new_process()
    assert outcome(store) == fresh
