"""--fuzzy: widen each query word to the close terms of the full-text index's vocabulary.

The index holds porter stems (quantization -> "quantiz"), and so does its vocabulary
(read through an fts5vocab table). A query word is stemmed by the same tokenizer
(a throwaway temp FTS5 table), then compared with the vocabulary terms that share its
first two letters (a range read: a 1M-paper store is not scanned whole).

Each word becomes an FTS5 OR of its variants:
- sure ones: British/American spellings (quantisation: quantis, quantiz) and
  hyphenation both ways (layerwise also looks for the phrase "layer wise" when both
  halves are terms; the words `layer wise` also look for layerwise);
- typo corrections, for a word in fewer than 5 papers: terms far more common than the
  word typed (if it is indexed at all) whose words are within 1-2 edits of it
  (optimal string alignment, rapidfuzz; textindex.typo_terms: quantizaton ->
  quantization, so the term quantiz), or whose stem is that close to the word's stem
  (transfromer -> transform); only the closest ones, the most common first. Papers
  found only through a correction rank after the others (selection.Plan.sure).
Nothing is cached on disk.
"""

from __future__ import annotations

import sqlite3
from typing import TypeGuard

from .query import And, Column, Node, Not, Or, Term
from .textindex import Stemmer, Vocabulary, quote, spelling_variants, surfaces, typo_terms

MAX_TYPOS = 3  # typo corrections OR-ed per word: the closest, then the most common
COMMONER = 10  # a correction must be this many times more common than the word typed
SPELLED_RIGHT = 5  # a word (or its spelling variant) in this many papers is no typo
# Halves a compound is not split into (their look-up is slow and their phrase noise).
_FUNCTION_WORDS = frozenset(
    "the and for with from that this into onto over under upon out off not are was were "
    "its our their his her you they them then than there here what when where which who "
    "how all any can may one two per via also only very more most less such both each "
    "ing ion ity ness ment able ible ise ize ful ous ive".split()  # and suffixes
)


def max_distance(length: int) -> int:
    """How many edits a word of this length may be from a vocabulary term."""
    if length <= 4:
        return 0
    return 1 if length <= 7 else 2


def surface_distance(length: int) -> int:
    """How many edits a word of this length may be from a word of the index: one, two
    from 12 letters. Fewer than between stems: a term stands for many words
    (layer: layers, layered, layerive...), and one of them is easily two edits away."""
    if length <= 4:
        return 0
    return 1 if length < 12 else 2


class Expander:
    """Rewrites a parsed query for --fuzzy and expands its terms."""

    def __init__(self, conn: sqlite3.Connection, commoner: float = COMMONER) -> None:
        self.commoner = commoner  # how much more common than the typed word a correction is
        self.stemmer = Stemmer(conn)
        self.vocab = Vocabulary(conn)
        self.variants: dict[str, list[str]] = {}  # word -> FTS5 alternatives (sure ones)
        self.typos: dict[str, list[str]] = {}  # word -> FTS5 alternatives (typo corrections)
        self.with_typos = True
        self.words: list[str] = []  # what the table should highlight

    # -- the tree ---------------------------------------------------------------------

    def rewrite(self, node: Node) -> Node:
        """Join adjacent words (layer wise -> also layerwise) and prepare every word."""
        node = self._joins(node)
        self.prepare(_plain_words(node))
        return node

    def _joins(self, node: Node) -> Node:
        if isinstance(node, Term) and node.phrase and len(node.text.split()) == 2:
            joined = "".join(node.text.split())
            if self._is_term(joined):
                return Or((node, Term(joined, column=node.column)))
            return node
        if isinstance(node, Not):  # exclusions stay exact
            return node
        if isinstance(node, Column):
            return Column(node.column, self._joins(node.child))
        if isinstance(node, Or):
            return Or(tuple(self._joins(c) for c in node.children))
        if isinstance(node, And):
            return And(self._join_pairs([self._joins(c) for c in node.children]))
        return node

    def _join_pairs(self, children: list[Node]) -> tuple[Node, ...]:
        out: list[Node] = []
        i = 0
        while i < len(children):
            a = children[i]
            b = children[i + 1] if i + 1 < len(children) else None
            if _plain(a) and _plain(b) and a.column == b.column:
                joined = a.text + b.text
                if joined.isalpha() and self._is_term(joined):
                    out.append(Or((And((a, b)), Term(joined, column=a.column))))
                    i += 2
                    continue
            out.append(a)
            i += 1
        return tuple(out)

    def _is_term(self, word: str) -> bool:
        stem = self.stemmer.stem(word)
        return bool(stem and self.vocab.counts([stem]))

    # -- the words --------------------------------------------------------------------

    def prepare(self, words: list[str]) -> None:
        """Find the variants of each word (see `variants` and `typos`)."""
        words = [w for w in words if w not in self.variants]
        stems = self.stemmer.tokens(words)
        spelled: dict[str, list[str]] = {}
        typos: dict[str, list[str]] = {}
        for word in words:
            if len(stems[word]) == 1:
                spelled[word], typos[word] = self._close_terms(word, stems[word][0])
        splits = {w: self._splits(w) for w in words}
        every = {t for terms in (*spelled.values(), *typos.values()) for t in terms}
        surface = surfaces(self.stemmer, every)

        def alt(term: str) -> str:
            form = surface.get(term)
            return quote(form) if form else quote(term) + "*"

        for word in words:
            alts = [quote(word)]
            alts += [alt(t) for t in spelled.get(word, [])]
            alts += [quote(f"{a} {b}") for a, b in splits[word]]
            self.variants[word] = list(dict.fromkeys(alts))
            self.typos[word] = [
                a for a in dict.fromkeys(alt(t) for t in typos.get(word, [])) if a not in alts
            ]
            self.words += spelled.get(word, []) + typos.get(word, [])
            self.words += [f"{a}-{b}" for a, b in splits[word]] + [
                f"{a} {b}" for a, b in splits[word]
            ]

    def _close_terms(self, word: str, stem: str) -> tuple[list[str], list[str]]:
        """Vocabulary terms close to a word's stem: spelling variants (quantis/quantiz),
        and, for a word the index hardly knows, likely corrections of a typo: terms
        within a few edits that are far more common (transfrom -> transform)."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        spelled = spelling_variants(stem)
        known = self.vocab.counts([*spelled, stem])
        spelled_terms = sorted((t for t in known if t != stem), key=lambda t: -known[t])
        limit = max_distance(max(len(word), len(stem)))
        if not limit or max(known.values(), default=0) >= SPELLED_RIGHT:
            return spelled_terms, []
        pool = self.vocab.near(stem)
        floor = max(1, self.commoner * known.get(stem, 0))
        common = [t for t in pool if pool[t] >= floor and t not in known]
        # The typed word against the words each term stands for (quantizaton is one edit
        # from quantization, four from its stem quantiz), then stem against stem; a
        # match of stems alone counts half an edit more. Only the closest are kept.
        edits = {
            t: d + 0.5
            for t, d, _i in process.extract(
                stem,
                [t for t in common if abs(len(t) - len(stem)) <= limit],
                scorer=OSA.distance,
                score_cutoff=limit,
                limit=None,
            )
        }
        edits.update(typo_terms(self.stemmer, word, common, surface_distance(len(word))))
        if not edits:
            return spelled_terms, []
        closest = min(edits.values())
        best = sorted((t for t in edits if edits[t] == closest), key=lambda t: (-pool[t], t))
        return spelled_terms, best[:MAX_TYPOS]

    def _splits(self, word: str) -> list[tuple[str, str]]:
        """layerwise -> [("layer", "wise")]: both halves (3 letters or more, not a
        function word like "the" or "with") are indexed terms."""
        if len(word) < 6 or not word.isalpha():
            return []
        low = word.lower()
        pairs = [
            (word[:i], word[i:])
            for i in range(3, len(word) - 2)
            if low[:i] not in _FUNCTION_WORDS and low[i:] not in _FUNCTION_WORDS
        ]
        toks = self.stemmer.tokens({p for pair in pairs for p in pair})
        stems = {p: t[0] for p, t in toks.items() if len(t) == 1}
        counts = self.vocab.counts(stems.values())
        return [
            (a, b)
            for a, b in pairs
            if counts.get(stems.get(a, ""), 0) > 1 and counts.get(stems.get(b, ""), 0) > 1
        ][:3]

    def expand(self, term: Term) -> str:
        """One query term as an FTS5 expression over its variants."""
        from .query import term_fts

        alts = self.variants.get(term.text) if _plain(term) else None
        if alts and self.with_typos:
            alts = alts + self.typos.get(term.text, [])
        if not alts or len(alts) == 1:
            return term_fts(term)
        expr = "(" + " OR ".join(alts) + ")"
        return f"{term.column} : {expr}" if term.column else expr


def _plain(node: Node | None) -> TypeGuard[Term]:
    return isinstance(node, Term) and not node.phrase and not node.prefix


def _plain_words(node: Node) -> list[str]:
    from .query import terms

    out: list[str] = []
    for t in terms(node):
        if _plain(t) and t.text not in out:
            out.append(t.text)
    return out
