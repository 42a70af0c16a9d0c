"""`papertriage export`: Markdown parsed back with markdown-it, BibTeX with bibtexparser,
CSV with the csv module, JSON re-imported; -o atomic; byte-for-byte determinism."""

import csv
import io
import json
import os
import re
import stat
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import convert_to_unicode
from hypothesis import given, settings
from hypothesis import strategies as st

from markdown_helpers import html_tokens, items, parse
from papertriage.atomicfile import write_atomic
from papertriage.errors import OutputFileError
from papertriage.export import writers as writers
from papertriage.export.bibtex import base_key, citation_keys, entry, tex_escape
from papertriage.export.writers import md_escape
from papertriage.models import PAPER_COLUMNS

HF = "hf_daily/2025-10-30.json"
KAGGLE = "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"
EXAMPLES = Path(__file__).parent.parent / "examples"
NASTY = [
    "<script>alert(1)</script> *bold* _it_ [link](http://evil) | a | b | # `code`",
    "&amp; &#65; ~~struck~~ $x_1$ \\*not\\* <!-- c --> ![img](x.png)",
    "1. Not a list",
    "- not a list either",
    "> not a quote",
    "=SUM(A1:A9)",
]


@pytest.fixture
def store(cli, fixture_path):
    for name in (HF, KAGGLE):
        assert cli("import", fixture_path(name)).exit_code == 0
    return cli


@pytest.fixture
def nasty_store(cli, tmp_path):
    records = [
        {
            "id": f"2501.0000{n}",
            "title": title,
            "abstract": f"Abstract {n}: {title}",
            "authors": ["=Eve", "Bob *B* Smith", "C <D>", "Dee"],
            "primary_category": "cs.CL",
            "published": f"2025-01-0{n + 1}",
            "hf_upvotes": n,
            "code_url": "javascript:alert(1)" if n == 0 else "https://github.com/a/b (c)",
        }
        for n, title in enumerate(NASTY)
    ]
    path = tmp_path / "nasty.json"
    path.write_text(json.dumps(records))
    assert cli("import", path).exit_code == 0
    return cli


# ---- Markdown -------------------------------------------------------------------------


def test_markdown_reading_list_structure(store):
    result = store("export", "--since", "2025-01-01", "--abstracts")
    assert result.exit_code == 0, result.output
    tokens = parse(result.stdout)
    assert [t.content for t in tokens if t.type == "inline"][0] == "Reading list"
    found = items(tokens)
    assert len(found) == 20
    by_id = {href.rsplit("/", 1)[1]: (text, inline) for href, text, inline in found}
    text, inline = by_id["2510.23473"]
    assert text == 'Video-Thinker: Sparking "Thinking with Videos" via Reinforcement Learning'
    assert inline.content.startswith("[ ] [")  # a task-list item
    assert "51 upvotes" in inline.content and "et al." in inline.content
    hrefs = [k.attrs["href"] for k in inline.children if k.type == "link_open"]
    assert hrefs[:3] == [
        "https://arxiv.org/abs/2510.23473",
        "https://arxiv.org/pdf/2510.23473",
        "https://huggingface.co/papers/2510.23473",
    ]
    assert sum(t.type == "blockquote_open" for t in tokens) == 20
    assert "20 papers, dated 2025-10-" in result.stdout.splitlines()[2]
    dates = [line.split(" · ")[1] for line in result.stdout.splitlines() if line.startswith("  — ")]
    assert dates == sorted(dates, reverse=True)


def test_markdown_heading_states_selection_and_date(store):
    out = store(
        "export",
        "--min-upvotes",
        "30",
        "--sort",
        "upvotes",
        "--title",
        "Top *HF*",
        "--date",
        "2025-10-31",
    ).stdout
    lines = out.splitlines()
    assert lines[0] == "# Top \\*HF\\*, 2025-10-31"
    assert lines[2] == ("4 papers, dated 2025-10-30; at least 30 upvotes; most upvoted first.")
    ups = [
        int(line.split(" upvotes")[0].rsplit(" ", 1)[1]) for line in lines if "upvotes ·" in line
    ]
    assert ups == [51, 50, 32, 30]


def test_markdown_specials_round_trip_as_text(nasty_store):
    out = nasty_store("export", "--abstracts", "--summary").stdout
    tokens = parse(out)
    assert html_tokens(tokens) == []
    found = items(tokens)
    assert sorted(text for _href, text, _ in found) == sorted(NASTY)
    assert not [t for t in tokens if t.type in ("table_open", "s_open", "heading_open")][1:]
    quotes = [
        "".join(k.content for k in tokens[n + 2].children)
        for n, t in enumerate(tokens)
        if t.type == "blockquote_open"
    ]
    assert sorted(quotes) == sorted(f"Abstract {n}: {title}" for n, title in enumerate(NASTY))
    assert "javascript:" not in out
    assert "https://github.com/a/b%20%28c%29" in out


text_strategy = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"))
    | st.sampled_from("*_[]<>|#`\\&;!-+=.1)~$ "),
    max_size=60,
)


@given(text_strategy)
@settings(max_examples=300, deadline=None)
def test_md_escape_round_trips_any_text(text):
    expected = " ".join(text.split())
    link = parse(f"- [ ] [{md_escape(text) or 'x'}](https://arxiv.org/abs/1)\n")
    assert html_tokens(link) == []
    found = items(link)
    assert len(found) == 1 and found[0][1] == (expected or "x")
    quote = parse(f"- [ ] x\n  > {md_escape(text)}\n")
    inline = [t for t in quote if t.type == "inline"][1:] if expected else []
    assert "".join(k.content for t in inline for k in t.children) == expected
    assert html_tokens(quote) == []
    heading = parse(f"# {md_escape(text)}\n")
    assert heading[0].type == "heading_open"
    assert "".join(k.content for k in heading[1].children) == expected


def test_group_by_tag_lists_a_paper_under_each_tag(store, conn):
    conn.executemany(
        "INSERT INTO tags (paper_id, tag, created) VALUES (?, ?, '2025-01-01')",
        [("2510.23473", "video"), ("2510.23473", "rl"), ("2510.25741", "rl")],
    )
    out = store("export", "--since", "2025-01-01", "--group-by", "tag").stdout
    tokens = parse(out)
    heads = [
        tokens[n + 1].content
        for n, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h2"
    ]
    assert heads == ["rl (2)", "video (1)", "Untagged (18)"]
    assert len(items(tokens)) == 21


@pytest.mark.parametrize(
    ("group", "first", "count"),
    [("date", "2025-10-30 (20)", 3), ("category", "astro-ph (19)", 55)],
)
def test_group_by_date_and_category(store, group, first, count):
    # the HF papers' day is the day they were featured (2025-10-30), not their arXiv date
    args = ("--since", "2007-04-01") if group == "date" else ("--until", "2010-01-01")
    out = store("export", *args, "--group-by", group).stdout
    tokens = parse(out)
    heads = [
        tokens[n + 1].content
        for n, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == "h2"
    ]
    assert heads[0] == first and len(heads) == count


def test_markdown_is_byte_for_byte_deterministic(store, fixture_path):
    args = ("export", "--since", "2025-01-01", "--abstracts", "--group-by", "date")
    first = store(*args).stdout
    store("import", fixture_path(HF))  # re-import: bookkeeping moves, the list must not
    assert store(*args).stdout == first


def test_empty_selection(store):
    out = store("export", "--min-upvotes", "100000").stdout
    assert out.endswith("0 papers; at least 100000 upvotes; newest first.\n\nNo papers.\n")


# ---- BibTeX ---------------------------------------------------------------------------


def load_bib(text: str, unicode: bool = False):
    parser = BibTexParser(
        common_strings=True, customization=convert_to_unicode if unicode else None
    )
    return {e["ID"]: e for e in bibtexparser.loads(text, parser=parser).entries}


def test_bibtex_kaggle_fields(store):
    text = store("export", "-f", "bibtex", "--until", "2010-01-01").stdout
    entries = load_bib(text, unicode=True)
    assert len(entries) == 200
    e = entries["balazs2007calculation"]
    assert e["ENTRYTYPE"] == "misc"  # a journal_ref is not a journal name
    assert e["eprint"] == "0704.0001" and e["archiveprefix"] == "arXiv"
    assert e["eprinttype"] == "arxiv" and e["month"] == "April" and e["year"] == "2007"
    assert e["primaryclass"] == "hep-ph"
    assert e["doi"] == "10.1103/PhysRevD.76.013009"
    assert e["author"].startswith("C. Balázs and E. L. Berger")
    assert e["url"] == "https://arxiv.org/abs/0704.0001"
    assert e["howpublished"] == "Phys.Rev.D76:013009,2007" and "journal" not in e
    assert "note" not in e
    raw = load_bib(text)
    assert raw["balazs2007calculation"]["author"].startswith("C. Bal{\\'{a}}zs")
    assert "Koll{\\'{a}}r's injectivity" in text  # TeX accent in a title, kept as an accent
    assert "$\\Lambda_{\\alpha}$" in text  # math kept as math
    assert "N\\_c dependence" in text
    assert "babar2007measurement" in entries  # a collaboration is keyed by its name


def test_bibtex_hf_papers_are_misc(store):
    entries = load_bib(store("export", "-f", "bibtex", "--since", "2025-01-01").stdout)
    e = entries["wang2025videothinker"]
    assert e["ENTRYTYPE"] == "misc" and e["eprint"] == "2510.23473"
    assert "primaryclass" not in e and "doi" not in e
    assert len(entries) == 20


def test_bibtex_keys_unique_and_stable():
    papers = [
        {"id": f"2401.0000{n}", "authors": ["Ashish Vaswani"], "title": "Attention Is All You Need",
         "published": "2017-06-12"}
        for n in range(4)
    ] + [{"id": "2401.00009", "authors": ["Áine Ó Vaswani"], "title": "The Attentiona",
          "published": "2017-01-01"}]  # fmt: skip
    keys = citation_keys(papers)
    assert keys["2401.00000"] == "vaswani2017attention"
    assert keys["2401.00001"] == "vaswani2017attentionb"  # "…attentiona" is taken already
    assert keys["2401.00009"] == "vaswani2017attentiona"
    assert len(set(keys.values())) == 5
    assert citation_keys(list(reversed(papers))) == keys


def test_base_key_folds_names_and_skips_stopwords():
    paper = {
        "authors": ["Mikkel Øbro", "X"],
        "title": "On the $p$-adic ß",
        "published": "2007-04-01",
    }
    assert base_key(paper) == "obro2007padic"
    assert (
        base_key({"authors": ["Neal J. Evans II"], "title": "A", "published": None}) == "evanspaper"
    )


SPECIALS = "& % $ # _ { } ~ ^ \\ < > } {{ Øbro Šrámek"


@given(
    st.lists(st.sampled_from([*SPECIALS, "a", "é", "$x^2$", "\\'e", "@"]), max_size=30).map("".join)
)
@settings(max_examples=200, deadline=None)
def test_bibtex_accepts_any_title(title):
    paper = {"id": "2401.00001", "title": title, "authors": [title or "A"], "published": "2024-01-01",
             "abs_url": "https://arxiv.org/abs/2401.00001"}  # fmt: skip
    text = entry(paper, "k2024", abstract=True)
    parsed = load_bib(text)
    assert list(parsed) == ["k2024"] and parsed["k2024"]["eprint"] == "2401.00001"
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0


def test_tex_escape_specials():
    assert tex_escape("Q&A: 50% of #1_x ~ ^") == (
        "Q\\&A: 50\\% of \\#1\\_x \\textasciitilde{} \\textasciicircum{}"
    )
    assert (
        tex_escape("{Ki(z)} \\ $$")
        == "\\textbraceleft{}Ki(z)\\textbraceright{} \\textbackslash{} \\$\\$"
    )
    assert tex_escape("$a%b$ $\\alpha$") == "\\$a\\%b\\$ $\\alpha$"


@pytest.mark.parametrize(
    ("text", "tex"),
    [
        ("$\\omega$Test and $ω$Test", "$\\omega$Test and ${\\omega}$Test"),  # math stays math
        ("ω-net, β-VAE, x ≤ 3", "{$\\omega$}-net, {$\\beta$}-VAE, x {$\\leq$} 3"),
        ("Balázs Bala\u0301zs x\u0301", "Bal{\\'{a}}zs Bal{\\'{a}}zs {\\'{x}}"),  # NFC or not
        ("Koll\\'ar", "Koll{\\'{a}}r"),
        ("Ελλάδα ΑΒ 中文", "Ελλάδα AB 中文"),  # a Greek word, Latin-looking capitals, CJK
    ],
)
def test_tex_escape_unicode_one_rule(text, tex):
    assert tex_escape(text) == tex


@pytest.mark.parametrize(
    "math",
    [
        "$\\input{/etc/passwd}$",
        "$\\include{x}$",
        "$\\immediate\\write18{rm -rf ~}$",
        "$\\def\\x{y}$",
        "$\\catcode`\\^=7$",
        "$\\csname input\\endcsname{x}$",
        "$^^5cinput{x}$",
        "$\\makeatletter\\@input{x}$",
    ],
)
def test_bibtex_neutralizes_tex_that_runs(math):
    text = entry({"id": "2401.00001", "title": f"Attack {math}", "authors": ["A B"],
                  "published": "2024-01-01"}, "k")  # fmt: skip
    title = load_bib(text)["k"]["title"]
    assert "\\textbackslash{}" in title or "\\textasciicircum{}" in title
    assert not re.search(r"\\(input|include|write|def|catcode|csname|makeatletter)\b", title)
    assert "$" not in title.replace("\\$", "")  # no math left to run
    assert "$\\mathcal{O}(n^2)$" in entry({"id": "2401.00001", "title": "$\\mathcal{O}(n^2)$"}, "k")


def test_bibtex_escapes_doi_primary_class_and_url():
    paper = {"id": "2401.00001", "title": "T", "authors": ["A B"], "published": "2024-01-01",
             "doi": "10.1/x}\\input{/etc/passwd", "primary_category": "cs.LG}\\def",
             "abs_url": "https://arxiv.org/abs/2401.00001 x"}  # fmt: skip
    e = load_bib(entry(paper, "k"))["k"]
    assert e["doi"] == "10.1/x%7D%5Cinput%7B/etc/passwd"
    assert e["primaryclass"] == "cs.LG\\textbraceright{}\\textbackslash{}def"
    assert e["url"] == "https://arxiv.org/abs/2401.00001%20x"


def test_bibtex_title_only_records_are_flagged_and_linked():
    e = load_bib(entry({"id": "prov:0123456789ab", "title": "Only a title"}, "k"))["k"]
    assert e["note"] == "metadata incomplete" and "eprint" not in e and "url" not in e
    linked = {
        "id": "2401.00001",
        "title": "T",
        "hf_url": "https://huggingface.co/papers/2401.00001",
    }
    e = load_bib(entry({**linked, "abs_url": None}, "k"))["k"]
    assert e["url"] == linked["hf_url"] and e["note"] == "metadata incomplete"
    assert e["eprinttype"] == "arxiv"


def test_a_real_export_parses_and_formats_entry_by_entry(cli, fixture_path):
    """Every entry of an export of real listings (arXiv math-heavy RSS, HF daily,
    a pasted HF page, the arXiv API) is read by bibtexparser and formatted by pybtex's
    plain style, which refuses an entry missing a field its type requires."""
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    for name in ("arxiv_rss/rss_old_rdf_math_2012-09-12.xml", HF,
                 "hf_page/papers_page_text_2025-12-15_first28.txt",
                 "arxiv_api/query_testing_start0_max10_2026-04-12.xml"):  # fmt: skip
        assert cli("import", fixture_path(name)).exit_code == 0
    text = cli("export", "-f", "bibtex", "--abstracts").stdout
    count = text.count("\n@") + 1
    assert count == 126 + 20 + 28 + 10 and len(load_bib(text, unicode=True)) == count
    style = find_plugin("pybtex.style.formatting", "plain")()
    backend = find_plugin("pybtex.backends", "text")()
    entries = parse_string(text, "bibtex").entries
    assert len(entries) == count
    formatted = {e.key: e.text.render(backend) for e in style.format_entries(entries.values())}
    assert len(formatted) == count and all(formatted.values())
    assert text.count("note = {metadata incomplete}") == 28  # the pasted page's titles
    assert "{{Contiguous relations of $_3\\phi_2$-series}}" in text  # math kept
    assert text.count("\n@misc{") == count - 1 and "@article" not in text


# ---- CSV and JSON ---------------------------------------------------------------------


def test_csv_neutralizes_formulas(nasty_store):
    out = nasty_store("export", "-f", "csv", "--abstracts").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(NASTY)
    by_id = {r["id"]: r for r in rows}
    assert by_id["2501.00005"]["title"] == "'=SUM(A1:A9)"
    assert by_id["2501.00003"]["title"] == "'- not a list either"
    assert by_id["2501.00000"]["authors"].startswith("'=Eve; Bob *B* Smith")
    assert by_id["2501.00000"]["abstract"].startswith("Abstract 0: <script>")
    assert not any(v.startswith(tuple("=+-@")) for r in rows for v in r.values())


def test_csv_kaggle_columns(store):
    rows = list(
        csv.DictReader(io.StringIO(store("export", "-f", "csv", "--until", "2010-01-01").stdout))
    )
    row = next(r for r in rows if r["id"] == "0704.0001")
    assert row["doi"] == "10.1103/PhysRevD.76.013009" and row["primary_category"] == "hep-ph"
    assert row["authors"] == "C. Balázs; E. L. Berger; P. M. Nadolsky; C. -P. Yuan"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_export_reimports_to_identical_records(store, cli, tmp_path, fmt):
    out = tmp_path / f"all.{fmt}"
    assert store("export", "-f", fmt, "-o", out).exit_code == 0
    other = tmp_path / "other.db"
    result = cli("import", out, "--db", other)
    assert result.exit_code == 0 and "read 220, new 220" in result.stderr
    again = tmp_path / f"again.{fmt}"
    assert cli("export", "-f", fmt, "-o", again, "--db", other).exit_code == 0

    def records(path):
        text = path.read_text()
        rows = (
            json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
        )
        return [{k: r[k] for k in PAPER_COLUMNS} for r in rows]

    first, second = records(out), records(again)
    assert len(first) == 220 and first == second
    paper = next(r for r in first if r["id"] == "0704.0001")
    assert paper["authors"][0] == "C. Balázs" and paper["doi"] == "10.1103/PhysRevD.76.013009"


# ---- -o, atomically -------------------------------------------------------------------


def test_output_file_written_atomically(store, tmp_path, monkeypatch):
    target = tmp_path / "list.md"
    target.write_text("old list\n")
    os.chmod(target, 0o640)
    assert store("export", "--since", "2025-01-01", "-o", target).exit_code == 0
    good = target.read_text()
    assert good.startswith("# Reading list") and stat.S_IMODE(target.stat().st_mode) == 0o640

    def broken(papers, out, *args):
        out.write("# half a list\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writers, "write_markdown", broken)
    result = store("export", "-o", target)
    assert result.exit_code == 1
    assert "list.md: cannot write: No space left on device" in result.stderr
    assert target.read_text() == good
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".list")) == []


def test_write_atomic_keeps_old_file_on_any_error(tmp_path):
    target = tmp_path / "x.bib"
    target.write_text("old")

    def boom(out):
        out.write("new" * 10000)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, boom)
    assert target.read_text() == "old" and len(list(tmp_path.iterdir())) == 1
    with pytest.raises(OutputFileError, match="does not exist"):
        write_atomic(tmp_path / "nodir" / "x.md", lambda out: out.write("x"))


# ---- examples/ ------------------------------------------------------------------------

EXAMPLE_ARGS = (
    "--min-upvotes",
    "5",
    "--sort",
    "upvotes",
    "--summary",
    "--title",
    "HF Daily Papers, 2026-08-12",
)


def test_example_reading_list_is_current(cli):
    assert cli("import", EXAMPLES / "hf_daily_2026-08-12.json").exit_code == 0
    result = cli("export", *EXAMPLE_ARGS)
    assert result.exit_code == 0
    assert (EXAMPLES / "reading-list.md").read_text() == result.stdout
    assert len(items(parse(result.stdout))) == 11


def test_sort_by_score_is_the_rank_order(store, conn):
    from papertriage.find.selection import Selection, select
    from papertriage.rank.ranking import score_papers

    out = store("export", "--since", "2025-01-01", "--sort", "score", "-n", "5").stdout
    exported = [href.rsplit("/", 1)[1] for href, _, _ in items(parse(out))]
    rows = select(conn, Selection(since="2025-01-01", limit=None))
    assert exported == [row["id"] for _score, row in score_papers(conn, rows)][:5]
    assert "best score first; at most 5." in out


def test_query_and_category_filters_apply(store):
    entries = load_bib(store("export", "diphoton", "-f", "bibtex").stdout)
    assert list(entries) == ["balazs2007calculation"]
    rows = list(csv.DictReader(io.StringIO(store("export", "-c", "math.CO", "-f", "csv").stdout)))
    assert len(rows) == 6 and all("math.CO" in r["categories"].split("; ") for r in rows)


def test_output_to_a_device_writes_in_place_and_keeps_the_device():
    import os
    import stat

    from papertriage.atomicfile import write_atomic

    write_atomic(os.devnull, lambda s: s.write("discarded\n"))
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_markdown_summary_is_its_own_paragraph_after_the_abstract(store):
    out = store("export", "--since", "2025-10-30", "--abstracts", "--summary").stdout
    tokens = parse(out)
    quotes = []
    for n, t in enumerate(tokens):
        if t.type == "blockquote_open":
            end = next(i for i in range(n, len(tokens)) if tokens[i].type == "blockquote_close")
            quotes.append([k.content for k in tokens[n:end] if k.type == "inline"])
    both = [q for q in quotes if any("AI summary" in p for p in q)]
    assert both and len(both) < len(quotes)  # some papers here have no AI summary
    for paragraphs in both:
        assert len(paragraphs) == 2 and paragraphs[1].startswith("AI summary: ")
        assert "AI summary" not in paragraphs[0]


def _user_data(db_file):
    import sqlite3

    conn = sqlite3.connect(db_file)
    try:
        return (
            sorted(conn.execute("SELECT paper_id, tag FROM tags")),
            sorted(conn.execute("SELECT paper_id, text FROM notes")),
            conn.execute(
                "SELECT paper_id, decision FROM decisions WHERE undone = 0 ORDER BY id"
            ).fetchall(),
        )
    finally:
        conn.close()


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_own_export_restores_tags_notes_and_decisions(cli, fixture_path, tmp_path, fmt):
    """export -f json/jsonl then import into another store: the user's data comes
    back, merged with what that store holds (nothing removed), once however often."""
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    hf = fixture_path("hf_daily/2025-10-30.json")
    for args in (
        ("import", hf),
        ("tag", "2510.23473", "video", "rl"),
        ("tag", "2510.23538", "video"),
        ("note", "2510.23473", "Read the ablations"),
        ("mark", "2510.23473", "keep"),
        ("mark", "2510.23538", "skip"),
    ):
        result = cli(*args, "--db", a)
        assert result.exit_code == 0, result.output
    out = tmp_path / f"export.{fmt}"
    assert cli("export", "-f", fmt, "-n", "0", "-o", out, "--db", a).exit_code == 0
    # the other store knows one of the papers, with its own tag, note and decision
    for args in (
        ("import", hf),
        ("tag", "2510.23473", "mine"),
        ("note", "2510.23473", "My own note"),
        ("mark", "2510.23473", "read"),
    ):
        assert cli(*args, "--db", b).exit_code == 0
    result = cli("import", out, "--db", b)
    assert result.exit_code == 0, result.output
    assert "restored 3 tags, 1 note, 1 decision" in result.stderr
    tags, notes, decisions = _user_data(b)
    assert tags == sorted(
        [
            ("2510.23473", "mine"),
            ("2510.23473", "rl"),
            ("2510.23473", "video"),
            ("2510.23538", "video"),
        ]
    )
    assert notes == [("2510.23473", "My own note"), ("2510.23473", "Read the ablations")]
    # 2510.23473: marked read in b after keep in a: the latest decision stays in force
    assert decisions == [("2510.23473", "read"), ("2510.23538", "skip")]
    again = cli("import", out, "--db", b)
    assert "restored" not in again.stderr and _user_data(b) == (tags, notes, decisions)
    fresh = tmp_path / "c.db"
    assert cli("import", out, "--db", fresh).exit_code == 0
    got, want = _user_data(fresh), _user_data(a)
    assert got[:2] == want[:2] and sorted(got[2]) == sorted(want[2])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tags": ["two words"]}, "bad tag 'two words'"),
        ({"tags": "video"}, "'tags' should be a list"),
        ({"decisions": [{"decision": "maybe"}]}, "unknown decision 'maybe'"),
        ({"notes": [{"body": "x"}]}, "a text entry should be an object with 'text'"),
    ],
)
def test_bad_user_data_in_an_own_export_is_refused(cli, fixture_path, tmp_path, change, message):
    db = tmp_path / "a.db"
    assert cli("import", fixture_path("hf_daily/2025-10-30.json"), "--db", db).exit_code == 0
    out = cli("export", "-f", "jsonl", "-n", "2", "--db", db).stdout
    record = {**json.loads(out.splitlines()[1]), **change}
    path = tmp_path / "bad.jsonl"
    path.write_text(out.splitlines()[0] + "\n" + json.dumps(record) + "\n")
    result = cli("import", path, "--db", tmp_path / "b.db")
    assert result.exit_code == 1 and f"bad.jsonl:2: {message}" in result.stderr
