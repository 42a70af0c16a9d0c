"""The store as Datasette shows it: a metadata file (titles, descriptions, labels, the
derived columns explained, canned queries) and a small plugin that links every
``paper_id`` cell to its paper.

SQLite foreign keys are what Datasette links by, and the store has none (tags, notes,
decisions and sightings name a paper by its arXiv id, which may be an alias of a
merged paper, and adding constraints means rebuilding tables of user data). So the
plugin does what a foreign key would show: the id links to ``papers?id=...``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, TextIO

from ..find.selection import BM25

PLUGIN_NAME = "papertriage_links.py"
PLUGIN = '''"""Written by `papertriage db datasette`: paper ids link to their paper."""

from urllib.parse import quote

from datasette import hookimpl
from markupsafe import Markup, escape

LINKED = {"tags", "notes", "decisions", "sightings", "aliases"}


@hookimpl
def render_cell(value, column, table, database, datasette):
    if table in LINKED and column == "paper_id" and isinstance(value, str):
        href = datasette.urls.table(database, "papers") + "?id=" + quote(value, safe="")
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    return None
'''

_PAPER_ID = "The paper's arXiv id without version (links to the paper), or a prov: id."
_USER_DATA = " Your own data: fetch, import and migrations never change it."
_COLUMNS: dict[str, dict[str, str]] = {
    "papers": {
        "pk": "Row number; the full-text indexes refer to it.",
        "id": "arXiv id without version (2410.12345, hep-th/9901001), or prov:… for a "
        "paper known only by its title.",
        "version": "Latest arXiv version seen.",
        "authors": "JSON array of names.",
        "categories": "JSON array of arXiv categories (also in paper_categories).",
        "published": "Date of the first arXiv version (YYYY-MM-DD).",
        "updated": "Date of the latest arXiv version.",
        "hf_upvotes": "Upvotes on Hugging Face Daily Papers (latest reading).",
        "hf_featured": "The day the paper was on Hugging Face Daily Papers.",
        "ai_summary": "Hugging Face's AI-generated summary.",
        "ai_keywords": "JSON array of Hugging Face's AI keywords.",
        "title_key": "Derived: the title normalized (case, accents, LaTeX, punctuation and "
        "hyphens removed); papers with the same key and authors are merged.",
        "authors_text": "Derived: the authors joined by ', ', for the full-text index.",
        "first_seen": "Derived: when a fetch or import first stored the paper (UTC).",
        "last_seen": "Derived: when a fetch or import last listed it (UTC).",
        "first_run": "Derived: the runs.id of the fetch or import that first stored it "
        "(`papertriage list --new` shows the last run's).",
        "last_run": "Derived: the runs.id that last listed it.",
        "day": "Derived (generated column): the paper's day, the later of published and "
        "hf_featured, else the day first seen; --since, --until and the date order use it.",
    },
    "tags": {"paper_id": _PAPER_ID, "tag": "The tag.", "created": "When it was added (UTC)."},
    "notes": {"paper_id": _PAPER_ID, "text": "The note.", "created": "When (UTC)."},
    "decisions": {
        "paper_id": _PAPER_ID,
        "decision": "keep, read, skip or unread.",
        "created": "When (UTC).",
        "undone": "1 if taken back with triage's undo; the latest decision not undone counts.",
    },
    "sightings": {
        "paper_id": _PAPER_ID,
        "source": "Which listing format saw it (hf-daily, arxiv-rss, kaggle…).",
        "origin": "The file or URL.",
        "announce_type": "arXiv RSS: new, cross, replace or replace-cross.",
        "raw": (
            "The item as the source gave it (JSON). A Kaggle record leaves out what the "
            "paper's row holds (_in_papers), and since 2 keeps its versions as their dates "
            "(created) and authors_parsed as parsed; since 3 it leaves out a null submitter "
            "or report-no and an update_date on the last version's day (else days after it), "
            "and writes submitter and authors as numbers where the names give them; "
            "`papertriage show ID --raw` gives it whole."
        ),
    },
    "aliases": {"alias": "An id merged into paper_id.", "paper_id": _PAPER_ID},
    "runs": {
        "kind": "fetch or import.",
        "outcome": "ok, partial, failed or interrupted.",
        "counts": "JSON: per source, listed/new/updated/merged/skipped.",
    },
    "paper_categories": {
        "paper_pk": "papers.pk.",
        "category": "Derived: one row per category of a paper, kept by triggers.",
    },
}
_TABLES: dict[str, dict[str, Any]] = {
    "papers": {
        "description": "One row per paper, merged from every source that listed it.",
        "label_column": "title",
        "sort_desc": "day",
        "facets": ["primary_category"],
        "fts_table": "papers_fts",
        "fts_pk": "pk",
    },
    "tags": {"description": "Tags you gave papers." + _USER_DATA, "facets": ["tag"]},
    "notes": {"description": "Notes you wrote on papers." + _USER_DATA},
    "decisions": {
        "description": "Your triage decisions, every one kept (undo marks them)." + _USER_DATA,
        "facets": ["decision"],
    },
    "sightings": {
        "description": "Where and when each source listed a paper.",
        "facets": ["source"],
    },
    "aliases": {"description": "Ids merged into another paper (provisional ids, duplicates)."},
    "runs": {
        "description": "Every fetch and import: when, what, counts, outcome.",
        "sort_desc": "id",
    },
    "paper_categories": {"description": "papers.categories as rows, for filtering."},
    "http_cache": {"description": "ETag/Last-Modified per URL, so an unchanged feed is one 304."},
}
_HIDDEN = (
    "papers_fts", "papers_fts_config", "papers_fts_data", "papers_fts_docsize", "papers_fts_idx",
    "papers_title_fts", "papers_title_fts_config", "papers_title_fts_data",
    "papers_title_fts_docsize", "papers_title_fts_idx", "_sqlite_migrations",
)  # fmt: skip

SEARCH_SQL = f"""select papers.id, papers.title, papers.authors_text as authors,
  papers.day, papers.primary_category, papers.hf_upvotes,
  round(-{BM25}, 2) as relevance
from papers_fts join papers on papers.pk = papers_fts.rowid
where papers_fts match :q
order by {BM25}, papers.day desc
limit 100"""


def metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata for a store that Datasette names `database` (the file's stem)."""
    tables: dict[str, dict[str, Any]] = {}
    for name, info in _TABLES.items():
        tables[name] = {**info, "columns": _COLUMNS.get(name, {})}
    tables.update({name: {"hidden": True} for name in _HIDDEN})
    queries = {
        "search": {
            "title": "Search by relevance",
            "description": "Full-text search of titles, abstracts and authors (FTS5 syntax: "
            'words, "a phrase", OR, NOT, prefix*), best match first, weighted as '
            "papertriage filter weighs them (a word in the title counts most).",
            "sql": SEARCH_SQL,
        },
        "tagged": {
            "title": "Tagged papers",
            "description": "Every tag with its paper's title.",
            "sql": "select tags.tag, tags.paper_id, papers.title, papers.day, tags.created\n"
            "from tags left join papers on papers.id = tags.paper_id\n"
            "order by tags.tag, papers.day desc",
        },
    }
    return {
        "title": "papertriage",
        "description": "Research papers fetched by papertriage: one row per paper in papers, "
        "your tags, notes and triage decisions next to them.",
        "about": "papertriage",
        "databases": {database: {"tables": tables, "queries": queries}},
    }


def write_files(directory: Path, database: str) -> tuple[Path, Path]:
    """metadata.json and plugins/papertriage_links.py under directory."""
    from ..atomicfile import write_atomic

    plugins = directory / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    files = {
        directory / "metadata.json": json.dumps(metadata(database), indent=2) + "\n",
        plugins / PLUGIN_NAME: PLUGIN,
    }
    for path, text in files.items():
        write_atomic(path, functools.partial(_write, text=text))
    meta, plugin = files
    return meta, plugin


def _write(out: TextIO, text: str) -> None:
    out.write(text)
