"""The Kaggle arXiv metadata snapshot: JSON lines, one record per line, 4+ GB.

Streamed line by line; the caller batches. TeX accents in names are decoded.

A sighting keeps the record minus what the paper's row already holds (title, abstract,
comments, journal-ref, doi, license, categories, id; whitespace-collapsed there), marked
``"_in_papers": 1``; ``restore`` puts those back from the row. The snapshot is 4+ GB and
those fields are most of it, so the store doesn't hold it twice over, and a record can
still be normalized again from what is kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from .. import ids
from ..errors import InputError
from ..models import Paper, make_paper
from ..text import clean, delatex, parse_date
from .lines import json_lines

KEYS = {"id", "title", "abstract", "versions"}
# Record key -> papers column, for the keys a sighting leaves to the paper's row.
IN_PAPERS = {
    "title": "title",
    "abstract": "abstract",
    "comments": "comment",
    "journal-ref": "journal_ref",
    "doi": "doi",
    "license": "license",
    "categories": "categories",
}


def looks_like(record: Any) -> bool:
    return isinstance(record, dict) and KEYS <= record.keys() and "authors" in record


def parse_stream(fh: BinaryIO, origin: str) -> Iterator[Paper]:
    for n, record in json_lines(fh, origin):
        if not looks_like(record):
            raise InputError(origin, "not a Kaggle arXiv snapshot record", where=str(n))
        yield record_to_paper(record, origin, n)


def record_to_paper(record: dict[str, Any], origin: str, n: int) -> Paper:
    found = ids.try_parse_id(str(record.get("id") or ""))
    if found is None:
        raise InputError(origin, f"bad arXiv id {record.get('id')!r}", where=str(n))
    versions = [v for v in _list(record.get("versions")) if isinstance(v, dict)]
    numbers = [_vnum(v.get("version")) for v in versions]
    dates = [d for d in (parse_date(v.get("created")) for v in versions) if d]
    categories = _text(record.get("categories")).split()
    raw = {k: v for k, v in record.items() if k not in IN_PAPERS}
    if not isinstance(record.get("categories"), str | None):
        raw["categories"] = record["categories"]  # not a list the row can give back
    if raw.get("id") == found[0]:
        del raw["id"]
    raw["_in_papers"] = 1
    return make_paper(
        id=found[0],
        version=max((x for x in numbers if x), default=found[1]),
        title=record.get("title"),
        abstract=record.get("abstract"),
        authors=_authors(record),
        categories=categories,
        comment=record.get("comments"),
        journal_ref=record.get("journal-ref"),
        doi=record.get("doi"),
        license=record.get("license"),
        published=min(dates) if dates else parse_date(record.get("update_date")),
        updated=max(dates) if dates else parse_date(record.get("update_date")),
        source="kaggle",
        origin=origin,
        raw=raw,
    )


def _vnum(text: Any) -> int | None:
    s = str(text or "").lstrip("vV")
    # '²'.isdigit() is True; past 18 digits it is no version (and int() refuses 4,300)
    return int(s) if s.isascii() and s.isdigit() and len(s) <= 18 else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _authors(record: dict[str, Any]) -> list[str]:
    parsed = record.get("authors_parsed")
    names: list[str] = []
    if isinstance(parsed, list) and parsed:
        for part in parsed:
            if not isinstance(part, list) or not part:
                continue
            last, first, suffix = [_text(x) for x in (part + ["", "", ""])[:3]]
            name = " ".join(x for x in (first, last, suffix) if x)
            names.append(delatex(clean(name) or ""))
        return [n for n in names if n]
    text = delatex(_text(record.get("authors")))
    return [clean(a) or "" for a in text.replace(" and ", ", ").split(",") if clean(a)]


def keep_differing(raw: dict[str, Any], paper: Paper, row: dict[str, Any]) -> dict[str, Any]:
    """The sighting's raw record for a paper whose row ended up with other values than
    this record gave (another source's newer version won a merge): those are kept."""
    out = dict(raw)
    for key, column in IN_PAPERS.items():
        if key in raw:
            continue
        value: Any = getattr(paper, column)
        stored = row.get(column)
        if column == "categories":
            same = (json.loads(stored) if stored else []) == list(value)
            value = " ".join(value)
        else:
            same = stored == value
        if not same:
            out[key] = value
    return out


def restore(raw: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """A stored Kaggle sighting as a whole record again, the omitted keys from the row."""
    if not raw.get("_in_papers"):
        return raw
    out = {"id": row.get("id")}
    for key, value in raw.items():
        if key != "_in_papers":
            out[key] = value
    for key, column in IN_PAPERS.items():
        if key not in out:
            value = row.get(column)
            if column == "categories":
                value = " ".join(json.loads(value)) if value else ""
            out[key] = value
    return out
