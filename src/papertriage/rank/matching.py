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
import unicodedata
from dataclasses import dataclass, field

from ..find.textindex import Stemmer, Vocabulary, quote, spelling_variants, surface_queries
from ..text import delatex, fold

_NAME_SPLIT = re.compile(r"[^\w]+")
_MARKS = "[\u0300-\u036f]*"
_SEP = _MARKS + "[\\s.-]?"


@dataclass
class Keyword:
    text: str
    weight: float
    alternatives: list[str] = field(default_factory=list)  # FTS5 strings, exact text first

    def match(self, column: str) -> str:
        return f"{column} : ({' OR '.join(self.alternatives)})"


def keywords(
    conn: sqlite3.Connection,
    weights: dict[str, float],
    fuzzy: bool,
    threshold: float,
    vocabulary: dict[str, int] | None = None,
) -> list[Keyword]:
    """The profile's keywords with the FTS5 alternatives each one matches.

    ``vocabulary`` (term -> papers, from a sample of the store) is where spelling
    variants and split words are looked for."""
    found = Stemmer(conn).tokens(weights)
    texts = [t for t in weights if found.get(t)]  # only punctuation: nothing to find
    alts = {t: [quote(t)] for t in texts}
    if fuzzy and texts:
        for text, more in _variants(conn, texts, found, threshold, vocabulary or {}).items():
            alts[text] += more
    return [Keyword(t, weights[t], list(dict.fromkeys(alts[t]))) for t in texts]


def _variants(
    conn: sqlite3.Connection,
    texts: list[str],
    found: dict[str, list[str]],
    threshold: float,
    vocabulary: dict[str, int],
) -> dict[str, list[str]]:
    """Hyphenation, spelling and close variants of each keyword, as FTS5 strings."""
    out: dict[str, list[str]] = {t: [] for t in texts}
    single: dict[str, str] = {}
    for text in texts:
        parts = [p for p in re.split(r"[\W_]+", text) if p]
        if len(parts) > 1:  # layer-wise, layer wise -> layerwise
            out[text].append(quote("".join(parts)))
        elif len(found[text]) == 1:
            single[text] = parts[0] if parts else text
    halves = {t: _halves(w) for t, w in single.items()}
    half_stems = Stemmer(conn).tokens(
        h for pairs in halves.values() for pair in pairs for h in pair
    )
    common = {h for h, t in half_stems.items() if len(t) == 1 and vocabulary.get(t[0], 0) > 1}
    close: dict[str, set[str]] = {}
    for text in single:
        out[text] += [quote(f"{a} {b}") for a, b in halves[text] if a in common and b in common][:2]
        close[text] = _close_terms(found[text][0], threshold, vocabulary)
    known = _in_index(conn, {t for terms in close.values() for t in terms})
    queries = surface_queries(conn, sorted(known))
    for text, terms in close.items():
        out[text] += [queries[t] for t in sorted(terms) if t in queries]
    return out


def _halves(word: str) -> list[tuple[str, str]]:
    if len(word) < 6 or not word.isalpha():
        return []
    return [(word[:i], word[i:]) for i in range(3, len(word) - 2)]


def _close_terms(stem: str, threshold: float, vocabulary: dict[str, int]) -> set[str]:
    """British/American spellings of a stem, and terms of the vocabulary within the
    rapidfuzz ratio threshold (sharing its first three letters)."""
    close = spelling_variants(stem)
    if len(stem) >= 5:
        from rapidfuzz import fuzz, process

        pool = [t for t in vocabulary if t[:3] == stem[:3]]
        close |= {
            t
            for t, _s, _i in process.extract(
                stem, pool, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
            )
        }
    return close - {stem}


def _in_index(conn: sqlite3.Connection, terms: set[str]) -> set[str]:
    vocab = Vocabulary(conn)
    return {t for t in terms if vocab.count(t)}


# -- authors --------------------------------------------------------------------------


def name_parts(name: str) -> tuple[list[str], list[str]]:
    """(given names, family names), folded: "Le Cun, Yann" -> (["yann"], ["le", "cun"])."""
    text = fold(delatex(name))
    if "," in text:
        last, _, first = text.partition(",")
        return _words(first), _words(last)
    tokens = _words(text)
    return tokens[:-1], tokens[-1:]


def _words(text: str) -> list[str]:
    return [t for t in _NAME_SPLIT.split(text) if t]


class Authors:
    """The followed authors, matched against a paper's author list."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.people: list[tuple[str, list[str], str, float]] = []
        for name, weight in weights.items():
            given, family = name_parts(name)
            if family:
                self.people.append((name, given, "".join(family), weight))
        self.match = _authors_match(self.people)  # an FTS5 query that finds them all
        self._by_surname: dict[str, list[tuple[str, list[str], float]]] = {}
        for name, given, surname, weight in self.people:
            self._by_surname.setdefault(surname, []).append((name, given, weight))
        # Each surname as a whole word, with any spacing or accents inside: lecun, le cun,
        # le-cun; the text is decomposed (NFKD), so an accent is a mark after its letter.
        hints = [_SEP.join(re.escape(c) for c in s) + _MARKS for _, _, s, _ in self.people]
        self._hint = re.compile(r"\b(?:" + "|".join(hints) + r")\b") if hints else None

    def could_match(self, text: str) -> bool:
        """A fast test on the raw author list (JSON or joined): could anyone match?"""
        if self._hint is None or not text:
            return False
        low = text.lower()
        return bool(self._hint.search(low if low.isascii() else unicodedata.normalize("NFKD", low)))

    def matches(self, authors: list[str]) -> list[tuple[str, str, float]]:
        """(followed name, author as written, weight) for each followed author found."""
        found: dict[str, tuple[str, str, float]] = {}
        for author in authors:
            tokens = _author_tokens(author)
            for cut in (1, 2):  # "Le Cun" written as two words
                if len(tokens) < cut:
                    continue
                for name, given, weight in self._by_surname.get("".join(tokens[-cut:]), ()):
                    first = tokens[: len(tokens) - cut]
                    if name not in found and (
                        not given or (first and _same_given(given[0], first[0]))
                    ):
                        found[name] = (name, author, weight)
        return [found[name] for name, *_ in self.people if name in found]


def _authors_match(people: list[tuple[str, list[str], str, float]]) -> str | None:
    """authors_text : (...) with each surname, also split in two ("le cun" for lecun)."""
    alts: list[str] = []
    for _name, _given, surname, _w in people:
        alts.append(quote(surname))
        alts += [quote(f"{surname[:i]} {surname[i:]}") for i in range(2, len(surname) - 1)]
    return f"authors_text : ({' OR '.join(dict.fromkeys(alts))})" if alts else None


def _author_tokens(author: str) -> list[str]:
    given, family = name_parts(author)
    return [*given, *family]


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
