"""The arXiv API's Atom feed (export.arxiv.org/api/query), classic and 2025+ serializations.

Both serializations use the same namespaces, so lookups by qualified name work for
either; only element order, namespace placement and link attributes differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from xml.etree.ElementTree import Element, ParseError, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from .. import ids
from ..errors import InputError
from ..models import Paper, make_paper
from ..text import parse_date

SOURCE = "arxiv-api"

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

# arXiv subject classes (cs.LG, hep-th, cond-mat.str-el, math.CA); API <category>
# terms also carry MSC ("35") and ACM ("I.2.7") codes, which are not categories.
_CATEGORY_RE = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?$")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
# A UTF-8 lead byte read as Latin-1 followed by a continuation byte read the same way.
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")


# ---- helpers shared by the arXiv XML parsers -------------------------------------


def load_xml(data: bytes, origin: str) -> Element:
    """Parse bytes into an element tree safely, or raise a one-line InputError."""
    with xml_errors(origin):
        return SafeET.fromstring(_undo_double_utf8(data))


@contextmanager
def xml_errors(origin: str) -> Iterator[None]:
    """XML that cannot be read (broken, unsafe, an unknown encoding) as one-line InputErrors."""
    try:
        yield
    except ParseError as exc:
        raise InputError(origin, f"not well-formed XML (truncated or not XML?): {exc}") from None
    except DefusedXmlException as exc:
        raise InputError(origin, f"unsafe XML refused: {type(exc).__name__}") from None
    except LookupError as exc:  # <?xml encoding="..."?> naming no codec Python knows
        raise InputError(origin, f"XML in an unknown character encoding ({exc})") from None


def _undo_double_utf8(data: bytes) -> bytes:
    """Repair a body whose UTF-8 was decoded as Latin-1 and encoded again ("GÃ¶tz").

    Some recorded API responses look like this. Only a document made entirely of
    Latin-1 characters, with the tell-tale pairs, that is valid UTF-8 once re-encoded
    is changed, so genuine text cannot be altered. A byte-order mark in front (either
    the real one or its own double-encoded form) is not part of the text.
    """
    try:
        text = data.decode("utf-8").removeprefix("\ufeff").removeprefix("\u00ef\u00bb\u00bf")
        if not _MOJIBAKE.search(text):
            return data
        repaired = text.encode("latin-1")
        repaired.decode("utf-8")
    except UnicodeError:
        return data
    return repaired


def wrong_format(origin: str, root: Element, expected: str) -> InputError:
    """The error for XML that parses but is some other document."""
    name = local_name(root.tag)
    if name.lower() == "html":
        return InputError(origin, f"got an HTML page, not {expected} (server error or rate limit?)")
    return InputError(origin, f"not {expected} (root element <{name}>)")


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def child_text(elem: Element, path: str) -> str | None:
    """Stripped text of the first matching child, or None when absent or empty."""
    child = elem.find(path)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def is_category(term: str | None) -> bool:
    return bool(term) and bool(_CATEGORY_RE.match(term or ""))


def ordered_categories(primary: str | None, terms: list[str | None]) -> list[str]:
    """arXiv categories with the primary first, no duplicates, non-categories dropped."""
    out: list[str] = []
    for term in [primary, *terms]:
        term = (term or "").strip()
        if is_category(term) and term not in out:
            out.append(term)
    return out


def is_empty(elem: Element) -> bool:
    """True for a placeholder element that holds no text at all."""
    return not "".join(elem.itertext()).strip()


def no_id_error(origin: str, n: int) -> InputError:
    return InputError(origin, f"entry {n}: no arXiv id", where=f"entry {n}")


def raw_xml(elem: Element) -> str:
    return tostring(elem, encoding="unicode")


# ---- the API feed ----------------------------------------------------------------


def sniff(head: bytes) -> bool:
    """True if the start of a file looks like an arXiv API Atom response."""
    h = head[:4096]
    return (
        b"<feed" in h
        and b"http://www.w3.org/2005/Atom" in h
        and b"arxiv.org" in h
        and (b"opensearch" in h or b"arxiv.org/api" in h)
        and b"rss.arxiv.org" not in h
        and b"announce_type" not in h
    )


def parse(data: bytes, origin: str) -> Iterator[Paper]:
    """Yield one Paper per entry of an arXiv API Atom feed."""
    feed = _load_feed(data, origin)
    for n, entry in enumerate(feed.iterfind(f"{ATOM}entry"), start=1):
        paper = _entry_to_paper(entry, n, origin)
        if paper is not None:
            yield paper


def feed_info(data: bytes, origin: str) -> dict[str, int | None]:
    """The OpenSearch paging numbers of a feed (None where absent)."""
    feed = _load_feed(data, origin)
    return {
        "total_results": _int(child_text(feed, f"{OPENSEARCH}totalResults")),
        "start_index": _int(child_text(feed, f"{OPENSEARCH}startIndex")),
        "items_per_page": _int(child_text(feed, f"{OPENSEARCH}itemsPerPage")),
    }


def _load_feed(data: bytes, origin: str) -> Element:
    root = load_xml(data, origin)
    if root.tag != f"{ATOM}feed":
        raise wrong_format(origin, root, "an arXiv API Atom feed")
    return root


def _entry_to_paper(entry: Element, n: int, origin: str) -> Paper | None:
    id_text = child_text(entry, f"{ATOM}id")
    if id_text and "/api/errors" in id_text:
        message = child_text(entry, f"{ATOM}summary") or child_text(entry, f"{ATOM}title")
        raise InputError(origin, f"arXiv API error: {message or id_text}")
    found = ids.find_id(id_text) or _id_from_links(entry)
    if found is None:
        # Classic feeds answer each unknown id_list id with an empty <entry>.
        if is_empty(entry):
            return None
        raise no_id_error(origin, n)
    paper_id, version = found
    return make_paper(
        id=paper_id,
        version=version,
        title=child_text(entry, f"{ATOM}title"),
        abstract=child_text(entry, f"{ATOM}summary"),
        authors=[child_text(a, f"{ATOM}name") for a in entry.iterfind(f"{ATOM}author")],
        categories=_categories(entry),
        comment=child_text(entry, f"{ARXIV}comment"),
        journal_ref=child_text(entry, f"{ARXIV}journal_ref"),
        doi=child_text(entry, f"{ARXIV}doi") or _doi_from_links(entry),
        published=parse_date(child_text(entry, f"{ATOM}published")),
        updated=parse_date(child_text(entry, f"{ATOM}updated")),
        source=SOURCE,
        origin=origin,
        raw=raw_xml(entry),
    )


def _categories(entry: Element) -> list[str]:
    primary_elem = entry.find(f"{ARXIV}primary_category")
    primary = primary_elem.get("term") if primary_elem is not None else None
    terms = [c.get("term") for c in entry.iterfind(f"{ATOM}category")]
    return ordered_categories(primary, terms)


def _id_from_links(entry: Element) -> tuple[str, int | None] | None:
    for link in entry.iterfind(f"{ATOM}link"):
        href = link.get("href") or ""
        if "/abs/" in href:
            return ids.find_id(href.split("/abs/", 1)[1])
    return None


def _doi_from_links(entry: Element) -> str | None:
    for link in entry.iterfind(f"{ATOM}link"):
        href = link.get("href") or ""
        if link.get("title") == "doi" or _DOI_URL.match(href):
            return _DOI_URL.sub("", href) or None
    return None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
