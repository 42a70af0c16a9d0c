"""The Kaggle arXiv metadata snapshot: JSON lines, one record per line, 4+ GB.

Streamed line by line; the caller batches. TeX accents in names are decoded. How a
record's sighting keeps what the paper's row does not hold: kaggle_raw.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from .. import ids
from ..errors import InputError
from ..models import (
    Paper,
    abstract_value,
    int_value,
    line_value,
    list_value,
    text_value,
    title_value,
)
from ..text import author_names, clean, delatex, parse_date
from .kaggle_raw import IN_PAPERS
from .lines import json_lines

KEYS = {"id", "title", "abstract", "versions"}


def looks_like(record: Any) -> bool:
    return isinstance(record, dict) and KEYS <= record.keys() and "authors" in record


def parse_stream(fh: BinaryIO, origin: str) -> Iterator[Paper]:
    for n, record in json_lines(fh, origin):
        if not looks_like(record):
            raise InputError(origin, "not a Kaggle arXiv snapshot record", where=str(n))
        yield record_to_paper(record, origin, n)


def record_to_paper(record: dict[str, Any], origin: str, n: int) -> Paper:
    """The paper a record gives: what make_paper would build from the record's fields,
    built directly, each field normalized once (the bulk of a big import's Python)."""
    found = ids.try_parse_id(str(record.get("id") or ""))
    if found is None:
        raise InputError(origin, f"bad arXiv id {record.get('id')!r}", where=str(n))
    versions = [v for v in _list(record.get("versions")) if isinstance(v, dict)]
    numbers = [_vnum(v.get("version")) for v in versions]
    dates = [d for d in (parse_date(v.get("created")) for v in versions) if d]
    # str.split() gives no empty item and no whitespace: clean() only scrubs controls
    categories = tuple(
        c
        for c in (
            c if c.isprintable() else clean(c) for c in _text(record.get("categories")).split()
        )
        if c
    )
    raw = {k: v for k, v in record.items() if k not in IN_PAPERS}
    if not isinstance(record.get("categories"), str | None):
        raw["categories"] = record["categories"]  # not a list the row can give back
    if raw.get("id") == found[0]:
        del raw["id"]
    raw["_in_papers"] = 1
    title = text_value(record.get("title"))
    authors = _authors(record)
    if not dates:
        dates = [d for d in (parse_date(record.get("update_date")),) if d]
    return Paper(
        id=found[0],
        version=int_value(max((x for x in numbers if x), default=found[1])),
        title=title_value(title),
        abstract=abstract_value(text_value(record.get("abstract"))),
        authors=author_names(authors) if authors else (),
        categories=categories,
        primary_category=categories[0] if categories else None,
        comment=text_value(record.get("comments")),
        journal_ref=text_value(record.get("journal-ref")),
        doi=text_value(record.get("doi")),
        license=line_value(record.get("license")),
        published=min(dates) if dates else None,
        updated=max(dates) if dates else None,
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


_TEX_MARKS = frozenset("\\{}$~")


def _authors(record: dict[str, Any]) -> tuple[str, ...]:
    """The names, cleaned as list_value cleans them (not yet author_names)."""
    parsed = record.get("authors_parsed")
    names: list[str] = []
    if isinstance(parsed, list) and parsed:
        for part in parsed:
            if not isinstance(part, list) or not part:
                continue
            last, first, suffix = [_text(x) for x in (part + ["", "", ""])[:3]]
            if first and last and not suffix:  # the usual name, joined without a genexpr
                name = clean(f"{first} {last}") or ""
            else:
                name = clean(" ".join(x for x in (first, last, suffix) if x)) or ""
            if _TEX_MARKS.isdisjoint(name):  # delatex and a second clean change nothing
                if name:
                    names.append(name)
            else:
                names.append(clean(delatex(name)) or "")
        return tuple(n for n in names if n)
    text = delatex(_text(record.get("authors")))
    return list_value([clean(a) or "" for a in text.replace(" and ", ", ").split(",") if clean(a)])
