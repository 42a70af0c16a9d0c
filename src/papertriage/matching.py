"""What the ranking profile looks for: keywords (with their variants), authors, categories.

Keywords become FTS5 expressions over the store's index (see textindex), so a keyword
matches what `filter` would find: porter stems (`model` finds `models`), any case and
accent. With ``fuzzy`` a keyword also matches its hyphenation variants (``layer-wise``,
``layer wise``, ``layerwise``), British/American spellings (quantisation) and terms of
the store's vocabulary within a rapidfuzz ratio of ``fuzzy_threshold`` of it.

Author names compare after LaTeX, accents and case are folded away: the surname must be
equal (``Le Cun`` = ``LeCun``) and the first given name must agree, an initial matching
any name that starts with it (``Y. LeCun`` = ``Yann LeCun``); a profile name without a
given name matches on the surname alone. "Surname, Given" is understood.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from .text import delatex, fold
from .textindex import Vocabulary, quote, stems, surface_queries

_SPELLINGS = (("is", "iz"), ("iz", "is"), ("ys", "yz"), ("yz", "ys"), ("our", "or"), ("or", "our"))
_NAME_SPLIT = re.compile(r"[^\w]+")


@dataclass
class Keyword:
    text: str
    weight: float
    alternatives: list[str] = field(default_factory=list)  # FTS5 strings, exact text first

    def match(self, column: str) -> str:
        return f"{column} : ({' OR '.join(self.alternatives)})"


def keywords(
    conn: sqlite3.Connection, weights: dict[str, float], fuzzy: bool, threshold: float
) -> list[Keyword]:
    """The profile's keywords with the FTS5 alternatives each one matches."""
    found = stems(conn, weights)
    out = []
    for text, weight in weights.items():
        words = found.get(text) or []
        if not words:
            continue  # only punctuation: nothing the index could hold
        alts = [quote(text)]
        if fuzzy:
            alts += _variants(conn, text, words, threshold)
        out.append(Keyword(text, weight, list(dict.fromkeys(alts))))
    return out


def _variants(conn: sqlite3.Connection, text: str, words: list[str], threshold: float) -> list[str]:
    vocab = Vocabulary(conn)
    parts = [p for p in re.split(r"[\W_]+", text) if p]
    if len(parts) > 1:  # layer-wise, layer wise -> layerwise
        return [quote("".join(parts))]
    word = parts[0] if parts else text
    out = [quote(f"{a} {b}") for a, b in _splits(conn, vocab, word)]
    stem = words[0]
    close = {stem.replace(a, b) for a, b in _SPELLINGS if a in stem}
    if len(stem) >= 5:
        from rapidfuzz import fuzz

        for term, count in vocab.with_prefix(stem[:2]).items():
            if count and fuzz.ratio(stem, term) >= threshold:
                close.add(term)
    close = {t for t in close - {stem} if vocab.count(t)}
    out += surface_queries(conn, sorted(close)).values()
    return out


def _splits(conn: sqlite3.Connection, vocab: Vocabulary, word: str) -> list[tuple[str, str]]:
    """layerwise -> [("layer", "wise")]: both halves are terms of the index."""
    if len(word) < 6 or not word.isalpha():
        return []
    pairs = [(word[:i], word[i:]) for i in range(3, len(word) - 2)]
    found = stems(conn, [p for pair in pairs for p in pair])
    ok = {p: len(t) == 1 and vocab.count(t[0]) > 1 for p, t in found.items()}
    return [(a, b) for a, b in pairs if ok[a] and ok[b]][:2]


# -- authors --------------------------------------------------------------------------


def name_parts(name: str) -> tuple[list[str], str]:
    """(given names, surname), folded: "LeCun, Yann" -> (["yann"], "lecun")."""
    text = fold(delatex(name))
    if "," in text:
        last, _, first = text.partition(",")
        given = [t for t in _NAME_SPLIT.split(first) if t]
        family = [t for t in _NAME_SPLIT.split(last) if t]
        return given, "".join(family)
    tokens = [t for t in _NAME_SPLIT.split(text) if t]
    if not tokens:
        return [], ""
    return tokens[:-1], tokens[-1]


class Authors:
    """The followed authors, matched against a paper's author list."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.people = [(name, *name_parts(name), w) for name, w in weights.items()]
        self.people = [p for p in self.people if p[2]]
        surnames = sorted({p[2] for p in self.people}, key=len, reverse=True)
        self._hint = re.compile("|".join(re.escape(s) for s in surnames)) if surnames else None

    def could_match(self, text: str) -> bool:
        """A fast test on the raw author list (JSON or joined): could anyone match?"""
        if self._hint is None or not text:
            return False
        low = text.lower() if text.isascii() else fold(text)
        return bool(self._hint.search(low.replace(" ", "")))

    def matches(self, authors: list[str]) -> list[tuple[str, str, float]]:
        """(followed name, author as written, weight) for each followed author found."""
        out = []
        parsed = [(a, _author_tokens(a)) for a in authors]
        for name, given, surname, weight in self.people:
            for author, tokens in parsed:
                if _same_person(given, surname, tokens):
                    out.append((name, author, weight))
                    break
        return out


def _author_tokens(author: str) -> list[str]:
    given, surname = name_parts(author)
    return [*given, surname]


def _same_person(given: list[str], surname: str, tokens: list[str]) -> bool:
    if not tokens:
        return False
    for cut in (1, 2):  # "Le Cun" written as two words
        if len(tokens) <= cut - 1 or "".join(tokens[-cut:]) != surname:
            continue
        first = tokens[: len(tokens) - cut]
        if not given:
            return True
        if first and _same_given(given[0], first[0]):
            return True
    return False


def _same_given(a: str, b: str) -> bool:
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return a == b


# -- categories -----------------------------------------------------------------------


def category_matches(pattern: str, category: str) -> bool:
    """cs.LG matches cs.LG; cs.* and cs match cs.LG; astro-ph matches astro-ph.CO."""
    p, c = pattern.lower(), category.lower()
    if p.endswith("*"):
        return c.startswith(p[:-1])
    if "." not in p:
        return c == p or c.startswith(p + ".")
    return c == p
