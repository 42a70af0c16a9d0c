"""The schema history. One function per change; only ever append, never edit.

Applied through sqlite-utils' ``Migrations`` (recorded in ``_sqlite_migrations``).
sqlite_utils is imported only when something is pending, to keep start-up fast.
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


MIGRATION_SET = "papertriage"
_STEPS: list[Callable[[Any], None]] = []


def step(fn: Callable[[Any], None]) -> Callable[[Any], None]:
    _STEPS.append(fn)
    return fn


def names() -> list[str]:
    return [fn.__name__ for fn in _STEPS]


def apply(conn: Any) -> None:
    """Apply every pending migration, each in its own transaction."""
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for fn in _STEPS:
        migrations()(fn)
    migrations.apply(Database(conn, execute_plugins=False, recursive_triggers=False))


def run_script(db: Any, script: str) -> None:
    """Run several statements inside the caller's transaction (executescript would commit)."""
    import sqlite3

    statement = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


@step
def m001_create_store(db: Any) -> None:
    run_script(db, _M001)


_M001 = """
CREATE TABLE papers (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    version INTEGER,
    title TEXT,
    abstract TEXT,
    authors TEXT,
    categories TEXT,
    primary_category TEXT,
    comment TEXT,
    journal_ref TEXT,
    doi TEXT,
    license TEXT,
    published TEXT,
    updated TEXT,
    code_url TEXT,
    project_url TEXT,
    hf_upvotes INTEGER,
    hf_comments INTEGER,
    github_repo TEXT,
    github_stars INTEGER,
    ai_summary TEXT,
    ai_keywords TEXT,
    hf_organization TEXT,
    hf_featured TEXT,
    title_key TEXT,
    authors_text TEXT,
    first_seen TEXT,
    last_seen TEXT,
    first_run INTEGER,
    last_run INTEGER
);
CREATE INDEX idx_papers_title_key ON papers(title_key);
CREATE INDEX idx_papers_published ON papers(published);
CREATE INDEX idx_papers_first_run ON papers(first_run);

CREATE VIRTUAL TABLE papers_fts USING FTS5 (
    title, abstract, authors_text,
    tokenize='porter unicode61 remove_diacritics 2',
    content="papers"
);
CREATE TRIGGER papers_ai AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts (rowid, title, abstract, authors_text)
    VALUES (new.rowid, new.title, new.abstract, new.authors_text);
END;
CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors_text)
    VALUES ('delete', old.rowid, old.title, old.abstract, old.authors_text);
END;
CREATE TRIGGER papers_au AFTER UPDATE OF title, abstract, authors_text ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors_text)
    VALUES ('delete', old.rowid, old.title, old.abstract, old.authors_text);
    INSERT INTO papers_fts (rowid, title, abstract, authors_text)
    VALUES (new.rowid, new.title, new.abstract, new.authors_text);
END;

-- Where and when each source listed a paper, with the raw item it gave.
CREATE TABLE sightings (
    paper_id TEXT NOT NULL,
    source TEXT NOT NULL,
    origin TEXT,
    announce_type TEXT,
    first_seen TEXT,
    last_seen TEXT,
    raw TEXT,
    PRIMARY KEY (paper_id, source)
);

-- Ids that were merged into another paper (provisional ids, duplicates).
CREATE TABLE aliases (
    alias TEXT PRIMARY KEY,
    paper_id TEXT NOT NULL,
    merged_at TEXT
);

-- Each import or fetch: when, what, counts, outcome.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT,
    started TEXT,
    finished TEXT,
    outcome TEXT,
    counts TEXT,
    message TEXT
);

-- What the user wrote. Keyed by the bare arXiv id; imports never touch these.
CREATE TABLE tags (
    paper_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    created TEXT,
    PRIMARY KEY (paper_id, tag)
);
CREATE INDEX idx_tags_tag ON tags(tag);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    paper_id TEXT NOT NULL,
    text TEXT NOT NULL,
    created TEXT
);
CREATE INDEX idx_notes_paper ON notes(paper_id);
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    paper_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    created TEXT,
    undone INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_decisions_paper ON decisions(paper_id);

-- Conditional-request validators per URL, so an unchanged feed is one 304.
CREATE TABLE http_cache (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    fetched TEXT
);
"""


@step
def m002_find_helpers(db: Any) -> None:
    """For filter: categories as an indexed table (kept by triggers), the FTS vocabulary
    (for --fuzzy), and indexes matching the date and upvotes sort orders."""
    run_script(db, _M002)


_M002 = """
CREATE TABLE paper_categories (
    paper_pk INTEGER NOT NULL,
    category TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (paper_pk, category)
) WITHOUT ROWID;
CREATE INDEX idx_paper_categories_category ON paper_categories(category);
INSERT OR IGNORE INTO paper_categories (paper_pk, category)
    SELECT papers.pk, j.value
    FROM papers, json_each(CASE WHEN json_valid(papers.categories) THEN papers.categories ELSE '[]' END) AS j
    WHERE papers.categories IS NOT NULL AND j.type = 'text';
CREATE TRIGGER papers_categories_ai AFTER INSERT ON papers WHEN new.categories IS NOT NULL BEGIN
    INSERT OR IGNORE INTO paper_categories (paper_pk, category)
    SELECT new.pk, value
    FROM json_each(CASE WHEN json_valid(new.categories) THEN new.categories ELSE '[]' END)
    WHERE type = 'text';
END;
CREATE TRIGGER papers_categories_au AFTER UPDATE OF categories ON papers BEGIN
    DELETE FROM paper_categories WHERE paper_pk = old.pk;
    INSERT OR IGNORE INTO paper_categories (paper_pk, category)
    SELECT new.pk, value
    FROM json_each(CASE WHEN json_valid(new.categories) THEN new.categories ELSE '[]' END)
    WHERE type = 'text';
END;
CREATE TRIGGER papers_categories_ad AFTER DELETE ON papers BEGIN
    DELETE FROM paper_categories WHERE paper_pk = old.pk;
END;

-- One row per indexed term (a porter stem) with its document count.
CREATE VIRTUAL TABLE papers_fts_vocab USING fts5vocab(papers_fts, 'row');

-- The sort orders of selection.ORDER, so `--limit 20` reads 20 rows, not the table.
CREATE INDEX idx_papers_day ON papers(coalesce(published, substr(first_seen, 1, 10)), id);
CREATE INDEX idx_papers_upvotes ON papers(coalesce(hf_upvotes, -1), coalesce(published, ''), id);
"""


@step
def m003_title_index(db: Any) -> None:
    """For filter's relevance order: a full-text index of titles alone (papers whose
    title holds every query word come first, found without reading the abstracts'
    index), and a narrow index to sort matches by date or upvotes without reading rows."""
    run_script(db, _M003)


_M003 = """
CREATE VIRTUAL TABLE papers_title_fts USING FTS5 (
    title,
    tokenize='porter unicode61 remove_diacritics 2',
    content='papers', content_rowid='pk'
);
INSERT INTO papers_title_fts (papers_title_fts) VALUES ('rebuild');
CREATE TRIGGER papers_title_ai AFTER INSERT ON papers BEGIN
    INSERT INTO papers_title_fts (rowid, title) VALUES (new.pk, new.title);
END;
CREATE TRIGGER papers_title_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_title_fts (papers_title_fts, rowid, title) VALUES ('delete', old.pk, old.title);
END;
CREATE TRIGGER papers_title_au AFTER UPDATE OF title ON papers BEGIN
    INSERT INTO papers_title_fts (papers_title_fts, rowid, title) VALUES ('delete', old.pk, old.title);
    INSERT INTO papers_title_fts (rowid, title) VALUES (new.pk, new.title);
END;
CREATE INDEX idx_papers_pk_sort ON papers (
    pk, coalesce(published, substr(first_seen, 1, 10)), id, coalesce(hf_upvotes, -1), coalesce(published, '')
);
"""


@step
def m004_paper_day(db: Any) -> None:
    """A paper's day, once, as a column: the later of its arXiv date and the day it was
    on Hugging Face Daily Papers; with neither, the day papertriage first saw it.
    `--since`/`--until`, the date order, recency and the export's date all mean this day
    (models.paper_day is the same rule in Python; a test holds them equal). A virtual
    column: computed when read, so nothing is rewritten and no ingest writes it. The
    sort indexes are rebuilt on it."""
    run_script(db, _M004)


_M004 = """
ALTER TABLE papers ADD COLUMN day TEXT GENERATED ALWAYS AS (
    coalesce(
        max(nullif(substr(published, 1, 10), ''), nullif(substr(hf_featured, 1, 10), '')),
        nullif(substr(published, 1, 10), ''),
        nullif(substr(hf_featured, 1, 10), ''),
        nullif(substr(first_seen, 1, 10), '')
    )
) VIRTUAL;
DROP INDEX idx_papers_day;
DROP INDEX idx_papers_upvotes;
DROP INDEX idx_papers_pk_sort;
CREATE INDEX idx_papers_day ON papers(day, id);
CREATE INDEX idx_papers_upvotes ON papers(coalesce(hf_upvotes, -1), day, id);
CREATE INDEX idx_papers_pk_sort ON papers(pk, day, id, coalesce(hf_upvotes, -1));
"""


@step
def m005_hf_as_of(db: Any) -> None:
    """When a paper's Hugging Face signals were read (the listing's day, or the time of a
    live fetch), so that an older listing imported later does not replace newer upvotes,
    comments, stars, links or summary. NULL for readings stored before: any dated
    reading is newer."""
    db.execute("ALTER TABLE papers ADD COLUMN hf_as_of TEXT")


@step
def m006_undated_stays_undated(db: Any) -> None:
    """A paper's day without the fallback to the day it was first seen: a paper whose
    source gives no date (a pasted page line, some RSS items) has no day (NULL), so it
    is not taken for a paper of the day it was imported. A generated column's
    expression cannot be altered: the column is dropped (it stores nothing, so no row is
    rewritten) and added again, and the sort indexes on it rebuilt as m004 made them."""
    run_script(db, _M006)


_M006 = """
DROP INDEX idx_papers_day;
DROP INDEX idx_papers_upvotes;
DROP INDEX idx_papers_pk_sort;
ALTER TABLE papers DROP COLUMN day;
ALTER TABLE papers ADD COLUMN day TEXT GENERATED ALWAYS AS (
    coalesce(
        max(nullif(substr(published, 1, 10), ''), nullif(substr(hf_featured, 1, 10), '')),
        nullif(substr(published, 1, 10), ''),
        nullif(substr(hf_featured, 1, 10), '')
    )
) VIRTUAL;
CREATE INDEX idx_papers_day ON papers(day, id);
CREATE INDEX idx_papers_upvotes ON papers(coalesce(hf_upvotes, -1), day, id);
CREATE INDEX idx_papers_pk_sort ON papers(pk, day, id, coalesce(hf_upvotes, -1));
"""


@step
def m007_drop_fts_vocab(db: Any) -> None:
    """Drop m002's papers_fts_vocab: sqlite-utils (optimize, rebuild-fts) takes any
    table named like an FTS table for one and fails on it ("table papers_fts_vocab may
    not be modified"), so stock tools broke on the store. Nothing read it: --fuzzy and
    the ranker create their vocabulary as a temp fts5vocab table per connection
    (find.textindex.Vocabulary), which is never in the file."""
    db.execute("DROP TABLE IF EXISTS papers_fts_vocab")


@step
def m008_watches(db: Any) -> None:
    """Watches (saved searches that run after every fetch and import), what each one
    matched, and which papers a digest has shown. User data: fetch, import and dedupe
    never write these (a merge moves a paper's rows, as it moves its tags)."""
    run_script(db, _M008)


_M008 = """
CREATE TABLE watches (
    name TEXT PRIMARY KEY,
    query TEXT,
    options TEXT NOT NULL DEFAULT '{}',
    tag TEXT NOT NULL,
    created TEXT,
    last_run INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE watch_matches (
    watch TEXT NOT NULL,
    paper_id TEXT NOT NULL,
    run_id INTEGER,
    matched TEXT NOT NULL,
    PRIMARY KEY (watch, paper_id)
);
CREATE INDEX idx_watch_matches_paper ON watch_matches(paper_id);
CREATE INDEX idx_watch_matches_matched ON watch_matches(matched);
CREATE TABLE digest_shown (
    paper_id TEXT NOT NULL,
    day TEXT NOT NULL,
    shown TEXT NOT NULL,
    PRIMARY KEY (paper_id, day)
);
"""


@step
def m010_pending_writes(db: Any) -> None:
    """Which of the user's queued writes (store/pending.py: written while an import or
    fetch held the store) are applied: each id once, in the transaction that applied
    it, so a queue read again after a crash applies nothing twice. `result` is what the
    write returned (a triage decision's id, for its undo)."""
    run_script(db, _M010)


_M010 = """
CREATE TABLE pending_applied (
    id TEXT PRIMARY KEY,
    op TEXT NOT NULL,
    result INTEGER,
    applied TEXT NOT NULL
);
"""


@step
def m011_drop_published_index(db: Any) -> None:
    """Drop m001's index on `published`: since m004 every date filter, order and
    recency reads the paper's `day` (idx_papers_day), so no query has used it; it cost
    1.2% of the JSONL's size in a bulk-imported store and a sort of every paper at the
    end of a bulk import."""
    db.execute("DROP INDEX IF EXISTS idx_papers_published")
