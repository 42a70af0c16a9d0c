"""BibTeX pieces: citation keys, TeX escaping of plain text, and one entry per paper.

Titles and names are treated as plain text and escaped, except ``$...$`` math (arXiv
titles carry TeX math, and escaping it would print the source instead of the symbols)
that runs nothing (``texchars.is_safe_math``). Accented Latin letters become accent
macros (``Bal{\\'{a}}zs``) and Greek letters math macros (``{$\\alpha$}``), which
classic 8-bit BibTeX, biber, bibtexparser and Zotero all read; other non-ASCII text
stays UTF-8 (``texchars`` has the rule).

An entry is ``@misc`` with arXiv's eprint fields (``eprinttype`` for Zotero and biblatex,
``archivePrefix``/``primaryClass`` for natbib): the store holds arXiv's free-text
``journal_ref`` ("Phys.Rev.D76:013009,2007"), not a journal name, so an ``@article``
would lack the journal its styles require; the reference goes to ``howpublished``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import count
from typing import Any

from ..text import delatex
from .texchars import MATH_MACROS, is_safe_math

_TEXT_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",  # not \{ : BibTeX counts braces even when escaped
    "}": r"\textbraceright{}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
_COMBINING = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0308": '"',
    "\u0303": "~",
    "\u0304": "=",
    "\u0307": ".",
    "\u0306": "u",
    "\u030c": "v",
    "\u030b": "H",
    "\u0327": "c",
    "\u0328": "k",
    "\u030a": "r",
    "\u0323": "d",
    "\u0331": "b",
}
_LETTERS = {
    "ø": r"{\o}",
    "Ø": r"{\O}",
    "ß": r"{\ss}",
    "æ": r"{\ae}",
    "Æ": r"{\AE}",
    "œ": r"{\oe}",
    "Œ": r"{\OE}",
    "å": r"{\aa}",
    "Å": r"{\AA}",
    "ł": r"{\l}",
    "Ł": r"{\L}",
    "ı": r"{\i}",
}
_ASCII_FOLD = {"ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th", "ı": "i"}
_MATH = re.compile(r"\$[^$]+\$")
# \'a  \'{a}  {\"o}  \v{s}  \v s  \'\i : TeX accents as arXiv titles write them
_TEX_ACCENT = re.compile(
    r"\{?\\(?:([`'^\"~=.])\s*|([uvHcdbkr])(?=[\s{]))\s*(?:\{(\\?[A-Za-z])\}|(\\?[A-Za-z]))\}?"
)
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
_GROUP_WORDS = re.compile(r"\b(collaboration|team|group|consortium|project)\b", re.IGNORECASE)
_STOPWORDS = set(
    "a an the on of in for to and or with from via by at is are be as its into "
    "towards toward what how why when do does can we our your this that".split()
)


def untex_accents(text: str) -> str:
    """TeX accent commands as Unicode letters: Koll\\'ar -> Kollár (math is left alone)."""
    if "\\" not in text:
        return text

    def letter(m: re.Match[str]) -> str:
        accent = m.group(1) or m.group(2)
        base = (m.group(3) or m.group(4)).lstrip("\\")
        mark = next(k for k, v in _COMBINING.items() if v == accent)
        return unicodedata.normalize("NFC", base + mark)

    return _TEX_ACCENT.sub(letter, text)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _char(ch: str) -> str:
    if ch in _TEXT_SPECIALS:
        return _TEXT_SPECIALS[ch]
    if ord(ch) < 128:
        return ch if ch.isprintable() else " "
    if ch in _LETTERS:
        return _LETTERS[ch]
    if ch in MATH_MACROS:
        macro = MATH_MACROS[ch]  # Greek capitals like Latin ones are the Latin letter
        return "{$" + macro + "$}" if macro.startswith("\\") else macro
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], parts[1:]
    if base.isascii() and base.isalpha() and len(marks) == 1 and marks in _COMBINING:
        return "{\\" + _COMBINING[marks] + "{" + base + "}}"
    return ch


def tex_escape(text: str | None) -> str:
    """Plain text as TeX that BibTeX accepts: specials escaped, braces always balanced,
    math kept unless it could run something."""
    if not text:
        return ""
    text = " ".join(text.split())
    out: list[str] = []
    pos = 0
    for m in _MATH.finditer(text):
        out.append(_plain(text[pos : m.start()]))
        math = _math_ascii(m.group(0))
        safe = (
            _balanced(math)
            and not re.search(r"[%#&]", math)
            and not math.endswith("\\$")
            and is_safe_math(math)
        )
        out.append(math if safe else _plain(m.group(0)))
        pos = m.end()
    out.append(_plain(text[pos:]))
    return "".join(out)


def _math_ascii(math: str) -> str:
    """Greek letters and math symbols inside math as their macros: $ω$ -> ${\\omega}$."""
    if math.isascii():
        return math
    return "".join("{" + MATH_MACROS[c] + "}" if c in MATH_MACROS else c for c in math)


_ASCII_TABLE = str.maketrans({**_TEXT_SPECIALS, **{chr(c): " " for c in (*range(32), 127)}})


# A run of Greek letters; a Latin letter and the combining accent that follows it
# (x + U+0301 has no precomposed form, so NFC leaves the pair); any other non-ASCII.
_NON_ASCII = re.compile(r"([\u0370-\u03ff\u1f00-\u1fff]+)|[A-Za-z][\u0300-\u036f]|[^\x00-\x7f]")


def _non_ascii(m: re.Match[str]) -> str:
    found = m.group(0)
    if m.group(1):  # symbols (ω-net, β-VAE) as macros; Greek words with accents as written
        greek = all(c in MATH_MACROS for c in found)
        return "".join(_char(c) for c in found) if greek else found
    if len(found) == 1:
        return _char(found)
    accent = _COMBINING.get(found[1])
    return "{\\" + accent + "{" + found[0] + "}}" if accent else found


def _plain(text: str) -> str:
    text = untex_accents(text).translate(_ASCII_TABLE)
    return (
        text if text.isascii() else _NON_ASCII.sub(_non_ascii, unicodedata.normalize("NFC", text))
    )


def tex_name(name: str) -> str:
    """One author for the author field: collaborations braced, Jr./III kept as the suffix."""
    words = name.split()
    if not words:
        return ""
    if _GROUP_WORDS.search(name) or "," in name:
        return "{" + tex_escape(name) + "}"
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        last, suffix, first = words[-2], words[-1], " ".join(words[:-2])
        return f"{tex_escape(last)}, {tex_escape(suffix)}, {tex_escape(first)}"
    return tex_escape(name)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'Øbro' -> 'obro', 'Balázs' -> 'balazs'."""
    text = "".join(_ASCII_FOLD.get(c, c) for c in text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


def last_name(name: str) -> str:
    """The family name: 'Neal J. Evans II' -> Evans; 'The BABAR Collaboration' -> BABAR."""
    words = [w for w in name.replace(",", " ").split() if w.lower() not in _SUFFIXES]
    if _GROUP_WORDS.search(name):
        words = [w for w in words if not _GROUP_WORDS.fullmatch(w) and w.lower() != "the"][:1]
    return words[-1] if words else ""


def date_of(paper: dict[str, Any]) -> str:
    """The date year and month come from: the first arXiv version, else the HF day."""
    for key in ("published", "hf_featured", "updated"):
        if paper.get(key):
            return str(paper[key])
    return ""


def year_of(paper: dict[str, Any]) -> str:
    return date_of(paper)[:4]


def base_key(paper: dict[str, Any]) -> str:
    """first author's last name + year + first significant title word, e.g. vaswani2017attention."""
    authors = paper.get("authors") or []
    who = ascii_fold(last_name(authors[0])) if authors else ""
    words = (ascii_fold(w) for w in re.split(r"[\s/:]+", delatex(paper.get("title") or "")))
    word = next((w for w in words if len(w) > 1 and w not in _STOPWORDS), "")
    return f"{who or 'anon'}{year_of(paper)}{word or 'paper'}"


def _suffixes() -> Iterator[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield from letters
    for n in count(2):
        yield from (f"{a}{n}" for a in letters)


def citation_keys(papers: Sequence[dict[str, Any]]) -> dict[str, str]:
    """A unique key per paper id. Papers sharing a key are told apart by id order
    (the lowest id keeps the plain key, the next get a, b, c...), so keys don't depend
    on the order of the export."""
    groups: dict[str, list[str]] = {}
    for paper in papers:
        groups.setdefault(base_key(paper), []).append(paper["id"])
    keys = {members[0]: key for key, members in groups.items() if len(members) == 1}
    shared = ((key, members) for key, members in sorted(groups.items()) if len(members) > 1)
    keys.update(suffixed(shared, groups.__contains__))
    return keys


def suffixed(
    shared: Iterable[tuple[str, list[str]]], is_base: Callable[[str], bool]
) -> Iterator[tuple[str, str]]:
    """(id, key) for the papers of each key that several share, keys in sorted order:
    the lowest id keeps the key, the others get a suffix that is neither another
    paper's plain key (`is_base`) nor a suffixed key given before."""
    given: set[str] = set()
    for key, members in shared:
        first, *rest = sorted(set(members))
        yield first, key
        suffixes = _suffixes()
        for pid in rest:
            candidate = key + next(suffixes)
            while candidate in given or is_base(candidate):
                candidate = key + next(suffixes)
            given.add(candidate)
            yield pid, candidate


_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
# Characters a verbatim field (url, doi) must not hold: a backslash starts a TeX
# command, braces end the field, and whitespace or controls break the link.
_VERBATIM_UNSAFE = re.compile(r"[\\{}\s\x00-\x1f\x7f\"]")


def _verbatim(value: Any) -> str:
    """A url or doi field: the characters TeX or BibTeX would act on percent-encoded
    (\\ -> %5C, { -> %7B), as a link means the same with them encoded."""
    return _VERBATIM_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", str(value).strip())


def _month(paper: dict[str, Any]) -> str:
    month = date_of(paper)[5:7]
    return _MONTHS[int(month) - 1] if month.isdigit() and 1 <= int(month) <= 12 else ""


def entry(paper: dict[str, Any], key: str, abstract: bool = False) -> str:
    """One @misc entry (see the module docstring for why not @article)."""
    arxiv = not str(paper["id"]).startswith("prov:")
    authors = [a for a in paper.get("authors") or [] if a.strip()]
    year = year_of(paper)
    link = paper.get("abs_url") or paper.get("hf_url") or paper.get("code_url")
    link = link or paper.get("project_url")
    fields: list[tuple[str, str]] = [
        ("title", "{" + tex_escape(paper.get("title")) + "}"),
        ("author", " and ".join(tex_name(a) for a in authors)),
        ("year", year),
        ("month", _month(paper)),
        ("howpublished", tex_escape(paper.get("journal_ref"))),
        ("eprint", _verbatim(paper["id"]) if arxiv else ""),
        ("eprinttype", "arxiv" if arxiv else ""),
        ("archivePrefix", "arXiv" if arxiv else ""),
        ("primaryClass", tex_escape(paper.get("primary_category"))),
        ("doi", _verbatim(paper.get("doi") or "")),
        ("url", _verbatim(link or "")),
        ("note", "" if authors and year else "metadata incomplete"),
        ("abstract", tex_escape(paper.get("abstract")) if abstract else ""),
    ]
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
        if value
    )
    return f"@misc{{{key},\n{body}\n}}\n"
