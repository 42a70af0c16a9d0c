"""Bad input never produces a traceback: every importer, fed mutated real fixtures and
random bytes, either yields well-formed papers or raises the project's own error with a
one-line message; through the CLI, a failed import leaves the store exactly as it was.

The number of examples per test is PAPERTRIAGE_FUZZ_EXAMPLES (default keeps this file
fast); run more by hand with e.g. PAPERTRIAGE_FUZZ_EXAMPLES=5000 uv run pytest tests/test_fuzz_importers.py
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzzing import EXAMPLES, FUZZ
from papertriage import ids
from papertriage.errors import PapertriageError
from papertriage.models import LIST_FIELDS, Paper, paper_to_row, row_to_dict
from papertriage.sources.formats import detect, parse_bytes

FIXTURES = Path(__file__).parent / "fixtures"

# (format, fixture) pairs: small real files of every format the importer reads.
SAMPLES = {
    "hf-daily": ["hf_daily/2025-01-21.json", "hf_daily/limit30_2026-06-12_raw.json"],
    "hf-search": ["hf_search/search_diffusion_3results.json"],
    "hf-paper": ["hf_paper/paper_2608.09888.json"],
    "arxiv-api": [
        "arxiv_api/idlist_1111.2011v2_2016-10-09.xml",
        "arxiv_api/query_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml",
        "arxiv_api/error_incorrect_id_format_abc_HTTP400_2026-04-12.xml",
    ],
    "arxiv-rss": [
        "arxiv_rss/rss_cs.CL_2026-04-27_trimmed3.xml",
        "arxiv_rss/rss_old_rdf_math_2012-09-12.xml",
    ],
    "arxiv-oai": ["arxiv_oai/ListRecords_arXiv_from2015-01-01_until2015-01-03.xml"],
    "kaggle": ["arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"],
    "hf-page": ["hf_page/papers_page_text_2025-12-15_first28.txt"],
    "hf-html": ["hf_page/paper_2509.24002_prettified.html"],
    "papertriage": ["<native>"],
}
FORMATS = sorted(SAMPLES)


@cache
def sample_bytes(rel: str) -> bytes:
    if rel == "<native>":
        return _native_sample()
    data = (FIXTURES / rel).read_bytes()
    if rel.endswith(".jsonl"):
        data = b"".join(data.splitlines(keepends=True)[:6])  # a few records are enough
    return data


def _native_sample() -> bytes:
    """papertriage's own JSON lines (what `list -f jsonl` writes), made from real papers."""
    papers = parse_bytes(sample_bytes("hf_daily/limit30_2026-06-12_raw.json"), "x", "hf-daily")
    lines = []
    for p in list(papers)[:4]:
        lines.append(json.dumps(row_to_dict(paper_to_row(p)), ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()


# ---- mutations ----------------------------------------------------------------------

GARBAGE = st.sampled_from(
    [
        b"\x00",
        b"\xff\xfe",
        b"\xc3",
        b"<",
        b">",
        b"&",
        b"&amp;",
        b"&#0;",
        b"]]>",
        b"<!ENTITY x 'y'>",
        b'"',
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"null",
        b"\n",
        b"\r\n",
        b"\n\n",
        b"\\",
        b"\\u0000",
        b"\\ud800",
        b"1e999",
        b"-1",
        b"99999999999999999999999",
        "é".encode(),
        "\u2028".encode(),
        b"2401.00001",
        b"v0",
        b"v99999999999999999999",
        b"Jan 32, 2025",
        b"0000-00-00",
        b"9999-12-31T99:99:99Z",
        b"\x1b]0;pwned\x07",
        b"\x1b[2J",
        "\x9b31m".encode(),
        b"\\u001b[2J",
        b"\\u009b",
        b"\\udfff",
        b"\x7f",
        b"[" * 1500,
        b'{"a":' * 1500,
        b"9" * 5000,
        b"v" + b"9" * 5000,
    ]
) | st.binary(min_size=1, max_size=16)


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """Apply 1-4 random edits to data: byte flips, truncation, garbage, duplicated chunks."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        n = len(out)
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "dup", "delete", "replace"]))
        pos = draw(st.integers(0, max(n - 1, 0)))
        if kind == "flip" and n:
            out[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del out[pos:]
        elif kind == "insert":
            out[pos:pos] = draw(GARBAGE)
        elif kind == "dup" and n:
            end = draw(st.integers(pos, min(n, pos + 400)))
            at = draw(st.integers(0, n))
            out[at:at] = out[pos:end]
        elif kind == "delete" and n:
            end = draw(st.integers(pos, min(n, pos + 200)))
            del out[pos:end]
        elif kind == "replace" and n:
            end = draw(st.integers(pos, min(n, pos + 40)))
            out[pos:end] = draw(GARBAGE)
    return bytes(out)


@st.composite
def fuzz_input(draw, fmt: str) -> bytes:
    rel = draw(st.sampled_from(SAMPLES[fmt]))
    return draw(mutated(sample_bytes(rel)))


# ---- the oracle ---------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTS = ("version", "hf_upvotes", "hf_comments", "github_stars")
_STRS = (
    "title",
    "abstract",
    "primary_category",
    "comment",
    "journal_ref",
    "doi",
    "license",
    "code_url",
    "project_url",
    "github_repo",
    "ai_summary",
    "hf_organization",
)


# No C0/C1 control character (they reach terminals) and no lone surrogate (UTF-8 cannot
# encode it, so the store cannot hold it) in any text a paper brings.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def check_paper(p: Paper) -> None:
    """A paper the store can hold: a canonical id, typed fields, ISO dates, safe text."""
    assert isinstance(p, Paper)
    assert ids.try_parse_id(p.id) == (p.id, None), p.id
    for name in _STRS:
        value = getattr(p, name)
        assert value is None or (isinstance(value, str) and value.strip()), (name, value)
        assert value is None or not _UNSAFE.search(value), (name, value)
    for name in LIST_FIELDS:
        assert not any(_UNSAFE.search(v) for v in getattr(p, name)), (name, getattr(p, name))
    for name in _INTS:
        value = getattr(p, name)
        assert value is None or (type(value) is int and -(2**63) <= value < 2**63), (name, value)
    for name in LIST_FIELDS:
        value = getattr(p, name)
        assert isinstance(value, tuple) and all(isinstance(v, str) and v for v in value)
    for name in ("published", "updated", "hf_featured"):
        value = getattr(p, name)
        assert value is None or _DATE.match(value), (name, value)
    paper_to_row(p)  # serializable for the store
    json.dumps(p.raw if not isinstance(p.raw, bytes) else None, ensure_ascii=False, default=str)


def outcome(data: bytes, fmt: str) -> str:
    """'ok' with well-formed papers, or 'error' with a one-line project error."""
    try:
        papers = list(parse_bytes(data, "fuzz.in", fmt))
    except PapertriageError as exc:
        message = str(exc)
        assert message and "\n" not in message and "\r" not in message, repr(message)
        assert message.startswith("fuzz.in"), message  # names the file
        assert len(message) < 600, message
        return "error"
    for p in papers:
        check_paper(p)
    return "ok"


# ---- the tests ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_unmutated_samples_import(fmt):
    for rel in SAMPLES[fmt]:
        data = sample_bytes(rel)
        if "error_incorrect" in rel:
            assert outcome(data, fmt) == "error"
        else:
            assert outcome(data, fmt) == "ok", rel
            assert list(parse_bytes(data, "x", fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_mutated_fixtures_never_crash(fmt):
    @FUZZ
    @given(data=fuzz_input(fmt))
    def run(data: bytes) -> None:
        outcome(data, fmt)

    run()


@pytest.mark.parametrize("fmt", FORMATS)
def test_random_bytes_never_crash(fmt):
    @settings(FUZZ, max_examples=max(EXAMPLES // 3, 10))
    @given(data=st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
    def run(data: bytes) -> None:
        outcome(data, fmt)

    run()


@FUZZ
@given(data=st.sampled_from(FORMATS).flatmap(fuzz_input) | st.binary(max_size=600))
def test_detection_never_crashes(data):
    try:
        name = detect(data[:4096], "fuzz.in")
    except PapertriageError as exc:
        assert "\n" not in str(exc)
        return
    assert name in (*FORMATS, "json")


# ---- structure-aware: real JSON records with values replaced by odd JSON values -----

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "²",
        "٣٤",
        "2401.00001",
        "v2",
        "\u0000",
        "NaN",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "Mon, 32 Jan 2025",
        "<b>x</b>",
        "=1+1",
        "\ud7ff" * 3,
        "\ud800",
        "a\udc80b",
        "\x1b]0;pwned\x07",
        "x\x1b[2Jy\x9b",
        "\r\x0b\x0c\x85",
    ]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63, max_value=2**80)
    | st.integers(max_value=-(2**63) - 1, min_value=-(2**80))
    | st.floats()
    | st.text(max_size=20)
    | ODD_TEXT,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=5,
)
JSON_FORMATS = ["hf-daily", "hf-search", "hf-paper", "kaggle", "papertriage"]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            yield from _paths(v, (*prefix, i))


@st.composite
def odd_json(draw, fmt: str) -> bytes:
    rel = draw(st.sampled_from(SAMPLES[fmt]))
    lines = fmt in ("kaggle", "papertriage")
    text = sample_bytes(rel).decode()
    docs = [json.loads(x) for x in text.splitlines()[:3]] if lines else [json.loads(text)]
    for _ in range(draw(st.integers(1, 4))):
        doc = draw(st.integers(0, len(docs) - 1))
        paths = [p for p in _paths(docs[doc]) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = docs[doc]
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and draw(st.booleans()) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    if lines:
        return "\n".join(json.dumps(d) for d in docs).encode() + b"\n"
    return json.dumps(docs[0]).encode()


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_odd_json_values_never_crash(fmt):
    @FUZZ
    @given(data=odd_json(fmt))
    def run(data: bytes) -> None:
        outcome(data, fmt)

    run()


# ---- through the CLI: the store is unchanged after an error -------------------------


def store_dump(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def test_cli_import_of_mutated_files(cli, tmp_path):
    db = tmp_path / "cli.db"
    seed = FIXTURES / "hf_daily" / "2025-03-17.json"
    assert cli("import", seed, "--db", db).exit_code == 0
    tally = {"ok": 0, "error": 0}
    target = tmp_path / "input"

    @settings(FUZZ, max_examples=max(EXAMPLES // 3, 10))
    @given(fmt=st.sampled_from(FORMATS), data=st.data())
    def run(fmt: str, data: st.DataObject) -> None:
        body = data.draw(fuzz_input(fmt))
        target.write_bytes(body)
        before = store_dump(db)
        forced = data.draw(st.booleans())
        args = ["import", target, "--db", db] + (["--format", fmt] if forced else [])
        result = cli(*args)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        if result.exit_code == 0:
            tally["ok"] += 1
            assert "read " in result.stderr
        else:
            tally["error"] += 1
            assert result.exit_code == 1
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith(f"Error: {target}"), result.stderr
            assert store_dump(db) == before  # a failed file changes nothing

    run()
    assert tally["error"] > 0  # the mutations did produce bad files
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
