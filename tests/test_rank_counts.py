"""The learned part by counts (learned.counted_scores): what presence ties, counts order;
explanations add up to it; over a view larger than the shortlist (ranking.SHORTLIST),
the counted top is still what comes out."""

from __future__ import annotations

import math

import pytest

import test_rank
from papertriage.find.selection import Selection, conditions
from papertriage.find.textindex import Scratch
from papertriage.rank import learned, ranker
from papertriage.rank import ranking as rank
from papertriage.rank.profile import Profile
from papertriage.rank.ranking import explain, iter_ranked, score_papers, with_rows
from papertriage.store.queries import get_paper, list_papers
from test_rank import FULL, add_copies, keep, profile, write_config

base_store, store = test_rank.base_store, test_rank.store  # the fixtures: 541 papers

SOURCE = "1204.3980"
# Three kept papers about zebrafish; two candidates of the same length with the word
# once and three times: by presence they tie, by counts THRICE is first.
KEPT = {
    f"2601.0000{n}": {"title": f"Zebrafish {word}", "abstract": f"Zebrafish larvae {word}."}
    for n, word in enumerate(("fins", "embryos", "neurons"), 1)
}
ONCE, THRICE = "2601.00010", "2601.00011"  # ONCE's id sorts first: a tie goes to it
FILLER = "This abstract is about something else entirely, with many other words."
CANDIDATES = {
    ONCE: {"title": "A study", "abstract": f"zebrafish quokkaxyz quokkaxyz. {FILLER}"},
    THRICE: {"title": "A study", "abstract": f"zebrafish zebrafish zebrafish. {FILLER}"},
}
UNSEEN = Selection(seen=False)  # as `rank` ranks: the kept papers left out


@pytest.fixture
def zebrafish(store):
    add_copies(store, SOURCE, {**KEPT, **CANDIDATES})
    keep(store, list(KEPT))
    return store


def test_counts_order_what_presence_ties(zebrafish):
    conn, prof = zebrafish, profile(learned=5)
    rows = [get_paper(conn, i) for i in (ONCE, THRICE)]
    (once, n1), (thrice, n3) = _pks(conn, [ONCE, THRICE])
    lengths = {once: n1, thrice: n3}
    assert n1 == n3  # the same length
    model = ranker.Ranker(conn, prof).model
    assert model is not None and "zebrafish" in model.index
    with Scratch(conn) as s:
        s.add_papers(list(lengths))
        presence = learned.raw_scores(s, model, lengths)
        counted = learned.counted_scores(s, model, lengths)
    assert presence[once] == pytest.approx(presence[thrice])  # a tie by presence
    assert presence[once] > 0
    assert counted[once] == pytest.approx(presence[once])  # once: as presence
    weight = model.terms[model.index["zebrafish"]].weight
    factor = learned.length_factor(lengths[once])
    assert counted[thrice] - counted[once] == pytest.approx(weight * math.log(3) * factor)
    ranked = [r["id"] for _s, r in score_papers(conn, rows, prof)]
    assert ranked == [THRICE, ONCE]
    streamed = [r["id"] for _s, r in with_rows(conn, iter_ranked(conn, UNSEEN, 2, 0, prof))]
    assert streamed == [THRICE, ONCE]


def test_kept_papers_median_is_by_the_same_rule(zebrafish):
    conn = zebrafish
    prof = profile(learned=5)
    ranked = {r["id"]: s for s, r in score_papers(conn, [get_paper(conn, i) for i in KEPT], prof)}
    middle = sorted(ranked.values())[len(ranked) // 2]
    assert middle == pytest.approx(prof.learned)  # a typical kept paper scores 1.0 x learned


def test_explanation_is_the_counted_part_and_its_terms_sum_to_it(zebrafish):
    conn, prof = zebrafish, profile(learned=5)
    r = ranker.Ranker(conn, prof)
    assert r.model is not None
    rows = list_papers(conn, limit=None)
    shown = {row["id"]: s for s, row in score_papers(conn, rows, prof)}
    for pid in (THRICE, ONCE, *list(shown)[::97]):
        expl = explain(conn, pid, prof)
        [part] = [c for c in expl.contributions if c.part == "learned"]
        assert expl.score == shown[pid] == part.points  # the same float
        pk, length = _pks(conn, [pid])[0]
        with Scratch(conn) as s:
            s.add_papers([pk])
            shares = learned.term_shares(s, r.model, pk, length)
        assert sum(shares.values()) / r.model.scale * prof.learned == pytest.approx(part.points)
    assert "zebrafish +" in explain(conn, THRICE, prof).contributions[-1].why


def test_rank_prints_the_score_explain_gives(zebrafish, cli, cli_json, tmp_path):
    write_config(tmp_path, "rank:\n  upvotes: 0\n  stars: 0\n  recency: 0\n")
    data = cli_json("rank", "-n", "5", "-f", "json")
    assert data[0]["id"] == THRICE
    for d in data:
        expl = cli_json("rank", "--explain", d["id"], "-f", "json")
        assert round(expl["score"], 3) == d["score"]


@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (10, 0), (5, 7)])
def test_a_view_larger_than_the_shortlist_gives_the_counted_top(
    zebrafish, monkeypatch, limit, offset
):
    conn = zebrafish
    prof = Profile.from_dict(FULL)
    expected = [(s, r["id"]) for s, r in score_papers(conn, list_papers(conn, limit=None), prof)]
    # Every batch on the store's index (presence), a shortlist of 2 x (offset + limit).
    monkeypatch.setattr(ranker, "SCRATCH_BELOW", 0)
    monkeypatch.setattr(rank, "SHORTLIST", 1)
    monkeypatch.setattr(rank, "SHORTLIST_PER", 2)
    again: list[int] = []
    rescore = ranker.rescore

    def spy(r, scored):
        again.append(sum(1 for s in scored if not s[4]))
        return rescore(r, scored)

    monkeypatch.setattr(ranker, "rescore", spy)
    got = [
        (s, r["id"])
        for s, r in with_rows(conn, iter_ranked(conn, Selection(), limit, offset, prof))
    ]
    assert got == expected[offset : offset + limit]  # the same floats, the same order
    assert again == [2 * (offset + limit)]  # the shortlist, all estimates, scored again


def test_the_shortlist_is_re_sorted_by_counts(zebrafish, monkeypatch):
    conn, prof = zebrafish, profile(learned=5)
    monkeypatch.setattr(ranker, "SCRATCH_BELOW", 0)
    monkeypatch.setattr(rank, "SHORTLIST", 2)
    monkeypatch.setattr(rank, "SHORTLIST_PER", 1)
    where, params = conditions(conn, UNSEEN)
    estimate = ranker.stream_where(ranker.Ranker(conn, prof), where, params, 0)
    estimate = [s[2] for s in sorted(estimate)]
    assert estimate[:2] == [ONCE, THRICE]  # by presence, a tie: the id decides
    got = [r["id"] for _s, r in with_rows(conn, iter_ranked(conn, UNSEEN, 1, 0, prof))]
    assert got == [THRICE]


def test_without_a_learned_part_nothing_is_scored_twice(store, monkeypatch):
    monkeypatch.setattr(ranker, "SCRATCH_BELOW", 0)
    called: list[int] = []
    monkeypatch.setattr(ranker, "rescore", lambda r, s: called.append(1) or s)
    prof = profile(upvotes=1, learned=0)
    expected = [r["id"] for _s, r in score_papers(store, list_papers(store, limit=None), prof)]
    got = [r["id"] for _s, r in with_rows(store, iter_ranked(store, Selection(), 5, 0, prof))]
    assert got == expected[:5] and called == []


def _pks(conn, ids: list[str]) -> list[tuple[int, int]]:
    found = ranker.paper_pks(conn, ids)
    return [found[i] for i in ids]
