"""arXiv's daily listing feeds: RSS 2.0 and Atom from rss.arxiv.org, and the legacy RSS 1.0/RDF.

A listing item's date is the day it was announced. That is the first-version date only
for announce type "new"; for replacements and cross-lists it goes into ``updated``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from .. import ids
from ..errors import InputError
from ..models import Paper, make_paper
from ..text import delatex, parse_date
from .arxiv_api import (
    ARXIV,
    ATOM,
    OPENSEARCH,
    child_text,
    is_category,
    is_empty,
    load_xml,
    no_id_error,
    ordered_categories,
    raw_xml,
    wrong_format,
)

SOURCE = "arxiv-rss"

DC = "{http://purl.org/dc/elements/1.1/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"

_EXPECTED = "an arXiv RSS/Atom listing feed"
_ANNOUNCE_PREFIX = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?",
    re.IGNORECASE,
)
# Legacy title: "Title. (arXiv:1209.2411v1 [math.PR])", optionally "... UPDATED)".
_RDF_TITLE = re.compile(
    r"^(?P<title>.*?)\.?\s*\(arXiv:(?P<id>[^\s\[\]()]+)\s*(?:\[(?P<cat>[^\]]*)\])?"
    r"\s*(?P<flag>[A-Z][A-Z ]*[A-Z])?\s*\)\s*$",
    re.DOTALL,
)
_RDF_FLAGS = {"UPDATED": "replace", "CROSS LISTED": "cross"}
_FEED_PATH = re.compile(r"/(?:rss|atom)/([^/?#\s]+)")
_FEED_TITLE = re.compile(r"^\s*(.+?)\s+updates on arXiv", re.IGNORECASE)
_PARENS = re.compile(r"\([^()]*\)")
_AND = re.compile(r"(?:^|\s+)and\s+")
_NAME_SUFFIX = re.compile(r"^(?:Jr|Sr|II|III|IV)\.?$")
_TAG = re.compile(r"<[^>]+>")
_ANCHOR = re.compile(r"<a\b[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
# TeX letters that text.delatex would drop (it knows accents, not these).


def sniff(head: bytes) -> bool:
    """True if the start of a file looks like an arXiv listing feed (RSS 2.0, Atom or RDF)."""
    h = head[:4096]
    if b"arxiv.org" not in h.lower():
        return False
    if b"<rss" in h:
        return True
    if b"<feed" in h and b"http://www.w3.org/2005/Atom" in h:
        return (b"rss.arxiv.org" in h or b"announce_type" in h) and b"opensearch" not in h
    return b"rdf:RDF" in h and b"http://purl.org/rss/1.0/" in h


def parse(data: bytes, origin: str) -> Iterator[Paper]:
    """Yield one Paper per item of an arXiv listing feed."""
    root = load_xml(data, origin)
    if root.tag == "rss":
        yield from _rss_items(_rss_channel(root, origin), origin)
    elif root.tag == f"{ATOM}feed":
        yield from _atom_entries(_atom_feed(root, origin), origin)
    elif root.tag == f"{RDF}RDF":
        yield from _rdf_items(root, origin)
    else:
        raise wrong_format(origin, root, _EXPECTED)


def feed_info(data: bytes, origin: str) -> dict[str, str | list[str] | None]:
    """The feed's announcement date ('YYYY-MM-DD') and the categories it lists."""
    root = load_xml(data, origin)
    channel: Element | None
    if root.tag == "rss":
        channel = _rss_channel(root, origin)
        date = _rss_feed_date(channel)
        urls = [child_text(channel, "link"), *_hrefs(channel, f"{ATOM}link")]
    elif root.tag == f"{ATOM}feed":
        channel = _atom_feed(root, origin)
        date = parse_date(child_text(channel, f"{ATOM}updated"))
        urls = [child_text(channel, f"{ATOM}id"), *_hrefs(channel, f"{ATOM}link")]
    elif root.tag == f"{RDF}RDF":
        channel = root.find(f"{RSS1}channel")
        if channel is None:
            raise InputError(origin, "RSS 1.0 feed without a <channel>")
        date = parse_date(child_text(channel, f"{DC}date"))
        urls = [child_text(channel, f"{RSS1}link")]
    else:
        raise wrong_format(origin, root, _EXPECTED)
    title = child_text(channel, "title") or child_text(channel, f"{ATOM}title")
    title = title or child_text(channel, f"{RSS1}title")
    return {"feed_date": date, "categories": _feed_categories(urls, title)}


def split_authors(text: str | None) -> list[str]:
    """Split arXiv's one-string author list ("A, B (Univ), C and D") into plain names."""
    if not text:
        return []
    s = " ".join(text.split())
    previous = None
    while previous != s:  # innermost groups first: "(1) ((1) Univ A, (2) Univ B)"
        previous, s = s, _PARENS.sub(" ", s)
    s = re.sub(r"\([^()]*$", " ", s)  # an affiliation cut off at the end
    names: list[str] = []
    for piece in s.split(","):
        for name in _AND.split(piece):
            name = name.strip(" ;)")
            if not name:
                continue
            if _NAME_SUFFIX.match(name) and names:
                names[-1] = f"{names[-1]} {name}"
            else:
                names.append(tex_name(name))
    return names


def tex_name(name: str) -> str:
    """A name with TeX accents (``Bal\\'azs``, ``{\\l}``) turned into Unicode."""
    if "\\" not in name and "{" not in name:
        return name
    return " ".join(delatex(name).split())


# ---- shared item logic -------------------------------------------------------------


def _find_id(*texts: str | None) -> tuple[str, int | None] | None:
    """The first id found in the given texts, preferring one that carries a version."""
    found = [f for f in (ids.try_parse_id(t) or ids.find_id(t) for t in texts if t) if f]
    if not found:
        return None
    paper_id = found[0][0]
    version = next((v for pid, v in found if pid == paper_id and v is not None), None)
    return paper_id, version


def _split_description(text: str | None) -> tuple[str | None, str | None, str | None]:
    """(id text, announce type, abstract) from 'arXiv:ID Announce Type: T Abstract: ...'."""
    if not text:
        return None, None, None
    m = _ANNOUNCE_PREFIX.match(text)
    if not m:
        return None, None, text
    return m.group("id"), m.group("type").lower(), text[m.end() :]


def _dates(announce_type: str | None, date: str | None) -> dict[str, str | None]:
    if announce_type == "new":
        return {"published": date}
    return {"updated": date}


def _check_feed_error(title: str | None, origin: str) -> None:
    # An unknown category gives a normal-looking feed titled "Feed error for query: ...".
    if title and title.lower().startswith("feed error"):
        raise InputError(origin, f"arXiv RSS: {title}")


def _hrefs(elem: Element, path: str) -> list[str | None]:
    return [link.get("href") for link in elem.iterfind(path)]


def _feed_categories(urls: list[str | None], title: str | None) -> list[str]:
    found: list[str] = []
    for url in urls:
        m = _FEED_PATH.search(url or "")
        if m:
            found = re.split(r"[+,\s]+", unquote(m.group(1)))
            break
    if not found and title and (m := _FEED_TITLE.match(title)):
        found = re.split(r"[+,\s]+", m.group(1))
    return [c for c in found if is_category(c)]


# ---- RSS 2.0 -----------------------------------------------------------------------


def _rss_channel(root: Element, origin: str) -> Element:
    channel = root.find("channel")
    if channel is None:
        raise InputError(origin, "RSS feed without a <channel>")
    _check_feed_error(child_text(channel, "title"), origin)
    return channel


def _rss_feed_date(channel: Element) -> str | None:
    for path in ("pubDate", f"{DC}date", "lastBuildDate"):
        date = parse_date(child_text(channel, path))
        if date:
            return date
    return None


def _rss_items(channel: Element, origin: str) -> Iterator[Paper]:
    feed_date = _rss_feed_date(channel)
    for n, item in enumerate(channel.iterfind("item"), start=1):
        paper = _rss_item(item, n, origin, feed_date)
        if paper is not None:
            yield paper


def _rss_item(item: Element, n: int, origin: str, feed_date: str | None) -> Paper | None:
    desc_id, desc_type, abstract = _split_description(child_text(item, "description"))
    found = _find_id(child_text(item, "guid"), desc_id, child_text(item, "link"))
    if found is None:
        if is_empty(item):
            return None
        raise no_id_error(origin, n)
    announce = (child_text(item, f"{ARXIV}announce_type") or desc_type or "").lower() or None
    date = parse_date(child_text(item, "pubDate")) or feed_date
    return make_paper(
        id=found[0],
        version=found[1],
        title=child_text(item, "title"),
        abstract=abstract,
        authors=split_authors(child_text(item, f"{DC}creator")),
        categories=ordered_categories(None, [c.text for c in item.iterfind("category")]),
        **_listed(item, announce, date, origin),
    )


def _listed(elem: Element, announce: str | None, date: str | None, origin: str) -> dict[str, Any]:
    """What an RSS item and an Atom entry give alike: the arxiv: and dc: fields, the
    announcement and its day, where it was read and the raw XML."""
    return {
        "journal_ref": child_text(elem, f"{ARXIV}journal_reference")
        or child_text(elem, f"{ARXIV}journal_ref"),
        "doi": child_text(elem, f"{ARXIV}DOI") or child_text(elem, f"{ARXIV}doi"),
        "license": child_text(elem, f"{DC}rights"),
        **_dates(announce, date),
        "announce_type": announce,
        "source": SOURCE,
        "origin": origin,
        "raw": raw_xml(elem),
    }


# ---- Atom listing (rss.arxiv.org/atom/...) ------------------------------------------


def _atom_feed(root: Element, origin: str) -> Element:
    if root.find(f"{OPENSEARCH}totalResults") is not None:
        raise InputError(
            origin, "an arXiv API search feed, not a listing feed (read it as arxiv-api)"
        )
    _check_feed_error(child_text(root, f"{ATOM}title"), origin)
    return root


def _atom_entries(feed: Element, origin: str) -> Iterator[Paper]:
    feed_date = parse_date(child_text(feed, f"{ATOM}updated"))
    for n, entry in enumerate(feed.iterfind(f"{ATOM}entry"), start=1):
        paper = _atom_entry(entry, n, origin, feed_date)
        if paper is not None:
            yield paper


def _atom_entry(entry: Element, n: int, origin: str, feed_date: str | None) -> Paper | None:
    desc_id, desc_type, abstract = _split_description(child_text(entry, f"{ATOM}summary"))
    found = _find_id(child_text(entry, f"{ATOM}id"), desc_id, *_hrefs(entry, f"{ATOM}link"))
    if found is None:
        if is_empty(entry):
            return None
        raise no_id_error(origin, n)
    announce = (child_text(entry, f"{ARXIV}announce_type") or desc_type or "").lower() or None
    # <updated> is when the feed was generated; <published> is the announcement day.
    date = parse_date(child_text(entry, f"{ATOM}published")) or feed_date
    primary = entry.find(f"{ARXIV}primary_category")
    authors = split_authors(child_text(entry, f"{DC}creator")) or [
        name for a in entry.iterfind(f"{ATOM}author") if (name := child_text(a, f"{ATOM}name"))
    ]
    return make_paper(
        id=found[0],
        version=found[1],
        title=child_text(entry, f"{ATOM}title"),
        abstract=abstract,
        authors=authors,
        categories=ordered_categories(
            primary.get("term") if primary is not None else None,
            [c.get("term") for c in entry.iterfind(f"{ATOM}category")],
        ),
        comment=child_text(entry, f"{ARXIV}comment"),
        **_listed(entry, announce, date, origin),
    )


# ---- legacy RSS 1.0 / RDF -----------------------------------------------------------


def _rdf_items(root: Element, origin: str) -> Iterator[Paper]:
    channel = root.find(f"{RSS1}channel")
    if channel is None:
        raise InputError(origin, "RSS 1.0 feed without a <channel>")
    _check_feed_error(child_text(channel, f"{RSS1}title"), origin)
    feed_date = parse_date(child_text(channel, f"{DC}date"))
    for n, item in enumerate(root.iterfind(f"{RSS1}item"), start=1):
        paper = _rdf_item(item, n, origin, feed_date)
        if paper is not None:
            yield paper


def _rdf_item(item: Element, n: int, origin: str, feed_date: str | None) -> Paper | None:
    title = child_text(item, f"{RSS1}title")
    m = _RDF_TITLE.match(title or "")
    found = _find_id(
        m.group("id") if m else None, child_text(item, f"{RSS1}link"), item.get(f"{RDF}about")
    )
    if found is None:
        if is_empty(item):
            return None
        raise no_id_error(origin, n)
    announce = None
    if m:
        title = m.group("title")
        flag = m.group("flag")
        announce = _RDF_FLAGS.get(flag, flag.lower()) if flag else "new"
    return make_paper(
        id=found[0],
        version=found[1],
        title=title,
        abstract=_html_text(child_text(item, f"{RSS1}description")),
        authors=_rdf_authors(child_text(item, f"{DC}creator")),
        categories=ordered_categories(m.group("cat") if m else None, []),
        **_dates(announce, feed_date),
        announce_type=announce,
        source=SOURCE,
        origin=origin,
        raw=raw_xml(item),
    )


def _html_text(markup: str | None) -> str | None:
    if not markup:
        return None
    return html.unescape(_TAG.sub(" ", markup))


def _rdf_authors(markup: str | None) -> list[str]:
    """Names from dc:creator's anchor list; affiliations sit outside the anchors."""
    if not markup:
        return []
    anchors = _ANCHOR.findall(markup)
    if anchors:
        return [tex_name(html.unescape(_TAG.sub("", a))) for a in anchors]
    return split_authors(_html_text(markup))
