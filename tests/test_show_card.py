"""`show`'s text card: wrapped to the width, values continued under themselves."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st

from papertriage.cli.render import LABEL, cells, paper_detail, wrap

PAPER = {
    "id": "2401.00001",
    "version": 2,
    "title": "A title long enough to need a second line at forty columns of width",
    "authors": ["Ada Lovelace", "Charles Babbage"],
    "published": "2024-01-02",
    "day": "2024-01-02",
    "comment": "12 pages, 3 figures, accepted at a conference with a long name",
    "abs_url": "https://arxiv.org/abs/2401.00001",
    "abstract": "We study " + "things " * 30,
    "tags": ["later"],
    "notes": [{"created": "2026-11-27T08:49:00", "text": "Compare with the other one"}],
    "decisions": [{"created": "2026-11-27T08:49:00", "decision": "keep"}],
    "sightings": [{"source": "kaggle", "first_seen": "2026-12-03T07:00:00"}],
}


def card(width: int) -> str:
    out = io.StringIO()  # not a terminal: no escapes
    paper_detail(PAPER, out, width=width)
    return out.getvalue()


def test_the_card_fits_the_width_and_continues_values_under_themselves():
    text = card(40)
    lines = text.splitlines()
    assert all(cells(line) <= 40 for line in lines if "https://" not in line), text
    assert lines[0].startswith("A title long") and lines[1].strip() and "\x1b" not in text
    comment = next(i for i, line in enumerate(lines) if line.startswith("   comment  12"))
    assert lines[comment + 1].startswith(" " * (LABEL + 2)) and lines[comment + 1].strip()
    assert "2401.00001v2" in lines and "      date  2024-01-02" in lines
    assert "note (2026-11-27)  Compare with the other one" in card(200)
    assert "triage 2026-11-27T08:49  keep" in lines and lines[-1] == "seen: kaggle 2026-12-03"
    assert " ".join(card(200).split()) == " ".join(text.split())  # only the breaks differ


words = st.lists(
    st.text(alphabet=st.sampled_from("ab漢é\u0301-"), min_size=1, max_size=30), max_size=30
)


@given(words, st.integers(12, 100), st.integers(0, 11))
def test_wrap_keeps_every_word_in_order_and_fits(ws, width, indent):
    lines = wrap(" ".join(ws), width, indent=indent)
    assert all(cells(line) <= max(width, indent + 10) for line in lines)
    assert all(line.startswith(" " * indent) for line in lines[1:])
    assert "".join("".join(lines).split()) == "".join(ws)
