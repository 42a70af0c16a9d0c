"""The one normalized paper record every source is turned into."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any

from . import ids

# The record's columns and the paper's day live in columns.py (light, for the query
# commands' start-up); re-exported here.
from .columns import (
    ALL_COLUMNS as ALL_COLUMNS,
)
from .columns import (
    BOOKKEEPING as BOOKKEEPING,
)
from .columns import (
    LIST_FIELDS as LIST_FIELDS,
)
from .columns import (
    NO_DAY as NO_DAY,
)
from .columns import (
    PAPER_COLUMNS as PAPER_COLUMNS,
)
from .columns import (
    paper_day as paper_day,
)
from .columns import (
    row_to_dict as row_to_dict,
)
from .columns import (
    shown_day as shown_day,
)
from .text import author_names, clean, decode_tex, nfkc, parse_date

# Fields describing the arXiv paper itself (from whichever source).
ARXIV_FIELDS = (
    "title",
    "abstract",
    "authors",
    "categories",
    "primary_category",
    "comment",
    "journal_ref",
    "doi",
    "license",
)
# Signals only Hugging Face gives; a newer reading replaces an older one.
HF_FIELDS = (
    "hf_upvotes",
    "hf_comments",
    "github_repo",
    "github_stars",
    "ai_summary",
    "ai_keywords",
    "hf_organization",
    "project_url",
)


@dataclass(frozen=True, slots=True)
class Paper:
    id: str
    title: str | None = None
    version: int | None = None
    abstract: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    published: str | None = None  # first version, YYYY-MM-DD
    updated: str | None = None  # latest version, YYYY-MM-DD
    code_url: str | None = None
    project_url: str | None = None
    hf_upvotes: int | None = None
    hf_comments: int | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    hf_organization: str | None = None
    hf_featured: str | None = None  # the day it was on Daily Papers, YYYY-MM-DD
    # When the HF signals above were read: the listing's day, or the time of a live fetch
    # (store/ingest.py: the newest reading wins, whatever the order of arrival).
    hf_as_of: str | None = None
    # Where this sighting came from; not stored on the paper row.
    source: str = "unknown"
    origin: str | None = None
    announce_type: str | None = None
    raw: Any = field(default=None, compare=False, repr=False)

    @property
    def abs_url(self) -> str | None:
        return ids.abs_url(self.id)

    @property
    def pdf_url(self) -> str | None:
        return ids.pdf_url(self.id)

    @property
    def hf_url(self) -> str | None:
        return ids.hf_url(self.id)

    def with_(self, **changes: Any) -> Paper:
        return replace(self, **changes)


# A parser marks a record it read but must not store (a pasted page's last paper, cut
# off) with this key in its raw dict, saying why; the import counts it as skipped.
SKIPPED = "_skipped"
SIGHTING_FIELDS = ("source", "origin", "announce_type", "raw")


_TEXT_FIELDS = (
    "hf_as_of",
    "primary_category",
    "license",
    "code_url",
    "project_url",
    "github_repo",
)
_INT_FIELDS = ("hf_upvotes", "hf_comments", "github_stars", "version")
_DATE_FIELDS = ("published", "updated", "hf_featured")
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


def _scalar(value: Any) -> Any:
    """Text or a number as given; None for anything else (a list or object where a
    source should have put text, from a malformed or hostile file)."""
    return value if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def text_value(value: Any) -> str | None:
    """A text field as stored: whitespace collapsed, controls scrubbed; None for empty
    text or anything that is not text or a number."""
    return clean(_scalar(value))


def line_value(value: Any) -> str | None:
    """A one-line field (a category, a license, a link) as stored: text only."""
    return clean(value) if isinstance(value, str) else None


def list_value(items: Any) -> tuple[str, ...]:
    """A list field as stored: each item cleaned, empty ones dropped."""
    items = items if isinstance(items, list | tuple) else ()
    return tuple(c for c in (clean(_scalar(v)) for v in items) if c)


def title_value(text: str | None) -> str | None:
    """A cleaned title in the form queries take: TeX decoded, NFKC."""
    return nfkc(decode_tex(text)) if text else text


def abstract_value(text: str | None) -> str | None:
    """A cleaned abstract in the form queries take: NFKC."""
    return nfkc(text) if text else text


def int_value(value: Any) -> int | None:
    """A count or version as stored: a 64-bit integer, else None."""
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if _INT_MIN <= number <= _INT_MAX else None  # SQLite's integers


def make_paper(**values: Any) -> Paper:
    """Build a Paper, cleaning text fields and dropping empty values.

    Each field goes through its one normalizer above; a parser that builds a Paper
    itself (sources/kaggle.py, for speed) calls the same ones, once per field."""
    for key in (
        "title",
        "abstract",
        "comment",
        "journal_ref",
        "doi",
        "ai_summary",
        "hf_organization",
    ):
        if key in values:
            values[key] = text_value(values[key])
    for key in _TEXT_FIELDS:
        if values.get(key) is not None:
            values[key] = line_value(values[key])
    for key in LIST_FIELDS:
        if key in values:
            values[key] = list_value(values[key])
    if values.get("authors"):
        values["authors"] = author_names(values["authors"])
    if "title" in values:
        values["title"] = title_value(values["title"])
    if "abstract" in values:
        values["abstract"] = abstract_value(values["abstract"])
    for key in _INT_FIELDS:
        if values.get(key) is not None:
            values[key] = int_value(values[key])
    for key in _DATE_FIELDS:
        if values.get(key) is not None:
            values[key] = parse_date(values[key])  # 'YYYY-MM-DD' stays as it is
    cats = values.get("categories") or ()
    if not values.get("primary_category") and cats:
        values["primary_category"] = cats[0]
    return Paper(**values)


_PAPER_VALUES = attrgetter(*PAPER_COLUMNS)
_LIST_AT = tuple(PAPER_COLUMNS.index(name) for name in LIST_FIELDS)


def paper_values(paper: Paper) -> list[Any]:
    """The papers-table values of a paper, in PAPER_COLUMNS order (lists as JSON text)."""
    values = list(_PAPER_VALUES(paper))
    for at in _LIST_AT:
        value = values[at]
        values[at] = json_list(value) if value else None
    return values


_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # what json.dumps escapes (ensure_ascii=False)


def json_list(items: tuple[str, ...] | list[str]) -> str:
    """json.dumps(list(items), ensure_ascii=False), written directly for strings that
    need no escape (most names and categories; three times as fast)."""
    try:
        if _JSON_ESCAPED.search("".join(items)) is None:
            return '["' + '", "'.join(items) + '"]'
    except TypeError:  # not all strings
        pass
    return json.dumps(list(items), ensure_ascii=False)


def paper_to_row(paper: Paper) -> dict[str, Any]:
    """The papers-table row for a paper (lists as JSON text)."""
    return dict(zip(PAPER_COLUMNS, paper_values(paper), strict=True))
