"""Hugging Face papers pages: the text of a listing page pasted from a browser, and
the HTML of a single paper page.

A pasted listing is blank-line-separated blocks: a page heading (ending with the
page date, 'Dec 15', no year), then per paper a one-line title, a long abstract and,
where the page shows one, a byline: '  • N authors' or an organization's name, a
line '·', and a date line 'Mon D[, YYYY][ upvotes]'. HF omits the year for dates in
the current year, so yearless dates are resolved against the page's own date.
Papers on the page carry no arXiv id: each gets a provisional id from its title.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any

from .. import ids
from ..errors import InputError
from ..models import SKIPPED, Paper, make_paper
from ..text import clean, title_key
from . import hf

SOURCE = "hf-page"
MAX_TITLE = 300  # a title is a short line ...
MIN_ABSTRACT = 80  # ... followed by a long abstract
MAX_WHO = 120  # an author count or an organization's name

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_DATE_RE = re.compile(
    r"^(?P<mon>[A-Za-z]{3,9})\.? (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: (?P<up>\d+))?$"
)
_AUTHORS_RE = re.compile(r"^[•·*-]? ?(?P<n>\d+) authors?$", re.IGNORECASE)
_DOT = "·"
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_SENTENCE_ENDS = (".", "!", "?", ")", "]", '"', "\u201d", "\u2019", "\u2026")


@dataclass(frozen=True)
class _DateLine:
    month: int
    day: int
    year: int | None
    upvotes: int | None
    shown: str


@dataclass(frozen=True)
class _Byline:
    who: tuple[str, ...]
    when: _DateLine | None


@dataclass(frozen=True)
class _Item:
    title: str
    abstract: str
    byline: _Byline | None


# ---- lines and blocks -------------------------------------------------------------


def _norm(line: str) -> str:
    return " ".join(line.split())


def _date_line(line: str) -> _DateLine | None:
    m = _DATE_RE.match(_norm(line))
    if not m:
        return None
    mon = m["mon"].lower()
    month = next((n for n, full in enumerate(_MONTHS, 1) if full.startswith(mon)), 0)
    day = int(m["day"])
    if not month or not 1 <= day <= 31:
        return None
    year = int(m["year"]) if m["year"] else None
    upvotes = int(m["up"]) if m["up"] else None
    return _DateLine(month, day, year, upvotes, _norm(line))


def _authors_count(line: str) -> int | None:
    m = _AUTHORS_RE.match(_norm(line))
    return int(m["n"]) if m else None


def _is_marker(line: str) -> bool:
    """A line that only ever belongs to a byline."""
    return _norm(line) == _DOT or _date_line(line) is not None or _authors_count(line) is not None


def _decode(data: bytes) -> str:
    text = data.decode("utf-8-sig", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blocks(text: str) -> list[tuple[str, ...]]:
    blocks: list[tuple[str, ...]] = []
    for chunk in re.split(r"\n[ \t\u00a0]*\n", text):
        lines = tuple(_norm(ln) for ln in chunk.split("\n") if ln.strip())
        if lines:
            blocks.append(lines)
    return blocks


def _is_title(block: tuple[str, ...]) -> bool:
    text = " ".join(block)
    if len(block) > 3 or len(text) > MAX_TITLE or any(_is_marker(ln) for ln in block):
        return False
    if text.endswith(".") and not text.endswith("..."):
        return False
    return any(c.isalpha() for c in text)


def _is_abstract(block: tuple[str, ...], title: tuple[str, ...]) -> bool:
    text = " ".join(block)
    if len(text) < MIN_ABSTRACT or len(text) <= len(" ".join(title)):
        return False
    if any(_is_marker(ln) for ln in block):
        return False
    return len(text) > MAX_TITLE or _SENTENCE_END.search(text) is not None


# ---- page structure ---------------------------------------------------------------


def _valid_who(who: list[str]) -> bool:
    others = [w for w in who if _authors_count(w) is None]
    return len(who) <= 2 and len(others) <= 1 and all(len(w) <= MAX_WHO for w in who)


def _read_byline(blocks: list[tuple[str, ...]], start: int) -> tuple[_Byline | None, int]:
    """The byline after an abstract at blocks[start:], and the block index after it."""
    lines = [(j, ln) for j in range(start, min(start + 4, len(blocks))) for ln in blocks[j]][:5]
    texts = [ln for _, ln in lines]
    if _DOT in texts[:3]:
        k = texts.index(_DOT)
        who = texts[:k]
        if _valid_who(who):
            if k + 1 < len(lines) and (when := _date_line(texts[k + 1])):
                when = _trailing_upvotes(when, lines, k + 1)
                return _Byline(tuple(who), when), lines[k + 1][0] + 1
            if k + 1 == len(lines):  # the paste ends right after the '·'
                return _Byline(tuple(who), None), len(blocks)
    if texts and _authors_count(texts[0]) is not None:  # cut before the '·'
        return _Byline((texts[0],), None), lines[0][0] + 1
    return None, start


def _trailing_upvotes(when: _DateLine, lines: list[tuple[int, str]], k: int) -> _DateLine:
    """An upvote count pasted on its own line right under the date (same block)."""
    if when.upvotes is None and k + 1 < len(lines) and lines[k + 1][0] == lines[k][0]:
        nxt = lines[k + 1][1]
        if nxt.isdigit():
            return _DateLine(when.month, when.day, when.year, int(nxt), f"{when.shown} {nxt}")
    return when


def _scan(blocks: list[tuple[str, ...]]) -> tuple[list[_Item], int]:
    """The papers on the page, and the index of the first paper's title block."""
    items: list[_Item] = []
    first = len(blocks)
    i = 0
    while i < len(blocks) - 1:
        title, body = blocks[i], blocks[i + 1]
        if not (_is_title(title) and _is_abstract(body, title)):
            i += 1
            continue
        first = min(first, i)
        byline, i = _read_byline(blocks, i + 2)
        items.append(_Item(" ".join(title), " ".join(body), byline))
    return items, first


def _heading_date(heading: list[tuple[str, ...]]) -> _DateLine | None:
    """The page date: a date line before the first paper, not the end of a byline."""
    lines = [ln for block in heading for ln in block]
    for k in range(len(lines) - 1, -1, -1):
        when = _date_line(lines[k])
        if when and when.upvotes is None and (k == 0 or lines[k - 1] != _DOT):
            return when
    return None


# ---- dates ------------------------------------------------------------------------


def _make_date(year: int, month: int, day: int) -> date | None:
    """The date, stepping back a year or more for 'Feb 29' in a non-leap year."""
    for y in range(year, year - 8, -1):
        try:
            return date(y, month, day)
        except ValueError:
            continue
    return None


def _page_date(
    heading: _DateLine | None, items: list[_Item], today: date, page_date: date | None
) -> date:
    if page_date is not None:
        return page_date
    if heading is None:
        return today
    if heading.year is not None:
        return _make_date(heading.year, heading.month, heading.day) or today
    year = (
        today.year if (heading.month, heading.day) <= (today.month, today.day) else today.year - 1
    )
    explicit = [it.byline.when.year for it in items if it.byline and it.byline.when]
    floor = max((y for y in explicit if y is not None), default=None)
    if floor is not None and year <= floor:  # HF shows a year only for other years
        year = floor + 1
    return _make_date(year, heading.month, heading.day) or today


def _resolve(when: _DateLine, page: date) -> date | None:
    if when.year is not None:
        return _make_date(when.year, when.month, when.day)
    later = (when.month, when.day) > (page.month, page.day)
    return _make_date(page.year - 1 if later else page.year, when.month, when.day)


# ---- public -----------------------------------------------------------------------


def sniff(head: bytes) -> bool:
    """True for the text of a HF papers listing page (a byline, or the heading)."""
    text = _decode(head).lstrip()
    if not text or text[0] in "{[<":
        return False
    lines = [_norm(ln) for ln in text.split("\n") if ln.strip()]
    for k in range(1, len(lines) - 1):
        if lines[k] == _DOT and _date_line(lines[k + 1]):
            return True
    return "Daily Papers" in lines and any(_date_line(ln) for ln in lines)


def parse(
    data: bytes,
    origin: str,
    today: date | None = None,
    page_date: date | None = None,
) -> Iterator[Paper]:
    """Papers from the pasted text of a HF papers listing page. A last paper the paste
    cuts off is marked skipped (models.SKIPPED): reported, never stored."""
    text = _decode(data)
    blocks = _blocks(text)
    items, first = _scan(blocks)
    if not items:
        raise InputError(origin, "no papers found in pasted page text")
    heading = _heading_date(blocks[:first])
    page = _page_date(heading, items, today or date.today(), page_date)
    # the upvotes were read on the page's day, when the page says which day that is
    as_of = page.isoformat() if heading is not None or page_date is not None else None
    papers = [_paper(item, page, origin, as_of) for item in items]
    if _cut_off(items[-1], blocks, text):
        last = papers[-1]
        papers[-1] = last.with_(raw={**last.raw, SKIPPED: "cut off where the paste ends"})
    return iter(papers)


def _cut_off(last: _Item, blocks: list[tuple[str, ...]], text: str) -> bool:
    """The paste ends inside the last paper: nothing after its abstract (no byline, no
    more of the page), and the abstract stops mid-sentence or the text mid-line."""
    if last.byline is not None or " ".join(blocks[-1]) != last.abstract:
        return False
    return not text.endswith("\n") or not last.abstract.endswith(_SENTENCE_ENDS)


def _paper(item: _Item, page: date, origin: str, as_of: str | None = None) -> Paper:
    who = item.byline.who if item.byline else ()
    when = item.byline.when if item.byline else None
    counts = [n for n in (_authors_count(w) for w in who) if n is not None]
    orgs = [w for w in who if _authors_count(w) is None]
    published = _resolve(when, page) if when else None
    raw = {
        "title": item.title,
        "abstract": item.abstract,
        "byline": "\n".join(who) or None,
        "authors_count": counts[0] if counts else None,
        "date": when.shown if when else None,
        "upvotes": when.upvotes if when else None,
    }
    return make_paper(
        id=ids.provisional_id(title_key(item.title)),
        title=item.title,
        abstract=item.abstract,
        published=published.isoformat() if published else None,
        hf_upvotes=when.upvotes if when else None,
        hf_organization=orgs[0] if orgs else None,
        hf_as_of=as_of,
        source=SOURCE,
        origin=origin,
        raw=raw,
    )


# ---- a single paper's web page (HTML) ---------------------------------------------


class _PaperPage(HTMLParser):
    """Collects what a HF paper page says about its paper."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []  # og:url, canonical, arxiv.org/abs links
        self.og_title: str | None = None
        self.props: list[dict[str, Any]] = []  # the page components' data-props JSON
        self.h1: list[str] = []
        self.abstract: list[str] = []  # <p> texts under the 'Abstract' heading
        self._in: str | None = None  # 'h1', 'h2' or 'p' while collecting its text
        self._buf: list[str] = []
        self._in_abstract = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("property") == "og:url":
            self.urls.append(a.get("content", ""))
        elif tag == "meta" and a.get("property") == "og:title":
            self.og_title = a.get("content")
        elif tag == "link" and a.get("rel") == "canonical":
            self.urls.append(a.get("href", ""))
        elif tag == "a" and "arxiv.org/abs/" in a.get("href", ""):
            self.urls.append(a["href"])
        if "data-props" in a:
            try:
                value = json.loads(a["data-props"])
            except (ValueError, RecursionError):
                value = None
            if isinstance(value, dict):
                self.props.append(value)
        if tag in ("h1", "h2") or (tag == "p" and self._in_abstract):
            self._in, self._buf = tag, []

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buf.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != self._in:
            return
        text = re.sub(r"\s+([.,;:!?)])", r"\1", clean("".join(self._buf)) or "")
        if tag == "h1" and not self.h1:
            self.h1.append(text)
        elif tag == "h2":
            self._in_abstract = text.lower() == "abstract"
        elif tag == "p":
            self.abstract.append(text)
        self._in = None


def parse_html(data: bytes, origin: str) -> Iterator[Paper]:
    """The paper on a HF paper web page (huggingface.co/papers/<id>)."""
    page = _PaperPage()
    page.feed(data.decode("utf-8", errors="replace"))
    page.close()
    content = next((p for p in page.props if isinstance(p.get("paper"), dict)), None)
    if content is not None and ids.try_parse_id(str(content["paper"].get("id") or "")):
        item = {"organization": content.get("submitterOrganization")}
        return iter([hf.paper_record(content["paper"], item, SOURCE, origin, content["paper"])])
    return iter([_paper_from_markup(page, origin)])


def _paper_from_markup(page: _PaperPage, origin: str) -> Paper:
    found = next((f for f in map(ids.try_parse_id, page.urls) if f), None)
    found = found or next((f for f in map(ids.find_id, page.urls) if f), None)
    if found is None:
        raise InputError(origin, "no arXiv id found in the paper page HTML")
    title = page.h1[0] if page.h1 else re.sub(r"^Paper page - ", "", page.og_title or "")
    upvotes = next((p["upvotes"] for p in page.props if "upvotes" in p), None)
    abstract = max(page.abstract, key=len, default=None)
    return make_paper(
        id=found[0],
        version=found[1],
        title=title,
        abstract=abstract,
        hf_upvotes=upvotes,
        source=SOURCE,
        origin=origin,
        raw={"urls": page.urls, "title": title, "abstract": abstract, "upvotes": upvotes},
    )
