"""dedupe's streamed candidate search finds exactly the pairs (and so the groups) of the
in-memory sorted-neighbourhood pass it replaced, which loaded every title key of the
store into Python (662 MB at 1M papers).

The old pass is kept below as the reference. It is compared with the new one on stores
made from the recorded fixtures (with near-duplicate copies of their real titles) and on
randomized titles built to hit the edge cases: equal keys under several ids, pairs
exactly WINDOW and WINDOW + 1 apart, pairs adjacent only when sorted by reversed text,
pairs adjacent in both orders, keys that are each other's reversal, non-ASCII keys.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from papertriage.dedupe import groups as dedupe
from papertriage.dedupe.groups import NEAR_TITLE, WINDOW, Group, _distinct
from papertriage.store.db import open_db
from papertriage.text import title_key

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_FILES = [
    "arxiv_api/idlist_1111.2011v2_2016-10-09.xml",
    "arxiv_api/idlist_4ids_3missing_2025-08-24_oldformat.xml",
    "arxiv_api/idlist_astro-ph_0601001_2026-05-11.xml",
    "arxiv_api/query_all-electron_AND_all-proton_2025-08-20_oldformat.xml",
    "arxiv_api/query_all-electron_AND_all-proton_2025-11-11_newformat.xml",
    "arxiv_api/query_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml",
    "arxiv_api/query_au-del_maestro_2016-10-09.xml",
    "arxiv_api/query_testing_start0_max10_2026-04-12.xml",
    "arxiv_api/query_testing_start10_max10_2026-04-12.xml",
    "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl",
    "arxiv_oai/ListRecords_arXivRaw_from2016-10-20_page1.xml",
    "arxiv_oai/ListRecords_arXiv_from2015-01-01_until2015-01-03.xml",
    "arxiv_rss/rss_cs.CL_2026-04-27_trimmed3.xml",
    "arxiv_rss/rss_cs.LG_2026-04-27_trimmed3.xml",
    "arxiv_rss/rss_old_rdf_math_2012-09-12.xml",
    "hf_daily/2024-03-21_raw.json",
    "hf_daily/2024-05-27.json",
    "hf_daily/2025-03-17.json",
    "hf_daily/2025-10-30.json",
    "hf_daily/2026-08-12.json",
    "hf_daily/limit30_2026-06-12_raw.json",
    "hf_page/paper_2509.24002_prettified.html",
    "hf_page/papers_page_text_2025-12-15_first28.txt",
    "hf_paper/paper_2608.09888.json",
    "hf_search/search_diffusion_3results.json",
]


# -- the reference: the in-memory pass as it was before the streamed one ---------------


def reference_pairs(keys: list[tuple[int, str]], found: dict[str, set] | None = None) -> set:
    """The old _candidate_pairs. `found` (optional) records, per near pair of keys, how
    it was found: 'forward' / 'reversed' and the distance in that order."""
    pairs: set[tuple[int, int]] = set()
    by_key: dict[str, list[int]] = {}
    for pk, key in keys:
        by_key.setdefault(key, []).append(pk)
    for pks in by_key.values():
        pairs.update((a, b) for i, a in enumerate(pks) for b in pks[i + 1 :])
    unique = list(by_key)
    for name, order in (
        ("forward", sorted(unique)),
        ("reversed", sorted(unique, key=lambda k: k[::-1])),
    ):
        for i, key in enumerate(order):
            for d, other in enumerate(order[i + 1 : i + 1 + WINDOW], start=1):
                if fuzz.ratio(key, other, score_cutoff=NEAR_TITLE) and not _distinct(key, other):
                    pairs.update((min(a, b), max(a, b)) for a in by_key[key] for b in by_key[other])
                    if found is not None:
                        found.setdefault(frozenset((key, other)), set()).add((name, d))
    return pairs


def reference_groups(conn) -> list[Group]:
    """The old find_groups: every key loaded, full rows of every candidate."""
    keys = conn.execute("SELECT pk, title_key FROM papers WHERE title_key > ''").fetchall()
    pairs = reference_pairs([(r[0], r[1]) for r in keys])
    rows = dedupe._rows(conn, {pk for pair in pairs for pk in pair})
    parent: dict[int, int] = {}
    why: dict[tuple[int, int], str] = {}
    for a, b in sorted(pairs):
        reason = dedupe.same_paper(rows[a], rows[b])
        if reason:
            why[(a, b)] = reason
            dedupe._union(parent, a, b)
    members: dict[int, list[int]] = {}
    for pk in parent:
        members.setdefault(dedupe._find(parent, pk), []).append(pk)
    groups = []
    for pks in members.values():
        recs = sorted((rows[pk] for pk in pks), key=dedupe._survivor_order)
        reasons = [dedupe._reason_for(why, recs[0]["pk"], r["pk"], pks) for r in recs[1:]]
        groups.append(Group(recs[0], recs[1:], reasons))
    return sorted(groups, key=lambda g: g.survivor["id"])


def streamed_pairs(conn) -> list[tuple[int, int]]:
    return [(a["pk"], b["pk"]) for a, b in dedupe.candidate_rows(conn)]


def all_keys(conn) -> list[tuple[int, str]]:
    return [tuple(r) for r in conn.execute("SELECT pk, title_key FROM papers WHERE title_key > ''")]


def assert_same_as_reference(conn) -> set:
    expected = reference_pairs(all_keys(conn))
    got = streamed_pairs(conn)
    assert len(got) == len(set(got)), "a candidate pair came twice"
    assert all(a < b for a, b in got)
    assert set(got) == expected
    new, old = dedupe.find_groups(conn), reference_groups(conn)
    assert [g.to_dict() for g in new] == [g.to_dict() for g in old]
    assert [(g.survivor, g.merged) for g in new] == [(g.survivor, g.merged) for g in old]
    assert not conn.in_transaction
    return expected


# -- building stores --------------------------------------------------------------------


def insert(conn, records: list[dict]) -> None:
    conn.execute("BEGIN")
    for r in records:
        conn.execute(
            "INSERT INTO papers (id, title, title_key, authors, published, first_seen)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                r["id"],
                r["title"],
                r.get("title_key", title_key(r["title"])),
                json.dumps(r["authors"]) if r.get("authors") else None,
                r.get("published"),
                r.get("first_seen", "2025-01-01T00:00:00Z"),
            ],
        )
    conn.execute("COMMIT")


def typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text) // 3, len(text))
    how = rng.choice(("swap", "drop", "double"))
    if how == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if how == "drop":
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def copies(rng: random.Random, title: str) -> list[str]:
    """Titles a second source might give the same (or a different) paper."""
    words = title.split()
    out = [title.upper(), title + ".", typo(rng, title)]
    if len(words) > 3:
        out += [" ".join(words[1:]), " ".join(words[:-1])]  # far apart in one order only
    out += [title + " Part II", title + " 2", typo(rng, typo(rng, title))]
    return rng.sample(out, rng.randint(1, 4))


WORDS = (
    "deep learning graph neural networks quantum error correction diffusion models for "
    "language understanding sparse attention transformers scaling laws of reinforcement "
    "the a on in via towards efficient robust private federated optimization bayesian "
    "inference naïve σ-model 学习 Schrödinger ℓ1-regularized layer-wise self-supervised "
    "introduction erratum reply comment ii iii part"
).split()
NAMES = ["Ada Lovelace", "A. Turing", "Alan Turing", "Grace Hopper", "Y. LeCun", "Yann LeCun"]
NAMES += ["Emmy Noether", "Kurt Gödel", "Marie Curie", "Niels Bohr", "Paul Dirac"]


def random_records(rng: random.Random, n_bases: int) -> list[dict]:
    records: list[dict] = []

    def add(title: str, **extra) -> None:
        real = rng.random() < 0.8
        pid = (
            f"{2401 + rng.randrange(24)}.{len(records):05d}"
            if real
            else f"prov:{len(records):012x}"
        )
        authors = rng.sample(NAMES, rng.randint(1, 3)) if real or rng.random() < 0.3 else []
        day = f"20{rng.randint(23, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        published = day if rng.random() < 0.85 else None
        records.append(
            {"id": pid, "title": title, "authors": authors, "published": published, **extra}
        )

    stems = []
    for _ in range(n_bases):
        base = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 9)))
        add(base)
        for t in copies(rng, base):
            add(t)
        stems.append(base)
    # A run of keys one letter apart in the middle: each sorts next to the others in both
    # orders, so comparisons cross WINDOW at both ends.
    for base in rng.sample(stems, min(4, len(stems))):
        if len(base) < 12:
            continue
        for c in rng.sample("abcdefgh", rng.randint(WINDOW + 1, WINDOW + 4)):
            add(base[:6] + c + base[6:])
    # Keys written as they are (not through title_key): astral characters, keys that
    # are each other's reversal, palindromes, a key equal to a reversed one plus a letter.
    for raw in ("pots and pans", "snap dna stop", "level", "abc xyz 𝔸𝔹", "abc xyz 𝔸𝔹c",
                "é à ü", "é à üx", "\ufffd key", "\U0001f600 emoji key", "\U0001f600 emoji kez"):  # fmt: skip
        for _ in range(rng.randint(1, 2)):
            add(raw, title_key=raw)
    records.append({"id": f"2501.{len(records):05d}", "title": "", "authors": ["A. Turing"]})
    records.append({"id": f"2501.{len(records):05d}", "title": "???", "authors": ["A. Turing"]})
    rng.shuffle(records)  # pks are not in key order
    return records


@pytest.fixture
def fresh(tmp_path):
    conns = []

    def make(name: str):
        conn = open_db(tmp_path / f"{name}.db")
        conns.append(conn)
        return conn

    yield make
    for c in conns:
        c.close()


# -- the tests ---------------------------------------------------------------------------


def test_randomized_titles_give_the_reference_pairs_and_groups(fresh):
    found: dict[frozenset, set] = {}
    exact_sizes: list[int] = []
    n_groups = 0
    for seed in range(12):
        conn = fresh(f"random{seed}")
        insert(conn, random_records(random.Random(seed), n_bases=60))
        keys = all_keys(conn)
        reference_pairs(keys, found)
        assert_same_as_reference(conn)
        n_groups += len(dedupe.find_groups(conn))
        sizes: dict[str, int] = {}
        for _, k in keys:
            sizes[k] = sizes.get(k, 0) + 1
        exact_sizes += [n for n in sizes.values() if n > 1]
    # The data reached every case the streamed passes must get right.
    orders = list(found.values())
    assert any(("forward", WINDOW) in how for how in orders)
    assert any(("reversed", WINDOW) in how for how in orders)
    assert any({name for name, _ in how} == {"reversed"} for how in orders)
    assert any({name for name, _ in how} == {"forward"} for how in orders)
    assert any({name for name, _ in how} == {"forward", "reversed"} for how in orders)
    assert max(exact_sizes) >= 3
    assert n_groups > 0


def test_window_edges_exactly(fresh):
    """Keys WINDOW apart are compared, keys WINDOW + 1 apart are not, in either order."""
    conn = fresh("window")
    stem = "sparse attention transformers for long documents"
    other = "quantum error correction with surface codes"
    letters = "abcdefg"
    records = []
    for i, c in enumerate(letters):
        # A: neighbours in both orders (they differ near the end)
        records.append({"id": f"A{i}", "title": f"{stem} {c}x"})
        # B: neighbours only when sorted by reversed text; forwards, WINDOW unrelated
        # titles sort between each two of them
        records.append({"id": f"B{i}", "title": f"{c}x {other}"})
        records += [
            {"id": f"C{i}{k}", "title": f"{c}x unrelated note {i * WINDOW + k}"}
            for k in range(WINDOW)
        ]
    insert(conn, records)
    assert_same_as_reference(conn)
    ids = dict(conn.execute("SELECT pk, id FROM papers"))
    got = {tuple(sorted((ids[a], ids[b]))) for a, b in streamed_pairs(conn)}
    assert got == {
        (f"{g}{i}", f"{g}{j}")
        for g in "AB"
        for i in range(len(letters))
        for j in range(i + 1, min(i + WINDOW + 1, len(letters)))
    }


def test_fixture_stores_with_copies_give_the_reference_pairs_and_groups(cli, conn, tmp_path):
    for rel in FIXTURE_FILES:
        result = cli("import", FIXTURES / rel)
        assert result.exit_code == 0, (rel, result.stderr)
    rng = random.Random(8)
    real = conn.execute(
        "SELECT id, title, authors, published FROM papers WHERE title_key > '' ORDER BY pk"
    ).fetchall()
    extra = []
    for i, row in enumerate(real[::3]):
        authors = json.loads(row["authors"] or "[]")
        for j, t in enumerate(copies(rng, row["title"])):
            extra.append({"id": f"9901.{i:03d}{j:02d}", "title": t, "authors": authors,
                          "published": row["published"]})  # fmt: skip
    insert(conn, extra)
    expected = assert_same_as_reference(conn)
    assert len(expected) > len(extra) // 2
    assert len(dedupe.find_groups(conn)) > 50


def test_the_first_schema_store_gives_the_reference_groups(tmp_path):
    path = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "store_v1.db", path)
    conn = open_db(path)
    try:
        insert(
            conn, [{"id": "prov:aaaaaaaaaaaa", "title": "Curse of Depth in Large Language Models"}]
        )
        assert assert_same_as_reference(conn)  # the two Curse of Depth records
    finally:
        conn.close()


def test_dedupe_in_the_callers_transaction_and_after_stopping_early(fresh):
    conn = fresh("tx")
    insert(conn, random_records(random.Random(3), n_bases=30))
    everything = streamed_pairs(conn)
    # Stopped after its last pair, the stream closes its statement: a second search on
    # the same connection (registering the reversal function again) works.
    stream = dedupe.candidate_rows(conn)
    for _ in range(len(everything)):
        next(stream)
    stream.close()
    conn.execute("BEGIN IMMEDIATE")
    groups = dedupe.find_groups(conn)
    assert conn.in_transaction  # the caller's transaction is left open for the merge
    conn.execute("ROLLBACK")
    assert [g.to_dict() for g in groups] == [g.to_dict() for g in reference_groups(conn)]


def test_reversed_order_can_spill_to_disk(conn):
    """SQLite's sorter keeps the reversed keys in temporary files, not in memory: the
    store's connection must not use temp_store = MEMORY (2)."""
    assert conn.execute("PRAGMA temp_store").fetchone()[0] in (0, 1)
    options = {r[0] for r in conn.execute("PRAGMA compile_options")}
    assert "TEMP_STORE=3" not in options
