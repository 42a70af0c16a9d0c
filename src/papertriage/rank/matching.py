"""What the ranking profile looks for: keywords (with their variants), authors, categories.

Keywords become FTS5 expressions over the store's index (see textindex), so a keyword
matches what `filter` would find: porter stems (`model` finds `models`), any case and
accent. With ``fuzzy`` a keyword also matches its hyphenation variants (``layer-wise``,
``layer wise``, ``layerwise``), British/American spellings (quantisation) and terms of
the store's vocabulary within a rapidfuzz ratio of ``fuzzy_threshold`` of it.

Followed authors match by the rule of `--author` (find/authors.py): names compare part
by part after LaTeX, accents and case are folded away, an initial matching a name that
starts with it (``Y. LeCun`` = ``Yann LeCun``, ``Le Cun`` = ``LeCun``); a profile name
without a given name matches on the surname alone.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from ..find.authors import Name
from ..find.textindex import Stemmer, Vocabulary, quote, spelling_variants, surface_queries

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
    starts = _Starts(vocabulary)
    for text in single:
        out[text] += [quote(f"{a} {b}") for a, b in halves[text] if a in common and b in common][:2]
        close[text] = _close_terms(found[text][0], threshold, vocabulary, starts)
        close[text] |= _typos(conn, single[text], found[text][0], vocabulary, starts)
    known = _in_index(conn, {t for terms in close.values() for t in terms})
    queries = surface_queries(conn, sorted(known))
    for text, terms in close.items():
        out[text] += [queries[t] for t in sorted(terms) if t in queries]
    return out


def _halves(word: str) -> list[tuple[str, str]]:
    if len(word) < 6 or not word.isalpha():
        return []
    return [(word[:i], word[i:]) for i in range(3, len(word) - 2)]


class _Starts:
    """The vocabulary's terms t with t[:n] == word[:n], in its order (an index made once
    per n: the vocabulary is read once, not once per keyword)."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self.by: dict[int, dict[str, list[str]]] = {}

    def __call__(self, word: str, n: int) -> list[str]:
        if n not in self.by:
            by: dict[str, list[str]] = {}
            for t in self.vocabulary:
                by.setdefault(t[:n], []).append(t)
            self.by[n] = by
        return self.by[n].get(word[:n], [])


def _close_terms(
    stem: str, threshold: float, vocabulary: dict[str, int], starts: _Starts | None = None
) -> set[str]:
    """British/American spellings of a stem, and terms of the vocabulary within the
    rapidfuzz ratio threshold (sharing its first three letters)."""
    close = spelling_variants(stem)
    if len(stem) >= 5:
        from rapidfuzz import fuzz, process

        pool = (starts or _Starts(vocabulary))(stem, 3)
        close |= {
            t
            for t, _s, _i in process.extract(
                stem, pool, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
            )
        }
    return close - {stem}


def _typos(
    conn: sqlite3.Connection,
    word: str,
    stem: str,
    vocabulary: dict[str, int],
    starts: _Starts | None = None,
) -> set[str]:
    """For a keyword the store hardly knows, the terms whose words are a typo away from
    it, as `filter --fuzzy` finds them (quantizaton: quantiz, for quantization)."""
    from ..find.fuzzy import SPELLED_RIGHT, surface_distance
    from ..find.textindex import typo_terms

    if vocabulary.get(stem, 0) >= SPELLED_RIGHT:
        return set()
    pool = (starts or _Starts(vocabulary))(stem, 2)
    return set(typo_terms(Stemmer(conn), word, pool, surface_distance(len(word)))) - {stem}


def _in_index(conn: sqlite3.Connection, terms: set[str]) -> set[str]:
    vocab = Vocabulary(conn)
    return {t for t in terms if vocab.count(t)}


# -- authors --------------------------------------------------------------------------


class Authors:
    """The followed authors, matched against a paper's author list by the same rule as
    `--author` (find.authors.Name)."""

    def __init__(self, conn: sqlite3.Connection, weights: dict[str, float]) -> None:
        names = [(Name(conn, name), weight) for name, weight in weights.items()]
        self.people = [(n, w) for n, w in names if n.match is not None]
        # An FTS5 query that finds them all.
        alts = [alt for n, _w in self.people for alt in n.alternatives]
        self.match = f"authors_text : ({' OR '.join(dict.fromkeys(alts))})" if alts else None

    def could_match(self, text: str) -> bool:
        """A fast test on the raw author list (JSON or joined): could anyone match?"""
        return bool(text) and any(n.could_be(text) for n, _w in self.people)

    def matches(self, authors: list[str]) -> list[tuple[str, str, float]]:
        """(followed name, author as written, weight) for each followed author found."""
        out = []
        for name, weight in self.people:
            author = next((a for a in authors if name.is_author(a)), None)
            if author is not None:
                out.append((name.raw, author, weight))
        return out


# -- categories -----------------------------------------------------------------------


def category_matches(pattern: str, category: str) -> bool:
    """cs.LG matches cs.LG; cs.* and cs match cs.LG; astro-ph matches astro-ph.CO."""
    p, c = pattern.lower(), category.lower()
    if p.endswith("*"):
        return c.startswith(p[:-1])
    if "." not in p:
        return c == p or c.startswith(p + ".")
    return c == p
