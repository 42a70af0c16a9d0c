"""filter / search over a store of real listings: which papers come back, in what order."""

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papertriage.cli.app import app
from papertriage.find.selection import Selection, conditions, select

FIXTURES = Path(__file__).parent / "fixtures"

LISTINGS = [
    "hf_daily/2025-10-30.json",
    "hf_daily/2024-03-21_raw.json",
    "hf_page/papers_page_text_2025-12-15_first28.txt",  # Layer-Wise / layer-wise / Layerwise
    "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl",
    "arxiv_rss/rss_cs.LG_2026-04-27_trimmed3.xml",
    "arxiv_oai/ListRecords_arXivRaw_from2016-10-20_page1.xml",
    "arxiv_api/query_testing_start0_max10_2026-04-12.xml",
]
# Titles from the hf_page listing (provisional ids: the page text has no arXiv ids).
OWLORE = "prov:8c76efafef73"  # OwLore: Outlier-weighed Layerwise Sampled Low-Rank Projection ...
LUQ = "prov:63d61c6faa40"  # LUQ: Layerwise Ultra-Low Bit Quantization for Multimodal LLMs
LWQ = "prov:e2c57087daa3"  # Layer-Wise Quantization: A Pragmatic and Effective Method ...
LRP = "prov:d9d97c9c0e5a"  # ... DynamicLRP, A Model-Agnostic Solution To Layer-Wise Relevance Propagation
GRADS = "prov:d54c9930881a"  # ... through the Lens of Layer-wise Gradients
# Papers with "layer-wise" only in the abstract.
LAYERWISE_IN_ABSTRACT = {
    "prov:202e66def8e1",
    "prov:dc042c4f27ee",
    "prov:16b3cbfc820b",
    "prov:6802e1ab0461",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("find") / "papers.db"
    runner = CliRunner()
    for rel in LISTINGS:
        result = runner.invoke(app, ["import", str(FIXTURES / rel), "--db", str(path)])
        assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def ids(cli, store):
    def run(*args: str) -> list[str]:
        result = cli("filter", *args, "--db", store, "-f", "ids")
        assert result.exit_code == 0, result.stderr
        return result.stdout.split()

    return run


def test_words_are_stemmed_and_title_matches_rank_first(ids):
    assert ids("title:quantize") == [LWQ, "1602.01793", "1102.2226", "1509.08758", "1412.4033", LUQ]
    found = ids("quantize", "-n", "100")
    assert found[0] == LWQ  # "Quantization" in the title, and often in the abstract
    assert set(ids("title:quantize")) < set(found)


def test_all_words_must_match(ids):
    assert ids("To replace or not to replace") == ["1606.01782", "1502.01533"]
    assert ids('"To replace or not to replace"') == ["1606.01782"]


def test_titles_with_operator_words_find_themselves(ids):
    # Mixed-case Not, a trailing ?, and NEAR are words, not FTS5 syntax.
    assert ids("When Do We Not Need Larger Vision Models?") == ["2403.13043"]
    assert ids('"When Do We NOT Need Larger Vision Models"') == ["2403.13043"]
    # Near equipartitions ..., ... word-representability of near-triangulations,
    # Domain Wall Dynamics near a Quantum Critical Point
    assert ids("NEAR", "-n", "3") == ["1602.02264", "1605.01688", "0704.0193"]
    assert ids('title:"near a quantum critical point"') == ["0704.0193"]
    assert ids('"SEARCH AND RESCUE"') == []


def test_phrase_or_not_and_prefix(ids):
    assert ids('"vision models"') == ["2403.13043"]
    without = ids("vision -language")
    assert without == ids("vision NOT language")
    assert without[:3] == ["2403.13043", "prov:6802e1ab0461", "1403.6212"]
    assert "2403.13447" not in without  # HyperLLaVA: ... Visual and Language Expert Tuning
    assert ids("diffusion OR quantization", "--sort", "date", "-n", "5") == [
        "2604.21952",
        LUQ,
        "prov:bb9ba5d6a017",
        "prov:e428275032db",
        "prov:921a4acb4e0a",
    ]
    assert ids("diffus*", "-n", "3") == ["2403.13802", "1604.01754", "prov:e428275032db"]


def test_fields(ids):
    assert ids("author:naiman") == ["1606.01782"]
    assert ids('abstract:"layer-wise LR decay"') == ["prov:6802e1ab0461"]
    assert ids("cat:math.ST replace") == ["1606.01782", "1502.01533"]
    assert ids("id:arXiv:1606.01782v1") == ["1606.01782"]
    assert ids("id:2604.*") == ["2604.21956", "2604.21953", "2604.21952"]


def test_hyphenated_word_finds_both_spellings(ids):
    assert ids("layerwise") == [LUQ, OWLORE]
    assert set(ids("layer-wise")) == {OWLORE, LUQ, LWQ, LRP, GRADS} | LAYERWISE_IN_ABSTRACT


def test_relevance_puts_title_matches_first(ids):
    found = ids("layer-wise")
    assert found[:5] == [LUQ, OWLORE, LRP, LWQ, GRADS]  # by bm25 over the titles
    assert set(found[5:]) == LAYERWISE_IN_ABSTRACT  # then by bm25 over the whole paper
    assert ids("layer-wise", "-n", "3", "--offset", "4") == found[4:7]  # pages across the tiers
    assert ids("layer-wise", "--source", "hf-page", "-n", "6") == found[:6]  # with a facet


def test_fuzzy_hyphenation(ids):
    assert ids("title:layerwise", "--fuzzy") == [LUQ, OWLORE, GRADS, LRP, LWQ]
    everything = {OWLORE, LUQ, LWQ, LRP, GRADS} | LAYERWISE_IN_ABSTRACT
    assert set(ids("layerwise", "--fuzzy")) == everything
    assert set(ids("layer wise", "--fuzzy")) == everything


def test_fuzzy_typos_and_spellings(ids):
    assert ids("transfromer") == []
    assert ids("transfromer", "--fuzzy", "-n", "100") == ids("transformer", "-n", "100")
    assert ids("quantisation") == []
    assert ids("quantisation", "--fuzzy", "-n", "100") == ids("quantization", "-n", "100")
    # A word the index knows well is not "corrected", nor split at a function word.
    assert ids("quantum", "--fuzzy", "-n", "100") == ids("quantum", "-n", "100")
    assert ids("theory", "--fuzzy", "-n", "100") == ids("theory", "-n", "100")


def test_author_facet_initials_accents_order_typo(ids):
    both = ["1509.08758", "1410.3315"]  # Sylvain Lannebère, Mário G. Silveirinha
    assert ids("-a", "M. G. Silveirinha") == both
    assert ids("-a", "mario silveirinha") == both
    assert ids("-a", "Lannebere, S.") == both
    assert ids("-a", "Silveirnha") == both
    assert ids("-a", "Maria Silveirinha") == []
    assert ids("-a", "D. Naiman", "-a", "Muller, T.") == ["1606.01782", "0704.0199"]


def test_category_facet_with_prefixes(ids):
    assert ids("-c", "math.ST", "-n", "3") == ["1606.04760", "1606.01782", "1605.02880"]
    assert ids("-c", "math.st", "-n", "3") == ids("-c", "math.ST", "-n", "3")
    archive = ids("-c", "math", "-n", "500")
    assert "1606.04760" in archive  # cs.IT, cross-listed as math.IT
    assert set(ids("-c", "math.*", "-n", "500")) == set(archive)
    assert ids("-c", "cs.LG", "-c", "cs.CL", "-n", "3") == [
        "2604.21956",
        "2604.21953",
        "2604.21952",
    ]


def test_other_facets_and_sorts(ids):
    assert ids("--min-upvotes", "30", "--sort", "upvotes") == [
        "2510.23473",
        "2510.23538",
        "2403.13248",
        "2403.13372",
        "2510.24592",
        "2510.25741",
    ]
    # A paper's day is the later of its arXiv date and its day on HF: the papers of the
    # 2025-10-30 listing, first submitted on 10-27 to 10-29, are news of 10-30.
    assert ids("--since", "2025-10-28", "--until", "2025-10-28") == []
    featured = ids("--since", "2025-10-30", "--until", "2025-10-30", "-n", "0")
    assert "2510.24824" in featured and len(featured) == 20
    # a month, as fetch --date takes it: --since from its first day, --until to its last
    assert sorted(ids("--since", "2025-10", "--until", "2025-10", "-n", "0")) == sorted(
        ids("--since", "2025-10-01", "--until", "2025-10-31", "-n", "0")
    )
    assert set(featured) <= set(ids("--until", "2025-10", "-n", "0"))
    assert ids("--until", "2025-09", "-n", "0") == ids("--until", "2025-09-30", "-n", "0")
    assert ids("--since", "2025-10-29", "--min-upvotes", "20", "--sort", "upvotes") == [
        "2510.23473",  # first submitted 2025-10-27, featured on HF 2025-10-30
        "2510.23538",
        "2510.24592",
        "2510.25741",
        "2510.25065",
        "2510.25726",
        "2510.25590",
    ]
    assert ids("--source", "arxiv-rss") == ["2604.21956", "2604.21953", "2604.21952"]
    assert ids("quantize", "--source", "hf-page", "--sort", "date") == [
        LUQ,
        LWQ,
        "prov:705a9f220c4f",
    ]


def test_limit_offset_and_search_alias(cli, store, ids):
    page = ids("quantize", "-n", "4")
    assert ids("quantize", "-n", "2", "--offset", "2") == page[2:]
    result = cli("search", "quantize", "-n", "4", "--db", store, "-f", "ids")
    assert result.stdout.split() == page


def test_no_query_lists_like_list(cli, store, ids):
    listed = cli("list", "--db", store, "-f", "ids").stdout.split()
    assert ids() == listed
    assert len(listed) == 20


def test_json_rows_are_full_records(cli, store):
    result = cli("filter", "title:quantize", "-n", "1", "--db", store, "-f", "json")
    [row] = json.loads(result.stdout)
    assert row["id"] == LWQ
    assert row["title"].startswith("Layer-Wise Quantization: A Pragmatic")
    assert "pk" not in row and "title_key" not in row


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('vision "masked', "Error: unbalanced quote at position 8"),
        ("vision OR", "Error: OR at position 8 needs a term on each side"),
        ("id:banana", "Error: id: at position 4: 'banana' is not an arXiv id"),
    ],
)
def test_bad_query_is_one_line_error(cli, store, query, message):
    result = cli("filter", query, "--db", store)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


def test_bad_sort_and_date_are_usage_errors(cli, store):
    assert cli("filter", "--sort", "stars", "--db", store).exit_code == 2
    assert cli("filter", "--since", "last tuesday", "--db", store).exit_code == 2
    month = cli("filter", "--until", "2025-13", "--db", store)
    assert (
        month.exit_code == 2 and "'2025-13' is not a date (use YYYY-MM-DD, YYYY-MM," in month.stderr
    )


def test_conditions_give_the_same_papers_to_own_selects(store):
    """Other commands build SELECT ... FROM papers from `conditions`: same set of papers."""
    conn = sqlite3.connect(store)
    sel = Selection(query="layer-wise -quantization", categories=[], limit=None)
    where, params = conditions(conn, sel)
    sql = "SELECT id FROM papers WHERE " + " AND ".join(f"({w})" for w in where)
    got = {r[0] for r in conn.execute(sql, params)}
    conn.row_factory = sqlite3.Row
    assert got == {r["id"] for r in select(conn, sel)}
    assert got == {OWLORE, LRP, GRADS} | LAYERWISE_IN_ABSTRACT


def test_sort_score_uses_the_rank_score(store):
    from papertriage.rank.ranking import find, score_papers

    conn = sqlite3.connect(store)
    conn.row_factory = sqlite3.Row
    by_score = list(find(conn, Selection(query="quantize", sort="score", limit=None)).rows)
    by_date = select(conn, Selection(query="quantize", sort="date", limit=None))
    assert [r["id"] for r in by_score] == [r["id"] for _s, r in score_papers(conn, by_date)]
    page = find(conn, Selection(query="quantize", sort="score", limit=2, offset=1)).rows
    assert [r["id"] for r in page] == [r["id"] for r in by_score[1:3]]
    with pytest.raises(ValueError):  # the score is rank's: the plain selection says so
        select(conn, Selection(query="quantize", sort="score"))


def test_table_highlights_words_and_their_stems(store, monkeypatch):
    import io
    import sys

    from papertriage.cli.papers import highlights
    from papertriage.output import Format

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    conn = sqlite3.connect(store)
    assert highlights(conn, ["quantize", "Mix?"], Format.table) == [
        "Mix",
        "mix",
        "quantiz",
        "quantize",
    ]
    assert highlights(conn, ["quantize"], Format.json) == []


@pytest.mark.parametrize("columns", [80, 120])
def test_a_narrow_table_keeps_an_author_and_says_what_it_hides(columns, monkeypatch, capsys):
    from papertriage.output import _table

    monkeypatch.setenv("COLUMNS", str(columns))
    rows = [{"id": "1706.03762", "title": "Attention Is All You Need", "primary_category": "cs.CL",
             "authors": ["Ashish Vaswani", "Noam Shazeer"], "published": "2017-06-12"}]  # fmt: skip
    _table(rows, ())
    out, err = capsys.readouterr()
    assert max(len(line) for line in out.splitlines()) <= columns
    if columns < 100:
        assert "Vaswani+" in out and "cs.CL" not in out
        assert "below 100 columns: no category, first authors only" in err
    else:
        assert "Ashish Vaswani, Noam Shazeer" in out and "cs.CL" in out and err == ""


def test_compatibility_forms_match_plain_words(cli, tmp_path):
    """A ligature pasted from a PDF ("ﬁnite") or full-width letters find "finite", and
    plain queries find papers written with them: index text and queries share NFKC."""
    lines = (FIXTURES / "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl").read_text()
    records = [json.loads(line) for line in lines.splitlines()]
    plain = sorted(r["id"] for r in records if "finite" in r["abstract"].lower().split())
    assert len(plain) >= 3
    odd = records[0]  # about the Higgs; nothing "finite" in it
    assert "finite" not in odd["abstract"].lower()
    odd["abstract"] += " We prove ﬁniteness in ＦＩＮＩＴＥ time."
    path = tmp_path / "k.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    db = tmp_path / "s.db"
    assert cli("import", path, "--db", db).exit_code == 0
    found = {}
    for query in ("finite", "ﬁnite", "ｆｉｎｉｔｅ", "abstract:finite", "abstract:ＦＩＮＩＴＥ"):
        result = cli("filter", query, "--db", db, "-f", "ids", "-n", "0")
        assert result.exit_code == 0, result.stderr
        found[query] = sorted(result.stdout.split())
    assert odd["id"] in found["finite"] and set(plain) <= set(found["finite"])
    assert found["ﬁnite"] == found["ｆｉｎｉｔｅ"] == found["finite"]
    assert found["abstract:ＦＩＮＩＴＥ"] == found["abstract:finite"]
    assert odd["id"] in found["abstract:finite"]
