"""SQL pieces every selection uses, kept apart from the query language so that a
listing with no query (`list -n 20`) starts without loading its parser."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


# The full-text match a query compiles to, as a set of row keys.
FTS_SUBQUERY = "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?"
# A word has at most this many characters (fuzzy matching compares words pairwise: its
# cost grows with length²); query.py and the --author check use it.
MAX_WORD = 100
# A category condition reads as a set of papers (good for looking them up) or as a
# test of one paper (good while walking papers in date order); see selection._ordered.
CATEGORY_SET = "papers.pk IN (SELECT paper_pk FROM paper_categories WHERE "
CATEGORY_TEST = "EXISTS (SELECT 1 FROM paper_categories WHERE paper_pk = papers.pk AND "


def category_condition(value: str) -> tuple[str, list[Any]]:
    """cs.LG (and cs.LG.*), cs (the archive: cs and cs.*), cs.* or cs* (a prefix)."""
    test, params = category_test(value)
    return CATEGORY_SET + test + ")", params


def category_test(value: str) -> tuple[str, list[Any]]:
    """category_condition as a test on a row of paper_categories."""
    if value.endswith("*"):
        prefix = value.rstrip("*")
        return "(category >= ? AND category < ?)", [prefix, prefix + "\uffff"]
    return "(category = ? OR (category >= ? AND category < ?))", [
        value,
        value + ".",
        value + ".\uffff",
    ]
