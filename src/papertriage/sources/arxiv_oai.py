"""arXiv OAI-PMH responses (export.arxiv.org/oai2) in metadataPrefix ``arXiv`` or ``arXivRaw``.

Harvest pages run to megabytes, so records are read with iterparse and dropped from the
tree as soon as they are turned into Papers.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

from .. import ids
from ..errors import InputError
from ..models import Paper, make_paper
from ..text import parse_date
from .arxiv_api import child_text, local_name, no_id_error, raw_xml, wrong_format, xml_errors
from .arxiv_rss import split_authors, tex_name

SOURCE = "arxiv-oai"

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV_FMT = "{http://arxiv.org/OAI/arXiv/}"
ARXIV_RAW = "{http://arxiv.org/OAI/arXivRaw/}"

_EXPECTED = "an arXiv OAI-PMH response"
_RECORD_VERBS = {"ListRecords", "GetRecord"}


def sniff(head: bytes) -> bool:
    """True if the start of a file looks like an OAI-PMH response from arXiv."""
    h = head[:4096]
    is_oai = b"<OAI-PMH" in h or b"http://www.openarchives.org/OAI/2.0/" in h
    return is_oai and b"arxiv" in h.lower()


def parse(data: bytes, origin: str) -> Iterator[Paper]:
    """Yield one Paper per (non-deleted) record of a ListRecords/GetRecord response."""
    return parse_stream(io.BytesIO(data), origin)


def parse_stream(fh: BinaryIO, origin: str) -> Iterator[Paper]:
    """Like parse(), reading from a binary file object without loading it whole."""
    n = 0
    for elem in _ended_elements(fh, origin):
        if elem.tag == f"{OAI}record":
            n += 1
            paper = _record_to_paper(elem, n, origin)
            if paper is not None:
                yield paper


def resumption_token(
    data: bytes, origin: str = "OAI-PMH response"
) -> tuple[str | None, int | None]:
    """(token for the next page or None on the last page, completeListSize or None)."""
    for elem in _ended_elements(io.BytesIO(data), origin, any_verb=True):
        if elem.tag == f"{OAI}resumptionToken":
            token = (elem.text or "").strip() or None
            return token, _int(elem.get("completeListSize"))
    return None, None


def _ended_elements(fh: BinaryIO, origin: str, any_verb: bool = False) -> Iterator[Element]:
    """Completed elements of an OAI-PMH response, with its structure checked on the way.

    Each child of the verb element (a record) is detached once the caller is done
    with it, so memory stays flat however many records the page holds.
    """
    stack: list[Element] = []
    with xml_errors(origin):
        for event, elem in SafeET.iterparse(fh, events=("start", "end")):
            if event == "start":
                _check_start(elem, len(stack), origin, any_verb)
                stack.append(elem)
                continue
            stack.pop()
            if elem.tag == f"{OAI}error":
                _raise_oai_error(elem, origin)
                return
            yield elem
            if len(stack) == 2:  # a record (or token) under the verb element: done with it
                stack[-1].remove(elem)


def _check_start(elem: Element, depth: int, origin: str, any_verb: bool) -> None:
    if depth == 0 and elem.tag != f"{OAI}OAI-PMH":
        raise wrong_format(origin, elem, _EXPECTED)
    if depth != 1 or not elem.tag.startswith(OAI):
        return
    verb = local_name(elem.tag)
    if verb in {"responseDate", "request", "error"} or verb in _RECORD_VERBS or any_verb:
        return
    if verb == "ListIdentifiers":
        raise InputError(
            origin,
            "OAI-PMH ListIdentifiers response: identifiers only, no metadata (use ListRecords)",
        )
    raise InputError(origin, f"OAI-PMH {verb} response holds no paper records")


def _raise_oai_error(elem: Element, origin: str) -> None:
    code = elem.get("code") or "unknown"
    # noRecordsMatch is how OAI-PMH says "nothing in this date range": an empty page.
    if code == "noRecordsMatch":
        return
    message = " ".join((elem.text or "").split())
    raise InputError(
        origin, f"OAI-PMH error {code}: {message}" if message else f"OAI-PMH error {code}"
    )


def _record_to_paper(record: Element, n: int, origin: str) -> Paper | None:
    header = record.find(f"{OAI}header")
    if header is not None and header.get("status") == "deleted":
        return None
    metadata = record.find(f"{OAI}metadata")
    meta = metadata[0] if metadata is not None and len(metadata) else None
    if meta is None:
        raise InputError(origin, f"entry {n}: record without metadata", where=f"entry {n}")
    if meta.tag == f"{ARXIV_FMT}arXiv":
        fields = _arxiv_fields(meta)
    elif meta.tag == f"{ARXIV_RAW}arXivRaw":
        fields = _arxiv_raw_fields(meta)
    else:
        raise InputError(
            origin,
            f"unsupported OAI-PMH metadata format <{local_name(meta.tag)}> (use arXiv or arXivRaw)",
        )
    header_id = child_text(header, f"{OAI}identifier") if header is not None else None
    id_text = fields.pop("id_text")
    found = ids.try_parse_id(id_text if isinstance(id_text, str) else None) or ids.try_parse_id(
        header_id
    )
    if found is None:
        raise no_id_error(origin, n)
    paper_id, id_version = found
    if fields.get("version") is None:
        fields["version"] = id_version
    return make_paper(id=paper_id, source=SOURCE, origin=origin, raw=raw_xml(record), **fields)


def _common_fields(meta: Element, ns: str) -> dict[str, object]:
    return {
        "id_text": child_text(meta, f"{ns}id"),
        "title": child_text(meta, f"{ns}title"),
        "abstract": child_text(meta, f"{ns}abstract"),
        "categories": (child_text(meta, f"{ns}categories") or "").split(),
        "comment": child_text(meta, f"{ns}comments"),
        "journal_ref": child_text(meta, f"{ns}journal-ref"),
        "doi": child_text(meta, f"{ns}doi"),
        "license": child_text(meta, f"{ns}license"),
    }


def _arxiv_fields(meta: Element) -> dict[str, object]:
    fields = _common_fields(meta, ARXIV_FMT)
    published = parse_date(child_text(meta, f"{ARXIV_FMT}created"))
    fields["authors"] = [
        _author_name(a) for a in meta.iterfind(f"{ARXIV_FMT}authors/{ARXIV_FMT}author")
    ]
    fields["published"] = published
    # <updated> appears only once there is a later version.
    fields["updated"] = parse_date(child_text(meta, f"{ARXIV_FMT}updated")) or published
    return fields


def _author_name(author: Element) -> str:
    parts = (child_text(author, f"{ARXIV_FMT}{tag}") for tag in ("forenames", "keyname", "suffix"))
    return tex_name(" ".join(p for p in parts if p))


def _arxiv_raw_fields(meta: Element) -> dict[str, object]:
    fields = _common_fields(meta, ARXIV_RAW)
    fields["authors"] = split_authors(child_text(meta, f"{ARXIV_RAW}authors"))
    versions = sorted(_versions(meta))
    if versions:
        fields["published"] = versions[0][1]
        fields["updated"] = versions[-1][1]
        fields["version"] = versions[-1][0]
    return fields


def _versions(meta: Element) -> Iterator[tuple[int, str | None]]:
    for version in meta.iterfind(f"{ARXIV_RAW}version"):
        number = _int((version.get("version") or "").lstrip("vV"))
        if number is not None:
            yield number, parse_date(child_text(version, f"{ARXIV_RAW}date"))


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None
