"""One paper as a card for a terminal (`show`), without Rich.

`show` is the command a user runs most after `list`, so it answers on the fast path and
must not pay Rich's import (about 35 ms, more than the query itself). The card is
plain text: each line wrapped at the terminal's width on spaces, a fact's value
continued under itself, and bold, dim and cyan added only for a terminal that takes
them (not when piped, nor with ``TERM=dumb``; ``NO_COLOR`` drops the colour, not the
weight; ``FORCE_COLOR`` asks for both). Every stored text goes through
``output.shown``, so no control character from the data reaches the terminal.
"""

from __future__ import annotations

import os
import sys

from ..columns import shown_day

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

LABEL = 10  # a fact's label is right-aligned in this many columns, then two spaces
_SGR = {"bold": "1", "dim": "2", "cyan": "36"}


class Style:
    """Which escapes a stream takes, and how wide its lines may be."""

    def __init__(self, out: TextIO, width: int | None = None) -> None:
        env = os.environ
        tty = _isatty(out)
        forced = bool(env.get("FORCE_COLOR"))
        self.on = forced or (tty and env.get("TERM") != "dumb")
        self.colour = self.on and (forced or not env.get("NO_COLOR"))
        self.width = width or _width(out, tty)

    def __call__(self, text: str, style: str) -> str:
        if not self.on or not text or (style == "cyan" and not self.colour):
            return text
        return f"\x1b[{_SGR[style]}m{text}\x1b[0m"


def _isatty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _width(out: TextIO, tty: bool) -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if tty:
        try:
            return os.get_terminal_size(out.fileno()).columns or 80
        except (OSError, ValueError, AttributeError):
            pass
    return 80


def cells(text: str) -> int:
    """Terminal columns a text takes: East Asian wide and full-width letters take two."""
    if text.isascii():
        return len(text)
    from unicodedata import combining, east_asian_width

    return sum(0 if combining(c) else 2 if east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int, indent: int = 0, first: int = 0) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces: the first line
    starts after ``first`` columns already used, the others with ``indent`` spaces. A
    word longer than a whole line is cut into pieces that fit."""
    room = max(width, indent + 10)
    lines: list[str] = []
    words: list[str] = []
    used = first
    for word in _pieces(text.split(), room - indent):
        size = cells(word)
        if words and used + 1 + size > room:
            lines.append(" ".join(words))
            words, used = [], indent
        used += size + (1 if words else 0)
        words.append(word)
    lines.append(" ".join(words))
    return [lines[0], *(" " * indent + line for line in lines[1:])]


def _pieces(words: list[str], room: int) -> list[str]:
    out: list[str] = []
    for word in words:
        while cells(word) > room:
            piece, used = "", 0
            for c in word:
                used += cells(c)
                if used > room:
                    break
                piece += c
            piece = piece or word[:1]
            out.append(piece)
            word = word[len(piece) :]
        out.append(word)
    return out


def card(paper: dict[str, Any], style: Style) -> str:
    """The card's text: title, id, authors, the facts, links, abstract, user data."""
    from ..output import shown

    width = style.width
    out: list[str] = []

    def para(text: str, kind: str | None = None) -> None:
        for line in wrap(shown(text), width):
            out.append(style(line, kind) if kind else line)

    def fact(label: str, value: str, lead: str | None = None) -> None:
        head = lead if lead is not None else f"{label:>{LABEL}}"
        lines = wrap(shown(value), width, indent=LABEL + 2, first=cells(head) + 2)
        out.append(f"{style(head, 'bold')}  {lines[0]}")
        out.extend(lines[1:])

    para(paper.get("title") or "(no title)", "bold")
    version = f"v{paper['version']}" if paper.get("version") else ""
    out.append(style(shown(paper["id"]), "cyan") + version)
    if paper.get("authors"):
        para(", ".join(paper["authors"]), "dim")
    facts = [
        ("date", shown_day(paper)),
        ("published", paper.get("published")),
        ("updated", paper.get("updated")),
        ("categories", " ".join(paper.get("categories") or [])),
        ("upvotes", paper.get("hf_upvotes")),
        ("on HF", paper.get("hf_featured")),
        ("stars", paper.get("github_stars")),
        ("org", paper.get("hf_organization")),
        ("comment", paper.get("comment")),
        ("journal", paper.get("journal_ref")),
        ("doi", paper.get("doi")),
        ("license", paper.get("license")),
    ]
    for label, value in facts:
        if value not in (None, ""):
            fact(label, str(value))
    for key in ("abs_url", "pdf_url", "hf_url", "code_url", "project_url"):
        if paper.get(key):
            # A link is never broken inside: a terminal makes it clickable whole.
            out.append(f"{style(f'{key[:-4]:>{LABEL}}', 'bold')}  {shown(paper[key])}")
    if paper.get("abstract"):
        out.append("")
        para(paper["abstract"])
    if paper.get("ai_summary"):
        out.append("")
        fact("", paper["ai_summary"], lead="AI summary")
    if paper.get("tags"):
        out.append("")
        fact("", ", ".join(paper["tags"]), lead="tags")
    for note in paper.get("notes") or []:
        fact("", note["text"], lead=f"note ({shown(note['created'][:10])})")
    for d in paper.get("decisions") or []:
        undone = "  (undone)" if d.get("undone") else ""
        out.append(f"{style('triage', 'bold')} {shown(d['created'][:16])}  {d['decision']}{undone}")
    seen = ", ".join(
        f"{s['source']} {(s['first_seen'] or '')[:10]}" for s in paper.get("sightings") or []
    )
    if seen:
        out.append("")
        out.extend(style(line, "dim") for line in wrap(shown(f"seen: {seen}"), width))
    return "\n".join(out) + "\n"


def paper_detail(
    paper: dict[str, Any], out: TextIO | None = None, width: int | None = None
) -> None:
    """Write the card of one paper to ``out`` (standard output by default)."""
    stream = out or sys.stdout
    stream.write(card(paper, Style(stream, width)))
