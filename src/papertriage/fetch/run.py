"""Running a fetch: every listing downloaded in full, then written in its own transaction.

A listing's pages are all downloaded before anything is written, and then merged in
one ``transaction`` (with its conditional-request validators): an interrupted or
failed listing leaves nothing half-written, and the next fetch redoes just that one.
Each fetch is one row in ``runs`` (kind 'fetch'), so ``list --new`` shows the papers
it brought; a run killed mid-way is marked 'interrupted' by the next one.

What an answer meant is kept apart: new papers (ok), nothing listed (empty: "no
announcements today"), the same batch as last time (stale / unchanged: no work), a 304
(not modified: no work), and failures - a service error (status/URL) or an unexpected
response (HTML page, truncated body, an error feed), which fail only their source.
So does any other failure to read an answer (JSON nested thousands deep, text that
is not Unicode, whatever no parser foresaw): that source fails with one line, the
others are fetched. Only the store failing, or an interruption, ends the whole run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import FetchError, InputError, ServiceError, UnexpectedResponse
from ..models import Paper
from ..store.db import transaction
from ..store.ingest import Ingest
from ..store.runs import finish_run, start_run
from ..store.userdata import apply_pending
from ..text import now_iso
from .http import Fetcher, Reply
from .listings import REPLACE_TYPES, ArxivRss, Listing, Request

COUNTS = ("listed", "new", "updated", "merged", "skipped", "unchanged")


@dataclass
class SourceResult:
    source: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    outcomes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    interrupted: bool = False

    @property
    def outcome(self) -> str:
        if self.interrupted:
            return "interrupted"
        if self.errors:
            return "failed"
        if "ok" in self.outcomes or not self.outcomes:
            return "ok"
        return self.outcomes[0]

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "outcome": self.outcome, **self.counts,
                "notes": self.notes, "errors": self.errors}  # fmt: skip


@dataclass
class FetchReport:
    run_id: int | None
    results: dict[str, SourceResult] = field(default_factory=dict)
    requests: int = 0

    @property
    def failed(self) -> bool:
        return any(r.errors for r in self.results.values())

    @property
    def outcome(self) -> str:
        failed = [r for r in self.results.values() if r.errors]
        if not failed:
            return "ok"
        return "failed" if len(failed) == len(self.results) else "partial"

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(COUNTS, 0)
        for r in self.results.values():
            for key in COUNTS:
                out[key] += r.counts[key]
        out["requests"] = self.requests
        return out

    def message(self) -> str:
        lines = []
        for r in self.results.values():
            c = r.counts
            lines.append(
                f"{r.source}: {r.outcome} (listed {c['listed']}, new {c['new']}, updated {c['updated']})"
            )
            lines += [f"  {text}" for text in (*r.notes, *r.errors)]
        return "\n".join(lines)


class Progress(Protocol):
    """What the fetch reports as it goes; the command shows it (Rich, on a terminal)."""

    def listing(self, listing: Listing) -> None: ...

    def page(self, listing: Listing, pages: int, papers: int) -> None: ...

    def done(self, listing: Listing, outcome: str) -> None: ...

    def waiting(self, seconds: float, reason: str) -> None: ...


class _Silent:
    """Progress that shows nothing (the default)."""

    def listing(self, listing: Listing) -> None:
        return None

    def page(self, listing: Listing, pages: int, papers: int) -> None:
        return None

    def done(self, listing: Listing, outcome: str) -> None:
        return None

    def waiting(self, seconds: float, reason: str) -> None:
        return None


# Work that follows the listings in the same run (the arXiv completion, fetch/complete.py):
# it adds its own SourceResult to the report and records failures there, never raises.
FollowUp = Callable[[sqlite3.Connection, int, "FetchReport", Fetcher, Progress], None]


def run_fetch(
    conn: sqlite3.Connection,
    listings: list[Listing],
    fetcher: Fetcher,
    progress: Progress | None = None,
    refresh: bool = False,
    after: Sequence[FollowUp] = (),
) -> FetchReport:
    """Fetch every listing, then run the follow-ups; failures are recorded per source, never raised."""
    progress = progress or _Silent()
    with transaction(conn):
        conn.execute(
            "UPDATE runs SET outcome = 'interrupted', finished = ? "
            "WHERE kind = 'fetch' AND outcome = 'running'",
            [now_iso()],
        )
        run_id = start_run(conn, "fetch", ", ".join(x.label for x in listings))
    report = FetchReport(run_id)
    down: set[str] = set()
    try:
        for listing in listings:
            result = report.results.setdefault(listing.source, SourceResult(listing.source))
            if listing.source in down:
                result.errors.append(f"{listing.label}: not fetched (the service failed above)")
                continue
            progress.listing(listing)
            result.interrupted = True  # until this listing is done
            try:
                outcome = _fetch_listing(conn, run_id, listing, fetcher, result, progress, refresh)
            except ServiceError as exc:
                outcome = "failed"
                result.errors.append(one_line(f"{listing.label}: {exc}"))
                down.add(listing.source)
            except (UnexpectedResponse, InputError, FetchError) as exc:
                outcome = "failed"
                result.errors.append(one_line(f"{listing.label}: unexpected response: {exc}"))
            except sqlite3.Error:
                raise
            except Exception as exc:  # an answer no parser foresaw: its source fails, only
                outcome = "failed"
                result.errors.append(one_line(f"{listing.label}: {unreadable(exc)}"))
            result.interrupted = False
            result.outcomes.append(outcome)
            progress.done(listing, outcome)
        for follow_up in after:
            follow_up(conn, run_id, report, fetcher, progress)
    except BaseException:
        report.requests = fetcher.requests
        with transaction(conn):
            finish_run(conn, run_id, "interrupted", report.totals(), report.message())
        raise
    report.requests = fetcher.requests
    with transaction(conn):
        apply_pending(conn)  # the user's writes queued while the fetch ran
        finish_run(conn, run_id, report.outcome, report.totals(), report.message())
    return report


def unreadable(exc: BaseException) -> str:
    """An unforeseen failure to read an answer, in a line."""
    if isinstance(exc, RecursionError):
        what = "nested too deeply to read"
    elif isinstance(exc, UnicodeEncodeError | UnicodeDecodeError):
        what = f"text that is not valid Unicode ({exc.reason}: {exc.object[exc.start : exc.end]!r})"
    elif isinstance(exc, UnicodeError):
        what = f"text that is not valid Unicode ({exc})"
    elif isinstance(exc, MemoryError):
        what = "too large to hold in memory"
    else:
        what = f"could not be read ({type(exc).__name__}: {exc})"
    return f"unexpected response: {what}"


def one_line(text: str, limit: int = 500) -> str:
    """An error as it is recorded and shown: one line of printable text, at most
    `limit` characters (a server's message, a URL or a parser's complaint can be
    anything)."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(c if c.isprintable() else " " for c in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fetch_listing(
    conn: sqlite3.Connection,
    run_id: int,
    listing: Listing,
    fetcher: Fetcher,
    result: SourceResult,
    progress: Progress,
    refresh: bool,
) -> str:
    first = listing.first()
    cached = None if refresh else cache_entry(conn, first.full_url)
    pages, bodies, first_reply = [], [], None
    request: Request | None = first
    while request is not None:
        headers = conditional_headers(cached) if request is first else None
        reply = fetcher.get(request.url, dict(request.params), headers, group=request.group)
        if reply.status == 304 and request is first:
            result.notes.append(f"{listing.label}: not modified since the last fetch (HTTP 304)")
            return "not modified"
        if reply.status >= 400 or reply.status == 304:
            raise listing.rejected(reply)
        check_body(reply, listing)
        page = listing.read(reply, request)
        first_reply = first_reply or reply
        pages.append(page)
        bodies.append(reply.body)
        progress.page(listing, len(pages), sum(len(p.papers) for p in pages))
        request = page.next
    papers = [p for page in pages for p in page.papers]
    result.counts["listed"] += len(papers)
    digest = listing.digest(pages, bodies)
    if papers and cached is not None and cached["content_hash"] == digest:
        with transaction(conn):
            save_cache(conn, first.full_url, first_reply, digest)
        result.notes.append(listing.same_message(pages))
        return "stale" if isinstance(listing, ArxivRss) else "unchanged"
    with transaction(conn):
        keep, skipped = _without_unknown_replacements(conn, papers)
        ingest = Ingest(conn, run_id)
        if keep:
            ingest.add(keep)
        save_cache(conn, first.full_url, first_reply, digest)
    for key in ("new", "updated", "merged", "unchanged"):
        result.counts[key] += ingest.counts[key]
    result.counts["skipped"] += skipped
    if not papers:
        result.notes.append(listing.empty_message(pages))
        return "empty"
    if skipped:
        result.notes.append(
            f"{listing.label}: skipped {skipped} replacement(s) of papers not in the store"
        )
    return "ok"


def _without_unknown_replacements(
    conn: sqlite3.Connection, papers: Iterable[Paper]
) -> tuple[list[Paper], int]:
    """RSS replace/replace-cross items update stored papers; others' are not news to us."""
    keep: list[Paper] = []
    skipped = 0
    for paper in papers:
        if paper.announce_type in REPLACE_TYPES and not _known(conn, paper.id):
            skipped += 1
        else:
            keep.append(paper)
    return keep, skipped


def _known(conn: sqlite3.Connection, paper_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM papers WHERE id = ? UNION ALL SELECT 1 FROM aliases WHERE alias = ?",
        [paper_id, paper_id],
    ).fetchone()
    return row is not None


def check_body(reply: Reply, listing: Listing) -> None:
    """Refuse what is plainly not a listing before a parser sees it."""
    body = reply.body.lstrip(b"\xef\xbb\xbf \t\r\n")
    where = f"HTTP {reply.status}, {reply.content_type or 'no content type'}"
    if not body:
        raise UnexpectedResponse(
            reply.url, f"an empty body ({where}) where {listing.expects} was expected"
        )
    head = body[:1024].lower()
    if b"<html" in head or b"<!doctype html" in head:
        raise UnexpectedResponse(
            reply.url, f"an HTML page ({where}) where {listing.expects} was expected"
        )
    if listing.expects == "JSON" and body[:1] == b"<":
        raise UnexpectedResponse(reply.url, f"markup ({where}) where JSON was expected")


# ---- conditional requests ---------------------------------------------------------------


def cache_entry(conn: sqlite3.Connection, url: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT etag, last_modified, content_hash, fetched FROM http_cache WHERE url = ?", [url]
    ).fetchone()
    return row


def conditional_headers(cached: sqlite3.Row | dict[str, Any] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if cached is not None:
        if cached["etag"]:
            headers["If-None-Match"] = cached["etag"]
        if cached["last_modified"]:
            headers["If-Modified-Since"] = cached["last_modified"]
    return headers


def save_cache(conn: sqlite3.Connection, url: str, reply: Reply | None, digest: str) -> None:
    headers = reply.headers if reply is not None else {}
    conn.execute(
        """INSERT INTO http_cache (url, etag, last_modified, content_hash, fetched)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
            last_modified = excluded.last_modified, content_hash = excluded.content_hash,
            fetched = excluded.fetched""",
        [url, headers.get("etag"), headers.get("last-modified"), digest, now_iso()],
    )


def describe(listings: list[Listing], conn: sqlite3.Connection | None) -> list[str]:
    """The requests a fetch would start with (for --dry-run)."""
    lines = []
    for listing in listings:
        request = listing.first()
        try:
            cached = cache_entry(conn, request.full_url) if conn is not None else None
        except sqlite3.Error:  # not a store, or one from before the cache: nothing saved
            cached = None
        extra = "".join(f"  [{k}: {v}]" for k, v in conditional_headers(cached).items())
        paged = listing.source in ("hf", "arxiv-query")
        paging = "  (+ further pages while full)" if paged else ""
        spacing = "  (arXiv: 3 s apart)" if request.group == "arxiv" else ""
        lines.append(f"GET {request.full_url}{extra}{paging}{spacing}")
    return lines


def recent_fetches(conn: sqlite3.Connection, limit: int = 20) -> list[dict[str, Any]]:
    """The latest fetch runs, newest first, counts decoded."""
    import json

    rows = conn.execute(
        "SELECT id, started, finished, outcome, target, counts, message FROM runs "
        "WHERE kind = 'fetch' ORDER BY id DESC LIMIT ?",
        [limit],
    ).fetchall()
    out = []
    for row in rows:
        item = dict(row)
        item["counts"] = json.loads(row["counts"]) if row["counts"] else None
        out.append(item)
    return out
