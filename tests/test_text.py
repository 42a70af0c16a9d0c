import pytest
from hypothesis import given
from hypothesis import strategies as st

from papertriage.text import clean, delatex, parse_date, title_key


def test_clean_collapses_arxiv_wraps():
    assert clean("Video-Thinker: Sparking\n  Learning ") == "Video-Thinker: Sparking Learning"
    assert clean("  \n ") is None
    assert clean(None) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Layer-Wise Quantization", "layerwise quantization"),
        ("Layer-wise\n  Quantization!", "LAYER-WISE QUANTIZATION"),
        (r"\textsc{AIEV-Instruct}: Code", "AIEV-Instruct: Code"),
        ('Schr\\"odinger bridges', "Schrödinger Bridges"),
    ],
)
def test_title_key_ignores_case_punctuation_hyphenation_latex(a, b):
    assert title_key(a) == title_key(b)


def test_title_key_keeps_different_titles_apart():
    assert title_key("Attention is all you need") != title_key("Attention is not all you need")


def test_delatex_accents():
    assert delatex(r"C. Bal\'azs") == "C. Balázs"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-10-27T16:10:45.000Z", "2025-10-27"),
        ("Mon, 27 Apr 2026 00:00:00 -0400", "2026-04-27"),
        ("Mon, 2 Apr 2007 19:18:42 GMT", "2007-04-02"),
        ("2016-10-09T00:00:00-04:00", "2016-10-09"),
        ("2009-01-01", "2009-01-01"),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@given(st.text())
def test_parse_date_never_raises(value):
    result = parse_date(value)
    assert result is None or len(result) == 10


@given(st.text(alphabet=st.sampled_from(list("\\{}$ 'a\"ilosvcLOk^~=.`ı"))))
def test_decode_tex_never_raises_and_keeps_plain_text(text):
    from papertriage.text import decode_tex

    out = decode_tex(text)
    assert isinstance(out, str)
    if "\\" not in text:
        assert out == text
