import pytest
from hypothesis import given
from hypothesis import strategies as st

from papertriage.errors import BadIdError
from papertriage.ids import find_id, parse_id, provisional_id, try_parse_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2410.12345", ("2410.12345", None)),
        ("2410.12345v3", ("2410.12345", 3)),
        ("arXiv:2410.12345", ("2410.12345", None)),
        ("arxiv:2410.12345v2", ("2410.12345", 2)),
        ("https://arxiv.org/abs/2410.12345v2", ("2410.12345", 2)),
        ("http://export.arxiv.org/abs/2410.12345", ("2410.12345", None)),
        ("https://arxiv.org/pdf/2410.12345v1.pdf", ("2410.12345", 1)),
        ("https://arxiv.org/pdf/2410.12345", ("2410.12345", None)),
        ("/pdf/2410.12345.pdf", ("2410.12345", None)),
        ("https://huggingface.co/papers/2410.12345", ("2410.12345", None)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("math.CA/0611800v2", ("math.CA/0611800", 2)),
        ("math.ca/0611800", ("math.CA/0611800", None)),
        ("0704.0001", ("0704.0001", None)),
        ("http://arxiv.org/abs/nucl-ex/0408020v1", ("nucl-ex/0408020", 1)),
        ("oai:arXiv.org:2604.21952v1", ("2604.21952", 1)),
        ("  2410.12345  ", ("2410.12345", None)),
    ],
)
def test_every_id_form_normalizes(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "2410.123", "12345.12345", "hep-th/99", "https://example.com/2410.12345"]
)
def test_bad_ids_are_rejected(text):
    assert try_parse_id(text) is None
    with pytest.raises(BadIdError):
        parse_id(text)


def test_find_id_in_free_text():
    assert find_id("Title. (arXiv:1209.2411v1 [math.PR])") == ("1209.2411", 1)
    assert find_id("http://arxiv.org/abs/astro-ph/0601001v1") == ("astro-ph/0601001", 1)
    assert find_id("doi 10.1103/PhysRevD.76.013009") is None


def test_provisional_id_is_stable():
    assert provisional_id("a title") == provisional_id("a title")
    assert provisional_id("a title") != provisional_id("another title")
    assert parse_id(provisional_id("a title")) == (provisional_id("a title"), None)


@given(
    st.integers(min_value=7, max_value=29),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=99999),
    st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
    st.sampled_from(
        [
            "{}",
            "arXiv:{}",
            "https://arxiv.org/abs/{}",
            "https://arxiv.org/pdf/{}.pdf",
            "https://huggingface.co/papers/{}",
        ]
    ),
)
def test_new_style_ids_round_trip(yy, mm, num, version, template):
    digits = 5 if yy >= 15 else 4
    if num >= 10**digits:
        num %= 10**digits
    bare = f"{yy:02d}{mm:02d}.{num:0{digits}d}"
    text = template.format(bare + (f"v{version}" if version else ""))
    assert parse_id(text) == (bare, version)
