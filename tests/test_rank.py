"""papertriage rank: the profile's parts, the learned part, explanations, the command."""

from __future__ import annotations

import json
import math
import re
import shutil
from datetime import date

import pytest

from papertriage.errors import ConfigError
from papertriage.find.selection import Selection
from papertriage.importer.run import import_file
from papertriage.rank.profile import Profile, load_profile
from papertriage.rank.ranker import Ranker
from papertriage.rank.ranking import explain, rank_selection, score_papers
from papertriage.store.db import open_db, transaction
from papertriage.store.ingest import Ingest
from papertriage.store.queries import get_paper, list_papers

RAW = "arxiv_oai/ListRecords_arXivRaw_from2016-10-20_page1.xml"  # 387 papers, 2008-2016
PAGE = "hf_page/papers_page_text_2025-12-15_first28.txt"  # Layer-wise / Layerwise titles
RDF = "arxiv_rss/rss_old_rdf_math_2012-09-12.xml"  # quantization and quantisation
QUIET = {"upvotes": 0, "stars": 0, "recency": 0, "learned": 0}  # one part at a time


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    from pathlib import Path

    path = tmp_path_factory.mktemp("rank") / "base.db"
    conn = open_db(path)
    fixtures = Path(__file__).parent / "fixtures"
    for rel in (RAW, PAGE, RDF):
        import_file(conn, str(fixtures / rel), None, None)
    conn.close()
    return path


@pytest.fixture
def store(base_store, tmp_path):
    path = tmp_path / "home" / "papers.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(base_store, path)
    conn = open_db(path)
    yield conn
    conn.close()


def profile(**values) -> Profile:
    return Profile.from_dict({**QUIET, **values})


def add_copies(conn, source_id: str, copies: dict[str, dict]) -> None:
    """Papers that are copies of a real one, with some fields changed."""
    from papertriage.models import make_paper

    p = get_paper(conn, source_id)
    keep = ("title", "abstract", "authors", "categories", "published", "hf_upvotes")
    with transaction(conn):
        Ingest(conn, None).add(
            make_paper(id=new_id, **{**{k: p[k] for k in keep}, **changes}, source="test")
            for new_id, changes in copies.items()
        )


def scores(conn, prof: Profile, ids: list[str], today: date | None = None) -> dict[str, float]:
    rows = [get_paper(conn, i) for i in ids]
    ranked = Ranker(conn, prof, today).rank(rows)
    return {row["id"]: s for s, row in ranked}


def keep(conn, ids, decision="keep"):
    conn.executemany(
        "INSERT INTO decisions (paper_id, decision, created) VALUES (?, ?, '2026-01-01')",
        [(i, decision) for i in ids],
    )


# -- the profile's parts ----------------------------------------------------------------


def test_followed_author_ranks_above_the_same_paper_without(store):
    # 1204.3980 is by "Béla Bollobás"; the profile writes him without accents, by initial.
    add_copies(store, "1204.3980", {"2609.00001": {"authors": ["Someone Else"]}})
    s = scores(store, profile(authors={"B. Bollobas": 3}), ["1204.3980", "2609.00001"])
    assert list(s) == ["1204.3980", "2609.00001"]
    assert s["1204.3980"] - s["2609.00001"] == pytest.approx(3)


@pytest.mark.parametrize(
    ("name", "matches"),
    [
        ("Bollobas, Bela", True),
        ("Béla Bollobás", True),
        ("Bollobas", True),  # a surname alone
        ("C. Bollobas", False),  # another first name
        ("Bela Bollob", False),
    ],
)
def test_author_names_tolerate_initials_accents_and_order(store, name, matches):
    s = scores(store, profile(authors={name: 2}), ["1204.3980"])
    assert s["1204.3980"] == (2 if matches else 0)


@pytest.mark.parametrize(
    "name", ["B. Bollobas", "Bollobás, Béla", "bela bollobas", "Bollobass", "D. Kim", "Kim"]
)
def test_followed_authors_are_the_papers_filter_author_finds(store, name):
    """One rule: the ranking's followed authors and --author match the same papers."""
    from papertriage.find.authors import author_pks

    rows = list_papers(store, limit=None)
    pk = dict(store.execute("SELECT id, pk FROM papers"))
    ranker = Ranker.build(store, profile(authors={name: 1}))
    followed = {pk[r["id"]] for r in rows if ranker.authors.matches(list(r.get("authors") or []))}
    assert followed == author_pks(store, [name])
    assert followed  # each name is in the store (Bollobass: one typo in a long name)


def test_negative_keyword_pushes_down(store):
    row = get_paper(store, "1209.2621")  # "A pseudo-differential calculus on graded Lie groups"
    plain = scores(store, profile(), [row["id"]])[row["id"]]
    down = scores(store, profile(keywords={"lie groups": -2}), [row["id"]])[row["id"]]
    assert plain == 0 and down == -4  # in the title: 2 x -2


def test_title_match_beats_abstract_match(store):
    # 1209.2530 has "quantization" in its title, 1209.2621 only "quantisation" in the abstract
    s = scores(store, profile(keywords={"quantization": 1}), ["1209.2530", "1209.2621"])
    assert s == {"1209.2530": 2.0, "1209.2621": 1.0}


def test_fuzzy_keywords_match_hyphenation_and_spelling(store):
    luq = "prov:63d61c6faa40"  # "LUQ: Layerwise Ultra-Low Bit Quantization ..."
    owlore = "prov:8c76efafef73"  # "OwLore: Outlier-weighed Layerwise Sampled ..."
    exact = scores(store, profile(keywords={"layer-wise": 1}, fuzzy=False), [luq, owlore])
    fuzzy = scores(store, profile(keywords={"layer-wise": 1}), [luq, owlore])
    assert exact == {luq: 0, owlore: 0}
    assert fuzzy == {luq: 2, owlore: 2}
    spelled = scores(store, profile(keywords={"quantization": 1}, fuzzy=False), ["1209.2621"])
    assert spelled == {"1209.2621": 0}


def test_newer_paper_outranks_identical_older(store):
    add_copies(store, "1204.3980", {"2609.00002": {"published": "2026-11-20"}})
    add_copies(store, "1204.3980", {"2609.00003": {"published": "2026-11-13"}})
    s = scores(
        store, profile(recency=2, half_life=7), ["2609.00003", "2609.00002"], date(2026, 11, 27)
    )
    assert list(s) == ["2609.00002", "2609.00003"]
    assert s["2609.00002"] == pytest.approx(2 * 0.5)  # one half-life old
    assert s["2609.00003"] == pytest.approx(2 * 0.25)


def test_upvotes_are_damped(store):
    add_copies(store, "1204.3980", {"2609.00010": {"hf_upvotes": 10}})
    add_copies(store, "1204.3980", {"2609.00011": {"hf_upvotes": 1000}})
    s = scores(store, profile(upvotes=1), ["2609.00010", "2609.00011"])
    assert s["2609.00011"] > s["2609.00010"] > 0
    assert (
        s["2609.00011"] / s["2609.00010"] < 3.5
    )  # 100 times the upvotes, about 3 times the points


def test_category_weights_primary_and_cross_list(store):
    # 1204.3980: math.PR primary, cross-listed in math.CO (as the OAI record says)
    cats = get_paper(store, "1204.3980")["categories"]
    assert cats == ["math.PR", "math.CO"]
    assert scores(store, profile(categories={"math.PR": 2}), ["1204.3980"]) == {"1204.3980": 2}
    assert scores(store, profile(categories={"math.CO": 2}), ["1204.3980"]) == {"1204.3980": 1}
    assert scores(store, profile(categories={"math": 1, "hep-th": 5}), ["1204.3980"]) == {
        "1204.3980": 1
    }


# -- the learned part -------------------------------------------------------------------


def category_ids(conn, category: str) -> list[str]:
    rows = list_papers(conn, ["categories LIKE ?"], [f'%"{category}"%'], limit=None)
    return sorted(r["id"] for r in rows)


def test_learned_part_prefers_papers_like_the_kept_ones(store):
    quant = category_ids(store, "quant-ph")  # 52 of 540 papers
    keep(store, quant[:15])
    others = [r for r in list_papers(store, limit=None) if r["id"] not in quant[:15]]
    top = [row for _s, row in score_papers(store, others, profile(learned=5))][:20]
    in_quant = [r["id"] for r in top if "quant-ph" in r["categories"]]
    assert len(in_quant) >= 8, [r["title"] for r in top]  # at random: 1 or 2
    why = explain(store, top[0]["id"], profile(learned=5)).contributions[-1].why
    assert "words: quantum" in why  # the word that weighs most


def test_skipped_papers_pull_similar_ones_down(store):
    quant, math = category_ids(store, "quant-ph"), category_ids(store, "math.CO")
    keep(store, quant[:10])
    rest = [r for r in list_papers(store, limit=None) if r["id"] not in quant[:10] + math[:10]]

    def math_standing() -> tuple[float, float]:
        ranked = [(s, row["id"]) for s, row in score_papers(store, rest, profile(learned=5))]
        places = [n for n, (_s, pid) in enumerate(ranked) if pid in math[10:]]
        points = [s for s, pid in ranked if pid in math[10:]]
        return sum(places) / len(places), sum(points) / len(points)

    place_before, points_before = math_standing()
    keep(store, math[:10], "skip")
    place_after, points_after = math_standing()
    assert place_after > place_before  # further down the list
    assert points_after < points_before * 0.9
    # The explanation says what each side gave; the two add up to the learned points
    # (shown on the first math paper that has words of the skipped ones: not all do).
    sides_seen = []
    for pid in math[10:20]:
        expl = explain(store, pid, profile(learned=5))
        assert expl.decided is None
        [part] = [c for c in expl.contributions if c.part == "learned"]
        sides = re.search(r"kept papers ([-+][\d.]+), of your 10 skipped ([-+][\d.]+)", part.why)
        assert sides, part.why
        plus, minus = float(sides[1]), float(sides[2])
        assert plus >= 0 >= minus and plus + minus == pytest.approx(part.points, abs=0.02)
        sides_seen.append(minus)
    assert min(sides_seen) < 0
    assert explain(store, math[0], profile(learned=5)).decided == "skip"


def test_no_feedback_means_no_learned_part(store):
    expl = explain(store, "1204.3980", profile(learned=5))
    learned = [c for c in expl.contributions if c.part == "learned"]
    assert learned[0].points == 0 and "no kept papers" in learned[0].why


# -- explanations and consistency -------------------------------------------------------

FULL = {
    "keywords": {"quantum": 2, "random graphs": 3, "layer-wise": 1, "survey": -1},
    "authors": {"B. Bollobas": 2},
    "categories": {"quant-ph": 1, "math.*": 0.5},
    "upvotes": 1,
    "stars": 0.5,
    "recency": 1,
    "learned": 5,
}


def test_explanation_parts_add_up_to_the_score(store):
    quant = category_ids(store, "quant-ph")
    keep(store, quant[:8])
    keep(store, ["1204.3980"], "skip")
    prof = Profile.from_dict(FULL)
    ranked = score_papers(store, list_papers(store, limit=None), prof)
    checked = 0
    for score, row in ranked[:5] + ranked[-3:]:
        expl = explain(store, row["id"], prof)
        assert expl.score == pytest.approx(score, abs=1e-9)
        assert sum(c.points for c in expl.contributions) == pytest.approx(score, abs=1e-9)
        checked += 1
    top = explain(store, ranked[0][1]["id"], prof)
    assert {c.part for c in top.contributions} >= {"keywords", "learned"}
    assert top.similar and all(s.words for s in top.similar)
    assert checked == 8


def test_score_does_not_depend_on_the_other_papers(store):
    quant = category_ids(store, "quant-ph")
    keep(store, quant[:8])
    prof = Profile.from_dict(FULL)
    rows = list_papers(store, limit=None)  # many: read from the store's index
    together = {row["id"]: s for s, row in score_papers(store, rows, prof)}
    for row in rows[::50]:
        alone = score_papers(store, [row], prof)[0][0]  # one: a scratch copy
        assert alone == pytest.approx(together[row["id"]], abs=1e-9)


def test_rank_selection_streams_the_same_order(store):
    keep(store, ["1204.3980"])
    prof = Profile.from_dict(FULL)
    listed = score_papers(store, list_papers(store, limit=None), prof)
    streamed = rank_selection(store, Selection(), prof, limit=10)
    assert [r["id"] for _s, r in streamed] == [r["id"] for _s, r in listed[:10]]
    offset = rank_selection(store, Selection(), prof, limit=5, offset=5)
    assert [r["id"] for _s, r in offset] == [r["id"] for _s, r in listed[5:10]]


def test_score_papers_leaves_rows_alone(store):
    rows = list_papers(store, limit=5)
    before = json.dumps(rows, sort_keys=True)
    ranked = score_papers(store, rows, profile(upvotes=1))
    assert json.dumps(rows, sort_keys=True) == before
    assert len(ranked) == 5


# -- the profile in config.yaml ----------------------------------------------------------


def write_config(tmp_path, text: str):
    path = tmp_path / "home" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rank:\n  keywrods: {x: 1}\n", "unknown key 'rank.keywrods'"),
        (
            "rank:\n  keywords:\n    quantization: high\n",
            "'rank.keywords.quantization' should be a number",
        ),
        ("rank:\n  half_life: -3\n", "'rank.half_life' should be more than 0"),
        ("rank:\n  fuzzy: 3\n", "'rank.fuzzy' should be bool"),
        ("rank:\n  authors: Tri Dao\n", "'rank.authors' should be dict/list"),
        ("rank:\n  learned: yes\n", "'rank.learned' should be int/float, not bool"),
    ],
)
def test_config_mistakes_name_the_key(tmp_path, text, message):
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_profile()
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_config_profile_loads(tmp_path):
    write_config(
        tmp_path,
        "rank:\n  keywords: {quantization: 2, survey: -1}\n  authors: [Tri Dao]\n"
        "  categories: {cs.LG: 1.5}\n  half_life: 3\n",
    )
    p = load_profile()
    assert p.keywords == {"quantization": 2.0, "survey": -1.0}
    assert p.authors == {"Tri Dao": 1.0}
    assert p.categories == {"cs.LG": 1.5}
    assert p.half_life == 3 and p.learned == Profile().learned


def test_example_config_has_a_valid_rank_section():
    from pathlib import Path

    import yaml

    example = Path(__file__).parent.parent / "examples" / "config.yaml"
    data = yaml.safe_load(example.read_text())
    p = Profile.from_dict(data["rank"], str(example))
    assert p.keywords and p.authors and p.categories


# -- the command ------------------------------------------------------------------------


def test_rank_command_end_to_end(store, cli, cli_json, tmp_path):
    write_config(tmp_path, "rank:\n  keywords: {quantum: 2}\n  categories: {quant-ph: 1}\n")
    keep(store, ["1204.3980"])
    result = cli("rank", "-n", "5")
    assert result.exit_code == 0, result.output
    assert "no fetch yet" in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    scores_shown = [float(line.split("\t")[0]) for line in lines]
    assert scores_shown == sorted(scores_shown, reverse=True)
    data = cli_json("rank", "-n", "3", "-f", "json")
    assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)
    assert "quantum" in data[0]["title"].lower()
    expl = cli_json("rank", "--explain", data[0]["id"], "-f", "json")
    assert expl["score"] == pytest.approx(data[0]["score"], abs=1e-3)
    assert sum(c["points"] for c in expl["contributions"]) == pytest.approx(expl["score"])
    text = cli("rank", "--explain", data[0]["id"])
    assert text.exit_code == 0 and "'quantum' in the title" in text.stdout
    import csv
    import io

    rows = list(
        csv.DictReader(io.StringIO(cli("rank", "--explain", data[0]["id"], "-f", "csv").stdout))
    )
    assert rows[-1]["part"] == "total" and {r["id"] for r in rows} == {data[0]["id"]}
    assert [r["part"] for r in rows[:-1]] == [c["part"] for c in expl["contributions"]]
    assert float(rows[-1]["points"]) == pytest.approx(expl["score"], abs=1e-3)
    assert cli("rank", "--explain", data[0]["id"], "-f", "ids").stdout == data[0]["id"] + "\n"


def test_rank_command_filters_and_reports_bad_config(store, cli, cli_json, tmp_path):
    data = cli_json("rank", "--category", "hep-th", "-n", "50", "-f", "json")
    assert data and all("hep-th" in d["categories"] for d in data)
    write_config(tmp_path, "rank:\n  keywords:\n    quantization: high\n")
    result = cli("rank")
    assert result.exit_code == 1
    assert "rank.keywords.quantization' should be a number" in result.stderr
    assert cli("rank", "--explain", "9999.99999").exit_code == 1


def test_rank_defaults_to_the_last_fetch(store, cli_json, cli):
    from papertriage.models import make_paper
    from papertriage.store.runs import finish_run, start_run

    p = get_paper(store, "1204.3980")
    with transaction(store):
        run = start_run(store, "fetch", "test")
        ingest = Ingest(store, run)
        ingest.add(
            [make_paper(id="2611.00001", title=p["title"], abstract=p["abstract"], source="test")]
        )
        finish_run(store, run, "ok", ingest.counts)
    result = cli("rank", "-f", "ids")
    assert result.stdout.split() == ["2611.00001"]
    assert "new in the last fetch" in result.stderr


def test_papers_not_in_the_store_get_the_parts_that_need_no_index(store):
    row = {"id": "2609.99999", "title": "Quantum walks", "abstract": "", "published": None}
    row |= {"authors": ["Béla Bollobás"], "categories": ["math.CO"], "hf_upvotes": 9}
    prof = profile(authors={"B. Bollobas": 2}, categories={"math.CO": 1}, upvotes=1)
    [(score, same)] = score_papers(store, [row], prof)
    assert same is row and score == pytest.approx(2 + 1 + 1)


def test_scoring_inside_a_write_transaction(store):
    keep(store, ["1204.3980"])
    rows = list_papers(store, limit=3)
    with transaction(store):
        ranked = score_papers(store, rows, Profile.from_dict(FULL))
    assert len(ranked) == 3
    assert not store.execute(
        "SELECT name FROM temp.sqlite_master WHERE name LIKE 'rank_scratch%'"
    ).fetchall()


def test_rank_csv_has_the_score_first(store, cli):
    result = cli("rank", "-n", "2", "-f", "csv")
    header, first = result.stdout.splitlines()[:2]
    assert header.startswith("score,id,") and float(first.split(",")[0]) >= 0


def test_latest_decision_wins_over_a_tag(store):
    """Tag two papers, skip one: 1 kept (the tag alone, weakly) and 1 skipped."""
    from papertriage.rank.learned import TAGGED, load_feedback
    from papertriage.store.userdata import add_tags, mark

    quant = category_ids(store, "quant-ph")
    add_tags(store, quant[:2], ["mine"])
    mark(store, [quant[1]], "skip")
    fb = {f.id: (f.kept, f.strength) for f in load_feedback(store)}
    assert fb == {quant[0]: (True, TAGGED), quant[1]: (False, 1.0)}
    expl = explain(store, quant[3], profile(learned=5))
    assert (expl.kept, expl.skipped) == (1, 1)
    mark(store, [quant[1]], "read")  # the latest decision wins again
    assert {f.id: f.kept for f in load_feedback(store)} == {quant[0]: True, quant[1]: True}
    mark(store, [quant[1]], "unread")  # no decision in force: the tag alone
    assert {f.id: f.strength for f in load_feedback(store)} == {quant[0]: TAGGED, quant[1]: TAGGED}


def test_rank_leaves_out_papers_already_triaged(store, cli, cli_json):
    undated = {r[0] for r in store.execute("SELECT id FROM papers WHERE day IS NULL")}
    quant = [pid for pid in category_ids(store, "quant-ph") if pid not in undated]
    keep(store, quant[:8], "read")
    keep(store, quant[8:10], "skip")
    decided = set(quant[:10])
    every = ("--since", "1990-01-01")  # the dated papers; the default: the last fetch's
    top = cli("rank", *every, "-f", "ids").stdout.split()
    assert len(top) == 20 and not decided & set(top)
    assert sum(1 for pid in top if pid in quant) >= 8  # like the kept ones (at random: 2)
    assert set(cli("rank", "--seen", "-f", "ids").stdout.split()) == decided
    everything = cli("rank", *every, "--include-seen", "-n", "0", "-f", "ids").stdout.split()
    assert decided <= set(everything) and len(everything) == len(set(everything))
    assert len(cli("rank", *every, "-n", "0", "-f", "ids").stdout.split()) == len(everything) - 10
    expl = cli_json("rank", "--explain", quant[0], "-f", "json")  # any paper
    assert expl["id"] == quant[0] and expl["kept"] == 8 and expl["skipped"] == 2
    assert expl["decided"] == "read"
    assert (
        "you marked it read: rank lists it only with --seen"
        in cli("rank", "--explain", quant[0]).stdout
    )
    by_score = cli("export", "--sort", "score", "-f", "jsonl", "-n", "20").stdout.splitlines()
    assert len(by_score) == 20 and not decided & {json.loads(x)["id"] for x in by_score}
    listed = cli("export", "--sort", "score", "-f", "jsonl", "-n", "0", "--include-seen")
    assert decided <= {json.loads(x)["id"] for x in listed.stdout.splitlines()}


def test_popularity_is_a_tie_breaker_once_there_are_kept_papers(store):
    quant = category_ids(store, "quant-ph")
    others = [r["id"] for r in list_papers(store, limit=None) if r["id"] not in quant]
    add_copies(store, others[0], {"2601.00001": {"hf_upvotes": 500}})  # popular, unlike
    add_copies(store, quant[0], {"2601.00002": {"hf_upvotes": 0}})  # like, unpopular
    prof = Profile.from_dict({"recency": 0})  # the default otherwise
    first = scores(store, prof, ["2601.00001", "2601.00002"])
    assert first["2601.00001"] > first["2601.00002"]  # no feedback: popularity leads
    keep(store, quant[:3], "read")
    then = scores(store, prof, ["2601.00001", "2601.00002"])
    assert then["2601.00002"] > then["2601.00001"] + 2  # taste leads
    expl = explain(store, "2601.00001", prof)
    [up] = [c for c in expl.contributions if c.part == "upvotes"]
    assert up.points == pytest.approx(math.log10(501) / 13)
    assert "x 1/(1 + 4 x 3 kept) (a tie-breaker once you have kept papers)" in up.why


def test_a_feedback_paper_is_scored_as_if_the_model_had_not_seen_it(store):
    """Leave one out: a paper you tagged (or kept, or skipped) does not match itself.
    Its side of the model is taken over the other papers of that side only."""
    from papertriage.rank import learned

    quant = category_ids(store, "quant-ph")
    keep(store, quant[:6])
    keep(store, quant[6:8], "skip")
    model = Ranker(store, profile(learned=5)).model
    assert model is not None
    assert {f.id for f in model.kept + model.skipped} == set(quant[:8])
    assert set(model.own) == {f.pk for f in model.kept + model.skipped}
    counts, total_df = model.counts, learned.store_sample(store)
    stop = {t for t, w in model.idf.items() if w == 0.0}
    for leave in (model.kept[0], model.skipped[0]):
        kept = [f for f in model.kept if f is not leave]
        skip = [f for f in model.skipped if f is not leave]
        without, _ = learned._weights(counts, kept, skip, 0.5, *total_df, stop)
        own = model.own[leave.pk]
        assert own and all(
            t.weight - own[t.stem] == pytest.approx(without.get(t.stem, 0.0), abs=1e-12)
            for t in model.terms
            if t.stem in own
        )


def test_a_tagged_paper_ranks_below_its_own_copy(store, cli, cli_json):
    """A tag alone makes a paper weak feedback, not a decision: rank still lists it,
    but its learned points come from the other papers you kept, not from itself."""
    from papertriage.store.userdata import add_tags

    quant = category_ids(store, "quant-ph")
    add_copies(store, quant[0], {"2601.00009": {}})  # the same text, another id
    add_tags(store, [quant[0]], ["toread"])
    every = ("--since", "1990-01-01", "-n", "0", "-f", "json")
    scores = {p["id"]: p["score"] for p in cli_json("rank", *every)}
    assert scores["2601.00009"] > scores[quant[0]] + 3  # like the tagged one; it is not
    expl = cli_json("rank", "--explain", quant[0], "-f", "json")
    [part] = [c for c in expl["contributions"] if c["part"] == "learned"]
    assert part["points"] == 0 and "its own words left out" in part["why"]
    add_tags(store, quant[1:4], ["toread"])  # now it is like three other papers
    scores = {p["id"]: p["score"] for p in cli_json("rank", *every)}
    expl = cli_json("rank", "--explain", quant[0], "-f", "json")
    [part] = [c for c in expl["contributions"] if c["part"] == "learned"]
    assert part["points"] > 0.1 and expl["score"] == pytest.approx(scores[quant[0]], abs=1e-3)
