"""Property tests: id normalization, date parsing, the query parser, and what exports
escape (Markdown/HTML, link URLs, CSV formulas), over any input hypothesis can make."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fuzzing import FUZZ as PROPS
from markdown_helpers import html_tokens, parse
from papertriage.errors import PapertriageError, QueryError
from papertriage.export.writers import md_escape, safe_url, write_csv
from papertriage.find.query import compile_query
from papertriage.find.selection import Selection, select
from papertriage.ids import find_id, parse_id, try_parse_id
from papertriage.store.db import open_db
from papertriage.text import clean, parse_date, scrub

ANY_TEXT = st.text(max_size=80) | st.text(st.characters(max_codepoint=0x7F), max_size=40)

# ---- ids ----------------------------------------------------------------------------

ARCHIVES = ["hep-th", "astro-ph", "math", "cond-mat", "quant-ph", "cs", "nucl-ex", "q-bio"]
TEMPLATES = [
    "{}",
    "arXiv:{}",
    "arxiv: {}",
    "https://arxiv.org/abs/{}",
    "http://export.arxiv.org/abs/{}",
    "https://arxiv.org/pdf/{}.pdf",
    "https://arxiv.org/pdf/{}",
    "https://huggingface.co/papers/{}",
    "oai:arXiv.org:{}",
    "  {}  ",
]


@st.composite
def arxiv_ids(draw) -> str:
    if draw(st.booleans()):
        yy = draw(st.integers(7, 29))
        mm = draw(st.integers(1, 12))
        width = 5 if yy >= 15 else 4
        num = draw(st.integers(1, 10**width - 1))
        return f"{yy:02d}{mm:02d}.{num:0{width}d}"
    archive = draw(st.sampled_from(ARCHIVES))
    if archive == "math" and draw(st.booleans()):
        archive += "." + draw(st.sampled_from(["CA", "PR", "AG"]))
    yymm = (
        draw(st.sampled_from(["91", "95", "99", "00", "05", "07"]))
        + f"{draw(st.integers(1, 12)):02d}"
    )
    return f"{archive}/{yymm}{draw(st.integers(1, 999)):03d}"


@PROPS
@given(arxiv_ids(), st.none() | st.integers(1, 99), st.sampled_from(TEMPLATES))
def test_every_written_form_of_an_id_normalizes(bare, version, template):
    text = template.format(bare + (f"v{version}" if version else ""))
    assert parse_id(text) == (bare, version)
    assert find_id(f"see ({text}) here") == (bare, version) or template.startswith("oai")


@PROPS
@given(ANY_TEXT)
def test_any_text_is_an_id_in_canonical_form_or_none(text):
    found = try_parse_id(text)
    if found is not None:
        pid, version = found
        assert pid.isascii() and pid == pid.strip()
        assert try_parse_id(pid) == (pid, None)  # canonical is a fixed point
        assert version is None or version >= 0
    hit = find_id(text)
    if hit is not None:
        assert hit[0].isascii() and try_parse_id(hit[0]) == (hit[0], None)


@PROPS
@given(arxiv_ids())
def test_case_does_not_change_an_id(bare):
    assert try_parse_id(bare.upper()) == try_parse_id(bare.lower()) == try_parse_id(bare)


# ---- dates --------------------------------------------------------------------------

ANY_VALUE = (
    ANY_TEXT
    | st.none()
    | st.integers()
    | st.floats()
    | st.booleans()
    | st.dates()
    | st.datetimes()
    | st.datetimes(timezones=st.timezones())
    | st.lists(st.integers(), max_size=2)
)


@PROPS
@given(ANY_VALUE)
def test_parse_date_gives_an_iso_day_or_none(value):
    day = parse_date(value)
    assert day is None or (re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) and date.fromisoformat(day))


@PROPS
@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.integers(-14 * 60, 14 * 60),
)
def test_dates_in_every_form_mean_the_same_utc_day(naive, offset_minutes):
    aware = naive.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    utc_day = aware.astimezone(UTC).date().isoformat()
    assert parse_date(aware) == utc_day
    assert parse_date(aware.isoformat()) == utc_day
    if aware.year >= 1900:  # RFC 2822 (RSS pubDate, Kaggle versions)
        assert parse_date(format_datetime(aware)) == utc_day
    assert parse_date(naive.date().isoformat()) == naive.date().isoformat()


# ---- text entering the store -------------------------------------------------------

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@PROPS
@given(
    st.text(max_size=60)
    | st.lists(
        st.sampled_from(["a", " ", "\x1b", "[2J", "\x07", "\x9b", "\ud800", "\n", "\t", "\r", "é"]),
        max_size=20,
    ).map("".join)
)
def test_text_entering_the_store_has_no_control_character(text):
    scrubbed = scrub(text)
    assert not _UNSAFE.search(scrubbed)
    scrubbed.encode("utf-8")  # SQLite can store it
    assert scrubbed.count("\n") == text.count("\n") and scrubbed.count("\t") == text.count("\t")
    cleaned = clean(text)
    assert cleaned is None or (not _UNSAFE.search(cleaned) and "\n" not in cleaned)
    assert cleaned is None or cleaned == " ".join(cleaned.split())


# ---- the query parser ----------------------------------------------------------------

QUERY_PIECES = st.sampled_from(
    [
        "transformer", "quantiz*", '"large language"', "OR", "AND", "NOT", "-", "(", ")",
        "title:", "abstract:", "author:", "cat:", "id:", "cs.LG", "cs.*", "2410.*",
        "2608.10915", '"', "*", ":", "NEAR", "^", "+", "é", "{", "}", "'", "\\", "  ",
    ]
)  # fmt: skip
QUERIES = st.lists(QUERY_PIECES | st.text(max_size=6), max_size=8).map(" ".join) | ANY_TEXT


@pytest.fixture(scope="module")
def query_store(tmp_path_factory):
    from papertriage.importer.run import import_file

    path = tmp_path_factory.mktemp("q") / "q.db"
    conn = open_db(path)
    import_file(conn, str(Path(__file__).parent / "fixtures" / "hf_daily" / "2026-08-12.json"))
    yield conn
    conn.close()
    shutil.rmtree(path.parent, ignore_errors=True)


def test_any_query_compiles_or_is_a_one_line_query_error(query_store):
    @PROPS
    @given(QUERIES, st.booleans())
    def run(query: str, fuzzy: bool) -> None:
        try:
            compiled = compile_query(query)
        except QueryError as exc:
            assert "\n" not in str(exc) and str(exc)
            return
        assert compiled.match is None or isinstance(compiled.match, str)
        # and SQLite accepts what it compiled to: FTS5 never sees a syntax error
        try:
            rows = select(query_store, Selection(query=query, fuzzy=fuzzy, limit=5))
        except PapertriageError as exc:
            assert "\n" not in str(exc)
            return
        assert len(rows) <= 5

    run()


# ---- what exports escape ------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@PROPS
@given(
    st.text(max_size=80)
    | st.lists(
        st.sampled_from(list("*_[]<>|#`\\&;!-+=.1)~$ \t\r\n\x00\x0c\u2028\xa0")), max_size=30
    ).map("".join)
)
def test_md_escape_shows_any_text_as_itself(text):
    """A paragraph of exactly the text (whitespace collapsed), with no markup or HTML."""
    escaped = md_escape(text)
    assert "\n" not in escaped and "\r" not in escaped
    expected = " ".join(_CONTROL.sub(" ", text).split())
    tokens = parse(escaped + "\n")
    assert html_tokens(tokens) == []
    if not expected:
        assert tokens == []
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    kids = tokens[1].children
    assert {k.type for k in kids} <= {"text"}, [k.type for k in kids]
    assert "".join(k.content for k in kids) == expected.replace("\x00", "\ufffd")


@PROPS
@given(ANY_TEXT | st.from_regex(r"\A(https?|javascript|data|file):[^\n]{0,40}\Z"))
def test_safe_url_is_an_http_link_that_cannot_break_out(url):
    out = safe_url(url)
    if out is None:
        return
    assert re.match(r"https?://", out, re.IGNORECASE)
    assert not re.search(r"[\s<>()\"`\\]", out), out
    link = parse(f"[x]({out})\n")
    hrefs = [k.attrs.get("href") for t in link for k in t.children or [] if k.type == "link_open"]
    assert len(hrefs) == 1 and hrefs[0].lower().startswith(("http://", "https://"))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@PROPS
@given(ANY_TEXT, ANY_TEXT, st.lists(ANY_TEXT, max_size=3))
def test_csv_cells_never_start_a_formula(title, journal_ref, authors):
    out = io.StringIO()
    paper = {"id": "2401.00001", "title": title, "journal_ref": journal_ref, "authors": authors}
    write_csv([paper], out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert len(rows) == 2
    for cell in rows[1]:
        assert not cell.startswith(FORMULA_START), cell
    header = rows[0]
    stored = dict(zip(header, rows[1], strict=True))
    for key, value in (("title", title), ("journal_ref", journal_ref)):
        assume("\r" not in value)  # csv turns a lone \r into a line break
        shown = stored[key]
        assert shown == value or (shown == "'" + value and value.startswith(FORMULA_START))
