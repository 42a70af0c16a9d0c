"""The query language: what each query compiles to, and the errors for bad ones."""

import sqlite3

import pytest

from papertriage.errors import QueryError
from papertriage.find.query import compile_query, parse
from papertriage.find.textindex import quote


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("quantize llm", '("quantize" AND "llm")'),
        ('"layer wise" OR title:transformer', '("layer wise" OR title : "transformer")'),
        ("a -b", '("a" NOT "b")'),
        ("a NOT b c", '(("a" AND "c") NOT "b")'),
        ("diffus*", '"diffus"*'),
        (
            "title:(vision OR language) -abstract:survey",
            '(title : (("vision" OR "language")) NOT abstract : "survey")',
        ),
        ("author:lecun", 'authors_text : "lecun"'),
        ('title:"masked autoencoders"', 'title : "masked autoencoders"'),
        ("layer-wise", '("layer-wise" OR "layerwise")'),
        ("(a OR b) c", '(("a" OR "b") AND "c")'),
        ("a AND b", '("a" AND "b")'),
        # Operator words of FTS5 that are plain words here: lower case, or NEAR at all.
        ("To Mix or Not to Mix?", '("To" AND "Mix" AND "or" AND "Not" AND "to" AND "Mix?")'),
        ("NEAR", '"NEAR"'),
        ('"SEARCH AND RESCUE"', '"SEARCH AND RESCUE"'),
        # Punctuation a title carries stays inside a quoted FTS5 string.
        ("Search-R1: GPT-4", '("Search-R1:" AND "GPT-4")'),
        ("don't", '"don\'t"'),
        ('say "hi"" there"', '("say" AND "hi" AND " there")'),
    ],
)
def test_compiles_to_quoted_fts5(query, match):
    compiled = compile_query(query)
    assert compiled.match == match
    assert compiled.where == []


def test_every_compiled_query_is_valid_fts5():
    """What the compiler writes is accepted by FTS5 itself, whatever the user typed."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, abstract, authors_text, tokenize='porter')"
    )
    conn.execute("INSERT INTO t VALUES ('To Mix or Not to Mix?', 'NEAR AND NOT OR', 'Yann LeCun')")
    for query in [
        "NEAR",
        "To Mix or Not to Mix?",
        "Search-R1: GPT-4",
        'a "b""c"',
        "x*",
        "-a b",
        "{col}",
    ]:
        match = compile_query(query).match
        conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", [match]).fetchone()
    hits = conn.execute(
        "SELECT count(*) FROM t WHERE t MATCH ?", [compile_query("To Mix or Not to Mix?").match]
    )
    assert hits.fetchone()[0] == 1


def test_only_negative_terms_become_sql():
    compiled = compile_query("-survey")
    assert compiled.match is None
    assert compiled.where == [
        "papers.pk NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"
    ]
    assert compiled.params == ['"survey"']


def test_fields_cat_and_id_are_sql_conditions():
    compiled = compile_query("cat:cs.LG diffusion id:2410.*")
    assert compiled.match == '"diffusion"'
    assert compiled.params == ["cs.LG", "cs.LG.", "cs.LG.\uffff", "2410.", "2410.\uffff"]
    assert len(compiled.where) == 2


def test_or_across_text_and_category_is_one_sql_condition():
    compiled = compile_query("diffusion OR cat:cs.LG")
    assert compiled.match is None
    assert compiled.params == ['"diffusion"', "cs.LG", "cs.LG.", "cs.LG.\uffff"]
    assert compiled.where[0].count(" OR ") == 2  # the category's own OR, and the query's


def test_id_field_takes_any_id_form():
    compiled = compile_query("id:arXiv:2410.12345v2")
    assert compiled.params == ["2410.12345", "2410.12345"]


def test_highlight_words_leave_out_excluded_ones():
    assert compile_query('vision "masked autoencoders" -language').words == [
        "vision",
        "masked autoencoders",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('vision "masked autoencoders', "unbalanced quote at position 8"),
        ("(vision OR language", "unmatched '(' at position 1"),
        ("vision)", "unmatched ')' at position 7"),
        ("vision OR", "OR at position 8 needs a term on each side"),
        ("OR vision", "OR at position 1 needs a term on each side"),
        ("vision AND", "AND at position 8 needs a term on each side"),
        ("vision NOT", "NOT at position 8 needs a term after it"),
        ("title:", 'title: at position 1 needs a word or "phrase" after it'),
        ("cat:(cs.LG OR cs.CL)", "cat: at position 1 takes one value, not a group"),
        ("id:banana", "id: at position 4: 'banana' is not an arXiv id"),
        ("?? !!", "nothing to search for in '?? !!'"),
        ("title:(vision OR cat:cs.CV)", "title:( ... ) may hold only words"),
    ],
)
def test_bad_queries_get_a_one_line_error(query, message):
    with pytest.raises(QueryError) as info:
        compile_query(query)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_quote_escapes_quotes():
    assert quote('say "hi"') == '"say ""hi"""'


def test_parse_of_empty_query_is_none():
    assert parse("   ") is None
    assert compile_query(None).match is None
