"""The filter query language, parsed into a tree and compiled to FTS5 and SQL.

    words          all must match (porter stemming: quantize finds quantization)
    "a phrase"     these words in this order
    a OR b         either (OR in capitals; lower-case "or" is a word)
    NOT a, -a      must not match
    quant*         prefix
    ( ... )        grouping
    title:  abstract:  author:   one column of the full-text index
    cat:cs.LG  cat:cs.*  cat:cs    a category, or a whole archive
    id:2410.12345  id:2410.*       an arXiv id, or an id prefix

A user's text never reaches FTS5 raw: every term becomes a quoted FTS5 string and
the operators come only from this parser, so `-`, `:`, quotes and the words AND,
NOT and NEAR inside a pasted title do what a reader expects. A query that cannot
be understood raises QueryError naming the place (1-based character position).
"""

from __future__ import annotations

import re

from .. import ids
from ..errors import QueryError
from ..text import nfkc
from .sqlparts import FTS_SUBQUERY, MAX_WORD, category_condition
from .textindex import quote

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from ..records import NamedTuple

FTS_COLUMNS = {"title": "title", "abstract": "abstract", "author": "authors_text"}
SQL_FIELDS = ("cat", "id")
FIELDS = (*FTS_COLUMNS, *SQL_FIELDS)
_OPERATORS = ("OR", "AND", "NOT")
# Limits that keep hostile queries cheap: brackets and NOTs nest at most MAX_DEPTH deep
# (the parser and every walk of the tree recurse), and a word has at most MAX_WORD (sqlparts)
# characters (fuzzy matching compares words pairwise: its cost grows with length²).
MAX_DEPTH = 32
_WORDCHAR = re.compile(r"\w")


# -- the tree -------------------------------------------------------------------------


class Term(NamedTuple):
    """A word, prefix or phrase, optionally limited to one FTS column."""

    text: str
    phrase: bool = False
    prefix: bool = False
    column: str | None = None  # FTS column name (title, abstract, authors_text)


class Field(NamedTuple):
    """cat:VALUE or id:VALUE: a condition on the papers table, not the text index."""

    name: str
    value: str


class Not(NamedTuple):
    child: Node


class And(NamedTuple):
    children: tuple[Node, ...]


class Or(NamedTuple):
    children: tuple[Node, ...]


class Column(NamedTuple):
    """title:( ... ): a column filter over a group."""

    column: str
    child: Node


Node = Term | Field | Not | And | Or | Column


# -- tokens ---------------------------------------------------------------------------


class Token(NamedTuple):
    kind: str  # word, phrase, lparen, rparen, or, and, not, minus, field
    text: str
    pos: int  # 1-based position in the query


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(Token("lparen" if c == "(" else "rparen", c, i + 1))
            i += 1
        elif c == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError(f"unbalanced quote at position {i + 1}: {_excerpt(query, i)}")
            check_words(query[i + 1 : end], i + 2)
            tokens.append(Token("phrase", query[i + 1 : end], i + 1))
            i = end + 1
        elif c == "-" and i + 1 < n and (query[i + 1] in '"(' or _WORDCHAR.match(query[i + 1])):
            if tokens and tokens[-1].kind == "field":
                # title:-foo reads as NOT title:foo
                tokens.insert(len(tokens) - 1, Token("minus", "-", i + 1))
            else:
                tokens.append(Token("minus", "-", i + 1))
            i += 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in '()"':
                j += 1
            check_words(query[i:j], i + 1)
            tokens.extend(_word_tokens(query[i:j], i + 1))
            i = j
    return tokens


def check_words(text: str, pos: int = 1, what: str = "query") -> None:
    """QueryError for a word longer than MAX_WORD characters in text (at 1-based pos)."""
    if len(text) <= MAX_WORD:
        return
    offset = 0
    for word in text.split():
        offset = text.index(word, offset)
        if len(word) > MAX_WORD:
            raise QueryError(
                f"a word of {len(word):,} characters at position {pos + offset} of the {what}"
                f" (at most {MAX_WORD}): {word[:20]}…"
            )
        offset += len(word)


def _word_tokens(word: str, pos: int) -> list[Token]:
    if word in _OPERATORS:
        return [Token(word.lower(), word, pos)]
    name, colon, rest = word.partition(":")
    if colon and name.lower() in FIELDS:
        field_token = Token("field", name.lower(), pos)
        return [field_token, Token("word", rest, pos + len(name) + 1)] if rest else [field_token]
    return [Token("word", word, pos)]


def _excerpt(query: str, i: int) -> str:
    text = query[i : i + 20]
    return repr(text + ("…" if len(query) > i + 20 else ""))


# -- parsing --------------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str, tokens: list[Token]) -> None:
        self.query = query
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def nest(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(
                f"brackets or NOTs nested more than {MAX_DEPTH} deep at position {tok.pos}"
            )

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node | None:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:  # only a stray ')' stops or_expr early
            raise QueryError(f"unmatched ')' at position {tok.pos}")
        return node

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            right = self.and_expr()
            if parts[-1] is None or right is None:
                raise QueryError(f"OR at position {tok.pos} needs a term on each side")
            parts.append(right)
        if len(parts) == 1:
            return parts[0]
        return Or(tuple(p for p in parts if p is not None))

    def and_expr(self) -> Node | None:
        parts: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind not in ("or", "rparen"):
            if tok.kind == "and":
                self.take()
                nxt = self.peek()
                if not parts or nxt is None or nxt.kind in ("or", "rparen", "and"):
                    raise QueryError(f"AND at position {tok.pos} needs a term on each side")
                continue
            node = self.unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node | None:
        tok = self.take()
        if tok.kind in ("not", "minus"):
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "and", "rparen", "not", "minus"):
                word = "NOT" if tok.kind == "not" else "-"
                raise QueryError(f"{word} at position {tok.pos} needs a term after it")
            self.nest(tok)
            child = self.unary()
            self.depth -= 1
            return Not(child) if child is not None else None
        return self.primary(tok)

    def primary(self, tok: Token) -> Node | None:
        if tok.kind == "lparen":
            self.nest(tok)
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QueryError(f"unmatched '(' at position {tok.pos}")
            self.take()
            self.depth -= 1
            return node
        if tok.kind == "field":
            return self.field(tok)
        if tok.kind == "phrase":
            return _term(tok.text, phrase=True)
        return _term(tok.text)

    def field(self, tok: Token) -> Node | None:
        nxt = self.peek()
        if nxt is None or nxt.kind not in ("word", "phrase", "lparen"):
            raise QueryError(f'{tok.text}: at position {tok.pos} needs a word or "phrase" after it')
        self.take()
        if tok.text in SQL_FIELDS:
            if nxt.kind == "lparen":
                raise QueryError(f"{tok.text}: at position {tok.pos} takes one value, not a group")
            value = nxt.text.strip()
            if tok.text == "id":
                _check_id(value, nxt.pos)
            return Field(tok.text, value) if value else None
        column = FTS_COLUMNS[tok.text]
        if nxt.kind == "lparen":
            child = self.primary(nxt)
            return Column(column, child) if child is not None else None
        term = _term(nxt.text, phrase=nxt.kind == "phrase")
        return _with_column(term, column) if term is not None else None


def _term(text: str, phrase: bool = False) -> Node | None:
    """A Term, or None when the text has no word characters (FTS5 would match nothing)."""
    prefix = False
    if not phrase and text.endswith("*"):
        text, prefix = text.rstrip("*"), True
    if not _WORDCHAR.search(text):
        return None
    if not phrase and not prefix and _is_hyphenated(text):
        # layer-wise: the phrase "layer wise", or the joined word layerwise.
        return Or((Term(text, phrase=True), Term(text.replace("-", ""))))
    return Term(text, phrase=phrase, prefix=prefix)


def _is_hyphenated(text: str) -> bool:
    parts = text.split("-")
    return len(parts) == 2 and all(p.isalpha() for p in parts)


def _with_column(node: Node, column: str) -> Node:
    if isinstance(node, Term):
        return Term(node.text, node.phrase, node.prefix, column)
    return Column(column, node)


def _check_id(value: str, pos: int) -> None:
    bare = value.rstrip("*")
    if value.endswith("*") and re.fullmatch(r"[\w./-]*", bare):
        return
    if ids.try_parse_id(value) is None:
        raise QueryError(f"id: at position {pos}: {value!r} is not an arXiv id")


def parse(query: str) -> Node | None:
    """The query as a tree; None when it has nothing to search for."""
    query = nfkc(query.replace("\x00", " "))  # SQLite would end an FTS5 string at a NUL
    return _Parser(query, tokenize(query)).parse()


# -- compiling ------------------------------------------------------------------------


def term_fts(term: Term) -> str:
    expr = quote(term.text) + ("*" if term.prefix else "")
    return f"{term.column} : {expr}" if term.column else expr


class Part:
    """A compiled subtree: an FTS5 expression (and exclusions) plus SQL conditions, ANDed."""

    __slots__ = ("fts", "nots", "sql")

    def __init__(
        self,
        fts: str | None = None,
        nots: list[str] | None = None,
        sql: list[tuple[str, list[Any]]] | None = None,
    ) -> None:
        self.fts = fts
        self.nots = nots or []
        self.sql = sql or []

    @property
    def pure_fts(self) -> bool:
        return self.fts is not None and not self.sql

    def fts_expr(self) -> str:
        assert self.fts is not None
        if not self.nots:
            return self.fts
        return "(" + self.fts + "".join(f" NOT {n}" for n in self.nots) + ")"

    def conditions(self) -> list[tuple[str, list[Any]]]:
        """The whole part as SQL conditions on papers (FTS parts as subqueries)."""
        out: list[tuple[str, list[Any]]] = []
        if self.fts is not None:
            out.append((f"papers.pk IN ({FTS_SUBQUERY})", [self.fts_expr()]))
        else:
            out += [(f"papers.pk NOT IN ({FTS_SUBQUERY})", [n]) for n in self.nots]
        return out + self.sql


def compile_node(node: Node, expand: Any = None) -> Part:
    """Compile a tree. `expand(term) -> FTS5 expression` rewrites terms (fuzzy mode)."""
    if isinstance(node, Term):
        return Part(fts=expand(node) if expand else term_fts(node))
    if isinstance(node, Field):
        return Part(sql=[field_condition(node)])
    if isinstance(node, Column):
        child = compile_node(node.child, expand)
        if not child.pure_fts:
            raise QueryError(f"{_field_name(node.column)}:( ... ) may hold only words")
        return Part(fts=f"{node.column} : ({child.fts_expr()})")
    if isinstance(node, Not):
        child = compile_node(node.child)  # exclusions stay exact, even with --fuzzy
        if child.pure_fts:
            return Part(nots=[child.fts_expr()])
        return Part(sql=[_negate(child)])
    if isinstance(node, And):
        return _and([compile_node(c, expand) for c in node.children])
    return _or([compile_node(c, expand) for c in node.children])


def _field_name(column: str) -> str:
    return next(k for k, v in FTS_COLUMNS.items() if v == column)


def _and(parts: list[Part]) -> Part:
    positives = [p.fts for p in parts if p.fts is not None]
    out = Part(
        fts=" AND ".join(positives) if positives else None,
        nots=[n for p in parts for n in p.nots],
        sql=[s for p in parts for s in p.sql],
    )
    if len(positives) > 1:
        out.fts = f"({out.fts})"
    return out


def _or(parts: list[Part]) -> Part:
    if all(p.pure_fts for p in parts):
        return Part(fts="(" + " OR ".join(p.fts_expr() for p in parts) + ")")
    alternatives = [_joined(p.conditions()) for p in parts]
    sql = " OR ".join(f"({s})" for s, _ in alternatives)
    return Part(sql=[(sql, [a for _, args in alternatives for a in args])])


def _joined(conds: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    return " AND ".join(f"({s})" for s, _ in conds), [a for _, args in conds for a in args]


def _negate(part: Part) -> tuple[str, list[Any]]:
    sql, args = _joined(part.conditions())
    return f"NOT ({sql})", args


def field_condition(node: Field) -> tuple[str, list[Any]]:
    if node.name == "cat":
        return category_condition(node.value)
    if node.value.endswith("*"):
        prefix = node.value.rstrip("*")
        return ("papers.id >= ? AND papers.id < ?", [prefix, prefix + "\uffff"])
    pid, _version = ids.parse_id(node.value)
    return (
        "papers.id = ? OR papers.id IN (SELECT paper_id FROM aliases WHERE alias = ?)",
        [pid, pid],
    )


class Compiled(NamedTuple):
    """What a query asks of the store: an FTS5 MATCH (or None) and SQL conditions."""

    match: str | None
    where: list[str]
    params: list[Any]
    words: list[str]  # positive words and phrases, for highlighting
    # The same match against titles alone, when a title match implies a full match
    # (no NOT, no fields): the first tier of the relevance order.
    title_match: str | None = None


def compile_query(query: str | None, expander: Any = None) -> Compiled:
    """Parse and compile; `expander` (fuzzy.Expander) rewrites and widens the words."""
    node = parse(query) if query and query.strip() else None
    if node is None:
        if query and query.strip():
            raise QueryError(f"nothing to search for in {query!r}")
        return Compiled(None, [], [], [])
    if expander is not None:
        node = expander.rewrite(node)
    part = compile_node(node, expander.expand if expander is not None else None)
    match = part.fts_expr() if part.fts is not None else None
    conds = part.sql if match is not None else part.conditions()
    return Compiled(
        match,
        [s for s, _ in conds],
        [a for _, args in conds for a in args],
        positive_words(node),
        match if match is not None and _titles_suffice(node) else None,
    )


def _titles_suffice(node: Node) -> bool:
    """Words, phrases, prefixes, AND and OR only: matching them in the title alone
    means matching them in the whole paper."""
    if isinstance(node, Term):
        return node.column is None
    if isinstance(node, And | Or):
        return all(_titles_suffice(c) for c in node.children)
    return False


def positive_words(node: Node | None, negated: bool = False) -> list[str]:
    """The words a match contains (not those under NOT), for highlighting."""
    if node is None or isinstance(node, Field):
        return []
    if isinstance(node, Term):
        return [] if negated else [node.text]
    if isinstance(node, Not):
        return positive_words(node.child, not negated)
    if isinstance(node, Column):
        return positive_words(node.child, negated)
    out: list[str] = []
    for child in node.children:
        out += [w for w in positive_words(child, negated) if w not in out]
    return out


def terms(node: Node | None) -> list[Term]:
    """Every Term in the tree, in order."""
    if node is None or isinstance(node, Field):
        return []
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not | Column):
        return terms(node.child)
    return [t for c in node.children for t in terms(c)]
