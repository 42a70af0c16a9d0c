"""The fast paths bulk import relies on give exactly what the general code gives."""

import json
import re
import unicodedata
from datetime import UTC
from email.utils import parsedate_to_datetime

from hypothesis import given
from hypothesis import strategies as st

from papertriage.models import json_list
from papertriage.text import clean, delatex, fold, parse_date, title_key

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def reference_clean(text):
    s = re.sub(r"\s+", " ", text).strip()
    s = re.sub("[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", s)  # control characters go
    s = re.sub(r"\s+", " ", re.sub("[\ud800-\udfff]", "\ufffd", s)).strip()
    return s or None


def reference_fold(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def reference_title_key(title):
    if not title:
        return ""
    s = reference_fold(delatex(title))
    s = re.sub(r"(\w)-\s*(\w)", r"\1\2", s)
    s = re.sub(r"[^\w]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def reference_day(value):
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return dt.replace(tzinfo=dt.tzinfo or UTC).astimezone(UTC).date().isoformat()


@given(
    st.text()
    | st.text(alphabet="a \x1b\x07\x9b\ud800\n\t\x85\x1c")
    | st.text(alphabet="ab \n\xa0\u2028\u3000\r")
)
def test_clean_matches_the_regex(text):
    assert clean(text) == reference_clean(text)


@given(st.text() | st.text(alphabet="abcXYZ -_,.:!?'"))
def test_fold_and_title_key_match_the_general_path(text):
    assert fold(text) == reference_fold(text)
    assert title_key(text) == reference_title_key(text)


@given(st.text(alphabet="ab{}$~ -"))
def test_delatex_without_backslash_only_drops_braces_and_dollars(text):
    expected = text.replace("{", "").replace("}", "").replace("$", "").replace("~", " ")
    assert delatex(text) == expected


@given(
    st.sampled_from(["Mon", "Tue", "Sun", "x"]),
    st.integers(0, 40).map(str) | st.sampled_from(["02", "+2", "x"]),
    st.sampled_from([*MONTHS, "Foo"]),
    st.integers(0, 2100).map(lambda y: f"{y:04d}") | st.sampled_from(["07", "99"]),
    st.tuples(st.integers(0, 26), st.integers(0, 61), st.integers(0, 61)),
)
def test_gmt_dates_match_the_email_parser(weekday, day, month, year, clock):
    value = f"{weekday}, {day} {month} {year} {clock[0]:02d}:{clock[1]:02d}:{clock[2]:02d} GMT"
    assert parse_date(value) == reference_day(value)


def test_kaggle_version_dates():
    assert parse_date("Mon, 2 Apr 2007 19:18:42 GMT") == "2007-04-02"
    assert parse_date("Sat, 31 Mar 2007 23:59:59 GMT") == "2007-03-31"
    assert parse_date("Mon, 31 Feb 2007 19:18:42 GMT") is None


@given(st.dates().map(str) | st.text(alphabet="0123456789-", min_size=10, max_size=10))
def test_iso_days_match_the_general_parser(value):
    from papertriage.text import parse_datetime

    dt = parse_datetime(value)
    assert parse_date(value) == (dt.date().isoformat() if dt else None)


@given(st.lists(st.text() | st.text(alphabet='ab"\\ \x00\x1f\x7f\u2028\ud800é'), min_size=1))
def test_json_lists_are_what_json_dumps_writes(items):
    assert json_list(items) == json.dumps(items, ensure_ascii=False)
    assert json_list(tuple(items)) == json.dumps(items, ensure_ascii=False)
