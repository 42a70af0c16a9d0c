"""The papers table's columns and a stored row as plain data: what the query commands
(list, filter, show) need of the record, without the Paper dataclass of models.py,
which costs them a tenth of their start-up (dataclasses loads inspect, ast, dis...).

models.py re-exports all of it; tests/test_startup.py holds PAPER_COLUMNS equal to
the Paper fields."""

from __future__ import annotations

import json

from . import ids

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

# Fields that hold lists; stored as JSON arrays in the papers table.
LIST_FIELDS = ("authors", "categories", "ai_keywords")
# The record's columns of the papers table: the fields of models.Paper, in order, less
# where a sighting came from (models.SIGHTING_FIELDS).
PAPER_COLUMNS = (
    "id", "title", "version", "abstract", "authors", "categories", "primary_category",
    "comment", "journal_ref", "doi", "license", "published", "updated", "code_url",
    "project_url", "hf_upvotes", "hf_comments", "github_repo", "github_stars", "ai_summary",
    "ai_keywords", "hf_organization", "hf_featured", "hf_as_of",
)  # fmt: skip
# The papers table: the record, what merges and the full-text index keep beside it, and
# when (and in which run) the paper was first and last seen.
BOOKKEEPING = ("first_seen", "last_seen", "first_run", "last_run")
ALL_COLUMNS = (*PAPER_COLUMNS, "title_key", "authors_text", *BOOKKEEPING)


def paper_day(row: Mapping[str, Any]) -> str | None:
    """A paper's day: the later of its arXiv date (published) and the day it was on
    Hugging Face Daily Papers (hf_featured); None with neither (a missing date stays
    missing: the day a paper was imported is not its date).

    What `--since`/`--until` compare, the date order sorts by, recency counts from and
    the export shows. The store computes the same rule in SQL as the `day` column
    (migration m006); tests/test_paper_day.py holds the two equal."""
    days: list[str] = [
        d[:10] for d in (row.get("published"), row.get("hf_featured")) if d and d[:10]
    ]
    return max(days) if days else None


NO_DAY = "—"  # how tables, `show` and Markdown show a paper without a day


def shown_day(row: Mapping[str, Any]) -> str:
    """A paper's day for people to read: paper_day, or an em dash when it has none."""
    return paper_day(row) or NO_DAY


def row_to_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as plain data: JSON lists decoded, links added."""
    out = dict(row)
    for name in LIST_FIELDS:
        if name in out:
            out[name] = json.loads(out[name]) if out[name] else []
    pid = out.get("id", "")
    out["abs_url"] = ids.abs_url(pid)
    out["pdf_url"] = ids.pdf_url(pid)
    out["hf_url"] = (
        ids.hf_url(pid) if out.get("hf_featured") or out.get("hf_upvotes") is not None else None
    )
    return out
