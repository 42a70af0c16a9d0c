"""The import at the floor (issue 19): each field normalized once, rows built by the
parsing process, orjson, compact Kaggle sightings. Each fast way gives what the general
way gave: the same Paper as make_paper, the same records as json.loads, the same whole
record back from a sighting, old sightings still readable."""

import io
import json
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from papertriage import ids
from papertriage.importer.run import import_file
from papertriage.models import make_paper, paper_to_row
from papertriage.sources import kaggle, kaggle_raw
from papertriage.sources.lines import json_lines
from papertriage.store.ingest import prepare, raw_text
from papertriage.store.queries import raw_items
from papertriage.text import clean, delatex, parse_date

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
import generate  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
KAGGLE = FIXTURES / "arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl"


def reference_paper(record, origin="x", n=1):
    """record_to_paper as it was: the record's fields handed to make_paper."""
    found = ids.try_parse_id(str(record.get("id") or ""))
    versions = [v for v in kaggle._list(record.get("versions")) if isinstance(v, dict)]
    numbers = [kaggle._vnum(v.get("version")) for v in versions]
    dates = [d for d in (parse_date(v.get("created")) for v in versions) if d]
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for part in parsed:
            if not isinstance(part, list) or not part:
                continue
            last, first, suffix = [kaggle._text(x) for x in (part + ["", "", ""])[:3]]
            names.append(delatex(clean(" ".join(x for x in (first, last, suffix) if x)) or ""))
        authors = [a for a in names if a]
    else:
        text = delatex(kaggle._text(record.get("authors")))
        authors = [clean(a) or "" for a in text.replace(" and ", ", ").split(",") if clean(a)]
    return make_paper(
        id=found[0],
        version=max((x for x in numbers if x), default=found[1]),
        title=record.get("title"),
        abstract=record.get("abstract"),
        authors=authors,
        categories=kaggle._text(record.get("categories")).split(),
        comment=record.get("comments"),
        journal_ref=record.get("journal-ref"),
        doi=record.get("doi"),
        license=record.get("license"),
        published=min(dates) if dates else parse_date(record.get("update_date")),
        updated=max(dates) if dates else parse_date(record.get("update_date")),
        source="kaggle",
        origin=origin,
    )


def records():
    lines = KAGGLE.read_text().splitlines()
    return [json.loads(line) for line in lines]


def generated(tmp_path):
    path = tmp_path / "g.jsonl"
    generate.generate(300, path, workers=1, fixtures=FIXTURES)
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_kaggle_papers_are_what_make_paper_built(tmp_path):
    for record in records() + generated(tmp_path):
        assert kaggle.record_to_paper(record, "x", 1) == reference_paper(record)  # raw aside


names = st.text(alphabet="aé \\'{}$~\n\t\x07:,.-_CDFcollaboration", max_size=25)


@settings(max_examples=300, deadline=None)
@given(
    title=st.none() | names | st.integers(),
    parsed=st.none() | st.lists(st.lists(names | st.integers(), max_size=4), max_size=4),
    authors=st.none() | names,
    categories=st.none() | st.text(alphabet="ab. \x1c\x00-", max_size=12),
    created=st.lists(st.sampled_from(["Mon, 2 Apr 2007 19:18:42 GMT", "x", "2007-04-02", ""])),
    update=st.none() | st.sampled_from(["2008-11-13", "bad", "Tue, 3 Apr 2007 00:00:00 GMT"]),
)
def test_any_record_gives_what_make_paper_built(
    title, parsed, authors, categories, created, update
):
    record = {
        "id": "0704.0001",
        "title": title,
        "abstract": title,
        "authors": authors,
        "authors_parsed": parsed,
        "categories": categories,
        "comments": title,
        "license": title,
        "versions": [{"version": f"v{n}", "created": c} for n, c in enumerate(created, 1)],
        "update_date": update,
    }
    assert kaggle.record_to_paper(record, "x", 1) == reference_paper(record)


def whole(raw, row):
    return kaggle_raw.restore(json.loads(raw_text("kaggle", raw)), row)


def marker2(raw, row):
    """The record as a marker-2 sighting gives it back (show --raw before marker 3)."""
    return kaggle_raw.restore(json.loads(json.dumps(kaggle_raw.compact(raw, shrink=False))), row)


def test_compact_sightings_give_the_whole_record_back(tmp_path):
    kept = total = before = 0
    for record in records() + generated(tmp_path):
        paper = kaggle.record_to_paper(record, "x", 1)
        row = paper_to_row(paper)
        stored = raw_text("kaggle", paper.raw)
        assert json.loads(stored)["_in_papers"] == kaggle_raw.COMPACT
        assert whole(paper.raw, row) == kaggle_raw.restore(paper.raw, row)  # as before
        assert whole(paper.raw, row)["versions"] == record["versions"]
        assert whole(paper.raw, row)["authors_parsed"] == record["authors_parsed"]
        for key in ("authors", "submitter", "update_date", "report-no"):
            assert whole(paper.raw, row)[key] == record[key]
        # show --raw prints the very same text as from a marker-2 sighting, keys in order
        assert json.dumps(whole(paper.raw, row)) == json.dumps(marker2(paper.raw, row))
        kept += len(stored.encode())
        before += len(raw_text("kaggle", kaggle_raw.compact(paper.raw, shrink=False)).encode())
        total += len(json.dumps(paper.raw, ensure_ascii=False).encode())
    assert kept < 0.6 * total  # was json.dumps of the record less the row's fields
    assert kept < 0.8 * before  # marker 2


def test_a_merged_marker3_sighting_keeps_what_the_row_lost():
    """keep_differing adds the record's own title to a stored marker-3 sighting."""
    for record in records():
        paper = kaggle.record_to_paper(record, "x", 1)
        new = paper_to_row(paper)
        row = dict(new, title="A Newer Title")
        kept = {}
        for form in (kaggle_raw.compact(paper.raw), kaggle_raw.compact(paper.raw, shrink=False)):
            stored = json.loads(raw_text("kaggle", kaggle_raw.keep_differing(form, new, row)))
            kept[stored["_in_papers"]] = kaggle_raw.restore(stored, row)
        assert json.dumps(kept[3]) == json.dumps(kept[2])
        assert kept[3] == kaggle_raw.restore(kaggle_raw.keep_differing(paper.raw, new, row), row)
        assert kept[3]["title"] == new["title"] != row["title"]


_last = ["Doe", "Roe", "van Dam", "", "Doe Jr."]
_first = ["J.", "Ann", "", "R. S."]
_name = st.sampled_from(_first + _last + ["J. Doe", "Ann Roe", "Ann Doe", " Doe", "Prof. Doe"])


@st.composite
def standard_records(draw):
    """A record with exactly the snapshot's keys, values mostly near what the rules look
    for, sometimes of another type."""
    odd = (st.none() | st.integers(-3, 3) | st.booleans() | st.just([0, "J."])).map(lambda x: x)
    triple = st.tuples(
        st.sampled_from(_last), st.sampled_from(_first), st.sampled_from(["", "Jr."])
    )
    parsed = draw(
        st.lists(triple.map(list), max_size=4)
        | st.lists(triple.map(list) | st.lists(st.sampled_from(_last), max_size=4), max_size=3)
        | odd
    )
    names = []
    if isinstance(parsed, list) and all(isinstance(p, list) and len(p) == 3 for p in parsed):
        names = [" ".join(x for x in (p[1], p[0], p[2]) if x) for p in parsed]
    joins = ["", ", ".join(names), " and ".join(names)]
    if len(names) > 1:
        joins += [f"{', '.join(names[:-1])}{sep}{names[-1]}" for sep in (" and ", ", and ")]
    day = ["Mon, 2 Apr 2007 19:18:42 GMT", "Tue, 3 Apr 2007 00:00:00 GMT"]
    created = draw(
        st.lists(st.sampled_from(day), min_size=1, max_size=3)
        | st.lists(st.sampled_from([*day, "x", ""]), max_size=3)
    )
    firsts = [f"{p[1]} {p[0]}" for p in parsed] if names else ["x"]
    dates = ["2007-04-02", "2007-04-03", "2006-12-31", "2009-2-01", "20070402", "2007-W14-1"]
    return {
        "id": "0704.0001",
        "submitter": draw(st.sampled_from(firsts) | _name | odd),
        "authors": draw(st.sampled_from(joins[-2:]) | st.sampled_from(joins) | _name | odd),
        "title": "T",
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "report-no": draw(st.just(None) | _name | odd),
        "categories": "hep-ph",
        "license": None,
        "abstract": "A",
        "versions": draw(
            st.just([{"version": f"v{n}", "created": c} for n, c in enumerate(created, 1)]) | odd
        ),
        "update_date": draw(st.sampled_from(dates) | odd),
        "authors_parsed": parsed,
    }


@settings(max_examples=500, deadline=None)
@given(record=standard_records())
def test_any_standard_record_comes_back_whole(record):
    paper = kaggle.record_to_paper(record, "x", 1)
    row = paper_to_row(paper)
    back = whole(paper.raw, row)
    assert back == kaggle_raw.restore(paper.raw, row)
    assert {k: v for k, v in back.items() if k in paper.raw} == {
        k: v for k, v in paper.raw.items() if k != "_in_papers"
    }
    assert json.dumps(back) == json.dumps(marker2(paper.raw, row))


def test_what_the_short_forms_cannot_hold_is_kept_as_it_is():
    row = {"id": "0704.0001"}
    odd = [
        {"versions": [{"version": "v1", "created": "Tue, 2 Apr 2007 19:18:42 GMT"}]},  # weekday
        {"versions": [{"version": "v2", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]},  # number
        {"versions": [{"version": "v1", "created": "Mon, 02 Apr 2007 19:18:42 GMT"}]},  # 02
        {"versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 UTC"}]},
        {"versions": [{"version": "v1", "created": "Mon, 2 Apr 2007  GMT", "x": 1}]},
        {"versions": [{"version": "v1", "created": "Mon, 2 Apr 2007  GMT"}]},
        {"versions": "v1"},
        {"authors_parsed": [["Doe", "J."], ["Roe", "R.", "", ""]]},
        {
            "authors_parsed": [["Doe", "J.", "Jr."], ["Roe", "R.", ""]],
            "authors": "J. Doe Jr., R. Roe",
        },
        {"authors_parsed": [["Doe", "J.", ""]], "authors": "J. Doe and others"},
        {"authors_parsed": [["Doe", 1, ""]]},
        {"created": ["kept"], "versions": []},
    ]
    for extra in odd:
        raw = {"authors": "J. Doe", "submitter": None, **extra, "_in_papers": 1}
        assert whole(raw, row) == kaggle_raw.restore(raw, row)
        assert {k: v for k, v in whole(raw, row).items() if k in raw} == {
            k: v for k, v in raw.items() if k != "_in_papers"
        }


def test_old_sightings_stay_readable(conn):
    """A store written before issue 19's compact forms: the record's `_in_papers: 1` form,
    and marker 2."""
    import_file(conn, str(KAGGLE))
    record = json.loads(KAGGLE.read_text().splitlines()[0])
    paper = kaggle.record_to_paper(record, "x", 1)
    conn.execute(
        "UPDATE sightings SET raw = ? WHERE paper_id = ?",
        [json.dumps(paper.raw, ensure_ascii=False), "0704.0001"],
    )
    old = raw_items(conn, "0704.0001")[0]["raw"]
    conn.execute(
        "UPDATE sightings SET raw = ? WHERE paper_id = ?",
        [raw_text("kaggle", paper.raw), "0704.0001"],
    )
    assert raw_items(conn, "0704.0001")[0]["raw"] == old
    assert old["versions"] == record["versions"] and old["submitter"] == record["submitter"]
    # plain JSON for SQLite (and so sqlite-utils, Datasette) too
    assert (
        conn.execute(
            "SELECT json_extract(raw, '$.created[0]') FROM sightings WHERE paper_id = '0704.0001'"
        ).fetchone()[0]
        == "2007-04-02 19:18:42"
    )


def test_show_raw_reads_the_same_from_marker_2_and_3(conn):
    """Every fixture record's raw item, as show --raw prints it, from the marker-3
    sighting the import writes and from the marker-2 one the code before wrote."""
    import_file(conn, str(KAGGLE))
    for n, record in enumerate(records(), 1):
        pid = record["id"]
        stored = conn.execute("SELECT raw FROM sightings WHERE paper_id = ?", [pid]).fetchone()
        assert json.loads(stored[0])["_in_papers"] == 3
        now = json.dumps(raw_items(conn, pid), ensure_ascii=False, indent=2)
        paper = kaggle.record_to_paper(record, "x", n)
        conn.execute(
            "UPDATE sightings SET raw = ? WHERE paper_id = ?",
            [raw_text("kaggle", kaggle_raw.compact(paper.raw, shrink=False)), pid],
        )
        assert json.dumps(raw_items(conn, pid), ensure_ascii=False, indent=2) == now
        assert raw_items(conn, pid)[0]["raw"]["submitter"] == record["submitter"]


def test_prepared_rows_are_the_rows_the_merge_writes():
    papers = [kaggle.record_to_paper(r, "x", n) for n, r in enumerate(records()[:20])]
    for paper, entry in zip(papers, prepare(papers), strict=True):
        row = paper_to_row(paper)
        assert entry[0][: len(row)] == tuple(row.values())


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=10,
    )
)
def test_json_lines_read_what_json_loads_reads(value):
    line = json.dumps({"v": value}).encode() + b"\n"
    got = [r for _, r in json_lines(io.BytesIO(line), "x")][0]
    assert json.dumps(got) == json.dumps(json.loads(line))  # NaN == NaN here


def test_numbers_and_nesting_orjson_reads_otherwise_go_to_json():
    lines = [
        b'{"id": 123456789012345678901234567890, "n": -9223372036854775809}',
        b'{"x": NaN, "y": 1e400}',
        b'{"a": "\\ud800"}',
        b'{"a": ' + b"[" * 600 + b"]" * 600 + b"}",
    ]
    got = [r for _, r in json_lines(io.BytesIO(b"\n".join(lines) + b"\n"), "x")]
    assert got[0] == {"id": 123456789012345678901234567890, "n": -9223372036854775809}
    assert isinstance(got[0]["id"], int)
    assert got[1]["y"] == float("inf") and got[2] == {"a": "\ud800"}
    assert got[3] == json.loads(lines[3])


def reference_id(text):
    """ids.try_parse_id without its fast path for bare ids."""
    import re

    s = text.strip()
    if s.lower().startswith(ids.PROVISIONAL_PREFIX):
        return (s.lower(), None) if re.fullmatch(r"prov:[0-9a-f]{12}", s.lower()) else None
    s = re.sub(r"^arxiv:\s*", "", s, flags=re.IGNORECASE)
    s = re.sub(r"^oai:arxiv\.org:", "", s, flags=re.IGNORECASE)
    s = ids._PREFIXES.sub("", s)
    s = re.sub(r"(?:\.pdf)?(?:[?#].*)?/?$", "", s, flags=re.IGNORECASE)
    m = ids._FULL_RE.match(s)
    if not m:
        return None
    return ids._canonical(m), int(m.group("version")) if m.group("version") else None


@given(
    st.text(alphabet="0123456789.v/?#pdf \n٢abs:", min_size=1)
    | st.from_regex(r"\d{4}\.\d{4,5}(v\d+)?")
)
def test_bare_ids_parse_as_the_general_path_parses_them(text):
    assert ids.try_parse_id(text) == reference_id(text)
