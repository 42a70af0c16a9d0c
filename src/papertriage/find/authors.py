"""--author: which papers have an author matching a name typed by a person.

Names compare part by part after LaTeX, accents and case are folded away, in any
order: "Y. LeCun" matches "Yann LeCun" (an initial matches a name starting with it,
either way round), "lecun, yann" and "Yann Le Cun" match too, and one typo in a name
part of 7 letters or more is forgiven ("Silveirnha"; but Maria is not Mario). The
full-text index's author column narrows the candidates first (by the surname, with
--fuzzy-style vocabulary variants when the exact word is not indexed); the comparison
itself runs in Python.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata

from ..text import delatex

_SPLIT = re.compile(r"[^\w]+")
_COMBINING = re.compile("[\u0300-\u036f]")
FUZZY_MIN = 7  # name parts this long may differ by one typo


def tokens(name: str) -> list[str]:
    """Folded name parts: "Jean-Pierre L\\'{e}vy" -> ["jean", "pierre", "levy"]."""
    return [t for t in _SPLIT.split(_plain(name)) if t]


def _plain(text: str) -> str:
    """Lower case, accents and LaTeX accents folded away (fast for plain ASCII)."""
    if text.isascii() and "\\" not in text:
        return text.lower()
    if "\\" in text:
        text = delatex(text)
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()


def _close(q: str, n: str) -> bool:
    if q == n:
        return True
    if len(q) == 1 or len(n) == 1:
        return q[0] == n[0]
    if min(len(q), len(n)) < FUZZY_MIN:  # Maria is not Mario
        return False
    from rapidfuzz.distance import OSA

    return OSA.distance(q, n, score_cutoff=1) <= 1


def matches(query: list[str], name: list[str]) -> bool:
    """Every query part pairs with its own part of the name (or, for a query more
    detailed than the name, the other way round), and one full word agrees."""
    return _fits(query, name) or (len(query) > len(name) > 1 and _fits(name, query))


def _fits(query: list[str], name: list[str]) -> bool:
    if not query or not name or len(query) > 2 * len(name):
        return False
    n = len(name)
    # Name parts, and adjacent pairs joined (le cun == lecun), each with what it covers.
    parts = [(p, 1 << i) for i, p in enumerate(name)]
    parts += [(a + b, 3 << i) for i, (a, b) in enumerate(zip(name, name[1:], strict=False))]
    options = []
    for q in query:
        fits = [(mask, len(q) > 1 and len(p) > 1) for p, mask in parts if _close(q, p)]
        if not fits:
            return False
        options.append(fits)
    need_full = any(len(q) > 1 for q in query)
    return _assign(options, 0, 0, not need_full) if n else False


def _assign(options: list[list[tuple[int, bool]]], i: int, used: int, full: bool) -> bool:
    """Can query parts i.. take name parts not in `used` (and one pair two full words)?"""
    if i == len(options):
        return full
    return any(
        _assign(options, i + 1, used | mask, full or both)
        for mask, both in options[i]
        if not used & mask
    )


def _prefilter(key: str, other: str | None, stems: list[str]) -> re.Pattern[str]:
    """A quick test of an authors list (JSON text): could an author in it be this name?
    The surname (or a variant's stem) starts a word, with the initial of the other
    part starting a word in the same name, before or after it."""
    words = sorted({re.escape(w) for w in (key, *stems) if w.isalpha()}, key=len)
    surname = r"\b(?:" + "|".join(words) + ")"
    if not other:
        return re.compile(surname, re.IGNORECASE)
    initial = r"\b" + re.escape(other[0])
    same_name = '[^",]*'
    return re.compile(f"{initial}{same_name}{surname}|{surname}{same_name}{initial}", re.IGNORECASE)


def surname(query: list[str], raw: str) -> str | None:
    """The part most likely to be indexed in full: the last word, or the first before a comma."""
    full = [t for t in query if len(t) > 1]
    if not full:
        return None
    return full[0] if "," in raw else full[-1]


class Name:
    """A name typed by a person (an --author value, a followed author of the ranking
    profile), ready to be matched: its folded parts, the FTS5 alternatives of its
    surname (with the vocabulary's variants), and a quick test of an author's text."""

    def __init__(self, conn: sqlite3.Connection, raw: str) -> None:
        from .fuzzy import Expander
        from .textindex import quote

        self.raw = raw
        self.parts = tokens(raw)
        key = surname(self.parts, raw)
        self.alternatives: list[str] = []
        self._likely: re.Pattern[str] | None = None
        if key is None:
            return
        expander = Expander(conn, commoner=1)  # a rare name is still a name
        expander.prepare([key])
        self.alternatives = (expander.variants.get(key) or [quote(key)]) + expander.typos.get(
            key, []
        )
        other = next((t for t in self.parts if t != key), None)
        self._likely = _prefilter(key, other, [*expander.words, key])

    @property
    def match(self) -> str | None:
        """An FTS5 query over the authors column that finds every paper it could match."""
        return "authors_text : (" + " OR ".join(self.alternatives) + ")" if self._likely else None

    def could_be(self, text: str) -> bool:
        """A quick test of an author (or the JSON of an author list): could it match?"""
        return self._likely is not None and bool(self._likely.search(_plain(text)))

    def is_author(self, author: str) -> bool:
        """The one rule: is this author (as written in a paper) this name?"""
        text = _plain(author)
        return self.could_be(text) and matches(self.parts, tokens(text))


def author_pks(conn: sqlite3.Connection, names: list[str]) -> set[int]:
    """Row keys (papers.pk) of papers with an author matching any of the names."""
    found: set[int] = set()
    for raw in names:
        name = Name(conn, raw)
        if name.match is None:
            continue
        rows = conn.execute(
            "SELECT pk, authors FROM papers WHERE pk IN "
            "(SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)",
            [name.match],
        )
        for pk, authors in rows:
            if any(name.is_author(a) for a in (json.loads(authors) if authors else ())):
                found.add(pk)
    return found
