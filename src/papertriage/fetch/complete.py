"""Completing papers that have no arXiv metadata (Hugging Face's) from the arXiv API.

Hugging Face lists arXiv papers without their categories, comment, journal reference,
DOI or version, so category filters and groupings missed them. Papers without
categories are looked up by id: ``id_list`` with up to 100 ids a request, through the
fetch's own client (the arXiv group: 3 s between requests, the same retries) and read
by the arXiv API parser. The answers go through the usual merge rules
(store/ingest.py): the versioned arXiv record fills what Hugging Face lacks, never
replaces a newer version, and never touches tags, notes or decisions.

Which papers: after a fetch, those first seen by a fetch of the last ``RECENT_DAYS``
days (this one included; so a completion that failed is retried next morning); with
``papertriage db complete``, every paper in the store. Each request's answer is
written in its own transaction: an interrupted completion keeps what it got, and the
next one asks only for what is still missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from math import ceil

from .. import ids
from ..errors import FetchError, InputError, ServiceError, UnexpectedResponse
from ..store.db import transaction
from ..store.ingest import Ingest
from ..store.runs import finish_run, start_run
from ..text import now_iso
from .http import GROUP_INTERVALS, Fetcher
from .listings import ArxivQuery, Request
from .run import FetchReport, FollowUp, SourceResult, check_body
from .run import Progress as FetchProgress

SOURCE = "arxiv-complete"
IDS_PER_REQUEST = 100
RECENT_DAYS = 7
_MISSING = "(categories IS NULL OR categories = '[]')"


@dataclass
class Completion:
    """What a completion did: ids asked for, papers completed, ids arXiv did not know."""

    asked: int = 0
    requests: int = 0
    completed: int = 0
    unchanged: int = 0
    not_found: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    interrupted: bool = False

    def counts(self) -> dict[str, int]:
        return {"asked": self.asked, "requests": self.requests, "updated": self.completed,
                "unchanged": self.unchanged, "not_found": len(self.not_found)}  # fmt: skip

    def message(self) -> str:
        text = f"{SOURCE}: asked {self.asked} in {self.requests} request(s), completed {self.completed}"
        if self.not_found:
            shown = ", ".join(self.not_found[:5]) + (", …" if len(self.not_found) > 5 else "")
            text += f", {len(self.not_found)} not on arXiv ({shown})"
        return "\n".join([text, *(f"  {e}" for e in self.errors)])


class IdBatch(ArxivQuery):
    """One id_list request: these ids' latest versions, in one page."""

    source = SOURCE

    def __init__(self, base: str, batch: list[str], n: int, of: int) -> None:
        super().__init__(base, None, batch, len(batch), len(batch))
        self.label = f"{SOURCE} {n}/{of} ({len(batch)} ids)"


def batches(paper_ids: list[str], size: int = IDS_PER_REQUEST) -> list[list[str]]:
    return [paper_ids[i : i + size] for i in range(0, len(paper_ids), size)]


def requests_needed(n_ids: int, size: int = IDS_PER_REQUEST) -> int:
    return ceil(n_ids / size) if n_ids else 0


def seconds_needed(n_ids: int, size: int = IDS_PER_REQUEST) -> float:
    """The spacing alone: the arXiv group's interval between consecutive requests."""
    return max(0, requests_needed(n_ids, size) - 1) * GROUP_INTERVALS["arxiv"]


def missing_ids(conn: sqlite3.Connection) -> list[str]:
    """Every paper of the store without arXiv categories that has an arXiv id, newest first."""
    rows = conn.execute(f"SELECT id FROM papers WHERE {_MISSING} ORDER BY id DESC")
    return [r[0] for r in rows if _askable(r[0])]


def recent_missing_ids(conn: sqlite3.Connection, now: datetime | None = None) -> list[str]:
    """Those first seen by a fetch of the last RECENT_DAYS days (by the first_run index)."""
    since = ((now or datetime.now(UTC)) - timedelta(days=RECENT_DAYS)).strftime("%Y-%m-%d")
    rows = conn.execute(
        f"SELECT id FROM papers WHERE first_run IN "
        f"(SELECT id FROM runs WHERE kind = 'fetch' AND started >= ?) AND {_MISSING} "
        "ORDER BY id DESC",
        [since],
    )
    return [r[0] for r in rows if _askable(r[0])]


def _askable(paper_id: str) -> bool:
    # One malformed id makes arXiv reject the whole request (HTTP 400), so only
    # canonical arXiv ids are sent.
    found = ids.try_parse_id(paper_id)
    return found is not None and found[0] == paper_id and not ids.is_provisional(paper_id)


def batch_requests(base: str, paper_ids: list[str], size: int = IDS_PER_REQUEST) -> list[Request]:
    """The requests a completion of these ids makes (for --dry-run)."""
    chunks = batches(paper_ids, size)
    return [IdBatch(base, b, n, len(chunks)).first() for n, b in enumerate(chunks, start=1)]


Progress = Callable[[IdBatch, Completion], None]


def complete(
    conn: sqlite3.Connection,
    fetcher: Fetcher,
    base: str,
    paper_ids: list[str],
    run_id: int | None,
    progress: Progress | None = None,
    size: int = IDS_PER_REQUEST,
    done: Completion | None = None,
) -> Completion:
    """Ask the arXiv API for these ids and merge the answers; failures are recorded, not raised.

    A service failure (arXiv down, rate limited past the retries) stops the completion;
    an unexpected answer to one request skips that request's ids only. ``done`` is
    filled as it goes (what an interrupted completion got)."""
    done = done or Completion()
    done.asked += len(paper_ids)
    chunks = batches(paper_ids, size)
    try:
        for n, chunk in enumerate(chunks, start=1):
            batch = IdBatch(base, chunk, n, len(chunks))
            try:
                _one(conn, fetcher, batch, run_id, done)
            except ServiceError as exc:
                left = sum(len(c) for c in chunks[n:])
                tail = f"; {left} more id(s) not asked" if left else ""
                done.errors.append(f"{batch.label}: {exc}{tail}")
                break
            except (UnexpectedResponse, InputError, FetchError) as exc:
                done.errors.append(f"{batch.label}: unexpected response: {exc}")
            if progress is not None:
                progress(batch, done)
    except BaseException:
        done.interrupted = True
        raise
    return done


def _one(
    conn: sqlite3.Connection,
    fetcher: Fetcher,
    batch: IdBatch,
    run_id: int | None,
    done: Completion,
) -> None:
    request = batch.first()
    done.requests += 1
    reply = fetcher.get(request.url, dict(request.params), group=request.group)
    if reply.status >= 300:
        raise batch.rejected(reply)
    check_body(reply, batch)
    asked = set(batch.id_list)
    papers = [p for p in batch.read(reply, request).papers if p.id in asked]
    with transaction(conn):
        ingest = Ingest(conn, run_id)
        ingest.add(papers)
    found = {p.id for p in papers}
    done.not_found += [i for i in batch.id_list if i not in found]
    done.completed += ingest.counts["updated"] + ingest.counts["new"]
    done.unchanged += ingest.counts["unchanged"]


def run_completion(
    conn: sqlite3.Connection,
    fetcher: Fetcher,
    base: str,
    paper_ids: list[str],
    progress: Progress | None = None,
    size: int = IDS_PER_REQUEST,
) -> tuple[int, Completion]:
    """`papertriage db complete`: one run (kind 'complete') completing these ids."""
    with transaction(conn):
        conn.execute(
            "UPDATE runs SET outcome = 'interrupted', finished = ? "
            "WHERE kind = 'complete' AND outcome = 'running'",
            [now_iso()],
        )
        run_id = start_run(conn, "complete", f"{len(paper_ids)} papers without arXiv metadata")
    done = Completion()
    try:
        complete(conn, fetcher, base, paper_ids, run_id, progress, size, done)
    except BaseException:
        with transaction(conn):
            finish_run(conn, run_id, "interrupted", done.counts(), done.message())
        raise
    with transaction(conn):
        outcome = "failed" if done.errors else "ok"
        finish_run(conn, run_id, outcome, done.counts(), done.message())
    return run_id, done


def after_fetch(base: str, size: int = IDS_PER_REQUEST) -> FollowUp:
    """The follow-up of a fetch: complete the recently fetched papers that lack arXiv metadata."""

    def follow_up(
        conn: sqlite3.Connection,
        run_id: int,
        report: FetchReport,
        fetcher: Fetcher,
        progress: FetchProgress,
    ) -> None:
        paper_ids = recent_missing_ids(conn)
        if not paper_ids:
            return
        result = report.results.setdefault(SOURCE, SourceResult(SOURCE))

        def shown(batch: IdBatch, done: Completion) -> None:
            progress.page(batch, done.requests, done.completed)

        first = IdBatch(base, paper_ids[:size], 1, requests_needed(len(paper_ids), size))
        progress.listing(first)
        done = complete(conn, fetcher, base, paper_ids, run_id, shown, size)
        result.counts["listed"] += done.completed + done.unchanged
        result.counts["updated"] += done.completed
        result.counts["unchanged"] += done.unchanged
        result.notes.append(done.message().split("\n")[0])
        if done.errors:
            result.errors += done.errors
            result.notes.append(
                f"{SOURCE}: the next fetch (within {RECENT_DAYS} days) or "
                "`papertriage db complete` asks again for what is missing"
            )
        outcome = "failed" if done.errors else "ok"
        result.outcomes.append(outcome)
        progress.done(first, outcome)

    return follow_up
